#include "engine/processor/request_dispatcher.h"

#include <kj/encoding.h>

#include <boost/uuid/detail/sha1.hpp>

#include <algorithm>

#include "engine/acl.h"
#include "engine/log.h"
#include "engine/path_utils.h"
#include "engine/processor/write_reply.h"

namespace gk::engine {

namespace {

// ZooKeeper's DigestAuthenticationProvider: "user:password" -> "user:base64(sha1(user:password))".
std::string digestId(const std::string& userPassword) {
  boost::uuids::detail::sha1 sha;
  sha.process_bytes(userPassword.data(), userPassword.size());
  boost::uuids::detail::sha1::digest_type words;
  sha.get_digest(words);
  unsigned char bytes[20];
  for (int i = 0; i < 5; ++i) {
    bytes[i * 4] = uint8_t(words[i] >> 24);
    bytes[i * 4 + 1] = uint8_t(words[i] >> 16);
    bytes[i * 4 + 2] = uint8_t(words[i] >> 8);
    bytes[i * 4 + 3] = uint8_t(words[i]);
  }
  auto b64 = kj::encodeBase64(kj::arrayPtr(reinterpret_cast<const kj::byte*>(bytes), 20));
  std::string user = userPassword.substr(0, userPassword.find(':'));
  return user + ":" + std::string(b64.cStr());
}

}  // namespace

RequestDispatcher::RequestDispatcher(ServerContext& ctx, ConnectionManager& conns,
                                     FourLetterWordFn fourLetter)
    : ctx_(ctx), conns_(conns), fourLetter_(std::move(fourLetter)) {
  // ZooKeeper's session id layout: server id in the top byte, then time.
  nextSessionId_ = int64_t((uint64_t(wallMs()) << 24) >> 8) | (int64_t(ctx.cfg.myid) << 56);
}

void RequestDispatcher::onFourLetterWord(Connection& c, const std::string& word) {
  fourLetter_(c, word);
}

void RequestDispatcher::onClosed(Connection& c) { ctx_.watches.removeWatcher(c.id); }

void RequestDispatcher::onFrame(Connection& c, std::string frame) {
  if (!c.handshakeDone) {
    if (c.connectPending) {
      c.held.push_back(std::move(frame));  // requests sent before the connect response
      return;
    }
    onConnect(c, frame);
    return;
  }
  if (!c.held.empty()) {
    c.held.push_back(std::move(frame));
    return;
  }
  if (!handleRequest(c, frame)) c.held.push_back(std::move(frame));
}

void RequestDispatcher::drainHeld(Connection& c) {
  while (!c.closed && !c.held.empty() && c.handshakeDone) {
    if (!handleRequest(c, c.held.front())) break;
    c.held.pop_front();
  }
  conns_.resume(c);
}

// --- handshake ----------------------------------------------------------------------------

void RequestDispatcher::onConnect(Connection& c, const std::string& frame) {
  const ServerConfig& cfg = ctx_.cfg;
  ConnectRequest req;
  try {
    JuteReader r(frame);
    req = readConnectRequest(r);
  } catch (const JuteError& e) {
    GK_LOG_WARN("malformed connect request from /{}:{}: {}", c.ip, c.port, e.what());
    conns_.close(c, "malformed connect");
    return;
  }
  if (req.lastZxidSeen > ctx_.appliedZxid) {
    GK_LOG_INFO(
        "Refusing session request for client /{}:{} as it has seen zxid {} our last zxid is {} "
        "client must try another server",
        c.ip, c.port, hexId(req.lastZxidSeen), hexId(ctx_.appliedZxid));
    conns_.close(c, "client ahead of server");
    return;
  }
  int32_t timeout = std::clamp(req.timeoutMs, cfg.minSessionTimeout, cfg.maxSessionTimeout);
  if (req.sessionId != 0) {
    const auto* s = ctx_.sessions.find(req.sessionId);
    if (s == nullptr || s->closing || s->password != req.password) {
      GK_LOG_INFO("Invalid session {} for client /{}:{}, probably expired", hexId(req.sessionId),
                  c.ip, c.port);
      conns_.pushReady(c, encodeConnectResponse(0, 0, std::string(16, '\0')), true);
      return;
    }
    // The session moves to this connection; an older connection of it is closed.
    ctx_.sessions.touch(req.sessionId, monoMs());
    conns_.bindSession(c, req.sessionId);
    c.timeoutMs = s->timeoutMs;
    c.handshakeDone = true;
    GK_LOG_INFO("Established session {} with negotiated timeout {} for client /{}:{}",
                hexId(c.sessionId), c.timeoutMs, c.ip, c.port);
    conns_.pushReady(c, encodeConnectResponse(c.timeoutMs, c.sessionId, s->password));
    drainHeld(c);
    return;
  }
  int64_t sid = nextSessionId_++;
  while (ctx_.sessions.find(sid)) sid = nextSessionId_++;
  std::string password(16, '\0');
  for (auto& ch : password) ch = char(rng_() & 0xff);
  conns_.bindSession(c, sid);
  c.timeoutMs = timeout;
  c.connectPending = true;
  // The session exists once its txn commits (CommitEffects adds it and sends the response).
  writes_->submitCreateSession(c, sid, timeout, password);
}

// --- requests -----------------------------------------------------------------------------

bool RequestDispatcher::handleRequest(Connection& c, const std::string& frame) {
  int32_t xidv = 0, type = 0;
  JuteReader r(frame);
  try {
    xidv = r.readInt();
    type = r.readInt();
  } catch (const JuteError&) {
    GK_LOG_WARN("truncated request header from /{}:{}", c.ip, c.port);
    conns_.close(c, "malformed request");
    return true;
  }
  ctx_.sessions.touch(c.sessionId, monoMs());
  int64_t started = wallMs();

  if (isWriteOp(type)) {
    const auto* s = ctx_.sessions.find(c.sessionId);
    if (s == nullptr || s->closing) {
      conns_.pushReady(c, encodeReplyHeader(xidv, ctx_.appliedZxid, err::kSessionExpired), true);
      return true;
    }
    try {
      writes_->submitWrite(c, xidv, type, r, started);
    } catch (const JuteError& e) {
      GK_LOG_WARN("malformed {} request from /{}:{}: {}", opName(type), c.ip, c.port, e.what());
      conns_.close(c, "malformed request");
    }
    return true;
  }

  if (type == op::kCloseSession) {
    if (c.writesInFlight > 0) return false;
    writes_->submitCloseSession(c, xidv, started);
    return true;
  }

  // Everything else reads: it waits for this connection's writes.
  if (c.writesInFlight > 0) return false;
  std::string reply;
  bool closeAfter = false;
  try {
    reply = handleRead(c, xidv, type, r, closeAfter);
  } catch (const JuteError& e) {
    GK_LOG_WARN("malformed {} request from /{}:{}: {}", opName(type), c.ip, c.port, e.what());
    conns_.close(c, "malformed request");
    return true;
  }
  ctx_.noteLatency(c, started, xidv, type);
  conns_.pushReady(c, std::move(reply), closeAfter);
  return true;
}

// getData/getChildren: the checks (path, existence, READ), then the reply body with the
// watch set; shared by the single requests and multiRead.
int32_t RequestDispatcher::checkNodeRead(Connection& c, const PathWatch& q,
                                         graph::NodeView& node) {
  if (validatePath(q.path, false)) return err::kBadArguments;
  if (!ctx_.snap->node(q.path, node)) return err::kNoNode;
  if (!aclAllows(c.who, ctx_.aclOf(node.aclId), perm::kRead)) return err::kNoAuth;
  return err::kOk;
}

void RequestDispatcher::writeNodeRead(Connection& c, int32_t type, const PathWatch& q,
                                      const graph::NodeView& node, JuteWriter& w) {
  if (type == op::kGetData) {
    if (q.watch) ctx_.watches.addDataWatch(q.path, c.id);
    if (node.dataNull) {
      w.writeNullBuffer();
    } else {
      w.writeBuffer(node.data);
    }
    writeStat(w, node.stat);
    return;
  }
  if (q.watch) ctx_.watches.addChildWatch(q.path, c.id);
  w.writeStringVector(ctx_.snap->children(q.path));
  if (type == op::kGetChildren2) writeStat(w, node.stat);
}

std::string RequestDispatcher::handleRead(Connection& c, int32_t xidv, int32_t type,
                                          JuteReader& r, bool& closeAfter) {
  std::string b;
  JuteWriter w(b);
  size_t f = w.beginFrame();
  auto header = [&](int32_t xv, int32_t e) {
    w.writeInt(xv);
    w.writeLong(ctx_.appliedZxid);
    w.writeInt(e);
  };
  auto finish = [&]() {
    w.endFrame(f);
    return b;
  };
  auto error = [&](int32_t e) {
    header(xidv, e);
    return finish();
  };

  switch (type) {
    case op::kPing:
      header(xid::kPing, 0);
      return finish();
    case op::kExists: {
      PathWatch q = readPathWatch(r);
      if (validatePath(q.path, false)) return error(err::kBadArguments);
      auto st = ctx_.snap->stat(q.path);
      if (q.watch) {
        // exists on a missing node watches for its creation
        ctx_.watches.addDataWatch(q.path, c.id);
      }
      if (!st) return error(err::kNoNode);
      header(xidv, 0);
      writeStat(w, *st);
      return finish();
    }
    case op::kGetData:
    case op::kGetChildren:
    case op::kGetChildren2: {
      PathWatch q = readPathWatch(r);
      graph::NodeView node;
      if (int32_t e = checkNodeRead(c, q, node)) return error(e);
      header(xidv, 0);
      writeNodeRead(c, type, q, node, w);
      return finish();
    }
    case op::kMultiRead: {
      // ZooKeeper's multiRead: getData and getChildren ops, each answered on its own (not
      // atomic); a failed op is an error result, the others still run. As in 3.8 the ops'
      // watch flags are ignored, and any other op makes the whole request a
      // MARSHALLINGERROR (the connection stays).
      std::vector<std::pair<int32_t, PathWatch>> ops;
      for (;;) {
        int32_t t = r.readInt();
        bool done = r.readBool();
        r.readInt();  // err, unused in requests
        if (done) break;
        if (t != op::kGetData && t != op::kGetChildren) return error(err::kMarshallingError);
        PathWatch q = readPathWatch(r);
        q.watch = false;
        ops.emplace_back(t, std::move(q));
        if (ops.size() > 100000) throw JuteError("too many ops in multiRead");
      }
      header(xidv, 0);
      for (const auto& [t, q] : ops) {
        graph::NodeView node;
        if (int32_t e = checkNodeRead(c, q, node)) {
          w.writeInt(op::kError);
          w.writeBool(false);
          w.writeInt(e);
          w.writeInt(e);  // ErrorResponse
          continue;
        }
        w.writeInt(t);
        w.writeBool(false);
        w.writeInt(0);
        writeNodeRead(c, t, q, node, w);
      }
      w.writeInt(-1);
      w.writeBool(true);
      w.writeInt(-1);
      return finish();
    }
    case op::kGetAcl: {
      std::string path = r.readString();
      if (validatePath(path, false)) return error(err::kBadArguments);
      auto meta = ctx_.snap->meta(path);
      if (!meta) return error(err::kNoNode);
      if (!aclAllows(c.who, meta->acl, perm::kRead | perm::kAdmin)) return error(err::kNoAuth);
      header(xidv, 0);
      writeAclList(w, aclForReader(c.who, meta->acl));  // digest hashes need ADMIN
      writeStat(w, meta->stat);
      return finish();
    }
    case op::kSync: {
      std::string path = r.readString();
      if (validatePath(path, false)) return error(err::kBadArguments);
      header(xidv, 0);
      w.writeString(path);
      return finish();
    }
    case op::kGetAllChildrenNumber: {
      std::string path = r.readString();
      if (validatePath(path, false)) return error(err::kBadArguments);
      auto meta = ctx_.snap->meta(path);
      if (!meta) return error(err::kNoNode);
      if (!aclAllows(c.who, meta->acl, perm::kRead)) return error(err::kNoAuth);
      header(xidv, 0);
      w.writeInt(int32_t(ctx_.snap->descendantCount(path)));
      return finish();
    }
    case op::kGetEphemerals: {
      std::string prefix = r.readString();
      if (validatePath(prefix, false)) return error(err::kBadArguments);
      std::vector<std::string> eph = ctx_.snap->ephemerals(c.sessionId);
      if (prefix != "/") {
        std::erase_if(eph, [&](const std::string& p) { return !p.starts_with(prefix); });
      }
      header(xidv, 0);
      w.writeStringVector(eph);
      return finish();
    }
    case op::kWhoAmI: {
      header(xidv, 0);
      w.writeInt(int32_t(c.who.authIds.size()));
      for (const auto& id : c.who.authIds) {
        w.writeString(id.scheme);
        w.writeString(authUserName(id));  // AuthUtil.getClientInfos: digest shows the user
      }
      return finish();
    }
    case op::kSetWatches:
    case op::kSetWatches2: {
      SetWatchesRequest q = readSetWatches(r, type == op::kSetWatches2);
      restoreWatches(c, q);
      header(xid::kSetWatches, 0);
      return finish();
    }
    case op::kAddWatch: {
      // No ACL or existence check (3.8.0); the reply carries an ErrorResponse of 0.
      PathInt q = readPathInt(r);
      if (q.value == add_watch_mode::kPersistent) {
        ctx_.watches.addPersistentWatch(q.path, c.id);
      } else if (q.value == add_watch_mode::kPersistentRecursive) {
        ctx_.watches.addRecursiveWatch(q.path, c.id);
      } else {
        return error(err::kMarshallingError);  // WatcherMode.fromZooDef throws
      }
      header(xidv, 0);
      w.writeInt(0);
      return finish();
    }
    case op::kCheckWatches:
    case op::kRemoveWatches: {
      // NOWATCHER when there is no such watch; the connection stays. The server sends no
      // event: DataWatchRemoved/ChildWatchRemoved are the client library's own.
      PathInt q = readPathInt(r);
      if (q.value < watcher_type::kChildren || q.value > watcher_type::kPersistentRecursive) {
        return error(err::kMarshallingError);  // WatcherType.fromInt throws
      }
      bool found = type == op::kCheckWatches ? ctx_.watches.contains(q.path, c.id, q.value)
                                             : ctx_.watches.remove(q.path, c.id, q.value);
      return error(found ? err::kOk : err::kNoWatcher);
    }
    case op::kAuth: {
      // ZooKeeperServer.processPacket: the reply echoes the xid with zxid 0. digest takes
      // anything ("user" alone hashes as a password-less user) and ip adds the address;
      // other schemes have no provider: AUTHFAILED, then the connection is closed.
      AuthPacket a = readAuthPacket(r);
      if (a.scheme == "digest" || a.scheme == "ip") {
        if (a.scheme == "ip") {
          addAuthId(c.who, "ip", c.ip);
        } else {
          std::string id = digestId(a.auth);
          if (std::string sd = superDigest(ctx_.cfg.systemProperties); !sd.empty() && id == sd) {
            addAuthId(c.who, "super", "");
          }
          addAuthId(c.who, "digest", id);
        }
        w.writeInt(xidv);
        w.writeLong(0);
        w.writeInt(0);
        return finish();
      }
      GK_LOG_WARN("Authentication failed for scheme: {} from /{}:{}", a.scheme, c.ip, c.port);
      closeAfter = true;
      w.writeInt(xidv);
      w.writeLong(0);
      w.writeInt(err::kAuthFailed);
      return finish();
    }
    default:
      // ZooKeeper's UnimplementedRequestProcessor: answer, then close the connection.
      GK_LOG_WARN("Received packet at server of unknown type {} from /{}:{}", type, c.ip,
                  c.port);
      closeAfter = true;
      return error(err::kUnimplemented);
  }
}

// ZooKeeper's DataTree.setWatches: fire what changed since relativeZxid, keep the rest.
void RequestDispatcher::restoreWatches(Connection& c, const SetWatchesRequest& q) {
  for (const auto& p : q.dataWatches) {
    auto st = ctx_.snap->stat(p);
    if (!st) {
      conns_.sendEvent(c, event::kNodeDeleted, event::kStateSyncConnected, p);
    } else if (st->mzxid > q.relativeZxid) {
      conns_.sendEvent(c, event::kNodeDataChanged, event::kStateSyncConnected, p);
    } else {
      ctx_.watches.addDataWatch(p, c.id);
    }
  }
  for (const auto& p : q.existWatches) {
    if (ctx_.snap->stat(p)) {
      conns_.sendEvent(c, event::kNodeCreated, event::kStateSyncConnected, p);
    } else {
      ctx_.watches.addDataWatch(p, c.id);
    }
  }
  for (const auto& p : q.childWatches) {
    auto st = ctx_.snap->stat(p);
    if (!st) {
      conns_.sendEvent(c, event::kNodeDeleted, event::kStateSyncConnected, p);
    } else if (st->pzxid > q.relativeZxid) {
      conns_.sendEvent(c, event::kNodeChildrenChanged, event::kStateSyncConnected, p);
    } else {
      ctx_.watches.addChildWatch(p, c.id);
    }
  }
  // setWatches2: persistent watches come back as they were, with no catch-up events.
  for (const auto& p : q.persistentWatches) ctx_.watches.addPersistentWatch(p, c.id);
  for (const auto& p : q.persistentRecursiveWatches) ctx_.watches.addRecursiveWatch(p, c.id);
}

}  // namespace gk::engine

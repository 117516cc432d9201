// The standalone server: one KJ event loop thread owns the client sockets, decodes requests,
// serves reads from the published LMDB snapshot and prepares writes; the replication layer's
// thread applies prepared writes in batches (one LMDB commit, one fsync each). When a batch
// is applied the loop publishes the new snapshot, fires watches and answers the writers.
//
// Ordering rules (ZooKeeper's): replies to one connection leave in request order; a read
// never overtakes the same connection's earlier writes; a watch event reaches its client
// before any reply that could show the change; one batch is applied at a time, so the
// published snapshot never runs ahead of the watches fired for it.

#include "engine/server.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

#include <kj/async-io.h>
#include <kj/async-unix.h>
#include <kj/encoding.h>

#include <boost/uuid/detail/sha1.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <unordered_map>

#include <fmt/format.h>

#include "engine/acl.h"
#include "engine/admin_server.h"
#include "engine/four_letter.h"
#include "engine/jute.h"
#include "engine/log.h"
#include "engine/metrics.h"
#include "engine/path_utils.h"
#include "engine/prep.h"
#include "engine/proto.h"
#include "engine/session_tracker.h"
#include "engine/watch_manager.h"
#include "graph/znode_store.h"
#include "replication/local_quorum.h"
#include "replication/txn_log.h"

namespace gk::engine {

namespace {

constexpr const char* kVersion = "3.8.0-graphkeeper-0.1.0";
constexpr size_t kReadChunk = 64 * 1024;
constexpr size_t kMaxQueuedPerConnection = 4096;  // stop reading a client that runs ahead

int64_t wallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t monoMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string hex(int64_t v) { return fmt::format("0x{:x}", uint64_t(v)); }

bool isWrite(int32_t type) {
  switch (type) {
    case op::kCreate:
    case op::kCreate2:
    case op::kCreateContainer:
    case op::kCreateTtl:
    case op::kDelete:
    case op::kSetData:
    case op::kSetAcl:
    case op::kCheck:
    case op::kMulti:
      return true;
    default:
      return false;
  }
}

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

// Applies committed replication entries to the store: the entries are encoded graph::Txns.
class StoreMachine final : public replication::StateMachine {
 public:
  StoreMachine(graph::ZnodeStore& store, FsyncStats& fsync) : store_(store), fsync_(fsync) {}
  void apply(const std::vector<replication::Entry>& batch) override {
    std::vector<graph::Txn> txns;
    txns.reserve(batch.size());
    for (const auto& e : batch) {
      auto t = graph::decodeTxn(e.payload);
      if (!t) throw graph::StoreError("undecodable entry at zxid " + hex(e.index));
      txns.push_back(std::move(*t));
    }
    auto t0 = std::chrono::steady_clock::now();
    store_.apply(txns);  // one LMDB commit (its meta page unsynced: the txn log has the batch)
    fsync_.add(uint64_t(std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::steady_clock::now() - t0)
                            .count()));
  }
  int64_t lastApplied() override { return store_.snapshot().lastZxid(); }
  int64_t checkpoint() override { return store_.checkpoint(); }

 private:
  graph::ZnodeStore& store_;
  FsyncStats& fsync_;
};

}  // namespace

// ---------------------------------------------------------------------------------------

struct Connection {
  uint64_t id = 0;
  kj::Own<kj::AsyncIoStream> stream;
  std::string ip;
  int port = 0;
  int64_t established = 0;

  // Input: bytes received, not yet decoded.
  std::string in;
  kj::Array<kj::byte> readBuf = kj::heapArray<kj::byte>(kReadChunk);
  bool reading = false;
  kj::Promise<void> readTask = nullptr;

  // Output: replies in request order; a slot waits for its write to be applied.
  struct Slot {
    bool ready = false;
    std::string bytes;
    bool closeAfter = false;
  };
  std::deque<Slot> slots;
  std::string out;      // ready to write
  std::string writing;  // being written
  bool writeInFlight = false;
  kj::Promise<void> writeTask = nullptr;
  bool closeWhenFlushed = false;

  // Requests held back so that reads do not overtake this connection's writes.
  std::deque<std::string> held;
  uint32_t writesInFlight = 0;
  bool flushQueued = false;  // in Impl::flushDeferred (see Impl::deferFlush)

  // Session
  bool handshakeDone = false;
  bool connectPending = false;
  int64_t sessionId = 0;
  int32_t timeoutMs = 0;
  Requester who;
  bool closed = false;

  // Stats (cons/stat)
  uint64_t received = 0, sent = 0;
  int64_t lastCxid = -1, lastZxid = -1, lastOpMs = 0;
  std::string lastOp = "NA";
  int64_t lastLatency = 0, minLatency = 0, maxLatency = 0, totalLatency = 0, latencyCount = 0;
};

struct Server::Impl : public kj::TaskSet::ErrorHandler {
  explicit Impl(ServerConfig c) : cfg(std::move(c)) {}

  ServerConfig cfg;
  int stopFd = -1;
  std::atomic<bool> stopRequested{false};

  // State (loop thread only, except where noted)
  std::unique_ptr<graph::ZnodeStore> store;
  std::optional<graph::Snapshot> snap;  // the published view
  std::unordered_map<uint64_t, graph::AclList> aclCache;  // ACL ids are never reused
  ChangeOverlay overlay;
  std::unique_ptr<RequestPreparer> preparer;
  ContainerPolicy containerPolicy;
  WatchManager watches;
  SessionTracker sessions;
  int64_t nextZxid = 1;
  int64_t appliedZxid = 0;
  int64_t nextSessionId = 0;
  std::mt19937_64 rng{std::random_device{}()};

  std::map<uint64_t, std::unique_ptr<Connection>> conns;
  uint64_t nextConnId = 1;
  std::unordered_map<int64_t, Connection*> connBySession;
  std::unordered_map<std::string, int> connsPerIp;

  // The write pipeline: prepared writes wait in `pending` until the batch in flight is
  // applied, then all of them go as the next batch (group commit).
  enum class WriteKind { Client, CreateSession, CloseSession, Expire };
  struct Write {
    explicit Write(WriteKind k) : kind(k) {}
    WriteKind kind;
    uint64_t connId = 0;  // 0 if nobody waits for a reply
    int32_t xid = 0;
    int32_t opcode = 0;
    int64_t receivedMs = 0;
    Prepared prepared;
    // CreateSession: the connect response to send
    int32_t timeoutMs = 0;
    std::string password;
  };
  std::deque<Write> pending;  // prepared, not yet proposed
  std::deque<Write> inFlight;  // proposed as one batch
  bool batchInFlight = false;
  // While a batch's replies are filled in, flush() only queues the connection here and the
  // batch ends with one write(2) per connection. Otherwise the first reply of each connection
  // went out at once and the rest in a second write when that one completed: two syscalls,
  // and two client wake-ups, per connection per batch (the profile in docs/benchmarks.md).
  bool deferFlush = false;
  QueryService* queryService = nullptr;  // owned by run(); told about every applied batch
  std::vector<uint64_t> flushDeferred;  // connection ids
  std::unique_ptr<replication::TxnLog> txnLog;  // outlives quorum (declared before it)
  std::unique_ptr<StoreMachine> machine;
  std::unique_ptr<replication::LocalQuorum> quorum;

  // Completions from the replication thread
  std::mutex doneMu;
  std::vector<std::string> doneErrors;
  size_t doneCount = 0;
  int doneFd = -1;

  // KJ
  kj::AsyncIoContext* io = nullptr;
  kj::Own<kj::TaskSet> tasks;
  kj::Own<kj::ConnectionReceiver> listener;

  // Stats
  uint64_t packetsReceived = 0, packetsSent = 0;
  int64_t minLatency = 0, maxLatency = 0, totalLatency = 0, latencyCount = 0;
  int64_t startedMs = 0;
  Metrics metrics;  // per-op latencies, fsync time: the admin server's monitor and /metrics

  void taskFailed(kj::Exception&& e) override {
    GK_LOG_WARN("task failed: {}", e.getDescription().cStr());
  }

  // --- start-up -------------------------------------------------------------------------

  void openStore() {
    graph::StoreOptions o;
    o.dir = cfg.dataDir;
    o.sync = cfg.forceSync;
    o.walBacked = true;  // every batch is in txnLog before it is acknowledged
    store = graph::ZnodeStore::open(o);
    // The write-ahead log, where ZooKeeper keeps its transaction logs (dataLogDir if set).
    // Replaying what the store lacks (at most the commits an OS crash undid, or a checkpoint
    // interval) before anything is served.
    replication::TxnLogOptions lo;
    lo.dir = (cfg.dataLogDir.empty() ? cfg.dataDir : cfg.dataLogDir) + "/txnlog";
    lo.sync = cfg.forceSync;
    txnLog = replication::TxnLog::open(lo);
    machine = std::make_unique<StoreMachine>(*store, metrics.fsync);
    if (size_t replayed = replication::recover(*txnLog, *machine); replayed > 0) {
      GK_LOG_INFO("replayed {} txns from the transaction log in {}", replayed, lo.dir);
    }
    snap.emplace(store->snapshot());
    appliedZxid = snap->lastZxid();
    nextZxid = appliedZxid + 1;
    bool enforceQuota = false;  // Boolean.parseBoolean(zookeeper.enforceQuota)
    if (auto it = cfg.systemProperties.find("zookeeper.enforceQuota");
        it != cfg.systemProperties.end()) {
      const std::string& v = it->second;
      enforceQuota = v.size() == 4 && std::equal(v.begin(), v.end(), "true",
                                                 [](char a, char b) { return (a | 0x20) == b; });
    }
    if (enforceQuota) {
      GK_LOG_INFO("enforceQuota is on: writes over a hard quota limit get QUOTAEXCEEDED");
    }
    preparer = std::make_unique<RequestPreparer>(
        overlay, PrepareLimits{cfg.extendedTypesEnabled, enforceQuota});
    containerPolicy = engine::containerPolicy(cfg);
    // Sessions survive a restart with a fresh timeout, as ZooKeeper restores them.
    int64_t now = monoMs();
    for (const auto& s : snap->sessions()) sessions.add(s.id, s.timeoutMs, s.password, now);
    // ZooKeeper's session id layout: server id in the top byte, then time.
    nextSessionId = int64_t((uint64_t(wallMs()) << 24) >> 8) | (int64_t(cfg.myid) << 56);
    GK_LOG_INFO("opened {} at zxid {} with {} znodes and {} sessions", cfg.dataDir,
                hex(appliedZxid), snap->znodeCount(), sessions.size());
  }

  // --- connections ----------------------------------------------------------------------

  kj::Promise<void> acceptLoop() {
    return listener->accept().then([this](kj::Own<kj::AsyncIoStream>&& stream) {
      onAccept(kj::mv(stream));
      return acceptLoop();
    });
  }

  void onAccept(kj::Own<kj::AsyncIoStream> stream) {
    auto c = std::make_unique<Connection>();
    c->id = nextConnId++;
    c->stream = kj::mv(stream);
    c->established = wallMs();
    sockaddr_storage ss{};
    kj::uint len = sizeof ss;
    try {
      c->stream->getpeername(reinterpret_cast<sockaddr*>(&ss), &len);
      char buf[INET6_ADDRSTRLEN] = {};
      if (ss.ss_family == AF_INET) {
        auto* a = reinterpret_cast<sockaddr_in*>(&ss);
        inet_ntop(AF_INET, &a->sin_addr, buf, sizeof buf);
        c->port = ntohs(a->sin_port);
      } else if (ss.ss_family == AF_INET6) {
        auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
        inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof buf);
        c->port = ntohs(a->sin6_port);
      }
      c->ip = buf;
      int one = 1;
      c->stream->setsockopt(IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    } catch (const kj::Exception&) {
    }
    if (cfg.maxClientCnxns > 0 && connsPerIp[c->ip] >= cfg.maxClientCnxns) {
      GK_LOG_WARN("Too many connections from /{} - max is {}", c->ip, cfg.maxClientCnxns);
      return;  // dropping the stream closes it
    }
    connsPerIp[c->ip]++;
    c->who.authIds.push_back(graph::Acl{0, "ip", c->ip});
    c->who.skipAcl = skipAclEnabled(cfg.systemProperties);
    Connection& ref = *c;
    conns.emplace(c->id, std::move(c));
    startReading(ref);
  }

  void startReading(Connection& c) {
    if (c.reading || c.closed) return;
    c.reading = true;
    c.readTask = readLoop(c).eagerlyEvaluate([this, &c](kj::Exception&& e) {
      if (e.getType() != kj::Exception::Type::DISCONNECTED) {
        GK_LOG_DEBUG("read from /{}:{} failed: {}", c.ip, c.port, e.getDescription().cStr());
      }
      closeConnection(c, "read error");
    });
  }

  kj::Promise<void> readLoop(Connection& c) {
    return c.stream->tryRead(c.readBuf.begin(), 1, c.readBuf.size())
        .then([this, &c](size_t n) -> kj::Promise<void> {
          if (n == 0) {
            closeConnection(c, "client closed");
            return kj::READY_NOW;
          }
          c.in.append(reinterpret_cast<const char*>(c.readBuf.begin()), n);
          onInput(c);
          if (c.closed) return kj::READY_NOW;
          if (c.held.size() > kMaxQueuedPerConnection) {
            c.reading = false;  // resumed once held requests drain
            return kj::READY_NOW;
          }
          // Fairness: KJ polls epoll only when its event queue is empty, and a busy client's
          // next tryRead completes at once, so chaining reads directly lets one connection
          // starve the rest. A zero timer fires only after the next epoll round, which gives
          // every other ready socket its turn first.
          return io->provider->getTimer().afterDelay(0 * kj::NANOSECONDS).then([this, &c]() {
            return c.closed ? kj::Promise<void>(kj::READY_NOW) : readLoop(c);
          });
        });
  }

  // Decodes every complete frame in the input buffer.
  void onInput(Connection& c) {
    size_t pos = 0;
    while (!c.closed && !c.closeWhenFlushed) {
      size_t avail = c.in.size() - pos;
      if (avail < 4) break;
      const char* p = c.in.data() + pos;
      if (!c.handshakeDone && !c.connectPending && c.received == 0) {
        std::string word(p, 4);
        if (isFourLetterWord(word)) {
          answerFourLetterWord(c, word);
          return;
        }
      }
      int32_t len = int32_t((uint32_t(uint8_t(p[0])) << 24) | (uint32_t(uint8_t(p[1])) << 16) |
                            (uint32_t(uint8_t(p[2])) << 8) | uint32_t(uint8_t(p[3])));
      if (len < 0 || int64_t(len) > cfg.juteMaxBuffer) {
        // ZooKeeper's NIOServerCnxn: "Len error", the connection (not the session) ends.
        GK_LOG_WARN("Len error {} from /{}:{} (jute.maxbuffer is {}), closing the connection",
                    len, c.ip, c.port, cfg.juteMaxBuffer);
        closeConnection(c, "len error");
        return;
      }
      if (avail < 4 + size_t(len)) break;
      std::string frame(p + 4, size_t(len));
      pos += 4 + size_t(len);
      c.received++;
      packetsReceived++;
      onFrame(c, std::move(frame));
    }
    if (!c.closed) c.in.erase(0, pos);
  }

  void onFrame(Connection& c, std::string frame) {
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

  // Handles requests held back, in order, until one must wait again.
  void drainHeld(Connection& c) {
    while (!c.closed && !c.held.empty() && c.handshakeDone) {
      if (!handleRequest(c, c.held.front())) break;
      c.held.pop_front();
    }
    if (!c.closed && !c.reading && c.held.size() <= kMaxQueuedPerConnection / 2) {
      startReading(c);
      // Frames may already be buffered: decode them now that we may.
      onInput(c);
    }
  }

  void closeConnection(Connection& c, const char* why) {
    if (c.closed) return;
    c.closed = true;
    GK_LOG_DEBUG("closing connection /{}:{} session {}: {}", c.ip, c.port, hex(c.sessionId), why);
    watches.removeWatcher(c.id);
    if (auto it = connsPerIp.find(c.ip); it != connsPerIp.end() && --it->second <= 0) {
      connsPerIp.erase(it);
    }
    if (c.sessionId != 0) {
      auto it = connBySession.find(c.sessionId);
      if (it != connBySession.end() && it->second == &c) connBySession.erase(it);
    }
    uint64_t id = c.id;
    // Destroy later: we may be inside one of this connection's own continuations.
    tasks->add(kj::evalLater([this, id]() { conns.erase(id); }));
  }

  Connection* findConn(uint64_t id) {
    auto it = conns.find(id);
    return it == conns.end() || it->second->closed ? nullptr : it->second.get();
  }

  // --- output ---------------------------------------------------------------------------

  void pushReady(Connection& c, std::string bytes, bool closeAfter = false) {
    if (c.slots.empty()) {
      c.out += bytes;
      c.sent++;
      packetsSent++;
      if (closeAfter) c.closeWhenFlushed = true;
      flush(c);
    } else {
      c.slots.push_back(Connection::Slot{true, std::move(bytes), closeAfter});
    }
  }

  // Writes ready slots from the head; an unready slot holds back the ones behind it.
  void releaseSlots(Connection& c) {
    while (!c.slots.empty() && c.slots.front().ready) {
      auto& s = c.slots.front();
      c.out += s.bytes;
      c.sent++;
      packetsSent++;
      if (s.closeAfter) c.closeWhenFlushed = true;
      c.slots.pop_front();
    }
    flush(c);
  }

  void flush(Connection& c) {
    if (c.closed || c.writeInFlight) return;
    if (deferFlush) {
      if (!c.flushQueued) {
        c.flushQueued = true;
        flushDeferred.push_back(c.id);
      }
      return;
    }
    if (c.out.empty()) {
      if (c.closeWhenFlushed) closeConnection(c, "closed by server");
      return;
    }
    c.writeInFlight = true;
    c.writeTask = writeLoop(c).eagerlyEvaluate([this, &c](kj::Exception&&) {
      c.writeInFlight = false;
      closeConnection(c, "write error");
    });
  }

  // Writes everything queued, one write at a time; what queues up meanwhile goes out in the
  // next write. Continues as one promise chain: a promise must not be replaced from within
  // its own continuation.
  kj::Promise<void> writeLoop(Connection& c) {
    if (c.out.empty() || c.closed) {
      c.writeInFlight = false;
      if (c.closeWhenFlushed) closeConnection(c, "closed by server");
      return kj::READY_NOW;
    }
    c.writing.swap(c.out);
    c.out.clear();
    return c.stream->write(c.writing.data(), c.writing.size()).then([this, &c]() {
      c.writing.clear();
      return writeLoop(c);
    });
  }

  // Sends a watch event now: events do not wait behind replies.
  void sendEvent(Connection& c, int32_t type, int32_t state, const std::string& path) {
    std::string b;
    JuteWriter w(b);
    size_t f = w.beginFrame();
    w.writeInt(xid::kNotification);
    w.writeLong(-1);
    w.writeInt(0);
    w.writeInt(type);
    w.writeInt(state);
    w.writeString(path);
    w.endFrame(f);
    c.out += b;
    c.sent++;
    packetsSent++;
    flush(c);
  }

  static std::string replyHeaderOnly(int32_t xid, int64_t zxid, int32_t err) {
    std::string b;
    JuteWriter w(b);
    size_t f = w.beginFrame();
    w.writeInt(xid);
    w.writeLong(zxid);
    w.writeInt(err);
    w.endFrame(f);
    return b;
  }

  // By opcode: also counts the request in `metrics` (pings included, as ZooKeeper's
  // readlatency does; the four-letter-word latencies leave pings out).
  void noteLatency(Connection& c, int64_t startMs, int32_t cxid, int32_t opcode) {
    metrics.noteRequest(opcode, isWrite(opcode), std::max<int64_t>(0, wallMs() - startMs));
    if (opcode != op::kPing) noteLatency(c, startMs, cxid, abbrev(opcode));
  }

  void noteLatency(Connection& c, int64_t startMs, int32_t cxid, const char* opAbbrev) {
    int64_t now = wallMs();
    int64_t lat = std::max<int64_t>(0, now - startMs);
    c.lastLatency = lat;
    c.minLatency = c.latencyCount == 0 ? lat : std::min(c.minLatency, lat);
    c.maxLatency = std::max(c.maxLatency, lat);
    c.totalLatency += lat;
    c.latencyCount++;
    minLatency = latencyCount == 0 ? lat : std::min(minLatency, lat);
    maxLatency = std::max(maxLatency, lat);
    totalLatency += lat;
    latencyCount++;
    c.lastCxid = cxid;
    c.lastZxid = appliedZxid;
    c.lastOpMs = now;
    c.lastOp = opAbbrev;
  }

  // --- handshake ------------------------------------------------------------------------

  std::string connectResponse(int32_t timeoutMs, int64_t sessionId, const std::string& pw) {
    std::string b;
    JuteWriter w(b);
    size_t f = w.beginFrame();
    w.writeInt(0);
    w.writeInt(timeoutMs);
    w.writeLong(sessionId);
    w.writeBuffer(pw);
    w.writeBool(false);  // readOnly
    w.endFrame(f);
    return b;
  }

  void onConnect(Connection& c, const std::string& frame) {
    ConnectRequest req;
    try {
      JuteReader r(frame);
      req = readConnectRequest(r);
    } catch (const JuteError& e) {
      GK_LOG_WARN("malformed connect request from /{}:{}: {}", c.ip, c.port, e.what());
      closeConnection(c, "malformed connect");
      return;
    }
    if (req.lastZxidSeen > appliedZxid) {
      GK_LOG_INFO(
          "Refusing session request for client /{}:{} as it has seen zxid {} our last zxid is {} "
          "client must try another server",
          c.ip, c.port, hex(req.lastZxidSeen), hex(appliedZxid));
      closeConnection(c, "client ahead of server");
      return;
    }
    int32_t timeout = std::clamp(req.timeoutMs, cfg.minSessionTimeout, cfg.maxSessionTimeout);
    if (req.sessionId != 0) {
      const auto* s = sessions.find(req.sessionId);
      if (s == nullptr || s->closing || s->password != req.password) {
        GK_LOG_INFO("Invalid session {} for client /{}:{}, probably expired", hex(req.sessionId),
                    c.ip, c.port);
        pushReady(c, connectResponse(0, 0, std::string(16, '\0')), true);
        return;
      }
      // The session moves to this connection; an older connection of it is closed.
      if (auto it = connBySession.find(req.sessionId); it != connBySession.end()) {
        Connection* old = it->second;
        if (old != &c) closeConnection(*old, "session moved to a new connection");
      }
      sessions.touch(req.sessionId, monoMs());
      c.sessionId = req.sessionId;
      c.who.sessionId = req.sessionId;
      c.timeoutMs = s->timeoutMs;
      c.handshakeDone = true;
      connBySession[c.sessionId] = &c;
      GK_LOG_INFO("Established session {} with negotiated timeout {} for client /{}:{}",
                  hex(c.sessionId), c.timeoutMs, c.ip, c.port);
      pushReady(c, connectResponse(c.timeoutMs, c.sessionId, s->password));
      drainHeld(c);
      return;
    }
    int64_t sid = nextSessionId++;
    while (sessions.find(sid)) sid = nextSessionId++;
    std::string password(16, '\0');
    for (auto& ch : password) ch = char(rng() & 0xff);
    sessions.add(sid, timeout, password, monoMs());
    c.sessionId = sid;
    c.who.sessionId = sid;
    c.timeoutMs = timeout;
    c.connectPending = true;
    connBySession[sid] = &c;
    Write w(WriteKind::CreateSession);
    w.connId = c.id;
    w.receivedMs = wallMs();
    w.prepared = preparer->createSession(sid, timeout, password, nextZxid, wallMs());
    w.timeoutMs = timeout;
    w.password = password;
    c.slots.push_back(Connection::Slot{});
    enqueueWrite(std::move(w));
  }

  // --- requests -------------------------------------------------------------------------

  // Handles one request; false if it must wait for this connection's writes to apply.
  bool handleRequest(Connection& c, const std::string& frame) {
    int32_t xidv = 0, type = 0;
    JuteReader r(frame);
    try {
      xidv = r.readInt();
      type = r.readInt();
    } catch (const JuteError&) {
      GK_LOG_WARN("truncated request header from /{}:{}", c.ip, c.port);
      closeConnection(c, "malformed request");
      return true;
    }
    int64_t now = monoMs();
    sessions.touch(c.sessionId, now);
    int64_t started = wallMs();

    if (isWrite(type)) {
      const auto* s = sessions.find(c.sessionId);
      if (s == nullptr || s->closing) {
        pushReady(c, replyHeaderOnly(xidv, appliedZxid, err::kSessionExpired), true);
        return true;
      }
      Prepared p;
      try {
        p = preparer->prepare(*snap, c.who, xidv, type, r, nextZxid, wallMs());
      } catch (const JuteError& e) {
        GK_LOG_WARN("malformed {} request from /{}:{}: {}", opName(type), c.ip, c.port, e.what());
        closeConnection(c, "malformed request");
        return true;
      }
      if (!p.txn && pending.empty() && inFlight.empty()) {
        // Refused against committed state only: answer now, in order.
        pushReady(c, encodeWriteReply(xidv, type, p, appliedZxid));
        noteLatency(c, started, xidv, type);
        return true;
      }
      Write w(WriteKind::Client);
      w.connId = c.id;
      w.xid = xidv;
      w.opcode = type;
      w.receivedMs = started;
      w.prepared = std::move(p);
      c.slots.push_back(Connection::Slot{});
      c.writesInFlight++;
      if (!w.prepared.txn) {
        // Refused against a state that includes writes not yet applied (NODEEXISTS because
        // another client's create is pending, say). The client must not hear of it before
        // that state is visible to its next read, so the refusal rides with the newest write.
        (pending.empty() ? inFlight : pending).push_back(std::move(w));
        return true;
      }
      enqueueWrite(std::move(w));
      return true;
    }

    if (type == op::kCloseSession) {
      if (c.writesInFlight > 0) return false;
      Write w(WriteKind::CloseSession);
      w.connId = c.id;
      w.xid = xidv;
      w.opcode = type;
      w.receivedMs = started;
      sessions.markClosing(c.sessionId);
      w.prepared = preparer->closeSession(*snap, c.sessionId, nextZxid, wallMs());
      c.slots.push_back(Connection::Slot{});
      c.writesInFlight++;
      enqueueWrite(std::move(w));
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
      closeConnection(c, "malformed request");
      return true;
    }
    noteLatency(c, started, xidv, type);
    pushReady(c, std::move(reply), closeAfter);
    return true;
  }

  const graph::AclList& aclOf(uint64_t aclId) {
    auto it = aclCache.find(aclId);
    if (it != aclCache.end()) return it->second;
    if (aclCache.size() > 65536) aclCache.clear();  // bound it; entries are cheap to reload
    return aclCache.emplace(aclId, snap->acl(aclId)).first->second;
  }

  static const char* abbrev(int32_t type) {
    switch (type) {
      case op::kCreate: case op::kCreate2: return "CREA";
      case op::kDelete: return "DELE";
      case op::kExists: return "EXIS";
      case op::kGetData: return "GETD";
      case op::kSetData: return "SETD";
      case op::kGetAcl: return "GETA";
      case op::kSetAcl: return "SETA";
      case op::kGetChildren: return "GETC";
      case op::kGetChildren2: return "GETC";
      case op::kSync: return "SYNC";
      case op::kPing: return "PING";
      case op::kCheck: return "CHEC";
      case op::kMulti: return "MULT";
      case op::kMultiRead: return "MLTR";
      case op::kSetWatches: case op::kSetWatches2: return "SETW";
      case op::kAddWatch: return "ADDW";
      case op::kCheckWatches: return "CHKW";
      case op::kRemoveWatches: return "REMW";
      case op::kAuth: return "AUTH";
      case op::kCloseSession: return "CLOS";
      default: return "UNKN";
    }
  }

  // getData/getChildren: the checks (path, existence, READ), then the reply body with the
  // watch set; shared by the single requests and multiRead.
  int32_t checkNodeRead(Connection& c, const PathWatch& q, graph::NodeView& node) {
    if (validatePath(q.path, false)) return err::kBadArguments;
    if (!snap->node(q.path, node)) return err::kNoNode;
    if (!aclAllows(c.who, aclOf(node.aclId), perm::kRead)) return err::kNoAuth;
    return err::kOk;
  }

  void writeNodeRead(Connection& c, int32_t type, const PathWatch& q,
                     const graph::NodeView& node, JuteWriter& w) {
    if (type == op::kGetData) {
      if (q.watch) watches.addDataWatch(q.path, c.id);
      if (node.dataNull) {
        w.writeNullBuffer();
      } else {
        w.writeBuffer(node.data);
      }
      writeStat(w, node.stat);
      return;
    }
    if (q.watch) watches.addChildWatch(q.path, c.id);
    w.writeStringVector(snap->children(q.path));
    if (type == op::kGetChildren2) writeStat(w, node.stat);
  }

  std::string handleRead(Connection& c, int32_t xidv, int32_t type, JuteReader& r,
                         bool& closeAfter) {
    std::string b;
    JuteWriter w(b);
    size_t f = w.beginFrame();
    auto header = [&](int32_t xv, int32_t e) {
      w.writeInt(xv);
      w.writeLong(appliedZxid);
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
        auto st = snap->stat(q.path);
        if (q.watch) {
          // exists on a missing node watches for its creation
          watches.addDataWatch(q.path, c.id);
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
        auto meta = snap->meta(path);
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
        auto meta = snap->meta(path);
        if (!meta) return error(err::kNoNode);
        if (!aclAllows(c.who, meta->acl, perm::kRead)) return error(err::kNoAuth);
        header(xidv, 0);
        w.writeInt(int32_t(snap->descendantCount(path)));
        return finish();
      }
      case op::kGetEphemerals: {
        std::string prefix = r.readString();
        if (validatePath(prefix, false)) return error(err::kBadArguments);
        std::vector<std::string> eph = snap->ephemerals(c.sessionId);
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
          watches.addPersistentWatch(q.path, c.id);
        } else if (q.value == add_watch_mode::kPersistentRecursive) {
          watches.addRecursiveWatch(q.path, c.id);
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
        bool found = type == op::kCheckWatches ? watches.contains(q.path, c.id, q.value)
                                               : watches.remove(q.path, c.id, q.value);
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
            if (std::string sd = superDigest(cfg.systemProperties); !sd.empty() && id == sd) {
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
  void restoreWatches(Connection& c, const SetWatchesRequest& q) {
    for (const auto& p : q.dataWatches) {
      auto st = snap->stat(p);
      if (!st) {
        sendEvent(c, event::kNodeDeleted, event::kStateSyncConnected, p);
      } else if (st->mzxid > q.relativeZxid) {
        sendEvent(c, event::kNodeDataChanged, event::kStateSyncConnected, p);
      } else {
        watches.addDataWatch(p, c.id);
      }
    }
    for (const auto& p : q.existWatches) {
      if (snap->stat(p)) {
        sendEvent(c, event::kNodeCreated, event::kStateSyncConnected, p);
      } else {
        watches.addDataWatch(p, c.id);
      }
    }
    for (const auto& p : q.childWatches) {
      auto st = snap->stat(p);
      if (!st) {
        sendEvent(c, event::kNodeDeleted, event::kStateSyncConnected, p);
      } else if (st->pzxid > q.relativeZxid) {
        sendEvent(c, event::kNodeChildrenChanged, event::kStateSyncConnected, p);
      } else {
        watches.addChildWatch(p, c.id);
      }
    }
    // setWatches2: persistent watches come back as they were, with no catch-up events.
    for (const auto& p : q.persistentWatches) watches.addPersistentWatch(p, c.id);
    for (const auto& p : q.persistentRecursiveWatches) watches.addRecursiveWatch(p, c.id);
  }

  std::string encodeWriteReply(int32_t xidv, int32_t type, const Prepared& p, int64_t zxid) {
    std::string b;
    JuteWriter w(b);
    size_t f = w.beginFrame();
    w.writeInt(xidv);
    w.writeLong(zxid);
    if (type == op::kMulti) {
      w.writeInt(0);
      for (const auto& res : p.results) {
        w.writeInt(res.type);
        w.writeBool(false);
        w.writeInt(res.err);
        switch (res.type) {
          case op::kCreate:
            w.writeString(res.path);
            break;
          case op::kCreate2:
          case op::kCreateContainer:
          case op::kCreateTtl:
            w.writeString(res.path);
            writeStat(w, res.stat);
            break;
          case op::kSetData:
            writeStat(w, res.stat);
            break;
          case op::kError:
            w.writeInt(res.err);
            break;
          default:
            break;  // delete, check: no body
        }
      }
      w.writeInt(-1);
      w.writeBool(true);
      w.writeInt(-1);
    } else {
      w.writeInt(p.err);
      if (p.err == err::kOk && !p.results.empty()) {
        const auto& res = p.results[0];
        switch (type) {
          case op::kCreate:
            w.writeString(res.path);
            break;
          case op::kCreate2:
          case op::kCreateContainer:
          case op::kCreateTtl:
            w.writeString(res.path);
            writeStat(w, res.stat);
            break;
          case op::kSetData:
          case op::kSetAcl:
            writeStat(w, res.stat);
            break;
          default:
            break;
        }
      }
    }
    w.endFrame(f);
    return b;
  }

  // --- the write pipeline ---------------------------------------------------------------

  void enqueueWrite(Write w) {
    pending.push_back(std::move(w));
    proposeIfIdle();
  }

  void proposeIfIdle() {
    if (batchInFlight || pending.empty()) return;
    std::vector<replication::Entry> entries;
    entries.reserve(pending.size());
    for (auto& w : pending) {
      if (!w.prepared.txn) continue;  // a refusal riding with the writes before it
      entries.push_back(replication::Entry{w.prepared.txn->zxid, graph::encodeTxn(*w.prepared.txn)});
    }
    inFlight.swap(pending);
    pending.clear();
    batchInFlight = true;
    quorum->propose(std::move(entries));
  }

  // Replication thread: the batch is applied (or failed). Wakes the loop.
  void onCommitted(std::vector<replication::Entry> /*applied*/, std::string error) {
    {
      std::lock_guard lock(doneMu);
      doneCount++;
      if (!error.empty()) doneErrors.push_back(std::move(error));
    }
    uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(doneFd, &one, sizeof one);
  }

  kj::Promise<void> completionLoop(kj::UnixEventPort::FdObserver& observer) {
    return observer.whenBecomesReadable().then([this, &observer]() {
      uint64_t v;
      while (::read(doneFd, &v, sizeof v) > 0) {
      }
      size_t count;
      std::vector<std::string> errors;
      {
        std::lock_guard lock(doneMu);
        count = doneCount;
        doneCount = 0;
        errors.swap(doneErrors);
      }
      if (!errors.empty()) {
        // The store refused a batch (disk full, I/O error). Nothing of it was applied and
        // nobody was told it was; stop rather than answer from a state we cannot keep.
        GK_LOG_ERROR("Severe unrecoverable error, exiting: could not apply a batch: {}",
                     errors.front());
        std::exit(1);
      }
      if (count > 0) onBatchApplied();
      return completionLoop(observer);
    });
  }

  void onBatchApplied() {
    std::deque<Write> batch;
    batch.swap(inFlight);
    batchInFlight = false;
    deferFlush = true;
    KJ_DEFER(flushDeferredConnections());
    // Publish: the snapshot now shows exactly this batch (one batch is applied at a time).
    snap->refresh();
    appliedZxid = snap->lastZxid();
    if (queryService) queryService->noteWritesApplied();
    overlay.releaseUpTo(appliedZxid);

    std::vector<Connection*> touched;
    for (auto& w : batch) {
      Connection* c = w.connId ? findConn(w.connId) : nullptr;
      if (!w.prepared.txn) {
        if (c) {
          fillSlot(*c, encodeWriteReply(w.xid, w.opcode, w.prepared, appliedZxid));
          noteLatency(*c, w.receivedMs, w.xid, w.opcode);
          c->writesInFlight--;
          touched.push_back(c);
        }
        continue;
      }
      const graph::Txn& txn = *w.prepared.txn;
      fireWatches(txn, w.prepared.eventAcls);
      switch (w.kind) {
        case WriteKind::Client:
          if (c) {
            fillSlot(*c, encodeWriteReply(w.xid, w.opcode, w.prepared, txn.zxid));
            noteLatency(*c, w.receivedMs, w.xid, w.opcode);
            c->writesInFlight--;
            touched.push_back(c);
          }
          break;
        case WriteKind::CreateSession:
          if (c) {
            fillSlot(*c, connectResponse(w.timeoutMs, txn.sessionId, w.password));
            metrics.noteRequest(op::kCreateSession, true,
                                std::max<int64_t>(0, wallMs() - w.receivedMs));
            c->connectPending = false;
            c->handshakeDone = true;
            GK_LOG_INFO("Established session {} with negotiated timeout {} for client /{}:{}",
                        hex(c->sessionId), c->timeoutMs, c->ip, c->port);
            touched.push_back(c);
          }
          break;
        case WriteKind::CloseSession:
          sessions.remove(txn.sessionId);
          if (c) {
            metrics.noteRequest(op::kCloseSession, true,
                                std::max<int64_t>(0, wallMs() - w.receivedMs));
            c->writesInFlight--;
            auto& slot = c->slots[firstUnready(*c)];
            slot = Connection::Slot{true, replyHeaderOnly(w.xid, txn.zxid, 0), true};
            releaseSlots(*c);
            GK_LOG_INFO("Closed session {} for client /{}:{}", hex(txn.sessionId), c->ip, c->port);
          }
          break;
        case WriteKind::Expire: {
          sessions.remove(txn.sessionId);
          GK_LOG_INFO("Expired session {}", hex(txn.sessionId));
          auto it = connBySession.find(txn.sessionId);
          if (it != connBySession.end()) closeConnection(*it->second, "session expired");
          break;
        }
      }
    }
    for (Connection* c : touched) {
      if (!c->closed && c->writesInFlight == 0) drainHeld(*c);
    }
    proposeIfIdle();
  }

  void flushDeferredConnections() {
    deferFlush = false;
    for (uint64_t id : flushDeferred) {
      auto it = conns.find(id);  // closed ones stay in conns until a later turn
      if (it == conns.end()) continue;
      it->second->flushQueued = false;
      flush(*it->second);
    }
    flushDeferred.clear();
  }

  static size_t firstUnready(const Connection& c) {
    for (size_t i = 0; i < c.slots.size(); ++i) {
      if (!c.slots[i].ready) return i;
    }
    return 0;  // unreachable while writes are in flight
  }

  void fillSlot(Connection& c, std::string bytes) {
    auto& slot = c.slots[firstUnready(c)];
    slot.ready = true;
    slot.bytes = std::move(bytes);
    releaseSlots(c);
  }

  void fire(const std::string& path, int32_t type) {
    // As ServerCnxn.process(event, znodeAcl): a watcher that may not READ the node gets no
    // event (its one-shot watch is used up all the same).
    const graph::AclList* acl = nullptr;
    if (eventAcls) {
      if (auto it = eventAcls->find(path); it != eventAcls->end()) acl = &it->second;
    }
    for (WatcherId wid : watches.trigger(path, type)) {
      Connection* c = findConn(wid);
      if (!c || (acl && !aclAllows(c->who, *acl, perm::kRead))) continue;
      sendEvent(*c, type, event::kStateSyncConnected, path);
    }
  }

  const std::map<std::string, graph::AclList>* eventAcls = nullptr;  // during fireWatches

  void fireWatches(const graph::Txn& txn, const std::map<std::string, graph::AclList>& acls) {
    eventAcls = &acls;
    KJ_DEFER(eventAcls = nullptr);
    auto parentOf = [](const std::string& p) {
      size_t s = p.rfind('/');
      return s == 0 ? std::string("/") : p.substr(0, s);
    };
    for (const auto& o : txn.ops) {
      if (auto* cr = std::get_if<graph::CreateOp>(&o)) {
        fire(cr->path, event::kNodeCreated);
        fire(parentOf(cr->path), event::kNodeChildrenChanged);
      } else if (auto* d = std::get_if<graph::DeleteOp>(&o)) {
        fire(d->path, event::kNodeDeleted);
        fire(parentOf(d->path), event::kNodeChildrenChanged);
      } else if (auto* s = std::get_if<graph::SetDataOp>(&o)) {
        fire(s->path, event::kNodeDataChanged);
      } else if (auto* cs = std::get_if<graph::CloseSessionOp>(&o)) {
        for (const auto& p : cs->ephemerals) {
          fire(p, event::kNodeDeleted);
          fire(parentOf(p), event::kNodeChildrenChanged);
        }
      }
    }
  }

  // --- session expiry -------------------------------------------------------------------

  kj::Promise<void> expiryLoop() {
    int interval = std::clamp(cfg.tickTime / 2, 50, 1000);
    return io->provider->getTimer().afterDelay(interval * kj::MILLISECONDS).then([this]() {
      for (int64_t sid : sessions.takeExpired(monoMs())) {
        GK_LOG_INFO("Expiring session {}, timeout of {}ms exceeded", hex(sid),
                    sessions.find(sid) ? sessions.find(sid)->timeoutMs : 0);
        Write w(WriteKind::Expire);
        w.prepared = preparer->closeSession(*snap, sid, nextZxid, wallMs());
        enqueueWrite(std::move(w));
      }
      return expiryLoop();
    });
  }

  // --- the container manager (ContainerManager) -----------------------------------------

  // Every checkIntervalMs: containers that had children and are empty again, and TTL nodes
  // idle past their TTL, are deleted as server-originated writes (no client waits on them).
  kj::Promise<void> containerLoop() {
    return io->provider->getTimer()
        .afterDelay(containerPolicy.checkIntervalMs * kj::MILLISECONDS)
        .then([this]() {
          int64_t now = wallMs();
          int64_t budget = containerPolicy.deletesPerCheck();
          for (const std::string& path : containerCandidates(*snap, now, containerPolicy)) {
            if (budget-- <= 0) break;  // the rest wait for the next check
            Write w(WriteKind::Client);  // connId 0: nobody to answer
            w.opcode = op::kDeleteContainer;
            w.receivedMs = now;
            w.prepared = preparer->deleteContainer(*snap, path, nextZxid, now, containerPolicy);
            if (!w.prepared.txn) continue;  // a pending change saved it
            GK_LOG_INFO("Attempting to delete candidate container: {}", path);
            enqueueWrite(std::move(w));
          }
          return containerLoop();
        });
  }

  // --- four-letter words ----------------------------------------------------------------

  void answerFourLetterWord(Connection& c, const std::string& word) {
    c.received = 1;  // ZooKeeper counts the word itself as a packet received
    if (word == "crst") resetConnectionStats();
    if (word == "srst" && cfg.fourLetterWordAllowed(word)) resetServerStats();
    auto reply = fourLetterReply(word, gatherStats(&c), cfg);
    if (!reply) {
      closeConnection(c, "unknown four-letter word");
      return;
    }
    c.out += *reply;
    c.closeWhenFlushed = true;
    flush(c);
  }

  void resetConnectionStats() {  // crst
    for (auto& [id, cc] : conns) {
      cc->received = cc->sent = 0;
      cc->minLatency = cc->maxLatency = cc->totalLatency = cc->latencyCount = 0;
    }
  }

  void resetServerStats() {  // srst
    packetsReceived = packetsSent = 0;
    minLatency = maxLatency = totalLatency = latencyCount = 0;
  }

  static uint64_t dirBytes(const std::string& dir) {
    uint64_t total = 0;
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file(ec)) total += it->file_size(ec);
    }
    return total;
  }

  ServerStats gatherStats(const Connection* asking) {
    ServerStats s;
    s.version = kVersion;
    s.mode = "standalone";
    s.zxid = appliedZxid;
    s.znodeCount = snap->znodeCount();
    s.ephemeralCount = snap->ephemeralCount();
    s.watchCount = watches.dataWatchCount() + watches.childWatchCount();
    s.dataWatchCount = watches.dataWatchCount();
    s.watchedPathCount = watches.dataPathCount();
    s.watcherConnections = watches.dataWatcherCount();
    std::unordered_map<uint64_t, int64_t> sessionOf;
    for (auto& [id, c] : conns) sessionOf[id] = c->sessionId;
    for (auto& [path, ws] : watches.dataWatchesByPath()) {
      std::vector<int64_t> sids;
      for (auto w : ws) sids.push_back(sessionOf[w]);
      s.watchesByPath.emplace_back(path, std::move(sids));
    }
    for (auto& [w, paths] : watches.dataWatchesByWatcher()) {
      s.watchesBySession.emplace_back(sessionOf[w], std::move(paths));
    }
    int64_t wallNow = wallMs(), monoNow = monoMs();
    for (const auto& [id, sess] : sessions.all()) {
      s.sessions.emplace_back(id, sess.timeoutMs);
      s.sessionExpiry.emplace_back(id, wallNow + (sess.deadlineMs - monoNow));
      auto eph = snap->ephemerals(id);
      if (!eph.empty()) s.ephemeralsBySession.emplace_back(id, std::move(eph));
    }
    std::sort(s.sessions.begin(), s.sessions.end());
    std::sort(s.ephemeralsBySession.begin(), s.ephemeralsBySession.end());
    s.packetsReceived = packetsReceived;
    s.packetsSent = packetsSent;
    s.outstandingRequests = pending.size() + inFlight.size();
    s.minLatencyMs = minLatency;
    s.maxLatencyMs = maxLatency;
    s.avgLatencyMs = latencyCount ? totalLatency / latencyCount : 0;
    s.latencyCount = uint64_t(latencyCount);
    s.totalLatencyMs = totalLatency;
    for (auto& [id, c] : conns) {
      if (c->closed) continue;
      s.aliveConnections++;
      ConnectionStats cs;
      cs.ip = c->ip;
      cs.port = c->port;
      cs.queued = c->held.size();
      cs.received = c->received;
      cs.sent = c->sent;
      cs.sessionId = c->sessionId;
      cs.lastOpMs = c->lastOpMs;
      cs.lastOp = c->lastOp;
      cs.lastCxid = c->lastCxid;
      cs.lastZxid = c->lastZxid;
      cs.timeoutMs = c->timeoutMs;
      cs.lastLatencyMs = c->lastLatency;
      cs.minLatencyMs = c->minLatency;
      cs.maxLatencyMs = c->maxLatency;
      cs.avgLatencyMs = c->latencyCount ? c->totalLatency / c->latencyCount : 0;
      cs.establishedMs = c->established;
      cs.interestOps = c.get() == asking ? 0 : 1;
      s.connections.push_back(std::move(cs));
    }
    s.dataDirBytes = dirBytes(cfg.dataDir);
    s.logDirBytes = cfg.dataLogDir.empty() ? s.dataDirBytes : dirBytes(cfg.dataLogDir);
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
      s.openFds++;
    }
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) s.maxFds = rl.rlim_cur;
    s.uptimeMs = wallMs() - startedMs;
    s.environment = {
        {"zookeeper.version", kVersion},
        {"host.name", "localhost"},
        {"os.name", "Linux"},
        {"user.dir", std::filesystem::current_path(ec).string()},
        {"data.dir", cfg.dataDir},
    };
    return s;
  }

  // --- run ------------------------------------------------------------------------------

  void run() {
    startedMs = wallMs();
    openStore();
    // ZooKeeper's DatadirCleanupManager lines, so operators see their settings acknowledged.
    // There is nothing for them to purge here: the state is one LMDB file whose freed pages
    // are reused, and the transaction log recycles its own segments (docs/operations.md).
    GK_LOG_INFO("autopurge.snapRetainCount set to {}", cfg.autopurgeSnapRetainCount);
    GK_LOG_INFO("autopurge.purgeInterval set to {}", cfg.autopurgePurgeInterval);
    GK_LOG_INFO("Purge task is not scheduled: GraphKeeper keeps no snapshots and recycles its transaction log");
    doneFd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (doneFd < 0) throw std::runtime_error("eventfd failed");
    quorum = std::make_unique<replication::LocalQuorum>(
        *machine, txnLog.get(), [this](std::vector<replication::Entry> applied, std::string error) {
          onCommitted(std::move(applied), std::move(error));
        });

    auto ioContext = kj::setupAsyncIo();
    io = &ioContext;

    std::string host = cfg.clientPortAddress.empty() ? "*" : cfg.clientPortAddress;
    try {
      auto addr = ioContext.provider->getNetwork()
                      .parseAddress(host, cfg.clientPort)
                      .wait(ioContext.waitScope);
      listener = addr->listen();
    } catch (const kj::Exception& e) {
      throw std::runtime_error(fmt::format("cannot listen for clients on {}:{}: {}", host,
                                           cfg.clientPort, e.getDescription().cStr()));
    }
    GK_LOG_INFO("binding to port {}:{}", host == "*" ? "0.0.0.0" : host, cfg.clientPort);
    // Same loop, no threads; a port it cannot bind stops start-up (std::runtime_error).
    std::unique_ptr<QueryService> queries;  // POST /query's workers; outlive the admin server
    std::unique_ptr<AdminServer> admin;
    if (cfg.adminEnableServer || prometheusProviderConfigured(cfg)) {
      AdminHooks hooks;
      hooks.stats = [this]() { return gatherStats(nullptr); };
      hooks.resetConnectionStats = [this]() { resetConnectionStats(); };
      hooks.resetServerStats = [this]() { resetServerStats(); };
      hooks.metrics = &metrics;
      if (cfg.adminEnableServer) {
        // Queries read their own snapshot of the store on worker threads; the loop only hands
        // over the ensemble as it is now (sessions connected here, the applied zxid).
        queries = std::make_unique<QueryService>(*store, cfg, [this]() {
          std::vector<int64_t> sessionIds;
          for (const auto& entry : connBySession) sessionIds.push_back(entry.first);
          return standaloneEnsemble(cfg, appliedZxid, std::move(sessionIds));
        });
        queryService = queries.get();
        hooks.query = [q = queries.get()](const std::string& body) { return q->handle(body); };
      }
      try {
        admin = std::make_unique<AdminServer>(*ioContext.provider,
                                              *ioContext.lowLevelProvider, cfg, std::move(hooks));
      } catch (...) {
        listener = nullptr;  // it must go while the event loop it is registered with is alive
        throw;
      }
    }
    tasks = kj::heap<kj::TaskSet>(*this);

    {
      // The observers must go before the fds they watch are closed.
      kj::UnixEventPort::FdObserver doneObserver(ioContext.unixEventPort, doneFd,
                                                 kj::UnixEventPort::FdObserver::OBSERVE_READ);
      kj::UnixEventPort::FdObserver stopObserver(ioContext.unixEventPort, stopFd,
                                                 kj::UnixEventPort::FdObserver::OBSERVE_READ);
      tasks->add(acceptLoop());
      tasks->add(completionLoop(doneObserver));
      tasks->add(expiryLoop());
      tasks->add(containerLoop());
      GK_LOG_INFO("GraphKeeper {} serving, mode standalone, zxid {}", kVersion, hex(appliedZxid));

      stopObserver.whenBecomesReadable().wait(ioContext.waitScope);
      GK_LOG_INFO("shutting down");

      // Let the batch being applied finish so its txns are durable, then drop everything.
      quorum.reset();
      admin.reset();
      queryService = nullptr;
      queries.reset();  // before the store: a running query finishes on its snapshot
      listener = nullptr;
      conns.clear();
      tasks = nullptr;
    }
    io = nullptr;
    ::close(doneFd);
    doneFd = -1;
    snap.reset();
    store.reset();
  }
};

Server::Server(ServerConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {
  impl_->stopFd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (impl_->stopFd < 0) throw std::runtime_error("eventfd failed");
}

Server::~Server() {
  if (impl_->stopFd >= 0) ::close(impl_->stopFd);
}

void Server::run() { impl_->run(); }

void Server::requestStop() {
  uint64_t one = 1;
  // write() on an eventfd is async-signal-safe.
  [[maybe_unused]] auto n = ::write(impl_->stopFd, &one, sizeof one);
}

}  // namespace gk::engine

#include "engine/net/connection_manager.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <chrono>

#include "engine/four_letter.h"
#include "engine/jute.h"
#include "engine/log.h"
#include "engine/proto.h"

namespace gk::engine {

namespace {

int64_t wallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string hex(int64_t v) { return fmt::format("0x{:x}", uint64_t(v)); }

}  // namespace

kj::Promise<void> ConnectionManager::acceptLoop(kj::ConnectionReceiver& listener) {
  return listener.accept().then([this, &listener](kj::Own<kj::AsyncIoStream>&& stream) {
    onAccept(kj::mv(stream));
    return acceptLoop(listener);
  });
}

void ConnectionManager::onAccept(kj::Own<kj::AsyncIoStream> stream) {
  auto c = std::make_unique<Connection>();
  c->id = nextConnId_++;
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
  if (cfg_.maxClientCnxns > 0 && perIp_[c->ip] >= cfg_.maxClientCnxns) {
    GK_LOG_WARN("Too many connections from /{} - max is {}", c->ip, cfg_.maxClientCnxns);
    return;  // dropping the stream closes it
  }
  perIp_[c->ip]++;
  c->who.authIds.push_back(graph::Acl{0, "ip", c->ip});
  c->who.skipAcl = skipAclEnabled(cfg_.systemProperties);
  Connection& ref = *c;
  conns_.emplace(c->id, std::move(c));
  startReading(ref);
}

void ConnectionManager::startReading(Connection& c) {
  if (c.reading || c.closed) return;
  c.reading = true;
  c.readTask = readLoop(c).eagerlyEvaluate([this, &c](kj::Exception&& e) {
    if (e.getType() != kj::Exception::Type::DISCONNECTED) {
      GK_LOG_DEBUG("read from /{}:{} failed: {}", c.ip, c.port, e.getDescription().cStr());
    }
    close(c, "read error");
  });
}

kj::Promise<void> ConnectionManager::readLoop(Connection& c) {
  return c.stream->tryRead(c.readBuf.begin(), 1, c.readBuf.size())
      .then([this, &c](size_t n) -> kj::Promise<void> {
        if (n == 0) {
          close(c, "client closed");
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
        return timer_.afterDelay(0 * kj::NANOSECONDS).then([this, &c]() {
          return c.closed ? kj::Promise<void>(kj::READY_NOW) : readLoop(c);
        });
      });
}

void ConnectionManager::resume(Connection& c) {
  if (c.closed || c.reading || c.held.size() > kMaxQueuedPerConnection / 2) return;
  startReading(c);
  onInput(c);  // frames may already be buffered
}

// Decodes every complete frame in the input buffer.
void ConnectionManager::onInput(Connection& c) {
  size_t pos = 0;
  while (!c.closed && !c.closeWhenFlushed) {
    size_t avail = c.in.size() - pos;
    if (avail < 4) break;
    const char* p = c.in.data() + pos;
    if (!c.handshakeDone && !c.connectPending && c.received == 0) {
      std::string word(p, 4);
      if (isFourLetterWord(word)) {
        c.received = 1;  // ZooKeeper counts the word itself as a packet received
        handler_->onFourLetterWord(c, word);
        return;
      }
    }
    int32_t len = int32_t((uint32_t(uint8_t(p[0])) << 24) | (uint32_t(uint8_t(p[1])) << 16) |
                          (uint32_t(uint8_t(p[2])) << 8) | uint32_t(uint8_t(p[3])));
    if (len < 0 || int64_t(len) > cfg_.juteMaxBuffer) {
      // ZooKeeper's NIOServerCnxn: "Len error", the connection (not the session) ends.
      GK_LOG_WARN("Len error {} from /{}:{} (jute.maxbuffer is {}), closing the connection", len,
                  c.ip, c.port, cfg_.juteMaxBuffer);
      close(c, "len error");
      return;
    }
    if (avail < 4 + size_t(len)) break;
    std::string frame(p + 4, size_t(len));
    pos += 4 + size_t(len);
    c.received++;
    packetsReceived++;
    handler_->onFrame(c, std::move(frame));
  }
  if (!c.closed) c.in.erase(0, pos);
}

void ConnectionManager::close(Connection& c, const char* why) {
  if (c.closed) return;
  c.closed = true;
  GK_LOG_DEBUG("closing connection /{}:{} session {}: {}", c.ip, c.port, hex(c.sessionId), why);
  handler_->onClosed(c);
  if (auto it = perIp_.find(c.ip); it != perIp_.end() && --it->second <= 0) perIp_.erase(it);
  if (c.sessionId != 0) {
    auto it = bySession_.find(c.sessionId);
    if (it != bySession_.end() && it->second == &c) bySession_.erase(it);
  }
  uint64_t id = c.id;
  // Destroy later: we may be inside one of this connection's own continuations.
  tasks_.add(kj::evalLater([this, id]() { conns_.erase(id); }));
}

Connection* ConnectionManager::find(uint64_t id) {
  auto it = conns_.find(id);
  return it == conns_.end() || it->second->closed ? nullptr : it->second.get();
}

Connection* ConnectionManager::bySession(int64_t sessionId) {
  auto it = bySession_.find(sessionId);
  return it == bySession_.end() || it->second->closed ? nullptr : it->second;
}

void ConnectionManager::bindSession(Connection& c, int64_t sessionId) {
  if (auto it = bySession_.find(sessionId); it != bySession_.end() && it->second != &c) {
    close(*it->second, "session moved to a new connection");
  }
  c.sessionId = sessionId;
  c.who.sessionId = sessionId;
  bySession_[sessionId] = &c;
}

std::vector<int64_t> ConnectionManager::sessionIds() const {
  std::vector<int64_t> ids;
  ids.reserve(bySession_.size());
  for (const auto& entry : bySession_) ids.push_back(entry.first);
  return ids;
}

void ConnectionManager::closeAll() {
  bySession_.clear();
  conns_.clear();
}

// --- output -------------------------------------------------------------------------------

void ConnectionManager::pushReady(Connection& c, std::string bytes, bool closeAfter) {
  if (c.slots.empty()) {
    c.out += bytes;
    c.sent++;
    packetsSent++;
    if (closeAfter) c.closeWhenFlushed = true;
    flush(c);
  } else {
    Connection::Slot s;
    s.ready = true;
    s.bytes = std::move(bytes);
    s.closeAfter = closeAfter;
    c.slots.push_back(std::move(s));
  }
}

void ConnectionManager::addSlot(Connection& c, int32_t xid, int32_t opcode, int64_t receivedMs) {
  Connection::Slot s;
  s.xid = xid;
  s.opcode = opcode;
  s.receivedMs = receivedMs;
  c.slots.push_back(std::move(s));
}

const Connection::Slot* ConnectionManager::firstUnready(const Connection& c) const {
  for (const auto& s : c.slots) {
    if (!s.ready) return &s;
  }
  return nullptr;
}

const Connection::Slot* ConnectionManager::unreadySlot(const Connection& c, int32_t xid) const {
  for (const auto& s : c.slots) {
    if (!s.ready && s.xid == xid) return &s;
  }
  return nullptr;
}

bool ConnectionManager::fillSlot(Connection& c, int32_t xid, std::string bytes, bool closeAfter) {
  for (auto& s : c.slots) {
    if (s.ready || s.xid != xid) continue;
    s.ready = true;
    s.bytes = std::move(bytes);
    s.closeAfter = closeAfter;
    releaseSlots(c);
    return true;
  }
  return false;
}

// Writes ready slots from the head; an unready slot holds back the ones behind it.
void ConnectionManager::releaseSlots(Connection& c) {
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

void ConnectionManager::sendEvent(Connection& c, int32_t type, int32_t state,
                                  const std::string& path) {
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

void ConnectionManager::sendAndClose(Connection& c, std::string bytes) {
  c.out += bytes;
  c.closeWhenFlushed = true;
  flush(c);
}

void ConnectionManager::flush(Connection& c) {
  if (c.closed || c.writeInFlight) return;
  if (deferFlush_) {
    if (!c.flushQueued) {
      c.flushQueued = true;
      deferred_.push_back(c.id);
    }
    return;
  }
  if (c.out.empty()) {
    if (c.closeWhenFlushed) close(c, "closed by server");
    return;
  }
  c.writeInFlight = true;
  c.writeTask = writeLoop(c).eagerlyEvaluate([this, &c](kj::Exception&&) {
    c.writeInFlight = false;
    close(c, "write error");
  });
}

void ConnectionManager::endBatch() {
  deferFlush_ = false;
  for (uint64_t id : deferred_) {
    auto it = conns_.find(id);  // closed ones stay in conns_ until a later turn
    if (it == conns_.end()) continue;
    it->second->flushQueued = false;
    flush(*it->second);
  }
  deferred_.clear();
}

// Writes everything queued, one write at a time; what queues up meanwhile goes out in the
// next write. Continues as one promise chain: a promise must not be replaced from within its
// own continuation.
kj::Promise<void> ConnectionManager::writeLoop(Connection& c) {
  if (c.out.empty() || c.closed) {
    c.writeInFlight = false;
    if (c.closeWhenFlushed) close(c, "closed by server");
    return kj::READY_NOW;
  }
  c.writing.swap(c.out);
  c.out.clear();
  return c.stream->write(c.writing.data(), c.writing.size()).then([this, &c]() {
    c.writing.clear();
    return writeLoop(c);
  });
}

}  // namespace gk::engine

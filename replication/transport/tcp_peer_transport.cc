#include "replication/transport/tcp_peer_transport.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

namespace gk::replication {

namespace {

int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string endpoint(const PeerAddress& a) { return a.host + ":" + std::to_string(a.port); }

struct AddrInfo {
  addrinfo* list = nullptr;
  ~AddrInfo() {
    if (list) freeaddrinfo(list);
  }
};

// Connects within timeoutMs; returns the socket or -1 with `reason` set.
int connectTo(const PeerAddress& a, int timeoutMs, std::string& reason) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  AddrInfo ai;
  int rc = getaddrinfo(a.host.c_str(), std::to_string(a.port).c_str(), &hints, &ai.list);
  if (rc != 0) {
    reason = gai_strerror(rc);
    return -1;
  }
  reason = "no address";
  for (addrinfo* p = ai.list; p; p = p->ai_next) {
    int fd = ::socket(p->ai_family, p->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, p->ai_protocol);
    if (fd < 0) {
      reason = std::strerror(errno);
      continue;
    }
    if (::connect(fd, p->ai_addr, p->ai_addrlen) != 0 && errno != EINPROGRESS) {
      reason = std::strerror(errno);
      ::close(fd);
      continue;
    }
    pollfd pfd{fd, POLLOUT, 0};
    int err = 0;
    socklen_t len = sizeof err;
    if (::poll(&pfd, 1, timeoutMs) != 1 || ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 ||
        err != 0) {
      reason = err ? std::strerror(err) : "connection timed out";
      ::close(fd);
      continue;
    }
    int flags = ::fcntl(fd, F_GETFL);
    ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
  }
  return -1;
}

}  // namespace

TcpPeerTransport::TcpPeerTransport(TcpPeerTransportOptions options) : options_(std::move(options)) {
  if (options_.self <= 0) throw std::invalid_argument("peer transport: the server id must be positive");
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  AddrInfo ai;
  const PeerAddress& l = options_.listen;
  int rc = getaddrinfo(l.host.empty() ? nullptr : l.host.c_str(), std::to_string(l.port).c_str(),
                       &hints, &ai.list);
  if (rc != 0)
    throw std::runtime_error("cannot listen for peers on " + endpoint(l) + ": " + gai_strerror(rc));
  std::string reason = "no address";
  for (addrinfo* p = ai.list; p && listenFd_ < 0; p = p->ai_next) {
    int fd = ::socket(p->ai_family, p->ai_socktype | SOCK_CLOEXEC, p->ai_protocol);
    if (fd < 0) {
      reason = std::strerror(errno);
      continue;
    }
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, p->ai_addr, p->ai_addrlen) != 0 || ::listen(fd, 16) != 0) {
      reason = std::strerror(errno);
      ::close(fd);
      continue;
    }
    listenFd_ = fd;
  }
  if (listenFd_ < 0) throw std::runtime_error("cannot listen for peers on " + endpoint(l) + ": " + reason);
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  ::getsockname(listenFd_, reinterpret_cast<sockaddr*>(&ss), &len);
  listenPort_ = ss.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port)
                                         : ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  for (auto& [id, addr] : options_.peers) {
    if (id == options_.self) continue;
    auto p = std::make_unique<Peer>();
    p->id = id;
    p->address = addr;
    peers_[id] = std::move(p);
  }
}

TcpPeerTransport::~TcpPeerTransport() {
  stopping_ = true;
  if (listenFd_ >= 0) ::shutdown(listenFd_, SHUT_RDWR);
  for (auto& [id, p] : peers_) {
    std::lock_guard lock(p->mu);
    if (p->fd >= 0) ::shutdown(p->fd, SHUT_RDWR);
    p->cv.notify_all();
  }
  if (acceptor_.joinable()) acceptor_.join();
  for (auto& [id, p] : peers_)
    if (p->sender.joinable()) p->sender.join();
  {
    std::lock_guard lock(readersMu_);
    for (int fd : readerFds_)
      if (fd >= 0) ::shutdown(fd, SHUT_RDWR);
  }
  for (auto& t : readers_)
    if (t.joinable()) t.join();
  for (auto& [id, p] : peers_)
    if (p->fd >= 0) ::close(p->fd);
  if (listenFd_ >= 0) ::close(listenFd_);
}

void TcpPeerTransport::setReceiver(Receiver receiver) { receiver_ = std::move(receiver); }

void TcpPeerTransport::setPeerAddress(raft::NodeId id, const PeerAddress& address) {
  if (acceptor_.joinable()) throw std::logic_error("peer transport: setPeerAddress after start");
  if (id == options_.self || id <= 0) throw std::invalid_argument("peer transport: bad peer id");
  auto& p = peers_[id];
  if (!p) {
    p = std::make_unique<Peer>();
    p->id = id;
  }
  p->address = address;
}

void TcpPeerTransport::start() {
  if (!receiver_) throw std::logic_error("peer transport: setReceiver before start");
  acceptor_ = std::thread([this] { acceptLoop(); });
  for (auto& [id, p] : peers_) {
    Peer* peer = p.get();
    peer->sender = std::thread([this, peer] { sendLoop(*peer); });
  }
}

void TcpPeerTransport::send(const raft::Message& m) {
  auto it = peers_.find(m.to);
  if (it == peers_.end()) {
    ++dropped_;
    return;
  }
  Peer& p = *it->second;
  std::string frame = wire::encodeFrame(m);
  std::lock_guard lock(p.mu);
  p.queuedBytes += frame.size();
  p.queue.push_back(std::move(frame));
  while (p.queuedBytes > options_.maxQueuedBytes && p.queue.size() > 1) {
    p.queuedBytes -= p.queue.front().size();
    p.queue.pop_front();
    ++dropped_;
  }
  p.cv.notify_one();
}

void TcpPeerTransport::warnOnce(Peer* peer, const std::string& text) {
  if (!options_.warn) return;
  if (peer) {
    int64_t now = nowMs();
    if (now - peer->lastWarnMs < 10000) return;
    peer->lastWarnMs = now;
  }
  options_.warn(text);
}

void TcpPeerTransport::acceptLoop() {
  while (!stopping_) {
    pollfd pfd{listenFd_, POLLIN, 0};
    if (::poll(&pfd, 1, 200) <= 0) continue;
    int fd = ::accept4(listenFd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::lock_guard lock(readersMu_);
    if (stopping_) {
      ::close(fd);
      return;
    }
    size_t slot = readerFds_.size();
    readerFds_.push_back(fd);
    readers_.emplace_back([this, fd, slot] {
      readLoop(fd);
      std::lock_guard l(readersMu_);
      ::close(fd);
      readerFds_[slot] = -1;
    });
  }
}

void TcpPeerTransport::readLoop(int fd) {
  wire::FrameReader frames(options_.limits.maxMessageBytes);
  std::string buf(64 * 1024, '\0');
  while (!stopping_) {
    pollfd pfd{fd, POLLIN, 0};
    int pr = ::poll(&pfd, 1, 200);
    if (pr == 0) continue;
    if (pr < 0 && errno == EINTR) continue;
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n <= 0) return;
    frames.feed(std::string_view(buf.data(), size_t(n)));
    try {
      while (auto f = frames.next()) {
        auto r = wire::decodeMessage(*f, options_.limits);
        if (auto* err = std::get_if<std::string>(&r)) {
          ++refused_;
          warnOnce(nullptr, "closing a peer connection: " + *err);
          return;
        }
        raft::Message& m = std::get<raft::Message>(r);
        if (m.to != options_.self) {
          ++refused_;
          warnOnce(nullptr, "closing a peer connection: a message for server " +
                                std::to_string(m.to) + " arrived at server " +
                                std::to_string(options_.self));
          return;
        }
        if (!stopping_) receiver_(std::move(m));
      }
    } catch (const std::runtime_error& e) {
      ++refused_;
      warnOnce(nullptr, std::string("closing a peer connection: ") + e.what());
      return;
    }
  }
}

void TcpPeerTransport::sendLoop(Peer& p) {
  int backoffMs = 50;
  std::unique_lock lock(p.mu);
  while (!stopping_) {
    p.cv.wait(lock, [&] { return stopping_ || !p.queue.empty(); });
    if (stopping_) return;
    if (p.fd < 0) {
      lock.unlock();
      std::string reason;
      int fd = connectTo(p.address, 1000, reason);
      lock.lock();
      if (fd < 0) {
        // What was queued for an unreachable peer is stale by the time it is back.
        dropped_ += p.queue.size();
        p.queue.clear();
        p.queuedBytes = 0;
        warnOnce(&p, "Cannot open channel to " + std::to_string(p.id) + " at election address /" +
                         endpoint(p.address) + ": " + reason);
        p.cv.wait_for(lock, std::chrono::milliseconds(backoffMs), [&] { return stopping_.load(); });
        backoffMs = std::min(backoffMs * 2, 2000);
        continue;
      }
      if (stopping_) {
        ::close(fd);
        return;
      }
      p.fd = fd;
      backoffMs = 50;
    }
    std::string out;
    for (auto& f : p.queue) out += f;
    p.queue.clear();
    p.queuedBytes = 0;
    int fd = p.fd;
    lock.unlock();
    size_t off = 0;
    bool ok = true;
    while (off < out.size()) {
      ssize_t n = ::send(fd, out.data() + off, out.size() - off, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        ok = false;
        break;
      }
      off += size_t(n);
    }
    lock.lock();
    if (!ok) {
      ++dropped_;
      ::close(p.fd);
      p.fd = -1;
    }
  }
}

}  // namespace gk::replication

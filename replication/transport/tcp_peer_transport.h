// TcpPeerTransport: PeerTransport over TCP. Each server listens on one address; to send, it
// keeps one outgoing connection per peer (connected on demand, re-connected with backoff from
// 50 ms to 2 s), and frames each message as peer_codec.h does. Incoming connections are only
// read from: a message is delivered if it decodes and names this server; a connection that
// sends anything else is closed (and logged through the warn callback, at most once per peer
// and 10 s).
//
// Per peer, messages wait in a queue bounded by maxQueuedBytes; past it the oldest are
// dropped — Raft resends what matters.
//
// Threads: one acceptor, one reader per incoming connection, one sender per peer. The
// destructor closes every socket and joins them; the receiver is not called after it returns.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "replication/transport/peer_codec.h"
#include "replication/transport/peer_transport.h"

namespace gk::replication {

struct PeerAddress {
  std::string host;  // numeric IPv4/IPv6 or a name
  int port = 0;
};

struct TcpPeerTransportOptions {
  raft::NodeId self = 0;
  PeerAddress listen;                        // port 0: any free port (see listenPort())
  std::map<raft::NodeId, PeerAddress> peers;  // everyone else
  uint64_t maxQueuedBytes = uint64_t(64) << 20;
  wire::CodecLimits limits;
  // Operator-facing warnings (a peer down, a bad frame), already rate-limited.
  std::function<void(const std::string&)> warn;
};

class TcpPeerTransport final : public PeerTransport {
 public:
  // Binds and listens at once (throws std::runtime_error naming the address and the reason);
  // start() begins accepting and sending.
  explicit TcpPeerTransport(TcpPeerTransportOptions options);
  ~TcpPeerTransport() override;
  void setReceiver(Receiver receiver) override;
  // Adds or changes a peer's address; before start() only (tests that listen on port 0
  // learn each other's ports this way).
  void setPeerAddress(raft::NodeId id, const PeerAddress& address);
  void start();
  void send(const raft::Message& m) override;
  int listenPort() const { return listenPort_; }
  uint64_t droppedMessages() const { return dropped_.load(); }
  uint64_t refusedFrames() const { return refused_.load(); }

 private:
  struct Peer {
    raft::NodeId id;
    PeerAddress address;
    std::mutex mu;
    std::condition_variable cv;
    std::deque<std::string> queue;  // encoded frames
    uint64_t queuedBytes = 0;
    int fd = -1;
    std::thread sender;
    int64_t lastWarnMs = -1000000;
  };
  void acceptLoop();
  void readLoop(int fd);
  void sendLoop(Peer& peer);
  void warnOnce(Peer* peer, const std::string& text);

  TcpPeerTransportOptions options_;
  int listenFd_ = -1;
  int listenPort_ = 0;
  std::atomic<bool> stopping_{false};
  Receiver receiver_;
  std::map<raft::NodeId, std::unique_ptr<Peer>> peers_;
  std::thread acceptor_;
  std::mutex readersMu_;
  std::vector<std::thread> readers_;
  std::vector<int> readerFds_;
  std::atomic<uint64_t> dropped_{0}, refused_{0};
};

}  // namespace gk::replication

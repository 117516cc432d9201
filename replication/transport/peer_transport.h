// PeerTransport: how Raft messages travel between servers. The core never sees it; the
// driver (replication/raft_node.h) sends what a Ready holds and steps what arrives.
//
// Delivery is best effort, as Raft assumes: a message to an unreachable peer is dropped (the
// core resends), messages between two servers arrive in order or not at all.
//
// Thread-safety: send() may be called from any thread; the receiver is called on the
// transport's own threads, one message at a time per connection, and must only queue.
#pragma once

#include <functional>

#include "replication/raft/message.h"

namespace gk::replication {

class PeerTransport {
 public:
  using Receiver = std::function<void(raft::Message)>;
  virtual ~PeerTransport() = default;
  // Must be set before the first message can arrive (before start, for a real transport).
  virtual void setReceiver(Receiver receiver) = 0;
  virtual void send(const raft::Message& m) = 0;
};

}  // namespace gk::replication

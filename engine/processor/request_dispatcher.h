// RequestDispatcher: what a client's frames mean (ZooKeeper's ZooKeeperServer.processPacket
// and the read half of FinalRequestProcessor). The connect handshake; reads served here on
// the loop from the published snapshot (getData, exists, getChildren, getACL, multiRead,
// sync, getAllChildrenNumber, getEphemerals, whoAmI, watches, auth, ping); every write handed
// to the role's WriteProcessor. A connection's requests behind one of its own writes wait
// (FIFO per session, as ZooKeeper's CommitProcessor) until CommitEffects answered the write.
//
// Threads: the event loop's only.
#pragma once

#include <cstdint>
#include <functional>
#include <random>
#include <string>

#include "engine/net/connection_manager.h"
#include "engine/proto.h"
#include "engine/server_context.h"
#include "engine/processor/write_processor.h"

namespace gk::engine {

class RequestDispatcher final : public ConnectionHandler {
 public:
  using FourLetterWordFn = std::function<void(Connection&, const std::string& word)>;
  RequestDispatcher(ServerContext& ctx, ConnectionManager& conns, FourLetterWordFn fourLetter);
  void setWriteProcessor(WriteProcessor* writes) { writes_ = writes; }

  void onFrame(Connection& c, std::string frame) override;
  void onFourLetterWord(Connection& c, const std::string& word) override;
  void onClosed(Connection& c) override;

  // Handles requests held back, in order, until one must wait again.
  void drainHeld(Connection& c);

 private:
  void onConnect(Connection& c, const std::string& frame);
  // Handles one request; false if it must wait for this connection's writes to apply.
  bool handleRequest(Connection& c, const std::string& frame);
  std::string handleRead(Connection& c, int32_t xid, int32_t type, JuteReader& r,
                         bool& closeAfter);
  int32_t checkNodeRead(Connection& c, const PathWatch& q, graph::NodeView& node);
  void writeNodeRead(Connection& c, int32_t type, const PathWatch& q,
                     const graph::NodeView& node, JuteWriter& w);
  void restoreWatches(Connection& c, const SetWatchesRequest& q);

  ServerContext& ctx_;
  ConnectionManager& conns_;
  FourLetterWordFn fourLetter_;
  WriteProcessor* writes_ = nullptr;
  int64_t nextSessionId_ = 0;
  std::mt19937_64 rng_{std::random_device{}()};
};

}  // namespace gk::engine

// RaftNode over TcpPeerTransport and real TxnLogs: three servers in this process, talking TCP
// on 127.0.0.1, each with its own log directory — elect, replicate, lose the leader, restart
// it, and check every server applied the same entries in the same order. Bounded waits only.
#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "replication/raft_node.h"
#include "replication/transport/tcp_peer_transport.h"
#include "replication/txn_log.h"
#include "temp_dir.h"

using namespace gk::replication;
using namespace gk::replication::raft;
using gk::testing::TempDir;

namespace {

struct Applied {
  std::mutex mu;
  std::vector<std::string> payloads;
  size_t size() {
    std::lock_guard l(mu);
    return payloads.size();
  }
  std::vector<std::string> copy() {
    std::lock_guard l(mu);
    return payloads;
  }
};

struct Server {
  NodeId id;
  std::string dir;
  std::unique_ptr<TxnLog> log;
  std::unique_ptr<TcpPeerTransport> transport;
  std::unique_ptr<RaftNode> node;
  Applied applied;
  int port = 0;
};

bool waitFor(const std::function<bool()>& pred, int ms) {
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return pred();
}

class Ensemble {
 public:
  explicit Ensemble(const TempDir& root) {
    for (NodeId id : {1, 2, 3}) {
      auto s = std::make_unique<Server>();
      s->id = id;
      s->dir = root.path() + "/s" + std::to_string(id);
      servers_[id] = std::move(s);
    }
    for (auto& [id, s] : servers_) {
      (void)s;
      open(id, true);
    }
    for (auto& [id, s] : servers_) connectAndStart(id);
  }
  Server& operator[](NodeId id) { return *servers_.at(id); }
  // Stops a server as a crash would (what it had not persisted is lost).
  void stop(NodeId id) {
    Server& s = *servers_.at(id);
    s.node.reset();
    s.transport.reset();
    s.log.reset();
  }
  void restart(NodeId id) {
    open(id, false);
    connectAndStart(id);
  }
  NodeId leader() {
    for (auto& [id, s] : servers_)
      if (s->node && s->node->softState().role == Role::Leader) return id;
    return 0;
  }

 private:
  void open(NodeId id, bool fresh) {
    Server& s = *servers_.at(id);
    TxnLogOptions lo;
    lo.dir = s.dir;
    lo.sync = false;  // the device is not what this test checks
    s.log = TxnLog::open(lo);
    TcpPeerTransportOptions to;
    to.self = id;
    to.listen = {"127.0.0.1", fresh ? 0 : s.port};
    s.transport = std::make_unique<TcpPeerTransport>(to);
    s.port = s.transport->listenPort();
    if (!fresh) s.applied.payloads.clear();  // the state machine is rebuilt from the log
  }
  void connectAndStart(NodeId id) {
    Server& s = *servers_.at(id);
    for (auto& [other, o] : servers_)
      if (other != id) s.transport->setPeerAddress(other, {"127.0.0.1", o->port});
    RaftNodeOptions no;
    no.raft.id = id;
    no.raft.voters = {1, 2, 3};
    no.raft.electionTicks = 10;
    no.raft.seed = uint64_t(id);
    no.tickMs = 10;
    Server* sp = &s;
    s.node = std::make_unique<RaftNode>(no, *s.log, 0, *s.transport, [sp](const std::vector<Entry>& es) {
      std::lock_guard l(sp->applied.mu);
      for (const auto& e : es) sp->applied.payloads.push_back(e.payload);
    });
    RaftNode* node = s.node.get();
    s.transport->setReceiver([node](Message m) { node->step(std::move(m)); });
    s.transport->start();
    s.node->start();
  }
  std::map<NodeId, std::unique_ptr<Server>> servers_;
};

}  // namespace

TEST_CASE("raft node: three servers over TCP elect, replicate, survive losing the leader, and catch it up") {
  TempDir root;
  Ensemble e(root);
  REQUIRE(waitFor([&] { return e.leader() != 0; }, 5000));
  NodeId l = e.leader();
  NodeId f = 1 + l % 3;
  REQUIRE(waitFor([&] { return e[f].node->softState().leader == l; }, 5000));
  CHECK(e[f].node->propose({"x"}).accepted == false);  // a follower says who leads
  CHECK(e[f].node->propose({"x"}).leaderHint == l);
  for (int i = 0; i < 100; ++i) REQUIRE(e[l].node->propose({"op" + std::to_string(i)}).accepted);
  REQUIRE(waitFor([&] { return e[1].applied.size() == 100 && e[2].applied.size() == 100 &&
                               e[3].applied.size() == 100; }, 10000));
  CHECK(e[1].applied.copy() == e[2].applied.copy());
  CHECK(e[2].applied.copy() == e[3].applied.copy());

  e.stop(l);
  REQUIRE(waitFor([&] { return e.leader() != 0; }, 5000));
  NodeId l2 = e.leader();
  CHECK(l2 != l);
  for (int i = 100; i < 110; ++i) REQUIRE(e[l2].node->propose({"op" + std::to_string(i)}).accepted);
  NodeId other = 6 - l - l2;
  REQUIRE(waitFor([&] { return e[l2].applied.size() == 110 && e[other].applied.size() == 110; }, 10000));

  e.restart(l);
  REQUIRE(waitFor([&] { return e[l].applied.size() == 110; }, 10000));
  CHECK(e[l].applied.copy() == e[l2].applied.copy());
  for (NodeId id : {1, 2, 3}) CHECK(e[id].node->error().empty());
}

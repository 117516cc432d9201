# Peer messages between GraphKeeper servers: one raft::Message per Cap'n Proto message, framed
# on the wire as [u32 little-endian length][the message in Cap'n Proto's standard
# serialization]. Field meanings are those of replication/raft/message.h.
@0xeb91dd3e49cea063;

$import "/capnp/c++.capnp".namespace("gk::replication::wire");

enum PeerMessageType {
  append @0;
  appendResponse @1;
  heartbeat @2;
  heartbeatResponse @3;
  preVote @4;
  preVoteResponse @5;
  vote @6;
  voteResponse @7;
  snapshot @8;
  timeoutNow @9;
  readIndex @10;
  readIndexResponse @11;
}

struct PeerEntry {
  index @0 :Int64;
  term @1 :Int64;
  payload @2 :Data;
}

struct PeerMessage {
  type @0 :PeerMessageType;
  from @1 :Int32;
  to @2 :Int32;
  term @3 :Int64;
  logTerm @4 :Int64;
  index @5 :Int64;
  entries @6 :List(PeerEntry);
  commit @7 :Int64;
  reject @8 :Bool;
  rejectHint @9 :Int64;
  context @10 :UInt64;
  transfer @11 :Bool;
  snapshotIndex @12 :Int64;
  snapshotTerm @13 :Int64;
}

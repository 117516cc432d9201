// The Raft core's vocabulary: peer messages, the snapshot marker, and what one Ready hands the
// driver. Plain values; the transport (replication issue, part 3) encodes Message with Cap'n
// Proto and the core never sees bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "replication/entry.h"
#include "replication/hard_state.h"

namespace gk::replication::raft {

using NodeId = int32_t;  // the server's myid; 0 means "none"

enum class MessageType : uint8_t {
  Append,             // leader → peer: entries after (index, logTerm), and the commit index
  AppendResponse,     // peer → leader: index = last entry now matching, or the one refused
  Heartbeat,          // leader → peer: commit (bounded by the peer's match), context
  HeartbeatResponse,  // peer → leader: context echoed (ReadIndex confirmation)
  PreVote,            // would you vote for me at `term` (not yet mine)? index/logTerm: my log
  PreVoteResponse,
  Vote,               // vote for me at `term`; index/logTerm: my last entry
  VoteResponse,
  Snapshot,           // leader → peer: install the state at snapshot (the data travels beside)
  TimeoutNow,         // leader → transferee: campaign now, skipping pre-vote and leases
  ReadIndex,          // follower → leader: confirm leadership, tell me the commit index
  ReadIndexResponse,  // leader → follower: index to wait for, context echoed
};

const char* name(MessageType type);

// A state the application can ship to a peer whose log the leader no longer holds: the
// state machine as of `index` (whose entry had `term`).
struct SnapshotMeta {
  int64_t index = 0;
  int64_t term = 0;
  bool operator==(const SnapshotMeta&) const = default;
};

struct Message {
  MessageType type = MessageType::Append;
  NodeId from = 0;
  NodeId to = 0;
  int64_t term = 0;     // the sender's term (PreVote: the term it would campaign at)
  int64_t logTerm = 0;  // Append: term of entry `index`; votes: term of the last entry
  int64_t index = 0;    // Append: the entry before `entries`; votes: the last index;
                        // AppendResponse: matched index, or the refused one when reject
  std::vector<Entry> entries;
  int64_t commit = 0;
  bool reject = false;
  int64_t rejectHint = 0;  // AppendResponse reject: the follower's last index
  uint64_t context = 0;    // Heartbeat(+Response): the leader's read round; ReadIndex(+Resp):
                           // the requester's id for the read
  bool transfer = false;   // Vote sent because of TimeoutNow: voters skip their lease check
  SnapshotMeta snapshot;   // Snapshot
};

// Which role, and who leads as far as this server knows.
enum class Role : uint8_t { Follower, PreCandidate, Candidate, Leader, Learner };
const char* name(Role role);

struct SoftState {
  Role role = Role::Follower;
  NodeId leader = 0;
  int64_t term = 0;
  bool operator==(const SoftState&) const = default;
};

// A linearizable read may be served once the state machine has applied `index`.
struct ReadState {
  uint64_t context = 0;  // what the caller passed to readIndex()
  int64_t index = 0;
};

// Everything the driver must do, in order: persist (snapshot, then entries — truncating the
// stable log after entries.front().index - 1 first — then hardState), send messages, apply
// committedEntries, then call Raft::advance(ready).
struct Ready {
  std::optional<SoftState> softState;      // changed since the last Ready
  std::optional<HardState> hardState;      // changed since the last Ready: persist
  std::optional<SnapshotMeta> snapshot;    // install the state the leader sent
  std::vector<Entry> entries;              // append to the stable log
  std::vector<Message> messages;           // send after the above are durable
  std::vector<Entry> committedEntries;     // apply, in order
  std::vector<ReadState> readStates;       // reads that may go ahead once applied
  bool empty() const {
    return !softState && !hardState && !snapshot && entries.empty() && messages.empty() &&
           committedEntries.empty() && readStates.empty();
  }
};

}  // namespace gk::replication::raft

// WriteProcessor: the head of a server role's write chain — where the RequestDispatcher hands
// every request that changes state (ZooKeeper's firstProcessor in setupRequestProcessors).
//
//   standalone: PreparePipeline (prepare → propose to LocalQuorum) ─┐
//   leader:     PreparePipeline (prepare → propose to the quorum)   ├→ StoreMachine applies the
//   follower:   forwards to the leader (replication issue, part 4)  │  COMMITTED entries →
//   observer:   forwards to the leader                              ┘  CommitEffects
//
// Whatever the role, the effects of a write — the store change, watch events, session table
// changes and the reply to the client that sent it — come only from the committed entry
// (engine/processor/commit_effects.h), so a server that did not prepare an entry produces the same ones.
//
// Threads: the event loop's only.
#pragma once

#include <cstdint>
#include <string>

#include "engine/net/client_connection.h"
#include "engine/jute.h"

namespace gk::engine {

class WriteProcessor {
 public:
  virtual ~WriteProcessor() = default;
  // A client's write (create, create2, createContainer, createTTL, delete, setData, setACL,
  // check, multi) with its record in `body`. The connection gets a reply slot for `xid`,
  // filled when the write commits or is refused. Throws JuteError on a malformed record
  // (then nothing was queued).
  virtual void submitWrite(Connection& c, int32_t xid, int32_t opcode, JuteReader& body,
                           int64_t receivedMs) = 0;
  // A new session for connection `c`; the connect response is its reply.
  virtual void submitCreateSession(Connection& c, int64_t sessionId, int32_t timeoutMs,
                                   const std::string& password) = 0;
  virtual void submitCloseSession(Connection& c, int32_t xid, int64_t receivedMs) = 0;
  // Requests prepared or forwarded and not yet answered (`stat`'s Outstanding).
  virtual size_t outstanding() const = 0;
};

}  // namespace gk::engine

// Connection: one client connection on the event loop — its socket, the bytes received and
// not yet framed, the replies in request order (slots), the requests held back so that reads
// do not overtake its own writes, its session, and the numbers `cons`/`stat` print.
//
// Owned by the ConnectionManager (engine/net/connection_manager.h); everything here is touched on
// the loop thread only. Other components keep a connection's id, never a pointer across turns.
#pragma once

#include <cstdint>
#include <deque>
#include <string>

#include <kj/async-io.h>

#include "engine/acl.h"

namespace gk::engine {

inline constexpr size_t kReadChunk = 64 * 1024;

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

  // Output: replies in request order. A slot that is not ready waits for a write (matched
  // by its xid when the write commits), for a refusal's turn, or for the connect response.
  struct Slot {
    bool ready = false;
    std::string bytes;
    bool closeAfter = false;
    int32_t xid = 0;         // the request it answers
    int32_t opcode = 0;      // its opcode (createSession for the connect response)
    int64_t receivedMs = 0;  // for latency stats
  };
  std::deque<Slot> slots;
  std::string out;      // ready to write
  std::string writing;  // being written
  bool writeInFlight = false;
  kj::Promise<void> writeTask = nullptr;
  bool closeWhenFlushed = false;
  bool flushQueued = false;  // waits in the manager's deferred flush list

  // Requests held back so that reads do not overtake this connection's writes.
  std::deque<std::string> held;
  uint32_t writesInFlight = 0;

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

}  // namespace gk::engine

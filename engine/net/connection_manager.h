// ConnectionManager: the client port's connections — accept, read, cut the byte stream into
// length-prefixed frames, write replies in request order and watch events at once, close.
// It knows nothing of what a request means: frames and four-letter words go to a
// ConnectionHandler (engine/processor/request_dispatcher.h).
//
// Ordering it keeps: replies to one connection leave in the order of their slots (a slot that
// is not ready holds back those behind it); events bypass the slots. Between beginBatch() and
// endBatch() writes to sockets are deferred, so a committed batch's replies and events leave
// as one write(2) per connection.
//
// Threads: the event loop's only. Owns every Connection; a pointer to one is valid until the
// loop turn after close() (others keep ids and look them up with find()).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <kj/async-io.h>

#include "engine/net/client_connection.h"
#include "engine/config.h"

namespace gk::engine {

class ConnectionHandler {
 public:
  virtual ~ConnectionHandler() = default;
  // A frame's body (the 4-byte length removed), in arrival order.
  virtual void onFrame(Connection& c, std::string frame) = 0;
  // The first four bytes of a connection were a four-letter word (ruok, srvr, ...).
  virtual void onFourLetterWord(Connection& c, const std::string& word) = 0;
  // The connection is closing (its watches go); it is destroyed a loop turn later.
  virtual void onClosed(Connection& c) = 0;
};

class ConnectionManager {
 public:
  ConnectionManager(const ServerConfig& cfg, kj::Timer& timer, kj::TaskSet& tasks)
      : cfg_(cfg), timer_(timer), tasks_(tasks) {}
  void setHandler(ConnectionHandler* handler) { handler_ = handler; }

  kj::Promise<void> acceptLoop(kj::ConnectionReceiver& listener);

  // Output.
  void pushReady(Connection& c, std::string bytes, bool closeAfter = false);
  void addSlot(Connection& c, int32_t xid, int32_t opcode, int64_t receivedMs);
  // Fills the first unready slot answering `xid` (false if there is none) and writes what
  // is ready from the head.
  bool fillSlot(Connection& c, int32_t xid, std::string bytes, bool closeAfter = false);
  // The first unready slot, or null.
  const Connection::Slot* firstUnready(const Connection& c) const;
  const Connection::Slot* unreadySlot(const Connection& c, int32_t xid) const;
  void sendEvent(Connection& c, int32_t type, int32_t state, const std::string& path);
  // Raw bytes, then close (a four-letter word's answer).
  void sendAndClose(Connection& c, std::string bytes);
  void beginBatch() { deferFlush_ = true; }
  void endBatch();

  // Flow control: a connection whose held requests ran ahead stops being read; resume()
  // reads (and frames what is buffered) again once they drained.
  static constexpr size_t kMaxQueuedPerConnection = 4096;
  void resume(Connection& c);

  void close(Connection& c, const char* why);
  Connection* find(uint64_t id);
  Connection* bySession(int64_t sessionId);
  // The session moves to `c`; an older connection of it is closed.
  void bindSession(Connection& c, int64_t sessionId);
  const std::map<uint64_t, std::unique_ptr<Connection>>& all() const { return conns_; }
  std::vector<int64_t> sessionIds() const;
  void closeAll();

  uint64_t packetsReceived = 0, packetsSent = 0;

 private:
  void onAccept(kj::Own<kj::AsyncIoStream> stream);
  void startReading(Connection& c);
  kj::Promise<void> readLoop(Connection& c);
  void onInput(Connection& c);
  void releaseSlots(Connection& c);
  void flush(Connection& c);
  kj::Promise<void> writeLoop(Connection& c);

  const ServerConfig& cfg_;
  kj::Timer& timer_;
  kj::TaskSet& tasks_;
  ConnectionHandler* handler_ = nullptr;
  std::map<uint64_t, std::unique_ptr<Connection>> conns_;
  uint64_t nextConnId_ = 1;
  std::unordered_map<int64_t, Connection*> bySession_;
  std::unordered_map<std::string, int> perIp_;
  // While a batch's replies are filled in, flush() only queues the connection here and the
  // batch ends with one write(2) per connection. Otherwise the first reply of each
  // connection went out at once and the rest in a second write when that one completed:
  // two syscalls, and two client wake-ups, per connection per batch (docs/benchmarks.md).
  bool deferFlush_ = false;
  std::vector<uint64_t> deferred_;
};

}  // namespace gk::engine

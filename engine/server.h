// Server: a standalone GraphKeeper server (client port, four-letter words, sessions,
// the write pipeline prepare -> propose -> apply). run() blocks until stop() or a signal.
#pragma once

#include <memory>

#include "engine/config.h"

namespace gk::engine {

class Server {
 public:
  explicit Server(ServerConfig config);
  ~Server();
  // Opens the store, listens, serves until requestStop(); throws std::runtime_error with a
  // clear message when it cannot start (port in use, data dir unusable).
  void run();
  // Thread- and signal-safe.
  void requestStop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gk::engine

// SessionTracker: which sessions are alive and when each expires. Pure: the caller passes
// the time, so tests and (later) the replicated leader drive it without clocks.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace gk::engine {

class SessionTracker {
 public:
  struct Session {
    int64_t id = 0;
    int32_t timeoutMs = 0;
    std::string password;
    int64_t deadlineMs = 0;
    bool closing = false;  // close or expiry prepared; no longer usable
  };

  void add(int64_t id, int32_t timeoutMs, std::string password, int64_t nowMs);
  // Pushes the deadline out by the session's timeout; false if unknown or closing.
  bool touch(int64_t id, int64_t nowMs);
  const Session* find(int64_t id) const;
  void markClosing(int64_t id);
  void remove(int64_t id);
  // Sessions whose deadline passed and that are not closing yet; marks them closing.
  std::vector<int64_t> takeExpired(int64_t nowMs);
  size_t size() const { return sessions_.size(); }
  const std::unordered_map<int64_t, Session>& all() const { return sessions_; }

 private:
  std::unordered_map<int64_t, Session> sessions_;
};

}  // namespace gk::engine

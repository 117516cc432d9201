#include "engine/session_tracker.h"

namespace gk::engine {

void SessionTracker::add(int64_t id, int32_t timeoutMs, std::string password, int64_t nowMs) {
  sessions_[id] = Session{id, timeoutMs, std::move(password), nowMs + timeoutMs, false};
}

bool SessionTracker::touch(int64_t id, int64_t nowMs) {
  auto it = sessions_.find(id);
  if (it == sessions_.end() || it->second.closing) return false;
  it->second.deadlineMs = nowMs + it->second.timeoutMs;
  return true;
}

const SessionTracker::Session* SessionTracker::find(int64_t id) const {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : &it->second;
}

void SessionTracker::markClosing(int64_t id) {
  auto it = sessions_.find(id);
  if (it != sessions_.end()) it->second.closing = true;
}

void SessionTracker::remove(int64_t id) { sessions_.erase(id); }

std::vector<int64_t> SessionTracker::takeExpired(int64_t nowMs) {
  std::vector<int64_t> out;
  for (auto& [id, s] : sessions_) {
    if (!s.closing && s.deadlineMs <= nowMs) {
      s.closing = true;
      out.push_back(id);
    }
  }
  return out;
}

}  // namespace gk::engine

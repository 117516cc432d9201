#include "graph/stats_track.h"

#include <charconv>

namespace gk::graph {

namespace {

// Long.parseLong: an optional sign, then decimal digits only.
bool parseLong(std::string_view s, int64_t& out) {
  if (!s.empty() && s.front() == '+') {
    s.remove_prefix(1);
    if (s.empty() || s.front() == '-') return false;
  }
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

StatsTrack::StatsTrack(std::string_view text) {
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find_first_of(",;", pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view pair = text.substr(pos, end - pos);
    pos = end + 1;
    // Java's split("=") drops trailing empty strings: "bytes=8=" is {"bytes", "8"}.
    size_t eq = pair.find('=');
    if (pair.empty() || eq == std::string_view::npos) continue;
    std::string_view key = pair.substr(0, eq);
    std::string_view value = pair.substr(eq + 1);
    value = value.substr(0, value.find('='));
    int64_t v = -1;
    if (!value.empty() && !parseLong(value, v)) continue;
    values_[std::string(key)] = v;
  }
}

int64_t StatsTrack::get(const std::string& key) const {
  auto it = values_.find(key);
  return it == values_.end() ? -1 : it->second;
}

std::string StatsTrack::toString() const {
  std::string out = "count=" + std::to_string(count()) + ",bytes=" + std::to_string(bytes());
  bool first = true;
  for (const auto& [key, value] : values_) {
    if (key == "count" || key == "bytes") continue;
    if (first) out += '=';  // "to trick old parsing code so it will ignore new flags"
    first = false;
    out += ';';
    out += key;
    out += '=';
    out += std::to_string(value);
  }
  return out;
}

}  // namespace gk::graph

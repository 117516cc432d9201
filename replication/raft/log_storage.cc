#include "replication/raft/log_storage.h"

#include <stdexcept>
#include <string>

namespace gk::replication::raft {

LogStorage::LogStorage(TxnLog& log, const SnapshotMeta& snapshot) : log_(log), snap_(snapshot) {
  if (log_.lastIndex() > snap_.index) {
    auto t = log_.term(snap_.index + 1);
    if (!t)
      throw std::invalid_argument("raft log: entry " + std::to_string(snap_.index + 1) +
                                  " after the state machine's snapshot is missing from the log");
  }
  if (auto t = log_.term(snap_.index); t && *t != snap_.term)
    throw std::invalid_argument("raft log: entry " + std::to_string(snap_.index) + " has term " +
                                std::to_string(*t) + " but the state machine applied it at term " +
                                std::to_string(snap_.term));
}

int64_t LogStorage::lastIndex() const {
  int64_t last = log_.lastIndex();
  return last > snap_.index ? last : snap_.index;
}

std::optional<int64_t> LogStorage::term(int64_t index) const {
  if (index == snap_.index) return snap_.term;
  if (index < snap_.index || index > lastIndex()) return std::nullopt;
  return log_.term(index);
}

std::vector<Entry> LogStorage::entries(int64_t lo, int64_t hi, uint64_t maxBytes) const {
  if (lo < firstIndex() || hi > lastIndex() + 1 || lo > hi)
    throw std::out_of_range("raft log: entries [" + std::to_string(lo) + ", " +
                            std::to_string(hi) + ") outside [" + std::to_string(firstIndex()) +
                            ", " + std::to_string(lastIndex() + 1) + ")");
  std::vector<Entry> out = log_.entries(lo, hi, maxBytes);
  if (lo < hi && (out.empty() || out.front().index != lo))
    throw std::logic_error("raft log: entry " + std::to_string(lo) + " is missing");
  for (size_t i = 1; i < out.size(); ++i)
    if (out[i].index != out[i - 1].index + 1)
      throw std::logic_error("raft log: a gap after entry " + std::to_string(out[i - 1].index));
  return out;
}

void LogStorage::append(const std::vector<Entry>& entries) {
  if (entries.empty()) return;
  int64_t first = entries.front().index;
  if (first <= snap_.index)
    throw std::invalid_argument("raft log: entry " + std::to_string(first) +
                                " is at or below the snapshot at " + std::to_string(snap_.index));
  if (first > lastIndex() + 1)
    throw std::invalid_argument("raft log: entry " + std::to_string(first) +
                                " leaves a gap after " + std::to_string(lastIndex()));
  for (size_t i = 1; i < entries.size(); ++i)
    if (entries[i].index != first + int64_t(i))
      throw std::invalid_argument("raft log: entries to append are not contiguous");
  if (first <= log_.lastIndex()) log_.truncateAfter(first - 1);
  log_.append(entries);
}

void LogStorage::applySnapshot(const SnapshotMeta& meta) {
  if (log_.lastIndex() > meta.index) log_.truncateAfter(meta.index);
  snap_ = meta;
}

void LogStorage::compact(int64_t index) {
  if (index <= snap_.index) return;
  auto t = log_.term(index);
  if (!t)
    throw std::invalid_argument("raft log: cannot compact to " + std::to_string(index) +
                                ", which the log does not hold");
  snap_ = {index, *t};
  log_.releaseUpTo(index);
}

}  // namespace gk::replication::raft

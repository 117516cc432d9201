#include "replication/raft/memory_storage.h"

#include <stdexcept>
#include <string>

namespace gk::replication::raft {

std::optional<int64_t> MemoryStorage::term(int64_t index) const {
  if (index == snap_.index) return snap_.term;
  if (index < snap_.index || index > lastIndex()) return std::nullopt;
  return entries_[size_t(index - snap_.index - 1)].term;
}

std::vector<Entry> MemoryStorage::entries(int64_t lo, int64_t hi, uint64_t maxBytes) const {
  if (lo < firstIndex() || hi > lastIndex() + 1 || lo > hi)
    throw std::out_of_range("MemoryStorage::entries: [" + std::to_string(lo) + ", " +
                            std::to_string(hi) + ") outside [" + std::to_string(firstIndex()) +
                            ", " + std::to_string(lastIndex() + 1) + ")");
  std::vector<Entry> out;
  uint64_t bytes = 0;
  for (int64_t i = lo; i < hi; ++i) {
    const Entry& e = entries_[size_t(i - snap_.index - 1)];
    if (!out.empty() && bytes + e.payload.size() > maxBytes) break;
    bytes += e.payload.size();
    out.push_back(e);
  }
  return out;
}

void MemoryStorage::append(const std::vector<Entry>& entries) {
  if (entries.empty()) return;
  int64_t first = entries.front().index;
  if (first <= snap_.index)
    throw std::invalid_argument("MemoryStorage::append: index " + std::to_string(first) +
                                " is compacted (snapshot at " + std::to_string(snap_.index) + ")");
  if (first > lastIndex() + 1)
    throw std::invalid_argument("MemoryStorage::append: index " + std::to_string(first) +
                                " leaves a gap after " + std::to_string(lastIndex()));
  entries_.resize(size_t(first - snap_.index - 1));
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].index != first + int64_t(i))
      throw std::invalid_argument("MemoryStorage::append: indexes not contiguous");
    entries_.push_back(entries[i]);
  }
}

void MemoryStorage::compact(int64_t index) {
  if (index <= snap_.index) return;
  if (index > lastIndex())
    throw std::invalid_argument("MemoryStorage::compact: " + std::to_string(index) +
                                " is past the last index " + std::to_string(lastIndex()));
  int64_t t = *term(index);
  entries_.erase(entries_.begin(), entries_.begin() + (index - snap_.index));
  snap_ = {index, t};
}

void MemoryStorage::applySnapshot(const SnapshotMeta& meta) {
  entries_.clear();
  snap_ = meta;
}

}  // namespace gk::replication::raft

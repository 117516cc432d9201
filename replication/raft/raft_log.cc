#include "replication/raft/raft_log.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace gk::replication::raft {

RaftLog::RaftLog(const Storage& storage) : storage_(storage) {
  unstableOffset_ = storage.lastIndex() + 1;
  committed_ = std::max(storage.hardState().commit, storage.snapshot().index);
  committed_ = std::min(committed_, storage.lastIndex());
  applied_ = storage.snapshot().index;
}

int64_t RaftLog::firstIndex() const {
  if (unstableSnap_) return unstableSnap_->index + 1;
  return storage_.firstIndex();
}

int64_t RaftLog::lastIndex() const {
  if (!unstable_.empty()) return unstable_.back().index;
  if (unstableSnap_) return unstableSnap_->index;
  return storage_.lastIndex();
}

int64_t RaftLog::stableLastIndex() const {
  if (unstableSnap_) return 0;
  return std::min(storage_.lastIndex(), unstableOffset_ - 1);
}

std::optional<int64_t> RaftLog::term(int64_t index) const {
  if (!unstable_.empty() && index >= unstableOffset_) {
    if (index > unstable_.back().index) return std::nullopt;
    return unstable_[size_t(index - unstableOffset_)].term;
  }
  if (unstableSnap_) {
    if (index == unstableSnap_->index) return unstableSnap_->term;
    return std::nullopt;  // the stable log is being replaced by the snapshot
  }
  if (index > storage_.lastIndex()) return std::nullopt;
  return storage_.term(index);
}

std::vector<Entry> RaftLog::slice(int64_t lo, int64_t hi, uint64_t maxBytes) const {
  std::vector<Entry> out;
  if (lo >= hi) return out;
  if (lo < firstIndex() || hi > lastIndex() + 1)
    throw std::logic_error("RaftLog::slice out of range");
  uint64_t bytes = 0;
  if (lo < unstableOffset_) {
    out = storage_.entries(lo, std::min(hi, unstableOffset_), maxBytes);
    for (const auto& e : out) bytes += e.payload.size();
    if (out.empty() || out.back().index + 1 < std::min(hi, unstableOffset_)) return out;
  }
  for (int64_t i = std::max(lo, unstableOffset_); i < hi; ++i) {
    const Entry& e = unstable_[size_t(i - unstableOffset_)];
    if (!out.empty() && bytes + e.payload.size() > maxBytes) break;
    bytes += e.payload.size();
    out.push_back(e);
  }
  return out;
}

std::optional<int64_t> RaftLog::maybeAppend(int64_t prevIndex, int64_t prevTerm,
                                            int64_t leaderCommit,
                                            const std::vector<Entry>& entries) {
  if (!matchTerm(prevIndex, prevTerm)) return std::nullopt;
  int64_t lastNew = prevIndex + int64_t(entries.size());
  // The first entry that conflicts with ours (or is new).
  size_t from = entries.size();
  for (size_t i = 0; i < entries.size(); ++i) {
    if (!matchTerm(entries[i].index, entries[i].term)) {
      from = i;
      break;
    }
  }
  if (from < entries.size()) {
    if (entries[from].index <= committed_)
      throw std::logic_error("raft: entry " + std::to_string(entries[from].index) +
                             " conflicts with the committed log (committed " +
                             std::to_string(committed_) + ")");
    truncateAndAppend(entries, from);
  }
  commitTo(std::min(leaderCommit, lastNew));
  return lastNew;
}

void RaftLog::append(const std::vector<Entry>& entries) {
  if (entries.empty()) return;
  if (entries.front().index != lastIndex() + 1)
    throw std::logic_error("RaftLog::append: not at the end of the log");
  truncateAndAppend(entries, 0);
}

void RaftLog::truncateAndAppend(const std::vector<Entry>& entries, size_t from) {
  int64_t after = entries[from].index - 1;  // keep everything up to here
  if (after + 1 == unstableOffset_ + int64_t(unstable_.size())) {
    // plain append
  } else if (after < unstableOffset_) {
    // Replaces part of the stable log: the driver truncates it when it persists these.
    unstableOffset_ = after + 1;
    unstable_.clear();
  } else {
    unstable_.resize(size_t(after + 1 - unstableOffset_));
  }
  unstable_.insert(unstable_.end(), entries.begin() + long(from), entries.end());
}

void RaftLog::commitTo(int64_t index) {
  if (index <= committed_) return;
  if (index > lastIndex())
    throw std::logic_error("raft: commit index " + std::to_string(index) +
                           " is past the last index " + std::to_string(lastIndex()));
  committed_ = index;
}

bool RaftLog::maybeCommit(int64_t index, int64_t currentTerm) {
  if (index > committed_ && term(index) == currentTerm) {
    commitTo(index);
    return true;
  }
  return false;
}

void RaftLog::restore(const SnapshotMeta& snap) {
  unstableSnap_ = snap;
  unstable_.clear();
  unstableOffset_ = snap.index + 1;
  committed_ = snap.index;
}

std::vector<Entry> RaftLog::nextCommitted(uint64_t maxBytes) const {
  int64_t lo = std::max(applied_ + 1, firstIndex());
  if (lo > committed_) return {};
  return slice(lo, committed_ + 1, maxBytes);
}

void RaftLog::stableTo(int64_t index, int64_t t) {
  if (unstable_.empty() || index < unstableOffset_) return;
  auto have = term(index);
  if (!have || *have != t) return;  // replaced since the Ready was made
  size_t n = size_t(index - unstableOffset_ + 1);
  if (n > unstable_.size()) return;
  unstable_.erase(unstable_.begin(), unstable_.begin() + long(n));
  unstableOffset_ = index + 1;
}

void RaftLog::stableSnapTo(int64_t index) {
  if (unstableSnap_ && unstableSnap_->index == index) unstableSnap_.reset();
}

void RaftLog::appliedTo(int64_t index) {
  if (index <= applied_) return;
  if (index > committed_)
    throw std::logic_error("raft: applied " + std::to_string(index) + " past commit " +
                           std::to_string(committed_));
  applied_ = index;
}

}  // namespace gk::replication::raft

#include "engine/processor/store_machine.h"

#include <chrono>

#include <fmt/format.h>

namespace gk::engine {

void StoreMachine::apply(const std::vector<replication::Entry>& batch) {
  std::vector<graph::Txn> txns;
  txns.reserve(batch.size());
  for (const auto& e : batch) {
    auto t = graph::decodeTxn(e.payload);
    if (!t) throw graph::StoreError(fmt::format("undecodable entry at zxid 0x{:x}", e.index));
    txns.push_back(std::move(*t));
  }
  auto t0 = std::chrono::steady_clock::now();
  if (!recording_) {
    store_.apply(txns);
  } else {
    std::vector<graph::TxnOutcome> outcomes;
    // One LMDB commit (its meta page unsynced: the txn log has the batch). The outcomes are
    // queued just before it, so the loop never sees the state without them.
    store_.apply(txns, &outcomes, [&] {
      std::lock_guard lock(mu_);
      for (size_t i = 0; i < txns.size(); ++i) {
        queue_.push_back(AppliedTxn{std::move(txns[i]), std::move(outcomes[i])});
      }
    });
  }
  fsync_.add(uint64_t(std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now() - t0)
                          .count()));
}

std::vector<AppliedTxn> StoreMachine::takeUpTo(int64_t zxid) {
  std::lock_guard lock(mu_);
  size_t n = 0;
  while (n < queue_.size() && queue_[n].txn.zxid <= zxid) ++n;
  std::vector<AppliedTxn> out;
  if (n == queue_.size()) {
    out.swap(queue_);
  } else {
    out.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.begin() + n));
    queue_.erase(queue_.begin(), queue_.begin() + n);
  }
  return out;
}

}  // namespace gk::engine

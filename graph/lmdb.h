// Thin RAII over the LMDB C API: a write/read txn that aborts unless committed, a cursor
// that closes itself, MDB_val <-> string_view, and errors turned into StoreError carrying
// mdb_strerror's text.
#pragma once

#include <lmdb.h>

#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "graph/znode_store.h"

namespace gk::graph::lmdb {

[[noreturn]] inline void fail(std::string_view what, int rc) {
  std::string msg(what);
  msg += ": ";
  msg += mdb_strerror(rc);
  throw StoreError(msg);
}

inline void check(int rc, std::string_view what) {
  if (rc != MDB_SUCCESS) fail(what, rc);
}

inline MDB_val val(std::string_view s) {
  return MDB_val{s.size(), const_cast<char*>(s.data())};
}
inline std::string_view view(const MDB_val& v) {
  return {static_cast<const char*>(v.mv_data), v.mv_size};
}

// Owns an MDB_txn until commit(); destruction without commit aborts (so an exception
// anywhere in a write leaves nothing behind).
class Txn {
 public:
  Txn(MDB_env* env, unsigned flags, std::string_view what) {
    check(mdb_txn_begin(env, nullptr, flags, &txn_), what);
  }
  ~Txn() {
    if (txn_) mdb_txn_abort(txn_);
  }
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;

  MDB_txn* get() const { return txn_; }
  void commit(std::string_view what) {
    MDB_txn* t = std::exchange(txn_, nullptr);
    check(mdb_txn_commit(t), what);  // commit frees the txn even when it fails
  }
  // Hands ownership to the caller (a Snapshot keeps its read txn).
  MDB_txn* release() { return std::exchange(txn_, nullptr); }

 private:
  MDB_txn* txn_ = nullptr;
};

class Cursor {
 public:
  Cursor(MDB_txn* txn, MDB_dbi dbi) { check(mdb_cursor_open(txn, dbi, &cursor_), "mdb_cursor_open"); }
  ~Cursor() { mdb_cursor_close(cursor_); }
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;

  MDB_cursor* get() const { return cursor_; }

 private:
  MDB_cursor* cursor_ = nullptr;
};

// Calls fn(key, value) for each entry of `dbi` whose key starts with `prefix` (every entry when
// it is empty), in key order. A fn returning bool stops the scan by returning false.
template <typename Fn>
void scanPrefix(MDB_txn* txn, MDB_dbi dbi, std::string_view prefix, Fn&& fn) {
  Cursor cursor(txn, dbi);
  MDB_val k = val(prefix), v;
  for (int rc = mdb_cursor_get(cursor.get(), &k, &v, prefix.empty() ? MDB_FIRST : MDB_SET_RANGE);
       rc != MDB_NOTFOUND; rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_NEXT)) {
    check(rc, "mdb_cursor_get");
    std::string_view key = view(k);
    if (!key.starts_with(prefix)) break;
    if constexpr (std::is_void_v<std::invoke_result_t<Fn&, std::string_view, std::string_view>>) {
      fn(key, view(v));
    } else if (!fn(key, view(v))) {
      break;
    }
  }
}

}  // namespace gk::graph::lmdb

// LMDB keys of the store, built on the stack (LMDB keys are at most 511 bytes, so building
// one never allocates — reads run on many threads and the writer is the hot path).
//   tree:        parentPath \0 lastName   ("/" is "\0", "/a" is "/\0a", "/a/b" is "/a\0b"),
//                so the children of P are exactly the keys starting with P \0, name-ordered.
//   ephemerals:  sessionId (8 bytes big-endian) + path
//   acls, sessions: id (8 bytes big-endian), so LMDB's byte order is numeric order.
#pragma once

#include <lmdb.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "graph/byte_codec.h"

namespace gk::graph {

// LMDB's compiled-in MDB_MAXKEYSIZE on every common build (checked when the env opens).
inline constexpr size_t kMaxKeyBytes = 511;

class KeyBuf {
 public:
  bool ok() const { return ok_; }  // false: the key would exceed kMaxKeyBytes
  std::string_view view() const { return {buf_.data(), size_}; }
  MDB_val val() const { return MDB_val{size_, const_cast<char*>(buf_.data())}; }

  void append(std::string_view s) {
    if (size_ + s.size() > buf_.size()) {
      ok_ = false;
      return;
    }
    if (!s.empty()) std::memcpy(buf_.data() + size_, s.data(), s.size());
    size_ += s.size();
  }
  void appendChar(char c) { append(std::string_view(&c, 1)); }
  void appendId(uint64_t id) {
    char b[8];
    storeBE64(b, id);
    append(std::string_view(b, 8));
  }

 private:
  std::array<char, kMaxKeyBytes> buf_;
  size_t size_ = 0;
  bool ok_ = true;
};

// A well-formed absolute path: "/" or "/a/b" with non-empty names and no NUL.
inline bool isValidPath(std::string_view path) {
  if (path.empty() || path[0] != '/') return false;
  if (path.size() == 1) return true;
  if (path.back() == '/') return false;
  for (size_t i = 1; i < path.size(); ++i) {
    if (path[i] == '\0') return false;
    if (path[i] == '/' && path[i - 1] == '/') return false;
  }
  return true;
}

// For a valid path other than "/".
inline std::string_view parentPath(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == 0 ? path.substr(0, 1) : path.substr(0, slash);
}
inline std::string_view lastName(std::string_view path) {
  return path.substr(path.rfind('/') + 1);
}

// For a valid path ("/" included).
inline KeyBuf treeKey(std::string_view path) {
  KeyBuf k;
  if (path.size() > 1) k.append(parentPath(path));
  k.appendChar('\0');
  if (path.size() > 1) k.append(lastName(path));
  return k;
}

inline KeyBuf childPrefix(std::string_view path) {
  KeyBuf k;
  k.append(path);
  k.appendChar('\0');
  return k;
}

inline KeyBuf idKey(uint64_t id) {
  KeyBuf k;
  k.appendId(id);
  return k;
}

inline KeyBuf ephemeralKey(int64_t sessionId, std::string_view path) {
  KeyBuf k;
  k.appendId(static_cast<uint64_t>(sessionId));
  k.append(path);
  return k;
}

}  // namespace gk::graph

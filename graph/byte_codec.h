// Fixed-width integer and length-prefixed string coding shared by the Txn wire form and the
// LMDB records: little-endian for values, big-endian for ids used as keys (so LMDB's memcmp
// key order is numeric order). ByteReader never reads past its end: every read reports
// failure instead, so decoders can turn any malformed input into "no value".
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

namespace gk::graph {

template <typename T>
inline void storeLE(char* out, T value) {
  static_assert(std::is_integral_v<T>);
  auto u = static_cast<std::make_unsigned_t<T>>(value);
  for (size_t i = 0; i < sizeof(T); ++i) out[i] = static_cast<char>((u >> (8 * i)) & 0xff);
}

template <typename T>
inline T loadLE(const char* in) {
  static_assert(std::is_integral_v<T>);
  std::make_unsigned_t<T> u = 0;
  for (size_t i = 0; i < sizeof(T); ++i)
    u |= static_cast<std::make_unsigned_t<T>>(static_cast<unsigned char>(in[i])) << (8 * i);
  return static_cast<T>(u);
}

inline void storeBE64(char* out, uint64_t value) {
  for (size_t i = 0; i < 8; ++i) out[i] = static_cast<char>((value >> (8 * (7 - i))) & 0xff);
}

inline uint64_t loadBE64(const char* in) {
  uint64_t u = 0;
  for (size_t i = 0; i < 8; ++i) u = (u << 8) | static_cast<unsigned char>(in[i]);
  return u;
}

// Appends to a caller-owned string, so hot paths can reuse one buffer.
class ByteWriter {
 public:
  explicit ByteWriter(std::string& out) : out_(out) {}

  template <typename T>
  void put(T value) {
    char buf[sizeof(T)];
    storeLE(buf, value);
    out_.append(buf, sizeof(T));
  }
  void putBytes(std::string_view bytes) {
    put(static_cast<uint32_t>(bytes.size()));
    out_.append(bytes.data(), bytes.size());
  }

 private:
  std::string& out_;
};

class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}

  template <typename T>
  bool get(T& value) {
    if (in_.size() - pos_ < sizeof(T)) return false;
    value = loadLE<T>(in_.data() + pos_);
    pos_ += sizeof(T);
    return true;
  }
  // The view points into the input; the length is checked against what is left, so an
  // absurd length fails here rather than allocating.
  bool getBytes(std::string_view& bytes) {
    uint32_t len = 0;
    if (!get(len) || len > remaining()) return false;
    bytes = in_.substr(pos_, len);
    pos_ += len;
    return true;
  }
  bool getString(std::string& s) {
    std::string_view v;
    if (!getBytes(v)) return false;
    s.assign(v.data(), v.size());
    return true;
  }
  size_t remaining() const { return in_.size() - pos_; }
  bool atEnd() const { return pos_ == in_.size(); }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

}  // namespace gk::graph

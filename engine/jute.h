// JuteReader / JuteWriter: ZooKeeper's jute binary encoding (big-endian ints and longs,
// one-byte booleans, length-prefixed buffers, strings and vectors, -1 for null).
// A reader never reads past its input: truncated or absurd input throws JuteError.
#pragma once

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace gk::engine {

class JuteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class JuteReader {
 public:
  explicit JuteReader(std::string_view in) : p_(in.data()), end_(in.data() + in.size()) {}

  int32_t readInt() {
    need(4);
    uint32_t v = (uint32_t(uint8_t(p_[0])) << 24) | (uint32_t(uint8_t(p_[1])) << 16) |
                 (uint32_t(uint8_t(p_[2])) << 8) | uint32_t(uint8_t(p_[3]));
    p_ += 4;
    return int32_t(v);
  }
  int64_t readLong() {
    uint64_t hi = uint32_t(readInt());
    uint64_t lo = uint32_t(readInt());
    return int64_t((hi << 32) | lo);
  }
  bool readBool() {
    need(1);
    return *p_++ != 0;
  }
  // Buffers and strings: a null (-1) reads as empty; the view points into the input.
  std::string_view readBufferView() {
    int32_t len = readInt();
    if (len < 0) return {};
    need(size_t(len));
    std::string_view v(p_, size_t(len));
    p_ += len;
    return v;
  }
  std::string readBuffer() { return std::string(readBufferView()); }
  // As readBuffer, telling a null buffer (length -1) from an empty one.
  std::string readBuffer(bool& isNull) {
    int32_t len = readInt();
    isNull = len < 0;
    if (isNull) return {};
    need(size_t(len));
    std::string v(p_, size_t(len));
    p_ += len;
    return v;
  }
  std::string readString() { return readBuffer(); }
  // A vector's element count, checked against what is left (each element is >= minSize bytes).
  int32_t readCount(size_t minElementSize = 1) {
    int32_t n = readInt();
    if (n < 0) return 0;
    if (size_t(n) * minElementSize > remaining()) throw JuteError("vector length exceeds input");
    return n;
  }
  std::vector<std::string> readStringVector() {
    int32_t n = readCount(4);
    std::vector<std::string> out;
    out.reserve(size_t(n));
    for (int32_t i = 0; i < n; ++i) out.push_back(readString());
    return out;
  }

  size_t remaining() const { return size_t(end_ - p_); }
  bool atEnd() const { return p_ == end_; }

 private:
  void need(size_t n) const {
    if (size_t(end_ - p_) < n) throw JuteError("truncated record");
  }
  const char* p_;
  const char* end_;
};

class JuteWriter {
 public:
  explicit JuteWriter(std::string& out) : out_(out) {}

  void writeInt(int32_t v) {
    char b[4] = {char(uint32_t(v) >> 24), char(uint32_t(v) >> 16), char(uint32_t(v) >> 8),
                 char(uint32_t(v))};
    out_.append(b, 4);
  }
  void writeLong(int64_t v) {
    writeInt(int32_t(uint64_t(v) >> 32));
    writeInt(int32_t(uint64_t(v) & 0xffffffffu));
  }
  void writeBool(bool v) { out_.push_back(v ? 1 : 0); }
  void writeNullBuffer() { writeInt(-1); }
  void writeBuffer(std::string_view v) {
    writeInt(int32_t(v.size()));
    out_.append(v);
  }
  void writeString(std::string_view v) { writeBuffer(v); }
  void writeStringVector(const std::vector<std::string>& v) {
    writeInt(int32_t(v.size()));
    for (const auto& s : v) writeString(s);
  }
  // Frames: reserve the 4-byte length now, fill it in when the record is complete.
  size_t beginFrame() {
    size_t at = out_.size();
    out_.append(4, '\0');
    return at;
  }
  void endFrame(size_t at) {
    uint32_t len = uint32_t(out_.size() - at - 4);
    out_[at] = char(len >> 24);
    out_[at + 1] = char(len >> 16);
    out_[at + 2] = char(len >> 8);
    out_[at + 3] = char(len);
  }
  std::string& out() { return out_; }

 private:
  std::string& out_;
};

}  // namespace gk::engine

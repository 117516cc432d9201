// The peer message codec: raft::Message to bytes and back, with Cap'n Proto
// (peer_message.capnp), and the frame around it on a TCP stream.
//
// decodeMessage never trusts its input: a buffer that is not a well-formed Cap'n Proto message,
// that exceeds the limits (bytes, entries, nesting), names an unknown message type, or holds
// values no server sends (negative ids, terms or indexes; entries in a message type that
// carries none) is refused with a reason, and nothing is built from it. The Raft core checks
// the rest (membership, contiguity) itself.
//
// FrameReader splits a byte stream into frames: feed() what arrived, next() each complete
// frame. A length over the limit is an error that ends the stream (the peer is broken or not
// a peer); the caller closes the connection.
//
// Thread-safety: free functions are reentrant; a FrameReader belongs to one connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "replication/raft/message.h"

namespace gk::replication::wire {

struct CodecLimits {
  uint64_t maxMessageBytes = uint64_t(64) << 20;  // whole encoded message
  uint64_t maxEntries = 1u << 20;                 // per message
};

// The encoded message (Cap'n Proto standard serialization, without the frame).
std::string encodeMessage(const raft::Message& m);
// The message, or why it was refused.
std::variant<raft::Message, std::string> decodeMessage(std::string_view bytes,
                                                      const CodecLimits& limits = {});

// [u32 LE length][encodeMessage(m)]
std::string encodeFrame(const raft::Message& m);

class FrameReader {
 public:
  explicit FrameReader(uint64_t maxFrameBytes = CodecLimits{}.maxMessageBytes)
      : max_(maxFrameBytes) {}
  void feed(std::string_view bytes) { buf_.append(bytes); }
  // The next complete frame's body; nullopt when more bytes are needed. Throws
  // std::runtime_error when the stream announces a frame over the limit.
  std::optional<std::string> next();
  size_t buffered() const { return buf_.size(); }

 private:
  uint64_t max_;
  std::string buf_;
};

}  // namespace gk::replication::wire

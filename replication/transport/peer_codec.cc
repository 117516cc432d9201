#include "replication/transport/peer_codec.h"

#include <capnp/message.h>
#include <capnp/serialize.h>

#include <cstring>
#include <stdexcept>

#include "replication/transport/peer_message.capnp.h"

namespace gk::replication::wire {

using raft::MessageType;

static_assert(uint16_t(PeerMessageType::APPEND) == uint16_t(MessageType::Append));
static_assert(uint16_t(PeerMessageType::VOTE) == uint16_t(MessageType::Vote));
static_assert(uint16_t(PeerMessageType::READ_INDEX_RESPONSE) ==
              uint16_t(MessageType::ReadIndexResponse));
constexpr uint16_t kLastType = uint16_t(MessageType::ReadIndexResponse);

std::string encodeMessage(const raft::Message& m) {
  capnp::MallocMessageBuilder builder;
  auto pm = builder.initRoot<PeerMessage>();
  pm.setType(static_cast<PeerMessageType>(uint16_t(m.type)));
  pm.setFrom(m.from);
  pm.setTo(m.to);
  pm.setTerm(m.term);
  pm.setLogTerm(m.logTerm);
  pm.setIndex(m.index);
  pm.setCommit(m.commit);
  pm.setReject(m.reject);
  pm.setRejectHint(m.rejectHint);
  pm.setContext(m.context);
  pm.setTransfer(m.transfer);
  pm.setSnapshotIndex(m.snapshot.index);
  pm.setSnapshotTerm(m.snapshot.term);
  if (!m.entries.empty()) {
    auto es = pm.initEntries(unsigned(m.entries.size()));
    for (size_t i = 0; i < m.entries.size(); ++i) {
      const Entry& e = m.entries[i];
      es[unsigned(i)].setIndex(e.index);
      es[unsigned(i)].setTerm(e.term);
      es[unsigned(i)].setPayload(capnp::Data::Reader(
          reinterpret_cast<const capnp::byte*>(e.payload.data()), e.payload.size()));
    }
  }
  kj::Array<capnp::word> words = capnp::messageToFlatArray(builder);
  auto bytes = words.asBytes();
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

std::variant<raft::Message, std::string> decodeMessage(std::string_view bytes,
                                                      const CodecLimits& limits) {
  if (bytes.size() > limits.maxMessageBytes)
    return "peer message of " + std::to_string(bytes.size()) + " bytes exceeds the limit of " +
           std::to_string(limits.maxMessageBytes);
  if (bytes.empty() || bytes.size() % sizeof(capnp::word) != 0)
    return "not a Cap'n Proto message: " + std::to_string(bytes.size()) +
           " bytes is not a positive multiple of 8";
  kj::Array<capnp::word> words = kj::heapArray<capnp::word>(bytes.size() / sizeof(capnp::word));
  std::memcpy(words.begin(), bytes.data(), bytes.size());
  raft::Message m;
  try {
    capnp::ReaderOptions options;
    // A well-formed message is read once; the limit stops a crafted one that points many
    // times at the same data from costing more than a few times its size.
    options.traversalLimitInWords = words.size() * 4 + 64;
    options.nestingLimit = 4;
    capnp::FlatArrayMessageReader reader(words.asPtr(), options);
    if (reader.getEnd() != words.end()) return std::string("peer message has trailing bytes");
    auto pm = reader.getRoot<PeerMessage>();
    uint16_t type = uint16_t(pm.getType());
    if (type > kLastType) return "unknown peer message type " + std::to_string(type);
    m.type = MessageType(type);
    m.from = pm.getFrom();
    m.to = pm.getTo();
    m.term = pm.getTerm();
    m.logTerm = pm.getLogTerm();
    m.index = pm.getIndex();
    m.commit = pm.getCommit();
    m.reject = pm.getReject();
    m.rejectHint = pm.getRejectHint();
    m.context = pm.getContext();
    m.transfer = pm.getTransfer();
    m.snapshot.index = pm.getSnapshotIndex();
    m.snapshot.term = pm.getSnapshotTerm();
    if (m.from <= 0 || m.to <= 0)
      return "peer message names server " + std::to_string(m.from <= 0 ? m.from : m.to) +
             " (ids are positive)";
    if (m.term < 0 || m.logTerm < 0 || m.index < 0 || m.commit < 0 || m.rejectHint < 0 ||
        m.snapshot.index < 0 || m.snapshot.term < 0)
      return std::string("peer message holds a negative term or index");
    if (pm.hasEntries()) {
      auto es = pm.getEntries();
      if (m.type != MessageType::Append && es.size() > 0)
        return std::string("peer message of type ") + raft::name(m.type) + " carries entries";
      if (es.size() > limits.maxEntries)
        return "peer message carries " + std::to_string(es.size()) + " entries (limit " +
               std::to_string(limits.maxEntries) + ")";
      m.entries.reserve(es.size());
      for (auto e : es) {
        Entry out;
        out.index = e.getIndex();
        out.term = e.getTerm();
        if (out.index <= 0 || out.term < 0)
          return std::string("peer message holds an entry with a bad index or term");
        auto p = e.getPayload();
        out.payload.assign(reinterpret_cast<const char*>(p.begin()), p.size());
        m.entries.push_back(std::move(out));
      }
    }
  } catch (const kj::Exception& e) {
    return std::string("malformed peer message: ") + e.getDescription().cStr();
  }
  return m;
}

std::string encodeFrame(const raft::Message& m) {
  std::string body = encodeMessage(m);
  uint32_t n = uint32_t(body.size());
  std::string out(4, '\0');
  for (int i = 0; i < 4; ++i) out[size_t(i)] = char((n >> (8 * i)) & 0xff);
  return out + body;
}

std::optional<std::string> FrameReader::next() {
  if (buf_.size() < 4) return std::nullopt;
  uint64_t n = 0;
  for (int i = 0; i < 4; ++i) n |= uint64_t(uint8_t(buf_[size_t(i)])) << (8 * i);
  if (n > max_)
    throw std::runtime_error("peer frame of " + std::to_string(n) + " bytes exceeds the limit of " +
                             std::to_string(max_));
  if (buf_.size() < 4 + n) return std::nullopt;
  std::string body = buf_.substr(4, n);
  buf_.erase(0, 4 + n);
  return body;
}

}  // namespace gk::replication::wire

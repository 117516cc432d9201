// The peer message codec (replication/transport/peer_codec.h): every message type round-trips;
// what is not a well-formed peer message is refused with a reason.
#include <catch2/catch.hpp>

#include <random>

#include "replication/transport/peer_codec.h"

using namespace gk::replication;
using namespace gk::replication::raft;
using namespace gk::replication::wire;

namespace {

Message sample(MessageType t) {
  Message m;
  m.type = t;
  m.from = 3;
  m.to = 1;
  m.term = (int64_t(1) << 40) + 7;
  m.logTerm = 5;
  m.index = 123456789012;
  m.commit = 99;
  m.reject = t == MessageType::AppendResponse;
  m.rejectHint = 17;
  m.context = 0xfeedfacecafebeefull;
  m.transfer = t == MessageType::Vote;
  m.snapshot = {77, 4};
  if (t == MessageType::Append)
    m.entries = {Entry{123456789013, 5, std::string("a\0b", 3)}, Entry{123456789014, 6, ""},
                 Entry{123456789015, 6, std::string(100000, 'x')}};
  return m;
}

bool same(const Message& a, const Message& b) {
  if (a.entries.size() != b.entries.size()) return false;
  for (size_t i = 0; i < a.entries.size(); ++i)
    if (a.entries[i].index != b.entries[i].index || a.entries[i].term != b.entries[i].term ||
        a.entries[i].payload != b.entries[i].payload)
      return false;
  return a.type == b.type && a.from == b.from && a.to == b.to && a.term == b.term &&
         a.logTerm == b.logTerm && a.index == b.index && a.commit == b.commit &&
         a.reject == b.reject && a.rejectHint == b.rejectHint && a.context == b.context &&
         a.transfer == b.transfer && a.snapshot == b.snapshot;
}

std::string refusal(std::string_view bytes, const CodecLimits& l = {}) {
  auto r = decodeMessage(bytes, l);
  REQUIRE(std::holds_alternative<std::string>(r));
  return std::get<std::string>(r);
}

}  // namespace

TEST_CASE("peer codec: every message type round-trips") {
  for (int t = 0; t <= int(MessageType::ReadIndexResponse); ++t) {
    Message m = sample(MessageType(t));
    auto r = decodeMessage(encodeMessage(m));
    INFO(name(m.type));
    REQUIRE(std::holds_alternative<Message>(r));
    CHECK(same(std::get<Message>(r), m));
  }
}

TEST_CASE("peer codec: malformed bytes are refused with a reason") {
  std::string good = encodeMessage(sample(MessageType::Append));
  CHECK_THAT(refusal(""), Catch::Contains("not a Cap'n Proto message"));
  CHECK_THAT(refusal(good.substr(0, good.size() - 3)), Catch::Contains("multiple of 8"));
  CHECK_THAT(refusal(good.substr(0, good.size() - 8)), Catch::Contains("malformed"));
  CHECK_THAT(refusal(good + std::string(8, '\0')), Catch::Contains("trailing"));
  CodecLimits small;
  small.maxMessageBytes = 1024;
  CHECK_THAT(refusal(good, small), Catch::Contains("exceeds the limit"));
  small.maxMessageBytes = 1 << 30;
  small.maxEntries = 2;
  CHECK_THAT(refusal(good, small), Catch::Contains("3 entries"));
}

TEST_CASE("peer codec: values no server sends are refused") {
  Message m = sample(MessageType::Heartbeat);
  m.from = 0;
  CHECK_THAT(refusal(encodeMessage(m)), Catch::Contains("ids are positive"));
  m = sample(MessageType::Heartbeat);
  m.term = -1;
  CHECK_THAT(refusal(encodeMessage(m)), Catch::Contains("negative"));
  m = sample(MessageType::Vote);
  m.entries = {Entry{1, 1, "x"}};
  CHECK_THAT(refusal(encodeMessage(m)), Catch::Contains("Vote carries entries"));
  m = sample(MessageType::Append);
  m.entries[0].index = 0;
  CHECK_THAT(refusal(encodeMessage(m)), Catch::Contains("bad index"));
  // An enum value from a newer peer than we know.
  m = sample(MessageType::Heartbeat);
  m.type = MessageType(40);
  CHECK_THAT(refusal(encodeMessage(m)), Catch::Contains("unknown peer message type 40"));
}

TEST_CASE("peer codec: random damage never crashes and never decodes into garbage ids") {
  std::string good = encodeMessage(sample(MessageType::Append));
  std::mt19937_64 rng(1);
  int refused = 0, decoded = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string b = good;
    for (int k = 0; k < 1 + int(rng() % 8); ++k) b[rng() % b.size()] = char(rng());
    auto r = decodeMessage(b);
    if (std::holds_alternative<std::string>(r)) {
      ++refused;
    } else {
      ++decoded;
      const Message& m = std::get<Message>(r);
      CHECK(m.from > 0);
      CHECK(m.to > 0);
      CHECK(m.term >= 0);
    }
  }
  CHECK(refused > 0);
  CHECK(refused + decoded == 3000);
}

TEST_CASE("peer codec: frames split and joined in any way read back in order") {
  std::string stream;
  std::vector<Message> sent;
  for (int t = 0; t <= int(MessageType::ReadIndexResponse); ++t) {
    sent.push_back(sample(MessageType(t)));
    stream += encodeFrame(sent.back());
  }
  std::mt19937_64 rng(2);
  FrameReader reader;
  std::vector<Message> got;
  size_t pos = 0;
  while (pos < stream.size()) {
    size_t n = std::min<size_t>(stream.size() - pos, 1 + rng() % 5000);
    reader.feed(std::string_view(stream).substr(pos, n));
    pos += n;
    while (auto f = reader.next()) got.push_back(std::get<Message>(decodeMessage(*f)));
  }
  REQUIRE(got.size() == sent.size());
  for (size_t i = 0; i < got.size(); ++i) CHECK(same(got[i], sent[i]));
  CHECK(reader.buffered() == 0);
  FrameReader strict(1000);
  strict.feed(encodeFrame(sample(MessageType::Append)));
  CHECK_THROWS_WITH(strict.next(), Catch::Contains("exceeds the limit of 1000"));
}

// libFuzzer target for the peer message codec: any bytes either decode into a message that
// re-encodes and decodes to the same message, or are refused with a reason; the frame reader
// never reads past what it was fed. Built with -DGK_FUZZ=ON (scripts/fuzz.sh runs it).
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

#include "replication/transport/peer_codec.h"

using namespace gk::replication;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto r = wire::decodeMessage(bytes);
  if (auto* m = std::get_if<raft::Message>(&r)) {
    auto again = wire::decodeMessage(wire::encodeMessage(*m));
    auto* m2 = std::get_if<raft::Message>(&again);
    if (!m2 || m2->type != m->type || m2->from != m->from || m2->to != m->to ||
        m2->term != m->term || m2->index != m->index || m2->entries.size() != m->entries.size())
      std::abort();  // a decoded message must survive its own round trip
  }
  wire::FrameReader frames(1 << 16);
  frames.feed(bytes);
  try {
    while (auto f = frames.next()) (void)wire::decodeMessage(*f);
  } catch (const std::runtime_error&) {
    // an over-long frame: the connection would be closed
  }
  return 0;
}

// Entry: one replicated log entry — an index (the zxid) and a payload replication never reads.
#pragma once

#include <cstdint>
#include <string>

namespace gk::replication {

struct Entry {
  int64_t index = 0;    // the zxid
  std::string payload;  // opaque to replication
};

}  // namespace gk::replication

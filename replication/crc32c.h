// CRC-32C (Castagnoli), the checksum of the write-ahead log's records.
//
// Uses the CPU's crc32 instruction (SSE4.2) when there is one, so checking a whole log
// segment at start-up costs milliseconds; a table fallback keeps other CPUs working.
#pragma once

#include <cstddef>
#include <cstdint>

namespace gk::replication {

// Continues a CRC-32C: crc32c(crc32c(s, a), b) == crc32c(s, a+b). Start with 0.
uint32_t crc32c(uint32_t crc, const void* data, size_t size);

}  // namespace gk::replication

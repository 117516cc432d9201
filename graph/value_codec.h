// Binary form of graph::Value for the graph tables, and JSON text -> Value.
//
// encodeValue is exact and self-delimiting (every string and container carries its length), so
// an encoded value can be followed by more key bytes (an id) without ambiguity: two keys
// `label \0 enc(v) id` are equal up to the id exactly when the values are equal.
// The decoder never reads past its input and refuses nesting deeper than kMaxValueDepth, so
// a corrupt or hostile record is "no value", never a crash.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "graph/value.h"

namespace gk::graph {

inline constexpr int kMaxValueDepth = 64;

void encodeValue(const Value& value, std::string& out);  // appends
void encodeValueMap(const ValueMap& map, std::string& out);  // appends
std::string encodedValue(const Value& value);

// Reads one value from the front of `in` and advances it; false on malformed input.
bool decodeValue(std::string_view& in, Value& value);
bool decodeValueMap(std::string_view& in, ValueMap& map);

// JSON text (as a znode's data) -> Value; nullopt when it is not JSON, or nested deeper than
// kMaxValueDepth (checked before parsing, so no input can exhaust the stack). Integers that fit
// int64 stay integers; larger ones become floats.
std::optional<Value> parseJsonValue(std::string_view text);

// A stable 64-bit hash (FNV-1a, then a splitmix64 finalizer): node ids of projected nodes,
// edge ids, index keys of values too long for an LMDB key. Never used for equality.
uint64_t stableHash(std::string_view bytes, uint64_t seed = 0);

}  // namespace gk::graph

// Value: a property value of the graph (openCypher's property types): null, boolean, integer,
// float, string, list and map. Maps keep their keys sorted, so two equal maps compare equal and
// print the same. The query layer builds its runtime values (nodes, relationships, paths) on top.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace gk::graph {

struct Value;
using ValueList = std::vector<Value>;
// Sorted by key, keys unique (valueMapSet and valueMapGet keep it so).
using ValueMap = std::vector<std::pair<std::string, Value>>;

struct Value {
  using Storage = std::variant<std::monostate, bool, int64_t, double, std::string, ValueList,
                               ValueMap>;
  Storage v;

  Value() = default;
  Value(std::nullptr_t) {}
  Value(bool b) : v(b) {}
  Value(int i) : v(int64_t{i}) {}
  Value(int64_t i) : v(i) {}
  Value(double d) : v(d) {}
  Value(const char* s) : v(std::string(s)) {}
  Value(std::string s) : v(std::move(s)) {}
  Value(std::string_view s) : v(std::string(s)) {}
  Value(ValueList l) : v(std::move(l)) {}
  Value(ValueMap m) : v(std::move(m)) {}

  bool isNull() const { return std::holds_alternative<std::monostate>(v); }
  bool isBool() const { return std::holds_alternative<bool>(v); }
  bool isInt() const { return std::holds_alternative<int64_t>(v); }
  bool isFloat() const { return std::holds_alternative<double>(v); }
  bool isString() const { return std::holds_alternative<std::string>(v); }
  bool isList() const { return std::holds_alternative<ValueList>(v); }
  bool isMap() const { return std::holds_alternative<ValueMap>(v); }

  bool asBool() const { return std::get<bool>(v); }
  int64_t asInt() const { return std::get<int64_t>(v); }
  double asFloat() const { return std::get<double>(v); }
  const std::string& asString() const { return std::get<std::string>(v); }
  const ValueList& asList() const { return std::get<ValueList>(v); }
  const ValueMap& asMap() const { return std::get<ValueMap>(v); }

  // Structural equality (1 and 1.0 differ here; the query layer applies Cypher's rules).
  bool operator==(const Value& other) const { return v == other.v; }
};

// Sorted (key, value) vectors: ValueMap here, the query layer's runtime maps too.
// Sets key (inserting in order or replacing).
template <typename Map, typename V>
void sortedMapSet(Map& map, std::string key, V value) {
  auto it = map.begin();
  while (it != map.end() && it->first < key) ++it;
  if (it != map.end() && it->first == key) {
    it->second = std::move(value);
  } else {
    map.insert(it, {std::move(key), std::move(value)});
  }
}

// The value under key, or nullptr.
template <typename Map>
auto sortedMapGet(const Map& map, std::string_view key) -> decltype(&map.begin()->second) {
  for (const auto& entry : map) {
    if (entry.first == key) return &entry.second;
    if (entry.first > key) break;
  }
  return nullptr;
}

inline void valueMapSet(ValueMap& map, std::string key, Value value) {
  sortedMapSet(map, std::move(key), std::move(value));
}
inline const Value* valueMapGet(const ValueMap& map, std::string_view key) {
  return sortedMapGet(map, key);
}

}  // namespace gk::graph

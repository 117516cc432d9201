// Value <-> bytes, JSON -> Value (see value_codec.h).
#include "graph/value_codec.h"

#include <nlohmann/json.hpp>

#include <cstring>

#include "graph/byte_codec.h"

namespace gk::graph {

namespace {

// One tag byte per value, then its payload.
enum Tag : char {
  kNull = 'n',
  kFalse = 'f',
  kTrue = 't',
  kInt = 'i',
  kFloat = 'd',
  kString = 's',
  kList = 'l',
  kMap = 'm',
};

void putU32(std::string& out, uint32_t n) {
  char b[4];
  storeLE(b, n);
  out.append(b, 4);
}

void putBytes(std::string& out, std::string_view s) {
  putU32(out, static_cast<uint32_t>(s.size()));
  out.append(s);
}

bool getU32(std::string_view& in, uint32_t& n) {
  if (in.size() < 4) return false;
  n = loadLE<uint32_t>(in.data());
  in.remove_prefix(4);
  return true;
}

bool getBytes(std::string_view& in, std::string_view& s) {
  uint32_t n = 0;
  if (!getU32(in, n) || n > in.size()) return false;
  s = in.substr(0, n);
  in.remove_prefix(n);
  return true;
}

bool decodeAt(std::string_view& in, Value& value, int depth);

bool decodeMapAt(std::string_view& in, ValueMap& map, int depth) {
  uint32_t n = 0;
  // Each entry takes at least 5 bytes: an absurd count fails here instead of allocating.
  if (!getU32(in, n) || n > in.size() / 5) return false;
  map.clear();
  map.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    std::string_view key;
    Value v;
    if (!getBytes(in, key) || !decodeAt(in, v, depth + 1)) return false;
    map.emplace_back(std::string(key), std::move(v));
  }
  return true;
}

bool decodeAt(std::string_view& in, Value& value, int depth) {
  if (in.empty() || depth > kMaxValueDepth) return false;
  char tag = in.front();
  in.remove_prefix(1);
  switch (tag) {
    case kNull: value = Value(); return true;
    case kFalse: value = Value(false); return true;
    case kTrue: value = Value(true); return true;
    case kInt:
      if (in.size() < 8) return false;
      value = Value(loadLE<int64_t>(in.data()));
      in.remove_prefix(8);
      return true;
    case kFloat: {
      if (in.size() < 8) return false;
      uint64_t bits = loadLE<uint64_t>(in.data());
      double d;
      std::memcpy(&d, &bits, 8);
      value = Value(d);
      in.remove_prefix(8);
      return true;
    }
    case kString: {
      std::string_view s;
      if (!getBytes(in, s)) return false;
      value = Value(std::string(s));
      return true;
    }
    case kList: {
      uint32_t n = 0;
      if (!getU32(in, n) || n > in.size()) return false;  // each item is at least 1 byte
      ValueList list;
      list.reserve(n);
      for (uint32_t i = 0; i < n; ++i) {
        Value item;
        if (!decodeAt(in, item, depth + 1)) return false;
        list.push_back(std::move(item));
      }
      value = Value(std::move(list));
      return true;
    }
    case kMap: {
      ValueMap map;
      if (!decodeMapAt(in, map, depth)) return false;
      value = Value(std::move(map));
      return true;
    }
    default: return false;
  }
}

// Nesting depth of JSON text, counting brackets outside strings; stops early past `limit`.
int jsonDepth(std::string_view text, int limit) {
  int depth = 0, max = 0;
  bool inString = false, escaped = false;
  for (char c : text) {
    if (inString) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') inString = false;
      continue;
    }
    if (c == '"') inString = true;
    else if (c == '[' || c == '{') {
      if (++depth > max) max = depth;
      if (max > limit) return max;
    } else if (c == ']' || c == '}') --depth;
  }
  return max;
}

Value fromJson(const nlohmann::json& j) {
  using T = nlohmann::json::value_t;
  switch (j.type()) {
    case T::null: return Value();
    case T::boolean: return Value(j.get<bool>());
    case T::number_integer: return Value(j.get<int64_t>());
    case T::number_unsigned: {
      uint64_t u = j.get<uint64_t>();
      if (u <= static_cast<uint64_t>(INT64_MAX)) return Value(static_cast<int64_t>(u));
      return Value(static_cast<double>(u));
    }
    case T::number_float: return Value(j.get<double>());
    case T::string: return Value(j.get<std::string>());
    case T::array: {
      ValueList list;
      list.reserve(j.size());
      for (const auto& item : j) list.push_back(fromJson(item));
      return Value(std::move(list));
    }
    case T::object: {
      // nlohmann's default object is a std::map: already sorted by key, keys unique.
      ValueMap map;
      map.reserve(j.size());
      for (auto it = j.begin(); it != j.end(); ++it) map.emplace_back(it.key(), fromJson(*it));
      return Value(std::move(map));
    }
    default: return Value();  // binary / discarded: not produced by parse
  }
}

}  // namespace

void encodeValueMap(const ValueMap& map, std::string& out) {
  putU32(out, static_cast<uint32_t>(map.size()));
  for (const auto& [k, v] : map) {
    putBytes(out, k);
    encodeValue(v, out);
  }
}

void encodeValue(const Value& value, std::string& out) {
  std::visit(
      [&out](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          out += kNull;
        } else if constexpr (std::is_same_v<T, bool>) {
          out += x ? kTrue : kFalse;
        } else if constexpr (std::is_same_v<T, int64_t>) {
          out += kInt;
          char b[8];
          storeLE(b, x);
          out.append(b, 8);
        } else if constexpr (std::is_same_v<T, double>) {
          out += kFloat;
          uint64_t bits;
          std::memcpy(&bits, &x, 8);
          char b[8];
          storeLE(b, bits);
          out.append(b, 8);
        } else if constexpr (std::is_same_v<T, std::string>) {
          out += kString;
          putBytes(out, x);
        } else if constexpr (std::is_same_v<T, ValueList>) {
          out += kList;
          putU32(out, static_cast<uint32_t>(x.size()));
          for (const Value& item : x) encodeValue(item, out);
        } else {
          out += kMap;
          encodeValueMap(x, out);
        }
      },
      value.v);
}

std::string encodedValue(const Value& value) {
  std::string out;
  encodeValue(value, out);
  return out;
}

bool decodeValue(std::string_view& in, Value& value) { return decodeAt(in, value, 0); }
bool decodeValueMap(std::string_view& in, ValueMap& map) { return decodeMapAt(in, map, 0); }

std::optional<Value> parseJsonValue(std::string_view text) {
  // Cheap refusals first: most non-JSON data fails on its first byte.
  size_t i = 0;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\n' || text[i] == '\t' || text[i] == '\r'))
    ++i;
  if (i == text.size()) return std::nullopt;
  if (jsonDepth(text, kMaxValueDepth - 1) >= kMaxValueDepth) return std::nullopt;
  nlohmann::json j = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) return std::nullopt;
  return fromJson(j);
}

uint64_t stableHash(std::string_view bytes, uint64_t seed) {
  uint64_t h = 0xcbf29ce484222325ULL ^ seed;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 31;
  return h;
}

}  // namespace gk::graph

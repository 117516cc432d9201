// The table of functions a query may call: name, arity and whether it aggregates. The parser
// checks every call against it (unknown names and wrong argument counts are syntax-time errors)
// and stores the canonical spelling, so `COUNT(x)` and `count(x)` are the same call. The
// executor (a later issue) implements exactly this list.
#pragma once

#include <span>
#include <string_view>

namespace gk::query {

inline constexpr int kVariadic = -1;

struct FunctionInfo {
  std::string_view name;  // canonical spelling
  int minArgs;
  int maxArgs;            // kVariadic: no upper bound
  bool aggregate;
};

// Case-insensitive lookup; nullptr when there is no such function.
const FunctionInfo* findFunction(std::string_view name);

std::span<const FunctionInfo> allFunctions();

}  // namespace gk::query

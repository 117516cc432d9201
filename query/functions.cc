// The function table; see functions.h.
#include "query/functions.h"

#include <array>

namespace gk::query {
namespace {

constexpr std::array kFunctions = {
    // Aggregates.
    FunctionInfo{"count", 1, 1, true},
    FunctionInfo{"collect", 1, 1, true},
    FunctionInfo{"min", 1, 1, true},
    FunctionInfo{"max", 1, 1, true},
    FunctionInfo{"sum", 1, 1, true},
    FunctionInfo{"avg", 1, 1, true},
    // Graph elements and paths.
    FunctionInfo{"id", 1, 1, false},
    FunctionInfo{"labels", 1, 1, false},
    FunctionInfo{"type", 1, 1, false},
    FunctionInfo{"keys", 1, 1, false},
    FunctionInfo{"properties", 1, 1, false},
    FunctionInfo{"nodes", 1, 1, false},
    FunctionInfo{"relationships", 1, 1, false},
    FunctionInfo{"startNode", 1, 1, false},
    FunctionInfo{"endNode", 1, 1, false},
    FunctionInfo{"length", 1, 1, false},
    FunctionInfo{"exists", 1, 1, false},
    // Lists and general values.
    FunctionInfo{"size", 1, 1, false},
    FunctionInfo{"head", 1, 1, false},
    FunctionInfo{"last", 1, 1, false},
    FunctionInfo{"tail", 1, 1, false},
    FunctionInfo{"range", 2, 3, false},
    FunctionInfo{"coalesce", 1, kVariadic, false},
    // Conversions.
    FunctionInfo{"toInteger", 1, 1, false},
    FunctionInfo{"toFloat", 1, 1, false},
    FunctionInfo{"toString", 1, 1, false},
    FunctionInfo{"toBoolean", 1, 1, false},
    // Strings.
    FunctionInfo{"toLower", 1, 1, false},
    FunctionInfo{"toUpper", 1, 1, false},
    FunctionInfo{"trim", 1, 1, false},
    FunctionInfo{"split", 2, 2, false},
    FunctionInfo{"substring", 2, 3, false},
    FunctionInfo{"replace", 3, 3, false},
    // Numbers and time.
    FunctionInfo{"abs", 1, 1, false},
    FunctionInfo{"timestamp", 0, 0, false},
};

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

const FunctionInfo* findFunction(std::string_view name) {
  for (const FunctionInfo& info : kFunctions) {
    if (equalsIgnoreCase(info.name, name)) return &info;
  }
  return nullptr;
}

std::span<const FunctionInfo> allFunctions() { return kFunctions; }

}  // namespace gk::query

// Cypher value semantics; see value_ops.h.
#include "query/value_ops.h"

#include <charconv>
#include <cmath>
#include <limits>

namespace gk::query {

void throwTypeError(std::string message) {
  throw QueryError(QueryErrorKind::kType, std::move(message));
}

namespace {

// Exact comparison of an integer with a float (no rounding of the integer to double, which
// would make 2^53 + 1 equal 2^53). nullopt for NaN.
std::optional<int> compareIntFloat(int64_t i, double d) {
  if (std::isnan(d)) return std::nullopt;
  if (d >= 9223372036854775808.0) return -1;
  if (d < -9223372036854775808.0) return 1;
  double whole = std::trunc(d);
  auto t = static_cast<int64_t>(whole);
  if (i < t) return -1;
  if (i > t) return 1;
  double fraction = d - whole;
  if (fraction > 0) return -1;
  if (fraction < 0) return 1;
  return 0;
}

// Numbers by value; nullopt when NaN is involved.
std::optional<int> compareNumbers(const CypherValue& a, const CypherValue& b) {
  if (a.isInt() && b.isInt()) return a.asInt() < b.asInt() ? -1 : a.asInt() > b.asInt() ? 1 : 0;
  if (a.isInt()) return compareIntFloat(a.asInt(), b.asFloat());
  if (b.isInt()) {
    auto c = compareIntFloat(b.asInt(), a.asFloat());
    if (!c) return c;
    return -*c;
  }
  double x = a.asFloat(), y = b.asFloat();
  if (std::isnan(x) || std::isnan(y)) return std::nullopt;
  return x < y ? -1 : x > y ? 1 : 0;
}

template <typename T>
int threeWay(const T& a, const T& b) {
  return a < b ? -1 : b < a ? 1 : 0;
}

int typeRank(const CypherValue& v) {
  if (v.isMap()) return 0;
  if (v.isNode()) return 1;
  if (v.isRelationship()) return 2;
  if (v.isList()) return 3;
  if (v.isPath()) return 4;
  if (v.isString()) return 5;
  if (v.isBool()) return 6;
  if (v.isNumber()) return 7;
  return 8;  // null
}

std::string formatFloat(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, d);
  std::string out(buffer, end);
  if (out.find_first_of(".e") == std::string::npos) out += ".0";
  return out;
}

[[noreturn]] void overflow(const char* what) {
  throwTypeError(std::string("integer overflow in ") + what);
}

}  // namespace

Ternary cypherEquals(const CypherValue& a, const CypherValue& b) {
  if (a.isNull() || b.isNull()) return std::nullopt;
  if (a.isNumber() && b.isNumber()) {
    auto c = compareNumbers(a, b);
    return c && *c == 0;
  }
  if (a.v.index() != b.v.index()) return false;
  if (a.isList()) {
    const CypherList &x = a.asList(), &y = b.asList();
    if (x.size() != y.size()) return false;
    bool unknown = false;
    for (size_t i = 0; i < x.size(); ++i) {
      Ternary e = cypherEquals(x[i], y[i]);
      if (!e) {
        unknown = true;
      } else if (!*e) {
        return false;
      }
    }
    if (unknown) return std::nullopt;
    return true;
  }
  if (a.isMap()) {
    const CypherMap &x = a.asMap(), &y = b.asMap();
    if (x.size() != y.size()) return false;
    bool unknown = false;
    for (size_t i = 0; i < x.size(); ++i) {
      if (x[i].first != y[i].first) return false;
      Ternary e = cypherEquals(x[i].second, y[i].second);
      if (!e) {
        unknown = true;
      } else if (!*e) {
        return false;
      }
    }
    if (unknown) return std::nullopt;
    return true;
  }
  return a.v == b.v;
}

std::optional<int> cypherCompare(const CypherValue& a, const CypherValue& b) {
  if (a.isNull() || b.isNull()) return std::nullopt;
  if (a.isNumber() && b.isNumber()) return compareNumbers(a, b);
  if (a.isString() && b.isString()) return threeWay(a.asString(), b.asString());
  if (a.isBool() && b.isBool()) return threeWay(a.asBool(), b.asBool());
  if (a.isList() && b.isList()) {
    const CypherList &x = a.asList(), &y = b.asList();
    for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
      auto c = cypherCompare(x[i], y[i]);
      if (!c) return std::nullopt;
      if (*c != 0) return c;
    }
    return threeWay(x.size(), y.size());
  }
  return std::nullopt;
}

int orderCompare(const CypherValue& a, const CypherValue& b) {
  int ra = typeRank(a), rb = typeRank(b);
  if (ra != rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0: {
      const CypherMap &x = a.asMap(), &y = b.asMap();
      for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
        if (int c = threeWay(x[i].first, y[i].first)) return c;
        if (int c = orderCompare(x[i].second, y[i].second)) return c;
      }
      return threeWay(x.size(), y.size());
    }
    case 1: return threeWay(a.asNode(), b.asNode());
    case 2: return threeWay(a.asRelationship(), b.asRelationship());
    case 3: {
      const CypherList &x = a.asList(), &y = b.asList();
      for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
        if (int c = orderCompare(x[i], y[i])) return c;
      }
      return threeWay(x.size(), y.size());
    }
    case 4: {
      const PathValue &x = a.asPath(), &y = b.asPath();
      if (int c = threeWay(x.nodes, y.nodes)) return c;
      return threeWay(x.relationships, y.relationships);
    }
    case 5: return threeWay(a.asString(), b.asString());
    case 6: return threeWay(a.asBool(), b.asBool());
    case 7: {
      if (auto c = compareNumbers(a, b)) return *c;
      bool nanA = a.isFloat() && std::isnan(a.asFloat());
      bool nanB = b.isFloat() && std::isnan(b.asFloat());
      return nanA == nanB ? 0 : nanA ? 1 : -1;  // NaN sorts above every number
    }
    default: return 0;  // null = null for sorting and grouping
  }
}

bool RowOrderLess::operator()(const std::vector<CypherValue>& a,
                              const std::vector<CypherValue>& b) const {
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (int c = orderCompare(a[i], b[i])) return c < 0;
  }
  return a.size() < b.size();
}

CypherValue arithmetic(BinaryOp op, const CypherValue& a, const CypherValue& b) {
  if (a.isNull() || b.isNull()) return {};
  auto mismatch = [&](const char* verb) -> CypherValue {
    throwTypeError(std::string("cannot ") + verb + " " + std::string(typeName(a)) + " and " +
                   std::string(typeName(b)));
  };
  if (op == BinaryOp::kAdd) {
    if (a.isString() && b.isString()) return a.asString() + b.asString();
    if (a.isList() || b.isList()) {
      CypherList out;
      if (a.isList()) {
        out = a.asList();
      } else {
        out.push_back(a);
      }
      if (b.isList()) {
        out.insert(out.end(), b.asList().begin(), b.asList().end());
      } else {
        out.push_back(b);
      }
      return out;
    }
  }
  if (!a.isNumber() || !b.isNumber()) {
    switch (op) {
      case BinaryOp::kAdd: return mismatch("add");
      case BinaryOp::kSubtract: return mismatch("subtract");
      case BinaryOp::kMultiply: return mismatch("multiply");
      case BinaryOp::kDivide: return mismatch("divide");
      case BinaryOp::kModulo: return mismatch("take the remainder of");
      default: return mismatch("raise to a power");
    }
  }
  if (op == BinaryOp::kPower) return std::pow(a.asNumber(), b.asNumber());
  if (a.isInt() && b.isInt()) {
    int64_t x = a.asInt(), y = b.asInt(), r = 0;
    switch (op) {
      case BinaryOp::kAdd:
        if (__builtin_add_overflow(x, y, &r)) overflow("addition");
        return r;
      case BinaryOp::kSubtract:
        if (__builtin_sub_overflow(x, y, &r)) overflow("subtraction");
        return r;
      case BinaryOp::kMultiply:
        if (__builtin_mul_overflow(x, y, &r)) overflow("multiplication");
        return r;
      case BinaryOp::kDivide:
        if (y == 0) throwTypeError("division by zero");
        if (x == std::numeric_limits<int64_t>::min() && y == -1) overflow("division");
        return x / y;
      case BinaryOp::kModulo:
        if (y == 0) throwTypeError("division by zero (in %)");
        if (y == -1) return int64_t{0};  // INT64_MIN % -1 is undefined behaviour in C++
        return x % y;
      default: break;
    }
  }
  double x = a.asNumber(), y = b.asNumber();
  switch (op) {
    case BinaryOp::kAdd: return x + y;
    case BinaryOp::kSubtract: return x - y;
    case BinaryOp::kMultiply: return x * y;
    case BinaryOp::kDivide: return x / y;
    case BinaryOp::kModulo: return std::fmod(x, y);
    default: break;
  }
  throwTypeError("unsupported arithmetic operator");
}

CypherValue negate(const CypherValue& a) {
  if (a.isNull()) return {};
  if (a.isInt()) {
    if (a.asInt() == std::numeric_limits<int64_t>::min()) overflow("negation");
    return -a.asInt();
  }
  if (a.isFloat()) return -a.asFloat();
  throwTypeError("cannot negate " + std::string(typeName(a)));
}

std::optional<std::string> scalarToString(const CypherValue& value) {
  if (value.isString()) return value.asString();
  if (value.isInt()) return std::to_string(value.asInt());
  if (value.isFloat()) return formatFloat(value.asFloat());
  if (value.isBool()) return std::string(value.asBool() ? "true" : "false");
  return std::nullopt;
}

std::string describeValue(const CypherValue& value) {
  if (value.isNull()) return "null";
  if (value.isString()) return "'" + value.asString() + "'";
  if (auto s = scalarToString(value)) return *s;
  if (value.isList()) {
    std::string out = "[";
    for (size_t i = 0; i < value.asList().size(); ++i) {
      if (i) out += ", ";
      out += describeValue(value.asList()[i]);
    }
    return out + "]";
  }
  if (value.isMap()) {
    std::string out = "{";
    bool first = true;
    for (const auto& [key, item] : value.asMap()) {
      if (!first) out += ", ";
      first = false;
      out += key + ": " + describeValue(item);
    }
    return out + "}";
  }
  if (value.isNode()) return "node";
  if (value.isRelationship()) return "relationship :" + value.asRelationship().type;
  return "path of length " + std::to_string(value.asPath().relationships.size());
}

}  // namespace gk::query

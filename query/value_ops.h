// Cypher's rules for values: equality and comparison with three-valued logic (null means
// "unknown"), the global sort order ORDER BY uses, equivalence for DISTINCT and grouping,
// arithmetic (integer overflow and integer division by zero are errors, never a wrap or a
// crash), string conversion. Errors are thrown as QueryError without a position; the evaluator
// adds the position of the expression that failed.
#pragma once

#include <optional>
#include <string>

#include "query/ast.h"
#include "query/cypher_value.h"
#include "query/run_query.h"

namespace gk::query {

// true, false or null (nullopt).
using Ternary = std::optional<bool>;

[[noreturn]] void throwTypeError(std::string message);

// `a = b`: null when either side is null (or a list/map holds a null that decides it); numbers
// compare by value (1 = 1.0); nodes/relationships by identity; values of different types are
// not equal.
Ternary cypherEquals(const CypherValue& a, const CypherValue& b);

// `a < b` etc.: -1/0/1 when a and b are comparable (numbers with numbers, strings, booleans,
// lists element by element), nullopt otherwise (null, or different types: `1 < 'a'` is null).
std::optional<int> cypherCompare(const CypherValue& a, const CypherValue& b);

// The total order of ORDER BY, min() and max() (openCypher's global sort order, ascending):
// Map < Node < Relationship < List < Path < String < Boolean < Number < Null; NaN above every
// other number. Values that compare 0 here are equivalent: DISTINCT and grouping use it, so
// 1 and 1.0 are one group, and null groups with null.
int orderCompare(const CypherValue& a, const CypherValue& b);
struct OrderLess {
  bool operator()(const CypherValue& a, const CypherValue& b) const {
    return orderCompare(a, b) < 0;
  }
};
struct RowOrderLess {  // lexicographic over rows of values (group keys, DISTINCT rows)
  bool operator()(const std::vector<CypherValue>& a, const std::vector<CypherValue>& b) const;
};

// Arithmetic; null in, null out. Integer results that do not fit in 64 bits are an error.
CypherValue arithmetic(BinaryOp op, const CypherValue& a, const CypherValue& b);
CypherValue negate(const CypherValue& a);

// toString(): integers in decimal, floats in shortest round-trip form with a ".0" when they
// have no fraction or exponent (1.0, 0.5, 1e+20), booleans as true/false. Other types: nullopt.
std::optional<std::string> scalarToString(const CypherValue& value);

// A short readable form of any value, for error messages and EXPLAIN ('a', [1, 2], {k: 1}).
std::string describeValue(const CypherValue& value);

}  // namespace gk::query

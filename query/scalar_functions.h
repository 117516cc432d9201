// The non-aggregate functions of query/functions.cc's table, on evaluated arguments. The
// evaluator handles the ones that need the AST (exists() of a pattern); everything else is here.
// Errors (wrong argument types, range() too long) are QueryError without a position; the
// evaluator adds the call's position.
#pragma once

#include <string_view>
#include <vector>

#include "query/cypher_value.h"
#include "query/exec_context.h"

namespace gk::query {

CypherValue callScalarFunction(ExecContext& ctx, std::string_view name,
                               std::vector<CypherValue>& args);

// True when callScalarFunction implements `name` (a test checks every table entry).
bool isScalarFunctionImplemented(std::string_view name);

// Unicode-aware helpers the string functions use (code points, not bytes).
size_t utf8Length(std::string_view s);

}  // namespace gk::query

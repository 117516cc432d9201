// The semantic checks that need no graph, run by parseQuery after the syntax is accepted:
// variables used before they are bound, aggregates where none may stand (WHERE, UNWIND, pattern
// properties, inside another aggregate), WITH items that need an alias, RETURN * with nothing in
// scope, duplicate column names, and SKIP/LIMIT values that cannot be row counts.
#pragma once

#include <optional>

#include "query/ast.h"
#include "query/error.h"

namespace gk::query {

// The first problem found, in query order; nullopt when the query is fine.
std::optional<ParseError> checkQuery(const Query& query);

}  // namespace gk::query

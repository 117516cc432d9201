// The query parser: text in, a checked Query (or the first error, with line and column) out.
// Recursive descent over the lexer's tokens, then the semantic checks that need no graph
// (checker.h): unknown functions, aggregates in WHERE, unbound variables. parseQuery never
// throws and never overflows the stack: nesting deeper than kMaxNesting is an error.
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "query/ast.h"
#include "query/error.h"

namespace gk::query {

// Parenthesised/nested constructs (expressions, lists, maps, patterns) allowed inside each other.
inline constexpr int kMaxNesting = 200;
// Height of the expression tree, counting operator chains such as a OR b OR c ... too: the
// printer, checker and destructor walk the tree recursively.
inline constexpr int kMaxTreeHeight = 2000;

struct ParseResult {
  std::unique_ptr<Query> query;     // set when there is no error
  std::optional<ParseError> error;  // the first error found
  bool ok() const { return query != nullptr; }
};

ParseResult parseQuery(std::string_view text);

// Syntax only, no semantic checks (for tests and tools that want the raw tree).
ParseResult parseQuerySyntax(std::string_view text);

// True for the words that cannot be used as an unquoted variable or alias (MATCH, WHERE, AND, ...).
bool isReservedWord(std::string_view word);

}  // namespace gk::query

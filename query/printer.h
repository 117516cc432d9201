// Prints a Query or an expression as canonical text: upper-case keywords, one space between
// tokens, single-quoted strings, the fewest parentheses that keep the meaning. Parsing the
// output gives the same tree, so tests use it for round trips and EXPLAIN for plan labels.
#pragma once

#include <string>

#include "query/ast.h"

namespace gk::query {

std::string printQuery(const Query& query);
std::string printExpr(const Expr& expr);
std::string printPattern(const PatternPart& part);

// A variable, label, key or parameter name, backtick-quoted when it would not lex as a plain
// word (or, for variables, when it is a reserved word).
std::string printName(const std::string& name, bool isVariable);

}  // namespace gk::query

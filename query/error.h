// Source positions and the one error type of the query front end. Every lexer, parser and
// checker error carries the 1-based line and column where it was found; columns count Unicode
// code points (UTF-8 continuation bytes do not advance the column), a tab counts as one.
#pragma once

#include <string>

namespace gk::query {

struct Position {
  int line = 1;
  int column = 1;
};

struct ParseError {
  int line = 1;
  int column = 1;
  std::string message;  // without the position, e.g. "expected ')' but found 'WHERE'"

  // "line 2, column 14: expected ')' but found 'WHERE'" — the form users see.
  std::string toString() const {
    return "line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + message;
  }
};

inline ParseError makeError(Position pos, std::string message) {
  return ParseError{pos.line, pos.column, std::move(message)};
}

}  // namespace gk::query

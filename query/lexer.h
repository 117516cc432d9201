// The query lexer: turns query text into tokens, each with its 1-based line and column.
// Keywords are not a token kind of their own — words are kIdentifier and the parser compares
// them case-insensitively — because most keywords are also valid property keys and labels
// (n.count, :Order). A backtick-quoted name is kQuotedIdentifier and never a keyword.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "query/error.h"

namespace gk::query {

enum class TokenKind {
  kEnd,               // end of input
  kIdentifier,        // word: [A-Za-z_][A-Za-z0-9_]*, bytes >= 0x80 count as letters
  kQuotedIdentifier,  // `any text` (`` inside is one backtick)
  kInteger,           // decimal, 0x hex or 0o octal; magnitude up to 2^63 (parser checks sign)
  kFloat,             // 1.5, .5, 1e3, 1.5E-3
  kString,            // '...' or "..." with escapes decoded to UTF-8
  kParameter,         // $name, $`quoted`, $0
  kLParen, kRParen, kLBracket, kRBracket, kLBrace, kRBrace,
  kComma, kDot, kDotDot, kColon, kPipe, kSemicolon,
  kPlus, kMinus, kStar, kSlash, kPercent, kCaret,
  kEq, kNe, kLt, kGt, kLe, kGe, kRegexMatch,  // = <> < > <= >= =~
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  Position pos;
  std::string raw;    // the source text (for "found '...'" in errors)
  std::string text;   // identifier/parameter name, or decoded string value
  uint64_t intValue = 0;  // kInteger: magnitude, at most 2^63
  double floatValue = 0;  // kFloat
};

struct LexResult {
  std::vector<Token> tokens;  // always ends with kEnd when there is no error
  std::optional<ParseError> error;
};

LexResult tokenize(std::string_view text);

// "'WHERE'" or "end of input": how an error message names a token. Long raw text is cut.
std::string describeToken(const Token& token);

}  // namespace gk::query

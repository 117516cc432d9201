// Tests for the query lexer: token kinds, positions, literals, escapes, comments and errors.
#include <catch2/catch.hpp>

#include <limits>

#include "query/lexer.h"

using gk::query::LexResult;
using gk::query::Token;
using gk::query::TokenKind;
using gk::query::tokenize;

namespace {

std::vector<TokenKind> kinds(std::string_view text) {
  LexResult result = tokenize(text);
  REQUIRE_FALSE(result.error);
  std::vector<TokenKind> out;
  for (const Token& token : result.tokens) out.push_back(token.kind);
  return out;
}

Token single(std::string_view text) {
  LexResult result = tokenize(text);
  REQUIRE_FALSE(result.error);
  REQUIRE(result.tokens.size() == 2);
  return result.tokens[0];
}

std::string errorOf(std::string_view text) {
  LexResult result = tokenize(text);
  REQUIRE(result.error);
  return result.error->toString();
}

}  // namespace

TEST_CASE("lexer: words, punctuation and end", "[query][lexer]") {
  using K = TokenKind;
  CHECK(kinds("MATCH (n:Broker) RETURN n") ==
        std::vector<K>{K::kIdentifier, K::kLParen, K::kIdentifier, K::kColon, K::kIdentifier,
                       K::kRParen, K::kIdentifier, K::kIdentifier, K::kEnd});
  CHECK(kinds("<> <= >= < > = =~ .. . , : | ; + - * / % ^ [ ] { }") ==
        std::vector<K>{K::kNe, K::kLe, K::kGe, K::kLt, K::kGt, K::kEq, K::kRegexMatch,
                       K::kDotDot, K::kDot, K::kComma, K::kColon, K::kPipe, K::kSemicolon,
                       K::kPlus, K::kMinus, K::kStar, K::kSlash, K::kPercent, K::kCaret,
                       K::kLBracket, K::kRBracket, K::kLBrace, K::kRBrace, K::kEnd});
  // Arrows are separate '-', '<' and '>' tokens; the parser assembles them.
  CHECK(kinds("<-->") == std::vector<K>{K::kLt, K::kMinus, K::kMinus, K::kGt, K::kEnd});
  CHECK(kinds("") == std::vector<K>{K::kEnd});
  CHECK(kinds("  // only a comment") == std::vector<K>{K::kEnd});
}

TEST_CASE("lexer: positions are 1-based lines and code-point columns", "[query][lexer]") {
  LexResult result = tokenize("MATCH (n)\n  WHERE n.name = 'é€😀' RETURN n");
  REQUIRE_FALSE(result.error);
  const auto& t = result.tokens;
  CHECK(t[0].pos.line == 1);
  CHECK(t[0].pos.column == 1);
  CHECK(t[1].pos.column == 7);
  CHECK(t[4].raw == "WHERE");
  CHECK(t[4].pos.line == 2);
  CHECK(t[4].pos.column == 3);
  // The string holds three multi-byte code points; RETURN comes 3 + 2 + 1 columns after its start.
  CHECK(t[9].kind == TokenKind::kString);
  CHECK(t[9].pos.column == 18);
  CHECK(t[10].raw == "RETURN");
  CHECK(t[10].pos.column == 24);
  CHECK(t.back().kind == TokenKind::kEnd);
  CHECK(t.back().pos.column == 32);
}

TEST_CASE("lexer: identifiers keep their spelling; backticks quote anything", "[query][lexer]") {
  Token word = single("MaTcH");
  CHECK(word.kind == TokenKind::kIdentifier);
  CHECK(word.text == "MaTcH");
  Token quoted = single("`weird name``s`");
  CHECK(quoted.kind == TokenKind::kQuotedIdentifier);
  CHECK(quoted.text == "weird name`s");
  CHECK(single("_x1").text == "_x1");
  CHECK(single("größe").text == "größe");
}

TEST_CASE("lexer: parameters", "[query][lexer]") {
  Token named = single("$topic");
  CHECK(named.kind == TokenKind::kParameter);
  CHECK(named.text == "topic");
  CHECK(single("$0").text == "0");
  CHECK(single("$`a b`").text == "a b");
  CHECK(errorOf("RETURN $ x") == "line 1, column 8: expected a parameter name after '$'");
}

TEST_CASE("lexer: integers", "[query][lexer]") {
  CHECK(single("0").intValue == 0);
  CHECK(single("42").intValue == 42);
  CHECK(single("0x1F").intValue == 31);
  CHECK(single("0o17").intValue == 15);
  CHECK(single("9223372036854775807").intValue == 9223372036854775807ULL);
  // 2^63 lexes (it is -9223372036854775808 after a minus); the parser refuses it alone.
  CHECK(single("9223372036854775808").intValue == 9223372036854775808ULL);
  CHECK(single("0x8000000000000000").intValue == 9223372036854775808ULL);
  CHECK(errorOf("RETURN 9223372036854775809") == "line 1, column 8: integer literal is too large");
  CHECK(errorOf("RETURN 99999999999999999999999") ==
        "line 1, column 8: integer literal is too large");
  CHECK(errorOf("RETURN 0x10000000000000000") == "line 1, column 8: integer literal is too large");
  CHECK(errorOf("RETURN 0xZ") == "line 1, column 10: invalid hexadecimal digit");
  CHECK(errorOf("RETURN 0x") == "line 1, column 8: expected hexadecimal digits after '0x'");
  CHECK(errorOf("RETURN 12abc") == "line 1, column 10: unexpected character after number");
}

TEST_CASE("lexer: floats and ranges", "[query][lexer]") {
  CHECK(single("1.5").kind == TokenKind::kFloat);
  CHECK(single("1.5").floatValue == 1.5);
  CHECK(single(".5").floatValue == 0.5);
  CHECK(single("1e3").floatValue == 1000.0);
  CHECK(single("2.5E-2").floatValue == 0.025);
  CHECK(single("1e+2").floatValue == 100.0);
  CHECK(single("1e-400").floatValue == 0.0);
  // "1..3" is a range, as in *1..3 and list[1..3].
  CHECK(kinds("1..3") == std::vector<TokenKind>{TokenKind::kInteger, TokenKind::kDotDot,
                                                 TokenKind::kInteger, TokenKind::kEnd});
  CHECK(errorOf("RETURN 1e400") == "line 1, column 8: float literal is out of range");
  CHECK(errorOf("RETURN 1e") == "line 1, column 9: expected digits in the exponent");
}

TEST_CASE("lexer: strings and escapes", "[query][lexer]") {
  CHECK(single(R"('a\'b')").text == "a'b");
  CHECK(single(R"("say \"hi\"")").text == "say \"hi\"");
  CHECK(single(R"('\\ \n \t \r \b \f')").text == "\\ \n \t \r \b \f");
  CHECK(single(R"('\u00e9')").text == "é");
  CHECK(single(R"('\u20AC')").text == "€");
  CHECK(single(R"('\uD83D\uDE00')").text == "😀");
  CHECK(single(R"('\U0001F600')").text == "😀");
  CHECK(single("'multi\nline'").text == "multi\nline");
  CHECK(errorOf("RETURN 'abc") == "line 1, column 8: unterminated string literal");
  CHECK(errorOf(R"(RETURN 'a\qb')") == "line 1, column 10: invalid escape sequence '\\q'");
  CHECK(errorOf(R"(RETURN '\u12')") == "line 1, column 9: expected 4 hex digits after '\\u'");
  CHECK(errorOf(R"(RETURN '\uD800')") == "line 1, column 9: invalid surrogate pair");
  CHECK(errorOf(R"(RETURN '\U00110000')") == "line 1, column 9: invalid Unicode code point");
}

TEST_CASE("lexer: 'it''s' is two adjacent strings", "[query][lexer]") {
  LexResult result = tokenize("'it''s'");
  REQUIRE_FALSE(result.error);
  CHECK(result.tokens.size() == 3);
}

TEST_CASE("lexer: comments", "[query][lexer]") {
  LexResult result = tokenize("MATCH // line comment\n/* block\n comment */ (n) RETURN n");
  REQUIRE_FALSE(result.error);
  CHECK(result.tokens[1].kind == TokenKind::kLParen);
  CHECK(result.tokens[1].pos.line == 3);
  CHECK(result.tokens[1].pos.column == 13);
  CHECK(errorOf("MATCH /* never closed") == "line 1, column 7: unterminated comment");
  // A slash that starts no comment is division.
  CHECK(kinds("a / b") == std::vector<TokenKind>{TokenKind::kIdentifier, TokenKind::kSlash,
                                                  TokenKind::kIdentifier, TokenKind::kEnd});
}

TEST_CASE("lexer: bad characters", "[query][lexer]") {
  CHECK(errorOf("RETURN #") == "line 1, column 8: unexpected character '#'");
  CHECK(errorOf("RETURN a != b") == "line 1, column 10: unexpected '!=': use '<>' for not equal");
  CHECK(errorOf(std::string_view("RETURN \0", 8)) == "line 1, column 8: unexpected character 0x00");
  CHECK(errorOf("RETURN `abc") == "line 1, column 8: unterminated quoted name");
  CHECK(errorOf("RETURN ``") == "line 1, column 8: empty quoted name");
}

TEST_CASE("lexer: describeToken", "[query][lexer]") {
  LexResult result = tokenize("WHERE 'a very long string literal indeed'");
  REQUIRE_FALSE(result.error);
  CHECK(gk::query::describeToken(result.tokens[0]) == "'WHERE'");
  CHECK(gk::query::describeToken(result.tokens[1]) == "string 'a very long string l...");
  CHECK(gk::query::describeToken(result.tokens[2]) == "end of input");
}

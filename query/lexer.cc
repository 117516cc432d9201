// Hand-written scanner over the UTF-8 query text; see lexer.h.
#include "query/lexer.h"

#include <charconv>
#include <cstdio>

namespace gk::query {
namespace {

bool isIdentStart(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}
bool isIdentPart(unsigned char c) { return isIdentStart(c) || (c >= '0' && c <= '9'); }
bool isDigit(unsigned char c) { return c >= '0' && c <= '9'; }
int hexValue(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void appendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// The scanner keeps its position as a byte offset plus the line/column of that byte.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  LexResult run() {
    LexResult result;
    while (true) {
      if (!skipSpaceAndComments()) break;
      if (atEnd()) {
        Token end;
        end.kind = TokenKind::kEnd;
        end.pos = here();
        result.tokens.push_back(std::move(end));
        return result;
      }
      Token token;
      if (!scanToken(token)) break;
      result.tokens.push_back(std::move(token));
    }
    result.tokens.clear();
    result.error = std::move(error_);
    return result;
  }

 private:
  bool atEnd() const { return offset_ >= text_.size(); }
  unsigned char peek(size_t ahead = 0) const {
    return offset_ + ahead < text_.size() ? static_cast<unsigned char>(text_[offset_ + ahead]) : 0;
  }
  bool has(size_t ahead) const { return offset_ + ahead < text_.size(); }
  Position here() const { return Position{line_, column_}; }

  void advance() {
    unsigned char c = peek();
    ++offset_;
    if (c == '\n') {
      ++line_;
      column_ = 1;
    } else if ((c & 0xC0) != 0x80) {
      // A UTF-8 continuation byte belongs to the code point already counted.
      ++column_;
    }
  }

  bool fail(Position pos, std::string message) {
    error_ = makeError(pos, std::move(message));
    return false;
  }

  bool skipSpaceAndComments() {
    while (!atEnd()) {
      unsigned char c = peek();
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
        advance();
      } else if (c == '/' && peek(1) == '/') {
        while (!atEnd() && peek() != '\n') advance();
      } else if (c == '/' && peek(1) == '*') {
        Position start = here();
        advance();
        advance();
        while (!(peek() == '*' && peek(1) == '/')) {
          if (atEnd()) return fail(start, "unterminated comment");
          advance();
        }
        advance();
        advance();
      } else {
        break;
      }
    }
    return true;
  }

  bool scanToken(Token& token) {
    token.pos = here();
    size_t start = offset_;
    unsigned char c = peek();
    bool ok = true;
    if (isIdentStart(c)) {
      while (!atEnd() && isIdentPart(peek())) advance();
      token.kind = TokenKind::kIdentifier;
      token.text = std::string(text_.substr(start, offset_ - start));
    } else if (c == '`') {
      token.kind = TokenKind::kQuotedIdentifier;
      ok = scanQuotedName(token.text);
    } else if (isDigit(c) || (c == '.' && isDigit(peek(1)))) {
      ok = scanNumber(token);
    } else if (c == '\'' || c == '"') {
      token.kind = TokenKind::kString;
      ok = scanString(token.text);
    } else if (c == '$') {
      token.kind = TokenKind::kParameter;
      advance();
      if (peek() == '`') {
        ok = scanQuotedName(token.text);
      } else if (isIdentPart(peek())) {
        size_t nameStart = offset_;
        while (!atEnd() && isIdentPart(peek())) advance();
        token.text = std::string(text_.substr(nameStart, offset_ - nameStart));
      } else {
        ok = fail(token.pos, "expected a parameter name after '$'");
      }
    } else {
      ok = scanPunctuation(token);
    }
    if (!ok) return false;
    token.raw = std::string(text_.substr(start, offset_ - start));
    return true;
  }

  bool scanPunctuation(Token& token) {
    unsigned char c = peek();
    unsigned char n = peek(1);
    int length = 1;
    switch (c) {
      case '(': token.kind = TokenKind::kLParen; break;
      case ')': token.kind = TokenKind::kRParen; break;
      case '[': token.kind = TokenKind::kLBracket; break;
      case ']': token.kind = TokenKind::kRBracket; break;
      case '{': token.kind = TokenKind::kLBrace; break;
      case '}': token.kind = TokenKind::kRBrace; break;
      case ',': token.kind = TokenKind::kComma; break;
      case ':': token.kind = TokenKind::kColon; break;
      case '|': token.kind = TokenKind::kPipe; break;
      case ';': token.kind = TokenKind::kSemicolon; break;
      case '+': token.kind = TokenKind::kPlus; break;
      case '-': token.kind = TokenKind::kMinus; break;
      case '*': token.kind = TokenKind::kStar; break;
      case '/': token.kind = TokenKind::kSlash; break;
      case '%': token.kind = TokenKind::kPercent; break;
      case '^': token.kind = TokenKind::kCaret; break;
      case '.':
        if (n == '.') {
          token.kind = TokenKind::kDotDot;
          length = 2;
        } else {
          token.kind = TokenKind::kDot;
        }
        break;
      case '=':
        if (n == '~') {
          token.kind = TokenKind::kRegexMatch;
          length = 2;
        } else {
          token.kind = TokenKind::kEq;
        }
        break;
      case '<':
        if (n == '>') {
          token.kind = TokenKind::kNe;
          length = 2;
        } else if (n == '=') {
          token.kind = TokenKind::kLe;
          length = 2;
        } else {
          token.kind = TokenKind::kLt;
        }
        break;
      case '>':
        if (n == '=') {
          token.kind = TokenKind::kGe;
          length = 2;
        } else {
          token.kind = TokenKind::kGt;
        }
        break;
      case '!':
        if (n == '=') return fail(here(), "unexpected '!=': use '<>' for not equal");
        [[fallthrough]];
      default: {
        char buf[48];
        if (c >= 0x20 && c < 0x7F) {
          std::snprintf(buf, sizeof buf, "unexpected character '%c'", c);
        } else {
          std::snprintf(buf, sizeof buf, "unexpected character 0x%02X", c);
        }
        return fail(here(), buf);
      }
    }
    for (int i = 0; i < length; ++i) advance();
    return true;
  }

  // At '`'. Reads up to the closing backtick; `` is a literal backtick.
  bool scanQuotedName(std::string& out) {
    Position start = here();
    advance();
    while (true) {
      if (atEnd()) return fail(start, "unterminated quoted name");
      if (peek() == '`') {
        if (peek(1) == '`') {
          out += '`';
          advance();
          advance();
          continue;
        }
        advance();
        break;
      }
      out += static_cast<char>(peek());
      advance();
    }
    if (out.empty()) return fail(start, "empty quoted name");
    return true;
  }

  bool scanNumber(Token& token) {
    Position start = here();
    size_t begin = offset_;
    if (peek() == '0' && (peek(1) == 'x' || peek(1) == 'X' || peek(1) == 'o' || peek(1) == 'O')) {
      const int base = (peek(1) == 'x' || peek(1) == 'X') ? 16 : 8;
      advance();
      advance();
      uint64_t value = 0;
      bool any = false, overflow = false;
      while (!atEnd() && isIdentPart(peek())) {
        int digit = hexValue(peek());
        if (digit < 0 || digit >= base) {
          return fail(here(), base == 16 ? "invalid hexadecimal digit" : "invalid octal digit");
        }
        if (value > ((uint64_t{1} << 63) - static_cast<uint64_t>(digit)) / base) overflow = true;
        if (!overflow) value = value * base + static_cast<uint64_t>(digit);
        any = true;
        advance();
      }
      if (!any) return fail(start, base == 16 ? "expected hexadecimal digits after '0x'"
                                              : "expected octal digits after '0o'");
      if (overflow) return fail(start, "integer literal is too large");
      token.kind = TokenKind::kInteger;
      token.intValue = value;
      return true;
    }
    bool isFloat = false;
    while (isDigit(peek())) advance();
    if (peek() == '.' && isDigit(peek(1))) {  // "1..3" is a range, not "1." then ".3"
      isFloat = true;
      advance();
      while (isDigit(peek())) advance();
    }
    if (peek() == 'e' || peek() == 'E') {
      size_t ahead = 1;
      if (peek(1) == '+' || peek(1) == '-') ahead = 2;
      if (!isDigit(peek(ahead))) return fail(here(), "expected digits in the exponent");
      isFloat = true;
      for (size_t i = 0; i < ahead; ++i) advance();
      while (isDigit(peek())) advance();
    }
    if (isIdentStart(peek())) return fail(here(), "unexpected character after number");
    std::string_view digits = text_.substr(begin, offset_ - begin);
    if (isFloat) {
      double value = 0;
      auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
      if (ec == std::errc::result_out_of_range) {
        // Underflow to zero is harmless; overflow to infinity is not a number anyone meant.
        size_t e = digits.find_first_of("eE");
        bool negativeExponent = e != std::string_view::npos && e + 1 < digits.size() &&
                                digits[e + 1] == '-';
        if (!negativeExponent) return fail(start, "float literal is out of range");
        value = 0;
      } else if (ec != std::errc()) {
        return fail(start, "invalid float literal");
      }
      token.kind = TokenKind::kFloat;
      token.floatValue = value;
      return true;
    }
    uint64_t value = 0;
    for (char ch : digits) {
      uint64_t digit = static_cast<uint64_t>(ch - '0');
      if (value > ((uint64_t{1} << 63) - digit) / 10) return fail(start, "integer literal is too large");
      value = value * 10 + digit;
    }
    token.kind = TokenKind::kInteger;
    token.intValue = value;
    return true;
  }

  bool readHex(int count, uint32_t& out) {
    out = 0;
    for (int i = 0; i < count; ++i) {
      int digit = hexValue(peek());
      if (digit < 0) return false;
      out = out * 16 + static_cast<uint32_t>(digit);
      advance();
    }
    return true;
  }

  bool scanString(std::string& out) {
    Position start = here();
    unsigned char quote = peek();
    advance();
    while (true) {
      if (atEnd()) return fail(start, "unterminated string literal");
      unsigned char c = peek();
      if (c == quote) {
        advance();
        return true;
      }
      if (c != '\\') {
        out += static_cast<char>(c);
        advance();
        continue;
      }
      Position escape = here();
      advance();
      if (atEnd()) return fail(start, "unterminated string literal");
      unsigned char e = peek();
      advance();
      switch (e) {
        case '\\': out += '\\'; break;
        case '\'': out += '\''; break;
        case '"': out += '"'; break;
        case 'b': case 'B': out += '\b'; break;
        case 'f': case 'F': out += '\f'; break;
        case 'n': case 'N': out += '\n'; break;
        case 'r': case 'R': out += '\r'; break;
        case 't': case 'T': out += '\t'; break;
        case 'u': case 'U': {
          uint32_t cp = 0;
          const int digits = e == 'u' ? 4 : 8;
          if (!readHex(digits, cp)) {
            return fail(escape, e == 'u' ? "expected 4 hex digits after '\\u'"
                                         : "expected 8 hex digits after '\\U'");
          }
          if (cp >= 0xD800 && cp <= 0xDBFF && peek() == '\\' && peek(1) == 'u') {
            // A UTF-16 surrogate pair written as two escapes, as JSON does.
            Position second = here();
            advance();
            advance();
            uint32_t low = 0;
            if (!readHex(4, low)) return fail(second, "expected 4 hex digits after '\\u'");
            if (low < 0xDC00 || low > 0xDFFF) return fail(escape, "invalid surrogate pair");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xD800 && cp <= 0xDFFF) {
            return fail(escape, "invalid surrogate pair");
          }
          if (cp > 0x10FFFF) return fail(escape, "invalid Unicode code point");
          appendUtf8(out, cp);
          break;
        }
        default: {
          std::string shown = e >= 0x20 && e < 0x7F ? std::string(1, static_cast<char>(e)) : "?";
          return fail(escape, "invalid escape sequence '\\" + shown + "'");
        }
      }
    }
  }

  std::string_view text_;
  size_t offset_ = 0;
  int line_ = 1;
  int column_ = 1;
  ParseError error_;
};

}  // namespace

LexResult tokenize(std::string_view text) { return Scanner(text).run(); }

std::string describeToken(const Token& token) {
  if (token.kind == TokenKind::kEnd) return "end of input";
  std::string raw = token.raw;
  const char* prefix = token.kind == TokenKind::kString ? "string " : "";
  if (raw.size() > 24) {
    size_t cut = 21;
    while (cut > 0 && (static_cast<unsigned char>(raw[cut]) & 0xC0) == 0x80) --cut;  // whole code points
    raw = raw.substr(0, cut) + "...";
  }
  if (*prefix) return prefix + raw;  // already quoted
  return "'" + raw + "'";
}

}  // namespace gk::query

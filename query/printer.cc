// Canonical query text; see printer.h.
#include "query/printer.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "query/parser.h"

namespace gk::query {
namespace {

// Binding strength, loosest first; a child printed where a tighter level is required gets
// parentheses.
enum Level {
  kLevelOr = 1,
  kLevelXor,
  kLevelAnd,
  kLevelNot,
  kLevelComparison,
  kLevelPredicate,
  kLevelAdditive,
  kLevelMultiplicative,
  kLevelPower,
  kLevelUnary,
  kLevelPostfix,
  kLevelAtom,
};

int binaryLevel(BinaryOp op) {
  switch (op) {
    case BinaryOp::kOr: return kLevelOr;
    case BinaryOp::kXor: return kLevelXor;
    case BinaryOp::kAnd: return kLevelAnd;
    case BinaryOp::kIn:
    case BinaryOp::kStartsWith:
    case BinaryOp::kEndsWith:
    case BinaryOp::kContains:
    case BinaryOp::kRegexMatch: return kLevelPredicate;
    case BinaryOp::kAdd:
    case BinaryOp::kSubtract: return kLevelAdditive;
    case BinaryOp::kMultiply:
    case BinaryOp::kDivide:
    case BinaryOp::kModulo: return kLevelMultiplicative;
    case BinaryOp::kPower: return kLevelPower;
  }
  return kLevelAtom;
}

const char* binaryText(BinaryOp op) {
  switch (op) {
    case BinaryOp::kOr: return "OR";
    case BinaryOp::kXor: return "XOR";
    case BinaryOp::kAnd: return "AND";
    case BinaryOp::kIn: return "IN";
    case BinaryOp::kStartsWith: return "STARTS WITH";
    case BinaryOp::kEndsWith: return "ENDS WITH";
    case BinaryOp::kContains: return "CONTAINS";
    case BinaryOp::kRegexMatch: return "=~";
    case BinaryOp::kAdd: return "+";
    case BinaryOp::kSubtract: return "-";
    case BinaryOp::kMultiply: return "*";
    case BinaryOp::kDivide: return "/";
    case BinaryOp::kModulo: return "%";
    case BinaryOp::kPower: return "^";
  }
  return "?";
}

const char* compareText(CompareOp op) {
  switch (op) {
    case CompareOp::kEq: return "=";
    case CompareOp::kNe: return "<>";
    case CompareOp::kLt: return "<";
    case CompareOp::kGt: return ">";
    case CompareOp::kLe: return "<=";
    case CompareOp::kGe: return ">=";
  }
  return "?";
}

const char* quantifierText(Quantifier q) {
  switch (q) {
    case Quantifier::kAll: return "all";
    case Quantifier::kAny: return "any";
    case Quantifier::kNone: return "none";
    case Quantifier::kSingle: return "single";
  }
  return "?";
}

int levelOf(const Expr& expr) {
  switch (expr.kind) {
    case ExprKind::kBinary: return binaryLevel(expr.binaryOp);
    case ExprKind::kComparison: return kLevelComparison;
    case ExprKind::kIsNull: return kLevelPredicate;
    case ExprKind::kUnary: return expr.unaryOp == UnaryOp::kNot ? kLevelNot : kLevelUnary;
    case ExprKind::kInteger: return expr.intValue < 0 ? kLevelUnary : kLevelAtom;
    case ExprKind::kFloat: return std::signbit(expr.floatValue) ? kLevelUnary : kLevelAtom;
    case ExprKind::kProperty:
    case ExprKind::kIndex:
    case ExprKind::kSlice:
    case ExprKind::kHasLabels: return kLevelPostfix;
    default: return kLevelAtom;
  }
}

std::string quoteString(const std::string& value) {
  std::string out = "'";
  for (char ch : value) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '\'': out += "\\'"; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20 || c == 0x7F) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04X", c);
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  return out + "'";
}

std::string formatFloat(double value) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  std::string text(buf, ec == std::errc() ? end : buf);
  // Keep it a float when read back: "2" would be an integer.
  if (text.find_first_of(".eEn") == std::string::npos) text += ".0";
  return text;
}

bool isWordByte(unsigned char c, bool first) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80 ||
         (!first && c >= '0' && c <= '9');
}

// Does the printed form of `e` begin with a relationship pattern's "(node)"? Follows the
// leftmost operand down, stopping where the printer would put it in parentheses.
bool startsWithPattern(const Expr& e) {
  const Expr* leftmost = &e;
  while (true) {
    int required;
    switch (leftmost->kind) {
      case ExprKind::kPattern: return leftmost->pattern->function == PathFunction::kNone;
      case ExprKind::kBinary: required = binaryLevel(leftmost->binaryOp); break;
      case ExprKind::kComparison:
      case ExprKind::kIsNull: required = kLevelPredicate; break;
      case ExprKind::kProperty:
      case ExprKind::kIndex:
      case ExprKind::kSlice:
      case ExprKind::kHasLabels: required = kLevelPostfix; break;
      default: return false;
    }
    const Expr& child = *leftmost->children[0];
    if (levelOf(child) < required) return false;
    leftmost = &child;
  }
}

class Printer {
 public:
  std::string expr(const Expr& e, int minLevel = 0) {
    std::string text = render(e);
    return levelOf(e) < minLevel ? "(" + text + ")" : text;
  }

  std::string pattern(const PatternPart& part) {
    std::string out;
    if (!part.pathVariable.empty()) out += printName(part.pathVariable, true) + " = ";
    std::string element = node(part.start);
    for (const auto& [r, n] : part.chain) element += rel(r) + node(n);
    switch (part.function) {
      case PathFunction::kNone: out += element; break;
      case PathFunction::kShortestPath: out += "shortestPath(" + element + ")"; break;
      case PathFunction::kAllShortestPaths: out += "allShortestPaths(" + element + ")"; break;
    }
    return out;
  }

  std::string query(const Query& q) {
    std::string out;
    if (q.explain) out += "EXPLAIN ";
    if (q.profile) out += "PROFILE ";
    for (size_t i = 0; i < q.clauses.size(); ++i) {
      if (i > 0) out += ' ';
      out += clause(q.clauses[i]);
    }
    return out;
  }

 private:
  std::string node(const NodePattern& n) {
    std::string out = "(";
    if (!n.variable.empty()) out += printName(n.variable, true);
    for (const std::string& label : n.labels) out += ":" + printName(label, false);
    if (n.properties) {
      if (out.size() > 1) out += ' ';
      out += expr(*n.properties);
    }
    return out + ")";
  }

  std::string rel(const RelPattern& r) {
    std::string inner;
    if (!r.variable.empty()) inner += printName(r.variable, true);
    for (size_t i = 0; i < r.types.size(); ++i) {
      inner += i == 0 ? ":" : "|";
      inner += printName(r.types[i], false);
    }
    if (r.varLength) {
      inner += '*';
      const VarLength& v = *r.varLength;
      if (v.minHops && v.maxHops && *v.minHops == *v.maxHops) {
        inner += std::to_string(*v.minHops);
      } else if (v.minHops || v.maxHops) {
        if (v.minHops) inner += std::to_string(*v.minHops);
        inner += "..";
        if (v.maxHops) inner += std::to_string(*v.maxHops);
      }
    }
    if (r.properties) {
      if (!inner.empty()) inner += ' ';
      inner += expr(*r.properties);
    }
    std::string body = inner.empty() ? "--" : "-[" + inner + "]-";
    switch (r.direction) {
      case Direction::kLeft: return "<" + body;
      case Direction::kRight: return body + ">";
      case Direction::kUndirected: return body;
    }
    return body;
  }

  std::string projection(const Projection& p) {
    std::string out;
    if (p.distinct) out += "DISTINCT ";
    if (p.star) out += p.items.empty() ? "*" : "*, ";
    for (size_t i = 0; i < p.items.size(); ++i) {
      if (i > 0) out += ", ";
      out += expr(*p.items[i].expr);
      if (!p.items[i].alias.empty()) out += " AS " + printName(p.items[i].alias, true);
    }
    for (size_t i = 0; i < p.orderBy.size(); ++i) {
      out += i == 0 ? " ORDER BY " : ", ";
      out += expr(*p.orderBy[i].expr);
      if (p.orderBy[i].descending) out += " DESC";
    }
    if (p.skip) out += " SKIP " + expr(*p.skip);
    if (p.limit) out += " LIMIT " + expr(*p.limit);
    return out;
  }

  std::string clause(const Clause& c) {
    std::string out;
    switch (c.kind) {
      case ClauseKind::kMatch:
        out = c.optional ? "OPTIONAL MATCH " : "MATCH ";
        for (size_t i = 0; i < c.patterns.size(); ++i) {
          if (i > 0) out += ", ";
          out += pattern(c.patterns[i]);
        }
        break;
      case ClauseKind::kUnwind:
        out = "UNWIND " + expr(*c.expr) + " AS " + printName(c.alias, true);
        break;
      case ClauseKind::kWith: out = "WITH " + projection(c.projection); break;
      case ClauseKind::kReturn: out = "RETURN " + projection(c.projection); break;
      case ClauseKind::kCall: {
        out = "CALL ";
        size_t start = 0;
        while (true) {  // each dotted part on its own, so a part needing quotes gets them
          size_t dot = c.procedure.find('.', start);
          out += printName(c.procedure.substr(start, dot - start), false);
          if (dot == std::string::npos) break;
          out += '.';
          start = dot + 1;
        }
        if (c.hasArgs) out += "(" + list(c.args) + ")";
        if (c.hasYield) {
          out += " YIELD ";
          for (size_t i = 0; i < c.yields.size(); ++i) {
            if (i > 0) out += ", ";
            out += printName(c.yields[i].name, false);
            if (!c.yields[i].alias.empty()) out += " AS " + printName(c.yields[i].alias, true);
          }
        }
        break;
      }
    }
    if (c.where) out += " WHERE " + expr(*c.where);
    return out;
  }

  std::string list(const std::vector<ExprPtr>& items) {
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
      if (i > 0) out += ", ";
      out += expr(*items[i]);
    }
    return out;
  }

  std::string render(const Expr& e) {
    switch (e.kind) {
      case ExprKind::kNull: return "null";
      case ExprKind::kBool: return e.boolValue ? "true" : "false";
      case ExprKind::kInteger: return std::to_string(e.intValue);
      case ExprKind::kFloat: return formatFloat(e.floatValue);
      case ExprKind::kString: return quoteString(e.text);
      case ExprKind::kList: {
        std::string items = list(e.children);
        // "[(a)-->(b)]" would read back as the start of a pattern comprehension.
        if (!e.children.empty() && startsWithPattern(*e.children[0])) {
          std::string first = expr(*e.children[0]);
          items = "(" + first + ")" + items.substr(first.size());
        }
        return "[" + items + "]";
      }
      case ExprKind::kMap: {
        std::string out = "{";
        for (size_t i = 0; i < e.children.size(); ++i) {
          if (i > 0) out += ", ";
          out += printName(e.names[i], false) + ": " + expr(*e.children[i]);
        }
        return out + "}";
      }
      case ExprKind::kParameter: {
        bool plain = !e.text.empty();
        for (char c : e.text) plain = plain && isWordByte(static_cast<unsigned char>(c), false);
        return "$" + (plain ? e.text : printName(e.text, false));
      }
      case ExprKind::kVariable: return printName(e.text, true);
      case ExprKind::kProperty:
        return expr(*e.children[0], kLevelPostfix) + "." + printName(e.text, false);
      case ExprKind::kIndex:
        return expr(*e.children[0], kLevelPostfix) + "[" + expr(*e.children[1]) + "]";
      case ExprKind::kSlice:
        return expr(*e.children[0], kLevelPostfix) + "[" +
               (e.children[1] ? expr(*e.children[1]) : "") + ".." +
               (e.children[2] ? expr(*e.children[2]) : "") + "]";
      case ExprKind::kHasLabels: {
        std::string out = expr(*e.children[0], kLevelPostfix);
        for (const std::string& label : e.names) out += ":" + printName(label, false);
        return out;
      }
      case ExprKind::kFunction:
        return e.text + "(" + (e.distinct ? "DISTINCT " : "") + list(e.children) + ")";
      case ExprKind::kCountStar: return "count(*)";
      case ExprKind::kUnary:
        switch (e.unaryOp) {
          case UnaryOp::kNot: return "NOT " + expr(*e.children[0], kLevelNot);
          case UnaryOp::kNegate: return "-" + expr(*e.children[0], kLevelUnary);
          case UnaryOp::kPlus: return "+" + expr(*e.children[0], kLevelUnary);
        }
        return "";
      case ExprKind::kBinary: {
        int level = binaryLevel(e.binaryOp);
        std::string right = expr(*e.children[1], level + 1);
        // "(x) - -1" and "(x) - [1]" would read back as the start of a pattern (x)--(...).
        if (e.binaryOp == BinaryOp::kSubtract && (right[0] == '-' || right[0] == '[')) {
          right = "(" + right + ")";
        }
        return expr(*e.children[0], level) + " " + binaryText(e.binaryOp) + " " + right;
      }
      case ExprKind::kComparison: {
        std::string out = expr(*e.children[0], kLevelPredicate);
        for (size_t i = 0; i < e.compareOps.size(); ++i) {
          std::string operand = expr(*e.children[i + 1], kLevelPredicate);
          // "(x) < -[1][0]" would read back as a pattern (x)<-[...].
          if (operand.size() > 1 && operand[0] == '-' && (operand[1] == '-' || operand[1] == '[')) {
            operand = "(" + operand + ")";
          }
          out += std::string(" ") + compareText(e.compareOps[i]) + " " + operand;
        }
        return out;
      }
      case ExprKind::kIsNull:
        return expr(*e.children[0], kLevelPredicate) + (e.negated ? " IS NOT NULL" : " IS NULL");
      case ExprKind::kCase: {
        std::string out = "CASE";
        if (e.children[0]) out += " " + expr(*e.children[0]);
        for (size_t i = 2; i + 1 < e.children.size(); i += 2) {
          out += " WHEN " + expr(*e.children[i]) + " THEN " + expr(*e.children[i + 1]);
        }
        if (e.children[1]) out += " ELSE " + expr(*e.children[1]);
        return out + " END";
      }
      case ExprKind::kListComprehension: {
        std::string out = "[" + printName(e.text, true) + " IN " + expr(*e.children[0]);
        if (e.children[1]) out += " WHERE " + expr(*e.children[1]);
        if (e.children[2]) out += " | " + expr(*e.children[2]);
        return out + "]";
      }
      case ExprKind::kQuantifier:
        return std::string(quantifierText(e.quantifier)) + "(" + printName(e.text, true) + " IN " +
               expr(*e.children[0]) + " WHERE " + expr(*e.children[1]) + ")";
      case ExprKind::kPattern: return pattern(*e.pattern);
      case ExprKind::kPatternComprehension: {
        std::string out = "[" + pattern(*e.pattern);
        if (e.children[0]) out += " WHERE " + expr(*e.children[0]);
        return out + " | " + expr(*e.children[1]) + "]";
      }
    }
    return "";
  }
};

}  // namespace

std::string printName(const std::string& name, bool isVariable) {
  bool plain = !name.empty() && isWordByte(static_cast<unsigned char>(name[0]), true);
  for (char c : name) plain = plain && isWordByte(static_cast<unsigned char>(c), false);
  if (plain && !(isVariable && isReservedWord(name))) return name;
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out += '`';
    out += c;
  }
  return out + "`";
}

std::string printQuery(const Query& query) { return Printer().query(query); }
std::string printExpr(const Expr& expr) { return Printer().expr(expr); }
std::string printPattern(const PatternPart& part) { return Printer().pattern(part); }

}  // namespace gk::query

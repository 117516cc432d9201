// Planner: turns a checked Query into a chain of operators (operators.h).
//
// Per MATCH the patterns are planned one after another, cheapest first. A pattern starts at the
// node that is cheapest to find:
//   - a node bound by an earlier clause or pattern (cost 0: no scan, a NodeCheck at most);
//   - NodeIndexSeek when the node has a label and an equality on an indexed property, written
//     as {p: literal-or-$param} in the pattern or as `n.p = literal-or-$param` in the WHERE
//     (a unique index costs 1 row, another one approxCount / 10);
//   - NodeByLabelScan on its label with the smallest approxCount;
//   - AllNodesScan (cost: the sum of all label counts).
// From there it expands along the pattern (rightwards, then leftwards from the start). Each
// AND-ed part of the WHERE becomes a Filter right after the step that binds the last of its
// variables. Estimated rows are simple heuristics (documented in docs/query-language.md): they
// order the choices and show in EXPLAIN, nothing depends on them for correctness.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "query/ast.h"
#include "query/evaluator.h"
#include "query/exec_context.h"
#include "query/operators.h"

namespace gk::query {

struct Plan {
  std::vector<std::unique_ptr<Operator>> operators;  // owns every operator
  std::vector<std::unique_ptr<Expr>> syntheticExprs;  // RETURN * items, made by the planner
  Operator* first = nullptr;                          // receives the one initial row
  ProduceResults* results = nullptr;
  std::vector<std::string> columns;
  size_t rowWidth = 0;

  // The plan as text, one operator per line, the result at the top and each operator's input
  // indented below it: "NodeByLabelScan (p:Partition) label Partition  (est. rows 200)".
  // With `profile`, each line also has the rows it produced and the time spent in it.
  std::string describe(bool profile) const;
};

// Throws QueryError (kSemantic) for what only planning can see: a missing parameter, an
// unknown procedure, a SKIP/LIMIT parameter that is not a non-negative integer.
std::unique_ptr<Plan> buildPlan(const Query& query, ExecContext& ctx, Evaluator& evaluator);

}  // namespace gk::query

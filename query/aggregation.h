// The aggregate functions count, collect, min, max, sum and avg (with DISTINCT), as running
// states fed one value per input row. Nulls are skipped by all of them (count(*) counts rows,
// fed a non-null marker by the Aggregate operator).
#pragma once

#include <memory>

#include "query/ast.h"
#include "query/cypher_value.h"
#include "query/exec_context.h"

namespace gk::query {

class Aggregator {
 public:
  virtual ~Aggregator() = default;
  virtual void add(const CypherValue& value) = 0;
  virtual CypherValue result() const = 0;
};

// For a kFunction (aggregate) or kCountStar node of the AST. Errors (sum of a string, an
// integer sum that overflows) are QueryError(kType) without a position.
std::unique_ptr<Aggregator> makeAggregator(const Expr& call, ExecContext& ctx);

}  // namespace gk::query

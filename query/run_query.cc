// runQuery: parse, plan, run; see run_query.h.
#include "query/run_query.h"

#include <new>

#include "query/evaluator.h"
#include "query/exec_context.h"
#include "query/parser.h"
#include "query/planner.h"

namespace gk::query {

QueryResult runQuery(const graph::GraphReader& graph, std::string_view text,
                     const graph::ValueMap& parameters, const QueryLimits& limits) {
  auto started = std::chrono::steady_clock::now();
  ParseResult parsed = parseQuery(text);
  if (!parsed.ok()) {
    throw QueryError(QueryErrorKind::kSyntax, parsed.error->toString(), parsed.error->line,
                     parsed.error->column);
  }
  const Query& query = *parsed.query;
  CypherMap params;
  for (const auto& [key, value] : parameters) params.emplace_back(key, fromGraphValue(value));
  std::sort(params.begin(), params.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });

  QueryResult result;
  try {
    ExecContext ctx(graph, std::move(params), limits);
    ctx.profiling = query.profile;
    Evaluator evaluator(ctx);
    std::unique_ptr<Plan> plan = buildPlan(query, ctx, evaluator);
    result.columns = plan->columns;
    if (query.explain) {
      result.plan = plan->describe(false);
    } else {
      Row row(plan->rowWidth);
      plan->first->push(row);
      plan->first->finish();
      if (plan->results) result.rows = std::move(plan->results->rows);
      if (query.profile) result.plan = plan->describe(true);
    }
  } catch (const QueryError&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw QueryError(QueryErrorKind::kLimit, "query ran out of memory");
  } catch (const std::length_error& e) {
    throw QueryError(QueryErrorKind::kLimit, std::string("a value grew too large: ") + e.what());
  }
  result.zxid = graph.zxid();
  result.elapsedMs =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace gk::query

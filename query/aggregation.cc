// Aggregate function states; see aggregation.h.
#include "query/aggregation.h"

#include <set>

#include "query/value_ops.h"

namespace gk::query {
namespace {

class CountAggregator : public Aggregator {
 public:
  void add(const CypherValue& v) override {
    if (!v.isNull()) ++count_;
  }
  CypherValue result() const override { return count_; }

 private:
  int64_t count_ = 0;
};

class CollectAggregator : public Aggregator {
 public:
  explicit CollectAggregator(ExecContext& ctx) : ctx_(ctx) {}
  void add(const CypherValue& v) override {
    if (v.isNull()) return;
    list_.push_back(v);
    ctx_.guard.checkRows(list_.size(), "collect()");
  }
  CypherValue result() const override { return list_; }

 private:
  ExecContext& ctx_;
  CypherList list_;
};

class ExtremeAggregator : public Aggregator {
 public:
  explicit ExtremeAggregator(bool max) : max_(max) {}
  void add(const CypherValue& v) override {
    if (v.isNull()) return;
    if (best_.isNull()) {
      best_ = v;
      return;
    }
    int c = orderCompare(v, best_);
    if (max_ ? c > 0 : c < 0) best_ = v;
  }
  CypherValue result() const override { return best_; }

 private:
  bool max_;
  CypherValue best_;
};

// sum and avg: integers stay integers (overflow is an error) until a float arrives.
class SumAggregator : public Aggregator {
 public:
  SumAggregator(bool average, std::string name) : average_(average), name_(std::move(name)) {}
  void add(const CypherValue& v) override {
    if (v.isNull()) return;
    if (!v.isNumber()) {
      throwTypeError(name_ + "() expects numbers, not " + std::string(typeName(v)));
    }
    ++count_;
    floatSum_ += v.asNumber();
    if (v.isFloat()) {
      sawFloat_ = true;
    } else if (!sawFloat_ && !average_) {
      if (__builtin_add_overflow(intSum_, v.asInt(), &intSum_)) {
        throwTypeError("integer overflow in sum()");
      }
    }
  }
  CypherValue result() const override {
    if (average_) {
      if (count_ == 0) return {};
      return floatSum_ / static_cast<double>(count_);
    }
    if (sawFloat_) return floatSum_;
    return intSum_;
  }

 private:
  bool average_;
  std::string name_;
  int64_t count_ = 0;
  int64_t intSum_ = 0;
  double floatSum_ = 0;
  bool sawFloat_ = false;
};

// DISTINCT: passes each equivalent value (1 and 1.0 are one) to the inner state once.
class DistinctAggregator : public Aggregator {
 public:
  explicit DistinctAggregator(std::unique_ptr<Aggregator> inner) : inner_(std::move(inner)) {}
  void add(const CypherValue& v) override {
    if (v.isNull()) return;
    if (seen_.insert(v).second) inner_->add(v);
  }
  CypherValue result() const override { return inner_->result(); }

 private:
  std::unique_ptr<Aggregator> inner_;
  std::set<CypherValue, OrderLess> seen_;
};

}  // namespace

std::unique_ptr<Aggregator> makeAggregator(const Expr& call, ExecContext& ctx) {
  std::unique_ptr<Aggregator> out;
  const std::string& name = call.kind == ExprKind::kCountStar ? std::string("count") : call.text;
  if (name == "count") {
    out = std::make_unique<CountAggregator>();
  } else if (name == "collect") {
    out = std::make_unique<CollectAggregator>(ctx);
  } else if (name == "min" || name == "max") {
    out = std::make_unique<ExtremeAggregator>(name == "max");
  } else if (name == "sum" || name == "avg") {
    out = std::make_unique<SumAggregator>(name == "avg", name);
  } else {
    throw QueryError(QueryErrorKind::kSemantic, "unknown aggregate function '" + name + "'");
  }
  if (call.distinct) out = std::make_unique<DistinctAggregator>(std::move(out));
  return out;
}

}  // namespace gk::query

// Query parameters (surface/params.h): `--param k=v` and JSON objects.
#include <catch2/catch.hpp>

#include "surface/params.h"

using namespace gk;
using graph::Value;
using graph::ValueList;

namespace {
const Value& get(const graph::ValueMap& m, const char* k) {
  const Value* v = graph::valueMapGet(m, k);
  REQUIRE(v != nullptr);
  return *v;
}
}  // namespace

TEST_CASE("param args: values are JSON when they parse, else the text") {
  auto p = surface::parseParamArgs({"n=3", "f=2.5", "b=true", "z=null", "s=orders",
                                    "q=\"3\"", "l=[1,\"a\"]", "m={\"k\":1}", "e=", "eq=a=b"});
  CHECK(get(p, "n") == Value(int64_t{3}));
  CHECK(get(p, "f") == Value(2.5));
  CHECK(get(p, "b") == Value(true));
  CHECK(get(p, "z").isNull());
  CHECK(get(p, "s") == Value("orders"));
  CHECK(get(p, "q") == Value("3"));  // quoted: a string, not a number
  CHECK(get(p, "l") == Value(ValueList{Value(int64_t{1}), Value("a")}));
  CHECK(get(p, "m").isMap());
  CHECK(get(p, "e") == Value(""));      // empty is not JSON: the empty string
  CHECK(get(p, "eq") == Value("a=b"));  // the first '=' splits
  // Sorted by name, as ValueMap requires.
  for (size_t i = 1; i < p.size(); ++i) CHECK(p[i - 1].first < p[i].first);
}

TEST_CASE("param args: a later value for the same name wins; $name is accepted") {
  auto p = surface::parseParamArgs({"x=1", "$x=2"});
  REQUIRE(p.size() == 1);
  CHECK(get(p, "x") == Value(int64_t{2}));
}

TEST_CASE("param args: errors") {
  CHECK_THROWS_AS(surface::parseParamArgs({"novalue"}), surface::ParamError);
  CHECK_THROWS_AS(surface::parseParamArgs({"=3"}), surface::ParamError);
  CHECK_THROWS_AS(surface::parseParamArgs({"$=3"}), surface::ParamError);
}

TEST_CASE("JSON parameters") {
  auto p = surface::paramsFromJson(nlohmann::json::parse(R"({"b":2,"a":"x"})"));
  REQUIRE(p.size() == 2);
  CHECK(p[0].first == "a");
  CHECK(surface::paramsFromJson(nlohmann::json()).empty());
  CHECK_THROWS_AS(surface::paramsFromJson(nlohmann::json::parse("[1]")), surface::ParamError);
}

// Query parameters ($name) from the command line (`--param k=v`) and from JSON (POST /query's
// "parameters" object), as the graph::ValueMap runQuery takes.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "graph/value.h"

namespace gk::surface {

class ParamError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// `k=v`: v is taken as JSON when it parses as JSON (3, 2.5, true, null, "quoted", [1,2],
// {"a":1}), otherwise as the string itself (so --param topic=orders needs no quotes).
// The name must be non-empty; the first '=' splits. Sets (replacing) the key in `params`.
void addParamArg(graph::ValueMap& params, const std::string& arg);
graph::ValueMap parseParamArgs(const std::vector<std::string>& args);

// A JSON object -> parameters. null or absent is no parameters; anything else that is not an
// object throws ParamError.
graph::ValueMap paramsFromJson(const nlohmann::json& json);

}  // namespace gk::surface

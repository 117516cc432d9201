// Query parameters from `--param k=v` and JSON (params.h).
#include "surface/params.h"

#include "surface/result_format.h"

namespace gk::surface {

void addParamArg(graph::ValueMap& params, const std::string& arg) {
  size_t eq = arg.find('=');
  if (eq == std::string::npos) {
    throw ParamError("parameter '" + arg + "' is not of the form name=value");
  }
  std::string name = arg.substr(0, eq);
  std::string text = arg.substr(eq + 1);
  if (name.empty()) throw ParamError("parameter '" + arg + "' has no name");
  if (name.front() == '$') name.erase(0, 1);  // --param '$topic=x' means the same
  if (name.empty()) throw ParamError("parameter '" + arg + "' has no name");
  // allow_exceptions=false: a value that is not JSON is simply a string.
  nlohmann::json parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  graph::Value value = parsed.is_discarded() ? graph::Value(text) : jsonToValue(parsed);
  graph::valueMapSet(params, std::move(name), std::move(value));
}

graph::ValueMap parseParamArgs(const std::vector<std::string>& args) {
  graph::ValueMap params;
  for (const auto& a : args) addParamArg(params, a);
  return params;
}

graph::ValueMap paramsFromJson(const nlohmann::json& json) {
  if (json.is_null()) return {};
  if (!json.is_object()) {
    throw ParamError(std::string("\"parameters\" must be a JSON object, not ") + json.type_name());
  }
  return jsonToValue(json).asMap();
}

}  // namespace gk::surface

// Shared CLI pieces (cli_common.h).
#include "engine/cli_common.h"

#include <filesystem>

#include <nlohmann/json.hpp>

#include "engine/http_client.h"
#include "engine/query_service.h"
#include "surface/result_format.h"

namespace gk::engine::cli {

namespace fs = std::filesystem;

ServerConfig loadCliConfig(const std::string& configPath) {
  std::string path = configPath;
  std::error_code ec;
  if (path.empty()) {
    if (!fs::exists("conf/zoo.cfg", ec)) return defaultConfig();
    path = "conf/zoo.cfg";
  } else if (fs::is_directory(path, ec)) {
    path = (fs::path(path) / "zoo.cfg").string();
  }
  return loadConfig(path);
}

std::string reachableHost(const std::string& a) {
  if (a.empty() || a == "0.0.0.0") return "127.0.0.1";
  if (a == "::" || a == "[::]") return "::1";
  if (a.size() > 2 && a.front() == '[' && a.back() == ']') return a.substr(1, a.size() - 2);
  return a;
}

QueryFailure failureOf(const query::QueryError& e) {
  QueryFailure f;
  f.kind = queryErrorKindName(e.kind());
  f.message = bareMessage(e);
  f.line = e.line();
  f.column = e.column();
  return f;
}

std::string describe(const QueryFailure& f) {
  if (f.line > 0) {
    return "line " + std::to_string(f.line) + ", column " + std::to_string(f.column) + ": " +
           f.message;
  }
  return f.kind + " error: " + f.message;
}

std::optional<query::QueryResult> postQuery(const std::string& host, int port,
                                            const std::string& text,
                                            const graph::ValueMap& params,
                                            std::optional<int64_t> timeoutMs,
                                            std::optional<int64_t> maxRows,
                                            QueryFailure& failure) {
  nlohmann::ordered_json req;
  req["query"] = text;
  req["parameters"] = surface::valueToJson(graph::Value(params));
  if (timeoutMs) req["timeoutMs"] = *timeoutMs;
  if (maxRows) req["maxRows"] = *maxRows;
  // The server stops a query at its own limit (30 s unless configured); wait a little longer
  // than any limit we asked for, and never forever.
  auto wait = std::chrono::milliseconds(timeoutMs ? *timeoutMs + 10'000 : 310'000);
  HttpResponse resp;
  try {
    resp = httpPost(host, port, "/query", "application/json", surface::dumpJson(req), wait);
  } catch (const HttpError& e) {
    failure = QueryFailure{"connection", e.what(), 0, 0, 0};
    return std::nullopt;
  }
  nlohmann::json body = nlohmann::json::parse(resp.body, nullptr, false);
  if (resp.status == 200 && !body.is_discarded()) {
    try {
      return surface::resultFromJson(body);
    } catch (const std::exception& e) {
      failure = QueryFailure{"protocol", e.what(), 0, 0, resp.status};
      return std::nullopt;
    }
  }
  failure = QueryFailure{"http", "HTTP " + std::to_string(resp.status), 0, 0, resp.status};
  if (!body.is_discarded() && body.is_object() && body.contains("error") &&
      body["error"].is_object()) {
    const auto& e = body["error"];
    failure.kind = e.value("kind", "error");
    failure.message = e.value("message", "");
    failure.line = e.value("line", 0);
    failure.column = e.value("column", 0);
  } else if (resp.status == 404) {
    failure.message = "HTTP 404: " + host + ":" + std::to_string(port) +
                      " has no /query (is it GraphKeeper's admin port?)";
  }
  return std::nullopt;
}

}  // namespace gk::engine::cli

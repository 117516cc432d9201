// `graphkeeper query`: one query, against a running server (POST /query on its admin port) or
// embedded over a data directory opened read-only (gk::Store, beside a running server).
#include <unistd.h>

#include <iostream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "engine/cli_common.h"
#include "engine/cli_query.h"
#include "engine/http_client.h"
#include "graph/znode_store.h"
#include "surface/params.h"
#include "surface/result_format.h"
#include "surface/store.h"

namespace gk::engine::cli {

namespace {

struct QueryOptions {
  std::string text;
  bool haveText = false;
  std::vector<std::string> params;
  surface::OutputFormat format = surface::OutputFormat::kTable;
  std::string server;   // host:port of the admin server
  std::string dataDir;  // embedded mode
  std::string configPath;
  std::optional<int64_t> timeoutMs;
  std::optional<int64_t> maxRows;
};

int usage(std::ostream& out, int code) {
  out << "Usage: graphkeeper query '<cypher>' [--param name=value]... [--format table|json|csv]\n"
         "           [--server host:port | --data-dir DIR] [--config FILE|DIR]\n"
         "           [--timeout-ms N] [--max-rows N]\n"
         "  --server    the admin port of a running server (default: admin.serverAddress and\n"
         "              admin.serverPort from the configuration)\n"
         "  --data-dir  query the store in DIR directly, read-only (a server may be running)\n"
         "  --param     $name's value: JSON if it parses as JSON, else the text itself\n"
         "  The query is read from stdin when not given (or given as -).\n";
  return code;
}

std::optional<int64_t> positive(const std::string& text) {
  try {
    size_t used = 0;
    long long v = std::stoll(text, &used);
    if (used == text.size() && v > 0) return v;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

// Fills `o`; prints the problem and returns false on bad usage.
bool parse(int argc, char** argv, QueryOptions& o) {
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    std::string flag = a, value;
    bool hasInline = false;
    if (a.rfind("--", 0) == 0) {
      if (size_t eq = a.find('='); eq != std::string::npos) {
        flag = a.substr(0, eq);
        value = a.substr(eq + 1);
        hasInline = true;
      }
    }
    auto next = [&]() -> std::optional<std::string> {
      if (hasInline) return value;
      if (i + 1 >= argc) {
        std::cerr << "graphkeeper query: " << flag << " needs a value\n";
        return std::nullopt;
      }
      return std::string(argv[++i]);
    };
    if (flag == "--param" || flag == "-p") {
      auto v = next();
      if (!v) return false;
      o.params.push_back(*v);
    } else if (flag == "--format" || flag == "-f") {
      auto v = next();
      if (!v) return false;
      if (!surface::parseOutputFormat(*v, o.format)) {
        std::cerr << "graphkeeper query: unknown format '" << *v << "' (table, json or csv)\n";
        return false;
      }
    } else if (flag == "--server") {
      auto v = next();
      if (!v) return false;
      o.server = *v;
    } else if (flag == "--data-dir") {
      auto v = next();
      if (!v) return false;
      o.dataDir = *v;
    } else if (flag == "--config") {
      auto v = next();
      if (!v) return false;
      o.configPath = *v;
    } else if (flag == "--timeout-ms" || flag == "--max-rows") {
      auto v = next();
      if (!v) return false;
      auto n = positive(*v);
      if (!n) {
        std::cerr << "graphkeeper query: " << flag << " needs a positive integer\n";
        return false;
      }
      (flag == "--timeout-ms" ? o.timeoutMs : o.maxRows) = n;
    } else if (a == "-") {
      if (o.haveText) return false;
      std::string all((std::istreambuf_iterator<char>(std::cin)), {});
      o.text = all;
      o.haveText = true;
    } else if (a.size() > 1 && a[0] == '-' && !o.haveText) {
      std::cerr << "graphkeeper query: unknown option " << a << "\n";
      return false;
    } else if (!o.haveText) {
      o.text = a;
      o.haveText = true;
    } else {
      std::cerr << "graphkeeper query: more than one query given (quote the query)\n";
      return false;
    }
  }
  if (!o.server.empty() && !o.dataDir.empty()) {
    std::cerr << "graphkeeper query: --server and --data-dir exclude each other\n";
    return false;
  }
  return true;
}

int printResult(const query::QueryResult& r, surface::OutputFormat format) {
  std::cout << surface::format(r, format) << std::flush;
  return kExitOk;
}

int fail(const QueryFailure& f) {
  std::cerr << describe(f) << std::endl;
  return kExitFailed;
}

}  // namespace

int queryCommand(int argc, char** argv) {
  QueryOptions o;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-h" || a == "--help") return usage(std::cout, kExitOk);
  }
  if (!parse(argc, argv, o)) return usage(std::cerr, kExitUsage);
  if (!o.haveText) {
    if (::isatty(STDIN_FILENO)) return usage(std::cerr, kExitUsage);
    o.text.assign(std::istreambuf_iterator<char>(std::cin), {});
  }
  graph::ValueMap params;
  try {
    params = surface::parseParamArgs(o.params);
  } catch (const surface::ParamError& e) {
    std::cerr << "graphkeeper query: " << e.what() << std::endl;
    return kExitUsage;
  }

  if (!o.dataDir.empty()) {
    // Embedded: this process opens the LMDB environment read-only; a server may be writing.
    query::QueryLimits limits;
    if (o.timeoutMs) limits.timeout = std::chrono::milliseconds(*o.timeoutMs);
    if (o.maxRows) limits.maxRows = uint64_t(*o.maxRows);
    try {
      auto store = gk::Store::open(o.dataDir, /*readOnly=*/true);
      return printResult(store.query(o.text, params, limits), o.format);
    } catch (const query::QueryError& e) {
      return fail(failureOf(e));
    } catch (const std::exception& e) {
      std::cerr << "graphkeeper query: " << e.what() << std::endl;
      return kExitFailed;
    }
  }

  std::string host;
  int port = 0;
  if (!o.server.empty()) {
    if (!splitHostPort(o.server, host, port)) {
      std::cerr << "graphkeeper query: --server '" << o.server << "' is not host:port\n";
      return kExitUsage;
    }
  } else {
    ServerConfig cfg;
    try {
      cfg = loadCliConfig(o.configPath);
    } catch (const ConfigError& e) {
      std::cerr << e.what() << std::endl;
      return kExitUsage;
    }
    if (!cfg.adminEnableServer) {
      std::cerr << "graphkeeper query: the admin server is off in the configuration "
                   "(admin.enableServer=false); pass --server host:port or --data-dir DIR\n";
      return kExitUsage;
    }
    host = reachableHost(cfg.adminServerAddress);
    port = cfg.adminServerPort;
  }
  QueryFailure failure;
  auto result = postQuery(host, port, o.text, params, o.timeoutMs, o.maxRows, failure);
  if (!result) return fail(failure);
  return printResult(*result, o.format);
}

}  // namespace gk::engine::cli

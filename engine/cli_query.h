// `graphkeeper query` and `graphkeeper shell`: the command-line ways into the query language.
#pragma once

namespace gk::engine::cli {

// graphkeeper query 'MATCH ...' [--param k=v]... [--format table|json|csv]
//     [--server host:port | --data-dir DIR] [--config FILE|DIR] [--timeout-ms N] [--max-rows N]
// args: everything after "query". Returns the exit code.
int queryCommand(int argc, char** argv);

// graphkeeper shell [--server host:port] [--admin host:port] [--config FILE|DIR]
int shellCommand(int argc, char** argv);

}  // namespace gk::engine::cli

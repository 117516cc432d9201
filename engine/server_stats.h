// What srvr, stat, mntr, cons, dump, envi, dirs and the AdminServer print about a server: one
// ServerStats gathered from the server's shared state and its connections. Loop thread only.
#pragma once

#include <string>

#include "engine/net/connection_manager.h"
#include "engine/four_letter.h"
#include "engine/server_context.h"

namespace gk::engine {

// `asking`: the connection a four-letter word came on (cons shows it as not interested in
// reads, as ZooKeeper does), or null. `outstanding`: the write chain's unanswered requests.
ServerStats gatherServerStats(ServerContext& ctx, const ConnectionManager& conns,
                              size_t outstanding, const std::string& mode,
                              const Connection* asking);

}  // namespace gk::engine

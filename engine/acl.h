// ACLs as ZooKeeper checks them (PrepRequestProcessor.fixupACL / ZooKeeperServer.checkACL):
// the schemes world, auth, digest and ip; `Requester` is who asks and what it authenticated as.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "graph/znode.h"

namespace gk::engine {

// Who is asking: the session and the identities it authenticated as.
struct Requester {
  int64_t sessionId = 0;
  std::vector<graph::Acl> authIds;  // perms unused; scheme + id (e.g. ip:127.0.0.1)
};

// Fixes up a create/setACL ACL list: duplicates removed, `auth` expanded to the requester's
// authenticated ids. Returns err::kInvalidAcl when the list cannot stand (empty, bad scheme
// or id, `auth` without authentication), as ZooKeeper 3.8 does for create and setACL alike.
int32_t fixupAcl(const Requester& who, const graph::AclList& in, graph::AclList& out);

// Whether the requester holds `perm` on a node with this ACL.
bool aclAllows(const Requester& who, const graph::AclList& acl, int32_t perm);

// Whether `address` (dotted IPv4 or IPv6 text) lies in `spec` ("10.0.0.0/8", "127.0.0.1").
bool ipMatches(const std::string& spec, const std::string& address);

}  // namespace gk::engine

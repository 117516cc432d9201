// ACLs as ZooKeeper checks them (PrepRequestProcessor.fixupACL / ZooKeeperServer.checkACL):
// the schemes world, auth, digest and ip; `Requester` is who asks and what it authenticated as.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "graph/znode.h"

namespace gk::engine {

// Who is asking: the session and the identities it authenticated as.
struct Requester {
  int64_t sessionId = 0;
  std::vector<graph::Acl> authIds;  // perms unused; scheme + id (e.g. ip:127.0.0.1)
  // zookeeper.skipACL=yes: ZooKeeperServer.checkACL passes everything (fixupAcl still
  // refuses malformed lists). A server-wide setting, copied onto every connection.
  bool skipAcl = false;
};

// Fixes up a create/setACL ACL list: duplicates removed, `auth` expanded to the requester's
// authenticated ids. Returns err::kInvalidAcl when the list cannot stand (empty, bad scheme
// or id, `auth` without authentication), as ZooKeeper 3.8 does for create and setACL alike.
int32_t fixupAcl(const Requester& who, const graph::AclList& in, graph::AclList& out);

// Whether the requester holds `perm` on a node with this ACL.
bool aclAllows(const Requester& who, const graph::AclList& acl, int32_t perm);

// Whether `address` (the client's dotted IPv4 text, or an IPv4-mapped IPv6 address) lies in
// `spec` ("10.0.0.0/8", "127.0.0.1"). ZooKeeper 3.8's IPAuthenticationProvider knows IPv4 only.
bool ipMatches(const std::string& spec, const std::string& address);

// getACL's answer: the list as is for a requester with ADMIN, otherwise with every digest id
// cut to "user:x" (FinalRequestProcessor hides the password hashes from mere readers).
graph::AclList aclForReader(const Requester& who, const graph::AclList& acl);

// whoAmI's user name for an authenticated id: digest "user:hash" -> "user"; others as they are.
std::string authUserName(const graph::Acl& id);

// Adds an authenticated id unless the requester already has it (ServerCnxn.addAuthInfo).
void addAuthId(Requester& who, const std::string& scheme, const std::string& id);

// System properties (config.h's systemProperties) the ACL checks read.
// zookeeper.skipACL: on only for exactly "yes".
bool skipAclEnabled(const std::map<std::string, std::string>& systemProperties);
// zookeeper.DigestAuthenticationProvider.superDigest ("super:base64(sha1(super:password))"),
// empty when unset: a digest login whose id equals it also gets the id super:"".
std::string superDigest(const std::map<std::string, std::string>& systemProperties);

}  // namespace gk::engine

#include "engine/acl.h"

#include <algorithm>
#include <cstring>

#include "engine/proto.h"

namespace gk::engine {

namespace {

// Java's Integer.parseInt: an optional sign, then one or more decimal digits, within int32.
bool javaParseInt(const std::string& s, int64_t& out) {
  size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  if (i == s.size()) return false;
  int64_t v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
    if (v > int64_t(1) << 31) return false;
  }
  out = negative ? -v : v;
  return out >= INT32_MIN && out <= INT32_MAX;
}

// IPAuthenticationProvider.v4addr2Bytes: addr.split("\\.", -1) must give four parts, each
// Integer.parseInt-able into 0..255 (so "010" and "+1" pass). 3.8 has no IPv6 form.
bool v4Bytes(const std::string& text, unsigned char out[4]) {
  size_t start = 0;
  for (int part = 0; part < 4; ++part) {
    size_t dot = text.find('.', start);
    if ((part < 3) != (dot != std::string::npos)) return false;  // exactly three dots
    std::string field = text.substr(start, dot == std::string::npos ? std::string::npos
                                                                     : dot - start);
    int64_t v = 0;
    if (!javaParseInt(field, v) || v < 0 || v > 255) return false;
    out[part] = static_cast<unsigned char>(v);
    start = dot + 1;
  }
  return true;
}

// An ip ACL id, "address" or "address/bits" (id.split("/", 2)): the address bytes and the
// prefix length, 32 if none; false when either part is malformed (isValid).
bool parseIpSpec(const std::string& spec, unsigned char out[4], int& bits) {
  size_t slash = spec.find('/');
  if (!v4Bytes(spec.substr(0, slash), out)) return false;
  bits = 32;
  if (slash == std::string::npos) return true;
  int64_t b = 0;
  if (!javaParseInt(spec.substr(slash + 1), b) || b < 0 || b > 32) return false;
  bits = int(b);
  return true;
}

// DigestAuthenticationProvider.isValid: id.split(":").length == 2, where Java's split drops
// trailing empty fields ("a:b:" is valid, "a:" and "a:b:c" are not).
bool validDigestId(const std::string& id) {
  size_t end = id.size();
  while (end > 0 && id[end - 1] == ':') --end;  // trailing empty fields
  if (end == 0) return false;                    // nothing but separators, or empty
  return std::count(id.begin(), id.begin() + long(end), ':') == 1;
}

}  // namespace

bool ipMatches(const std::string& spec, const std::string& address) {
  unsigned char a[4], b[4];
  int bits = 0;
  if (!parseIpSpec(spec, a, bits)) return false;
  // Java sees an IPv4 client on a dual-stack socket (::ffff:a.b.c.d) as the IPv4 address.
  std::string remote = address;
  if (remote.size() > 7 && (remote.compare(0, 7, "::ffff:") == 0 ||
                            remote.compare(0, 7, "::FFFF:") == 0)) {
    remote = remote.substr(7);
  }
  if (!v4Bytes(remote, b)) return false;  // an IPv6 client matches no ip ACL in 3.8
  for (int i = 0; i < bits; ++i) {
    unsigned char mask = static_cast<unsigned char>(0x80u >> (i % 8));
    if ((a[i / 8] & mask) != (b[i / 8] & mask)) return false;
  }
  return true;
}

int32_t fixupAcl(const Requester& who, const graph::AclList& in, graph::AclList& out) {
  out.clear();
  // removeDuplicates first, then refuse an empty list, for create as for setACL (clients
  // such as kazoo and zkCli send OPEN_ACL_UNSAFE when the caller gives none).
  graph::AclList unique;
  for (const auto& a : in) {
    if (std::find(unique.begin(), unique.end(), a) == unique.end()) unique.push_back(a);
  }
  if (unique.empty()) return err::kInvalidAcl;
  // What the expansion of `auth` adds is not deduplicated again: on ZooKeeper 3.8.0,
  // [digest:a:h, auth] created by a reads back with digest:a:h twice.
  for (const auto& a : unique) {
    if (a.scheme == "world" && a.id == "anyone") {
      out.push_back(a);
    } else if (a.scheme == "auth") {
      // Every id the requester authenticated as whose provider says isAuthenticated():
      // digest only (ip is not an authentication, super has no provider).
      bool any = false;
      for (const auto& id : who.authIds) {
        if (id.scheme != "digest") continue;
        out.push_back(graph::Acl{a.perms, id.scheme, id.id});
        any = true;
      }
      if (!any) return err::kInvalidAcl;
    } else if (a.scheme == "digest") {
      if (!validDigestId(a.id)) return err::kInvalidAcl;
      out.push_back(a);
    } else if (a.scheme == "ip") {
      unsigned char bytes[4];
      int bits = 0;
      if (!parseIpSpec(a.id, bytes, bits)) return err::kInvalidAcl;
      out.push_back(a);
    } else {
      return err::kInvalidAcl;  // no such authentication provider (world:other included)
    }
  }
  return err::kOk;
}

bool aclAllows(const Requester& who, const graph::AclList& acl, int32_t perm) {
  if (who.skipAcl || acl.empty()) return true;
  for (const auto& id : who.authIds) {
    if (id.scheme == "super") return true;
  }
  for (const auto& a : acl) {
    if ((a.perms & perm) == 0) continue;
    if (a.scheme == "world" && a.id == "anyone") return true;
    if (a.scheme != "ip" && a.scheme != "digest") continue;  // no provider, matches nothing
    for (const auto& id : who.authIds) {
      if (id.scheme != a.scheme) continue;
      if (a.scheme == "ip" ? ipMatches(a.id, id.id) : a.id == id.id) return true;
    }
  }
  return false;
}

graph::AclList aclForReader(const Requester& who, const graph::AclList& acl) {
  if (aclAllows(who, acl, perm::kAdmin)) return acl;
  graph::AclList out = acl;
  for (auto& a : out) {
    // id.replaceAll(":.*", ":x"): from the first ':' to the end of the line.
    if (a.scheme != "digest") continue;
    size_t colon = a.id.find(':');
    if (colon == std::string::npos) continue;
    size_t eol = a.id.find_first_of("\n\r", colon);
    a.id = a.id.substr(0, colon) + ":x" + (eol == std::string::npos ? "" : a.id.substr(eol));
  }
  return out;
}

std::string authUserName(const graph::Acl& id) {
  if (id.scheme != "digest") return id.id;
  return id.id.substr(0, id.id.find(':'));  // id.split(":")[0]
}

void addAuthId(Requester& who, const std::string& scheme, const std::string& id) {
  graph::Acl a{0, scheme, id};
  if (std::find(who.authIds.begin(), who.authIds.end(), a) == who.authIds.end()) {
    who.authIds.push_back(std::move(a));
  }
}

bool skipAclEnabled(const std::map<std::string, std::string>& systemProperties) {
  auto it = systemProperties.find("zookeeper.skipACL");
  return it != systemProperties.end() && it->second == "yes";
}

std::string superDigest(const std::map<std::string, std::string>& systemProperties) {
  auto it = systemProperties.find("zookeeper.DigestAuthenticationProvider.superDigest");
  return it == systemProperties.end() ? std::string() : it->second;
}

}  // namespace gk::engine

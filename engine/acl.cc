#include "engine/acl.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "engine/proto.h"

namespace gk::engine {

namespace {

// Parses an IPv4/IPv6 address into bytes; false if it is neither.
bool parseIp(const std::string& text, unsigned char out[16], int& len) {
  if (inet_pton(AF_INET, text.c_str(), out) == 1) {
    len = 4;
    return true;
  }
  if (inet_pton(AF_INET6, text.c_str(), out) == 1) {
    len = 16;
    return true;
  }
  return false;
}

// An ip ACL id, "address" or "address/bits" (IPAuthenticationProvider): the address bytes
// and the prefix length, whole address if none; false when either part is malformed.
bool parseIpSpec(const std::string& spec, unsigned char out[16], int& len, int& bits) {
  std::string addr = spec;
  std::string b;
  bool hasBits = false;
  if (auto slash = spec.find('/'); slash != std::string::npos) {
    addr = spec.substr(0, slash);
    b = spec.substr(slash + 1);
    hasBits = true;
  }
  if (!parseIp(addr, out, len)) return false;
  bits = len * 8;
  if (!hasBits) return true;
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (b.empty() || b.size() > 3 || !std::all_of(b.begin(), b.end(), digit)) return false;
  bits = std::stoi(b);
  return bits <= len * 8;
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
  unsigned char a[16], b[16];
  int alen = 0, blen = 0, bits = 0;
  if (!parseIpSpec(spec, a, alen, bits) || !parseIp(address, b, blen)) return false;
  // Java sees an IPv4 client on a dual-stack socket (::ffff:a.b.c.d) as the IPv4 address.
  static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (alen == 4 && blen == 16 && std::memcmp(b, kMapped, 12) == 0) {
    std::memmove(b, b + 12, 4);
    blen = 4;
  }
  if (alen != blen) return false;
  for (int i = 0; i < bits; ++i) {
    unsigned char mask = static_cast<unsigned char>(0x80u >> (i % 8));
    if ((a[i / 8] & mask) != (b[i / 8] & mask)) return false;
  }
  return true;
}

int32_t fixupAcl(const Requester& who, const graph::AclList& in, graph::AclList& out) {
  out.clear();
  // ZooKeeper 3.8 refuses an empty list for create as for setACL (clients such as kazoo and
  // zkCli send OPEN_ACL_UNSAFE when the caller gives none).
  if (in.empty()) return err::kInvalidAcl;
  auto add = [&out](graph::Acl a) {
    if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(std::move(a));
  };
  for (const auto& a : in) {
    if (a.scheme == "world") {
      if (a.id != "anyone") return err::kInvalidAcl;
      add(a);
    } else if (a.scheme == "auth") {
      // Stands for every id the requester authenticated as (ip is not an authentication).
      bool any = false;
      for (const auto& id : who.authIds) {
        if (id.scheme == "ip") continue;
        add(graph::Acl{a.perms, id.scheme, id.id});
        any = true;
      }
      if (!any) return err::kInvalidAcl;
    } else if (a.scheme == "digest") {
      if (!validDigestId(a.id)) return err::kInvalidAcl;
      add(a);
    } else if (a.scheme == "ip") {
      unsigned char bytes[16];
      int len = 0, bits = 0;
      if (!parseIpSpec(a.id, bytes, len, bits)) return err::kInvalidAcl;
      add(a);
    } else {
      return err::kInvalidAcl;  // no such authentication provider here
    }
  }
  return err::kOk;
}

bool aclAllows(const Requester& who, const graph::AclList& acl, int32_t perm) {
  if (acl.empty()) return true;
  for (const auto& id : who.authIds) {
    if (id.scheme == "super") return true;
  }
  for (const auto& a : acl) {
    if ((a.perms & perm) == 0) continue;
    if (a.scheme == "world" && a.id == "anyone") return true;
    for (const auto& id : who.authIds) {
      if (id.scheme != a.scheme) continue;
      if (a.scheme == "ip" ? ipMatches(a.id, id.id) : a.id == id.id) return true;
    }
  }
  return false;
}

}  // namespace gk::engine

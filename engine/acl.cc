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

bool validIpSpec(const std::string& spec) {
  std::string addr = spec;
  int bits = -1;
  if (auto slash = spec.find('/'); slash != std::string::npos) {
    addr = spec.substr(0, slash);
    std::string b = spec.substr(slash + 1);
    if (b.empty() || b.size() > 3 || !std::all_of(b.begin(), b.end(), ::isdigit)) return false;
    bits = std::stoi(b);
  }
  unsigned char bytes[16];
  int len = 0;
  if (!parseIp(addr, bytes, len)) return false;
  return bits <= len * 8;
}

}  // namespace

bool ipMatches(const std::string& spec, const std::string& address) {
  std::string addr = spec;
  int bits = -1;
  if (auto slash = spec.find('/'); slash != std::string::npos) {
    addr = spec.substr(0, slash);
    try {
      bits = std::stoi(spec.substr(slash + 1));
    } catch (...) {
      return false;
    }
  }
  unsigned char a[16], b[16];
  int alen = 0, blen = 0;
  if (!parseIp(addr, a, alen) || !parseIp(address, b, blen) || alen != blen) return false;
  if (bits < 0 || bits > alen * 8) bits = alen * 8;
  for (int i = 0; i < bits; ++i) {
    unsigned char mask = static_cast<unsigned char>(0x80u >> (i % 8));
    if ((a[i / 8] & mask) != (b[i / 8] & mask)) return false;
  }
  return true;
}

int32_t fixupAcl(const Requester& who, const graph::AclList& in, graph::AclList& out) {
  out.clear();
  if (in.empty()) {
    out.push_back(graph::Acl{perm::kAll, "world", "anyone"});
    return err::kOk;
  }
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
      if (a.id.find(':') == std::string::npos) return err::kInvalidAcl;
      add(a);
    } else if (a.scheme == "ip") {
      if (!validIpSpec(a.id)) return err::kInvalidAcl;
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

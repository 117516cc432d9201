// ACLs (engine/acl.cc) against ZooKeeper 3.8's PrepRequestProcessor.fixupACL,
// ZooKeeperServer.checkACL and the ip/digest authentication providers' isValid/matches.
#include <catch2/catch.hpp>

#include <string>

#include "engine/acl.h"
#include "engine/proto.h"

using namespace gk::engine;
using gk::graph::Acl;
using gk::graph::AclList;

namespace {

Requester anonymous(const std::string& ip = "127.0.0.1") { return Requester{1, {Acl{0, "ip", ip}}}; }

Requester digestUser(const std::string& id, const std::string& ip = "127.0.0.1") {
  return Requester{2, {Acl{0, "ip", ip}, Acl{0, "digest", id}}};
}

int32_t fixup(const Requester& who, const AclList& in, AclList& out) { return fixupAcl(who, in, out); }

}  // namespace

TEST_CASE("fixupAcl: an empty list is INVALIDACL, for create as for setACL", "[acl]") {
  // ZooKeeper 3.8.0 answers a raw create with zero ACL entries with INVALIDACL (-114);
  // kazoo and zkCli never send one (they substitute OPEN_ACL_UNSAFE).
  AclList out{Acl{1, "stale", "entry"}};
  CHECK(fixup(anonymous(), {}, out) == err::kInvalidAcl);
  CHECK(out.empty());
  CHECK(fixup(digestUser("a:1"), {}, out) == err::kInvalidAcl);
}

TEST_CASE("fixupAcl: a valid list is returned as is, output replaced", "[acl]") {
  AclList out{Acl{1, "stale", "entry"}};
  CHECK(fixup(anonymous(), {Acl{perm::kAll, "world", "anyone"}}, out) == err::kOk);
  CHECK(out == AclList{Acl{perm::kAll, "world", "anyone"}});
  CHECK(perm::kAll == 31);
}

TEST_CASE("fixupAcl: duplicate entries are removed, order kept", "[acl]") {
  AclList out;
  AclList in{Acl{31, "world", "anyone"}, Acl{1, "digest", "a:x"}, Acl{31, "world", "anyone"},
             Acl{1, "digest", "a:x"}, Acl{3, "digest", "a:x"}};
  CHECK(fixup(anonymous(), in, out) == err::kOk);
  // Same id with other permissions is a different entry.
  CHECK(out == AclList{Acl{31, "world", "anyone"}, Acl{1, "digest", "a:x"}, Acl{3, "digest", "a:x"}});
}

TEST_CASE("fixupAcl: world only with the id anyone", "[acl]") {
  AclList out;
  CHECK(fixup(anonymous(), {Acl{31, "world", "anyone"}}, out) == err::kOk);
  CHECK(fixup(anonymous(), {Acl{31, "world", "someone"}}, out) == err::kInvalidAcl);
  CHECK(fixup(anonymous(), {Acl{31, "world", ""}}, out) == err::kInvalidAcl);
  CHECK(fixup(anonymous(), {Acl{31, "world", "anyone"}, Acl{1, "world", "Anyone"}}, out) ==
        err::kInvalidAcl);
}

TEST_CASE("fixupAcl: auth needs an authenticated id and expands to it", "[acl]") {
  AclList out;
  // Without authentication (an ip is not one): INVALIDACL, as ZooKeeper's creator-only ACL.
  CHECK(fixup(Requester{}, {Acl{31, "auth", ""}}, out) == err::kInvalidAcl);
  CHECK(fixup(anonymous(), {Acl{31, "auth", ""}}, out) == err::kInvalidAcl);

  CHECK(fixup(digestUser("alice:aGFzaA=="), {Acl{13, "auth", "ignored"}}, out) == err::kOk);
  CHECK(out == AclList{Acl{13, "digest", "alice:aGFzaA=="}});

  Requester two{3, {Acl{0, "ip", "10.1.1.1"}, Acl{0, "digest", "a:1"}, Acl{0, "digest", "b:2"}}};
  CHECK(fixup(two, {Acl{1, "world", "anyone"}, Acl{31, "auth", ""}}, out) == err::kOk);
  CHECK(out == AclList{Acl{1, "world", "anyone"}, Acl{31, "digest", "a:1"}, Acl{31, "digest", "b:2"}});

  // What auth expands to is not deduplicated again: ZooKeeper 3.8.0 reads
  // [digest:a:1, auth] created by a back with the digest entry twice.
  CHECK(fixup(digestUser("a:1"), {Acl{31, "digest", "a:1"}, Acl{31, "auth", ""}}, out) == err::kOk);
  CHECK(out == AclList{Acl{31, "digest", "a:1"}, Acl{31, "digest", "a:1"}});
  // super has no provider: it is not an id auth expands to.
  Requester super{5, {Acl{0, "ip", "127.0.0.1"}, Acl{0, "super", ""}, Acl{0, "digest", "s:h"}}};
  CHECK(fixup(super, {Acl{31, "auth", ""}}, out) == err::kOk);
  CHECK(out == AclList{Acl{31, "digest", "s:h"}});
}

TEST_CASE("fixupAcl: digest ids are user:hash", "[acl]") {
  AclList out;
  CHECK(fixup(anonymous(), {Acl{31, "digest", "alice:aGFzaA=="}}, out) == err::kOk);
  CHECK(out == AclList{Acl{31, "digest", "alice:aGFzaA=="}});
  CHECK(fixup(anonymous(), {Acl{31, "digest", "alice"}}, out) == err::kInvalidAcl);
  CHECK(fixup(anonymous(), {Acl{31, "digest", ""}}, out) == err::kInvalidAcl);
  // DigestAuthenticationProvider.isValid: id.split(":").length == 2 (Java drops trailing
  // empty fields, so "a:b:" has two and "a:" one).
  CHECK(fixup(anonymous(), {Acl{31, "digest", "a:b:c"}}, out) == err::kInvalidAcl);
  CHECK(fixup(anonymous(), {Acl{31, "digest", "a:"}}, out) == err::kInvalidAcl);
  CHECK(fixup(anonymous(), {Acl{31, "digest", ":"}}, out) == err::kInvalidAcl);
  CHECK(fixup(anonymous(), {Acl{31, "digest", "a::"}}, out) == err::kInvalidAcl);
  CHECK(fixup(anonymous(), {Acl{31, "digest", "a:b:"}}, out) == err::kOk);
  CHECK(fixup(anonymous(), {Acl{31, "digest", ":b"}}, out) == err::kOk);
}

TEST_CASE("fixupAcl: ip ids are addresses or CIDR blocks", "[acl]") {
  AclList out;
  // IPAuthenticationProvider.isValid in 3.8: IPv4 only, fields by Integer.parseInt.
  for (const char* good : {"127.0.0.1", "10.0.0.0/8", "10.0.0.0/0", "192.168.1.0/24",
                           "1.2.3.4/32", "127.000.0.01", "+127.0.0.1/+8"}) {
    INFO(good);
    CHECK(fixup(anonymous(), {Acl{31, "ip", good}}, out) == err::kOk);
    CHECK(out == AclList{Acl{31, "ip", good}});
  }
  for (const char* bad : {"", "localhost", "10.0.0.256", "10.0.0", "1.2.3.4.5", "10.0.0.0/",
                          "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/8x", "10.0.0.0/x", "::1/129",
                          "::g", "/8", "10.0.0.0/8/8", "::1", "fe80::/10", "::/0", "1.2.3.4.",
                          ".1.2.3", "1..2.3", "1.2.3.-0x1", "1.2.3.4/ 8"}) {
    INFO(bad);
    CHECK(fixup(anonymous(), {Acl{31, "ip", bad}}, out) == err::kInvalidAcl);
  }
}

TEST_CASE("fixupAcl: unknown schemes are refused", "[acl]") {
  AclList out;
  CHECK(fixup(anonymous(), {Acl{31, "nosuch", "x"}}, out) == err::kInvalidAcl);
  CHECK(fixup(anonymous(), {Acl{31, "", ""}}, out) == err::kInvalidAcl);
  // One bad entry spoils the list.
  CHECK(fixup(anonymous(), {Acl{31, "world", "anyone"}, Acl{31, "ip", "nope"}}, out) ==
        err::kInvalidAcl);
}

TEST_CASE("aclAllows: world, permissions per entry, empty lists", "[acl]") {
  const Requester who = anonymous();
  CHECK(aclAllows(who, {}, perm::kAdmin));  // no ACL: everything allowed
  AclList readOnly{Acl{perm::kRead, "world", "anyone"}};
  CHECK(aclAllows(who, readOnly, perm::kRead));
  CHECK_FALSE(aclAllows(who, readOnly, perm::kWrite));
  CHECK_FALSE(aclAllows(who, readOnly, perm::kCreate));
  CHECK_FALSE(aclAllows(who, readOnly, perm::kDelete));
  CHECK_FALSE(aclAllows(who, readOnly, perm::kAdmin));
  // getACL asks for READ or ADMIN: any one of the bits suffices.
  CHECK(aclAllows(who, readOnly, perm::kRead | perm::kAdmin));
  AclList split{Acl{perm::kRead, "world", "anyone"}, Acl{perm::kWrite, "ip", "127.0.0.1"}};
  CHECK(aclAllows(who, split, perm::kWrite));
  CHECK_FALSE(aclAllows(anonymous("127.0.0.2"), split, perm::kWrite));
  CHECK_FALSE(aclAllows(who, {Acl{0, "world", "anyone"}}, perm::kRead));
  CHECK_FALSE(aclAllows(who, {Acl{31, "world", "someone"}}, perm::kRead));
}

TEST_CASE("aclAllows: ip entries match the requester's address", "[acl]") {
  AclList net{Acl{31, "ip", "10.0.0.0/8"}};
  CHECK(aclAllows(anonymous("10.1.2.3"), net, perm::kRead));
  CHECK_FALSE(aclAllows(anonymous("11.0.0.1"), net, perm::kRead));
  CHECK_FALSE(aclAllows(anonymous("::1"), net, perm::kRead));
  // An IPv6 entry (only in a store written before) matches nobody, as in 3.8.
  AclList v6{Acl{31, "ip", "::1"}};
  CHECK_FALSE(aclAllows(anonymous("::1"), v6, perm::kRead));
  CHECK_FALSE(aclAllows(anonymous("127.0.0.1"), v6, perm::kRead));
  // A digest id that happens to look like the address is not an ip identity.
  CHECK_FALSE(aclAllows(Requester{9, {Acl{0, "digest", "10.0.0.1"}}}, net, perm::kRead));
}

TEST_CASE("aclAllows: digest entries match the authenticated id exactly", "[acl]") {
  AclList acl{Acl{perm::kRead | perm::kWrite, "digest", "alice:aGFzaA=="}};
  CHECK(aclAllows(digestUser("alice:aGFzaA=="), acl, perm::kWrite));
  CHECK_FALSE(aclAllows(digestUser("alice:aGFzaA=="), acl, perm::kAdmin));
  CHECK_FALSE(aclAllows(digestUser("alice:other"), acl, perm::kRead));
  CHECK_FALSE(aclAllows(digestUser("Alice:aGFzaA=="), acl, perm::kRead));
  CHECK_FALSE(aclAllows(anonymous(), acl, perm::kRead));
}

TEST_CASE("aclAllows: super may do anything", "[acl]") {
  Requester super{4, {Acl{0, "ip", "1.2.3.4"}, Acl{0, "super", ""}}};
  AclList acl{Acl{perm::kRead, "digest", "alice:aGFzaA=="}};
  for (int32_t p : {perm::kRead, perm::kWrite, perm::kCreate, perm::kDelete, perm::kAdmin}) {
    CHECK(aclAllows(super, acl, p));
  }
  CHECK(aclAllows(super, {Acl{0, "world", "anyone"}}, perm::kAdmin));
}

TEST_CASE("ipMatches: IPv4 addresses and CIDR blocks", "[acl]") {
  CHECK(ipMatches("127.0.0.1", "127.0.0.1"));
  CHECK_FALSE(ipMatches("127.0.0.1", "127.0.0.2"));
  CHECK(ipMatches("10.0.0.0/8", "10.255.255.255"));
  CHECK_FALSE(ipMatches("10.0.0.0/8", "11.0.0.0"));
  CHECK(ipMatches("192.168.1.0/24", "192.168.1.77"));
  CHECK_FALSE(ipMatches("192.168.1.0/24", "192.168.2.77"));
  CHECK(ipMatches("10.0.0.128/25", "10.0.0.200"));
  CHECK_FALSE(ipMatches("10.0.0.128/25", "10.0.0.100"));
  CHECK(ipMatches("10.9.9.9/8", "10.1.1.1"));  // host bits in the spec are masked off
  CHECK(ipMatches("1.2.3.4/32", "1.2.3.4"));
  CHECK_FALSE(ipMatches("1.2.3.4/32", "1.2.3.5"));
  CHECK(ipMatches("0.0.0.0/0", "8.8.8.8"));
}

TEST_CASE("ipMatches: IPv6 is unknown to ZooKeeper 3.8's ip provider", "[acl]") {
  CHECK_FALSE(ipMatches("::1", "::1"));
  CHECK_FALSE(ipMatches("::1", "0:0:0:0:0:0:0:1"));
  CHECK_FALSE(ipMatches("::/0", "1234::5"));
  CHECK_FALSE(ipMatches("0.0.0.0/0", "1234::5"));
}

TEST_CASE("ipMatches: mismatched families, garbage and bad prefixes never match", "[acl]") {
  CHECK_FALSE(ipMatches("127.0.0.1", "::1"));
  CHECK_FALSE(ipMatches("::1", "127.0.0.1"));
  CHECK_FALSE(ipMatches("127.0.0.1", "localhost"));
  CHECK_FALSE(ipMatches("garbage", "127.0.0.1"));
  CHECK_FALSE(ipMatches("", ""));
  // IPAuthenticationProvider.matches: a prefix that is not a number in range matches nothing.
  CHECK_FALSE(ipMatches("10.0.0.0/33", "10.0.0.1"));
  CHECK_FALSE(ipMatches("10.0.0.0/-1", "10.0.0.1"));
  CHECK_FALSE(ipMatches("10.0.0.0/x", "10.0.0.1"));
  CHECK_FALSE(ipMatches("::1/129", "::1"));
}

TEST_CASE("ipMatches: an IPv4 client seen through a dual-stack socket is IPv4", "[acl]") {
  // Java's InetAddress turns ::ffff:a.b.c.d into the IPv4 address ZooKeeper matches against.
  CHECK(ipMatches("127.0.0.1", "::ffff:127.0.0.1"));
  CHECK(ipMatches("10.0.0.0/8", "::ffff:10.2.3.4"));
  CHECK_FALSE(ipMatches("10.0.0.0/8", "::ffff:11.2.3.4"));
  CHECK(aclAllows(anonymous("::ffff:127.0.0.1"), {Acl{31, "ip", "127.0.0.1"}}, perm::kRead));
}

TEST_CASE("aclAllows: skipACL passes everything", "[acl]") {
  Requester who = anonymous();
  who.skipAcl = true;
  CHECK(aclAllows(who, {Acl{0, "world", "anyone"}}, perm::kAdmin));
  CHECK(aclAllows(who, {Acl{31, "digest", "a:b"}}, perm::kRead));
}

TEST_CASE("aclForReader: digest hashes only for ADMIN", "[acl]") {
  AclList acl{Acl{perm::kRead, "world", "anyone"}, Acl{31, "digest", "alice:aGFzaA=="},
              Acl{1, "ip", "10.0.0.0/8"}};
  CHECK(aclForReader(digestUser("alice:aGFzaA=="), acl) == acl);
  CHECK(aclForReader(anonymous(), acl) ==
        AclList{Acl{perm::kRead, "world", "anyone"}, Acl{31, "digest", "alice:x"},
                Acl{1, "ip", "10.0.0.0/8"}});
}

TEST_CASE("authUserName and addAuthId", "[acl]") {
  CHECK(authUserName(Acl{0, "digest", "alice:aGFzaA=="}) == "alice");
  CHECK(authUserName(Acl{0, "ip", "127.0.0.1"}) == "127.0.0.1");
  CHECK(authUserName(Acl{0, "super", ""}) == "");
  Requester who = anonymous();
  addAuthId(who, "digest", "a:1");
  addAuthId(who, "digest", "a:1");
  addAuthId(who, "digest", "b:2");
  CHECK(who.authIds.size() == 3);
}

TEST_CASE("skipACL and superDigest come from system properties", "[acl]") {
  std::map<std::string, std::string> props;
  CHECK_FALSE(skipAclEnabled(props));
  CHECK(superDigest(props).empty());
  props["zookeeper.skipACL"] = "true";  // only "yes" turns it on
  CHECK_FALSE(skipAclEnabled(props));
  props["zookeeper.skipACL"] = "yes";
  CHECK(skipAclEnabled(props));
  props["zookeeper.DigestAuthenticationProvider.superDigest"] = "super:abc=";
  CHECK(superDigest(props) == "super:abc=");
}

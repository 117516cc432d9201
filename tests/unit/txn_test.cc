// Txn wire form: exact round trips for every op kind, and decodeTxn's refusal of truncated,
// padded, mis-tagged and random input without crashing or over-reading.
#include <catch2/catch.hpp>

#include <random>
#include <string>

#include "graph/txn.h"

using namespace gk::graph;

namespace {

Txn sampleTxn() {
  Txn t;
  t.zxid = 0x100000007LL;
  t.time = 1700000000123LL;
  t.sessionId = -0x0123456789abcdefLL;
  t.cxid = 42;
  t.type = 14;  // multi
  t.ops.push_back(CreateOp{"/a/b0000000003", std::string("d\0ta", 4),
                           {Acl{31, "world", "anyone"}, Acl{1, "digest", "u:h="}}, 77, true, 15});
  t.ops.push_back(DeleteOp{"/gone"});
  t.ops.push_back(SetDataOp{"/a", std::string(1000, 'x'), 5});
  t.ops.push_back(SetAclOp{"/a", {Acl{3, "ip", "10.0.0.1"}}, 2});
  t.ops.push_back(CreateSessionOp{0x7000000000000001LL, 30000, std::string(16, '\xff')});
  t.ops.push_back(CloseSessionOp{0x7000000000000001LL, {"/e1", "/x/e2", ""}});
  t.ops.push_back(CheckOp{"/a", 7});
  return t;
}

}  // namespace

TEST_CASE("txn: every op kind round-trips", "[txn]") {
  Txn all = sampleTxn();
  auto back = decodeTxn(encodeTxn(all));
  REQUIRE(back.has_value());
  CHECK(*back == all);

  for (const TxnOp& op : all.ops) {
    Txn one = all;
    one.ops = {op};
    auto decoded = decodeTxn(encodeTxn(one));
    REQUIRE(decoded.has_value());
    CHECK(*decoded == one);
    CHECK(decoded->ops.at(0).index() == op.index());
  }

  Txn empty;  // no ops, default fields
  auto decoded = decodeTxn(encodeTxn(empty));
  REQUIRE(decoded.has_value());
  CHECK(*decoded == empty);

  Txn emptyFields;
  emptyFields.ops = {CreateOp{}, SetAclOp{}, CloseSessionOp{}, CreateSessionOp{}};
  decoded = decodeTxn(encodeTxn(emptyFields));
  REQUIRE(decoded.has_value());
  CHECK(*decoded == emptyFields);
}

TEST_CASE("txn: operator== looks at every field", "[txn]") {
  const Txn base = sampleTxn();
  auto differs = [&](auto mutate) {
    Txn t = base;
    mutate(t);
    return !(t == base);
  };
  CHECK(differs([](Txn& t) { t.zxid++; }));
  CHECK(differs([](Txn& t) { t.time++; }));
  CHECK(differs([](Txn& t) { t.sessionId++; }));
  CHECK(differs([](Txn& t) { t.cxid++; }));
  CHECK(differs([](Txn& t) { t.ops.pop_back(); }));
  CHECK(differs([](Txn& t) { std::get<CreateOp>(t.ops[0]).ephemeralOwner = 0; }));
  CHECK(differs([](Txn& t) { std::get<CreateOp>(t.ops[0]).acl[1].perms = 2; }));
  CHECK(differs([](Txn& t) { std::get<SetDataOp>(t.ops[2]).newVersion = 6; }));
  CHECK(differs([](Txn& t) { std::get<CloseSessionOp>(t.ops[5]).ephemerals.pop_back(); }));
  CHECK(differs([](Txn& t) { t.ops[1] = SetDataOp{"/gone", "", 0}; }));  // other kind
  CHECK(base == sampleTxn());
}

TEST_CASE("txn: every truncation and any trailing byte decode to nullopt", "[txn]") {
  const std::string bytes = encodeTxn(sampleTxn());
  for (size_t len = 0; len < bytes.size(); ++len) {
    // A copy of exactly `len` bytes so that an over-read is visible to sanitizers.
    std::string prefix = bytes.substr(0, len);
    INFO("prefix length " << len);
    CHECK_FALSE(decodeTxn(prefix).has_value());
  }
  CHECK_FALSE(decodeTxn(bytes + '\0').has_value());
  CHECK(decodeTxn(bytes).has_value());
}

TEST_CASE("txn: bad version, bad tag and absurd lengths decode to nullopt", "[txn]") {
  Txn t;
  t.zxid = 1;
  t.ops.push_back(DeleteOp{"/a"});
  const std::string good = encodeTxn(t);
  // Layout: version(1) zxid(8) time(8) session(8) cxid(4) type(4) count(4) = 37, then tag.
  REQUIRE(good.size() == 37 + 1 + 4 + 2);

  std::string bad = good;
  bad[0] = 3;
  CHECK_FALSE(decodeTxn(bad).has_value());

  bad = good;
  bad[37] = 0x7f;  // no such op
  CHECK_FALSE(decodeTxn(bad).has_value());

  bad = good;
  for (int i = 0; i < 4; ++i) bad[33 + i] = '\xff';  // 4 billion ops
  CHECK_FALSE(decodeTxn(bad).has_value());

  bad = good;
  for (int i = 0; i < 4; ++i) bad[38 + i] = '\xff';  // a 4 GB path
  CHECK_FALSE(decodeTxn(bad).has_value());

  Txn acl;
  acl.ops.push_back(SetAclOp{"/a", {Acl{1, "world", "anyone"}}, 1});
  bad = encodeTxn(acl);
  // Op: tag(1) path(4+2) acl count(4) at offset 37 + 7.
  for (int i = 0; i < 4; ++i) bad[44 + i] = '\x7f';
  CHECK_FALSE(decodeTxn(bad).has_value());

  Txn close;
  close.ops.push_back(CloseSessionOp{5, {"/e"}});
  bad = encodeTxn(close);
  // Op: tag(1) session(8) count(4) at offset 37 + 9.
  for (int i = 0; i < 4; ++i) bad[46 + i] = '\xfe';
  CHECK_FALSE(decodeTxn(bad).has_value());
}

TEST_CASE("txn: random garbage and bit flips never crash", "[txn]") {
  std::mt19937_64 rng(12345);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<size_t> length(0, 200);
  for (int i = 0; i < 20000; ++i) {
    std::string junk(length(rng), '\0');
    for (char& c : junk) c = static_cast<char>(byte(rng));
    if (i % 2 == 0 && !junk.empty()) junk[0] = 1;  // get past the version byte
    auto decoded = decodeTxn(junk);
    if (decoded) CHECK(encodeTxn(*decoded) == junk);  // whatever decodes is exact
  }

  const std::string good = encodeTxn(sampleTxn());
  for (int i = 0; i < 20000; ++i) {
    std::string mutated = good;
    int flips = 1 + i % 4;
    for (int f = 0; f < flips; ++f) {
      size_t pos = rng() % mutated.size();
      mutated[pos] = static_cast<char>(mutated[pos] ^ (1 << (rng() % 8)));
    }
    auto decoded = decodeTxn(mutated);
    if (decoded) CHECK(encodeTxn(*decoded) == mutated);
  }
}

TEST_CASE("txn: the version 1 form (before type, requestOp and CheckOp) still decodes", "[txn]") {
  // Bytes as a server before format 2 logged them: a create and a delete.
  std::string v1;
  auto le = [&v1](uint64_t v, int n) {
    for (int i = 0; i < n; ++i) v1 += char((v >> (8 * i)) & 0xff);
  };
  auto str = [&](const std::string& s) {
    le(s.size(), 4);
    v1 += s;
  };
  v1 += char(1);       // version
  le(9, 8);            // zxid
  le(1234, 8);         // time
  le(0x55, 8);         // session
  le(3, 4);            // cxid
  le(2, 4);            // op count
  v1 += char(0);       // CreateOp
  str("/n");
  str("data");
  v1 += char(0);       // dataNull
  le(1, 4);            // one ACL
  le(31, 4);
  str("world");
  str("anyone");
  le(0, 8);            // ephemeralOwner
  v1 += char(1);       // DeleteOp
  str("/old");
  auto t = decodeTxn(v1);
  REQUIRE(t.has_value());
  CHECK(t->zxid == 9);
  CHECK(t->cxid == 3);
  CHECK(t->type == 0);
  REQUIRE(t->ops.size() == 2);
  CHECK(std::get<CreateOp>(t->ops[0]) ==
        CreateOp{"/n", "data", {Acl{31, "world", "anyone"}}, 0, false, 0});
  CHECK(std::get<DeleteOp>(t->ops[1]) == DeleteOp{"/old"});
  // A CheckOp cannot appear in version 1.
  v1[29] = 3;       // op count
  v1 += char(8);    // CheckOp
  str("/n");
  le(0, 4);
  CHECK_FALSE(decodeTxn(v1).has_value());
}

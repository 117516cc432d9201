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
  t.ops.push_back(CreateOp{"/a/b0000000003", std::string("d\0ta", 4),
                           {Acl{31, "world", "anyone"}, Acl{1, "digest", "u:h="}}, 77});
  t.ops.push_back(DeleteOp{"/gone"});
  t.ops.push_back(SetDataOp{"/a", std::string(1000, 'x'), 5});
  t.ops.push_back(SetAclOp{"/a", {Acl{3, "ip", "10.0.0.1"}}, 2});
  t.ops.push_back(CreateSessionOp{0x7000000000000001LL, 30000, std::string(16, '\xff')});
  t.ops.push_back(CloseSessionOp{0x7000000000000001LL, {"/e1", "/x/e2", ""}});
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
  // Layout: version(1) zxid(8) time(8) session(8) cxid(4) count(4) = 33, then tag.
  REQUIRE(good.size() == 33 + 1 + 4 + 2);

  std::string bad = good;
  bad[0] = 2;
  CHECK_FALSE(decodeTxn(bad).has_value());

  bad = good;
  bad[33] = 0x7f;  // no such op
  CHECK_FALSE(decodeTxn(bad).has_value());

  bad = good;
  for (int i = 0; i < 4; ++i) bad[29 + i] = '\xff';  // 4 billion ops
  CHECK_FALSE(decodeTxn(bad).has_value());

  bad = good;
  for (int i = 0; i < 4; ++i) bad[34 + i] = '\xff';  // a 4 GB path
  CHECK_FALSE(decodeTxn(bad).has_value());

  Txn acl;
  acl.ops.push_back(SetAclOp{"/a", {Acl{1, "world", "anyone"}}, 1});
  bad = encodeTxn(acl);
  // Op: tag(1) path(4+2) acl count(4) at offset 33 + 7.
  for (int i = 0; i < 4; ++i) bad[40 + i] = '\x7f';
  CHECK_FALSE(decodeTxn(bad).has_value());

  Txn close;
  close.ops.push_back(CloseSessionOp{5, {"/e"}});
  bad = encodeTxn(close);
  // Op: tag(1) session(8) count(4) at offset 33 + 9.
  for (int i = 0; i < 4; ++i) bad[42 + i] = '\xfe';
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

// Jute encoding (engine/jute.h, engine/proto.cc): exact big-endian round trips, null (-1)
// lengths, every truncation of a valid record throwing JuteError, absurd counts and lengths
// refused, and seeded random garbage through the record readers. Inputs are placed right
// before an inaccessible page, so a read past the end crashes instead of passing unnoticed.
#include <catch2/catch.hpp>

#include <sys/mman.h>
#include <unistd.h>

#include <climits>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/jute.h"
#include "engine/proto.h"

using namespace gk::engine;
using gk::graph::Acl;
using gk::graph::AclList;

namespace {

// `bytes` copied so that its last byte sits just before a PROT_NONE page.
class GuardedInput {
 public:
  explicit GuardedInput(std::string_view bytes) {
    const size_t page = size_t(sysconf(_SC_PAGESIZE));
    dataPages_ = (bytes.size() + page - 1) / page;
    if (dataPages_ == 0) dataPages_ = 1;
    size_ = (dataPages_ + 1) * page;
    void* m = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) throw std::runtime_error("mmap failed");
    base_ = static_cast<char*>(m);
    if (mprotect(base_ + dataPages_ * page, page, PROT_NONE) != 0)
      throw std::runtime_error("mprotect failed");
    char* start = base_ + dataPages_ * page - bytes.size();
    if (!bytes.empty()) std::memcpy(start, bytes.data(), bytes.size());
    view_ = std::string_view(start, bytes.size());
  }
  ~GuardedInput() { munmap(base_, size_); }
  GuardedInput(const GuardedInput&) = delete;
  GuardedInput& operator=(const GuardedInput&) = delete;
  std::string_view view() const { return view_; }

 private:
  char* base_ = nullptr;
  size_t size_ = 0, dataPages_ = 0;
  std::string_view view_;
};

std::string bytesOf(std::initializer_list<int> bs) {
  std::string s;
  for (int b : bs) s.push_back(char(b));
  return s;
}

void writeAcl(JuteWriter& w, const AclList& acl) {
  w.writeInt(int32_t(acl.size()));
  for (const auto& a : acl) {
    w.writeInt(a.perms);
    w.writeString(a.scheme);
    w.writeString(a.id);
  }
}

std::string createRecord(bool ttl) {
  std::string out;
  JuteWriter w(out);
  w.writeString("/app/queue/item-");
  w.writeBuffer(std::string("pay\0load", 8));
  writeAcl(w, {Acl{31, "world", "anyone"}, Acl{1, "digest", "bob:Zm9v"}, Acl{3, "ip", "10.0.0.0/8"}});
  w.writeInt(create_mode::kEphemeralSequential);
  if (ttl) w.writeLong(60000);
  return out;
}

std::string setWatchesRecord(bool v2) {
  std::string out;
  JuteWriter w(out);
  w.writeLong(0x1234);
  w.writeStringVector({"/a", "/b/c"});
  w.writeStringVector({"/gone"});
  w.writeStringVector({"/", "/x"});
  if (v2) {
    w.writeStringVector({"/p"});
    w.writeStringVector({"/r1", "/r2", "/r3"});
  }
  return out;
}

std::string connectRecord(bool withReadOnly) {
  std::string out;
  JuteWriter w(out);
  w.writeInt(0);
  w.writeLong(0x500000007LL);
  w.writeInt(30000);
  w.writeLong(0x7001234500000001LL);
  w.writeBuffer(std::string(16, '\x5a'));
  if (withReadOnly) w.writeBool(true);
  return out;
}

std::string aclRecord() {
  std::string out;
  JuteWriter w(out);
  writeAcl(w, {Acl{31, "world", "anyone"}, Acl{16, "digest", "admin:c2VjcmV0"}});
  return out;
}

}  // namespace

TEST_CASE("jute: ints and longs are big-endian and round-trip, negatives included", "[jute]") {
  std::string out;
  JuteWriter w(out);
  w.writeInt(0x01020304);
  w.writeInt(-2);
  w.writeLong(0x0102030405060708LL);
  w.writeLong(-1);
  CHECK(out == bytesOf({1, 2, 3, 4, 0xff, 0xff, 0xff, 0xfe, 1, 2, 3, 4, 5, 6, 7, 8, 0xff, 0xff,
                        0xff, 0xff, 0xff, 0xff, 0xff, 0xff}));

  const std::vector<int32_t> ints{0, 1, -1, 127, 128, -128, 255, 256, 65535, -65536, INT32_MAX,
                                  INT32_MIN, 0x12345678, -0x12345678};
  const std::vector<int64_t> longs{0, 1, -1, INT64_MAX, INT64_MIN, 0x00000000ffffffffLL,
                                   int64_t(0xffffffff00000000ULL), 0x7fffffff80000000LL, -0x123456789abLL,
                                   int64_t(INT32_MIN) - 1, int64_t(INT32_MAX) + 1};
  std::string buf;
  JuteWriter bw(buf);
  for (int32_t v : ints) bw.writeInt(v);
  for (int64_t v : longs) bw.writeLong(v);
  CHECK(buf.size() == ints.size() * 4 + longs.size() * 8);
  GuardedInput in(buf);
  JuteReader r(in.view());
  for (int32_t v : ints) CHECK(r.readInt() == v);
  for (int64_t v : longs) CHECK(r.readLong() == v);
  CHECK(r.atEnd());
  CHECK(r.remaining() == 0);
  CHECK_THROWS_AS(r.readInt(), JuteError);
}

TEST_CASE("jute: booleans are one byte, any non-zero byte reads true", "[jute]") {
  std::string out;
  JuteWriter w(out);
  w.writeBool(true);
  w.writeBool(false);
  CHECK(out == bytesOf({1, 0}));
  out += bytesOf({0x7f, 0xff});
  GuardedInput in(out);
  JuteReader r(in.view());
  CHECK(r.readBool());
  CHECK_FALSE(r.readBool());
  CHECK(r.readBool());
  CHECK(r.readBool());
  CHECK_THROWS_AS(r.readBool(), JuteError);
}

TEST_CASE("jute: buffers and strings round-trip, binary and empty included", "[jute]") {
  const std::vector<std::string> values{"", "a", "/zookeeper/quota", std::string("\0\x01\xff\x80", 4),
                                        std::string(70000, 'q'), "h\xc3\xa9llo"};
  std::string out;
  JuteWriter w(out);
  for (const auto& v : values) w.writeBuffer(v);
  for (const auto& v : values) w.writeString(v);
  CHECK(out.substr(0, 4) == bytesOf({0, 0, 0, 0}));
  CHECK(out.substr(4, 5) == bytesOf({0, 0, 0, 1, 'a'}));
  GuardedInput in(out);
  JuteReader r(in.view());
  for (const auto& v : values) CHECK(r.readBuffer() == v);
  for (const auto& v : values) CHECK(r.readString() == v);
  CHECK(r.atEnd());
}

TEST_CASE("jute: a buffer view points into the input", "[jute]") {
  std::string out;
  JuteWriter w(out);
  w.writeBuffer("abc");
  JuteReader r(out);
  std::string_view v = r.readBufferView();
  CHECK(v == "abc");
  CHECK(v.data() == out.data() + 4);
}

TEST_CASE("jute: null (-1) buffers, strings and vectors read as empty", "[jute]") {
  std::string out;
  JuteWriter w(out);
  w.writeInt(-1);  // null buffer
  w.writeInt(-1);  // null string
  w.writeInt(-1);  // null vector
  w.writeInt(7);
  GuardedInput in(out);
  JuteReader r(in.view());
  CHECK(r.readBuffer().empty());
  CHECK(r.readString().empty());
  CHECK(r.readStringVector().empty());
  CHECK(r.readInt() == 7);
  CHECK(r.atEnd());

  // A null ACL list and a null password too.
  std::string acl = bytesOf({0xff, 0xff, 0xff, 0xff});
  JuteReader ra(acl);
  CHECK(readAclList(ra).empty());
  CHECK(ra.atEnd());
}

TEST_CASE("jute: a null buffer is told apart from an empty one when asked", "[jute]") {
  std::string out;
  JuteWriter w(out);
  w.writeNullBuffer();
  w.writeBuffer("");
  w.writeBuffer("x");
  CHECK(out.substr(0, 4) == bytesOf({0xff, 0xff, 0xff, 0xff}));
  GuardedInput in(out);
  JuteReader r(in.view());
  bool isNull = false;
  CHECK(r.readBuffer(isNull).empty());
  CHECK(isNull);
  CHECK(r.readBuffer(isNull).empty());
  CHECK_FALSE(isNull);
  CHECK(r.readBuffer(isNull) == "x");
  CHECK_FALSE(isNull);
  CHECK(r.atEnd());
  CHECK_THROWS_AS(r.readBuffer(isNull), JuteError);

  std::string create;
  JuteWriter cw(create);
  cw.writeString("/n");
  cw.writeNullBuffer();
  writeAcl(cw, {Acl{31, "world", "anyone"}});
  cw.writeInt(0);
  JuteReader cr(create);
  CreateRequest c = readCreateRequest(cr, false);
  CHECK(c.dataNull);
  CHECK(c.data.empty());
  std::string set;
  JuteWriter sw(set);
  sw.writeString("/n");
  sw.writeBuffer("");
  sw.writeInt(3);
  JuteReader sr(set);
  SetDataRequest sd = readSetDataRequest(sr);
  CHECK_FALSE(sd.dataNull);
  CHECK(sd.version == 3);
}

TEST_CASE("jute: string vectors round-trip", "[jute]") {
  const std::vector<std::vector<std::string>> vectors{
      {}, {""}, {"/a"}, {"/a", "", "/b/c", std::string(300, 'x')}};
  std::string out;
  JuteWriter w(out);
  for (const auto& v : vectors) w.writeStringVector(v);
  GuardedInput in(out);
  JuteReader r(in.view());
  for (const auto& v : vectors) CHECK(r.readStringVector() == v);
  CHECK(r.atEnd());
}

TEST_CASE("jute: frames carry the length of what follows", "[jute]") {
  std::string out;
  JuteWriter w(out);
  size_t at = w.beginFrame();
  w.writeInt(5);
  w.writeString("hello");
  w.endFrame(at);
  size_t at2 = w.beginFrame();
  w.endFrame(at2);
  JuteReader r(out);
  CHECK(r.readInt() == 13);
  CHECK(r.readInt() == 5);
  CHECK(r.readString() == "hello");
  CHECK(r.readInt() == 0);
  CHECK(r.atEnd());
}

TEST_CASE("jute: the records the server reads decode field by field", "[jute][proto]") {
  {
    const std::string rec = createRecord(false);  // the reader keeps a view
    JuteReader r(rec);
    CreateRequest c = readCreateRequest(r, false);
    CHECK(c.path == "/app/queue/item-");
    CHECK(c.data == std::string("pay\0load", 8));
    CHECK(c.acl == AclList{Acl{31, "world", "anyone"}, Acl{1, "digest", "bob:Zm9v"},
                           Acl{3, "ip", "10.0.0.0/8"}});
    CHECK(c.flags == create_mode::kEphemeralSequential);
    CHECK(c.ttl == -1);
    CHECK(r.atEnd());
  }
  {
    const std::string rec = createRecord(true);  // the reader keeps a view
    JuteReader r(rec);
    CreateRequest c = readCreateRequest(r, true);
    CHECK(c.ttl == 60000);
    CHECK(r.atEnd());
  }
  {
    const std::string rec = setWatchesRecord(true);  // the reader keeps a view
    JuteReader r(rec);
    SetWatchesRequest s = readSetWatches(r, true);
    CHECK(s.relativeZxid == 0x1234);
    CHECK(s.dataWatches == std::vector<std::string>{"/a", "/b/c"});
    CHECK(s.existWatches == std::vector<std::string>{"/gone"});
    CHECK(s.childWatches == std::vector<std::string>{"/", "/x"});
    CHECK(s.persistentWatches == std::vector<std::string>{"/p"});
    CHECK(s.persistentRecursiveWatches == std::vector<std::string>{"/r1", "/r2", "/r3"});
    CHECK(r.atEnd());
  }
  {
    const std::string rec = setWatchesRecord(false);  // the reader keeps a view
    JuteReader r(rec);
    SetWatchesRequest s = readSetWatches(r, false);
    CHECK(s.childWatches == std::vector<std::string>{"/", "/x"});
    CHECK(s.persistentWatches.empty());
    CHECK(r.atEnd());
  }
  {
    const std::string rec = connectRecord(true);  // the reader keeps a view
    JuteReader r(rec);
    ConnectRequest c = readConnectRequest(r);
    CHECK(c.protocolVersion == 0);
    CHECK(c.lastZxidSeen == 0x500000007LL);
    CHECK(c.timeoutMs == 30000);
    CHECK(c.sessionId == 0x7001234500000001LL);
    CHECK(c.password == std::string(16, '\x5a'));
    CHECK(c.readOnly);
  }
  {
    // Clients before 3.4 stop before the readOnly flag.
    const std::string rec = connectRecord(false);  // the reader keeps a view
    JuteReader r(rec);
    ConnectRequest c = readConnectRequest(r);
    CHECK_FALSE(c.readOnly);
    CHECK(c.password.size() == 16);
  }
  {
    std::string out;
    JuteWriter w(out);
    w.writeString("/n");
    w.writeBuffer("v");
    w.writeInt(-1);
    w.writeString("/n");
    writeAcl(w, {Acl{1, "world", "anyone"}});
    w.writeInt(4);
    w.writeString("/n");
    w.writeInt(9);
    w.writeString("/w");
    w.writeBool(true);
    w.writeInt(0);
    w.writeString("digest");
    w.writeBuffer("u:p");
    JuteReader r(out);
    SetDataRequest sd = readSetDataRequest(r);
    CHECK((sd.path == "/n" && sd.data == "v" && sd.version == -1));
    SetAclRequest sa = readSetAclRequest(r);
    CHECK((sa.path == "/n" && sa.acl == AclList{Acl{1, "world", "anyone"}} && sa.version == 4));
    PathVersion pv = readPathVersion(r);
    CHECK((pv.path == "/n" && pv.version == 9));
    PathWatch pw = readPathWatch(r);
    CHECK((pw.path == "/w" && pw.watch));
    AuthPacket ap = readAuthPacket(r);
    CHECK((ap.type == 0 && ap.scheme == "digest" && ap.auth == "u:p"));
    CHECK(r.atEnd());
  }
}

TEST_CASE("jute: writeAclList and writeStat encode what the readers expect", "[jute][proto]") {
  AclList acl{Acl{31, "world", "anyone"}, Acl{5, "ip", "::1"}};
  std::string out;
  JuteWriter w(out);
  writeAclList(w, acl);
  gk::graph::Stat s;
  s.czxid = 1;
  s.mzxid = -2;
  s.ctime = 3;
  s.mtime = 4;
  s.version = 5;
  s.cversion = -6;
  s.aversion = 7;
  s.ephemeralOwner = 0x7000000000000008LL;
  s.dataLength = 9;
  s.numChildren = 10;
  s.pzxid = 11;
  writeStat(w, s);
  JuteReader r(out);
  CHECK(readAclList(r) == acl);
  CHECK(r.remaining() == 68);  // zookeeper.jute Stat: 6 longs and 5 ints
  CHECK(r.readLong() == 1);
  CHECK(r.readLong() == -2);
  CHECK(r.readLong() == 3);
  CHECK(r.readLong() == 4);
  CHECK(r.readInt() == 5);
  CHECK(r.readInt() == -6);
  CHECK(r.readInt() == 7);
  CHECK(r.readLong() == 0x7000000000000008LL);
  CHECK(r.readInt() == 9);
  CHECK(r.readInt() == 10);
  CHECK(r.readLong() == 11);
  CHECK(r.atEnd());
}

TEST_CASE("jute: every truncation of a valid record throws and stays in bounds", "[jute][proto]") {
  struct Case {
    const char* name;
    std::string record;
    size_t shortestValid;  // prefixes at least this long decode (ConnectRequest's readOnly)
    void (*read)(JuteReader&);
  };
  std::vector<Case> cases{
      {"create", createRecord(false), 0, [](JuteReader& r) { readCreateRequest(r, false); }},
      {"createTTL", createRecord(true), 0, [](JuteReader& r) { readCreateRequest(r, true); }},
      {"setWatches", setWatchesRecord(false), 0, [](JuteReader& r) { readSetWatches(r, false); }},
      {"setWatches2", setWatchesRecord(true), 0, [](JuteReader& r) { readSetWatches(r, true); }},
      {"connect", connectRecord(true), connectRecord(false).size(),
       [](JuteReader& r) { readConnectRequest(r); }},
      {"acl", aclRecord(), 0, [](JuteReader& r) { readAclList(r); }},
  };
  for (const auto& c : cases) {
    INFO("record " << c.name);
    {
      GuardedInput full(c.record);
      JuteReader r(full.view());
      CHECK_NOTHROW(c.read(r));
      CHECK(r.atEnd());
    }
    for (size_t n = 0; n < c.record.size(); ++n) {
      INFO("prefix of " << n << " bytes");
      GuardedInput in(std::string_view(c.record).substr(0, n));
      JuteReader r(in.view());
      if (c.shortestValid != 0 && n >= c.shortestValid) {
        CHECK_NOTHROW(c.read(r));
      } else {
        CHECK_THROWS_AS(c.read(r), JuteError);
      }
    }
  }
}

TEST_CASE("jute: absurd lengths and counts throw before allocating", "[jute]") {
  auto withTail = [](int32_t n, size_t tail) {
    std::string out;
    JuteWriter w(out);
    w.writeInt(n);
    out.append(tail, 'x');
    return out;
  };
  for (int32_t n : {INT32_MAX, 0x10000000, 1 << 20, 65}) {
    INFO("length " << n);
    GuardedInput in(withTail(n, 64));
    {
      JuteReader r(in.view());
      CHECK_THROWS_AS(r.readBuffer(), JuteError);
    }
    {
      JuteReader r(in.view());
      CHECK_THROWS_AS(r.readStringVector(), JuteError);
    }
    {
      JuteReader r(in.view());
      CHECK_THROWS_AS(readAclList(r), JuteError);
    }
  }
  // A count that fits the bytes left by size but not by content still throws.
  {
    GuardedInput in(withTail(3, 12));  // 3 strings of >= 4 bytes: fits, but "xxxx" lengths
    JuteReader r(in.view());
    CHECK_THROWS_AS(r.readStringVector(), JuteError);
  }
  // ACL entries are at least 12 bytes: 2 entries need 24.
  {
    GuardedInput in(withTail(2, 23));
    JuteReader r(in.view());
    CHECK_THROWS_AS(readAclList(r), JuteError);
  }
  // readCount checks against the minimum element size it is given.
  {
    GuardedInput in(withTail(10, 10));
    JuteReader r1(in.view());
    CHECK(r1.readCount(1) == 10);
    JuteReader r2(in.view());
    CHECK_THROWS_AS(r2.readCount(2), JuteError);
  }
  // Negative counts other than -1 read as empty vectors, like Java's BinaryIndex.
  {
    GuardedInput in(withTail(-7, 0));
    JuteReader r(in.view());
    CHECK(r.readStringVector().empty());
  }
}

TEST_CASE("jute: random garbage never crashes the record readers", "[jute][proto]") {
  std::mt19937 rng(20240531);
  const std::vector<std::string> seeds{createRecord(false), createRecord(true),
                                       setWatchesRecord(false), setWatchesRecord(true),
                                       connectRecord(true), aclRecord()};
  auto garbage = [&](int i) {
    std::string s;
    if (i % 3 == 0) {
      // Pure noise, often starting with plausible small or -1 lengths.
      size_t len = rng() % 96;
      for (size_t k = 0; k < len; ++k) s.push_back(char(rng()));
      if (len >= 4 && rng() % 2) {
        int32_t n = int32_t(rng() % 6) - 1;
        for (int b = 0; b < 4; ++b) s[b] = char(uint32_t(n) >> (24 - 8 * b));
      }
    } else {
      // A valid record with a few bytes changed, cut or extended.
      s = seeds[rng() % seeds.size()];
      int flips = 1 + int(rng() % 4);
      for (int f = 0; f < flips && !s.empty(); ++f) {
        size_t at = rng() % s.size();
        switch (rng() % 3) {
          case 0: s[at] = char(rng()); break;
          case 1: s[at] = char(0xff); break;
          default: s[at] = char(s[at] ^ 0x80); break;
        }
      }
      if (rng() % 3 == 0) s.resize(rng() % (s.size() + 1));
      if (rng() % 5 == 0) s.append(rng() % 8, char(rng()));
    }
    return s;
  };
  int parsed = 0, refused = 0;
  for (int i = 0; i < 4000; ++i) {
    GuardedInput in(garbage(i));
    for (int reader = 0; reader < 6; ++reader) {
      JuteReader r(in.view());
      try {
        switch (reader) {
          case 0: readCreateRequest(r, false); break;
          case 1: readCreateRequest(r, true); break;
          case 2: readSetWatches(r, false); break;
          case 3: readSetWatches(r, true); break;
          case 4: readConnectRequest(r); break;
          default: readAclList(r); break;
        }
        ++parsed;
      } catch (const JuteError&) {
        ++refused;
      }
    }
  }
  // Both outcomes occur: the generator exercises the success paths as well as the errors.
  CHECK(parsed > 100);
  CHECK(refused > 100);
}

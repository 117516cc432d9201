// FileHeadroom (graph/file_headroom.h) on a plain file, and a write-ahead-logged ZnodeStore
// (MDB_NOMETASYNC + zeros ahead of LMDB): data intact across reopening, checkpoint's zxid.
#include <catch2/catch.hpp>

#include <fstream>
#include <filesystem>
#include <iterator>
#include <string>

#include "graph/file_headroom.h"
#include "graph/znode_store.h"
#include "tests/unit/temp_dir.h"

using namespace gk::graph;
namespace fs = std::filesystem;
using gk::testing::TempDir;

namespace {

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

Txn createTxn(int64_t zxid, std::string path, std::string data) {
  Txn t;
  t.zxid = zxid;
  t.time = 1000 + zxid;
  t.ops = {CreateOp{std::move(path), std::move(data), AclList{Acl{31, "world", "anyone"}}, 0}};
  return t;
}

}  // namespace

TEST_CASE("FileHeadroom writes zeros ahead of the used size, never over it") {
  TempDir dir;
  std::string path = dir.path() + "/f";
  std::string owned(100, 'd');
  std::ofstream(path, std::ios::binary) << owned;
  const uint64_t kChunk = 1 << 20;
  FileHeadroom h(path, kChunk);
  REQUIRE(h.fileBytes() == 100);

  h.ensure(100);
  REQUIRE(fs::file_size(path) == 100 + kChunk);
  std::string got = readFile(path);
  REQUIRE(got.substr(0, 100) == owned);
  REQUIRE(got.find_first_not_of('\0', 100) == std::string::npos);

  // More than half a chunk still ahead: nothing to do.
  h.ensure(100 + kChunk / 2 - 1);
  REQUIRE(fs::file_size(path) == 100 + kChunk);

  // The owner wrote into the headroom (as LMDB appends pages there); those bytes stay.
  {
    std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(kChunk - 10);
    f << std::string(10, 'e');
  }
  h.ensure(kChunk);
  REQUIRE(fs::file_size(path) == 2 * kChunk);
  got = readFile(path);
  REQUIRE(got.substr(kChunk - 10, 10) == std::string(10, 'e'));
  REQUIRE(got.substr(0, 100) == owned);
}

TEST_CASE("store with a write-ahead log: zeros ahead of LMDB, data intact after reopening") {
  TempDir dir;
  StoreOptions o;
  o.dir = dir.store();
  o.mapSizeBytes = size_t(1) << 30;
  o.sync = true;
  o.walBacked = true;
  const std::string big(100 * 1024, 'b');
  {
    auto store = ZnodeStore::open(o);
    for (int64_t i = 1; i <= 40; ++i) {  // 4 MB of data: LMDB grows into the headroom
      store->apply({createTxn(i, "/n" + std::to_string(i), big + std::to_string(i))});
      // Always at least half of the 8 MiB chunk beyond what LMDB has written.
      REQUIRE(store->diskBytes() >= uint64_t(i) * big.size() + (4u << 20));
    }
    REQUIRE(store->checkpoint() == 40);
  }
  auto store = ZnodeStore::open(o);
  Snapshot snap = store->snapshot();
  REQUIRE(snap.lastZxid() == 40);
  for (int64_t i = 1; i <= 40; ++i) {
    Stat st;
    std::string_view data;
    REQUIRE(snap.getData("/n" + std::to_string(i), st, data));
    REQUIRE(data == big + std::to_string(i));
  }
  // A read-only opener beside it reads the same store, zeros past its end and all.
  StoreOptions ro = o;
  ro.readOnly = true;
  auto reader = ZnodeStore::open(ro);
  REQUIRE(reader->snapshot().lastZxid() == 40);
}

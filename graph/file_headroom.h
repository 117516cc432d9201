// FileHeadroom: keeps a file's written size ahead of what its owner uses, with real zeros.
//
// LMDB grows data.mdb by writing pages past its end. Growing a file changes its size and
// allocates blocks, so the next fdatasync must wait for an ext4 journal commit — milliseconds
// when other processes write to the same file system (docs/benchmarks.md). Writing zeros
// ahead of LMDB (and syncing them once) turns its appends into overwrites of existing
// blocks, whose fdatasync flushes data only. Zeros are written only past max(file size,
// used bytes), so nothing LMDB wrote is ever touched; LMDB ignores bytes past its last page.
#pragma once

#include <cstdint>
#include <string>

namespace gk::graph {

class FileHeadroom {
 public:
  // `chunk`: how far ahead of the used size the file is extended, when it is extended.
  FileHeadroom(const std::string& path, uint64_t chunk);
  ~FileHeadroom();
  FileHeadroom(const FileHeadroom&) = delete;
  FileHeadroom& operator=(const FileHeadroom&) = delete;

  // When fewer than chunk/2 written bytes lie past `usedBytes`, writes zeros up to
  // usedBytes + chunk and fdatasyncs them. Throws StoreError on an I/O error.
  void ensure(uint64_t usedBytes);
  uint64_t fileBytes() const { return fileBytes_; }

 private:
  std::string path_;
  uint64_t chunk_;
  int fd_ = -1;
  uint64_t fileBytes_ = 0;
};

}  // namespace gk::graph

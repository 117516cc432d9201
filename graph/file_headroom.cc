#include "graph/file_headroom.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "graph/znode_store.h"

namespace gk::graph {

namespace {
[[noreturn]] void fail(const std::string& what) {
  throw StoreError(what + ": " + std::strerror(errno));
}
}  // namespace

FileHeadroom::FileHeadroom(const std::string& path, uint64_t chunk)
    : path_(path), chunk_(std::max<uint64_t>(chunk, 1 << 20)) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd_ < 0) fail("open " + path_);
  struct stat st;
  if (::fstat(fd_, &st) != 0) {
    ::close(fd_);
    fail("stat " + path_);
  }
  fileBytes_ = uint64_t(st.st_size);
}

FileHeadroom::~FileHeadroom() {
  if (fd_ >= 0) ::close(fd_);
}

void FileHeadroom::ensure(uint64_t usedBytes) {
  if (fileBytes_ >= usedBytes + chunk_ / 2) return;
  struct stat st;
  if (::fstat(fd_, &st) != 0) fail("stat " + path_);
  uint64_t from = std::max<uint64_t>(uint64_t(st.st_size), usedBytes);
  uint64_t to = usedBytes + chunk_;
  static const std::string zeros(size_t(1) << 20, '\0');
  for (uint64_t off = from; off < to;) {
    size_t n = size_t(std::min<uint64_t>(zeros.size(), to - off));
    ssize_t w = ::pwrite(fd_, zeros.data(), n, off_t(off));
    if (w < 0) {
      if (errno == EINTR) continue;
      fail("extend " + path_);
    }
    off += uint64_t(w);
  }
  if (::fdatasync(fd_) != 0) fail("fdatasync " + path_);
  fileBytes_ = std::max(from, to);
}

}  // namespace gk::graph

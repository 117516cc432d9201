#include "replication/txn_log.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string_view>

#include "replication/crc32c.h"

namespace gk::replication {

namespace {

constexpr size_t kHeaderBytes = 16;  // length, crc, index
constexpr const char* kSparePrefix = "log.spare";
constexpr const char* kTmpName = "log.tmp";

[[noreturn]] void fail(const std::string& what) {
  throw TxnLogError(what + ": " + std::strerror(errno));
}

void putLE32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = char(v >> (8 * i));
}
void putLE64(char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = char(v >> (8 * i));
}
uint32_t getLE32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= uint32_t(uint8_t(p[i])) << (8 * i);
  return v;
}
uint64_t getLE64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t(uint8_t(p[i])) << (8 * i);
  return v;
}

// The chain's start for a segment: records of a recycled file (another seq) never match.
uint32_t seedCrc(uint64_t seq) {
  char b[16] = {'G', 'K', 'W', 'A', 'L', '0', '0', '1'};
  putLE64(b + 8, seq);
  return crc32c(0, b, sizeof b);
}

// crc of one record (header at p: length, crc, index; payload follows), chained to `prev`.
uint32_t recordCrc(uint32_t prev, const char* p, uint32_t length) {
  uint32_t c = crc32c(prev, p, 4);                 // length
  return crc32c(c, p + 8, 8 + size_t(length));     // index + payload
}

void writeAll(int fd, const char* p, size_t n, uint64_t off, const std::string& what) {
  while (n > 0) {
    ssize_t w = ::pwrite(fd, p, n, off_t(off));
    if (w < 0) {
      if (errno == EINTR) continue;
      fail(what);
    }
    p += w;
    n -= size_t(w);
    off += uint64_t(w);
  }
}

bool parseSeq(const std::string& name, uint64_t& seq) {
  if (name.size() != 4 + 16 || name.compare(0, 4, "log.") != 0) return false;
  seq = 0;
  for (size_t i = 4; i < name.size(); ++i) {
    char c = name[i];
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) return false;
    seq = seq << 4 | uint64_t(d);
  }
  return true;
}

}  // namespace

std::unique_ptr<TxnLog> TxnLog::open(const TxnLogOptions& options) {
  std::unique_ptr<TxnLog> log(new TxnLog(options));
  log->openExisting();
  return log;
}

TxnLog::TxnLog(const TxnLogOptions& options) : options_(options) {
  if (options_.dir.empty()) throw TxnLogError("log directory not set");
  if (options_.segmentBytes < 4096) options_.segmentBytes = 4096;
}

TxnLog::~TxnLog() {
  for (auto& s : sealed_) ::close(s.fd);
  if (active_.fd >= 0) ::close(active_.fd);
}

std::string TxnLog::segmentPath(uint64_t seq) const {
  char name[32];
  std::snprintf(name, sizeof name, "log.%016llx", static_cast<unsigned long long>(seq));
  return options_.dir + "/" + name;
}

void TxnLog::syncDir() const {
  int fd = ::open(options_.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail("open log directory " + options_.dir);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) fail("fsync log directory " + options_.dir);
}

void TxnLog::openExisting() {
  namespace fs = std::filesystem;
  std::error_code ec;
  bool created = !fs::exists(options_.dir, ec);
  fs::create_directories(options_.dir, ec);
  if (ec) throw TxnLogError("cannot create log directory " + options_.dir + ": " + ec.message());
  if (created && options_.sync) {
    // The new directory's own entry must be durable before records in it are acknowledged.
    int fd = ::open(fs::path(options_.dir).parent_path().c_str(), O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
      ::fsync(fd);
      ::close(fd);
    }
  }

  std::vector<uint64_t> seqs;
  for (const auto& e : fs::directory_iterator(options_.dir, ec)) {
    std::string name = e.path().filename().string();
    uint64_t seq;
    if (parseSeq(name, seq)) {
      seqs.push_back(seq);
    } else if (name == kTmpName) {
      fs::remove(e.path(), ec);  // a segment whose zero-fill did not finish
    }
  }
  if (ec) throw TxnLogError("cannot list log directory " + options_.dir + ": " + ec.message());
  std::sort(seqs.begin(), seqs.end());

  std::vector<Segment> segs;
  for (uint64_t seq : seqs) {
    Segment s;
    s.seq = seq;
    s.fd = ::open(segmentPath(seq).c_str(), O_RDWR | O_CLOEXEC);
    if (s.fd < 0) fail("open " + segmentPath(seq));
    segs.push_back(s);  // owned from here on (closed by the destructor on a throw below)
    struct stat st;
    if (::fstat(s.fd, &st) != 0) fail("stat " + segmentPath(seq));
    segs.back().fileBytes = uint64_t(st.st_size);
    scan(segs.back(), nullptr);
    const Segment& b = segs.back();
    if (b.firstIndex != 0 && b.firstIndex <= lastIndex_) {
      for (auto& x : segs) ::close(x.fd);
      throw TxnLogError("log segment " + segmentPath(seq) + " starts at index " +
                        std::to_string(b.firstIndex) + ", not above the previous segment's " +
                        std::to_string(lastIndex_));
    }
    if (b.lastIndex != 0) lastIndex_ = b.lastIndex;
    // A process killed after its write() left records in the page cache only: make them
    // durable before anything read back from them is applied and served.
    if (options_.sync && ::fdatasync(b.fd) != 0) {
      for (auto& x : segs) ::close(x.fd);
      fail("fdatasync " + segmentPath(seq));
    }
  }
  std::lock_guard lock(mu_);
  if (segs.empty()) {
    active_ = newSegment(1);
  } else {
    active_ = segs.back();
    segs.pop_back();
    sealed_ = std::move(segs);
  }
}

void TxnLog::scan(Segment& s, const std::function<void(int64_t, std::string_view)>& onRecord) const {
  s.end = 0;
  s.lastCrc = seedCrc(s.seq);
  s.firstIndex = s.lastIndex = 0;
  if (s.fileBytes < kHeaderBytes) return;
  void* map = ::mmap(nullptr, s.fileBytes, PROT_READ, MAP_SHARED, s.fd, 0);
  if (map == MAP_FAILED) fail("mmap " + segmentPath(s.seq));
  const char* p = static_cast<const char*>(map);
  uint64_t off = 0;
  int64_t prev = 0;
  while (s.fileBytes - off >= kHeaderBytes) {
    const char* h = p + off;
    uint32_t length = getLE32(h);
    if (length > s.fileBytes - off - kHeaderBytes) break;  // runs off the file: torn
    int64_t index = int64_t(getLE64(h + 8));
    if (recordCrc(s.lastCrc, h, length) != getLE32(h + 4)) break;  // end of the valid chain
    if (index <= prev) break;  // cannot pass the chained crc; checked all the same
    if (onRecord) onRecord(index, std::string_view(h + kHeaderBytes, length));
    if (s.firstIndex == 0) s.firstIndex = index;
    s.lastIndex = prev = index;
    s.lastCrc = getLE32(h + 4);
    off += kHeaderBytes + length;
  }
  s.end = off;
  ::munmap(map, s.fileBytes);
}

TxnLog::Segment TxnLog::newSegment(uint64_t seq) {
  namespace fs = std::filesystem;
  Segment s;
  s.seq = seq;
  s.lastCrc = seedCrc(seq);
  std::string path = segmentPath(seq);
  std::string spare = options_.dir + "/" + kSparePrefix;
  if (::rename(spare.c_str(), path.c_str()) == 0) {
    // A checkpointed segment, already written through: its old records fail the new chain.
    s.fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (s.fd < 0) fail("open " + path);
  } else {
    if (errno != ENOENT) fail("rename " + spare);
    // Really written zeros, not fallocate: appends then only overwrite existing blocks.
    std::string tmp = options_.dir + "/" + kTmpName;
    s.fd = ::open(tmp.c_str(), O_CREAT | O_TRUNC | O_RDWR | O_CLOEXEC, 0600);
    if (s.fd < 0) fail("create " + tmp);
    std::string zeros(size_t(1) << 20, '\0');
    for (uint64_t off = 0; off < options_.segmentBytes; off += zeros.size()) {
      size_t n = size_t(std::min<uint64_t>(zeros.size(), options_.segmentBytes - off));
      writeAll(s.fd, zeros.data(), n, off, "zero-fill " + tmp);
    }
    if (options_.sync && ::fdatasync(s.fd) != 0) fail("fdatasync " + tmp);
    if (::rename(tmp.c_str(), path.c_str()) != 0) fail("rename " + tmp);
  }
  // The segment's name must be durable before a record in it is acknowledged.
  if (options_.sync) syncDir();
  struct stat st;
  if (::fstat(s.fd, &st) != 0) fail("stat " + path);
  s.fileBytes = uint64_t(st.st_size);
  return s;
}

void TxnLog::replay(int64_t after, size_t maxChunk,
                    const std::function<void(std::vector<Entry>&&)>& fn) const {
  std::vector<Segment> segs;
  {
    std::lock_guard lock(mu_);
    segs = sealed_;
    segs.push_back(active_);
  }
  if (maxChunk == 0) maxChunk = 1;
  std::vector<Entry> chunk;
  for (Segment s : segs) {  // a copy: scan() recomputes the same positions
    if (s.lastIndex <= after) continue;
    scan(s, [&](int64_t index, std::string_view payload) {
      if (index <= after) return;
      chunk.push_back(Entry{index, 0, std::string(payload)});
      if (chunk.size() >= maxChunk) {
        fn(std::move(chunk));
        chunk.clear();
      }
    });
  }
  if (!chunk.empty()) fn(std::move(chunk));
}

void TxnLog::append(const std::vector<Entry>& entries) {
  if (entries.empty()) return;
  uint64_t bytes = 0;
  int64_t prev = lastIndex();
  for (const Entry& e : entries) {
    if (e.index <= prev)
      throw TxnLogError("log append: index " + std::to_string(e.index) + " not above " +
                        std::to_string(prev));
    if (e.payload.size() > UINT32_MAX) throw TxnLogError("log append: entry too large");
    prev = e.index;
    bytes += kHeaderBytes + e.payload.size();
  }
  if (active_.end > 0 && active_.end + bytes > options_.segmentBytes) {
    std::lock_guard lock(mu_);
    Segment next = newSegment(active_.seq + 1);
    sealed_.push_back(active_);
    active_ = next;
  }

  std::string buf(bytes, '\0');
  uint32_t crc = active_.lastCrc;
  char* p = buf.data();
  for (const Entry& e : entries) {
    uint32_t length = uint32_t(e.payload.size());
    putLE32(p, length);
    putLE64(p + 8, uint64_t(e.index));
    std::memcpy(p + kHeaderBytes, e.payload.data(), length);
    crc = recordCrc(crc, p, length);
    putLE32(p + 4, crc);
    p += kHeaderBytes + length;
  }
  std::string path = segmentPath(active_.seq);
  writeAll(active_.fd, buf.data(), buf.size(), active_.end, "write " + path);
  if (options_.sync && ::fdatasync(active_.fd) != 0) fail("fdatasync " + path);

  std::lock_guard lock(mu_);
  active_.end += bytes;
  active_.fileBytes = std::max(active_.fileBytes, active_.end);
  active_.lastCrc = crc;
  if (active_.firstIndex == 0) active_.firstIndex = entries.front().index;
  active_.lastIndex = lastIndex_ = entries.back().index;
}

int64_t TxnLog::lastIndex() const {
  std::lock_guard lock(mu_);
  return lastIndex_;
}

bool TxnLog::hasSealed() const {
  std::lock_guard lock(mu_);
  return !sealed_.empty();
}

int64_t TxnLog::releasableAt() const {
  std::lock_guard lock(mu_);
  return sealed_.empty() ? 0 : std::max<int64_t>(sealed_.front().lastIndex, 1);
}

void TxnLog::releaseUpTo(int64_t index) {
  std::lock_guard lock(mu_);
  std::string spare = options_.dir + "/" + kSparePrefix;
  while (!sealed_.empty() && sealed_.front().lastIndex <= index) {
    Segment& s = sealed_.front();
    ::close(s.fd);
    std::string path = segmentPath(s.seq);
    // No directory fsync needed: if the rename or unlink is lost in a crash, the segment
    // comes back holding only entries the state machine has durably applied; replay skips
    // them and the next checkpoint drops it again.
    struct stat st;
    bool haveSpare = ::stat(spare.c_str(), &st) == 0;
    int rc = haveSpare ? ::unlink(path.c_str()) : ::rename(path.c_str(), spare.c_str());
    sealed_.erase(sealed_.begin());
    if (rc != 0) fail((haveSpare ? "unlink " : "rename ") + path);
  }
}

std::vector<std::string> TxnLog::segmentFiles() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> files;
  for (const auto& s : sealed_) files.push_back(segmentPath(s.seq));
  files.push_back(segmentPath(active_.seq));
  return files;
}

}  // namespace gk::replication

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

constexpr size_t kHeaderBytes = 24;    // length, crc, index, term
constexpr size_t kHeaderBytesV1 = 16;  // length, crc, index (segments written before terms)
constexpr const char* kSparePrefix = "log.spare";
constexpr const char* kTmpName = "log.tmp";
constexpr const char* kHardStateName = "hardstate";
constexpr size_t kHardSlotBytes = 40;  // seq, term, vote, commit, crc (+ padding)

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

size_t headerBytes(int format) { return format == 1 ? kHeaderBytesV1 : kHeaderBytes; }

// The chain's start for a segment: records of a recycled file (another seq) never match, nor
// do records of the other format.
uint32_t seedCrc(uint64_t seq, int format) {
  char b[16] = {'G', 'K', 'W', 'A', 'L', '0', '0', char('0' + format)};
  putLE64(b + 8, seq);
  return crc32c(0, b, sizeof b);
}

// crc of one record (header at p: length, crc, index[, term]; payload follows), chained to
// `prev`: over everything but the crc field itself.
uint32_t recordCrc(uint32_t prev, const char* p, uint32_t length, int format) {
  uint32_t c = crc32c(prev, p, 4);  // length
  return crc32c(c, p + 8, headerBytes(format) - 8 + size_t(length));
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
  if (hardFd_ >= 0) ::close(hardFd_);
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
    if (b.firstIndex() != 0 && b.firstIndex() <= lastIndex_) {
      for (auto& x : segs) ::close(x.fd);
      throw TxnLogError("log segment " + segmentPath(seq) + " starts at index " +
                        std::to_string(b.firstIndex()) + ", not above the previous segment's " +
                        std::to_string(lastIndex_));
    }
    if (b.lastIndex() != 0) lastIndex_ = b.lastIndex();
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
    // New records never go into a segment of the old format: it is sealed as it is.
    if (active_.format == 1 && !active_.indexes.empty()) rollOver();
  }
  openHardState();
}

void TxnLog::rollOver() {
  Segment next = newSegment(active_.seq + 1);
  sealed_.push_back(std::move(active_));
  active_ = std::move(next);
}

void TxnLog::scan(Segment& s,
                  const std::function<void(int64_t, int64_t, std::string_view)>& onRecord) const {
  s.end = 0;
  s.indexes.clear();
  s.offsets.clear();
  s.terms.clear();
  s.format = 2;
  s.lastCrc = seedCrc(s.seq, 2);
  if (s.fileBytes < kHeaderBytesV1) return;
  void* map = ::mmap(nullptr, s.fileBytes, PROT_READ, MAP_SHARED, s.fd, 0);
  if (map == MAP_FAILED) fail("mmap " + segmentPath(s.seq));
  const char* p = static_cast<const char*>(map);
  // The first record tells the format: a chain seeded for format 2, else for format 1.
  auto valid = [&](uint64_t off, uint32_t prev, int format) {
    size_t hb = headerBytes(format);
    if (s.fileBytes - off < hb) return false;
    const char* h = p + off;
    uint32_t length = getLE32(h);
    if (length > s.fileBytes - off - hb) return false;  // runs off the file: torn
    return recordCrc(prev, h, length, format) == getLE32(h + 4);
  };
  if (!valid(0, s.lastCrc, 2) && valid(0, seedCrc(s.seq, 1), 1)) {
    s.format = 1;
    s.lastCrc = seedCrc(s.seq, 1);
  }
  const size_t hb = headerBytes(s.format);
  uint64_t off = 0;
  int64_t prev = 0, prevTerm = 0;
  while (valid(off, s.lastCrc, s.format)) {
    const char* h = p + off;
    uint32_t length = getLE32(h);
    int64_t index = int64_t(getLE64(h + 8));
    int64_t term = s.format == 1 ? 0 : int64_t(getLE64(h + 16));
    if (index <= prev || term < prevTerm) break;  // cannot pass the chained crc; checked anyway
    if (onRecord) onRecord(index, term, std::string_view(h + hb, length));
    s.indexes.push_back(index);
    s.offsets.push_back(off);
    s.terms.push_back(term);
    prev = index;
    prevTerm = term;
    s.lastCrc = getLE32(h + 4);
    off += hb + length;
  }
  s.end = off;
  ::munmap(map, s.fileBytes);
}

TxnLog::Segment TxnLog::newSegment(uint64_t seq) {
  namespace fs = std::filesystem;
  Segment s;
  s.seq = seq;
  s.lastCrc = seedCrc(seq, 2);
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
    if (s.lastIndex() <= after) continue;
    scan(s, [&](int64_t index, int64_t term, std::string_view payload) {
      if (index <= after) return;
      chunk.push_back(Entry{index, term, std::string(payload)});
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
  int64_t prevTerm = 0;
  {
    std::lock_guard lock(mu_);
    if (!active_.terms.empty()) {
      prevTerm = active_.terms.back();
    } else if (!sealed_.empty() && !sealed_.back().terms.empty()) {
      prevTerm = sealed_.back().terms.back();
    }
  }
  for (const Entry& e : entries) {
    if (e.index <= prev)
      throw TxnLogError("log append: index " + std::to_string(e.index) + " not above " +
                        std::to_string(prev));
    if (e.term < prevTerm)
      throw TxnLogError("log append: term " + std::to_string(e.term) + " of index " +
                        std::to_string(e.index) + " below the previous entry's " +
                        std::to_string(prevTerm));
    if (e.payload.size() > UINT32_MAX) throw TxnLogError("log append: entry too large");
    prev = e.index;
    prevTerm = e.term;
    bytes += kHeaderBytes + e.payload.size();
  }
  if (active_.end > 0 && active_.end + bytes > options_.segmentBytes) {
    std::lock_guard lock(mu_);
    rollOver();
  }

  std::string buf(bytes, '\0');
  uint32_t crc = active_.lastCrc;
  char* p = buf.data();
  std::vector<uint64_t> offsets;
  offsets.reserve(entries.size());
  for (const Entry& e : entries) {
    uint32_t length = uint32_t(e.payload.size());
    offsets.push_back(active_.end + uint64_t(p - buf.data()));
    putLE32(p, length);
    putLE64(p + 8, uint64_t(e.index));
    putLE64(p + 16, uint64_t(e.term));
    std::memcpy(p + kHeaderBytes, e.payload.data(), length);
    crc = recordCrc(crc, p, length, 2);
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
  for (size_t i = 0; i < entries.size(); ++i) {
    active_.indexes.push_back(entries[i].index);
    active_.offsets.push_back(offsets[i]);
    active_.terms.push_back(entries[i].term);
  }
  lastIndex_ = entries.back().index;
}

const TxnLog::Segment* TxnLog::segmentOf(int64_t index, size_t& pos) const {
  auto look = [&](const Segment& s) -> bool {
    if (s.indexes.empty() || index < s.firstIndex() || index > s.lastIndex()) return false;
    auto it = std::lower_bound(s.indexes.begin(), s.indexes.end(), index);
    if (it == s.indexes.end() || *it != index) return false;
    pos = size_t(it - s.indexes.begin());
    return true;
  };
  if (look(active_)) return &active_;
  for (const Segment& s : sealed_) {
    if (look(s)) return &s;
  }
  return nullptr;
}

int64_t TxnLog::firstIndex() const {
  std::lock_guard lock(mu_);
  for (const Segment& s : sealed_) {
    if (!s.indexes.empty()) return s.firstIndex();
  }
  return active_.firstIndex();
}

std::optional<int64_t> TxnLog::term(int64_t index) const {
  std::lock_guard lock(mu_);
  size_t pos = 0;
  const Segment* s = segmentOf(index, pos);
  if (!s) return std::nullopt;
  return s->terms[pos];
}

std::vector<Entry> TxnLog::entries(int64_t lo, int64_t hi, uint64_t maxBytes) const {
  std::lock_guard lock(mu_);  // a truncation must not move records under the reads
  std::vector<Entry> out;
  uint64_t total = 0;
  std::vector<const Segment*> segs;
  for (const Segment& s : sealed_) segs.push_back(&s);
  segs.push_back(&active_);
  for (const Segment* s : segs) {
    if (s->indexes.empty() || s->lastIndex() < lo || s->firstIndex() >= hi) continue;
    size_t hb = headerBytes(s->format);
    auto it = std::lower_bound(s->indexes.begin(), s->indexes.end(), lo);
    for (size_t i = size_t(it - s->indexes.begin()); i < s->indexes.size(); ++i) {
      if (s->indexes[i] >= hi) return out;
      uint64_t start = s->offsets[i];
      char h[kHeaderBytes];
      if (::pread(s->fd, h, hb, off_t(start)) != ssize_t(hb)) fail("read " + segmentPath(s->seq));
      uint32_t length = getLE32(h);
      if (!out.empty() && total + length > maxBytes) return out;
      Entry e{s->indexes[i], s->terms[i], std::string(length, '\0')};
      if (length > 0 &&
          ::pread(s->fd, e.payload.data(), length, off_t(start + hb)) != ssize_t(length)) {
        fail("read " + segmentPath(s->seq));
      }
      total += length;
      out.push_back(std::move(e));
    }
  }
  return out;
}

void TxnLog::truncateAfter(int64_t index) {
  std::lock_guard lock(mu_);
  if (index >= lastIndex_) return;
  // 1. Whole segments above `index` go first (their names durably), newest first.
  auto dropFile = [&](Segment& s) {
    ::close(s.fd);
    s.fd = -1;
    std::string path = segmentPath(s.seq);
    if (::unlink(path.c_str()) != 0) fail("unlink " + path);
  };
  bool activeDropped = false;
  if (active_.indexes.empty() || active_.firstIndex() > index) {
    // The active segment holds nothing to keep: it is emptied in place below if no sealed
    // segment keeps entries, else dropped and the keeping segment becomes active.
    while (!sealed_.empty() && sealed_.back().firstIndex() > index) {
      dropFile(sealed_.back());
      sealed_.pop_back();
    }
    if (!sealed_.empty()) {
      dropFile(active_);
      active_ = std::move(sealed_.back());
      sealed_.pop_back();
      activeDropped = true;
    }
    if (options_.sync) syncDir();
  }
  // 2. Cut the chain after `index` inside the active segment: its records above are
  // forgotten, the header of the first one zeroed durably so a reopen stops there too.
  Segment& s = active_;
  size_t keep = size_t(std::upper_bound(s.indexes.begin(), s.indexes.end(), index) -
                       s.indexes.begin());
  if (keep < s.indexes.size()) {
    uint64_t cut = s.offsets[keep];
    char zeros[kHeaderBytes] = {};
    writeAll(s.fd, zeros, headerBytes(s.format), cut, "truncate " + segmentPath(s.seq));
    if (options_.sync && ::fdatasync(s.fd) != 0) fail("fdatasync " + segmentPath(s.seq));
    s.end = cut;
    s.indexes.resize(keep);
    s.offsets.resize(keep);
    s.terms.resize(keep);
    // The chain goes on from the last kept record's crc (or the segment's seed).
    if (keep == 0) {
      s.lastCrc = seedCrc(s.seq, s.format);
    } else {
      char h[8];
      if (::pread(s.fd, h, 8, off_t(s.offsets[keep - 1])) != 8) fail("read " + segmentPath(s.seq));
      s.lastCrc = getLE32(h + 4);
    }
  }
  // A segment of the old format that was reopened for appends is sealed again.
  if (activeDropped && s.format == 1) rollOver();
  // The last index held now, or, with nothing held, the truncation point: the next append
  // goes above it.
  lastIndex_ = index;
  if (!active_.indexes.empty()) {
    lastIndex_ = active_.lastIndex();
  } else {
    for (auto it = sealed_.rbegin(); it != sealed_.rend(); ++it) {
      if (!it->indexes.empty()) {
        lastIndex_ = it->lastIndex();
        break;
      }
    }
  }
}

// --- HardState --------------------------------------------------------------------------

void TxnLog::openHardState() {
  std::string path = options_.dir + "/" + kHardStateName;
  hardFd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (hardFd_ < 0) fail("open " + path);
  char buf[2 * kHardSlotBytes] = {};
  ssize_t n = ::pread(hardFd_, buf, sizeof buf, 0);
  if (n < 0) fail("read " + path);
  for (int slot = 0; slot < 2; ++slot) {
    if (size_t(n) < size_t(slot + 1) * kHardSlotBytes) break;
    const char* p = buf + slot * kHardSlotBytes;
    if (crc32c(0, p, 32) != getLE32(p + 32)) continue;  // torn or never written
    uint64_t seq = getLE64(p);
    if (seq == 0 || seq <= hardSeq_) continue;
    hardSeq_ = seq;
    hard_.term = int64_t(getLE64(p + 8));
    hard_.vote = int32_t(getLE64(p + 16));
    hard_.commit = int64_t(getLE64(p + 24));
  }
}

HardState TxnLog::hardState() const {
  std::lock_guard lock(mu_);
  return hard_;
}

void TxnLog::saveHardState(const HardState& state) {
  std::lock_guard lock(mu_);
  // Two slots, written in turn: a torn write spoils only the slot being written, and the
  // other still holds the previous state.
  uint64_t seq = hardSeq_ + 1;
  char p[kHardSlotBytes] = {};
  putLE64(p, seq);
  putLE64(p + 8, uint64_t(state.term));
  putLE64(p + 16, uint64_t(int64_t(state.vote)));
  putLE64(p + 24, uint64_t(state.commit));
  putLE32(p + 32, crc32c(0, p, 32));
  std::string path = options_.dir + "/" + kHardStateName;
  writeAll(hardFd_, p, sizeof p, (seq % 2) * kHardSlotBytes, "write " + path);
  if (options_.sync && ::fdatasync(hardFd_) != 0) fail("fdatasync " + path);
  hardSeq_ = seq;
  hard_ = state;
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
  return sealed_.empty() ? 0 : std::max<int64_t>(sealed_.front().lastIndex(), 1);
}

void TxnLog::releaseUpTo(int64_t index) {
  std::lock_guard lock(mu_);
  std::string spare = options_.dir + "/" + kSparePrefix;
  while (!sealed_.empty() && sealed_.front().lastIndex() <= index) {
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

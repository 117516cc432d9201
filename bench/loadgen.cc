// gk_loadgen: a load generator on the official ZooKeeper C client (libzookeeper-mt).
//
// Every session is one zhandle_t (its own I/O and completion threads). Each session keeps exactly
// --inflight asynchronous requests outstanding: a completion callback records the latency and
// submits the next request from the same slot (closed loop). Latencies come from the monotonic
// clock (submit -> completion callback). Every error is counted by code and by phase and printed;
// nothing is retried silently.
//
// A run: connect all sessions -> set up the working tree (unless --reuse) -> warm-up -> measured
// window -> drain -> remove what the run created (unless --keep) -> one JSON line per point on
// stdout, a readable table on stderr. --op, --sessions and --inflight take comma lists; every
// combination is one point, run in turn on the same tree.
//
// Ops: get set exists children create delete mixed multi, and the bulk modes populate (create a
// tree and keep it) and remove (delete a tree).

#include <zookeeper/zookeeper.h>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

int64_t nowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

double secondsSince(int64_t t0) { return double(nowNs() - t0) / 1e9; }

[[noreturn]] void die(const std::string& msg) {
  std::fprintf(stderr, "gk_loadgen: %s\n", msg.c_str());
  std::exit(2);
}

std::string zcodeName(int rc) {
  switch (rc) {
    case ZOK: return "ZOK";
    case ZSYSTEMERROR: return "ZSYSTEMERROR";
    case ZRUNTIMEINCONSISTENCY: return "ZRUNTIMEINCONSISTENCY";
    case ZDATAINCONSISTENCY: return "ZDATAINCONSISTENCY";
    case ZCONNECTIONLOSS: return "ZCONNECTIONLOSS";
    case ZMARSHALLINGERROR: return "ZMARSHALLINGERROR";
    case ZUNIMPLEMENTED: return "ZUNIMPLEMENTED";
    case ZOPERATIONTIMEOUT: return "ZOPERATIONTIMEOUT";
    case ZBADARGUMENTS: return "ZBADARGUMENTS";
    case ZINVALIDSTATE: return "ZINVALIDSTATE";
    case ZAPIERROR: return "ZAPIERROR";
    case ZNONODE: return "ZNONODE";
    case ZNOAUTH: return "ZNOAUTH";
    case ZBADVERSION: return "ZBADVERSION";
    case ZNOCHILDRENFOREPHEMERALS: return "ZNOCHILDRENFOREPHEMERALS";
    case ZNODEEXISTS: return "ZNODEEXISTS";
    case ZNOTEMPTY: return "ZNOTEMPTY";
    case ZSESSIONEXPIRED: return "ZSESSIONEXPIRED";
    case ZINVALIDCALLBACK: return "ZINVALIDCALLBACK";
    case ZINVALIDACL: return "ZINVALIDACL";
    case ZAUTHFAILED: return "ZAUTHFAILED";
    case ZCLOSING: return "ZCLOSING";
    case ZNOTHING: return "ZNOTHING";
    case ZSESSIONMOVED: return "ZSESSIONMOVED";
    case ZNOTREADONLY: return "ZNOTREADONLY";
    case ZTHROTTLEDOP: return "ZTHROTTLEDOP";
    default: return "rc" + std::to_string(rc);
  }
}

// Errors that mean "this session cannot take requests right now": the slot is parked and the
// main thread re-submits it on its next tick instead of spinning.
bool isConnectionError(int rc) {
  return rc == ZCONNECTIONLOSS || rc == ZOPERATIONTIMEOUT || rc == ZSESSIONEXPIRED ||
         rc == ZINVALIDSTATE || rc == ZCLOSING || rc == ZSYSTEMERROR ||
         rc == ZRUNTIMEINCONSISTENCY || rc == ZMARSHALLINGERROR;
}

// ---------------------------------------------------------------------------------------------
// Options

struct Options {
  std::string hosts;
  std::vector<std::string> ops{"get"};
  std::vector<int> sessions{1};
  std::vector<int> inflight{1};
  int readPct = 90;
  int multiK = 4;
  int payload = 100;
  long znodes = 10000;
  long deletePool = 0;  // delete: znodes created for the point to delete (0: --znodes)
  int fanout = 100;
  int depth = 2;
  double duration = 5;
  double warmup = 1;
  std::string root = "/gk-bench";
  bool reuse = false;   // the tree exists already (e.g. from an earlier run with --keep)
  bool keep = false;    // leave the tree in place at the end
  std::string label;    // copied into the JSON (e.g. the server's name)
  long serverPid = 0;   // server CPU time from /proc/PID/stat over the measured window
  int sessionTimeoutMs = 30000;
  double connectTimeout = 20;
  double drainTimeout = 60;
  double bulkStallTimeout = 120;  // a bulk phase with no completion for this long fails
  int bulkSessions = 0;           // sessions used for setup/populate/remove (0: max(4, sessions))
  int bulkInflight = 64;          // in flight per session in bulk phases
  int batch = 1;                  // populate/remove: ops per request (a multi when > 1)
  bool quiet = false;
  bool noTable = false;
};

std::vector<std::string> splitList(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream is(s);
  while (std::getline(is, cur, ','))
    if (!cur.empty()) out.push_back(cur);
  return out;
}

long parseLong(const std::string& flag, const std::string& v) {
  char* end = nullptr;
  errno = 0;
  long x = std::strtol(v.c_str(), &end, 10);
  if (errno || end == v.c_str() || *end) die("bad integer for " + flag + ": " + v);
  return x;
}

double parseDouble(const std::string& flag, const std::string& v) {
  char* end = nullptr;
  double x = std::strtod(v.c_str(), &end);
  if (end == v.c_str() || *end) die("bad number for " + flag + ": " + v);
  return x;
}

void usage() {
  std::fprintf(stderr,
R"(usage: gk_loadgen --hosts 127.0.0.1:2181 [options]
  --op LIST            get,set,exists,children,create,delete,mixed,multi | populate | remove
  --sessions LIST      sessions (zhandles), e.g. 1,4,16,64            [1]
  --inflight LIST      requests kept in flight per session            [1]
  --read-pct N         mixed: percent of gets (rest are sets)         [90]
  --multi-k K          multi: setData ops per multi                   [4]
  --payload BYTES      data size of every znode written               [100]
  --znodes N           distinct working znodes (leaves of the tree)   [10000]
  --delete-pool N      delete: znodes made (unmeasured) for the point to delete; the
                       point ends early when they run out             [--znodes]
  --fanout F           children per interior node                     [100]
  --depth D            levels below --root (leaves at level D)        [2]
  --duration S         measured seconds per point                     [5]
  --warmup S           unmeasured seconds before each point           [1]
  --root PATH          working tree root                              [/gk-bench]
  --reuse              the tree exists already: skip set-up
  --keep               leave the tree in place at the end
  --label TEXT         copied into the JSON line
  --server-pid PID     report the server's CPU time (utime+stime) per request
  --batch K            populate/remove: ops per request (multi when > 1) [1]
  --bulk-sessions N    sessions for set-up/populate/remove            [max(4, sessions)]
  --bulk-inflight N    in flight per session in bulk phases           [64]
  --session-timeout MS [30000]  --drain-timeout S [60]  --connect-timeout S [20]
  --quiet              no progress on stderr   --no-table   no table on stderr
)");
}

Options parseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto val = [&]() -> std::string {
      if (auto eq = a.find('='); eq != std::string::npos && a.rfind("--", 0) == 0) {
        return a.substr(eq + 1);
      }
      if (i + 1 >= argc) die("missing value for " + a);
      return argv[++i];
    };
    std::string flag = a.substr(0, a.find('='));
    if (flag == "--help" || flag == "-h") { usage(); std::exit(0); }
    else if (flag == "--hosts") o.hosts = val();
    else if (flag == "--op") o.ops = splitList(val());
    else if (flag == "--sessions") { o.sessions.clear(); for (auto& s : splitList(val())) o.sessions.push_back(int(parseLong(flag, s))); }
    else if (flag == "--inflight") { o.inflight.clear(); for (auto& s : splitList(val())) o.inflight.push_back(int(parseLong(flag, s))); }
    else if (flag == "--read-pct") o.readPct = int(parseLong(flag, val()));
    else if (flag == "--multi-k") o.multiK = int(parseLong(flag, val()));
    else if (flag == "--payload") o.payload = int(parseLong(flag, val()));
    else if (flag == "--znodes") o.znodes = parseLong(flag, val());
    else if (flag == "--delete-pool") o.deletePool = parseLong(flag, val());
    else if (flag == "--fanout") o.fanout = int(parseLong(flag, val()));
    else if (flag == "--depth") o.depth = int(parseLong(flag, val()));
    else if (flag == "--duration") o.duration = parseDouble(flag, val());
    else if (flag == "--warmup") o.warmup = parseDouble(flag, val());
    else if (flag == "--root") o.root = val();
    else if (flag == "--reuse") o.reuse = true;
    else if (flag == "--keep") o.keep = true;
    else if (flag == "--label") o.label = val();
    else if (flag == "--server-pid") o.serverPid = parseLong(flag, val());
    else if (flag == "--session-timeout") o.sessionTimeoutMs = int(parseLong(flag, val()));
    else if (flag == "--connect-timeout") o.connectTimeout = parseDouble(flag, val());
    else if (flag == "--drain-timeout") o.drainTimeout = parseDouble(flag, val());
    else if (flag == "--bulk-stall-timeout") o.bulkStallTimeout = parseDouble(flag, val());
    else if (flag == "--bulk-sessions") o.bulkSessions = int(parseLong(flag, val()));
    else if (flag == "--bulk-inflight") o.bulkInflight = int(parseLong(flag, val()));
    else if (flag == "--batch") o.batch = int(parseLong(flag, val()));
    else if (flag == "--quiet") o.quiet = true;
    else if (flag == "--no-table") o.noTable = true;
    else { usage(); die("unknown option " + a); }
  }
  if (o.hosts.empty()) { usage(); die("--hosts is required"); }
  static const char* known[] = {"get", "set", "exists", "children", "create", "delete", "mixed",
                                "multi", "populate", "remove"};
  for (auto& op : o.ops)
    if (std::find_if(std::begin(known), std::end(known), [&](const char* k) { return op == k; }) ==
        std::end(known))
      die("unknown --op " + op);
  if (o.sessions.empty() || o.inflight.empty()) die("--sessions/--inflight must not be empty");
  for (int s : o.sessions) if (s < 1 || s > 1000) die("--sessions must be 1..1000");
  for (int k : o.inflight) if (k < 1 || k > 10000) die("--inflight must be 1..10000");
  if (o.readPct < 0 || o.readPct > 100) die("--read-pct must be 0..100");
  if (o.multiK < 1 || o.multiK > 1000) die("--multi-k must be 1..1000");
  if (o.payload < 0 || o.payload > 1000000) die("--payload must be 0..1000000");
  if (o.znodes < 1) die("--znodes must be >= 1");
  if (o.fanout < 1 || o.depth < 1 || o.depth > 8) die("bad --fanout/--depth");
  if (o.depth > 1) {
    // the tree must hold --znodes leaves
    double cap = std::pow(double(o.fanout), o.depth);
    if (cap < double(o.znodes)) die("--fanout^--depth is smaller than --znodes");
  } else if (o.znodes > 1000000) {
    die("--depth 1 puts every znode under one parent; use --depth >= 2");
  }
  if (o.root.empty() || o.root[0] != '/' || o.root == "/" || o.root.back() == '/') die("bad --root");
  if (o.batch < 1 || o.batch > 1000) die("--batch must be 1..1000");
  if (o.duration <= 0 || o.warmup < 0) die("bad --duration/--warmup");
  return o;
}

// ---------------------------------------------------------------------------------------------
// The tree: leaves 0..N-1 at level D under root; level-L node i has the L base-F digits of i.

struct Tree {
  std::string root;
  long n;
  int f;
  int d;

  long countAtLevel(int level) const {  // level 1..d
    long div = 1;
    for (int j = level; j < d; ++j) div *= f;
    return (n + div - 1) / div;
  }
  std::string path(int level, long idx) const {
    std::vector<long> digits(level);
    for (int j = level - 1; j >= 0; --j) {
      digits[j] = idx % f;
      idx /= f;
    }
    std::string p = root;
    for (int j = 0; j < level; ++j) {
      p += (j + 1 == d) ? "/n" : "/p";
      p += std::to_string(digits[j]);
    }
    return p;
  }
  std::string leaf(long idx) const { return path(d, idx); }
  // Parent of leaves: level d-1 (root when d == 1).
  long parentCount() const { return d == 1 ? 1 : countAtLevel(d - 1); }
  std::string parent(long idx) const { return d == 1 ? root : path(d - 1, idx); }
  long expectedChildren(long parentIdx) const {
    if (d == 1) return n;
    return std::min<long>(f, n - parentIdx * f);
  }
};

// ---------------------------------------------------------------------------------------------
// Error accounting: per phase, per code. Never dropped.

struct ErrorBook {
  std::mutex mu;
  std::map<std::string, std::map<std::string, uint64_t>> byPhase;  // phase -> code -> count
  void add(const std::string& phase, const std::string& code, uint64_t n = 1) {
    std::lock_guard<std::mutex> g(mu);
    byPhase[phase][code] += n;
  }
  uint64_t total(const std::string& phase) {
    std::lock_guard<std::mutex> g(mu);
    uint64_t t = 0;
    for (auto& [c, n] : byPhase[phase]) t += n;
    return t;
  }
  uint64_t totalAll() {
    std::lock_guard<std::mutex> g(mu);
    uint64_t t = 0;
    for (auto& [p, m] : byPhase)
      for (auto& [c, n] : m) t += n;
    return t;
  }
};

ErrorBook gErrors;

// ---------------------------------------------------------------------------------------------
// Sessions

struct Session {
  int id = 0;
  zhandle_t* zh = nullptr;
  std::mutex mu;
  std::condition_variable cv;
  int state = 0;
  bool everConnected = false;
};

std::string stateName(int state) {
  if (state == ZOO_CONNECTED_STATE) return "CONNECTED";
  if (state == ZOO_CONNECTING_STATE) return "CONNECTING";
  if (state == ZOO_ASSOCIATING_STATE) return "ASSOCIATING";
  if (state == ZOO_EXPIRED_SESSION_STATE) return "EXPIRED";
  if (state == ZOO_AUTH_FAILED_STATE) return "AUTH_FAILED";
  if (state == ZOO_NOTCONNECTED_STATE) return "NOTCONNECTED";
  return "state" + std::to_string(state);
}

std::atomic<const char*> gPhase{"connect"};  // current phase name, for session events

void globalWatcher(zhandle_t* zh, int type, int state, const char* path, void* ctx) {
  auto* s = static_cast<Session*>(ctx);
  if (!s || type != ZOO_SESSION_EVENT) return;
  std::lock_guard<std::mutex> g(s->mu);
  if (state != ZOO_CONNECTED_STATE && s->everConnected) {
    // A connected session that drops, expires or fails: an error, reported as such.
    gErrors.add(gPhase.load(), "session_event:" + stateName(state));
  }
  if (state == ZOO_CONNECTED_STATE) s->everConnected = true;
  s->state = state;
  s->cv.notify_all();
}

std::vector<std::unique_ptr<Session>> connectSessions(const Options& o, int count) {
  std::vector<std::unique_ptr<Session>> out;
  for (int i = 0; i < count; ++i) {
    auto s = std::make_unique<Session>();
    s->id = i;
    s->zh = zookeeper_init(o.hosts.c_str(), globalWatcher, o.sessionTimeoutMs, nullptr, s.get(), 0);
    if (!s->zh) die(std::string("zookeeper_init failed: ") + std::strerror(errno));
    // By default the C client re-resolves its host list on every I/O loop; that alone halves
    // throughput. The hosts here are numeric loopback addresses: never re-resolve.
    zoo_set_servers_resolution_delay(s->zh, -1);
    out.push_back(std::move(s));
  }
  auto deadline = Clock::now() + std::chrono::duration<double>(o.connectTimeout);
  for (auto& s : out) {
    std::unique_lock<std::mutex> l(s->mu);
    if (!s->cv.wait_until(l, deadline, [&] { return s->state == ZOO_CONNECTED_STATE; }))
      die("session " + std::to_string(s->id) + " did not connect to " + o.hosts + " within " +
          std::to_string(o.connectTimeout) + "s (state " + stateName(s->state) + ")");
  }
  return out;
}

void closeSessions(std::vector<std::unique_ptr<Session>>& ss) {
  gPhase = "close";
  for (auto& s : ss) {
    if (s->zh) {
      int rc = zookeeper_close(s->zh);
      if (rc != ZOK) gErrors.add("close", zcodeName(rc));
      s->zh = nullptr;
    }
  }
  ss.clear();
}

// ---------------------------------------------------------------------------------------------
// CPU time

// utime+stime of a whole process (all threads), or -1; `user`/`sys` get the two parts.
double procCpuSeconds(long pid, double* user = nullptr, double* sys = nullptr) {
  if (pid <= 0) return -1;
  char fn[64];
  std::snprintf(fn, sizeof fn, "/proc/%ld/stat", pid);
  FILE* f = std::fopen(fn, "r");
  if (!f) return -1;
  char buf[4096];
  size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[n] = 0;
  const char* p = std::strrchr(buf, ')');  // comm may contain spaces
  if (!p) return -1;
  // After ") ": field 3 (state) ... utime is field 14, stime field 15.
  unsigned long long utime = 0, stime = 0;
  int field = 2;
  const char* q = p + 1;
  while (*q && field < 15) {
    while (*q == ' ') ++q;
    ++field;
    if (field == 14) utime = std::strtoull(q, nullptr, 10);
    if (field == 15) stime = std::strtoull(q, nullptr, 10);
    while (*q && *q != ' ') ++q;
  }
  double tck = double(sysconf(_SC_CLK_TCK));
  if (user) *user = double(utime) / tck;
  if (sys) *sys = double(stime) / tck;
  return double(utime + stime) / tck;
}

double selfCpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// ---------------------------------------------------------------------------------------------
// Random numbers: one generator per thread (completion threads and the main thread).

uint64_t rnd() {
  thread_local std::mt19937_64 g(std::random_device{}() ^
                                 (uint64_t)std::hash<std::thread::id>{}(std::this_thread::get_id()));
  return g();
}

// ---------------------------------------------------------------------------------------------
// Bulk phases (set-up, populate, remove, per-point preparation): a list of create/delete ops,
// pipelined over several sessions, optionally batched into multis.

struct BulkSpec {
  std::string name;                                  // phase name for errors
  long count = 0;                                    // ops
  std::function<std::string(long)> path;             // path of op i
  bool create = true;                                // create (with data) or delete
  const std::string* data = nullptr;
  std::vector<int> okCodes;                          // codes that count as done, not as errors
};

struct BulkRun;

struct BulkReq {
  BulkRun* run = nullptr;
  Session* s = nullptr;
  long first = 0, n = 0;
  std::vector<std::string> paths;
  std::vector<zoo_op_t> ops;
  std::vector<zoo_op_result_t> results;
  std::vector<std::vector<char>> bufs;
};

struct BulkRun {
  const BulkSpec* spec = nullptr;
  int batch = 1;
  std::atomic<long> next{0};
  std::atomic<long> done{0};        // ops finished (ok, ok-code or error)
  std::atomic<long> failed{0};      // ops not done because of an error
  std::atomic<int> outstanding{0};  // requests in flight
  std::atomic<int64_t> lastProgressNs{0};
  std::mutex parkMu;
  std::vector<BulkReq*> parked;     // slots whose session could not take a request
  std::map<std::string, uint64_t> okCodeCounts;
  std::mutex okMu;
};

void bulkSubmit(BulkReq* r);

void bulkFinish(BulkReq* r, const std::vector<int>& rcs) {
  BulkRun* run = r->run;
  bool conn = false;
  for (int rc : rcs) {
    if (rc == ZOK) continue;
    if (std::find(run->spec->okCodes.begin(), run->spec->okCodes.end(), rc) !=
        run->spec->okCodes.end()) {
      std::lock_guard<std::mutex> g(run->okMu);
      run->okCodeCounts[zcodeName(rc)]++;
      continue;
    }
    gErrors.add(run->spec->name, zcodeName(rc));
    run->failed++;
    if (isConnectionError(rc)) conn = true;
  }
  run->done += long(rcs.size());
  run->lastProgressNs = nowNs();
  // Submit the next request (or park) before giving up this one's count, so the main thread
  // never sees zero outstanding while a callback is still using `run`.
  if (conn) {
    std::lock_guard<std::mutex> g(run->parkMu);
    run->parked.push_back(r);
  } else {
    bulkSubmit(r);
  }
  run->outstanding--;  // last touch of `run`
}

void bulkSingleCb(int rc, const void* data) {
  auto* r = static_cast<BulkReq*>(const_cast<void*>(data));
  bulkFinish(r, {rc});
}
void bulkCreateCb(int rc, const char*, const void* data) { bulkSingleCb(rc, data); }

void bulkMultiCb(int rc, const void* data) {
  auto* r = static_cast<BulkReq*>(const_cast<void*>(data));
  std::vector<int> rcs;
  if (rc == ZOK) {
    rcs.assign(size_t(r->n), ZOK);
  } else if (isConnectionError(rc) || rc == ZMARSHALLINGERROR) {
    rcs.assign(size_t(r->n), rc);
  } else {
    // A failed multi: the first failing op carries the cause, the others ZRUNTIMEINCONSISTENCY
    // (rolled back). Count the cause once per op so the totals still add up to n.
    int cause = rc;
    for (long i = 0; i < r->n; ++i)
      if (r->results[i].err != ZOK && r->results[i].err != ZRUNTIMEINCONSISTENCY) {
        cause = r->results[i].err;
        break;
      }
    rcs.assign(size_t(r->n), cause);
  }
  bulkFinish(r, rcs);
}

void bulkSubmit(BulkReq* r) {
  BulkRun* run = r->run;
  const BulkSpec& sp = *run->spec;
  long first = run->next.fetch_add(run->batch);
  if (first >= sp.count) return;  // nothing left: the slot retires
  long n = std::min<long>(run->batch, sp.count - first);
  r->first = first;
  r->n = n;
  int rc;
  run->outstanding++;
  const char* data = sp.data ? sp.data->data() : "";
  int dlen = sp.data ? int(sp.data->size()) : 0;
  if (n == 1) {
    r->paths.resize(1);
    r->paths[0] = sp.path(first);
    if (sp.create)
      rc = zoo_acreate(r->s->zh, r->paths[0].c_str(), data, dlen, &ZOO_OPEN_ACL_UNSAFE,
                       ZOO_PERSISTENT, bulkCreateCb, r);
    else
      rc = zoo_adelete(r->s->zh, r->paths[0].c_str(), -1, bulkSingleCb, r);
  } else {
    r->paths.resize(size_t(n));
    r->ops.resize(size_t(n));
    r->results.assign(size_t(n), zoo_op_result_t{});
    r->bufs.resize(size_t(n));
    for (long i = 0; i < n; ++i) {
      r->paths[i] = sp.path(first + i);
      if (sp.create) {
        r->bufs[i].assign(r->paths[i].size() + 16, 0);
        zoo_create_op_init(&r->ops[i], r->paths[i].c_str(), data, dlen, &ZOO_OPEN_ACL_UNSAFE,
                           ZOO_PERSISTENT, r->bufs[i].data(), int(r->bufs[i].size()));
      } else {
        zoo_delete_op_init(&r->ops[i], r->paths[i].c_str(), -1);
      }
    }
    rc = zoo_amulti(r->s->zh, int(n), r->ops.data(), r->results.data(), bulkMultiCb, r);
  }
  if (rc != ZOK) {
    // Not sent: give the ops back to nobody -- count them as failed and park the slot.
    gErrors.add(sp.name, "submit:" + zcodeName(rc), uint64_t(n));
    run->failed += n;
    run->done += n;
    run->outstanding--;
    std::lock_guard<std::mutex> g(run->parkMu);
    run->parked.push_back(r);
  }
}

struct BulkResult {
  long ops = 0;
  long failed = 0;
  double seconds = 0;
  std::map<std::string, uint64_t> okCodes;
  bool stalled = false;
};

BulkResult runBulk(const Options& o, std::vector<std::unique_ptr<Session>>& ss, const BulkSpec& sp,
                   int batch, bool progress) {
  BulkResult res;
  if (sp.count <= 0) return res;
  gPhase = sp.name.c_str();
  BulkRun run;
  run.spec = &sp;
  run.batch = batch;
  run.lastProgressNs = nowNs();
  int64_t t0 = nowNs();
  std::vector<std::unique_ptr<BulkReq>> reqs;
  for (auto& s : ss)
    for (int k = 0; k < o.bulkInflight; ++k) {
      auto r = std::make_unique<BulkReq>();
      r->run = &run;
      r->s = s.get();
      reqs.push_back(std::move(r));
    }
  // Interleave sessions so a small count spreads across them.
  std::vector<BulkReq*> order;
  for (int k = 0; k < o.bulkInflight; ++k)
    for (size_t si = 0; si < ss.size(); ++si) order.push_back(reqs[si * o.bulkInflight + k].get());
  for (auto* r : order) bulkSubmit(r);
  int64_t lastReport = nowNs();
  while (true) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (run.done.load() >= sp.count && run.outstanding.load() == 0) break;
    std::vector<BulkReq*> parked;
    {
      std::lock_guard<std::mutex> g(run.parkMu);
      parked.swap(run.parked);
    }
    for (auto* r : parked) bulkSubmit(r);
    if (run.next.load() >= sp.count && run.outstanding.load() == 0) break;
    if (double(nowNs() - run.lastProgressNs.load()) / 1e9 > o.bulkStallTimeout) {
      std::fprintf(stderr, "gk_loadgen: %s: no progress for %.0fs (%ld/%ld done, %d in flight)\n",
                   sp.name.c_str(), o.bulkStallTimeout, run.done.load(), sp.count,
                   run.outstanding.load());
      gErrors.add(sp.name, "stalled", uint64_t(sp.count - run.done.load()));
      res.stalled = true;
      break;
    }
    if (progress && !o.quiet && nowNs() - lastReport > 5'000'000'000LL) {
      lastReport = nowNs();
      double el = secondsSince(t0);
      std::fprintf(stderr, "  %s: %ld/%ld (%.0f/s)\n", sp.name.c_str(), run.done.load(), sp.count,
                   double(run.done.load()) / el);
    }
  }
  res.seconds = secondsSince(t0);
  res.ops = run.done.load();
  res.failed = run.failed.load();
  {
    std::lock_guard<std::mutex> g(run.okMu);
    res.okCodes = run.okCodeCounts;
  }
  if (res.stalled) {
    // Callbacks may still arrive for the stalled requests; they refer to `run`. Leak the run's
    // requests rather than free them under a live callback: close the sessions first.
    closeSessions(ss);
  }
  return res;
}

// Set up (or remove) a tree: interior levels top-down, leaves last (removal: the reverse).
double buildTree(const Options& o, std::vector<std::unique_ptr<Session>>& ss, const Tree& t,
                 const std::string& data, bool create, const std::string& phase, int batch,
                 bool progress, long* failedOut) {
  int64_t t0 = nowNs();
  long failed = 0;
  static const std::string empty;
  auto one = [&](long count, std::function<std::string(long)> path, const std::string* d,
                 bool cr, std::vector<int> ok) {
    BulkSpec sp;
    sp.name = phase;
    sp.count = count;
    sp.path = std::move(path);
    sp.create = cr;
    sp.data = d;
    sp.okCodes = std::move(ok);
    auto r = runBulk(o, ss, sp, batch, progress);
    failed += r.failed;
    if (r.stalled) die(phase + " stalled; see the errors above");
    for (auto& [c, n] : r.okCodes)
      if (!o.quiet) std::fprintf(stderr, "  %s: %" PRIu64 " x %s (expected here)\n", phase.c_str(), n, c.c_str());
  };
  if (create) {
    one(1, [&](long) { return t.root; }, &empty, true, {ZNODEEXISTS});
    for (int level = 1; level <= t.d; ++level) {
      bool leaves = level == t.d;
      one(t.countAtLevel(level), [&t, level](long i) { return t.path(level, i); },
          leaves ? &data : &empty, true, {});
    }
  } else {
    for (int level = t.d; level >= 1; --level)
      one(t.countAtLevel(level), [&t, level](long i) { return t.path(level, i); }, nullptr, false,
          {ZNONODE});
    one(1, [&](long) { return t.root; }, nullptr, false, {ZNONODE});
  }
  if (failedOut) *failedOut = failed;
  return secondsSince(t0);
}

// ---------------------------------------------------------------------------------------------
// Measured points

enum Kind { kRead = 0, kWrite = 1, kKinds = 2 };

struct Point;

struct Req {
  Point* pt = nullptr;
  Session* s = nullptr;
  int sidx = 0;
  int64_t t0 = 0;
  int kind = kRead;
  int opcode = 0;     // which op this request is
  long target = 0;    // leaf / parent / created index
  std::string path;
  std::vector<std::string> paths;
  std::vector<zoo_op_t> ops;
  std::vector<zoo_op_result_t> results;
  std::vector<Stat> stats;
  Stat stat{};
};

enum OpCode { opGet, opSet, opExists, opChildren, opCreate, opDelete, opMulti };

struct PerSession {
  std::vector<int64_t> lat[kKinds];      // measured-window latencies, ns (completion thread only)
  std::vector<long> created;             // create: indices created (for removal)
  std::atomic<int> outstanding{0};
  long createSeq = 0;                    // create: next index (completion thread or main, under mu)
  std::mutex mu;
};

enum PhaseCode { phWarmup = 0, phMeasure = 1, phDrain = 2 };

struct Point {
  const Options* o = nullptr;
  const Tree* tree = nullptr;
  std::string op;
  int sessions = 1, inflight = 1;
  const std::string* data = nullptr;
  std::string createRoot;                // create: where new znodes go
  Tree deletePool;                       // delete: the pool consumed
  std::atomic<long> deleteNext{0};
  std::atomic<bool> poolExhausted{false};
  std::atomic<int> phase{phWarmup};
  std::vector<std::unique_ptr<PerSession>> per;
  std::mutex parkMu;
  std::vector<Req*> parked;
  std::atomic<uint64_t> badReplies{0};
};

const char* phaseName(int ph) {
  return ph == phWarmup ? "warmup" : ph == phMeasure ? "measure" : "drain";
}

void submit(Req* r);

void complete(Req* r, int rc) {
  int64_t t1 = nowNs();
  Point* pt = r->pt;
  PerSession& ps = *pt->per[r->sidx];
  int ph = pt->phase.load();
  if (rc != ZOK) {
    gErrors.add(phaseName(ph), zcodeName(rc));
  } else {
    if (ph == phMeasure) ps.lat[r->kind].push_back(t1 - r->t0);
    if (r->opcode == opCreate) ps.created.push_back(r->target);
  }
  // Re-submit (or park) first, then give up this request's count: the drain never sees zero
  // while a callback is about to send.
  if (rc != ZOK && isConnectionError(rc)) {
    std::lock_guard<std::mutex> g(pt->parkMu);
    pt->parked.push_back(r);
  } else if (ph != phDrain) {
    submit(r);
  }
  ps.outstanding--;  // last touch of the point
}

void dataCb(int rc, const char* value, int value_len, const Stat* stat, const void* d) {
  auto* r = static_cast<Req*>(const_cast<void*>(d));
  if (rc == ZOK && value_len != int(r->pt->data->size()) &&
      !(value_len == -1 && r->pt->data->empty())) {
    gErrors.add(phaseName(r->pt->phase.load()), "bad_reply:get_data_length");
  }
  complete(r, rc);
}
void statCb(int rc, const Stat* stat, const void* d) {
  auto* r = static_cast<Req*>(const_cast<void*>(d));
  if (rc == ZOK && !stat) gErrors.add(phaseName(r->pt->phase.load()), "bad_reply:no_stat");
  complete(r, rc);
}
void stringsCb(int rc, const String_vector* strings, const void* d) {
  auto* r = static_cast<Req*>(const_cast<void*>(d));
  if (rc == ZOK) {
    long expect = r->pt->tree->expectedChildren(r->target);
    if (!strings || strings->count != expect)
      gErrors.add(phaseName(r->pt->phase.load()), "bad_reply:children_count");
  }
  complete(r, rc);
}
void stringCb(int rc, const char* value, const void* d) {
  complete(static_cast<Req*>(const_cast<void*>(d)), rc);
}
void voidCb(int rc, const void* d) { complete(static_cast<Req*>(const_cast<void*>(d)), rc); }
void multiCb(int rc, const void* d) {
  auto* r = static_cast<Req*>(const_cast<void*>(d));
  if (rc != ZOK && !isConnectionError(rc)) {
    // Report the op that failed, not only the multi's code.
    for (auto& res : r->results)
      if (res.err != ZOK && res.err != ZRUNTIMEINCONSISTENCY) {
        gErrors.add(phaseName(r->pt->phase.load()), "multi_op:" + zcodeName(res.err));
        break;
      }
  }
  complete(r, rc);
}

void submit(Req* r) {
  Point* pt = r->pt;
  const Options& o = *pt->o;
  const Tree& t = *pt->tree;
  PerSession& ps = *pt->per[r->sidx];
  const std::string& data = *pt->data;
  zhandle_t* zh = r->s->zh;
  int opcode;
  if (pt->op == "get") opcode = opGet;
  else if (pt->op == "set") opcode = opSet;
  else if (pt->op == "exists") opcode = opExists;
  else if (pt->op == "children") opcode = opChildren;
  else if (pt->op == "create") opcode = opCreate;
  else if (pt->op == "delete") opcode = opDelete;
  else if (pt->op == "multi") opcode = opMulti;
  else opcode = (long(rnd() % 100) < o.readPct) ? opGet : opSet;  // mixed
  r->opcode = opcode;
  int rc = ZOK;
  switch (opcode) {
    case opGet:
      r->kind = kRead;
      r->target = long(rnd() % uint64_t(t.n));
      r->path = t.leaf(r->target);
      break;
    case opSet:
      r->kind = kWrite;
      r->target = long(rnd() % uint64_t(t.n));
      r->path = t.leaf(r->target);
      break;
    case opExists:
      r->kind = kRead;
      r->target = long(rnd() % uint64_t(t.n));
      r->path = t.leaf(r->target);
      break;
    case opChildren:
      r->kind = kRead;
      r->target = long(rnd() % uint64_t(t.parentCount()));
      r->path = t.parent(r->target);
      break;
    case opCreate: {
      r->kind = kWrite;
      std::lock_guard<std::mutex> g(ps.mu);
      r->target = ps.createSeq++;
      r->path = pt->createRoot + "/s" + std::to_string(r->sidx) + "-" + std::to_string(r->target);
      break;
    }
    case opDelete: {
      r->kind = kWrite;
      long i = pt->deleteNext.fetch_add(1);
      if (i >= pt->deletePool.n) {
        pt->poolExhausted = true;
        return;  // the slot retires
      }
      r->target = i;
      r->path = pt->deletePool.leaf(i);
      break;
    }
    case opMulti: {
      r->kind = kWrite;
      size_t k = size_t(o.multiK);
      r->paths.resize(k);
      r->ops.resize(k);
      r->results.assign(k, zoo_op_result_t{});
      r->stats.resize(k);
      // Distinct targets inside one multi (ZooKeeper allows repeats, but keep it plain).
      for (size_t i = 0; i < k; ++i) {
        long target = long(rnd() % uint64_t(t.n));
        r->paths[i] = t.leaf(target);
        zoo_set_op_init(&r->ops[i], r->paths[i].c_str(), data.data(), int(data.size()), -1,
                        &r->stats[i]);
      }
      break;
    }
  }
  ps.outstanding++;
  r->t0 = nowNs();
  switch (opcode) {
    case opGet: rc = zoo_aget(zh, r->path.c_str(), 0, dataCb, r); break;
    case opSet: rc = zoo_aset(zh, r->path.c_str(), data.data(), int(data.size()), -1, statCb, r); break;
    case opExists: rc = zoo_aexists(zh, r->path.c_str(), 0, statCb, r); break;
    case opChildren: rc = zoo_aget_children(zh, r->path.c_str(), 0, stringsCb, r); break;
    case opCreate:
      rc = zoo_acreate(zh, r->path.c_str(), data.data(), int(data.size()), &ZOO_OPEN_ACL_UNSAFE,
                       ZOO_PERSISTENT, stringCb, r);
      break;
    case opDelete: rc = zoo_adelete(zh, r->path.c_str(), -1, voidCb, r); break;
    case opMulti:
      rc = zoo_amulti(zh, int(r->ops.size()), r->ops.data(), r->results.data(), multiCb, r);
      break;
  }
  if (rc != ZOK) {
    ps.outstanding--;
    gErrors.add(phaseName(pt->phase.load()), "submit:" + zcodeName(rc));
    std::lock_guard<std::mutex> g(pt->parkMu);
    pt->parked.push_back(r);
  }
}

struct Stats {
  uint64_t n = 0;
  double p50 = 0, p99 = 0, p999 = 0, max = 0, mean = 0;  // µs
};

Stats summarize(std::vector<int64_t>& v) {
  Stats s;
  s.n = v.size();
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  auto pct = [&](double p) {
    size_t idx = size_t(std::ceil(p * double(v.size())));
    if (idx > 0) --idx;
    if (idx >= v.size()) idx = v.size() - 1;
    return double(v[idx]) / 1000.0;
  };
  s.p50 = pct(0.50);
  s.p99 = pct(0.99);
  s.p999 = pct(0.999);
  s.max = double(v.back()) / 1000.0;
  long double sum = 0;
  for (auto x : v) sum += x;
  s.mean = double(sum / v.size()) / 1000.0;
  return s;
}

std::string jsonEscape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '"' || c == '\\') { o += '\\'; o += c; }
    else if (static_cast<unsigned char>(c) < 0x20) {
      char b[8];
      std::snprintf(b, sizeof b, "\\u%04x", c);
      o += b;
    } else o += c;
  }
  return o;
}

std::string jnum(double x) {
  if (!std::isfinite(x)) return "null";
  char b[64];
  std::snprintf(b, sizeof b, "%.6g", x);
  // %.6g may give 1e+06: valid JSON.
  return b;
}

std::string statsJson(const Stats& s, double secs) {
  std::ostringstream os;
  os << "{\"ops\":" << s.n << ",\"ops_per_s\":" << jnum(secs > 0 ? double(s.n) / secs : 0)
     << ",\"p50_us\":" << jnum(s.p50) << ",\"p99_us\":" << jnum(s.p99)
     << ",\"p999_us\":" << jnum(s.p999) << ",\"max_us\":" << jnum(s.max)
     << ",\"mean_us\":" << jnum(s.mean) << "}";
  return os.str();
}

std::string errorsJson(const std::map<std::string, std::map<std::string, uint64_t>>& byPhase) {
  std::ostringstream os;
  os << "{";
  bool first = true;
  for (auto& [ph, m] : byPhase) {
    if (m.empty()) continue;
    if (!first) os << ",";
    first = false;
    os << "\"" << jsonEscape(ph) << "\":{";
    bool f2 = true;
    for (auto& [c, n] : m) {
      if (!f2) os << ",";
      f2 = false;
      os << "\"" << jsonEscape(c) << "\":" << n;
    }
    os << "}";
  }
  os << "}";
  return os.str();
}

struct Row {
  std::string op;
  int sessions, inflight;
  double opsPerS, p50, p99, p999, max;
  uint64_t errors;
  double srvCpuUs;
};

std::vector<Row> gRows;

std::string pointLabel(const Options& o, const std::string& op) {
  if (op == "mixed") return "mixed" + std::to_string(o.readPct);
  if (op == "multi") return "multi" + std::to_string(o.multiK);
  return op;
}

void runPoint(const Options& o, const Tree& tree, const std::string& data, const std::string& op,
              int sessions, int inflight) {
  // Errors are global; reset the book per point so each JSON line carries its own.
  {
    std::lock_guard<std::mutex> g(gErrors.mu);
    gErrors.byPhase.clear();
  }
  auto ss = connectSessions(o, sessions);
  Point pt;
  pt.o = &o;
  pt.tree = &tree;
  pt.op = op;
  pt.sessions = sessions;
  pt.inflight = inflight;
  pt.data = &data;
  for (int i = 0; i < sessions; ++i) pt.per.push_back(std::make_unique<PerSession>());

  // Per-point preparation (unmeasured).
  std::string tag = std::to_string(getpid()) + "-" + std::to_string(nowNs() % 1000000000LL);
  double prepS = 0;
  if (op == "create") {
    pt.createRoot = o.root + "-create-" + tag;
    BulkSpec sp{"prepare", 1, [&](long) { return pt.createRoot; }, true, nullptr, {}};
    auto r = runBulk(o, ss, sp, 1, false);
    if (r.failed) die("could not create " + pt.createRoot);
  } else if (op == "delete") {
    // The pool: --znodes leaves under a tree of its own; the run ends early when it runs out.
    long pool = o.deletePool > 0 ? o.deletePool : o.znodes;
    int depth = o.depth;
    while (std::pow(double(o.fanout), depth) < double(pool)) ++depth;
    pt.deletePool = Tree{o.root + "-delete-" + tag, pool, o.fanout, depth};
    long failed = 0;
    prepS = buildTree(o, ss, pt.deletePool, data, true, "prepare", 1, false, &failed);
    if (failed) die("could not build the delete pool");
  }

  std::vector<std::unique_ptr<Req>> reqs;
  for (int si = 0; si < sessions; ++si)
    for (int k = 0; k < inflight; ++k) {
      auto r = std::make_unique<Req>();
      r->pt = &pt;
      r->s = ss[size_t(si)].get();
      r->sidx = si;
      reqs.push_back(std::move(r));
    }
  gPhase = "warmup";
  pt.phase = phWarmup;
  // Start every slot: session-major interleaving so sessions start together.
  for (int k = 0; k < inflight; ++k)
    for (int si = 0; si < sessions; ++si) submit(reqs[size_t(si * inflight + k)].get());

  // Slots parked on a connection error are re-sent at most every 50 ms: a dead server costs a
  // bounded number of (counted) errors, not a busy loop.
  int64_t lastRetry = 0;
  auto tick = [&]() {
    if (nowNs() - lastRetry < 50'000'000LL) return;
    lastRetry = nowNs();
    std::vector<Req*> parked;
    {
      std::lock_guard<std::mutex> g(pt.parkMu);
      parked.swap(pt.parked);
    }
    if (pt.phase.load() == phDrain) {
      // Not re-sent: they are done.
      return;
    }
    for (auto* r : parked) submit(r);
  };
  auto sleepFor = [&](double secs, bool stopOnPool) {
    auto end = Clock::now() + std::chrono::duration<double>(secs);
    while (Clock::now() < end) {
      if (stopOnPool && pt.poolExhausted.load()) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      tick();
    }
  };
  sleepFor(o.warmup, true);
  double srvUser0 = 0, srvSys0 = 0, srvUser1 = 0, srvSys1 = 0;
  double srv0 = procCpuSeconds(o.serverPid, &srvUser0, &srvSys0);
  double cli0 = selfCpuSeconds();
  int64_t m0 = nowNs();
  gPhase = "measure";
  pt.phase = phMeasure;
  sleepFor(o.duration, true);
  pt.phase = phDrain;
  gPhase = "drain";
  int64_t m1 = nowNs();
  double srv1 = procCpuSeconds(o.serverPid, &srvUser1, &srvSys1);
  double cli1 = selfCpuSeconds();
  double secs = double(m1 - m0) / 1e9;
  if (op == "delete" && pt.poolExhausted.load() && secs < o.duration * 0.999 && !o.quiet)
    std::fprintf(stderr, "  delete: pool of %ld exhausted after %.2fs of measurement\n", pt.deletePool.n, secs);

  // Drain: wait for every outstanding request, bounded.
  auto drainEnd = Clock::now() + std::chrono::duration<double>(o.drainTimeout);
  long left = 0;
  while (true) {
    left = 0;
    for (auto& p : pt.per) left += p->outstanding.load();
    if (left == 0 || Clock::now() > drainEnd) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (left) {
    gErrors.add("drain", "unanswered_at_drain_timeout", uint64_t(left));
    std::fprintf(stderr, "gk_loadgen: %ld requests unanswered %.0fs after the window\n", left,
                 o.drainTimeout);
  }

  // Remove what this point created (unmeasured).
  if (op == "create" && left == 0) {
    std::vector<std::pair<int, long>> made;
    for (int si = 0; si < sessions; ++si)
      for (long idx : pt.per[size_t(si)]->created) made.emplace_back(si, idx);
    BulkSpec sp{"cleanup", long(made.size()),
                [&](long i) {
                  return pt.createRoot + "/s" + std::to_string(made[size_t(i)].first) + "-" +
                         std::to_string(made[size_t(i)].second);
                },
                false, nullptr, {}};
    runBulk(o, ss, sp, 1, false);
    BulkSpec sp2{"cleanup", 1, [&](long) { return pt.createRoot; }, false, nullptr, {}};
    runBulk(o, ss, sp2, 1, false);
  } else if (op == "delete" && left == 0) {
    // Deleted leaves answer ZNONODE here: expected.
    buildTree(o, ss, pt.deletePool, data, false, "cleanup", 1, false, nullptr);
  }
  if (left == 0) {
    closeSessions(ss);
  } else {
    // Callbacks may still come for live requests referring to `reqs`; keep them alive.
    for (auto& r : reqs) r.release();
    closeSessions(ss);
  }

  std::vector<int64_t> all;
  for (auto& p : pt.per)
    for (int k = 0; k < kKinds; ++k) all.insert(all.end(), p->lat[k].begin(), p->lat[k].end());
  Stats st = summarize(all);
  std::vector<int64_t> rd, wr;
  if (op == "mixed") {
    for (auto& p : pt.per) {
      rd.insert(rd.end(), p->lat[kRead].begin(), p->lat[kRead].end());
      wr.insert(wr.end(), p->lat[kWrite].begin(), p->lat[kWrite].end());
    }
  }
  // Fairness: how the measured ops spread over the sessions (a starved session shows here first).
  std::vector<uint64_t> perSess;
  for (auto& p : pt.per) perSess.push_back(p->lat[kRead].size() + p->lat[kWrite].size());
  std::sort(perSess.begin(), perSess.end());
  double srvCpu = (srv0 >= 0 && srv1 >= 0) ? srv1 - srv0 : -1;
  double cliCpu = cli1 - cli0;
  std::map<std::string, std::map<std::string, uint64_t>> errs;
  {
    std::lock_guard<std::mutex> g(gErrors.mu);
    errs = gErrors.byPhase;
  }
  uint64_t errTotal = 0, errMeasure = 0;
  for (auto& [ph, m] : errs)
    for (auto& [c, n] : m) {
      errTotal += n;
      if (ph == "measure") errMeasure += n;
    }

  std::ostringstream js;
  js << "{\"label\":\"" << jsonEscape(o.label) << "\",\"op\":\"" << pointLabel(o, op)
     << "\",\"sessions\":" << sessions << ",\"inflight\":" << inflight
     << ",\"payload\":" << o.payload << ",\"znodes\":" << o.znodes;
  if (op == "mixed") js << ",\"read_pct\":" << o.readPct;
  if (op == "multi") js << ",\"multi_k\":" << o.multiK;
  js << ",\"duration_s\":" << jnum(secs) << ",\"warmup_s\":" << jnum(o.warmup)
     << ",\"ops\":" << st.n << ",\"ops_per_s\":" << jnum(secs > 0 ? double(st.n) / secs : 0)
     << ",\"p50_us\":" << jnum(st.p50) << ",\"p99_us\":" << jnum(st.p99)
     << ",\"p999_us\":" << jnum(st.p999) << ",\"max_us\":" << jnum(st.max)
     << ",\"mean_us\":" << jnum(st.mean) << ",\"errors\":" << errTotal
     << ",\"session_ops_min\":" << perSess.front()
     << ",\"session_ops_median\":" << perSess[perSess.size() / 2]
     << ",\"session_ops_max\":" << perSess.back()
     << ",\"errors_in_window\":" << errMeasure << ",\"errors_by_phase\":" << errorsJson(errs);
  if (srvCpu >= 0)
    js << ",\"server_pid\":" << o.serverPid << ",\"server_cpu_s\":" << jnum(srvCpu)
       << ",\"server_cpu_us_per_op\":" << jnum(st.n ? srvCpu * 1e6 / double(st.n) : 0)
       << ",\"server_cpu_util\":" << jnum(secs > 0 ? srvCpu / secs : 0)
       << ",\"server_user_us_per_op\":" << jnum(st.n ? (srvUser1 - srvUser0) * 1e6 / double(st.n) : 0)
       << ",\"server_sys_us_per_op\":" << jnum(st.n ? (srvSys1 - srvSys0) * 1e6 / double(st.n) : 0);
  js << ",\"client_cpu_s\":" << jnum(cliCpu)
     << ",\"client_cpu_us_per_op\":" << jnum(st.n ? cliCpu * 1e6 / double(st.n) : 0);
  if (op == "delete") js << ",\"pool_exhausted\":" << (pt.poolExhausted.load() ? "true" : "false");
  if (op == "delete") js << ",\"prepare_s\":" << jnum(prepS);
  if (op == "mixed") {
    Stats sr = summarize(rd), sw = summarize(wr);
    js << ",\"reads\":" << statsJson(sr, secs) << ",\"writes\":" << statsJson(sw, secs);
  }
  js << "}";
  std::printf("%s\n", js.str().c_str());
  std::fflush(stdout);
  gRows.push_back(Row{pointLabel(o, op), sessions, inflight, secs > 0 ? double(st.n) / secs : 0,
                      st.p50, st.p99, st.p999, st.max, errTotal,
                      (srvCpu >= 0 && st.n) ? srvCpu * 1e6 / double(st.n) : -1});
  if (!o.quiet) {
    std::fprintf(stderr, "  %-9s s=%-3d k=%-4d %10.0f ops/s  p50 %8.0fus  p99 %8.0fus  errors %" PRIu64 "\n",
                 pointLabel(o, op).c_str(), sessions, inflight, gRows.back().opsPerS, st.p50,
                 st.p99, errTotal);
    if (errTotal) std::fprintf(stderr, "    errors: %s\n", errorsJson(errs).c_str());
  }
}

void printTable(const Options& o) {
  if (o.noTable || gRows.empty()) return;
  std::fprintf(stderr, "\n%-10s %5s %6s %8s %12s %10s %10s %10s %10s %8s %12s\n", "op", "sess",
               "infl", "payload", "ops/s", "p50_us", "p99_us", "p999_us", "max_us", "errors",
               "srv_us/op");
  for (auto& r : gRows) {
    char cpu[32];
    if (r.srvCpuUs >= 0) std::snprintf(cpu, sizeof cpu, "%.1f", r.srvCpuUs);
    else std::snprintf(cpu, sizeof cpu, "-");
    std::fprintf(stderr, "%-10s %5d %6d %8d %12.0f %10.0f %10.0f %10.0f %10.0f %8" PRIu64 " %12s\n",
                 r.op.c_str(), r.sessions, r.inflight, o.payload, r.opsPerS, r.p50, r.p99, r.p999,
                 r.max, r.errors, cpu);
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parseArgs(argc, argv);
  zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
  zoo_set_log_stream(stderr);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);

  std::string data(size_t(o.payload), 'x');
  for (size_t i = 0; i < data.size(); ++i) data[i] = char('a' + i % 26);
  Tree tree{o.root, o.znodes, o.fanout, o.depth};
  int maxSessions = *std::max_element(o.sessions.begin(), o.sessions.end());
  int bulkSessions = o.bulkSessions > 0 ? o.bulkSessions : std::max(4, std::min(maxSessions, 16));

  bool bulkOnly = o.ops.size() == 1 && (o.ops[0] == "populate" || o.ops[0] == "remove");
  if (!bulkOnly) {
    for (auto& op : o.ops)
      if (op == "populate" || op == "remove") die(op + " runs alone");
  }

  if (bulkOnly) {
    bool create = o.ops[0] == "populate";
    auto ss = connectSessions(o, bulkSessions);
    double srv0 = procCpuSeconds(o.serverPid);
    long failed = 0;
    double secs = buildTree(o, ss, tree, data, create, o.ops[0], o.batch, true, &failed);
    double srv1 = procCpuSeconds(o.serverPid);
    closeSessions(ss);
    long total = 1;
    for (int level = 1; level <= tree.d; ++level) total += tree.countAtLevel(level);
    std::map<std::string, std::map<std::string, uint64_t>> errs;
    {
      std::lock_guard<std::mutex> g(gErrors.mu);
      errs = gErrors.byPhase;
    }
    uint64_t errTotal = gErrors.totalAll();
    std::printf("{\"label\":\"%s\",\"op\":\"%s\",\"root\":\"%s\",\"znodes\":%ld,\"total_znodes\":%ld,"
                "\"payload\":%d,\"fanout\":%d,\"depth\":%d,\"batch\":%d,\"sessions\":%d,"
                "\"inflight\":%d,\"seconds\":%s,\"znodes_per_s\":%s,\"failed\":%ld,"
                "\"errors\":%" PRIu64 ",\"errors_by_phase\":%s",
                jsonEscape(o.label).c_str(), o.ops[0].c_str(), jsonEscape(o.root).c_str(), o.znodes,
                total, o.payload, o.fanout, o.depth, o.batch, bulkSessions, o.bulkInflight,
                jnum(secs).c_str(), jnum(double(total) / secs).c_str(), failed, errTotal,
                errorsJson(errs).c_str());
    if (srv0 >= 0 && srv1 >= 0)
      std::printf(",\"server_cpu_s\":%s", jnum(srv1 - srv0).c_str());
    std::printf("}\n");
    if (!o.quiet)
      std::fprintf(stderr, "%s %ld znodes (%ld with interior nodes) in %.1fs: %.0f/s, %" PRIu64 " errors\n",
                   o.ops[0].c_str(), o.znodes, total, secs, double(total) / secs, errTotal);
    return errTotal ? 1 : 0;
  }

  // Set up the working tree once for every point of this invocation.
  if (!o.reuse) {
    auto ss = connectSessions(o, bulkSessions);
    long failed = 0;
    double secs = buildTree(o, ss, tree, data, true, "setup", 1, !o.quiet, &failed);
    closeSessions(ss);
    if (failed) die("set-up of " + o.root + " failed: " + std::to_string(failed) + " ops; " +
                    errorsJson(gErrors.byPhase));
    if (!o.quiet) std::fprintf(stderr, "set up %ld znodes under %s in %.1fs\n", o.znodes, o.root.c_str(), secs);
  } else {
    // Check the tree is there: the last leaf must exist.
    auto ss = connectSessions(o, 1);
    Stat st{};
    int rc = zoo_exists(ss[0]->zh, tree.leaf(o.znodes - 1).c_str(), 0, &st);
    closeSessions(ss);
    if (rc != ZOK) die("--reuse: " + tree.leaf(o.znodes - 1) + ": " + zcodeName(rc));
  }

  uint64_t errors = 0;
  for (auto& op : o.ops)
    for (int s : o.sessions)
      for (int k : o.inflight) {
        runPoint(o, tree, data, op, s, k);
        errors += gRows.back().errors;
      }

  if (!o.keep) {
    {
      std::lock_guard<std::mutex> g(gErrors.mu);
      gErrors.byPhase.clear();
    }
    auto ss = connectSessions(o, bulkSessions);
    long failed = 0;
    buildTree(o, ss, tree, data, false, "teardown", 1, false, &failed);
    closeSessions(ss);
    uint64_t e = gErrors.totalAll();
    if (e) {
      std::fprintf(stderr, "gk_loadgen: teardown errors: %s\n", errorsJson(gErrors.byPhase).c_str());
      errors += e;
    }
  }
  printTable(o);
  return errors ? 1 : 0;
}

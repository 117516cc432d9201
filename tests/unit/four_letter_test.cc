// Four-letter words against replies captured from a real ZooKeeper 3.8.0 (standalone, kazoo
// clients holding sessions, watches and ephemerals). Where we can feed the same numbers the
// reply must be byte-identical; otherwise the real text and ours must fit the same pattern.
#include "engine/four_letter.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <ctime>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "engine/config.h"

using namespace gk::engine;

namespace {

const std::string kVersion = "3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC";

ServerConfig allWords() {
  ServerConfig c;
  c.fourLetterWords = {"*"};
  return c;
}

std::string reply(const std::string& word, const ServerStats& s,
                  const ServerConfig& c = allWords()) {
  auto r = fourLetterReply(word, s, c);
  REQUIRE(r.has_value());
  return *r;
}

// java.util.Date prints in the local zone; the captures were taken in UTC.
void useUtc() {
  setenv("TZ", "UTC", 1);
  tzset();
}

ConnectionStats cnxn(const std::string& ip, int port, int ops, uint64_t recved, uint64_t sent) {
  ConnectionStats c;
  c.ip = ip;
  c.port = port;
  c.interestOps = ops;
  c.received = recved;
  c.sent = sent;
  return c;
}

// The two kazoo sessions of the first capture, plus the connection asking.
ServerStats firstCapture() {
  ServerStats s;
  s.version = kVersion;
  s.zxid = 7;
  s.znodeCount = 10;
  s.ephemeralCount = 3;
  s.approximateDataSize = 71;
  s.minLatencyMs = 1;
  s.maxLatencyMs = 12;
  s.latencyCount = 14;  // 43/14 = 3.0714...
  s.totalLatencyMs = 43;
  s.packetsReceived = 17;
  s.packetsSent = 16;
  s.aliveConnections = 3;
  s.watchCount = 4;  // 3 data watches + 1 child watch
  s.dataWatchCount = 3;
  s.watchedPathCount = 3;
  s.watcherConnections = 2;
  s.watchesBySession = {{0x100000c78140000LL, {"/a", "/nope"}}, {0x100000c78140001LL, {"/a/b"}}};
  s.watchesByPath = {{"/a", {0x100000c78140000LL}},
                     {"/a/b", {0x100000c78140001LL}},
                     {"/nope", {0x100000c78140000LL}}};
  s.sessions = {{0x100000c78140000LL, 10000}, {0x100000c78140001LL, 10000}};
  s.dataDirBytes = 67109337;
  s.logDirBytes = 67109337;
  s.connections = {cnxn("127.0.0.1", 53226, 0, 1, 0), cnxn("127.0.0.1", 53162, 1, 10, 10),
                   cnxn("127.0.0.1", 53170, 1, 4, 4)};
  return s;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

bool fits(const std::string& text, const std::string& pattern) {
  return std::regex_match(text, std::regex(pattern));
}

}  // namespace

TEST_CASE("only ZooKeeper's four-letter words are recognised") {
  for (const char* w : {"ruok", "srvr", "stat", "conf", "cons", "envi", "mntr", "wchs", "wchc",
                        "wchp", "dirs", "isro", "crst", "srst", "dump"})
    CHECK(isFourLetterWord(w));
  for (const char* w : {"xyzw", "RUOK", "ruo", "ruokk", ""}) CHECK_FALSE(isFourLetterWord(w));
}

TEST_CASE("an unknown word gets no reply, whitelisted or not") {
  // Real ZooKeeper reads "xyzw" as a frame length and closes the connection silently.
  ServerStats s;
  CHECK_FALSE(fourLetterReply("xyzw", s, allWords()).has_value());
  ServerConfig none;
  none.fourLetterWords = {};
  CHECK_FALSE(fourLetterReply("xyzw", s, none).has_value());
}

TEST_CASE("words outside the whitelist get ZooKeeper's refusal; srvr is always allowed") {
  ServerConfig c;
  c.fourLetterWords = {"ruok"};  // 4lw.commands.whitelist=ruok
  ServerStats s = firstCapture();
  CHECK(reply("ruok", s, c) == "imok");
  // Captured from ZooKeeper 3.8 started with 4lw.commands.whitelist=ruok.
  CHECK(reply("stat", s, c) == "stat is not executed because it is not in the whitelist.\n");
  CHECK(reply("mntr", s, c) == "mntr is not executed because it is not in the whitelist.\n");
  CHECK(reply("isro", s, c) == "isro is not executed because it is not in the whitelist.\n");
  CHECK(reply("dump", s, c) == "dump is not executed because it is not in the whitelist.\n");
  CHECK(reply("srst", s, c) == "srst is not executed because it is not in the whitelist.\n");
  CHECK(reply("srvr", s, c).rfind("Zookeeper version: ", 0) == 0);
}

TEST_CASE("ruok, isro, crst and srst print fixed text") {
  ServerStats s;
  CHECK(reply("ruok", s) == "imok");  // no newline, as ZooKeeper
  CHECK(reply("isro", s) == "rw");
  CHECK(reply("crst", s) == "Connection stats reset.\n");
  CHECK(reply("srst", s) == "Server stats reset.\n");
}

TEST_CASE("srvr matches ZooKeeper byte for byte") {
  const std::string real =
      "Zookeeper version: 3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC\n"
      "Latency min/avg/max: 1/3.0714/12\nReceived: 17\nSent: 16\nConnections: 3\n"
      "Outstanding: 0\nZxid: 0x7\nMode: standalone\nNode count: 10\n";
  CHECK(reply("srvr", firstCapture()) == real);

  const std::string layout =
      "Zookeeper version: [^\n]+\nLatency min/avg/max: \\d+/\\d+\\.\\d+(E-?\\d+)?/\\d+\n"
      "Received: \\d+\nSent: \\d+\nConnections: \\d+\nOutstanding: \\d+\nZxid: 0x[0-9a-f]+\n"
      "Mode: standalone\nNode count: \\d+\n";
  // After srst, ZooKeeper prints "0/0.0/0".
  const std::string afterReset =
      "Zookeeper version: 3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC\n"
      "Latency min/avg/max: 0/0.0/0\nReceived: 1\nSent: 1\nConnections: 1\nOutstanding: 0\n"
      "Zxid: 0x10\nMode: standalone\nNode count: 7\n";
  CHECK(fits(real, layout));
  CHECK(fits(afterReset, layout));
  ServerStats fresh;
  fresh.version = kVersion;
  fresh.zxid = 0x10;
  fresh.znodeCount = 7;
  fresh.packetsReceived = fresh.packetsSent = fresh.aliveConnections = 1;
  CHECK(reply("srvr", fresh) == afterReset);
}

TEST_CASE("average latency is rounded half-up to 4 places and printed as Java prints doubles") {
  auto avg = [](int64_t total, uint64_t count) {
    ServerStats s;
    s.totalLatencyMs = total;
    s.latencyCount = count;
    std::string line = lines(reply("srvr", s))[1];  // "Latency min/avg/max: 0/3.0714/0"
    size_t from = line.find(": 0/") + 4;
    return line.substr(from, line.rfind('/') - from);
  };
  // Expected values from Java 17: BigDecimal(total / (double) count).setScale(4, HALF_UP).
  CHECK(avg(43, 14) == "3.0714");
  CHECK(avg(10, 2) == "5.0");
  CHECK(avg(4, 5) == "0.8");
  CHECK(avg(1, 32) == "0.0313");  // an exact tie: half-up, not half-even
  CHECK(avg(3, 32) == "0.0938");
  CHECK(avg(2, 3) == "0.6667");
  CHECK(avg(1, 20000) == "1.0E-4");                  // Java switches to E notation below 1e-3
  CHECK(avg(123456780000, 10000) == "1.2345678E7");  // and from 1e7
  CHECK(avg(0, 0) == "0.0");

  ServerStats whole;  // without total/count the whole average is printed
  whole.avgLatencyMs = 3;
  CHECK(lines(reply("srvr", whole))[1] == "Latency min/avg/max: 0/3.0/0");
}

TEST_CASE("stat lists the clients in brief form before the summary") {
  ServerStats s;
  s.version = kVersion;
  s.zxid = 0x12;
  s.znodeCount = 8;
  s.maxLatencyMs = 8;
  s.latencyCount = 2;
  s.totalLatencyMs = 10;
  s.packetsReceived = s.packetsSent = 11;
  s.aliveConnections = 2;
  ConnectionStats session = cnxn("127.0.0.1", 48184, 1, 3, 3);
  session.sessionId = 0x100000c78140004LL;  // the brief form leaves the session out
  s.connections = {session, cnxn("127.0.0.1", 48216, 0, 1, 0)};
  const std::string real =
      "Zookeeper version: 3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC\n"
      "Clients:\n /127.0.0.1:48184[1](queued=0,recved=3,sent=3)\n"
      " /127.0.0.1:48216[0](queued=0,recved=1,sent=0)\n\n"
      "Latency min/avg/max: 0/5.0/8\nReceived: 11\nSent: 11\nConnections: 2\nOutstanding: 0\n"
      "Zxid: 0x12\nMode: standalone\nNode count: 8\n";
  CHECK(reply("stat", s) == real);

  // The first capture's three clients.
  const std::string firstReal =
      "Zookeeper version: 3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC\nClients:\n"
      " /127.0.0.1:53226[0](queued=0,recved=1,sent=0)\n"
      " /127.0.0.1:53162[1](queued=0,recved=10,sent=10)\n"
      " /127.0.0.1:53170[1](queued=0,recved=4,sent=4)\n\n"
      "Latency min/avg/max: 1/3.0714/12\nReceived: 17\nSent: 16\nConnections: 3\n"
      "Outstanding: 0\nZxid: 0x7\nMode: standalone\nNode count: 10\n";
  CHECK(reply("stat", firstCapture()) == firstReal);
}

TEST_CASE("cons prints each connection in full once it has a session") {
  ServerStats s;
  ConnectionStats a = cnxn("127.0.0.1", 53162, 1, 10, 10);
  a.sessionId = 0x100000c78140000LL;
  a.lastOp = "EXIS";
  a.establishedMs = 1795620050278;
  a.timeoutMs = 10000;
  a.lastCxid = 9;
  a.lastZxid = 7;
  a.lastOpMs = 826003;
  a.lastLatencyMs = 1;
  a.avgLatencyMs = 3;
  a.maxLatencyMs = 12;
  ConnectionStats b = cnxn("127.0.0.1", 53170, 1, 4, 4);
  b.sessionId = 0x100000c78140001LL;
  b.lastOp = "GETD";
  b.establishedMs = 1795620050311;
  b.timeoutMs = 10000;
  b.lastCxid = 3;
  b.lastZxid = 7;
  b.lastOpMs = 826009;
  b.lastLatencyMs = b.avgLatencyMs = b.maxLatencyMs = 1;
  s.connections = {cnxn("127.0.0.1", 53250, 0, 1, 0), a, b};
  const std::string real =
      " /127.0.0.1:53250[0](queued=0,recved=1,sent=0)\n"
      " /127.0.0.1:53162[1](queued=0,recved=10,sent=10,sid=0x100000c78140000,lop=EXIS,"
      "est=1795620050278,to=10000,lcxid=0x9,lzxid=0x7,lresp=826003,llat=1,minlat=0,avglat=3,"
      "maxlat=12)\n"
      " /127.0.0.1:53170[1](queued=0,recved=4,sent=4,sid=0x100000c78140001,lop=GETD,"
      "est=1795620050311,to=10000,lcxid=0x3,lzxid=0x7,lresp=826009,llat=1,minlat=0,avglat=1,"
      "maxlat=1)\n\n";
  CHECK(reply("cons", s) == real);

  const std::string line =
      " /[^\n\\[]+:\\d+\\[[0-9a-f]+\\]\\(queued=\\d+,recved=\\d+,sent=\\d+(,sid=0x[0-9a-f]+,"
      "lop=[A-Z]+,est=\\d+,to=\\d+(,lcxid=0x[0-9a-f]+)?,lzxid=0x[0-9a-f]+,lresp=\\d+,llat=\\d+,"
      "minlat=\\d+,avglat=\\d+,maxlat=\\d+)?\\)\n";
  const std::string layout = "(" + line + ")*\n";
  CHECK(fits(real, layout));
  CHECK(fits(" /127.0.0.1:39100[0](queued=0,recved=1,sent=0)\n\n", layout));  // after crst
  CHECK(reply("cons", ServerStats{}) == "\n");
}

TEST_CASE("cons: fresh sessions, negative ids and IPv6 peers print as Java does") {
  ServerStats s;
  ConnectionStats c = cnxn("::1", 45678, 1, 1, 1);
  c.sessionId = -0x7effffffffffffffLL;  // server id 0x81 puts the sign bit in the id
  c.lastOp = "NA";
  c.timeoutMs = 30000;  // lastCxid/lastZxid still -1: no lcxid, lzxid all f's
  s.connections = {c, cnxn("::ffff:10.0.0.1", 2, 1, 0, 0), cnxn("fe80::1:2", 3, 5, 0, 0)};
  CHECK(reply("cons", s) ==
        " /[0:0:0:0:0:0:0:1]:45678[1](queued=0,recved=1,sent=1,sid=0x8100000000000001,lop=NA,"
        "est=0,to=30000,lzxid=0xffffffffffffffff,lresp=0,llat=0,minlat=0,avglat=0,maxlat=0)\n"
        " /10.0.0.1:2[1](queued=0,recved=0,sent=0)\n"
        " /[fe80:0:0:0:0:0:1:2]:3[5](queued=0,recved=0,sent=0)\n\n");
}

TEST_CASE("wchs, wchc and wchp match ZooKeeper byte for byte") {
  ServerStats s = firstCapture();
  CHECK(reply("wchs", s) == "2 connections watching 3 paths\nTotal watches:3\n");
  CHECK(reply("wchc", s) == "0x100000c78140000\n\t/a\n\t/nope\n0x100000c78140001\n\t/a/b\n\n");
  CHECK(reply("wchp", s) ==
        "/a\n\t0x100000c78140000\n/a/b\n\t0x100000c78140001\n/nope\n\t0x100000c78140000\n\n");
  // No watches at all (captured after the sessions closed).
  ServerStats none;
  CHECK(reply("wchs", none) == "0 connections watching 0 paths\nTotal watches:0\n");
  CHECK(reply("wchc", none) == "\n");
  CHECK(reply("wchp", none) == "\n");
}

TEST_CASE("dirs prints both sizes") {
  CHECK(reply("dirs", firstCapture()) == "datadir_size: 67109337\nlogdir_size: 67109337\n");
}

TEST_CASE("conf is the configuration's description") {
  ServerConfig c = allWords();
  CHECK(reply("conf", ServerStats{}, c) == describeConfig(c));
}

TEST_CASE("envi prints Environment: and key=value lines") {
  ServerStats s;
  s.environment = {{"zookeeper.version", kVersion},
                   {"host.name", "localhost"},
                   {"java.compiler", "<NA>"},
                   {"os.memory.free", "368MB"}};
  const std::string real =
      "Environment:\nzookeeper.version=3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 "
      "UTC\nhost.name=localhost\njava.compiler=<NA>\nos.memory.free=368MB\n";
  CHECK(reply("envi", s) == real);
  CHECK(reply("envi", ServerStats{}) == "Environment:\n");
}

TEST_CASE("mntr keeps ZooKeeper 3.8's key order and value formats") {
  // The first keys of a real standalone 3.8 mntr, in order (the rest are metrics we lack).
  const std::vector<std::string> zkOrder = {"zk_version",
                                            "zk_server_state",
                                            "zk_ephemerals_count",
                                            "zk_num_alive_connections",
                                            "zk_avg_latency",
                                            "zk_outstanding_requests",
                                            "zk_znode_count",
                                            "zk_global_sessions",
                                            "zk_non_mtls_remote_conn_count",
                                            "zk_last_client_response_size",
                                            "zk_packets_sent",
                                            "zk_packets_received",
                                            "zk_max_client_response_size",
                                            "zk_connection_drop_probability",
                                            "zk_watch_count",
                                            "zk_auth_failed_count",
                                            "zk_min_latency",
                                            "zk_max_file_descriptor_count",
                                            "zk_approximate_data_size",
                                            "zk_open_file_descriptor_count",
                                            "zk_local_sessions",
                                            "zk_uptime",
                                            "zk_max_latency",
                                            "zk_outstanding_tls_handshake"};
  ServerStats s = firstCapture();
  s.openFds = 41;
  s.maxFds = 20000;
  s.uptimeMs = 9445;
  std::string out = reply("mntr", s);
  // The lines the real server printed for the same numbers, in its order.
  CHECK(out ==
        "zk_version\t3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC\n"
        "zk_server_state\tstandalone\n"
        "zk_ephemerals_count\t3\n"
        "zk_num_alive_connections\t3\n"
        "zk_avg_latency\t3.0714\n"
        "zk_outstanding_requests\t0\n"
        "zk_znode_count\t10\n"
        "zk_global_sessions\t2\n"
        "zk_packets_sent\t16\n"
        "zk_packets_received\t17\n"
        "zk_watch_count\t4\n"
        "zk_min_latency\t1\n"
        "zk_max_file_descriptor_count\t20000\n"
        "zk_approximate_data_size\t71\n"
        "zk_open_file_descriptor_count\t41\n"
        "zk_uptime\t9445\n"
        "zk_max_latency\t12\n");

  size_t at = 0;
  for (const auto& l : lines(out)) {
    CHECK(fits(l, "zk_[a-z_]+\t[^\t]+"));
    std::string key = l.substr(0, l.find('\t'));
    auto it = std::find(zkOrder.begin() + at, zkOrder.end(), key);
    CHECK(it != zkOrder.end());  // a ZooKeeper key, and not before its predecessor
    if (it != zkOrder.end()) at = it - zkOrder.begin();
  }

  // Unknown descriptor counts are left out rather than printed as 0.
  s.openFds = s.maxFds = 0;
  std::string without = reply("mntr", s);
  CHECK(without.find("file_descriptor") == std::string::npos);
  CHECK(without.find("zk_uptime\t9445\n") != std::string::npos);
}

TEST_CASE("dump lists session buckets, ephemerals and connections as ZooKeeper") {
  useUtc();
  ServerConfig c = allWords();  // tickTime 2000
  ServerStats s;
  const int64_t sid = 0x100000c78140004LL;
  s.sessions = {{sid, 6000}};
  s.sessionExpiry = {{sid, 1795620333000}};  // bucket: next 2 s step, 15:25:34 UTC
  s.ephemeralsBySession = {{sid, {"/e9"}}, {0x100000c78140009LL, {}}};
  ConnectionStats a = cnxn("127.0.0.1", 48184, 1, 3, 3);
  a.sessionId = sid;
  a.expiresAtMs = 1795620333000;  // connection buckets are 10 s apart: 15:25:40
  ConnectionStats b = cnxn("127.0.0.1", 48192, 0, 1, 0);
  b.expiresAtMs = 1795620341000;  // 15:25:50
  s.connections = {a, b};
  // Captured from ZooKeeper; its connection buckets (15:25:34, :44) sit 10 s apart on its
  // monotonic clock, so only the times differ from ours.
  const std::string real =
      "SessionTracker dump:\nSession Sets (1)/(1):\n1 expire at Wed Nov 25 15:25:34 UTC 2026:\n"
      "\t0x100000c78140004\nephemeral nodes dump:\nSessions with Ephemerals (1):\n"
      "0x100000c78140004:\n\t/e9\nConnections dump:\nConnections Sets (2)/(2):\n"
      "1 expire at Wed Nov 25 15:25:34 UTC 2026:\n\tip: /127.0.0.1:48184 sessionId: "
      "0x100000c78140004\n1 expire at Wed Nov 25 15:25:44 UTC 2026:\n"
      "\tip: /127.0.0.1:48192 sessionId: 0x0\n";
  std::string ours = reply("dump", s, c);
  std::string expected = real;
  expected.replace(expected.find("15:25:34 UTC 2026:\n\tip"), 8, "15:25:40");
  expected.replace(expected.find("15:25:44"), 8, "15:25:50");
  CHECK(ours == expected);

  const std::string bucket =
      "\\d+ expire at \\w{3} \\w{3} \\d\\d \\d\\d:\\d\\d:\\d\\d \\w+ \\d{4}:\n";
  const std::string layout =
      "SessionTracker dump:\nSession Sets \\(\\d+\\)/\\(\\d+\\):\n(" + bucket +
      "(\t0x[0-9a-f]+\n)*)*ephemeral nodes dump:\n" +
      "Sessions with Ephemerals \\(\\d+\\):\n(0x[0-9a-f]+:\n(\t/[^\n]*\n)*)*" +
      "Connections dump:\n(Connections Sets \\(\\d+\\)/\\(\\d+\\):\n(" + bucket +
      "(\tip: /[^\n]+ sessionId: 0x[0-9a-f]+\n)*)*)?";
  CHECK(fits(real, layout));
  CHECK(fits(ours, layout));
  // ZooKeeper keeps emptied buckets for a while ("0 expire at ..."); the pattern allows them.
  CHECK(
      fits("SessionTracker dump:\nSession Sets (2)/(2):\n0 expire at Wed Nov 25 15:21:00 UTC "
           "2026:\n2 expire at Wed Nov 25 15:21:02 UTC 2026:\n\t0x100000c78140000\n"
           "\t0x100000c78140001\nephemeral nodes dump:\nSessions with Ephemerals (2):\n"
           "0x100000c78140000:\n\t/a/eph2\n\t/eph1\n0x100000c78140001:\n\t/eph3\n"
           "Connections dump:\nConnections Sets (1)/(3):\n3 expire at Wed Nov 25 15:21:04 UTC "
           "2026:\n\tip: /127.0.0.1:53398 sessionId: 0x0\n\tip: /127.0.0.1:53162 sessionId: "
           "0x100000c78140000\n\tip: /127.0.0.1:53170 sessionId: 0x100000c78140001\n",
           layout));

  // Nothing alive; untracked connections leave the section empty (ZooKeeper's Netty form).
  ServerStats empty;
  empty.connections = {cnxn("127.0.0.1", 39120, 0, 1, 0)};
  CHECK(reply("dump", empty, c) ==
        "SessionTracker dump:\nSession Sets (0)/(0):\nephemeral nodes dump:\n"
        "Sessions with Ephemerals (0):\nConnections dump:\n");
}

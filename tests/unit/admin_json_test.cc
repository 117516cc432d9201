// The AdminServer's JSON (engine/admin_server.cc) and the Prometheus text (engine/metrics.cc):
// field names, order and printing as ZooKeeper 3.8's AdminServer writes them (samples captured
// from a real ZooKeeper 3.8.0 with admin.enableServer=true).
#include <catch2/catch.hpp>

#include <string>

#include "engine/admin_server.h"
#include "engine/metrics.h"

using namespace gk::engine;
using json = nlohmann::ordered_json;

namespace {

ServerStats sampleStats() {
  ServerStats s;
  s.version = "3.8.0-graphkeeper-0.1.0";
  s.zxid = 3;
  s.znodeCount = 7;
  s.ephemeralCount = 1;
  s.watchCount = 3;
  s.dataWatchCount = 2;
  s.watchedPathCount = 2;
  s.watcherConnections = 1;
  s.watchesByPath = {{"/a", {72057946083885056}}, {"/e", {72057946083885056}}};
  s.watchesBySession = {{72057946083885056, {"/a", "/e"}}};
  s.sessions = {{72057946083885056, 10000}};
  s.sessionExpiry = {{72057946083885056, 5393001}};
  s.ephemeralsBySession = {{72057946083885056, {"/e"}}};
  s.packetsReceived = 6;
  s.packetsSent = 6;
  s.minLatencyMs = 2;
  s.maxLatencyMs = 88;
  s.latencyCount = 6;
  s.totalLatencyMs = 140;
  s.aliveConnections = 1;
  ConnectionStats c;
  c.ip = "127.0.0.1";
  c.port = 55038;
  c.received = 6;
  c.sent = 6;
  c.sessionId = 72057946083885056;
  c.lastOp = "EXIS";
  c.lastCxid = 5;
  c.lastZxid = 3;
  c.timeoutMs = 10000;
  c.establishedMs = 1795624603750;
  s.connections.push_back(c);
  s.dataDirBytes = 100;
  s.logDirBytes = 200;
  s.uptimeMs = 12032;
  s.environment = {{"zookeeper.version", s.version}, {"host.name", "localhost"}};
  return s;
}

ServerConfig sampleConfig() {
  ServerConfig c;
  c.clientPort = 22181;
  c.dataDir = "/tmp/zk/data";
  c.minSessionTimeout = 4000;
  c.maxSessionTimeout = 40000;
  return c;
}

std::string run(const std::string& name) {
  ServerStats s = sampleStats();
  ServerConfig c = sampleConfig();
  AdminContext ctx{s, c, nullptr, "tickTime=2000\n"};
  return jacksonPretty(adminCommandJson(name, {}, ctx));
}

}  // namespace

TEST_CASE("admin json: Jackson's pretty printer", "[admin]") {
  CHECK(run("ruok") == "{\n  \"command\" : \"ruok\",\n  \"error\" : null\n}");
  CHECK(jacksonPretty(json::object()) == "{ }");
  CHECK(jacksonPretty(json{{"a", json::array()}}) == "{\n  \"a\" : [ ]\n}");
  CHECK(jacksonPretty(json{{"a", {1, 2}}}) == "{\n  \"a\" : [ 1, 2 ]\n}");
  CHECK(jacksonPretty(json{{"d", 3.0}, {"e", 23.3333}, {"f", 0.0}}) ==
        "{\n  \"d\" : 3.0,\n  \"e\" : 23.3333,\n  \"f\" : 0.0\n}");
  // An object inside an array: fields one level in, the brace back at the array's level.
  CHECK(jacksonPretty(json{{"c", json::array({json{{"x", 1}}})}}) ==
        "{\n  \"c\" : [ {\n    \"x\" : 1\n  } ]\n}");
}

TEST_CASE("admin json: names and aliases", "[admin]") {
  CHECK(adminCommandName("mntr") == "monitor");
  CHECK(adminCommandName("stat") == "stats");
  CHECK(adminCommandName("srvr") == "server_stats");
  CHECK(adminCommandName("wchp") == "watches_by_path");
  CHECK(adminCommandName("monitor") == "monitor");
  CHECK(adminCommandName("nosuch").empty());
  auto names = adminCommandNames();
  CHECK(std::is_sorted(names.begin(), names.end()));
  CHECK(adminCommandListing("/commands").rfind(
            "<a href=\"/commands/configuration\">configuration</a>\n<br/>\n", 0) == 0);
}

TEST_CASE("admin json: unknown command", "[admin]") {
  CHECK(run("nosuch") ==
        "{\n  \"command\" : \"nosuch\",\n  \"error\" : \"Unknown command: nosuch\"\n}");
}

TEST_CASE("admin json: watches, as ZooKeeper prints them", "[admin]") {
  CHECK(run("wchc") ==
        "{\n  \"session_id_to_watched_paths\" : {\n    \"72057946083885056\" : [ \"/a\", \"/e\" ]\n"
        "  },\n  \"command\" : \"watches\",\n  \"error\" : null\n}");
  CHECK(run("wchp") ==
        "{\n  \"path_to_session_ids\" : {\n    \"/a\" : [ 72057946083885056 ],\n"
        "    \"/e\" : [ 72057946083885056 ]\n  },\n  \"command\" : \"watches_by_path\",\n"
        "  \"error\" : null\n}");
  CHECK(run("wchs") ==
        "{\n  \"num_connections\" : 1,\n  \"num_paths\" : 2,\n  \"num_total_watches\" : 2,\n"
        "  \"command\" : \"watch_summary\",\n  \"error\" : null\n}");
}

TEST_CASE("admin json: connections", "[admin]") {
  std::string out = run("cons");
  CHECK(out.rfind("{\n  \"connections\" : [ {\n    \"remote_socket_address\" : \"127.0.0.1:55038\",\n"
                  "    \"interest_ops\" : 1,\n",
                  0) == 0);
  auto j = json::parse(out);
  std::vector<std::string> keys;
  for (auto& [k, v] : j["connections"][0].items()) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{
                    "remote_socket_address", "interest_ops", "outstanding_requests",
                    "packets_received", "packets_sent", "session_id", "last_operation",
                    "established", "session_timeout", "last_cxid", "last_zxid",
                    "last_response_time", "last_latency", "min_latency", "avg_latency",
                    "max_latency"});
  CHECK(j["connections"][0]["session_id"] == 72057946083885056);
  CHECK(j["secure_connections"] == json::array());
}

TEST_CASE("admin json: stats and monitor", "[admin]") {
  auto srvr = json::parse(run("srvr"));
  CHECK(srvr["server_stats"]["avg_latency"] == 23.3333);
  CHECK(srvr["server_stats"]["last_processed_zxid"] == 3);
  CHECK(srvr["node_count"] == 7);
  CHECK(srvr["read_only"] == false);
  auto stat = json::parse(run("stat"));
  CHECK(stat["connections"][0].size() == 5);
  auto mntr = json::parse(run("mntr"));
  CHECK(mntr["watch_count"] == 3);
  CHECK(mntr["global_sessions"] == 1);
  CHECK(mntr["avg_latency"] == 23.3333);
  CHECK(!mntr.contains("cnt_fsynctime"));  // no Metrics given
  CHECK(mntr["command"] == "monitor");

  Metrics m;
  m.noteRequest(4, false, 2);
  m.noteRequest(4, false, 6);
  m.noteRequest(1, true, 5);
  m.fsync.add(1500);
  ServerStats s = sampleStats();
  ServerConfig c = sampleConfig();
  AdminContext ctx{s, c, &m, ""};
  auto j = adminCommandJson("monitor", {}, ctx);
  CHECK(j["cnt_readlatency"] == 2);
  CHECK(j["avg_readlatency"] == 4.0);
  CHECK(j["max_readlatency"] == 6);
  CHECK(j["p50_readlatency"] == 2);
  CHECK(j["cnt_updatelatency"] == 1);
  CHECK(j["cnt_fsynctime"] == 1);
  CHECK(j["sum_fsynctime"] == 1);
}

TEST_CASE("admin json: dump, leader, configuration", "[admin]") {
  auto dump = json::parse(run("dump"));
  // Deadlines rounded up to the next tickTime, as ZooKeeper's ExpiryQueue buckets them.
  CHECK(dump["expiry_time_to_session_ids"]["5394000"] == json::array({72057946083885056}));
  CHECK(dump["session_id_to_ephemeral_paths"]["72057946083885056"] == json::array({"/e"}));
  CHECK(run("leader") ==
        "{\n  \"error\" : \"server is not initialized\",\n  \"command\" : \"leader\"\n}");
  auto conf = json::parse(run("conf"));
  CHECK(conf["client_port"] == 22181);
  CHECK(conf["data_dir"] == "/tmp/zk/data");
  CHECK(conf["data_log_dir"] == "/tmp/zk/data");
  CHECK(conf["server_id"] == 0);
  CHECK(json::parse(run("icfg"))["initial_configuration"] == "tickTime=2000\n");
}

TEST_CASE("metrics: summaries", "[admin]") {
  LatencySummary s;
  CHECK(s.quantile(0.5) == 0);
  CHECK(s.avg() == 0.0);
  for (int i = 1; i <= 100; ++i) s.add(i);
  CHECK(s.count() == 100);
  CHECK(s.sum() == 5050);
  CHECK(s.min() == 1);
  CHECK(s.max() == 100);
  CHECK(s.quantile(0.5) == 50);
  CHECK(s.quantile(0.99) == 99);
  CHECK(s.avg() == 50.5);
  // The window keeps the most recent samples.
  for (size_t i = 0; i < LatencySummary::kWindow; ++i) s.add(1000);
  CHECK(s.quantile(0.5) == 1000);
  CHECK(s.min() == 1);

  FsyncStats f;
  CHECK(f.minMicros() == 0);
  f.add(300);
  f.add(100);
  CHECK(f.count() == 2);
  CHECK(f.sumMicros() == 400);
  CHECK(f.minMicros() == 100);
  CHECK(f.maxMicros() == 300);
}

TEST_CASE("metrics: Prometheus text", "[admin]") {
  MetricsGauges g = metricsGauges(sampleStats());
  Metrics m;
  m.noteRequest(4, false, 3);
  m.noteRequest(1, true, 7);
  m.fsync.add(2500);
  std::string text = prometheusText(g, m);
  CHECK(text.find("# TYPE znode_count gauge\nznode_count 7\n") != std::string::npos);
  CHECK(text.find("\nwatch_count 3\n") != std::string::npos);
  CHECK(text.find("\nglobal_sessions 1\n") != std::string::npos);
  CHECK(text.find("\navg_latency 23.3333\n") != std::string::npos);
  CHECK(text.find("# TYPE readlatency summary\nreadlatency{quantile=\"0.5\"} 3\n") !=
        std::string::npos);
  CHECK(text.find("\nreadlatency_count 1\nreadlatency_sum 3\n") != std::string::npos);
  CHECK(text.find("\nupdatelatency_count 1\n") != std::string::npos);
  CHECK(text.find("\nfsynctime_count 1\nfsynctime_sum 2.5\n") != std::string::npos);
  CHECK(text.find("graphkeeper_requests_total{op=\"getData\"} 1\n") != std::string::npos);
  CHECK(text.find("graphkeeper_requests_total{op=\"create\"} 1\n") != std::string::npos);
  CHECK(text.find("graphkeeper_request_latency_ms_sum{op=\"create\"} 7\n") != std::string::npos);
  // Every sample line is "name[{labels}] value".
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.empty() || line[0] == '#') continue;
    CHECK(line.find(' ') != std::string::npos);
    CHECK(line.find(' ') == line.rfind(' '));
  }
}

TEST_CASE("admin config: metricsProvider keys", "[admin]") {
  const std::string base = "dataDir=/var/lib/zk\nclientPort=2181\n";
  ServerConfig plain = parseConfig(base, "zoo.cfg");
  CHECK(plain.adminEnableServer);
  CHECK(plain.adminServerPort == 8080);
  CHECK(plain.adminServerAddress == "0.0.0.0");
  CHECK(plain.metricsProviderHttpPort == 7000);
  CHECK(plain.metricsProviderHttpHost == "0.0.0.0");
  CHECK(!prometheusProviderConfigured(plain));
  ServerConfig c = parseConfig(
      base +
          "metricsProvider.className=org.apache.zookeeper.metrics.prometheus."
          "PrometheusMetricsProvider\nmetricsProvider.httpPort=7001\n"
          "metricsProvider.httpHost=127.0.0.1\nmetricsProvider.exportJvmInfo=false\n",
      "zoo.cfg");
  CHECK(prometheusProviderConfigured(c));
  CHECK(c.metricsProviderHttpPort == 7001);
  CHECK(c.metricsProviderHttpHost == "127.0.0.1");
  // Read only by the Prometheus provider: a bad value stops start-up only when it is used.
  CHECK(parseConfig(base + "metricsProvider.httpPort=x\n", "zoo.cfg").metricsProviderHttpPort ==
        -1);
}

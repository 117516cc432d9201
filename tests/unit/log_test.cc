// Log lines must keep ZooKeeper's layout: written to a temp file and read back.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "engine/log.h"

namespace fs = std::filesystem;
using namespace gk::engine;

namespace {

struct TempLog {
  fs::path dir;
  fs::path file;
  TempLog() {
    dir = fs::temp_directory_path() / ("gk-log-test-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    file = dir / "graphkeeper.log";
    fs::remove(file);
  }
  ~TempLog() {
    initLogging(0, "", false);  // let go of the file before removing it
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::vector<std::string> lines() const {
    flushLogs();
    std::ifstream in(file);
    std::vector<std::string> out;
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
  }
};

const std::regex kLayout(
    R"(^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \[myid:(\d*)\] - (TRACE|DEBUG|INFO |WARN |ERROR) )"
    R"(\[([^:\]]+):([A-Za-z]+)@(\d+)\] - (.*)$)");

}  // namespace

TEST_CASE("lines follow ZooKeeper's layout", "[log]") {
  TempLog t;
  initLogging(3, t.file.string(), false, "debug");
  const int line = __LINE__ + 1;
  GK_LOG_WARN("disk {} is {}% full", "/data", 93);
  GK_LOG_INFO("plain");
  GK_LOG_DEBUG("debug {}", 1);
  GK_LOG_ERROR("bad");

  auto lines = t.lines();
  REQUIRE(lines.size() == 4);
  std::smatch m;
  REQUIRE(std::regex_match(lines[0], m, kLayout));
  CHECK(m[1] == "3");
  CHECK(m[2] == "WARN ");
  CHECK(m[3] == "main");
  CHECK(m[4] == "LogTest");  // log_test.cc, named like a Java class
  CHECK(m[5] == std::to_string(line));
  CHECK(m[6] == "disk /data is 93% full");
  CHECK(lines[0].find("] - WARN  [main:LogTest@") != std::string::npos);

  REQUIRE(std::regex_match(lines[1], m, kLayout));
  CHECK(m[2] == "INFO ");
  REQUIRE(std::regex_match(lines[2], m, kLayout));
  CHECK(m[2] == "DEBUG");
  REQUIRE(std::regex_match(lines[3], m, kLayout));
  CHECK(m[2] == "ERROR");
}

TEST_CASE("no myid prints an empty myid, as ZooKeeper does", "[log]") {
  TempLog t;
  initLogging(0, t.file.string(), false);
  GK_LOG_INFO("x");
  auto lines = t.lines();
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find(" [myid:] - INFO  [main:") != std::string::npos);
}

TEST_CASE("the level filters", "[log]") {
  TempLog t;
  initLogging(1, t.file.string(), false, "WARN");
  GK_LOG_DEBUG("hidden");
  GK_LOG_INFO("hidden");
  GK_LOG_WARN("shown");
  auto lines = t.lines();
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find("shown") != std::string::npos);
  CHECK_THROWS_AS(initLogging(1, "", false, "loud"), std::invalid_argument);
}

TEST_CASE("thread names are per thread", "[log]") {
  TempLog t;
  initLogging(2, t.file.string(), false);
  std::thread worker([] {
    CHECK(threadName() == "main");
    setThreadName("NIOWorkerThread-1");
    GK_LOG_INFO("from the worker");
  });
  worker.join();
  GK_LOG_INFO("from main");
  auto lines = t.lines();
  REQUIRE(lines.size() == 2);
  std::smatch m;
  REQUIRE(std::regex_match(lines[0], m, kLayout));
  CHECK(m[3] == "NIOWorkerThread-1");
  REQUIRE(std::regex_match(lines[1], m, kLayout));
  CHECK(m[3] == "main");
}

TEST_CASE("logging appends to an existing file", "[log]") {
  TempLog t;
  initLogging(1, t.file.string(), false);
  GK_LOG_INFO("first run");
  initLogging(1, t.file.string(), false);
  GK_LOG_INFO("second run");
  auto lines = t.lines();
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].find("first run") != std::string::npos);
  CHECK(lines[1].find("second run") != std::string::npos);
}

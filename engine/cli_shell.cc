// `graphkeeper shell`: an interactive shell with zkCli-like znode commands (over the official
// ZooKeeper C client, libzookeeper_mt) and `query <cypher>` (POST /query on the admin port).
// Reads stdin line by line, so it works piped too; a prompt only when stdin is a terminal.
// Piped, the exit status is 1 when any command failed, so scripts can rely on it.
#include <unistd.h>

#include <zookeeper/zookeeper.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <iostream>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "engine/cli_common.h"
#include "engine/cli_query.h"
#include "engine/http_client.h"
#include "surface/params.h"
#include "surface/result_format.h"

namespace gk::engine::cli {

namespace {

constexpr int kSessionTimeoutMs = 30000;
constexpr auto kConnectTimeout = std::chrono::seconds(10);

const char* kHelp =
    "Commands:\n"
    "  ls PATH                        children of PATH\n"
    "  get PATH                       data of PATH\n"
    "  stat PATH                      stat of PATH\n"
    "  create [-e] [-s] PATH [DATA]   create (-e ephemeral, -s sequential)\n"
    "  set PATH DATA                  set data\n"
    "  delete PATH                    delete (any version)\n"
    "  query CYPHER                   run a read-only query (POST /query on the admin port)\n"
    "  help                           this text\n"
    "  quit | exit                    leave\n"
    "Arguments with spaces go in double or single quotes.\n";

// The C client's session, connected on first use so `query` works without a client port.
class ZkSession {
 public:
  explicit ZkSession(std::string hostPort) : hostPort_(std::move(hostPort)) {}
  ~ZkSession() {
    if (zh_) zookeeper_close(zh_);
  }

  // The handle, connecting first if needed; nullptr (and `error` set) when that fails.
  zhandle_t* get(std::string& error) {
    if (zh_ && zoo_state(zh_) == ZOO_CONNECTED_STATE) return zh_;
    if (zh_) {
      zookeeper_close(zh_);
      zh_ = nullptr;
    }
    connected_ = false;
    zh_ = zookeeper_init(hostPort_.c_str(), &ZkSession::watcher, kSessionTimeoutMs, nullptr, this,
                         0);
    if (!zh_) {
      error = "cannot start a ZooKeeper client for " + hostPort_ + ": " + std::strerror(errno);
      return nullptr;
    }
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, kConnectTimeout, [this] { return connected_; })) {
      lock.unlock();
      zookeeper_close(zh_);
      zh_ = nullptr;
      error = "cannot connect to " + hostPort_ + " (no session within 10 s)";
      return nullptr;
    }
    return zh_;
  }

 private:
  static void watcher(zhandle_t*, int type, int state, const char*, void* ctx) {
    auto* self = static_cast<ZkSession*>(ctx);
    if (type == ZOO_SESSION_EVENT && state == ZOO_CONNECTED_STATE) {
      std::lock_guard lock(self->mu_);
      self->connected_ = true;
      self->cv_.notify_all();
    }
  }

  std::string hostPort_;
  zhandle_t* zh_ = nullptr;
  std::mutex mu_;
  std::condition_variable cv_;
  bool connected_ = false;
};

// Splits a line into words; "..." and '...' group, backslash escapes inside double quotes.
bool tokenize(const std::string& line, std::vector<std::string>& out, std::string& error) {
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i >= line.size()) break;
    std::string word;
    while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) {
      char c = line[i];
      if (c == '"' || c == '\'') {
        size_t j = i + 1;
        for (; j < line.size() && line[j] != c; ++j) {
          if (c == '"' && line[j] == '\\' && j + 1 < line.size()) ++j;
          word += line[j];
        }
        if (j >= line.size()) {
          error = std::string("unclosed ") + c;
          return false;
        }
        i = j + 1;
      } else {
        word += c;
        ++i;
      }
    }
    out.push_back(std::move(word));
  }
  return true;
}

std::string hex(int64_t v) {
  std::ostringstream s;
  s << "0x" << std::hex << v;
  return s.str();
}

std::string timeText(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  char buf[64];
  std::tm tm{};
  ::localtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%a %b %d %H:%M:%S %Z %Y", &tm);
  return buf;
}

// zkCli's stat layout.
void printStat(const struct Stat& s) {
  std::cout << "cZxid = " << hex(s.czxid) << "\nctime = " << timeText(s.ctime)
            << "\nmZxid = " << hex(s.mzxid) << "\nmtime = " << timeText(s.mtime)
            << "\npZxid = " << hex(s.pzxid) << "\ncversion = " << s.cversion
            << "\ndataVersion = " << s.version << "\naclVersion = " << s.aversion
            << "\nephemeralOwner = " << hex(s.ephemeralOwner) << "\ndataLength = " << s.dataLength
            << "\nnumChildren = " << s.numChildren << "\n";
}

class Shell {
 public:
  Shell(std::string zkServer, std::string adminHost, int adminPort)
      : zk_(std::move(zkServer)), adminHost_(std::move(adminHost)), adminPort_(adminPort) {}

  // One line; false when the shell should end.
  bool execute(const std::string& line) {
    std::string trimmed = line;
    while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.back()))) {
      trimmed.pop_back();
    }
    size_t start = trimmed.find_first_not_of(" \t");
    if (start == std::string::npos || trimmed[start] == '#') return true;
    trimmed = trimmed.substr(start);
    std::string cmd = trimmed.substr(0, trimmed.find_first_of(" \t"));
    if (cmd == "query") {
      size_t rest = trimmed.find_first_not_of(" \t", cmd.size());
      runQuery(rest == std::string::npos ? "" : trimmed.substr(rest));
      return true;
    }
    std::vector<std::string> args;
    std::string error;
    if (!tokenize(trimmed, args, error)) return failed(error);
    args.erase(args.begin());
    if (cmd == "quit" || cmd == "exit") return false;
    if (cmd == "help" || cmd == "?") {
      std::cout << kHelp;
    } else if (cmd == "ls" || cmd == "get" || cmd == "stat" || cmd == "delete") {
      if (args.size() != 1) return failed("usage: " + cmd + " PATH");
      znodeCommand(cmd, args[0], {});
    } else if (cmd == "set") {
      if (args.size() != 2) return failed("usage: set PATH DATA");
      znodeCommand(cmd, args[0], args[1]);
    } else if (cmd == "create") {
      create(args);
    } else {
      return failed("unknown command '" + cmd + "' (type help for the list)");
    }
    return true;
  }

  bool anyFailed() const { return anyFailed_; }

 private:
  bool failed(const std::string& message) {
    std::cerr << message << std::endl;
    anyFailed_ = true;
    return true;
  }

  zhandle_t* handle() {
    std::string error;
    zhandle_t* zh = zk_.get(error);
    if (!zh) failed(error);
    return zh;
  }

  bool check(int rc, const std::string& path) {
    if (rc == ZOK) return true;
    failed(std::string(zerror(rc)) + ": " + path);
    return false;
  }

  void znodeCommand(const std::string& cmd, const std::string& path, const std::string& data) {
    zhandle_t* zh = handle();
    if (!zh) return;
    if (cmd == "ls") {
      String_vector children{};
      if (!check(zoo_get_children(zh, path.c_str(), 0, &children), path)) return;
      std::vector<std::string> names(children.data, children.data + children.count);
      deallocate_String_vector(&children);
      std::sort(names.begin(), names.end());
      std::cout << "[";
      for (size_t i = 0; i < names.size(); ++i) std::cout << (i ? ", " : "") << names[i];
      std::cout << "]" << std::endl;
    } else if (cmd == "get") {
      std::vector<char> buf(1 << 20);  // jute.maxbuffer's default
      int len = static_cast<int>(buf.size());
      struct Stat st{};
      if (!check(zoo_get(zh, path.c_str(), 0, buf.data(), &len, &st), path)) return;
      if (len < 0) {
        std::cout << "null" << std::endl;
      } else {
        std::cout << std::string(buf.data(), size_t(len)) << std::endl;
      }
    } else if (cmd == "stat") {
      struct Stat st{};
      if (check(zoo_exists(zh, path.c_str(), 0, &st), path)) printStat(st);
    } else if (cmd == "set") {
      check(zoo_set(zh, path.c_str(), data.data(), int(data.size()), -1), path);
    } else if (cmd == "delete") {
      check(zoo_delete(zh, path.c_str(), -1), path);
    }
  }

  void create(const std::vector<std::string>& args) {
    bool ephemeral = false, sequential = false;
    std::vector<std::string> rest;
    for (const auto& a : args) {
      if (a == "-e") {
        ephemeral = true;
      } else if (a == "-s") {
        sequential = true;
      } else if (a.size() > 1 && a[0] == '-' && rest.empty()) {
        failed("create: unknown flag " + a + " (usage: create [-e] [-s] PATH [DATA])");
        return;
      } else {
        rest.push_back(a);
      }
    }
    if (rest.empty() || rest.size() > 2) {
      failed("usage: create [-e] [-s] PATH [DATA]");
      return;
    }
    zhandle_t* zh = handle();
    if (!zh) return;
    int mode = ephemeral ? (sequential ? ZOO_EPHEMERAL_SEQUENTIAL : ZOO_EPHEMERAL)
                         : (sequential ? ZOO_PERSISTENT_SEQUENTIAL : 0);
    std::string data = rest.size() == 2 ? rest[1] : "";
    char created[1024];
    int rc = zoo_create(zh, rest[0].c_str(), data.data(), int(data.size()),
                        &ZOO_OPEN_ACL_UNSAFE, mode, created, sizeof created);
    if (check(rc, rest[0])) std::cout << "Created " << created << std::endl;
  }

  void runQuery(std::string text) {
    while (!text.empty() && (text.back() == ';' || std::isspace(static_cast<unsigned char>(text.back())))) {
      text.pop_back();
    }
    if (text.empty()) {
      failed("usage: query CYPHER");
      return;
    }
    QueryFailure failure;
    auto result = postQuery(adminHost_, adminPort_, text, {}, std::nullopt, std::nullopt, failure);
    if (!result) {
      failed(describe(failure));
      return;
    }
    std::cout << surface::formatTable(*result) << std::flush;
  }

  ZkSession zk_;
  std::string adminHost_;
  int adminPort_;
  bool anyFailed_ = false;
};

int usage(std::ostream& out, int code) {
  out << "Usage: graphkeeper shell [--server host:port] [--admin host:port] [--config FILE|DIR]\n"
         "  --server  the client port for znode commands (default: clientPortAddress:clientPort)\n"
         "  --admin   the admin port for `query` (default: admin.serverAddress:admin.serverPort)\n";
  return code;
}

}  // namespace

int shellCommand(int argc, char** argv) {
  std::string server, admin, configPath;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-h" || a == "--help") return usage(std::cout, kExitOk);
    std::string flag = a, value;
    if (size_t eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
      flag = a.substr(0, eq);
      value = a.substr(eq + 1);
    } else if (i + 1 < argc) {
      value = argv[i + 1];
      if (flag == "--server" || flag == "--admin" || flag == "--config") ++i;
    }
    if (flag == "--server") {
      server = value;
    } else if (flag == "--admin") {
      admin = value;
    } else if (flag == "--config") {
      configPath = value;
    } else {
      std::cerr << "graphkeeper shell: unknown argument " << a << "\n";
      return usage(std::cerr, kExitUsage);
    }
  }
  ServerConfig cfg;
  try {
    cfg = loadCliConfig(configPath);
  } catch (const ConfigError& e) {
    std::cerr << e.what() << std::endl;
    return kExitUsage;
  }
  if (server.empty()) {
    server = reachableHost(cfg.clientPortAddress) + ":" + std::to_string(cfg.clientPort);
  }
  std::string adminHost = reachableHost(cfg.adminServerAddress);
  int adminPort = cfg.adminServerPort;
  if (!admin.empty() && !splitHostPort(admin, adminHost, adminPort)) {
    std::cerr << "graphkeeper shell: --admin '" << admin << "' is not host:port\n";
    return kExitUsage;
  }
  zoo_set_debug_level(static_cast<ZooLogLevel>(0));  // no client log lines in the shell

  const bool interactive = ::isatty(STDIN_FILENO);
  Shell shell(server, adminHost, adminPort);
  if (interactive) std::cout << "GraphKeeper shell on " << server << " (help for commands)\n";
  std::string line;
  for (;;) {
    if (interactive) std::cout << "gk> " << std::flush;
    if (!std::getline(std::cin, line)) break;
    if (!shell.execute(line)) break;
  }
  return !interactive && shell.anyFailed() ? kExitFailed : kExitOk;
}

}  // namespace gk::engine::cli

// graphkeeper: the server binary, driven like ZooKeeper's zkServer.sh.
//   graphkeeper [--config FILE|DIR] [--log-level LEVEL] {start|stop|restart|status|run|version}
// `run` (alias start-foreground) serves in the foreground; `start` daemonizes and waits until
// the client port answers; `stop` ends the daemon named by <dataDir>/graphkeeper_server.pid;
// `status` asks the running server `srvr` and prints its Mode line. Exit codes: 0 ok, 1 failed,
// 2 bad configuration or usage.
//   graphkeeper query '<cypher>' [...] and graphkeeper shell [...] are the query language's
// command-line surface (engine/cli_query.h).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "engine/cli_query.h"
#include "engine/config.h"
#include "engine/log.h"
#include "engine/server.h"

#ifndef GK_VERSION
#define GK_VERSION "0.1.0"
#endif

namespace fs = std::filesystem;
using namespace gk::engine;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kStartTimeout = std::chrono::seconds(30);
constexpr auto kStopTimeout = std::chrono::seconds(30);
constexpr int kExitFailed = 1;
constexpr int kExitBadConfig = 2;

struct Options {
  std::string command;
  std::string configPath;  // empty: ./conf/zoo.cfg if present, else the embedded default
  std::string logLevel = "info";
};

struct Loaded {
  ServerConfig config;
  std::string shown;  // for "Using config: ..."
};

int usage(std::ostream& out, int code) {
  out << "Usage: graphkeeper [--config <file|conf-dir>] [--log-level trace|debug|info|warn|error]"
         " {start|start-foreground|run|stop|restart|status|version}\n"
         "       graphkeeper query '<cypher>' [--param k=v]... [--format table|json|csv]"
         " [--server host:port | --data-dir DIR]\n"
         "       graphkeeper shell [--server host:port] [--admin host:port]\n";
  return code;
}

// ---------------------------------------------------------------------------------------------
// Where things live: next to the data, as zkServer.sh keeps its pid file.

std::string logDir(const ServerConfig& c) {
  return c.dataLogDir.empty() ? c.dataDir : c.dataLogDir;
}
std::string logFile(const ServerConfig& c) {
  return (fs::path(logDir(c)) / "graphkeeper.log").string();
}
std::string outFile(const ServerConfig& c) {
  return (fs::path(logDir(c)) / "graphkeeper.out").string();
}
std::string pidFile(const ServerConfig& c) {
  return (fs::path(c.dataDir) / "graphkeeper_server.pid").string();
}

// The address a local client reaches the server at.
std::string clientHost(const ServerConfig& c) {
  const std::string& a = c.clientPortAddress;
  if (a.empty() || a == "0.0.0.0") return "127.0.0.1";
  if (a == "::" || a == "[::]") return "::1";
  if (a.size() > 2 && a.front() == '[' && a.back() == ']') return a.substr(1, a.size() - 2);
  return a;
}

// ---------------------------------------------------------------------------------------------
// Processes

std::optional<pid_t> readPidFile(const std::string& path) {
  std::ifstream in(path);
  long pid = 0;
  if (!(in >> pid) || pid <= 0) return std::nullopt;
  return static_cast<pid_t>(pid);
}

std::string procText(pid_t pid, const char* what) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/" + what);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A zombie answers kill(pid, 0) but is gone; in containers nobody may ever reap it.
bool alive(pid_t pid) {
  if (::kill(pid, 0) != 0 && errno != EPERM) return false;
  const std::string stat = procText(pid, "stat");
  size_t paren = stat.rfind(')');
  return paren == std::string::npos || paren + 2 >= stat.size() || stat[paren + 2] != 'Z';
}

std::string exeOf(const std::string& link) {
  std::error_code ec;
  std::string target = fs::read_symlink(link, ec).string();
  const std::string deleted = " (deleted)";  // the binary was rebuilt under it
  if (target.size() > deleted.size() &&
      target.compare(target.size() - deleted.size(), deleted.size(), deleted) == 0) {
    target.resize(target.size() - deleted.size());
  }
  return target;
}

// Guards against signalling whatever process inherited a stale pid.
bool isGraphkeeper(pid_t pid) {
  const std::string exe = exeOf("/proc/" + std::to_string(pid) + "/exe");
  if (!exe.empty() && exe == exeOf("/proc/self/exe")) return true;
  std::string comm = procText(pid, "comm");
  while (!comm.empty() && (comm.back() == '\n' || comm.back() == ' ')) comm.pop_back();
  return comm == "graphkeeper";
}

bool writePidFile(const std::string& path, pid_t pid) {
  std::ofstream out(path, std::ios::trunc);
  out << pid;  // no newline, as zkServer.sh writes it
  return static_cast<bool>(out.flush());
}

void removePidFileIfOurs(const std::string& path) {
  if (readPidFile(path) == ::getpid()) ::unlink(path.c_str());
}

std::string tail(const std::string& path, size_t lines) {
  std::ifstream in(path);
  std::deque<std::string> last;
  for (std::string l; std::getline(in, l);) {
    last.push_back(std::move(l));
    if (last.size() > lines) last.pop_front();
  }
  std::string out;
  for (const auto& l : last) out += l + "\n";
  return out;
}

// ---------------------------------------------------------------------------------------------
// Sockets

int connectTo(const std::string& host, int port, int timeoutMs) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res) != 0) return -1;
  int fd = -1;
  for (addrinfo* ai = res; ai && fd < 0; ai = ai->ai_next) {
    fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    if (::connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
      pollfd p{fd, POLLOUT, 0};
      int err = 0;
      socklen_t len = sizeof err;
      if (errno != EINPROGRESS || ::poll(&p, 1, timeoutMs) != 1 ||
          ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
        ::close(fd);
        fd = -1;
      }
    }
  }
  ::freeaddrinfo(res);
  return fd;
}

// Sends a four-letter word and reads until the server closes, as FourLetterWordMain does.
std::optional<std::string> fourLetterWord(const std::string& host, int port,
                                          const std::string& word, int timeoutMs) {
  int fd = connectTo(host, port, timeoutMs);
  if (fd < 0) return std::nullopt;
  std::string reply;
  bool ok = ::send(fd, word.data(), word.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(word.size());
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
  while (ok) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) != 1) break;
    char buf[4096];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    reply.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  if (!ok) return std::nullopt;
  return reply;
}

// Something else on the client port would answer our readiness probe and fool `start`.
bool portInUse(const ServerConfig& c) {
  addrinfo hints{};
  hints.ai_family = c.clientPortAddress.empty() ? AF_INET : AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* res = nullptr;
  const char* host = c.clientPortAddress.empty() ? nullptr : c.clientPortAddress.c_str();
  if (::getaddrinfo(host, std::to_string(c.clientPort).c_str(), &hints, &res) != 0) return false;
  bool inUse = false;
  int fd = ::socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol);
  if (fd >= 0) {
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    inUse = ::bind(fd, res->ai_addr, res->ai_addrlen) != 0 && errno == EADDRINUSE;
    ::close(fd);
  }
  ::freeaddrinfo(res);
  return inUse;
}

// ---------------------------------------------------------------------------------------------
// run: the server in this process

// Signals go to one thread that sigwait()s, so stopping needs nothing async-signal-safe.
class SignalWaiter {
 public:
  // Call before any other thread exists: threads inherit the blocked mask.
  static void blockStopSignals() {
    sigset_t set = stopSignals();
    ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
    ::signal(SIGPIPE, SIG_IGN);  // a client gone mid-write is an error code, not a death
  }

  explicit SignalWaiter(Server& server)
      : thread_([this, &server] {
          setThreadName("SignalHandler");
          sigset_t set = stopSignals();
          for (;;) {
            int sig = 0;
            if (::sigwait(&set, &sig) != 0) continue;
            if (done_.load()) return;
            GK_LOG_INFO("Received {}, shutting down", ::strsignal(sig));
            server.requestStop();
          }
        }) {}

  ~SignalWaiter() {
    done_.store(true);
    ::pthread_kill(thread_.native_handle(), SIGTERM);  // wakes its sigwait
    thread_.join();
  }

 private:
  static sigset_t stopSignals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    return set;
  }
  std::atomic<bool> done_{false};
  std::thread thread_;
};

// Serves until stopped. `daemonPidFile`: the pid file this process owns (daemon mode).
int runServer(const Loaded& loaded, const Options& opts, bool console,
              const std::string& daemonPidFile) {
  const ServerConfig& config = loaded.config;
  SignalWaiter::blockStopSignals();

  std::error_code ec;
  fs::create_directories(logDir(config), ec);
  if (ec) {
    std::cerr << "graphkeeper: cannot create log directory " << logDir(config) << ": "
              << ec.message() << std::endl;
    return kExitFailed;
  }
  try {
    initLogging(config.myid, logFile(config), console, opts.logLevel);
  } catch (const std::exception& e) {
    std::cerr << "graphkeeper: cannot set up logging: " << e.what() << std::endl;
    return kExitFailed;
  }

  GK_LOG_INFO("GraphKeeper {} starting, pid {}", GK_VERSION, ::getpid());
  GK_LOG_INFO("Reading configuration from: {}", loaded.shown);
  for (const auto& w : config.warnings) GK_LOG_WARN("{}", w);

  int code = 0;
  try {
    Server server(config);
    SignalWaiter waiter(server);
    server.run();
    GK_LOG_INFO("GraphKeeper stopped");
  } catch (const std::exception& e) {
    GK_LOG_ERROR("Unable to run GraphKeeper: {}", e.what());
    if (!console) std::cerr << "graphkeeper: " << e.what() << std::endl;
    code = kExitFailed;
  }
  flushLogs();
  if (!daemonPidFile.empty()) removePidFileIfOurs(daemonPidFile);
  return code;
}

// ---------------------------------------------------------------------------------------------
// start / stop / status

// Child side of `start`: detaches, writes the pid file, tells the parent its pid over
// `ready` (kept open until exit, so the parent sees EOF if the daemon dies), serves.
[[noreturn]] void becomeDaemon(const Loaded& loaded, const Options& opts, int ready) {
  const ServerConfig& config = loaded.config;
  ::setsid();
  pid_t grandchild = ::fork();
  if (grandchild != 0) ::_exit(grandchild < 0 ? kExitFailed : 0);  // not a session leader: no tty

  int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  int out = ::open(outFile(config).c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (devnull < 0 || out < 0) ::_exit(kExitFailed);
  ::dup2(devnull, STDIN_FILENO);
  ::dup2(out, STDOUT_FILENO);
  ::dup2(out, STDERR_FILENO);
  ::close(devnull);
  ::close(out);

  const std::string pidPath = pidFile(config);
  if (!writePidFile(pidPath, ::getpid())) {
    std::cerr << "graphkeeper: cannot write pid file " << pidPath << ": " << std::strerror(errno)
              << std::endl;
    ::_exit(kExitFailed);
  }
  pid_t me = ::getpid();
  if (::write(ready, &me, sizeof me) != static_cast<ssize_t>(sizeof me)) ::_exit(kExitFailed);
  int code = runServer(loaded, opts, /*console=*/false, pidPath);
  std::cout.flush();
  std::cerr.flush();
  ::_exit(code);
}

void printFailure(const ServerConfig& config) {
  std::cout << "FAILED TO START" << std::endl;
  const std::string log = tail(logFile(config), 20);
  const std::string out = tail(outFile(config), 20);
  if (!log.empty()) std::cout << "Last lines of " << logFile(config) << ":\n" << log;
  if (!out.empty() && out != log) std::cout << "Last lines of " << outFile(config) << ":\n" << out;
}

int cmdStart(const Loaded& loaded, const Options& opts) {
  const ServerConfig& config = loaded.config;
  std::cout << "Starting graphkeeper ... " << std::flush;
  const std::string pidPath = pidFile(config);
  if (auto pid = readPidFile(pidPath); pid && alive(*pid) && isGraphkeeper(*pid)) {
    std::cout << "graphkeeper already running as process " << *pid << "." << std::endl;
    return kExitFailed;
  }
  ::unlink(pidPath.c_str());  // stale

  std::error_code ec;
  fs::create_directories(config.dataDir, ec);
  if (!ec) fs::create_directories(logDir(config), ec);
  if (ec) {
    std::cout << "FAILED TO START" << std::endl
              << "cannot create " << logDir(config) << ": " << ec.message() << std::endl;
    return kExitFailed;
  }
  if (portInUse(config)) {
    std::cout << "FAILED TO START" << std::endl
              << "client port " << clientHost(config) << ":" << config.clientPort
              << " is already in use" << std::endl;
    return kExitFailed;
  }

  int ready[2];
  if (::pipe2(ready, O_CLOEXEC) != 0) {
    std::cout << "FAILED TO START" << std::endl << "pipe: " << std::strerror(errno) << std::endl;
    return kExitFailed;
  }
  std::cout.flush();
  std::cerr.flush();
  pid_t child = ::fork();
  if (child < 0) {
    std::cout << "FAILED TO START" << std::endl << "fork: " << std::strerror(errno) << std::endl;
    return kExitFailed;
  }
  if (child == 0) {
    ::close(ready[0]);
    becomeDaemon(loaded, opts, ready[1]);
  }
  ::close(ready[1]);
  ::waitpid(child, nullptr, 0);

  const auto deadline = Clock::now() + kStartTimeout;
  pid_t daemonPid = 0;
  size_t got = 0;
  const std::string host = clientHost(config);
  while (Clock::now() < deadline) {
    pollfd p{ready[0], POLLIN, 0};
    if (::poll(&p, 1, 100) == 1) {
      char buf[sizeof daemonPid];
      ssize_t n = ::read(ready[0], buf, sizeof buf);
      if (n == 0 || (n < 0 && errno != EINTR)) {  // EOF: the daemon is gone
        ::close(ready[0]);
        printFailure(config);
        return kExitFailed;
      }
      for (ssize_t i = 0; i < n && got < sizeof daemonPid; ++i) {
        reinterpret_cast<char*>(&daemonPid)[got++] = buf[i];
      }
    }
    if (got < sizeof daemonPid) continue;
    if (int fd = connectTo(host, config.clientPort, 200); fd >= 0) {
      ::close(fd);
      ::close(ready[0]);
      std::cout << "STARTED" << std::endl;
      return 0;
    }
  }
  ::close(ready[0]);
  printFailure(config);
  if (got == sizeof daemonPid) {
    std::cout << "(process " << daemonPid << " is still running but did not open "
              << host << ":" << config.clientPort << " within "
              << std::chrono::seconds(kStartTimeout).count() << " s)" << std::endl;
  }
  return kExitFailed;
}

int cmdStop(const Loaded& loaded) {
  const std::string pidPath = pidFile(loaded.config);
  std::cout << "Stopping graphkeeper ... " << std::flush;
  if (!fs::exists(pidPath)) {
    std::cout << "no graphkeeper to stop (could not find file " << pidPath << ")" << std::endl;
    return kExitFailed;
  }
  auto pid = readPidFile(pidPath);
  if (!pid || !alive(*pid) || !isGraphkeeper(*pid)) {
    ::unlink(pidPath.c_str());
    std::cout << "no graphkeeper to stop (";
    if (!pid) {
      std::cout << "no pid in " << pidPath;
    } else if (!alive(*pid)) {
      std::cout << "process " << *pid << " is not running";
    } else {
      std::cout << "process " << *pid << " is not graphkeeper";
    }
    std::cout << "; removed the stale " << pidPath << ")" << std::endl;
    return kExitFailed;
  }
  if (::kill(*pid, SIGTERM) != 0) {
    std::cout << "FAILED TO STOP (kill " << *pid << ": " << std::strerror(errno) << ")"
              << std::endl;
    return kExitFailed;
  }
  const auto deadline = Clock::now() + kStopTimeout;
  while (alive(*pid)) {
    if (Clock::now() >= deadline) {
      std::cout << "FAILED TO STOP (process " << *pid << " is still running after "
                << std::chrono::seconds(kStopTimeout).count() << " s)" << std::endl;
      return kExitFailed;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (readPidFile(pidPath) == *pid) ::unlink(pidPath.c_str());
  std::cout << "STOPPED" << std::endl;
  return 0;
}

int cmdStatus(const Loaded& loaded) {
  const ServerConfig& config = loaded.config;
  const std::string host = clientHost(config);
  std::cout << "Client port found: " << config.clientPort << ". Client address: " << host
            << ". Client SSL: false." << std::endl;
  if (auto reply = fourLetterWord(host, config.clientPort, "srvr", 5000)) {
    std::istringstream lines(*reply);
    for (std::string l; std::getline(lines, l);) {
      if (l.rfind("Mode:", 0) == 0) {
        std::cout << l << std::endl;
        return 0;
      }
    }
  }
  std::cout << "Error contacting service. It is probably not running." << std::endl;
  return kExitFailed;
}

// ---------------------------------------------------------------------------------------------

std::optional<Options> parseArgs(int argc, char** argv) {
  Options o;
  std::string positionalConfig;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const std::string& flag) -> std::optional<std::string> {
      if (a == flag) {
        if (i + 1 >= argc) return std::nullopt;
        return std::string(argv[++i]);
      }
      return a.substr(flag.size() + 1);  // --flag=value
    };
    if (a == "--config" || a.rfind("--config=", 0) == 0) {
      auto v = value("--config");
      if (!v || v->empty()) return std::nullopt;
      o.configPath = *v;
    } else if (a == "--log-level" || a.rfind("--log-level=", 0) == 0) {
      auto v = value("--log-level");
      if (!v || v->empty()) return std::nullopt;
      o.logLevel = *v;
    } else if (!a.empty() && a[0] == '-') {
      return std::nullopt;
    } else if (o.command.empty()) {
      o.command = a;
    } else if (positionalConfig.empty()) {
      positionalConfig = a;  // zkServer.sh start /path/zoo.cfg
    } else {
      return std::nullopt;
    }
  }
  if (o.configPath.empty()) o.configPath = positionalConfig;
  if (o.command.empty()) return std::nullopt;
  return o;
}

// Prints "Using config: ..." first, as zkServer.sh does, then reads it.
Loaded loadFor(const Options& opts) {
  std::string path = opts.configPath;
  if (path.empty()) {
    std::error_code ec;
    if (!fs::exists("conf/zoo.cfg", ec)) {
      std::cerr << "Using config: (embedded default)" << std::endl;
      return Loaded{defaultConfig(), "(embedded default)"};
    }
    path = fs::absolute("conf/zoo.cfg", ec).string();
  } else if (std::error_code ec; fs::is_directory(path, ec)) {
    path = (fs::path(path) / "zoo.cfg").string();  // zkServer.sh --config takes a conf dir
  }
  std::cerr << "Using config: " << path << std::endl;
  return Loaded{loadConfig(path), path};
}

// `query` and `shell` take their own options; a --config given before the word is passed on.
std::optional<int> runClientCommand(int argc, char** argv) {
  std::vector<std::string> configArgs;
  int i = 1;
  while (i < argc) {
    std::string a = argv[i];
    if ((a == "--config" || a == "--log-level") && i + 1 < argc) {
      if (a == "--config") configArgs = {a, argv[i + 1]};
      i += 2;
    } else if (a.rfind("--config=", 0) == 0 || a.rfind("--log-level=", 0) == 0) {
      if (a.rfind("--config=", 0) == 0) configArgs = {a};
      i += 1;
    } else {
      break;
    }
  }
  if (i >= argc) return std::nullopt;
  std::string cmd = argv[i];
  if (cmd != "query" && cmd != "shell") return std::nullopt;
  std::vector<std::string> args(argv + i + 1, argv + argc);
  args.insert(args.end(), configArgs.begin(), configArgs.end());
  std::vector<char*> ptrs;
  for (auto& a : args) ptrs.push_back(a.data());
  ptrs.push_back(nullptr);
  int n = static_cast<int>(args.size());
  return cmd == "query" ? gk::engine::cli::queryCommand(n, ptrs.data())
                        : gk::engine::cli::shellCommand(n, ptrs.data());
}

}  // namespace

int main(int argc, char** argv) {
  if (auto code = runClientCommand(argc, argv)) return *code;
  auto opts = parseArgs(argc, argv);
  if (!opts) return usage(std::cerr, kExitBadConfig);
  const std::string& cmd = opts->command;
  if (cmd == "help") return usage(std::cout, 0);
  if (cmd == "version") {
    std::cout << "GraphKeeper version " << GK_VERSION << " (Apache ZooKeeper 3.8 compatible)"
              << std::endl;
    return 0;
  }
  if (cmd != "start" && cmd != "stop" && cmd != "restart" && cmd != "status" && cmd != "run" &&
      cmd != "start-foreground") {
    return usage(std::cerr, kExitBadConfig);
  }

  Loaded loaded;
  try {
    loaded = loadFor(*opts);
  } catch (const ConfigError& e) {
    std::cerr << e.what() << std::endl;
    return kExitBadConfig;
  }

  if (cmd == "run" || cmd == "start-foreground") return runServer(loaded, *opts, true, "");
  if (cmd == "start") return cmdStart(loaded, *opts);
  if (cmd == "stop") return cmdStop(loaded);
  if (cmd == "status") return cmdStatus(loaded);
  // restart: a stop that finds nothing to stop is fine; one that cannot stop it is not.
  int stopped = cmdStop(loaded);
  if (stopped != 0 && fs::exists(pidFile(loaded.config))) return stopped;
  return cmdStart(loaded, *opts);
}

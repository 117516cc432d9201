// ZooKeeper's log layout on spdlog: two custom pattern flags render the padded level and the
// "[thread:Class@line]" part; everything else is spdlog's own date and message flags.
#include "engine/log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <cctype>
#include <stdexcept>
#include <vector>

namespace gk::engine {

namespace {

thread_local std::string tlsThreadName = "main";

// logback's %-5p.
class LevelFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    std::string_view name = "INFO ";
    switch (msg.level) {
      case spdlog::level::trace: name = "TRACE"; break;
      case spdlog::level::debug: name = "DEBUG"; break;
      case spdlog::level::info: name = "INFO "; break;
      case spdlog::level::warn: name = "WARN "; break;
      case spdlog::level::err: name = "ERROR"; break;
      case spdlog::level::critical: name = "ERROR"; break;  // logback has no FATAL
      default: break;
    }
    dest.append(name.data(), name.data() + name.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<LevelFlag>();
  }
};

// "session_tracker.cc" -> "SessionTracker": reads like the Java class names ZooKeeper prints.
void appendClassName(std::string_view file, spdlog::memory_buf_t& dest) {
  size_t slash = file.find_last_of("/\\");
  if (slash != std::string_view::npos) file.remove_prefix(slash + 1);
  file = file.substr(0, file.find('.'));
  bool upper = true;
  for (char c : file) {
    if (c == '_' || c == '-') {
      upper = true;
      continue;
    }
    dest.push_back(upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c);
    upper = false;
  }
}

// logback's [%t:%C{1}@%L].
class WhereFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    dest.push_back('[');
    dest.append(tlsThreadName.data(), tlsThreadName.data() + tlsThreadName.size());
    dest.push_back(':');
    if (msg.source.empty()) {
      dest.append(std::string_view("?@?"));
    } else {
      appendClassName(msg.source.filename, dest);
      dest.push_back('@');
      fmt::format_to(std::back_inserter(dest), "{}", msg.source.line);
    }
    dest.push_back(']');
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<WhereFlag>();
  }
};

spdlog::level::level_enum parseLevel(const std::string& level) {
  std::string l;
  for (char c : level) l.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (l == "trace") return spdlog::level::trace;
  if (l == "debug") return spdlog::level::debug;
  if (l == "info") return spdlog::level::info;
  if (l == "warn" || l == "warning") return spdlog::level::warn;
  if (l == "error") return spdlog::level::err;
  throw std::invalid_argument("unknown log level '" + level +
                              "' (expected trace, debug, info, warn or error)");
}

}  // namespace

void initLogging(int myid, const std::string& logFile, bool console, const std::string& level) {
  const auto lvl = parseLevel(level);
  std::vector<spdlog::sink_ptr> sinks;
  if (console) sinks.push_back(std::make_shared<spdlog::sinks::stderr_sink_mt>());
  if (!logFile.empty()) {
    constexpr size_t kMaxFileSize = size_t(256) << 20;
    constexpr size_t kMaxFiles = 20;
    sinks.push_back(
        std::make_shared<spdlog::sinks::rotating_file_sink_mt>(logFile, kMaxFileSize, kMaxFiles));
  }

  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  const std::string id = myid > 0 ? std::to_string(myid) : "";
  formatter->add_flag<LevelFlag>('Q').add_flag<WhereFlag>('W').set_pattern(
      "%Y-%m-%d %H:%M:%S,%e [myid:" + id + "] - %Q %W - %v");

  auto logger = std::make_shared<spdlog::logger>("graphkeeper", sinks.begin(), sinks.end());
  logger->set_formatter(std::move(formatter));
  logger->set_level(lvl);
  // ZooKeeper's appenders flush every line; a crash must not eat the last messages.
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(std::move(logger));
}

void setThreadName(std::string_view name) { tlsThreadName.assign(name); }

const std::string& threadName() { return tlsThreadName; }

void flushLogs() { spdlog::default_logger_raw()->flush(); }

}  // namespace gk::engine

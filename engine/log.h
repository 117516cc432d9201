// Logging in ZooKeeper's layout, so operators' greps and log shippers keep working:
//   2026-11-25 10:11:35,822 [myid:1] - WARN  [main:Server@123] - message
// (logback's "%d{ISO8601} [myid:%X{myid}] - %-5p [%t:%C{1}@%L] - %m%n", with the source
// file's stem standing in for the Java class). The one process-wide logger is spdlog's default.
#pragma once

#include <spdlog/spdlog.h>

#include <string>
#include <string_view>

namespace gk::engine {

// Installs the logger: `myid` 0 prints "[myid:]" as ZooKeeper does without a myid file;
// `logFile` empty means no file (otherwise appended to, rolled at 256 MiB, 20 kept, as
// ZooKeeper's logback.xml); `console` logs to stderr; `level` is trace|debug|info|warn|error
// (throws std::invalid_argument otherwise). May be called again to reconfigure.
void initLogging(int myid, const std::string& logFile, bool console,
                 const std::string& level = "info");

// Names the calling thread in log lines (the `%t` part); threads start as "main".
void setThreadName(std::string_view name);
const std::string& threadName();

// Flushes the sinks (before exit or fork).
void flushLogs();

}  // namespace gk::engine

#define GK_LOG_AT(lvl, ...) SPDLOG_LOGGER_CALL(spdlog::default_logger_raw(), lvl, __VA_ARGS__)
#define GK_LOG_TRACE(...) GK_LOG_AT(spdlog::level::trace, __VA_ARGS__)
#define GK_LOG_DEBUG(...) GK_LOG_AT(spdlog::level::debug, __VA_ARGS__)
#define GK_LOG_INFO(...) GK_LOG_AT(spdlog::level::info, __VA_ARGS__)
#define GK_LOG_WARN(...) GK_LOG_AT(spdlog::level::warn, __VA_ARGS__)
#define GK_LOG_ERROR(...) GK_LOG_AT(spdlog::level::err, __VA_ARGS__)

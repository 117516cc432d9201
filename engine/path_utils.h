// Znode path helpers: ZooKeeper's PathUtils.validatePath (same rules, same messages) and
// parent/base-name splitting of already validated paths.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace gk::engine {

// nullopt when `path` (UTF-8) is a valid znode path, otherwise the message ZooKeeper's
// IllegalArgumentException carries, e.g. `Invalid path string "/a//b" caused by empty node
// name specified @3`. Positions count UTF-16 units, as Java's do. For a sequential create
// ZooKeeper validates path + "1", so "/queue/" is fine there (and the message shows the "1").
std::optional<std::string> validatePath(std::string_view path, bool sequential = false);

// "/a/b" -> "/a", "/a" -> "/", "/" -> "" (the root has no parent).
std::string_view parentPath(std::string_view path);

// "/a/b" -> "b", "/a" -> "a", "/" -> "".
std::string_view baseName(std::string_view path);

}  // namespace gk::engine

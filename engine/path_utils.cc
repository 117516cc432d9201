// ZooKeeper's PathUtils.validatePath, checked on UTF-16 units so that positions in the
// messages and the rejected ranges (\ud800-\uf8ff catches every surrogate pair) match Java.
#include "engine/path_utils.h"

#include <vector>

namespace gk::engine {

namespace {

constexpr char16_t kReplacement = 0xFFFD;  // what Java decodes malformed UTF-8 to

// As `new String(bytes, UTF_8)` would see the path. Malformed input becomes U+FFFD, which
// validatePath rejects like Java does.
std::vector<char16_t> toUtf16(std::string_view s) {
  std::vector<char16_t> out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) {
      out.push_back(b0);
      ++i;
      continue;
    }
    int len = 0;
    char32_t cp = 0;
    char32_t min = 0;
    if ((b0 & 0xE0) == 0xC0) {
      len = 2, cp = b0 & 0x1F, min = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
      len = 3, cp = b0 & 0x0F, min = 0x800;
    } else if ((b0 & 0xF8) == 0xF0) {
      len = 4, cp = b0 & 0x07, min = 0x10000;
    }
    bool ok = len > 0 && i + len <= s.size();
    for (int k = 1; ok && k < len; ++k) {
      auto b = static_cast<unsigned char>(s[i + k]);
      ok = (b & 0xC0) == 0x80;
      cp = (cp << 6) | (b & 0x3F);
    }
    // Overlong forms, encoded surrogates and values past U+10FFFF are malformed in Java too.
    if (!ok || cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      out.push_back(kReplacement);
      ++i;
      continue;
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
    }
    i += len;
  }
  return out;
}

bool invalidChar(char16_t c) {
  return (c > 0x0000 && c <= 0x001F) || (c >= 0x007F && c <= 0x009F) ||
         (c >= 0xD800 && c <= 0xF8FF) || (c >= 0xFFF0);
}

std::optional<std::string> check(const std::string& path) {
  if (path.empty()) return "Path length must be > 0";
  std::vector<char16_t> chars = toUtf16(path);
  if (chars[0] != u'/') return "Path must start with / character";
  if (chars.size() == 1) return std::nullopt;  // the root
  if (chars.back() == u'/') return "Path must not end with / character";

  std::string reason;
  const size_t n = chars.size();
  char16_t lastc = u'/';
  for (size_t i = 1; i < n; lastc = chars[i], ++i) {
    char16_t c = chars[i];
    const bool atNameEnd = i + 1 == n || chars[i + 1] == u'/';
    if (c == 0) {
      reason = "null character not allowed @" + std::to_string(i);
    } else if (c == u'/' && lastc == u'/') {
      reason = "empty node name specified @" + std::to_string(i);
    } else if (c == u'.' && lastc == u'.') {
      // i >= 2 here: lastc starts as '/', so a '.' before i means i > 1.
      if (chars[i - 2] == u'/' && atNameEnd) {
        reason = "relative paths not allowed @" + std::to_string(i);
      }
    } else if (c == u'.') {
      if (chars[i - 1] == u'/' && atNameEnd) {
        reason = "relative paths not allowed @" + std::to_string(i);
      }
    } else if (invalidChar(c)) {
      reason = "invalid character @" + std::to_string(i);
    }
    if (!reason.empty()) break;
  }
  if (reason.empty()) return std::nullopt;
  return "Invalid path string \"" + path + "\" caused by " + reason;
}

// The common case, checked without allocating: printable ASCII, no empty or relative names.
bool plainValid(std::string_view path, bool sequential) {
  if (path.empty() || path[0] != '/') return false;
  if (path.size() == 1) return true;
  if (path.back() == '/' && !sequential) return false;
  size_t nameStart = 1;
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i < path.size()) {
      unsigned char c = static_cast<unsigned char>(path[i]);
      if (c < 0x20 || c > 0x7e) return false;
      if (c != '/') continue;
    }
    std::string_view name = path.substr(nameStart, i - nameStart);
    bool last = i == path.size();
    if (name.empty() && !(last && sequential)) return false;
    if (name == "." || name == "..") return false;
    nameStart = i + 1;
  }
  return true;
}

}  // namespace

std::optional<std::string> validatePath(std::string_view path, bool sequential) {
  if (plainValid(path, sequential)) return std::nullopt;
  std::string p(path);
  if (sequential) p += '1';  // the server appends a counter, so a trailing '/' is fine
  return check(p);
}

std::string_view parentPath(std::string_view path) {
  size_t slash = path.rfind('/');
  if (path.size() <= 1 || slash == std::string_view::npos) return {};
  if (slash == 0) return path.substr(0, 1);
  return path.substr(0, slash);
}

std::string_view baseName(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return path;
  return path.substr(slash + 1);
}

}  // namespace gk::engine

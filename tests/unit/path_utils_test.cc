// validatePath must say exactly what ZooKeeper's PathUtils.validatePath says (messages and
// UTF-16 positions); parentPath/baseName split validated paths.
#include <catch2/catch.hpp>

#include "engine/path_utils.h"

using gk::engine::baseName;
using gk::engine::parentPath;
using gk::engine::validatePath;

namespace {
std::string invalid(const std::string& path, const std::string& reason) {
  return "Invalid path string \"" + path + "\" caused by " + reason;
}
}  // namespace

TEST_CASE("valid paths pass", "[path]") {
  for (const char* p : {"/", "/a", "/a/b", "/zookeeper/quota", "/a.b", "/..a", "/a..", "/.a",
                        "/a/...", "/a b", "/ü", "/日本", "/a-b_c:d@e"}) {
    CAPTURE(p);
    CHECK_FALSE(validatePath(p));
  }
}

TEST_CASE("shape rules come first and carry no path", "[path]") {
  CHECK(validatePath("") == "Path length must be > 0");
  CHECK(validatePath("a") == "Path must start with / character");
  CHECK(validatePath("a/b") == "Path must start with / character");
  CHECK(validatePath("/a/") == "Path must not end with / character");
  CHECK(validatePath("//") == "Path must not end with / character");
}

TEST_CASE("empty node names", "[path]") {
  CHECK(validatePath("/a//b") == invalid("/a//b", "empty node name specified @3"));
  CHECK(validatePath("//a") == invalid("//a", "empty node name specified @1"));
}

TEST_CASE("relative paths", "[path]") {
  CHECK(validatePath("/.") == invalid("/.", "relative paths not allowed @1"));
  CHECK(validatePath("/..") == invalid("/..", "relative paths not allowed @2"));
  CHECK(validatePath("/a/./b") == invalid("/a/./b", "relative paths not allowed @3"));
  CHECK(validatePath("/a/../b") == invalid("/a/../b", "relative paths not allowed @4"));
  CHECK(validatePath("/a/..") == invalid("/a/..", "relative paths not allowed @4"));
}

TEST_CASE("null character", "[path]") {
  std::string p("/a\0b", 4);
  CHECK(validatePath(p) == invalid(p, "null character not allowed @2"));
}

TEST_CASE("control and reserved characters", "[path]") {
  CHECK(validatePath("/a\x01") == invalid("/a\x01", "invalid character @2"));
  CHECK(validatePath("/\x1f") == invalid("/\x1f", "invalid character @1"));
  CHECK(validatePath("/a\x7f") == invalid("/a\x7f", "invalid character @2"));
  CHECK(validatePath("/\xc2\x80") == invalid("/\xc2\x80", "invalid character @1"));  // U+0080
  CHECK(validatePath("/\xc2\x9f") == invalid("/\xc2\x9f", "invalid character @1"));  // U+009F
  CHECK_FALSE(validatePath("/\xc2\xa0"));                                              // U+00A0
  const std::string e000 = "/\xee\x80\x80", f8ff = "/\xef\xa3\xbf", f900 = "/\xef\xa4\x80";
  const std::string fff0 = "/\xef\xbf\xb0", ffff = "/\xef\xbf\xbf";
  CHECK(validatePath(e000) == invalid(e000, "invalid character @1"));
  CHECK(validatePath(f8ff) == invalid(f8ff, "invalid character @1"));
  CHECK_FALSE(validatePath(f900));
  CHECK(validatePath(fff0) == invalid(fff0, "invalid character @1"));
  CHECK(validatePath(ffff) == invalid(ffff, "invalid character @1"));
}

TEST_CASE("positions count UTF-16 units as Java does", "[path]") {
  // "ü" is one unit, so the bad character after it is at 2.
  CHECK(validatePath("/\xc3\xbc\x01") == invalid("/\xc3\xbc\x01", "invalid character @2"));
  // Characters outside the BMP are surrogate pairs, and \ud800.. is in the rejected range.
  const std::string emoji = "/a\xf0\x9f\x98\x80";
  CHECK(validatePath(emoji) == invalid(emoji, "invalid character @2"));
  // Malformed UTF-8 decodes to U+FFFD, which is rejected.
  CHECK(validatePath("/ab\xff") == invalid("/ab\xff", "invalid character @3"));
  CHECK(validatePath("/\xc0\xaf") == invalid("/\xc0\xaf", "invalid character @1"));  // overlong '/'
}

TEST_CASE("sequential creates validate path + \"1\"", "[path]") {
  CHECK_FALSE(validatePath("/queue/", true));
  CHECK_FALSE(validatePath("/", true));
  CHECK_FALSE(validatePath("/queue/item-", true));
  CHECK(validatePath("/a//", true) == invalid("/a//1", "empty node name specified @3"));
  CHECK(validatePath("queue", true) == "Path must start with / character");
  CHECK(validatePath("/a/", false) == "Path must not end with / character");
}

TEST_CASE("parentPath and baseName", "[path]") {
  CHECK(parentPath("/a/b/c") == "/a/b");
  CHECK(parentPath("/a") == "/");
  CHECK(parentPath("/") == "");
  CHECK(baseName("/a/b/c") == "c");
  CHECK(baseName("/a") == "a");
  CHECK(baseName("/") == "");
}

// TempDir: a fresh directory under /tmp for one test, removed with everything in it when the
// test ends. Tests use real LMDB files, so each needs a directory of its own.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>

namespace gk::testing {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/gk-test-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // A not-yet-existing subdirectory, for code that must create its own directory.
  std::string store() const { return path_ + "/store"; }

 private:
  std::string path_;
};

}  // namespace gk::testing

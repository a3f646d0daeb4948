// A unique temporary directory for one test, removed with everything in it
// when the object goes out of scope.
#pragma once

#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/TemporaryFile.h>

#include <string>

namespace sellertrust::testing {

class TempDir {
 public:
  TempDir() : path_(Poco::TemporaryFile::tempName()) { Poco::File(path_).createDirectories(); }
  ~TempDir() {
    try {
      Poco::File(path_).remove(true);
    } catch (...) {
      // Leaving a temporary directory behind must not fail a test.
    }
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Returns the path of `name` inside the directory.
  std::string file(const std::string& name) const { return Poco::Path(path_, name).toString(); }

 private:
  std::string path_;
};

}  // namespace sellertrust::testing

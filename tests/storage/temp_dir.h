// A unique temporary directory for one test, removed with everything in it
// when the object goes out of scope.
#pragma once

#include <Poco/File.h>
#include <Poco/Path.h>

#include <cstdlib>
#include <stdexcept>
#include <string>

namespace sellertrust::testing {

class TempDir {
 public:
  // mkdtemp, not a name made from the process id: a file left by a killed
  // process of the same id must not fail the test.
  TempDir() : path_(Poco::Path::temp() + "sellertrust-test-XXXXXX") {
    if (mkdtemp(path_.data()) == nullptr) {
      throw std::runtime_error("cannot create a temporary directory in " + Poco::Path::temp());
    }
  }
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

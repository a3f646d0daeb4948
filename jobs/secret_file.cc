#include "jobs/secret_file.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

#include "jobs/source/source.h"

namespace sellertrust {

std::string readSecretFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw SourceError("cannot read the secret file " + path + ": " + std::strerror(errno));
  std::string secret((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Files written by `echo` or editors end with a newline that is not part
  // of the secret.
  if (!secret.empty() && secret.back() == '\n') secret.pop_back();
  if (!secret.empty() && secret.back() == '\r') secret.pop_back();
  return secret;
}

std::string systemdCredentialPath(const std::string& name) {
  const char* directory = std::getenv("CREDENTIALS_DIRECTORY");
  if (directory == nullptr) return "";
  const std::string path = std::string(directory) + "/" + name;
  return std::ifstream(path).good() ? path : "";
}

}  // namespace sellertrust

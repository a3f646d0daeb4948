// Reads a secret (a password, a token) from a file, as systemd's
// LoadCredential= provides them: the content without one trailing newline.
// The content never appears in an error. Safe from any thread.
#pragma once

#include <string>

namespace sellertrust {

// Throws SourceError naming the file (not its content) if it cannot be read.
std::string readSecretFile(const std::string& path);

// "$CREDENTIALS_DIRECTORY/<name>" when systemd passed that credential, else "".
std::string systemdCredentialPath(const std::string& name);

}  // namespace sellertrust

// The OpenAPI 3.0 description of the HTTP API, docs/openapi.json, compiled in
// at build time so that GET /v1/openapi.json serves exactly the document in
// the repository and the binary needs no file at run time. Immutable; safe
// from any thread.
#pragma once

#include <string_view>

namespace sellertrust {

// The bytes of docs/openapi.json as it was when the daemon was built.
std::string_view openApiDocument();

}  // namespace sellertrust

// docs/openapi.json as a string literal, written into openapi_document.inc by
// daemon/CMakeLists.txt (which also checks that the file is valid JSON).
#include "daemon/openapi.h"

namespace sellertrust {

std::string_view openApiDocument() {
  static constexpr char kDocument[] =
#include "openapi_document.inc"
      ;
  return {kDocument, sizeof kDocument - 1};
}

}  // namespace sellertrust

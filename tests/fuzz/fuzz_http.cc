// libFuzzer target: bytes as they would arrive on one connection, framed by
// the server's own frameRequest, answered by the real API handler on the
// fixture snapshot and rendered by renderReply — the router, query parsing,
// If-None-Match, the token check and every JSON escape of echoed client
// text. Invariants: no crash or sanitizer report, every status is a real
// one, every answer starts with an HTTP/1.1 status line, and every JSON
// body parses.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <Poco/JSON/Parser.h>

#include "daemon/api.h"
#include "daemon/http_server.h"
#include "tests/api/api_snapshot.h"

namespace {

using namespace sellertrust;  // NOLINT(google-build-using-namespace)

struct Fixture {
  Fixture() {
    snapshots.publish(api_fixture::makeSnapshot());
    ApiContext context;
    context.snapshots = &snapshots;
    context.now = [] { return api_fixture::kComputedAt + 60; };
    context.status = [] { return DaemonStatus(); };
    ApiOptions options;
    options.operatorToken = "fuzz-token";
    handler = makeApiHandler(context, options);
  }
  SnapshotHolder snapshots;
  HttpHandler handler;
  HttpLimits limits;
};

void check(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "invariant broken: %s\n", what);
    std::abort();
  }
}

}  // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture fixture;
  std::string in(reinterpret_cast<const char*>(data), size);
  for (int requests = 0; requests < 16; ++requests) {
    const std::size_t start = in.find_first_not_of("\r\n");
    in.erase(0, start == std::string::npos ? in.size() : start);
    std::size_t searched = 0;
    RequestFrame frame = frameRequest(in, fixture.limits, &searched);
    if (frame.kind == RequestFrame::Kind::kIncomplete) break;
    const bool error = frame.kind == RequestFrame::Kind::kError;
    const HttpReply reply =
        error ? problemReply(frame.status, frame.detail) : fixture.handler(frame.request);
    check(reply.status >= 100 && reply.status <= 599, "status in 100-599");
    const std::string bytes = renderReply(reply, false, !error);
    check(bytes.rfind("HTTP/1.1 ", 0) == 0, "an HTTP/1.1 status line");
    if (reply.contentType.find("json") != std::string::npos) {
      try {
        Poco::JSON::Parser().parse(reply.body);
      } catch (const Poco::Exception&) {
        check(false, "a JSON body parses");
      }
    }
    if (error) break;
    check(frame.length > 0 && frame.length <= in.size(), "a frame within the input");
    in.erase(0, frame.length);
  }
  return 0;
}

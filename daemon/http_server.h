// The HTTP/1.1 server in front of the API: a few event loops (epoll) that
// own every connection, instead of Poco's thread per connection. A client
// that idles, keeps a connection alive or trickles bytes costs a buffer, not
// a worker, so a new connection is answered at once however many others are
// open. Every request has a deadline for the whole of it (head, body and
// answer), idle keep-alive connections are shed first when the server is
// full, a body sent with any method is drained or the connection closed, and
// every answer — the server's own errors included — is written here with a
// real HTTP/1.1 status line. Poco parses the request head and writes the
// response head; the handler computes answers from memory and runs on the
// loop's thread, so it must be fast and thread-safe (several loops call it).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/ServerSocket.h>

namespace sellertrust {

class Telemetry;

// One answer, before it is written.
struct HttpReply {
  int status = 200;
  std::string contentType;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  void header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
};

// An RFC 9457 problem (application/problem+json, not cached); `detail` says
// exactly what was wrong.
HttpReply problemReply(int status, const std::string& detail);

// Called for every complete, well-formed request, from any loop thread.
using HttpHandler = std::function<HttpReply(const Poco::Net::HTTPRequest&)>;

struct HttpLimits {
  int threads = 2;            // event loops
  int maxConnections = 4096;  // open at once, over all loops
  // A request must arrive whole, and its answer be taken by the client,
  // within this time; a client that trickles gets a 408 and is closed.
  std::chrono::milliseconds requestTimeout{10000};
  std::chrono::milliseconds keepAliveTimeout{5000};  // idle between requests
  int keepAliveRequests = 100;                       // requests per connection
  std::size_t maxHeadBytes = 16384;                  // request line and headers
  std::size_t maxBodyBytes = 65536;                  // drained and ignored
};

// How the bytes at the start of a connection's input frame one request.
// Pure, so that it can be tested and fuzzed without sockets.
struct RequestFrame {
  enum class Kind { kIncomplete, kRequest, kError };
  Kind kind = Kind::kIncomplete;
  std::size_t length = 0;          // kRequest: the bytes of head and body
  Poco::Net::HTTPRequest request;  // kRequest: the parsed head
  int status = 0;                  // kError: the answer's status
  std::string detail;              // kError: what was wrong
};

// Frames the request at the start of `in` (no leading empty lines).
// `searched`: bytes already known not to end the head, updated; 0 for a new
// request.
RequestFrame frameRequest(const std::string& in, const HttpLimits& limits, std::size_t* searched);

// The bytes of an answer: always an HTTP/1.1 status line, whatever the
// client wrote; no body for a HEAD (`headOnly`), a 204 or a 304.
std::string renderReply(const HttpReply& reply, bool headOnly, bool keepAlive);

class HttpServer {
 public:
  // Serves `socket` (bound and listening) until stop() or destruction.
  // `telemetry` may be null.
  HttpServer(const Poco::Net::ServerSocket& socket, HttpHandler handler, const HttpLimits& limits,
             Telemetry* telemetry);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Closes every connection and returns once no loop runs.
  void stop();
  int port() const;

 private:
  class Loop;
  Poco::Net::ServerSocket socket_;
  HttpHandler handler_;
  std::atomic<int> open_{0};  // connections, over all loops
  std::vector<std::unique_ptr<Loop>> loops_;
  std::vector<std::thread> threads_;
};

}  // namespace sellertrust

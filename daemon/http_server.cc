// The event loops of the HTTP server (see http_server.h). Each loop owns its
// connections outright: a connection is only ever touched by the thread of
// the loop that accepted it, so nothing here is locked but the count of open
// connections, which all loops share for the limit.
#include "daemon/http_server.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/String.h>
#include <Poco/Timestamp.h>

#include "daemon/telemetry.h"
#include "jobs/report.h"

namespace sellertrust {

HttpReply problemReply(int status, const std::string& detail) {
  using Poco::Net::HTTPResponse;
  HttpReply r;
  r.status = status;
  r.contentType = "application/problem+json";
  r.body =
      "{\"type\":\"about:blank\",\"title\":" +
      jsonString(HTTPResponse::getReasonForStatus(static_cast<HTTPResponse::HTTPStatus>(status))) +
      ",\"status\":" + std::to_string(status) + ",\"detail\":" + jsonString(detail) + "}";
  r.header("Cache-Control", "no-store");
  return r;
}

namespace {

using Clock = std::chrono::steady_clock;
using Poco::Net::HTTPRequest;
using Poco::Net::HTTPResponse;

// How often deadlines are checked: a trickling client is cut off at most
// this late.
constexpr std::chrono::milliseconds kTick{100};
// After an answer that closes the connection, what the client still sends
// is read and dropped for this long, so that closing does not reset the
// connection before the client has read the answer.
constexpr std::chrono::milliseconds kLinger{1000};
constexpr std::size_t kReadChunk = 16384;
constexpr int kMaxEvents = 256;
// The telemetry route of answers to requests that never reached the API.
constexpr const char* kInvalidRoute = "invalid";

Poco::Logger& logger() { return Poco::Logger::get("sellertrust.http"); }

std::string errnoText(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

// The length of the request head at the start of `in` (through the empty
// line that ends it, CRLF or bare LF), or 0 while it is incomplete. `from`:
// bytes already searched.
std::size_t headLength(const std::string& in, std::size_t from) {
  for (std::size_t i = from == 0 ? 0 : from - 1; i < in.size(); ++i) {
    if (in[i] != '\n') continue;
    if (i + 1 < in.size() && in[i + 1] == '\n') return i + 2;
    if (i + 2 < in.size() && in[i + 1] == '\r' && in[i + 2] == '\n') return i + 3;
  }
  return 0;
}

bool allDigits(const std::string& s) {
  return !s.empty() && s.size() <= 18 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

enum class Phase {
  kIdle,       // waiting for a request (a new or kept-alive connection)
  kReceiving,  // part of a request has arrived
  kSending,    // an answer is being written
  kLingering,  // answered and shut down; dropping what still arrives
  kClosed,     // to be dropped once the current event is handled
};

struct Connection {
  explicit Connection(int socket) : fd(socket) {}
  ~Connection() { ::close(fd); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  const int fd;
  std::string peer;
  Phase phase = Phase::kIdle;
  Clock::time_point deadline;  // of the current phase
  Clock::time_point requestStart;
  std::string in;
  std::size_t searched = 0;  // bytes of `in` known not to end the head
  std::string out;
  std::size_t sent = 0;
  int served = 0;
  bool closeAfterSend = false;
  bool peerDone = false;         // the client shut its side: answer what came, then close
  const char* closeReason = "";  // the telemetry reason, once kClosed
};

}  // namespace

RequestFrame frameRequest(const std::string& in, const HttpLimits& limits, std::size_t* searched) {
  RequestFrame frame;
  auto error = [&frame](int status, std::string detail) {
    frame.kind = RequestFrame::Kind::kError;
    frame.status = status;
    frame.detail = std::move(detail);
    return std::move(frame);
  };
  const std::size_t head = headLength(in, *searched);
  if (head == 0 || head > limits.maxHeadBytes) {
    *searched = in.size();
    if (head == 0 && in.size() <= limits.maxHeadBytes) return frame;  // wait for more
    const std::size_t lineEnd = in.find('\n');
    const std::string limit = std::to_string(limits.maxHeadBytes) + " bytes";
    if (lineEnd == std::string::npos || lineEnd > limits.maxHeadBytes) {
      return error(414, "the request line is longer than " + limit);
    }
    return error(431, "the request head is longer than " + limit);
  }
  try {
    std::istringstream stream(in.substr(0, head));
    frame.request.read(stream);
  } catch (const Poco::Exception& e) {
    return error(400, "the request head is malformed: " + e.message());
  }
  const std::string& version = frame.request.getVersion();
  if (version != HTTPRequest::HTTP_1_1 && version != HTTPRequest::HTTP_1_0) {
    if (version.rfind("HTTP/", 0) == 0) {
      return error(505, "this server speaks HTTP/1.0 and HTTP/1.1 only");
    }
    return error(400, "the request line does not end with an HTTP version");
  }
  if (frame.request.has(HTTPRequest::TRANSFER_ENCODING)) {
    return error(411, "a request body needs a Content-Length; Transfer-Encoding is not accepted");
  }
  std::string length;
  for (const auto& [name, value] : frame.request) {
    if (Poco::icompare(name, HTTPRequest::CONTENT_LENGTH) != 0) continue;
    const std::string v = Poco::trim(value);
    if (!allDigits(v) || (!length.empty() && v != length)) {
      return error(400, "the Content-Length header is not one non-negative integer");
    }
    length = v;
  }
  std::size_t bodyLength = 0;
  if (!length.empty()) {
    const unsigned long long declared = std::stoull(length);
    if (declared > limits.maxBodyBytes) {
      return error(413, "a request body may have at most " + std::to_string(limits.maxBodyBytes) +
                            " bytes; this API reads none");
    }
    bodyLength = static_cast<std::size_t>(declared);
  }
  if (in.size() < head + bodyLength) return frame;  // the body is still arriving
  frame.kind = RequestFrame::Kind::kRequest;
  frame.length = head + bodyLength;
  return frame;
}

std::string renderReply(const HttpReply& reply, bool headOnly, bool keepAlive) {
  HTTPResponse response;
  response.setVersion(HTTPResponse::HTTP_1_1);  // Poco's default is 1.0
  response.setStatusAndReason(static_cast<HTTPResponse::HTTPStatus>(reply.status));
  response.setDate(Poco::Timestamp());
  for (const auto& [name, value] : reply.headers) response.set(name, value);
  // RFC 9110 §15.3.5, §15.4.5: a 204 or 304 has no content.
  const bool noContent = reply.status == 204 || reply.status == 304;
  if (!noContent) {
    response.setContentType(reply.contentType);
    response.setContentLength(static_cast<std::streamsize>(reply.body.size()));
  }
  response.setKeepAlive(keepAlive);
  std::ostringstream head;
  response.write(head);
  std::string out = head.str();
  if (!noContent && !headOnly) out += reply.body;
  return out;
}

class HttpServer::Loop {
 public:
  Loop(int listenFd, const HttpHandler& handler, const HttpLimits& limits, Telemetry* telemetry,
       std::atomic<int>& open)
      : listenFd_(listenFd),
        handler_(handler),
        limits_(limits),
        telemetry_(telemetry),
        open_(open) {
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    wake_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (epoll_ < 0 || wake_ < 0) throw std::runtime_error(errnoText("HTTP event loop"));
    watch(wake_, EPOLLIN);
    watchListener();
  }
  ~Loop() {
    connections_.clear();
    ::close(wake_);
    ::close(epoll_);
  }
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  void run();
  void stop() {
    stopping_ = true;
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto n = ::write(wake_, &one, sizeof one);
  }

 private:
  void watch(int fd, std::uint32_t events, int op = EPOLL_CTL_ADD) const {
    epoll_event ev{};
    ev.events = events;
    ev.data.fd = fd;
    if (::epoll_ctl(epoll_, op, fd, &ev) != 0 && op != EPOLL_CTL_DEL) {
      throw std::runtime_error(errnoText("epoll_ctl"));
    }
  }
  // Every loop waits on the listening socket; EPOLLEXCLUSIVE wakes one.
  void watchListener() {
    watch(listenFd_, EPOLLIN | EPOLLEXCLUSIVE);
    listening_ = true;
  }
  void acceptAll(Clock::time_point now);
  bool shedIdle();
  void onEvent(Connection& c, std::uint32_t events, Clock::time_point now);
  void receive(Connection& c);
  void process(Connection& c, Clock::time_point now);
  void answer(Connection& c, const HTTPRequest& request, Clock::time_point now);
  void fail(Connection& c, int status, const std::string& detail, Clock::time_point now);
  void queue(Connection& c, const HttpReply& reply, bool headOnly, bool keepAlive,
             Clock::time_point now);
  void flush(Connection& c, Clock::time_point now);
  void sweep(Clock::time_point now);
  // Marks `c` closed: it is dropped once the event at hand is handled, so
  // that no caller holds a dangling reference.
  static void close(Connection& c, const char* reason) {
    c.phase = Phase::kClosed;
    c.closeReason = reason;
  }
  void dropIfClosed(int fd);

  const int listenFd_;
  const HttpHandler& handler_;
  const HttpLimits limits_;
  Telemetry* const telemetry_;
  std::atomic<int>& open_;
  int epoll_ = -1;
  int wake_ = -1;
  bool listening_ = false;
  std::atomic<bool> stopping_{false};
  std::unordered_map<int, std::unique_ptr<Connection>> connections_;
};

void HttpServer::Loop::run() {
  std::array<epoll_event, kMaxEvents> events{};
  Clock::time_point nextSweep = Clock::now() + kTick;
  while (!stopping_) {
    const int n = ::epoll_wait(epoll_, events.data(), kMaxEvents, static_cast<int>(kTick.count()));
    if (n < 0 && errno != EINTR) {
      logger().critical(errnoText("epoll_wait"));
      return;
    }
    const Clock::time_point now = Clock::now();
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == wake_) continue;
      if (fd == listenFd_) {
        try {
          acceptAll(now);
        } catch (const std::exception& e) {
          logger().error("cannot take a new connection: %s", std::string(e.what()));
        }
        continue;
      }
      const auto it = connections_.find(fd);
      if (it == connections_.end()) continue;
      try {
        onEvent(*it->second, events[i].events, now);
      } catch (const std::exception& e) {
        // epoll_ctl out of memory, say: this connection is lost, not the loop.
        logger().error("%s: %s", it->second->peer, std::string(e.what()));
        close(*it->second, "error");
      }
      dropIfClosed(fd);
    }
    if (now >= nextSweep) {
      try {
        sweep(now);
      } catch (const std::exception& e) {
        logger().error("HTTP deadlines: %s", std::string(e.what()));  // the next tick retries
      }
      nextSweep = now + kTick;
    }
  }
}

void HttpServer::Loop::acceptAll(Clock::time_point now) {
  for (;;) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    const int fd = ::accept4(listenFd_, reinterpret_cast<sockaddr*>(&address), &length,
                             SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNABORTED) {
        return;
      }
      // Out of file descriptors: stop accepting until the next sweep rather
      // than spin on a listener that stays readable.
      logger().error(errnoText("cannot accept a connection"));
      watch(listenFd_, 0, EPOLL_CTL_DEL);
      listening_ = false;
      return;
    }
    auto c = std::make_unique<Connection>(fd);
    // Answers are written whole: Nagle's algorithm would only hold back
    // the second of two pipelined answers until the first is acknowledged.
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    try {
      c->peer =
          Poco::Net::SocketAddress(reinterpret_cast<const sockaddr*>(&address), length).toString();
    } catch (const Poco::Exception&) {
      c->peer = "(unknown peer)";
    }
    if (open_.load() >= limits_.maxConnections && !shedIdle()) {
      // Full of busy connections: say so rather than leave the client
      // hanging. One non-blocking write; a client that cannot take it
      // loses nothing it was promised.
      const HttpReply busy =
          problemReply(503, "the server has " + std::to_string(limits_.maxConnections) +
                                " connections open; retry shortly");
      const std::string bytes = renderReply(busy, false, false);
      [[maybe_unused]] const auto n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (telemetry_ != nullptr) {
        telemetry_->recordHttp(kInvalidRoute, 503, 0);
        telemetry_->recordHttpConnectionOpened();
        telemetry_->recordHttpConnectionClosed("over_capacity");
      }
      continue;
    }
    watch(fd, EPOLLIN);  // first: if it throws, `c` closes the socket
    ++open_;
    if (telemetry_ != nullptr) telemetry_->recordHttpConnectionOpened();
    c->deadline = now + limits_.requestTimeout;
    connections_.emplace(fd, std::move(c));
  }
}

// Closes this loop's longest idle keep-alive connection, if it has one. A
// connection that has not sent a request yet is left to its deadline: it
// may be a client about to, and shedding it would reward opening more.
bool HttpServer::Loop::shedIdle() {
  const Connection* oldest = nullptr;
  for (const auto& [fd, c] : connections_) {
    if (c->phase == Phase::kIdle && c->served > 0 &&
        (oldest == nullptr || c->deadline < oldest->deadline)) {
      oldest = c.get();
    }
  }
  if (oldest == nullptr) return false;
  const int fd = oldest->fd;
  close(*connections_.at(fd), "shed");
  dropIfClosed(fd);
  return true;
}

void HttpServer::Loop::onEvent(Connection& c, std::uint32_t events, Clock::time_point now) {
  if ((events & EPOLLERR) != 0) {
    close(c, "error");
    return;
  }
  if (c.phase == Phase::kSending) {
    flush(c, now);
  } else {
    receive(c);
    if (c.phase == Phase::kLingering) c.in.clear();
  }
  process(c, now);  // pipelined requests, or what just arrived
}

// Reads what has arrived, up to what is needed to judge one request.
void HttpServer::Loop::receive(Connection& c) {
  const std::size_t cap = limits_.maxHeadBytes + limits_.maxBodyBytes + 1;
  char buffer[kReadChunk];
  for (;;) {
    const ssize_t n = ::recv(c.fd, buffer, sizeof buffer, 0);
    if (n > 0) {
      if (c.phase != Phase::kLingering) c.in.append(buffer, static_cast<std::size_t>(n));
      if (c.in.size() >= cap) return;
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n < 0 && errno == EINTR) continue;
    if (n == 0 && c.phase != Phase::kLingering) {
      // A client may shut its side after its request (a half close) and
      // still wait for the answer.
      c.peerDone = true;
      return;
    }
    close(c, c.phase == Phase::kLingering ? "done" : "client_closed");
    return;
  }
}

void HttpServer::Loop::process(Connection& c, Clock::time_point now) {
  while (c.phase == Phase::kIdle || c.phase == Phase::kReceiving) {
    if (c.phase == Phase::kIdle) {
      // RFC 9112 §2.2: empty lines before a request are ignored.
      const std::size_t start = c.in.find_first_not_of("\r\n");
      c.in.erase(0, start == std::string::npos ? c.in.size() : start);
      if (c.in.empty()) break;
      c.phase = Phase::kReceiving;
      c.requestStart = now;
      c.deadline = now + limits_.requestTimeout;
      c.searched = 0;
    }
    RequestFrame frame = frameRequest(c.in, limits_, &c.searched);
    if (frame.kind == RequestFrame::Kind::kIncomplete) break;
    if (frame.kind == RequestFrame::Kind::kError) {
      fail(c, frame.status, frame.detail, now);
      return;
    }
    // The body means nothing to a read-only API: it is dropped, so that it
    // cannot be taken for the next request on this connection.
    c.in.erase(0, frame.length);
    answer(c, frame.request, now);
  }
  // Waiting for more from a client that will send no more: nothing to answer.
  if (c.peerDone && (c.phase == Phase::kIdle || c.phase == Phase::kReceiving)) {
    close(c, "client_closed");
  }
}

void HttpServer::Loop::answer(Connection& c, const HTTPRequest& request, Clock::time_point now) {
  HttpReply reply;
  try {
    reply = handler_(request);
  } catch (const std::exception& e) {
    logger().error("%s %s failed: %s", request.getMethod(), request.getURI(),
                   std::string(e.what()));
    reply = problemReply(500, "internal error while answering this request");
  }
  ++c.served;
  const bool keepAlive =
      request.getKeepAlive() && c.served < limits_.keepAliveRequests && !c.peerDone && !stopping_;
  queue(c, reply, request.getMethod() == HTTPRequest::HTTP_HEAD, keepAlive, now);
}

// Answers a request that cannot be taken, and closes the connection: what
// follows on it cannot be trusted to start a request.
void HttpServer::Loop::fail(Connection& c, int status, const std::string& detail,
                            Clock::time_point now) {
  logger().information("%s: %d %s", c.peer, status, detail);
  if (telemetry_ != nullptr) {
    const std::chrono::duration<double> seconds = now - c.requestStart;
    telemetry_->recordHttp(kInvalidRoute, status, seconds.count());
  }
  queue(c, problemReply(status, detail), false, false, now);
}

void HttpServer::Loop::queue(Connection& c, const HttpReply& reply, bool headOnly, bool keepAlive,
                             Clock::time_point now) {
  c.out = renderReply(reply, headOnly, keepAlive);
  c.sent = 0;
  c.closeAfterSend = !keepAlive;
  c.phase = Phase::kSending;
  c.deadline = now + limits_.requestTimeout;
  flush(c, now);
}

void HttpServer::Loop::flush(Connection& c, Clock::time_point now) {
  while (c.sent < c.out.size()) {
    const ssize_t n = ::send(c.fd, c.out.data() + c.sent, c.out.size() - c.sent, MSG_NOSIGNAL);
    if (n >= 0) {
      c.sent += static_cast<std::size_t>(n);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      watch(c.fd, EPOLLOUT, EPOLL_CTL_MOD);
      return;
    }
    close(c, "client_closed");
    return;
  }
  c.out.clear();
  c.out.shrink_to_fit();
  if (c.closeAfterSend) {
    ::shutdown(c.fd, SHUT_WR);
    c.phase = Phase::kLingering;
    c.deadline = now + kLinger;
    c.in.clear();
  } else {
    c.phase = Phase::kIdle;
    c.deadline = now + limits_.keepAliveTimeout;
  }
  watch(c.fd, EPOLLIN, EPOLL_CTL_MOD);
}

void HttpServer::Loop::sweep(Clock::time_point now) {
  if (!listening_) watchListener();
  std::vector<int> expired;
  for (const auto& [fd, c] : connections_) {
    if (now >= c->deadline) expired.push_back(fd);
  }
  for (const int fd : expired) {
    Connection& c = *connections_.at(fd);
    switch (c.phase) {
      case Phase::kIdle:
        close(c, c.served == 0 ? "request_timeout" : "idle_timeout");
        break;
      case Phase::kReceiving:
        fail(c, 408,
             "the request did not arrive whole within " +
                 std::to_string(limits_.requestTimeout.count()) + " ms",
             now);
        break;
      case Phase::kSending:
        close(c, "send_timeout");
        break;
      case Phase::kLingering:
        close(c, "done");
        break;
      case Phase::kClosed:
        break;
    }
    dropIfClosed(fd);
  }
}

void HttpServer::Loop::dropIfClosed(int fd) {
  const auto it = connections_.find(fd);
  if (it == connections_.end() || it->second->phase != Phase::kClosed) return;
  const char* reason = it->second->closeReason;
  watch(fd, 0, EPOLL_CTL_DEL);
  connections_.erase(it);
  --open_;
  if (telemetry_ != nullptr) telemetry_->recordHttpConnectionClosed(reason);
}

HttpServer::HttpServer(const Poco::Net::ServerSocket& socket, HttpHandler handler,
                       const HttpLimits& limits, Telemetry* telemetry)
    : socket_(socket), handler_(std::move(handler)) {
  socket_.setBlocking(false);
  const int fd = socket_.impl()->sockfd();
  for (int i = 0; i < std::max(1, limits.threads); ++i) {
    loops_.push_back(std::make_unique<Loop>(fd, handler_, limits, telemetry, open_));
  }
  for (auto& loop : loops_) threads_.emplace_back([l = loop.get()] { l->run(); });
}

HttpServer::~HttpServer() { stop(); }

void HttpServer::stop() {
  for (auto& loop : loops_) loop->stop();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  loops_.clear();
}

int HttpServer::port() const { return socket_.address().port(); }

}  // namespace sellertrust

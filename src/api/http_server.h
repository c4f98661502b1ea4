// The HTTP/1.1 server under `continuum serve`: Boost.Beast, asynchronous I/O
// on a few threads, handlers on a pool of worker threads (a handler may block
// on the database, e.g. waiting for its write's group commit, without
// stalling other connections).
//
//   api::ServerOptions o{.host = "127.0.0.1", .port = 8080};
//   auto server = api::HttpServer::Listen(o, [&](api::HttpRequest& r, api::HttpServer::Responder respond) {
//     api.Handle(r, std::move(respond));
//   });
//   if (!server.ok()) return server.status();
//   (*server)->Run();   // until Stop(): SIGTERM/SIGINT call it when handle_signals is set
//
// Limits: the request line and headers together (max_header_bytes), the body
// (max_body_bytes) and the time to receive a whole request
// (request_timeout) are bounded; a request over a size limit gets a
// problem+json response (413, 431) or, if malformed, 400, and the connection
// closes; one not received in time is closed without a response.
//
// Message framing (RFC 9112 §6): a request whose Transfer-Encoding is
// anything but one header saying exactly "chunked" (another coding, a list,
// two headers, or any in HTTP/1.0), or that has both Transfer-Encoding and
// Content-Length, gets 400 and the connection is closed without reading
// further: whatever follows could otherwise be taken for a second request.
//
// Connection limits. At most max_connections are open at once, lowered if
// need be to the process's open-file limit less a reserve for the database
// and files (see max_connections()); at most max_connections_per_address
// come from one remote address (0: no such limit). A new connection over its
// address's limit is closed at once. At the total limit the server makes
// room by closing the connection idle longest — one waiting for a request of
// which nothing has arrived, since it opened or between keep-alive requests,
// as nginx reuses idle keep-alive connections — and only when none is idle
// is the new connection closed at once. So idle connections, which cost a
// client nothing to hold, cannot keep out a health check: GET /healthz on a
// fresh connection from an address under its limit is served however many
// idle connections are open. A connection whose request is arriving or
// running is never closed to make room (request_timeout bounds how long a
// slow one keeps its place). When accept() fails for want of descriptors
// (EMFILE, ENFILE) or memory, the server closes its longest-idle connection
// and waits 100 ms before accepting again, instead of spinning. Behind a
// reverse proxy every connection comes from the proxy's address: raise
// max_connections_per_address, or set it to 0.
//
// Graceful stop: Stop() closes the listening socket, lets every request
// already received run to completion and send its response, closes idle
// connections, and returns from Run() once no handler is running. An
// acknowledged write is therefore never lost to a shutdown.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace continuum::api {

struct HttpRequest {
  std::string method;  // "GET", "POST", …
  std::string target;  // as received: path and query
  std::string authorization;
  std::string content_type;
  std::string cookie;       // the Cookie header, as sent
  std::string origin;       // the Origin header ("" if none)
  std::string host;         // the Host header
  std::string csrf_token;   // X-CSRF-Token
  std::string request_id;  // X-Request-Id if the client sent a sane one, else generated
  std::string remote_ip;
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0: any free port (see HttpServer::port)
  int io_threads = 1;
  int worker_threads = 64;
  size_t max_body_bytes = 1 << 20;
  size_t max_header_bytes = 16 << 10;
  std::chrono::milliseconds request_timeout{30000};
  std::chrono::milliseconds shutdown_grace{30000};  // longest wait for running handlers on stop
  bool handle_signals = true;                       // SIGINT/SIGTERM stop gracefully
  size_t max_connections = 10000;                   // open at once (see "Connection limits")
  size_t max_connections_per_address = 1000;        // from one remote address; 0: no limit
};

// Connection-level counters, for /metrics.
struct ServerCounters {
  uint64_t connections_accepted = 0;
  uint64_t connections_open = 0;
  uint64_t connections_refused = 0;      // closed at once: over a connection limit
  uint64_t connections_closed_idle = 0;  // idle, closed to make room for a new one
  uint64_t accept_failures = 0;          // accept() failed (e.g. out of descriptors)
  uint64_t requests_rejected = 0;        // malformed, over a limit or timed out before a handler ran
  uint64_t handlers_running = 0;
};

class HttpServer {
 public:
  // Sends the response; callable from any thread, exactly once, and not
  // kept after the server is destroyed (it holds the connection).
  using Responder = std::function<void(HttpResponse)>;
  // Runs on a worker thread and answers through the Responder, at once or
  // later; the request lives until it has answered. Must not throw after
  // answering (an exception before it becomes a 500).
  using Handler = std::function<void(HttpRequest&, Responder)>;

  // Binds and listens; kUnavailable if the address cannot be bound.
  static Result<std::unique_ptr<HttpServer>> Listen(const ServerOptions& options, Handler handler);
  ~HttpServer();

  uint16_t port() const;
  // The connection limit in force: ServerOptions::max_connections, or less
  // if the open-file limit (RLIMIT_NOFILE) leaves room for fewer.
  size_t max_connections() const;
  // Serves until Stop(); then waits for running handlers and returns.
  void Run();
  // Thread-safe; may be called from a handler or a signal.
  void Stop();
  ServerCounters Counters() const;

  struct Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Parses one request from raw bytes with the same parser and limits the
// server uses (for tests and fuzzing). kInvalidArgument for a malformed,
// incomplete or over-limit request, with the reason.
Result<HttpRequest> ParseHttpRequest(std::string_view bytes, const ServerOptions& options);

// An RFC 9457 problem: {"type","title","status","detail",…}. `errors` name
// the fields at fault ({"field": "fields.review_date", "message": "…"}).
HttpResponse Problem(int status, std::string_view title, std::string_view detail,
                     const std::vector<std::pair<std::string, std::string>>& errors = {});

}  // namespace continuum::api

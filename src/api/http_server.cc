// <utility> before Asio: Boost 1.74's awaitable.hpp needs it under GCC 12 in C++20.
#include "api/http_server.h"

#include <sodium.h>
#include <sys/resource.h>

#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <list>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>

namespace continuum::api {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

HttpResponse Problem(int status, std::string_view title, std::string_view detail,
                     const std::vector<std::pair<std::string, std::string>>& errors) {
  nlohmann::ordered_json j;
  j["type"] = "about:blank";
  j["title"] = title;
  j["status"] = status;
  j["detail"] = detail;
  if (!errors.empty()) {
    auto& arr = j["errors"] = nlohmann::ordered_json::array();
    for (const auto& [field, message] : errors) arr.push_back({{"field", field}, {"message", message}});
  }
  HttpResponse r;
  r.status = status;
  r.content_type = "application/problem+json";
  r.body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

namespace {

bool SaneRequestId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
  return true;
}

std::string NewRequestId() {
  unsigned char b[8];
  randombytes_buf(b, sizeof b);
  char hex[17];
  sodium_bin2hex(hex, sizeof hex, b, sizeof b);
  return hex;
}

class Connection;

HttpRequest FromMessage(http::request<http::string_body>& msg) {
  HttpRequest req;
  req.method = std::string(msg.method_string());
  req.target = std::string(msg.target());
  req.authorization = std::string(msg[http::field::authorization]);
  req.content_type = std::string(msg[http::field::content_type]);
  req.cookie = std::string(msg[http::field::cookie]);
  req.origin = std::string(msg[http::field::origin]);
  req.host = std::string(msg[http::field::host]);
  req.csrf_token = std::string(msg["X-CSRF-Token"]);
  auto rid_field = msg["X-Request-Id"];
  std::string_view rid(rid_field.data(), rid_field.size());
  req.request_id = SaneRequestId(rid) ? std::string(rid) : NewRequestId();
  req.body = std::move(msg.body());
  return req;
}

bool IsOws(char c) { return c == ' ' || c == '\t'; }

// RFC 9112 §6.1, §6.3: the body's length must be certain. Returns why a
// request's framing is refused, or "" if it is sound. (Beast accepts a
// Transfer-Encoding whose last coding is not "chunked" as a request without
// a body, and Content-Length after such a Transfer-Encoding.)
std::string FramingProblem(const http::request_parser<http::string_body>& parser) {
  const auto& msg = parser.get();
  int codings = 0, lengths = 0;
  std::string_view coding;
  for (const auto& field : msg) {
    if (field.name() == http::field::transfer_encoding) {
      ++codings;
      coding = std::string_view(field.value().data(), field.value().size());
    } else if (field.name() == http::field::content_length) {
      ++lengths;
    }
  }
  if (codings == 0) return "";
  if (codings > 1) return "the request has more than one Transfer-Encoding header";
  if (msg.version() < 11) return "an HTTP/1.0 request cannot use Transfer-Encoding";
  while (!coding.empty() && IsOws(coding.front())) coding.remove_prefix(1);
  while (!coding.empty() && IsOws(coding.back())) coding.remove_suffix(1);
  if (!beast::iequals(beast::string_view(coding.data(), coding.size()), "chunked")) {
    return "Transfer-Encoding must be exactly \"chunked\" (no other coding, and no list of codings)";
  }
  if (lengths > 0) return "the request has both Transfer-Encoding and Content-Length";
  return "";
}

void SetLimits(http::request_parser<http::string_body>& parser, const ServerOptions& options) {
  parser.body_limit(options.max_body_bytes);
  parser.header_limit(static_cast<uint32_t>(options.max_header_bytes));
}

}  // namespace

Result<HttpRequest> ParseHttpRequest(std::string_view bytes, const ServerOptions& options) {
  http::request_parser<http::string_body> parser;
  SetLimits(parser, options);
  beast::error_code ec;
  // The header first (put stops there unless eager), as the server reads it.
  size_t used = parser.put(net::buffer(bytes.data(), bytes.size()), ec);
  if (ec == http::error::need_more) return InvalidArgument("incomplete request");
  if (ec) return InvalidArgument("malformed request: " + ec.message());
  if (!parser.is_header_done()) return InvalidArgument("incomplete request");
  if (std::string problem = FramingProblem(parser); !problem.empty()) {
    return InvalidArgument("malformed request: " + problem);
  }
  parser.eager(true);
  while (!parser.is_done() && used < bytes.size()) {
    size_t n = parser.put(net::buffer(bytes.data() + used, bytes.size() - used), ec);
    if (ec == http::error::need_more) return InvalidArgument("incomplete request");
    if (ec) return InvalidArgument("malformed request: " + ec.message());
    if (n == 0) break;
    used += n;
  }
  if (!parser.is_done()) return InvalidArgument("incomplete request");
  return FromMessage(parser.get());
}

// Member order matters: members are destroyed in reverse, and handlers still
// queued on `workers` or `ioc` are destroyed with them, each releasing its
// Connection, whose destructor updates the bookkeeping under `mu`. So the
// bookkeeping is declared first (destroyed last), then `ioc`, then `workers`
// (destroyed first: its tasks hold work guards on `ioc`).
struct HttpServer::Impl {
  ServerOptions options;
  size_t max_connections = 0;  // in force (see HttpServer::max_connections)
  Handler handler;

  std::atomic<bool> stopping{false};
  std::atomic<uint64_t> accepted{0}, rejected{0}, refused{0}, closed_idle{0}, accept_failures{0};

  std::mutex mu;
  std::condition_variable handlers_done;
  uint64_t running = 0;  // handlers running or queued, so that Stop can wait for them; guarded by mu
  uint64_t open = 0;     // connections holding a place; guarded by mu
  std::unordered_map<std::string, size_t> per_address;  // open connections by remote address; guarded by mu
  std::list<std::weak_ptr<Connection>> connections;     // every connection; guarded by mu
  std::list<std::weak_ptr<Connection>> idle;  // waiting for a request, longest idle first; guarded by mu

  net::io_context ioc;
  tcp::acceptor acceptor{ioc};
  net::signal_set signals{ioc};
  net::steady_timer accept_pause{ioc};
  std::unique_ptr<net::thread_pool> workers;
  uint16_t port = 0;

  void Accept();
  void Admit(tcp::socket socket);
  // Closes the connection idle longest, if any, giving up its place. Called
  // with mu held; the caller closes the returned connection after unlocking.
  std::shared_ptr<Connection> TakeLongestIdle();
  void BeginStop();
};

namespace {

constexpr auto kAcceptPause = std::chrono::milliseconds(100);
constexpr size_t kFirstReadBytes = 512;
constexpr size_t kIdleBufferBytes = 4096;  // a larger read buffer is given back between requests
constexpr auto kLingerTime = std::chrono::seconds(2);

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket&& socket, HttpServer::Impl* server, std::string address)
      : stream_(std::move(socket)), server_(server), address_(std::move(address)) {}

  ~Connection() {
    std::lock_guard lock(server_->mu);
    Forget();
  }

  void Start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->Read(); });
  }

  // On stop: a connection waiting for a request is closed; one whose
  // handler is running finishes it and closes after the response.
  void Drain() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->reading_) self->Close();
    });
  }

  // Closes a connection taken from the idle list (TakeIdle) to make room.
  // If its first bytes arrived meanwhile they are dropped unread, as when
  // any server closes an idle keep-alive connection.
  void CloseIdle() {
    net::post(stream_.get_executor(), [self = shared_from_this()] { self->Close(); });
  }

  // Called with server_->mu held, on a connection in the idle list: it
  // leaves the list and gives up its place, and will not serve a request.
  void TakeIdle() {
    if (idle_entry_) server_->idle.erase(*idle_entry_);
    idle_entry_.reset();
    taken_ = true;
    Uncount();
  }

  // Called with server_->mu held.
  void Register(std::list<std::weak_ptr<Connection>>::iterator where) {
    registered_ = where;
    counted_ = true;
    ++server_->open;
    ++server_->per_address[address_];
  }
  const std::string& address() const { return address_; }

 private:
  // Gives up the connection's place (it is closing). Called with mu held.
  void Uncount() {
    if (!counted_) return;
    counted_ = false;
    --server_->open;
    auto it = server_->per_address.find(address_);
    if (it != server_->per_address.end() && --it->second == 0) server_->per_address.erase(it);
  }

  void Forget() {
    if (idle_entry_) server_->idle.erase(*idle_entry_);
    idle_entry_.reset();
    if (registered_) server_->connections.erase(*registered_);
    registered_.reset();
    Uncount();
  }

  void EnterIdle() {
    std::lock_guard lock(server_->mu);
    if (taken_ || idle_entry_) return;
    server_->idle.push_back(weak_from_this());
    idle_entry_ = std::prev(server_->idle.end());
  }
  // False if the connection was taken to make room while it was idle.
  bool LeaveIdle() {
    std::lock_guard lock(server_->mu);
    if (idle_entry_) server_->idle.erase(*idle_entry_);
    idle_entry_.reset();
    return !taken_;
  }

  // Waits for a request: first for its first bytes (the connection is idle
  // until they come), then for its header, then its body.
  void Read() {
    if (server_->stopping.load()) return Close();
    parser_.emplace();
    SetLimits(*parser_, server_->options);
    stream_.expires_after(server_->options.request_timeout);
    reading_ = true;
    if (buffer_.size() > 0) return ReadHeader();  // the next request is already here
    if (buffer_.capacity() > kIdleBufferBytes) buffer_.shrink_to_fit();
    EnterIdle();
    stream_.async_read_some(buffer_.prepare(kFirstReadBytes),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              if (!self->LeaveIdle()) return self->Close();
                              if (ec) return self->OnRead(ec, /*got_some=*/false);
                              self->buffer_.commit(n);
                              self->ReadHeader();
                            });
  }

  void ReadHeader() {
    http::async_read_header(
        stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, size_t) {
          if (ec) return self->OnRead(ec, true);
          if (std::string problem = FramingProblem(*self->parser_); !problem.empty()) {
            self->reading_ = false;
            self->server_->rejected.fetch_add(1);
            return self->Reject(Problem(400, "Bad Request", "malformed HTTP request: " + problem));
          }
          if (self->parser_->is_done()) return self->OnRead({}, true);
          http::async_read(self->stream_, self->buffer_, *self->parser_,
                           [self](beast::error_code ec, size_t) { self->OnRead(ec, true); });
        });
  }

  void OnRead(beast::error_code ec, bool got_some) {
    reading_ = false;
    if (ec == http::error::end_of_stream || ec == net::error::operation_aborted ||
        ec == net::error::connection_reset || ec == net::error::eof || ec == net::error::bad_descriptor) {
      return Close();
    }
    if (ec == beast::error::timeout) {
      // The stream has closed the socket: an idle keep-alive connection, or
      // a request too slow to arrive (counted as rejected), ends here
      // without a response, as nginx does.
      if (got_some) server_->rejected.fetch_add(1);
      return Close();
    }
    if (ec == http::error::body_limit) {
      server_->rejected.fetch_add(1);
      return Reject(Problem(413, "Content Too Large",
                            "the request body is over the limit of " +
                                std::to_string(server_->options.max_body_bytes) + " bytes"));
    }
    if (ec == http::error::header_limit) {
      server_->rejected.fetch_add(1);
      return Reject(Problem(431, "Request Header Fields Too Large",
                            "the request line and headers are over the limit of " +
                                std::to_string(server_->options.max_header_bytes) + " bytes"));
    }
    if (ec) {
      if (!got_some) return Close();
      server_->rejected.fetch_add(1);
      return Reject(Problem(400, "Bad Request", "malformed HTTP request: " + ec.message()));
    }

    auto& msg = parser_->get();
    auto req = std::make_shared<HttpRequest>(FromMessage(msg));
    req->remote_ip = address_;
    keep_alive_ = msg.keep_alive();
    version_ = msg.version();
    stream_.expires_never();

    {
      std::lock_guard lock(server_->mu);
      ++server_->running;
    }
    // The guard keeps the I/O threads running until the response is queued,
    // even when a stop has closed everything else.
    auto work = net::make_work_guard(server_->ioc);
    net::post(*server_->workers, [self = shared_from_this(), req, work = std::move(work)]() mutable {
      // The handler answers through `respond`, now or later from another
      // thread; exactly once.
      auto respond = [self, req, work = std::move(work)](HttpResponse res) mutable {
        self->Answer(std::move(res), req->request_id);
        work.reset();
      };
      try {
        self->server_->handler(*req, std::move(respond));
      } catch (const std::exception& e) {
        // A handler that throws has not answered (it answers last).
        self->Answer(Problem(500, "Internal Server Error", "the request could not be completed"),
                     req->request_id);
      }
    });
  }

  // From any thread: writes a handler's response on the connection's strand
  // and counts the handler as finished.
  void Answer(HttpResponse res, const std::string& request_id) {
    res.headers.emplace_back("X-Request-Id", request_id);
    net::post(stream_.get_executor(), [self = shared_from_this(), res = std::move(res)]() mutable {
      self->Write(std::move(res), /*close=*/false);
      std::lock_guard lock(self->server_->mu);
      if (--self->server_->running == 0) self->server_->handlers_done.notify_all();
    });
  }

  // Answers a request that could not be read and closes the connection,
  // reading (and dropping) what the client still sends for a moment so that
  // the response is not lost to a reset.
  void Reject(HttpResponse res) {
    version_ = 11;
    Write(std::move(res), /*close=*/true, /*linger=*/true);
  }

  void Write(HttpResponse res, bool close, bool linger = false) {
    response_ = {};
    response_.version(version_);
    response_.result(static_cast<unsigned>(res.status));
    response_.set(http::field::server, "continuum");
    response_.set(http::field::content_type, res.content_type);
    // On every response, the API's and the web app's alike: nothing inline,
    // nothing from elsewhere, never in a frame, no referrer sent on.
    response_.set(http::field::cache_control, "no-store");
    response_.set("X-Content-Type-Options", "nosniff");
    response_.set("Content-Security-Policy",
                  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
                  "connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
    response_.set("Referrer-Policy", "no-referrer");
    response_.set("X-Frame-Options", "DENY");
    for (auto& [k, v] : res.headers) response_.set(k, v);
    response_.body() = std::move(res.body);
    bool keep = keep_alive_ && !close && !server_->stopping.load();
    response_.keep_alive(keep);
    response_.prepare_payload();
    stream_.expires_after(server_->options.request_timeout);
    http::async_write(stream_, response_,
                      [self = shared_from_this(), keep, linger](beast::error_code ec, size_t) {
                        if (!ec && linger) return self->Linger();
                        if (ec || !keep) return self->Close();
                        self->Read();
                      });
  }

  void Linger() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return Close();
    buffer_.clear();
    stream_.expires_after(kLingerTime);
    DropInput();
  }

  void DropInput() {
    stream_.async_read_some(buffer_.prepare(kFirstReadBytes),
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (ec) return self->Close();
                              self->buffer_.clear();
                              self->DropInput();
                            });
  }

  void Close() {
    reading_ = false;
    {
      std::lock_guard lock(server_->mu);
      if (idle_entry_) server_->idle.erase(*idle_entry_);
      idle_entry_.reset();
      Uncount();
    }
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
  }

  beast::tcp_stream stream_;
  HttpServer::Impl* server_;
  const std::string address_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  bool keep_alive_ = true;
  unsigned version_ = 11;
  bool reading_ = false;  // only touched on the connection's strand
  // Guarded by server_->mu:
  std::optional<std::list<std::weak_ptr<Connection>>::iterator> registered_;
  std::optional<std::list<std::weak_ptr<Connection>>::iterator> idle_entry_;
  bool counted_ = false;  // holds a place (open, per_address)
  bool taken_ = false;    // closed to make room while idle
};

}  // namespace

namespace {

// Descriptors kept back from client connections: the database's
// connections, SQLite's files, the listening socket, logs.
constexpr size_t kReservedDescriptors = 256;

size_t FitToOpenFileLimit(size_t wanted) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
    return std::max<size_t>(1, wanted);
  const size_t descriptors = static_cast<size_t>(limit.rlim_cur);
  const size_t reserve = std::min(kReservedDescriptors, descriptors / 2);
  return std::max<size_t>(1, std::min(wanted, descriptors - reserve));
}

}  // namespace

std::shared_ptr<Connection> HttpServer::Impl::TakeLongestIdle() {
  // An entry that no longer locks belongs to a connection being destroyed;
  // its destructor, waiting for mu, removes it.
  for (const auto& entry : idle) {
    if (auto victim = entry.lock()) {
      victim->TakeIdle();  // removes `entry`
      return victim;
    }
  }
  return nullptr;
}

void HttpServer::Impl::Accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (!acceptor.is_open() || stopping.load()) return;
      if (ec == net::error::connection_aborted) return Accept();  // the client gave up first
      // Out of descriptors (EMFILE, ENFILE) or memory: free a descriptor
      // if a connection is idle, and pause rather than spin on the error.
      accept_failures.fetch_add(1);
      std::shared_ptr<Connection> idle_one;
      {
        std::lock_guard lock(mu);
        idle_one = TakeLongestIdle();
      }
      if (idle_one) {
        closed_idle.fetch_add(1);
        idle_one->CloseIdle();
        idle_one.reset();
      }
      accept_pause.expires_after(kAcceptPause);
      accept_pause.async_wait([this](beast::error_code wait_ec) {
        if (!wait_ec && !stopping.load()) Accept();
      });
      return;
    }
    Admit(std::move(socket));
    Accept();
  });
}

void HttpServer::Impl::Admit(tcp::socket socket) {
  beast::error_code ec;
  socket.set_option(tcp::no_delay(true), ec);
  auto endpoint = socket.remote_endpoint(ec);
  if (ec) return;  // already gone
  accepted.fetch_add(1);
  auto c = std::make_shared<Connection>(std::move(socket), this, endpoint.address().to_string());
  std::shared_ptr<Connection> idle_one;
  bool admitted = false;
  {
    std::lock_guard lock(mu);
    auto from_address = per_address.find(c->address());
    const bool address_full = options.max_connections_per_address > 0 && from_address != per_address.end() &&
                              from_address->second >= options.max_connections_per_address;
    if (!address_full) {
      if (open >= max_connections) idle_one = TakeLongestIdle();
      if (open < max_connections) {
        connections.push_back(c);
        c->Register(std::prev(connections.end()));
        admitted = true;
      }
    }
  }
  if (idle_one) {
    closed_idle.fetch_add(1);
    idle_one->CloseIdle();
    idle_one.reset();
  }
  if (!admitted) {
    refused.fetch_add(1);
    return;  // c's socket closes as c goes
  }
  c->Start();
}

void HttpServer::Impl::BeginStop() {
  if (stopping.exchange(true)) return;
  net::post(ioc, [this] {
    beast::error_code ec;
    acceptor.close(ec);
    signals.cancel(ec);
    accept_pause.cancel();
    std::vector<std::shared_ptr<Connection>> live;
    {
      std::lock_guard lock(mu);
      for (auto& w : connections)
        if (auto c = w.lock()) live.push_back(std::move(c));
    }
    for (auto& c : live) c->Drain();
  });
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() {
  if (impl_) {
    impl_->BeginStop();
    impl_->ioc.stop();
    if (impl_->workers) impl_->workers->join();
  }
}

Result<std::unique_ptr<HttpServer>> HttpServer::Listen(const ServerOptions& options, Handler handler) {
  if (sodium_init() < 0) return Internal("libsodium could not be initialised");
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->handler = std::move(handler);
  beast::error_code ec;
  auto address = net::ip::make_address(options.host, ec);
  if (ec) return InvalidArgument("listen address '" + options.host + "' is not an IP address");
  tcp::endpoint endpoint{address, options.port};
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Unavailable("cannot listen on " + options.host + ":" + std::to_string(options.port) + ": " +
                       ec.message());
  }
  impl->port = impl->acceptor.local_endpoint().port();
  impl->max_connections = FitToOpenFileLimit(options.max_connections);
  impl->workers = std::make_unique<net::thread_pool>(std::max(1, options.worker_threads));
  if (options.handle_signals) {
    impl->signals.add(SIGINT);
    impl->signals.add(SIGTERM);
    Impl* p = impl.get();
    impl->signals.async_wait([p](beast::error_code ec, int) {
      if (!ec) p->BeginStop();
    });
  }
  impl->Accept();
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

uint16_t HttpServer::port() const { return impl_->port; }

size_t HttpServer::max_connections() const { return impl_->max_connections; }

void HttpServer::Run() {
  std::vector<std::thread> threads;
  for (int i = 1; i < std::max(1, impl_->options.io_threads); ++i)
    threads.emplace_back([this] { impl_->ioc.run(); });
  impl_->ioc.run();
  for (auto& t : threads) t.join();
  // Every connection has closed, so every response has been written; wait
  // for any handler still running (its client went away mid-request).
  std::unique_lock lock(impl_->mu);
  impl_->handlers_done.wait_for(lock, impl_->options.shutdown_grace, [this] { return impl_->running == 0; });
}

void HttpServer::Stop() { impl_->BeginStop(); }

ServerCounters HttpServer::Counters() const {
  ServerCounters c;
  c.connections_accepted = impl_->accepted.load();
  c.connections_refused = impl_->refused.load();
  c.connections_closed_idle = impl_->closed_idle.load();
  c.accept_failures = impl_->accept_failures.load();
  c.requests_rejected = impl_->rejected.load();
  std::lock_guard lock(impl_->mu);
  c.connections_open = impl_->open;
  c.handlers_running = impl_->running;
  return c;
}

}  // namespace continuum::api

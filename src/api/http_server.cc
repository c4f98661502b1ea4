// <utility> before Asio: Boost 1.74's awaitable.hpp needs it under GCC 12 in C++20.
#include "api/http_server.h"

#include <sodium.h>

#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
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
  auto rid_field = msg["X-Request-Id"];
  std::string_view rid(rid_field.data(), rid_field.size());
  req.request_id = SaneRequestId(rid) ? std::string(rid) : NewRequestId();
  req.body = std::move(msg.body());
  return req;
}

}  // namespace

Result<HttpRequest> ParseHttpRequest(std::string_view bytes, const ServerOptions& options) {
  http::request_parser<http::string_body> parser;
  parser.body_limit(options.max_body_bytes);
  parser.header_limit(static_cast<uint32_t>(options.max_header_bytes));
  parser.eager(true);
  beast::error_code ec;
  size_t used = parser.put(net::buffer(bytes.data(), bytes.size()), ec);
  if (ec == http::error::need_more) return InvalidArgument("incomplete request");
  if (ec) return InvalidArgument("malformed request: " + ec.message());
  if (!parser.is_done()) return InvalidArgument("incomplete request");
  (void)used;
  return FromMessage(parser.get());
}

struct HttpServer::Impl {
  ServerOptions options;
  Handler handler;
  net::io_context ioc;
  tcp::acceptor acceptor{ioc};
  net::signal_set signals{ioc};
  std::unique_ptr<net::thread_pool> workers;
  uint16_t port = 0;

  std::atomic<bool> stopping{false};
  std::atomic<uint64_t> accepted{0}, open{0}, rejected{0};

  // Handlers running or queued, so that Stop can wait for them.
  std::mutex mu;
  std::condition_variable idle;
  uint64_t running = 0;  // guarded by mu
  std::set<std::weak_ptr<Connection>, std::owner_less<std::weak_ptr<Connection>>>
      connections;  // guarded by mu

  void Accept();
  void BeginStop();
};

namespace {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket&& socket, HttpServer::Impl* server) : stream_(std::move(socket)), server_(server) {}

  void Start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->Read(); });
  }

  // On stop: a connection waiting for a request is closed; one whose
  // handler is running finishes it and closes after the response.
  void Drain() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->reading_) {
        beast::error_code ec;
        self->stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
        self->stream_.close();
      }
    });
  }

  ~Connection() { server_->open.fetch_sub(1); }

 private:
  void Read() {
    if (server_->stopping.load()) return Close();
    parser_.emplace();
    parser_->body_limit(server_->options.max_body_bytes);
    parser_->header_limit(static_cast<uint32_t>(server_->options.max_header_bytes));
    stream_.expires_after(server_->options.request_timeout);
    reading_ = true;
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    reading_ = false;
    if (ec == http::error::end_of_stream || ec == net::error::operation_aborted ||
        ec == net::error::connection_reset || ec == net::error::eof) {
      return Close();
    }
    if (ec == beast::error::timeout) {
      // The stream has closed the socket: an idle keep-alive connection, or
      // a request too slow to arrive (counted as rejected), ends here
      // without a response, as nginx does.
      if (parser_->got_some()) server_->rejected.fetch_add(1);
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
      if (!parser_->got_some()) return Close();
      server_->rejected.fetch_add(1);
      return Reject(Problem(400, "Bad Request", "malformed HTTP request: " + ec.message()));
    }

    auto& msg = parser_->get();
    auto req = std::make_shared<HttpRequest>(FromMessage(msg));
    beast::error_code ep_ec;
    auto ep = stream_.socket().remote_endpoint(ep_ec);
    req->remote_ip = ep_ec ? "" : ep.address().to_string();
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
      // thread (e.g. once its audit record is committed); exactly once.
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
      if (--self->server_->running == 0) self->server_->idle.notify_all();
    });
  }

  void Reject(HttpResponse res) {
    version_ = 11;
    Write(std::move(res), /*close=*/true);
  }

  void Write(HttpResponse res, bool close) {
    response_ = {};
    response_.version(version_);
    response_.result(static_cast<unsigned>(res.status));
    response_.set(http::field::server, "continuum");
    response_.set(http::field::content_type, res.content_type);
    response_.set(http::field::cache_control, "no-store");
    response_.set("X-Content-Type-Options", "nosniff");
    for (auto& [k, v] : res.headers) response_.set(k, v);
    response_.body() = std::move(res.body);
    bool keep = keep_alive_ && !close && !server_->stopping.load();
    response_.keep_alive(keep);
    response_.prepare_payload();
    stream_.expires_after(server_->options.request_timeout);
    http::async_write(stream_, response_, [self = shared_from_this(), keep](beast::error_code ec, size_t) {
      if (ec || !keep) return self->Close();
      self->Read();
    });
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
  }

  beast::tcp_stream stream_;
  HttpServer::Impl* server_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  bool keep_alive_ = true;
  unsigned version_ = 11;
  bool reading_ = false;  // only touched on the connection's strand
};

}  // namespace

void HttpServer::Impl::Accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (!acceptor.is_open() || stopping.load()) return;
      // Out of descriptors and the like: try again rather than stop serving.
      return Accept();
    }
    socket.set_option(tcp::no_delay(true), ec);
    accepted.fetch_add(1);
    open.fetch_add(1);
    auto c = std::make_shared<Connection>(std::move(socket), this);
    {
      std::lock_guard lock(mu);
      for (auto it = connections.begin(); it != connections.end();)
        it = it->expired() ? connections.erase(it) : std::next(it);
      connections.insert(c);
    }
    c->Start();
    Accept();
  });
}

void HttpServer::Impl::BeginStop() {
  if (stopping.exchange(true)) return;
  net::post(ioc, [this] {
    beast::error_code ec;
    acceptor.close(ec);
    signals.cancel(ec);
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

void HttpServer::Run() {
  std::vector<std::thread> threads;
  for (int i = 1; i < std::max(1, impl_->options.io_threads); ++i)
    threads.emplace_back([this] { impl_->ioc.run(); });
  impl_->ioc.run();
  for (auto& t : threads) t.join();
  // Every connection has closed, so every response has been written; wait
  // for any handler still running (its client went away mid-request).
  std::unique_lock lock(impl_->mu);
  impl_->idle.wait_for(lock, impl_->options.shutdown_grace, [this] { return impl_->running == 0; });
}

void HttpServer::Stop() { impl_->BeginStop(); }

ServerCounters HttpServer::Counters() const {
  ServerCounters c;
  c.connections_accepted = impl_->accepted.load();
  c.connections_open = impl_->open.load();
  c.requests_rejected = impl_->rejected.load();
  std::lock_guard lock(impl_->mu);
  c.handlers_running = impl_->running;
  return c;
}

}  // namespace continuum::api

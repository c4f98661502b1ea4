// The HTTP server beneath the API: its lifetime with work in flight, and the
// framing rules of its parser (the same parser the server reads with).
#include "api/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace continuum::api {
namespace {

int Connect(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Regression: handlers still queued when the server is destroyed are
// destroyed with its thread pool and I/O context, and each releases its
// connection, whose destructor updates the server's connection bookkeeping.
// That bookkeeping used to be destroyed first. Here one worker thread is held
// by the first request while seven more queue behind it and eight idle
// connections wait; the server is destroyed with all of that in flight.
// (Run under CONTINUUM_SANITIZE to have AddressSanitizer check it.)
TEST(HttpServer, DestroyingItWithHandlersQueuedAndConnectionsOpenIsSafe) {
  std::mutex mu;
  std::condition_variable cv;
  bool released = false;
  std::atomic<int> calls{0};
  ServerOptions options{.host = "127.0.0.1", .port = 0, .io_threads = 1, .worker_threads = 1};
  options.shutdown_grace = std::chrono::milliseconds(0);
  options.handle_signals = false;
  auto listening = HttpServer::Listen(options, [&](HttpRequest&, HttpServer::Responder respond) {
    if (calls.fetch_add(1) == 0) {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return released; });
    }
    respond(HttpResponse{.status = 200, .body = "{}"});
  });
  ASSERT_TRUE(listening.ok()) << listening.status().ToString();
  std::unique_ptr<HttpServer> server = std::move(*listening);
  const uint16_t port = server->port();
  std::thread runner([&] { server->Run(); });

  std::vector<int> clients;
  for (int i = 0; i < 8; ++i) {
    int fd = Connect(port);
    ASSERT_GE(fd, 0);
    const std::string request = "GET /x HTTP/1.1\r\nHost: x\r\n\r\n";
    ASSERT_EQ(send(fd, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
    clients.push_back(fd);
  }
  for (int i = 0; i < 8; ++i) clients.push_back(Connect(port));  // idle
  // Wait (no time is asserted) until all eight requests are running or queued.
  for (int i = 0; i < 6000 && server->Counters().handlers_running < 8; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(server->Counters().handlers_running, 8u);
  EXPECT_EQ(server->Counters().connections_open, 16u);

  // The destructor stops the I/O threads, then waits for the worker pool:
  // the held handler is let go only once Run has returned, so the responses
  // of all eight are left queued on the stopped I/O context.
  std::thread releaser([&] {
    runner.join();
    std::lock_guard lock(mu);
    released = true;
    cv.notify_all();
  });
  server.reset();
  releaser.join();
  EXPECT_EQ(calls.load(), 8);
  for (int fd : clients) close(fd);
}

TEST(HttpServer, StopWithIdleConnectionsReturnsFromRun) {
  ServerOptions options{.host = "127.0.0.1", .port = 0, .worker_threads = 2};
  options.handle_signals = false;
  auto listening = HttpServer::Listen(
      options, [](HttpRequest&, HttpServer::Responder respond) { respond(HttpResponse{.status = 204}); });
  ASSERT_TRUE(listening.ok()) << listening.status().ToString();
  HttpServer& server = **listening;
  std::thread runner([&] { server.Run(); });
  std::vector<int> clients;
  for (int i = 0; i < 50; ++i) clients.push_back(Connect(server.port()));
  for (int i = 0; i < 6000 && server.Counters().connections_open < 50; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(server.Counters().connections_open, 50u);
  server.Stop();
  runner.join();  // every idle connection was closed
  EXPECT_EQ(server.Counters().connections_open, 0u);
  for (int fd : clients) close(fd);
}

// ParseHttpRequest uses the server's parser and rules.
TEST(ParseHttpRequest, RefusesEveryFramingButALoneChunkedOrAContentLength) {
  const ServerOptions options;
  const std::string body = "5\r\nhello\r\n0\r\n\r\n";
  auto with = [&](const std::string& headers, const std::string& payload,
                  const std::string& version = "1.1") {
    return ParseHttpRequest("POST /x HTTP/" + version + "\r\nHost: x\r\n" + headers + "\r\n" + payload,
                            options);
  };
  for (const std::string te : {"chunked", "Chunked", " chunked "}) {
    auto ok = with("Transfer-Encoding:" + te + "\r\n", body);
    ASSERT_TRUE(ok.ok()) << te << ": " << ok.status().ToString();
    EXPECT_EQ(ok->body, "hello");
  }
  auto plain = with("Content-Length: 5\r\n", "hello");
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ(plain->body, "hello");

  struct Case {
    std::string headers, payload, version, mentions;
  };
  const std::vector<Case> refused = {
      {"Transfer-Encoding: xchunked\r\n", "", "1.1", "exactly \"chunked\""},
      {"Transfer-Encoding: gzip\r\n", "", "1.1", "exactly \"chunked\""},
      {"Transfer-Encoding: identity\r\n", "", "1.1", "exactly \"chunked\""},
      {"Transfer-Encoding: chunked, identity\r\n", "", "1.1", "exactly \"chunked\""},
      {"Transfer-Encoding: gzip, chunked\r\n", body, "1.1", "exactly \"chunked\""},
      {"Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n", body, "1.1", "more than one"},
      {"Transfer-Encoding: gzip\r\nContent-Length: 5\r\n", "hello", "1.1", ""},
      {"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", body, "1.1", ""},
      {"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", body, "1.1", ""},
      {"Transfer-Encoding: chunked\r\n", body, "1.0", "HTTP/1.0"},
  };
  for (const Case& c : refused) {
    auto r = with(c.headers, c.payload, c.version);
    ASSERT_FALSE(r.ok()) << c.headers;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.mentions), std::string::npos) << c.headers << r.status().message();
  }
}

}  // namespace
}  // namespace continuum::api

// libFuzzer target: bytes from a client through what the server does before
// a handler runs — the HTTP parser with the server's limits, the request
// target (path segments, percent-decoding, query) and the JSON body. Any
// input is either refused with a message or parsed; nothing may crash.
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>

#include "api/api.h"
#include "api/http_server.h"

using namespace continuum;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const api::ServerOptions options{.max_body_bytes = 64 << 10, .max_header_bytes = 8 << 10};
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto req = api::ParseHttpRequest(bytes, options);
  if (!req.ok()) {
    if (req.status().message().empty()) std::abort();
    return 0;
  }
  if (req->body.size() > options.max_body_bytes) std::abort();  // the limit held
  auto target = api::ParseTarget(req->target);
  if (!target.ok()) {
    if (target.status().message().empty()) std::abort();
  } else {
    for (const auto& s : target->segments) {
      if (s == "." || s == ".." || s.find('/') != std::string::npos) std::abort();
      for (char c : s)
        if (static_cast<unsigned char>(c) < 0x20) std::abort();
    }
  }
  auto body = nlohmann::json::parse(req->body, nullptr, /*allow_exceptions=*/false);
  (void)body;
  return 0;
}

#include "store/url.h"

#include "store/event_format.h"

namespace continuum::store::internal {
namespace {

constexpr std::string_view kForms =
    "use sqlite:PATH, sqlite://PATH, a file path, or postgresql://user@host:port/database";

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// The scheme of "scheme://…" or "scheme:…", lowercased, or "" if s has none.
std::string Scheme(std::string_view s) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0) return "";
  std::string scheme;
  for (size_t i = 0; i < colon; ++i) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
    if (!ok) return "";
    scheme += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  return scheme;
}

}  // namespace

Result<StoreUrl> ParseStoreUrl(std::string_view url) {
  if (url.empty()) return InvalidArgument(std::string("the database URL is empty; ") + std::string(kForms));
  for (unsigned char c : url) {
    if (c < 0x20 || c == 0x7f) {
      return InvalidArgument("the database URL " + Quote(RedactUrl(url)) + " contains a control character");
    }
  }
  std::string scheme = Scheme(url);
  StoreUrl out;
  if (scheme == "sqlite") {
    std::string_view rest = url.substr(7);
    if (StartsWith(rest, "//")) rest.remove_prefix(2);
    if (rest.empty()) {
      return InvalidArgument("the database URL " + Quote(url) + " names no file; " + std::string(kForms));
    }
    out.target = std::string(rest);
  } else if (scheme == "postgresql" || scheme == "postgres") {
    if (!StartsWith(url.substr(scheme.size() + 1), "//")) {
      return InvalidArgument("the database URL " + Quote(RedactUrl(url)) + " is not of the form " + scheme +
                             "://user@host:port/database");
    }
    out.backend = StoreUrl::Backend::kPostgres;
    out.target = std::string(url);
    return out;
  } else if (!scheme.empty() && url.substr(scheme.size() + 1, 2) == "//") {
    return InvalidArgument("the database URL " + Quote(RedactUrl(url)) + " has an unknown scheme \"" +
                           scheme + "\"; " + std::string(kForms));
  } else {
    out.target = std::string(url);  // a plain path
  }
  if (out.target == ":memory:" || StartsWith(out.target, "file:")) {
    return InvalidArgument("the database URL " + Quote(url) +
                           " is not a file path; an in-memory or URI database cannot be shared between the "
                           "store's connections");
  }
  return out;
}

std::string RedactUrl(std::string_view url) {
  std::string out(url);
  size_t scheme_end = out.find("://");
  if (scheme_end != std::string::npos) {
    size_t auth_start = scheme_end + 3;
    size_t auth_end = out.find_first_of("/?", auth_start);
    size_t at = out.rfind('@', auth_end == std::string::npos ? std::string::npos : auth_end);
    if (at != std::string::npos && at >= auth_start) {
      size_t colon = out.find(':', auth_start);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  // password=… among the query parameters.
  for (size_t pos = out.find("password="); pos != std::string::npos; pos = out.find("password=", pos + 1)) {
    size_t start = pos + 9;
    size_t end = out.find('&', start);
    out.replace(start, (end == std::string::npos ? out.size() : end) - start, "***");
  }
  return out;
}

}  // namespace continuum::store::internal

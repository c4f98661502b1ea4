#include "store/event_format.h"

#include <sodium.h>

#include <array>
#include <ctime>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

namespace continuum::store {
namespace internal {
namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// "YYYY-MM-DD" at the start of s.
bool DatePart(std::string_view s) {
  int y, m, d;
  if (s.size() < 10 || s[4] != '-' || s[7] != '-') return false;
  if (!Digits(s, 0, 4, &y) || !Digits(s, 5, 2, &m) || !Digits(s, 8, 2, &d)) return false;
  return y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= DaysInMonth(y, m);
}

// A SAX handler that checks structure without building a document.
class JsonChecker {
 public:
  using json = nlohmann::json;
  static constexpr size_t kMaxDepth = 64;

  bool null() { return true; }
  bool boolean(bool) { return true; }
  bool number_integer(json::number_integer_t) { return true; }
  bool number_unsigned(json::number_unsigned_t) { return true; }
  bool number_float(json::number_float_t, const std::string&) { return true; }
  bool string(std::string&) { return true; }
  bool binary(json::binary_t&) { return Fail("binary values are not JSON"); }
  bool start_object(std::size_t) {
    if (keys_.size() >= kMaxDepth) return Fail("nested more than 64 levels deep");
    keys_.emplace_back();
    return true;
  }
  bool key(std::string& k) {
    if (!keys_.back().insert(k).second) return Fail("the key " + Quote(k) + " appears twice in one object");
    return true;
  }
  bool end_object() {
    keys_.pop_back();
    return true;
  }
  bool start_array(std::size_t) {
    if (keys_.size() >= kMaxDepth) return Fail("nested more than 64 levels deep");
    keys_.emplace_back();  // arrays have no keys; the entry keeps the depth count
    return true;
  }
  bool end_array() {
    keys_.pop_back();
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& ex) {
    // nlohmann's message: "[json.exception.parse_error.101] parse error at line 1, column 3: …"
    std::string what = ex.what();
    size_t at = what.find("parse error");
    return Fail(at == std::string::npos ? what : what.substr(at));
  }

  std::string error;

 private:
  bool Fail(std::string message) {
    if (error.empty()) error = std::move(message);
    return false;
  }

  std::vector<std::set<std::string>> keys_;  // one entry per open object or array
};

void AppendField(std::string* out, std::string_view value) {
  uint64_t n = value.size();
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>((n >> shift) & 0xff));
  out->append(value);
}

void HashField(crypto_generichash_state* st, std::string_view value) {
  unsigned char len[8];
  uint64_t n = value.size();
  for (int i = 0; i < 8; ++i) len[i] = static_cast<unsigned char>((n >> (56 - 8 * i)) & 0xff);
  crypto_generichash_update(st, len, sizeof len);
  crypto_generichash_update(st, reinterpret_cast<const unsigned char*>(value.data()), value.size());
}

// The fields hashed, in order (docs/event-log.md, "Canonical encoding").
template <typename Fn>
void ForEachHashedField(const Event& e, Fn&& fn) {
  const std::string seq = std::to_string(e.seq);
  const std::string significance = std::to_string(e.significance);
  fn(std::string_view("continuum.event.v1"));
  fn(std::string_view(seq));
  fn(std::string_view(e.id));
  fn(std::string_view(e.child_id));
  fn(std::string_view(e.type));
  fn(std::string_view(e.occurred_at));
  fn(std::string_view(e.recorded_at));
  fn(std::string_view(e.author));
  fn(std::string_view(e.agency));
  fn(std::string_view(significance));
  fn(std::string_view(e.payload));
  fn(std::string_view(e.supersedes));
  fn(std::string_view(e.reason));
  fn(std::string_view(e.prev_hash));
}

std::string Field(size_t index, std::string_view name) {
  return "events[" + std::to_string(index) + "]." + std::string(name);
}

}  // namespace

bool IsUtcTime(std::string_view s) {
  int h, mi, se;
  return s.size() == 20 && DatePart(s) && s[10] == 'T' && s[13] == ':' && s[16] == ':' && s[19] == 'Z' &&
         Digits(s, 11, 2, &h) && Digits(s, 14, 2, &mi) && Digits(s, 17, 2, &se) && h < 24 && mi < 60 &&
         se < 60;
}

bool IsDate(std::string_view s) { return s.size() == 10 && DatePart(s); }

bool IsTimeBound(std::string_view s) { return IsDate(s) || IsUtcTime(s); }

bool IsLowerHex(std::string_view s, size_t length) {
  if (s.size() != length) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool IsEventType(std::string_view s) {
  if (s.empty() || s.size() > kMaxTypeBytes) return false;
  bool word_start = true;
  for (char c : s) {
    if (word_start) {
      if (c < 'a' || c > 'z') return false;
      word_start = false;
    } else if (c == '.') {
      word_start = true;
    } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) {
      return false;
    }
  }
  return !word_start;
}

std::string UtcNow() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

bool InitSodium() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

std::string NewEventId() {
  unsigned char bytes[16];
  randombytes_buf(bytes, sizeof bytes);
  char hex[33];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  return std::string(hex, 32);
}

std::string Quote(std::string_view value) {
  static constexpr size_t kMax = 60;
  std::string out = "\"";
  size_t i = 0;
  for (; i < value.size() && i < kMax; ++i) {
    unsigned char c = static_cast<unsigned char>(value[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  // Do not cut a UTF-8 sequence in half.
  while (i < value.size() && (static_cast<unsigned char>(value[i]) & 0xc0) == 0x80 && i < kMax + 4) {
    out += value[i++];
  }
  out += '"';
  if (i < value.size()) out += "… (" + std::to_string(value.size()) + " bytes)";
  return out;
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t n;
    uint32_t cp;
    if ((c & 0xe0) == 0xc0) {
      n = 1;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;  // truncated sequence
    for (size_t k = 1; k <= n; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    // Overlong forms, surrogates and values beyond U+10FFFF.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000)) return false;
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n + 1;
  }
  return true;
}

Status CheckText(std::string_view field, std::string_view value, TextRule rule, size_t max_bytes) {
  const std::string f(field);
  if (rule == TextRule::kIdentifier && value.empty()) return InvalidArgument(f + " is required");
  if (value.size() > max_bytes) {
    return InvalidArgument(f + " is " + std::to_string(value.size()) + " bytes; at most " +
                           std::to_string(max_bytes) + " are allowed");
  }
  if (!IsValidUtf8(value)) return InvalidArgument(f + " " + Quote(value) + " is not valid UTF-8");
  for (unsigned char c : value) {
    if (c == 0) return InvalidArgument(f + " " + Quote(value) + " contains a NUL byte");
    bool control = c < 0x20 || c == 0x7f;
    if (control && (rule == TextRule::kIdentifier || (c != '\t' && c != '\n' && c != '\r'))) {
      return InvalidArgument(f + " " + Quote(value) + " contains a control character");
    }
  }
  if (rule == TextRule::kIdentifier && (value.front() == ' ' || value.back() == ' ')) {
    return InvalidArgument(f + " " + Quote(value) + " starts or ends with a space");
  }
  return Status::Ok();
}

Status CheckJson(std::string_view field, std::string_view text, bool object_only, size_t max_bytes) {
  const std::string f(field);
  if (text.size() > max_bytes) {
    return InvalidArgument(f + " is " + std::to_string(text.size()) + " bytes of JSON; at most " +
                           std::to_string(max_bytes) + " are allowed");
  }
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    return InvalidArgument(f + " is empty; it must be " + (object_only ? "a JSON object" : "JSON"));
  }
  if (object_only && text[first] != '{') {
    return InvalidArgument(f + " must be a JSON object ({…}), not " + Quote(text));
  }
  JsonChecker checker;
  bool ok = nlohmann::json::sax_parse(text.begin(), text.end(), &checker);
  if (!ok || !checker.error.empty()) {
    return InvalidArgument(f +
                           " is not valid JSON: " + (checker.error.empty() ? "parse error" : checker.error));
  }
  return Status::Ok();
}

Status CheckNewEvent(const Event& e, size_t index) {
  if (e.seq != 0) return InvalidArgument(Field(index, "seq") + " is assigned by the store; leave it 0");
  if (!e.recorded_at.empty()) {
    return InvalidArgument(Field(index, "recorded_at") + " is assigned by the store; leave it empty");
  }
  if (!e.prev_hash.empty()) {
    return InvalidArgument(Field(index, "prev_hash") + " is assigned by the store; leave it empty");
  }
  if (!e.hash.empty())
    return InvalidArgument(Field(index, "hash") + " is assigned by the store; leave it empty");
  if (!e.superseded_by.empty()) {
    return InvalidArgument(Field(index, "superseded_by") + " is filled when reading; leave it empty");
  }
  if (!e.id.empty() && !IsLowerHex(e.id, 32)) {
    return InvalidArgument(Field(index, "id") + " " + Quote(e.id) +
                           " must be 32 lowercase hex digits, or empty to have one assigned");
  }
  CONTINUUM_RETURN_IF_ERROR(
      CheckText(Field(index, "child_id"), e.child_id, TextRule::kIdentifier, kMaxIdBytes));
  if (e.type.empty()) return InvalidArgument(Field(index, "type") + " is required");
  if (!IsEventType(e.type)) {
    return InvalidArgument(Field(index, "type") + " " + Quote(e.type) +
                           " must be lowercase words joined by dots, e.g. \"plan.agreed\" (at most " +
                           std::to_string(kMaxTypeBytes) + " bytes)");
  }
  if (e.occurred_at.empty()) return InvalidArgument(Field(index, "occurred_at") + " is required");
  if (!IsUtcTime(e.occurred_at)) {
    return InvalidArgument(Field(index, "occurred_at") + " " + Quote(e.occurred_at) +
                           " is not a UTC time of the form YYYY-MM-DDTHH:MM:SSZ with a real date");
  }
  CONTINUUM_RETURN_IF_ERROR(CheckText(Field(index, "author"), e.author, TextRule::kIdentifier, kMaxIdBytes));
  CONTINUUM_RETURN_IF_ERROR(CheckText(Field(index, "agency"), e.agency, TextRule::kIdentifier, kMaxIdBytes));
  if (e.significance < kRoutine || e.significance > kKey) {
    return InvalidArgument(Field(index, "significance") + " is " + std::to_string(e.significance) +
                           "; it must be 0 (routine), 1 (significant) or 2 (key)");
  }
  CONTINUUM_RETURN_IF_ERROR(
      CheckJson(Field(index, "payload"), e.payload, /*object_only=*/true, kMaxPayloadBytes));
  if (e.supersedes.empty()) {
    if (!e.reason.empty()) {
      return InvalidArgument(
          Field(index, "reason") +
          " is only for corrections (with supersedes); put other explanations in the payload");
    }
  } else {
    if (!IsLowerHex(e.supersedes, 32)) {
      return InvalidArgument(Field(index, "supersedes") + " " + Quote(e.supersedes) +
                             " is not an event id (32 lowercase hex digits)");
    }
    if (e.supersedes == e.id) return InvalidArgument(Field(index, "supersedes") + " names the event itself");
    if (e.reason.find_first_not_of(" \t\r\n") == std::string::npos) {
      return InvalidArgument(Field(index, "reason") + " is required for a correction (supersedes is set)");
    }
    CONTINUUM_RETURN_IF_ERROR(
        CheckText(Field(index, "reason"), e.reason, TextRule::kFreeText, kMaxReasonBytes));
  }
  return Status::Ok();
}

std::string CanonicalEncoding(const Event& e) {
  std::string out;
  ForEachHashedField(e, [&](std::string_view v) { AppendField(&out, v); });
  return out;
}

}  // namespace internal

std::string EventHash(const Event& e) {
  internal::InitSodium();
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, 32);
  internal::ForEachHashedField(e, [&](std::string_view v) { internal::HashField(&st, v); });
  unsigned char digest[32];
  crypto_generichash_final(&st, digest, sizeof digest);
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return std::string(hex, 64);
}

}  // namespace continuum::store

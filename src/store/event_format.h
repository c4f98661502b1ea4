// Private to src/store: the event format's rules (docs/event-log.md), shared
// by both backends so that they accept and refuse exactly the same input.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "store/store.h"

namespace continuum::store::internal {

// prev_hash of the first event in the log.
inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// "YYYY-MM-DDTHH:MM:SSZ", a real calendar date, 24-hour clock, no leap second.
bool IsUtcTime(std::string_view s);
// "YYYY-MM-DD", a real calendar date.
bool IsDate(std::string_view s);
// Either of the above: a bound for a time range (a date means its midnight).
bool IsTimeBound(std::string_view s);
bool IsLowerHex(std::string_view s, size_t length);
// Lowercase dotted words: [a-z][a-z0-9_-]* joined by '.'.
bool IsEventType(std::string_view s);

// The current time, UTC, in the event format.
std::string UtcNow();
// 128 random bits (libsodium), 32 lowercase hex digits.
std::string NewEventId();
// Calls sodium_init once; false if libsodium cannot start.
bool InitSodium();

// A value quoted for an error message: at most 60 bytes, control characters
// escaped, so that a message never carries a whole payload or raw bytes.
std::string Quote(std::string_view value);

// What a text field may hold. All: valid UTF-8 and no NUL.
enum class TextRule {
  kIdentifier,  // 1..kMaxIdBytes, no control characters, no leading/trailing space
  kFreeText,    // tab and newlines allowed, other control characters not
};
// Checks one text value; the message starts with `field`.
Status CheckText(std::string_view field, std::string_view value, TextRule rule, size_t max_bytes);
bool IsValidUtf8(std::string_view s);

// Checks JSON text (RFC 8259, UTF-8, no duplicate keys, nesting at most 64
// deep); with `object_only`, the top level must be an object.
Status CheckJson(std::string_view field, std::string_view text, bool object_only, size_t max_bytes);

// Checks an event given to Append, before anything touches the database:
// every caller-supplied field, and that store-assigned ones are left empty.
// `index` is the event's position in the call, for the message.
Status CheckNewEvent(const Event& e, size_t index);

// The canonical encoding hashed by EventHash, exposed for tests and docs.
std::string CanonicalEncoding(const Event& e);

}  // namespace continuum::store::internal

// Reading observations from JSON:
//   {"indicators": ["id", …], "strengths": […], "facts": […], "age": 14}
// Every field is optional; any other field, a wrong type, or invalid JSON is
// refused with a message that says where (byte offset, or the field and
// entry). Documents larger than kMaxObservationBytes are refused unread.
//
//   threshold::ObservationParser parser;          // one per thread
//   auto obs = parser.Parse(line);
//
// A parser reuses its buffers between calls; it is not thread-safe.
#pragma once

#include <memory>
#include <string_view>

#include "core/status.h"
#include "threshold/threshold.h"

namespace continuum::threshold {

inline constexpr size_t kMaxObservationBytes = 1u << 20;

class ObservationParser {
 public:
  ObservationParser();
  ~ObservationParser();
  ObservationParser(const ObservationParser&) = delete;
  ObservationParser& operator=(const ObservationParser&) = delete;

  Result<Observations> Parse(std::string_view json);
  // Parses and resolves against one framework in one pass, without copying
  // ids: the fast path for batches. Same checks and messages as
  // Parse followed by Resolve.
  Result<Resolved> ParseResolved(std::string_view json, const framework::Framework& fw);

  struct Impl;  // opaque: the parser's buffers

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace continuum::threshold

// Errors as values across module boundaries.
//
//   Result<Framework> fw = framework::LoadFile(path);
//   if (!fw.ok()) return fw.status();           // propagate
//   const Framework& f = *fw;
//
// A Status carries a code from a fixed set and a message written for the
// person who will read it (a practitioner at the CLI, an integrator reading an
// HTTP problem). Codes become CLI exit codes and HTTP statuses in exactly one
// place each (ExitCode in cli/cli.cc, FromStatus in api/api.cc). Status and Result are values:
// copyable, movable, and safe to pass between threads.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace continuum {

enum class StatusCode {
  kOk,
  kInvalidArgument,  // the caller's input is wrong; fix the input
  kNotFound,         // a named thing does not exist
  kForbidden,        // the caller may not do this
  kConflict,         // the request clashes with the current state
  kUnavailable,      // try again later (a dependency is down or busy)
  kInternal,         // a bug or a broken invariant
};

const char* StatusCodeName(StatusCode code);

// The message of a Result made from an ok Status (see Result).
inline constexpr const char* kOkWithoutValue = "a result was returned with an ok status but no value";

class [[nodiscard]] Status {
 public:
  Status() = default;  // ok
  Status(StatusCode code, std::string message)
      : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

  // The input at fault, as a path the caller sent ("fields.review_date",
  // "framework"), or "" when the error is not about one field. Set where the
  // error is found; the API lists it in the problem's `errors`.
  const std::string& field() const { return field_; }
  Status WithField(std::string field) && {
    field_ = std::move(field);
    return std::move(*this);
  }
  Status WithField(std::string field) const& {
    Status s = *this;
    s.field_ = std::move(field);
    return s;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string field_;
};

inline Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status Forbidden(std::string m) { return {StatusCode::kForbidden, std::move(m)}; }
inline Status Conflict(std::string m) { return {StatusCode::kConflict, std::move(m)}; }
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// Either a value or a non-ok Status. A Result made from an ok Status has
// no value to give: it becomes a kInternal error (a bug in the caller),
// never a Result that is neither ok nor carries an error.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(implicit)
  Result(Status status)                      // NOLINT(implicit)
      : v_(status.ok() ? Status(StatusCode::kInternal, kOkWithoutValue) : std::move(status)) {}

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace continuum

// Early return of a non-ok Status.
#define CONTINUUM_RETURN_IF_ERROR(expr)            \
  do {                                             \
    ::continuum::Status _st = (expr);              \
    if (!_st.ok()) return _st;                     \
  } while (0)

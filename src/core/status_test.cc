#include "core/status.h"

#include <gtest/gtest.h>

#include <string>

namespace continuum {
namespace {

TEST(Result, HoldsAValueOrAnError) {
  Result<int> value = 7;
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, 7);
  EXPECT_TRUE(value.status().ok());

  Result<int> error = NotFound("no child c-1");
  EXPECT_FALSE(error.ok());
  EXPECT_EQ(error.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(error.status().message(), "no child c-1");
}

// Regression: a Result made from Status::Ok() used to be neither ok nor an
// error (ok() false, status() ok), so callers propagated "success" without
// a value.
TEST(Result, MadeFromAnOkStatusIsAnInternalError) {
  Result<std::string> r = Status::Ok();
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(r.status().ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
  EXPECT_EQ(r.status().message(), kOkWithoutValue);

  auto from_function = []() -> Result<int> { return Status(); };
  Result<int> f = from_function();
  EXPECT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), StatusCode::kInternal);
}

TEST(Status, ToStringNamesTheCode) {
  EXPECT_EQ(Status::Ok().ToString(), "ok");
  EXPECT_EQ(Unavailable("busy").ToString(), "unavailable: busy");
}

}  // namespace
}  // namespace continuum

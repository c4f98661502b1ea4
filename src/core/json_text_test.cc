#include "core/json_text.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace continuum {
namespace {

std::string Quote(std::string_view s) {
  std::string out;
  AppendJsonString(&out, s);
  return out;
}

TEST(AppendJsonString, EscapesAsRfc8259Requires) {
  EXPECT_EQ(Quote("plain"), "\"plain\"");
  EXPECT_EQ(Quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(Quote("line\nnext\t\x01"), "\"line\\nnext\\t\\u0001\"");
  EXPECT_EQ(Quote("Child’s Plan — §4"), "\"Child’s Plan — §4\"");
}

TEST(AppendJsonString, InvalidUtf8BecomesReplacementCharacter) {
  std::string out = Quote("bad\xff\xfe end \xc3");
  EXPECT_TRUE(nlohmann::json::accept(out));
  EXPECT_EQ(nlohmann::json::parse(out).get<std::string>(), "bad\uFFFD\uFFFD end \uFFFD");
}

}  // namespace
}  // namespace continuum

#include "threshold/observations_json.h"

#include <gtest/gtest.h>

namespace continuum::threshold {
namespace {

TEST(ObservationParser, ReadsAllFields) {
  ObservationParser p;
  auto o = p.Parse(R"({"indicators":["a","b"],"strengths":["s"],"facts":["f"],"age":9})");
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_EQ(o->indicators, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(o->strengths, std::vector<std::string>{"s"});
  EXPECT_EQ(o->facts, std::vector<std::string>{"f"});
  EXPECT_EQ(o->age, 9);
  auto empty = p.Parse("{}");
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->age.has_value());
}

TEST(ObservationParser, RefusesEveryBadInputClass) {
  struct Case {
    std::string in;
    const char* want;
  } cases[] = {
      {"{\"indicators\": [\"a\",", "invalid JSON: parse error at line 1"},
      {"", "invalid JSON"},
      {"[1,2]", "must be a JSON object"},
      {"{\"indicator\": []}", "unknown field 'indicator'"},
      {"{\"indicators\": \"a\"}", "'indicators' must be a list"},
      {"{\"indicators\": [1]}", "'indicators'[0] must be a string"},
      {"{\"age\": \"nine\"}", "'age' must be a whole number"},
      {"{\"age\": 9.5}", "'age' must be a whole number"},
      {"{\"age\": -1}", "'age' must be from 0 to 25"},
      {"{\"age\": 1, \"age\": 2}", "given twice"},
      {std::string(kMaxObservationBytes + 1, ' '), "larger than 1 MiB"},
      {std::string(5000, '[') , "invalid JSON"},
  };
  ObservationParser p;
  for (const auto& c : cases) {
    auto o = p.Parse(c.in);
    ASSERT_FALSE(o.ok()) << c.in.substr(0, 40);
    EXPECT_NE(o.status().message().find(c.want), std::string::npos)
        << c.in.substr(0, 40) << " -> " << o.status().message();
  }
}

}  // namespace
}  // namespace continuum::threshold

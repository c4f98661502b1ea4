#include "store/event_format.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <functional>
#include <set>

namespace continuum::store::internal {
namespace {

TEST(UtcTime, AcceptsOnlyTheDocumentedForm) {
  EXPECT_TRUE(IsUtcTime("2026-11-23T09:30:00Z"));
  EXPECT_TRUE(IsUtcTime("2024-02-29T23:59:59Z"));
  EXPECT_TRUE(IsUtcTime("2000-02-29T00:00:00Z"));
  for (const char* bad :
       {"", "2026-11-23", "2026-11-23T09:30:00", "2026-11-23T09:30:00.000Z", "2026-11-23t09:30:00Z",
        "2026-11-23T09:30:00+00:00", "2026-11-23 09:30:00Z", "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z",
        "2026-04-31T00:00:00Z", "2025-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2026-11-23T24:00:00Z",
        "2026-11-23T09:60:00Z", "2026-11-23T09:30:60Z", "0000-01-01T00:00:00Z", "２０２６-11-23T09:30:00Z",
        "+026-11-23T09:30:00Z"}) {
    EXPECT_FALSE(IsUtcTime(bad)) << bad;
  }
  EXPECT_TRUE(IsDate("2026-11-23"));
  EXPECT_FALSE(IsDate("2026-11-31"));
  EXPECT_TRUE(IsTimeBound("2026-11-23"));
  EXPECT_TRUE(IsTimeBound("2026-11-23T00:00:00Z"));
  EXPECT_FALSE(IsTimeBound("2026-11"));
  EXPECT_TRUE(IsUtcTime(UtcNow()));
}

TEST(EventType, LowercaseDottedWords) {
  for (const char* good :
       {"plan.agreed", "request.received", "a", "step_up.requested", "taf.meeting-held", "x1.y2"}) {
    EXPECT_TRUE(IsEventType(good)) << good;
  }
  for (const char* bad : {"", ".plan", "plan.", "plan..agreed", "Plan.agreed", "plan agreed", "1plan",
                          "plan.*", "plan.1x", "plän"}) {
    EXPECT_FALSE(IsEventType(bad)) << bad;
  }
}

TEST(Utf8, RejectsMalformedSequences) {
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("Child’s Plan — §4 🙂"));
  for (std::string bad : {std::string("\xff"), std::string("\xc3"), std::string("\xc3\x28"),
                          std::string("\xe2\x82"), std::string("\xc0\xaf"),  // overlong '/'
                          std::string("\xed\xa0\x80"),                       // surrogate
                          std::string("\xf4\x90\x80\x80")}) {                // beyond U+10FFFF
    EXPECT_FALSE(IsValidUtf8(bad));
  }
}

TEST(Json, ObjectsOnlyWhenAskedAndNoDuplicateKeys) {
  EXPECT_TRUE(CheckJson("p", R"({"a":[1,2,{"b":null}],"c":"d"})", true, 1000).ok());
  EXPECT_TRUE(CheckJson("p", "[1,2]", false, 1000).ok());
  EXPECT_TRUE(
      CheckJson("p", R"({"a":{"k":1},"b":{"k":2}})", true, 1000).ok());  // same key, different objects
  Status dup = CheckJson("p", R"({"a":1,"b":{"c":1,"c":2}})", true, 1000);
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.message().find("\"c\" appears twice"), std::string::npos) << dup.message();
  EXPECT_FALSE(CheckJson("p", "[1,2]", true, 1000).ok());
  EXPECT_FALSE(CheckJson("p", "{\"a\":1}x", true, 1000).ok());
  EXPECT_FALSE(CheckJson("p", "{\"a\":01}", true, 1000).ok());
  EXPECT_FALSE(CheckJson("p", "{\"a\":1}", true, 5).ok());
  Status syntax = CheckJson("payload", "{\"a\":}", true, 1000);
  ASSERT_FALSE(syntax.ok());
  EXPECT_EQ(syntax.message().rfind("payload is not valid JSON: parse error", 0), 0u) << syntax.message();
}

TEST(Quote, ShortEscapedAndWholeCharacters) {
  EXPECT_EQ(Quote("a\"b\n"), "\"a\\\"b\\x0a\"");
  std::string long_value(500, 'x');
  std::string q = Quote(long_value);
  EXPECT_LT(q.size(), 90u);
  EXPECT_NE(q.find("(500 bytes)"), std::string::npos);
  std::string accents;
  for (int i = 0; i < 40; ++i) accents += "é";
  EXPECT_TRUE(IsValidUtf8(Quote(accents)));
}

Event Sample() {
  return Event{.seq = 7,
               .id = "0123456789abcdef0123456789abcdef",
               .child_id = "c-1",
               .type = "plan.agreed",
               .occurred_at = "2026-11-23T09:30:00Z",
               .recorded_at = "2026-11-23T09:31:00Z",
               .author = "u-7",
               .agency = "school-42",
               .significance = 2,
               .payload = "{}",
               .supersedes = "",
               .reason = "",
               .prev_hash = std::string(64, 'a')};
}

// The encoding in docs/event-log.md, written out by hand.
TEST(EventHash, IsBlake2b256OverTheDocumentedEncoding) {
  Event e = Sample();
  std::string expected;
  for (std::string field : {std::string("continuum.event.v1"), std::string("7"), e.id, e.child_id, e.type,
                            e.occurred_at, e.recorded_at, e.author, e.agency, std::string("2"), e.payload,
                            std::string(), std::string(), e.prev_hash}) {
    for (int shift = 56; shift >= 0; shift -= 8)
      expected.push_back(static_cast<char>((field.size() >> shift) & 0xff));
    expected += field;
  }
  EXPECT_EQ(CanonicalEncoding(e), expected);

  ASSERT_TRUE(InitSodium());
  unsigned char digest[32];
  crypto_generichash(digest, 32, reinterpret_cast<const unsigned char*>(expected.data()), expected.size(),
                     nullptr, 0);
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, digest, 32);
  EXPECT_EQ(EventHash(e), std::string(hex));
  // The worked example in docs/event-log.md (computed there with Python's
  // hashlib.blake2b(digest_size=32)).
  EXPECT_EQ(EventHash(e), "4168678c8452240c74a2ca25fbd215e771312c7527edea246a24dede1a593e2e");
}

TEST(EventHash, EveryFieldButHashAndSupersededByCounts) {
  const Event base = Sample();
  const std::string h = EventHash(base);
  std::vector<std::function<void(Event&)>> changes = {
      [](Event& e) { e.seq = 8; },
      [](Event& e) { e.id[0] = '1'; },
      [](Event& e) { e.child_id = "c-2"; },
      [](Event& e) { e.type = "plan.reviewed"; },
      [](Event& e) { e.occurred_at = "2026-11-23T09:30:01Z"; },
      [](Event& e) { e.recorded_at = "2026-11-23T09:31:01Z"; },
      [](Event& e) { e.author = "u-8"; },
      [](Event& e) { e.agency = "school-43"; },
      [](Event& e) { e.significance = 1; },
      [](Event& e) { e.payload = "{ }"; },
      [](Event& e) { e.supersedes = "x"; },
      [](Event& e) { e.reason = "x"; },
      [](Event& e) { e.prev_hash[0] = 'b'; },
      // Moving bytes between neighbouring fields changes the encoding too.
      [](Event& e) {
        e.author = "u-7s";
        e.agency = "chool-42";
      },
  };
  for (size_t i = 0; i < changes.size(); ++i) {
    Event e = base;
    changes[i](e);
    EXPECT_NE(EventHash(e), h) << "change " << i;
  }
  Event e = base;
  e.hash = "anything";
  e.superseded_by = "anything";
  EXPECT_EQ(EventHash(e), h);
}

TEST(NewEventId, Random128BitsInHex) {
  ASSERT_TRUE(InitSodium());
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) {
    std::string id = NewEventId();
    EXPECT_TRUE(IsLowerHex(id, 32)) << id;
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 1000u);
}

}  // namespace
}  // namespace continuum::store::internal

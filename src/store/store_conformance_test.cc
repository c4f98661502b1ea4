// The Store contract, run against every backend: SQLite always, PostgreSQL
// when CONTINUUM_TEST_PG_URL is set (scripts/with-postgres.sh sets it).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include "store/event_format.h"
#include "store/store.h"
#include "store/store_test_util.h"

namespace continuum::store {
namespace {

using testing::MakeEvent;
using testing::TestDatabase;
using testing::TestProjector;

constexpr const char* kZeros = "0000000000000000000000000000000000000000000000000000000000000000";
// The schema version this build migrates to (migrations.cc of each backend).
constexpr int kLatestSchema = 4;

class StoreConformance : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == testing::kPostgres && testing::PostgresTestUrl().empty()) {
      GTEST_SKIP()
          << "CONTINUUM_TEST_PG_URL is not set; run under scripts/with-postgres.sh to test PostgreSQL";
    }
    auto db = TestDatabase::Create(GetParam());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    store_ = OpenStore();
    ASSERT_NE(store_, nullptr);
  }

  std::unique_ptr<Store> OpenStore() {
    auto s = Open(db_->url());
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }

  Result<std::vector<Event>> Append(std::vector<Event> events) {
    return store_->Append(std::move(events), projector_);
  }

  // Appends and expects success.
  std::vector<Event> MustAppend(std::vector<Event> events) {
    auto r = Append(std::move(events));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::vector<Event>{};
  }

  std::vector<Event> Chronology(ChronologyQuery q) {
    auto r = store_->Chronology(q);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::vector<Event>{};
  }

  int64_t Count(const std::string& table) {
    auto n = db_->Count(table);
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    return n.ok() ? *n : -1;
  }

  // events, children, entities, deadlines: what "nothing written" compares.
  std::vector<int64_t> Counts() {
    return {Count("events"), Count("children"), Count("entities"), Count("deadlines")};
  }

  static std::vector<std::string> Types(const std::vector<Event>& events) {
    std::vector<std::string> out;
    for (const Event& e : events) out.push_back(e.type);
    return out;
  }

  static std::optional<std::string> Column(const Row& row, const std::string& name) {
    for (const auto& [n, v] : row.columns) {
      if (n == name) return v;
    }
    ADD_FAILURE() << "no column " << name;
    return std::nullopt;
  }

  void ExpectVerifies() {
    auto report = store_->Verify(projector_);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_TRUE(report->ok) << report->problem
                            << (report->state_differences.empty() ? "" : "\n" + report->state_differences[0]);
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<Store> store_;
  Projector projector_ = TestProjector;
};

// ---------------------------------------------------------------------------
// Appending and reading back

TEST_P(StoreConformance, AppendAssignsIdsSeqTimesAndChainedHashes) {
  auto stored =
      MustAppend({MakeEvent("c-1", "child.registered", "2026-01-05T09:00:00Z", R"({"name":"Amy"})"),
                  MakeEvent("c-1", "request.received", "2026-01-06T10:30:00Z", R"({"source":"school"})",
                            "school-1", kSignificant),
                  MakeEvent("c-2", "child.registered", "2026-01-07T11:00:00Z", R"({"name":"Ben"})")});
  ASSERT_EQ(stored.size(), 3u);
  std::string previous = kZeros;
  std::set<std::string> ids;
  for (size_t i = 0; i < stored.size(); ++i) {
    const Event& e = stored[i];
    EXPECT_EQ(e.seq, static_cast<int64_t>(i) + 1);
    EXPECT_TRUE(internal::IsLowerHex(e.id, 32)) << e.id;
    ids.insert(e.id);
    EXPECT_TRUE(internal::IsUtcTime(e.recorded_at)) << e.recorded_at;
    EXPECT_EQ(e.prev_hash, previous);
    EXPECT_TRUE(internal::IsLowerHex(e.hash, 64)) << e.hash;
    EXPECT_EQ(e.hash, EventHash(e));
    previous = e.hash;

    auto read = store_->GetEvent(e.id);
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    ASSERT_TRUE(read->has_value());
    const Event& r = **read;
    EXPECT_EQ(r.seq, e.seq);
    EXPECT_EQ(r.child_id, e.child_id);
    EXPECT_EQ(r.type, e.type);
    EXPECT_EQ(r.occurred_at, e.occurred_at);
    EXPECT_EQ(r.recorded_at, e.recorded_at);
    EXPECT_EQ(r.author, e.author);
    EXPECT_EQ(r.agency, e.agency);
    EXPECT_EQ(r.significance, e.significance);
    EXPECT_EQ(r.payload, e.payload);
    EXPECT_EQ(r.supersedes, "");
    EXPECT_EQ(r.reason, "");
    EXPECT_EQ(r.prev_hash, e.prev_hash);
    EXPECT_EQ(r.hash, e.hash);
    EXPECT_EQ(r.superseded_by, "");
  }
  EXPECT_EQ(ids.size(), 3u);
  // The recorded time is now, not a constant.
  auto now = internal::UtcNow();
  EXPECT_EQ(stored[0].recorded_at.substr(0, 10), now.substr(0, 10));

  // The next call continues the chain.
  auto more = MustAppend({MakeEvent("c-1", "note.added", "2026-01-08T09:00:00Z")});
  ASSERT_EQ(more.size(), 1u);
  EXPECT_EQ(more[0].seq, 4);
  EXPECT_EQ(more[0].prev_hash, stored[2].hash);
}

TEST_P(StoreConformance, PayloadAndTextSurviveByteForByte) {
  const std::string payload =
      "{ \"note\" : \"Child’s Plan — §4 \\u00e9 \\\"quoted\\\"\\n\", \"n\": 1.50, \"emoji\": \"🙂\" }";
  Event e = MakeEvent("c-ü", "note.added", "2026-01-05T09:00:00Z", payload, "école-3");
  e.author = "user@example.org";
  auto stored = MustAppend({e});
  ASSERT_EQ(stored.size(), 1u);
  auto read = store_->GetEvent(stored[0].id);
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ((*read)->payload, payload);
  EXPECT_EQ((*read)->child_id, "c-ü");
  EXPECT_EQ((*read)->agency, "école-3");
  EXPECT_EQ((*read)->author, "user@example.org");
  EXPECT_EQ(EventHash(**read), stored[0].hash);
}

TEST_P(StoreConformance, CallerSuppliedIdIsKeptAndADuplicateIsAConflict) {
  Event e = MakeEvent("c-1", "note.added", "2026-01-05T09:00:00Z");
  e.id = "0123456789abcdef0123456789abcdef";
  auto stored = MustAppend({e});
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].id, e.id);

  const auto before = Counts();
  auto again = Append({MakeEvent("c-1", "note.added", "2026-01-06T09:00:00Z"), e});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kConflict) << again.status().ToString();
  EXPECT_NE(again.status().message().find("events[1].id"), std::string::npos) << again.status().message();
  EXPECT_EQ(Counts(), before);

  Event twin = MakeEvent("c-1", "note.added", "2026-01-06T09:00:00Z");
  twin.id = "fedcba9876543210fedcba9876543210";
  auto twice = Append({twin, twin});
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Counts(), before);
}

TEST_P(StoreConformance, GetEventUnknownIsEmptyAndAMalformedIdIsRefused) {
  auto none = store_->GetEvent("0123456789abcdef0123456789abcdef");
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_FALSE(none->has_value());
  auto bad = store_->GetEvent("not-an-id");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------
// Chronology

class ChronologyTest : public StoreConformance {
 protected:
  void SetUp() override {
    StoreConformance::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    // Recorded out of order, by three agencies; c-2's events must never show.
    MustAppend({
        MakeEvent("c-1", "plan.agreed", "2026-03-01T10:00:00Z", "{}", "school-1", kKey),
        MakeEvent("c-1", "request.received", "2026-01-10T09:00:00Z", "{}", "police-2", kSignificant),
        MakeEvent("c-2", "request.received", "2026-01-11T09:00:00Z", "{}", "school-1", kKey),
        MakeEvent("c-1", "note.added", "2026-02-01T00:00:00Z", "{}", "health-3", kRoutine),
        MakeEvent("c-1", "plan.reviewed", "2026-04-01T12:00:00Z", "{}", "school-1", kSignificant),
        MakeEvent("c-1", "planning.meeting", "2026-02-15T15:00:00Z", "{}", "health-3", kRoutine),
        MakeEvent("c-1", "note.added", "2026-02-01T00:00:00Z", "{}", "police-2", kRoutine),
    });
  }
};

TEST_P(ChronologyTest, MergesAgenciesInTimeThenSeqOrder) {
  auto events = Chronology({.child_id = "c-1"});
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(Types(events), (std::vector<std::string>{"request.received", "note.added", "note.added",
                                                     "planning.meeting", "plan.agreed", "plan.reviewed"}));
  // Same occurred_at: log order.
  EXPECT_EQ(events[1].agency, "health-3");
  EXPECT_EQ(events[2].agency, "police-2");
  EXPECT_LT(events[1].seq, events[2].seq);
  for (const Event& e : events) EXPECT_EQ(e.child_id, "c-1");
  EXPECT_TRUE(Chronology({.child_id = "nobody"}).empty());
}

TEST_P(ChronologyTest, FiltersByAgency) {
  auto events = Chronology({.child_id = "c-1", .agencies = {"health-3"}});
  EXPECT_EQ(Types(events), (std::vector<std::string>{"note.added", "planning.meeting"}));
  events = Chronology({.child_id = "c-1", .agencies = {"police-2", "school-1"}});
  EXPECT_EQ(events.size(), 4u);
  EXPECT_TRUE(Chronology({.child_id = "c-1", .agencies = {"unknown-agency"}}).empty());
}

TEST_P(ChronologyTest, FiltersByTypeAndTypePrefix) {
  EXPECT_EQ(Types(Chronology({.child_id = "c-1", .types = {"note.added"}})),
            (std::vector<std::string>{"note.added", "note.added"}));
  // "plan.*" is the plan. prefix: not "planning.meeting", not "plan" itself.
  EXPECT_EQ(Types(Chronology({.child_id = "c-1", .types = {"plan.*"}})),
            (std::vector<std::string>{"plan.agreed", "plan.reviewed"}));
  EXPECT_EQ(Types(Chronology({.child_id = "c-1", .types = {"plan.*", "request.received"}})),
            (std::vector<std::string>{"request.received", "plan.agreed", "plan.reviewed"}));
  EXPECT_TRUE(Chronology({.child_id = "c-1", .types = {"plan"}}).empty());
}

TEST_P(ChronologyTest, FiltersBySignificance) {
  EXPECT_EQ(Types(Chronology({.child_id = "c-1", .min_significance = kSignificant})),
            (std::vector<std::string>{"request.received", "plan.agreed", "plan.reviewed"}));
  EXPECT_EQ(Types(Chronology({.child_id = "c-1", .min_significance = kKey})),
            (std::vector<std::string>{"plan.agreed"}));
}

TEST_P(ChronologyTest, FiltersByDatesFromInclusiveToExclusive) {
  EXPECT_EQ(
      Types(Chronology({.child_id = "c-1", .from = "2026-02-01T00:00:00Z", .to = "2026-03-01T10:00:00Z"})),
      (std::vector<std::string>{"note.added", "note.added", "planning.meeting"}));
  // A date means its midnight, UTC.
  EXPECT_EQ(Types(Chronology({.child_id = "c-1", .from = "2026-03-01", .to = "2026-04-02"})),
            (std::vector<std::string>{"plan.agreed", "plan.reviewed"}));
  EXPECT_EQ(Chronology({.child_id = "c-1", .to = "2026-02-01"}).size(), 1u);
  EXPECT_EQ(Chronology({.child_id = "c-1", .from = "2026-04-01T12:00:01Z"}).size(), 0u);
}

TEST_P(ChronologyTest, LimitAndCombinedFilters) {
  EXPECT_EQ(Types(Chronology({.child_id = "c-1", .limit = 2})),
            (std::vector<std::string>{"request.received", "note.added"}));
  auto events = Chronology({.child_id = "c-1",
                            .agencies = {"school-1", "health-3"},
                            .types = {"plan.*", "note.added", "planning.meeting"},
                            .min_significance = kRoutine,
                            .from = "2026-02-01",
                            .limit = 3});
  EXPECT_EQ(Types(events), (std::vector<std::string>{"note.added", "planning.meeting", "plan.agreed"}));
}

TEST_P(ChronologyTest, QueriesAreValidated) {
  struct Case {
    ChronologyQuery q;
    std::string mentions;
  };
  std::vector<Case> cases = {
      {{.child_id = ""}, "child_id"},
      {{.child_id = "c-1", .agencies = {""}}, "agencies[0]"},
      {{.child_id = "c-1", .types = {"plan*"}}, "types[0]"},
      {{.child_id = "c-1", .types = {"Plan.Agreed"}}, "types[0]"},
      {{.child_id = "c-1", .types = {"note.added", "*"}}, "types[1]"},
      {{.child_id = "c-1", .min_significance = 3}, "min_significance"},
      {{.child_id = "c-1", .from = "2026-13-01"}, "from"},
      {{.child_id = "c-1", .to = "yesterday"}, "to"},
  };
  for (const Case& c : cases) {
    auto r = store_->Chronology(c.q);
    ASSERT_FALSE(r.ok()) << c.mentions;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.mentions), std::string::npos) << r.status().message();
  }
}

// ---------------------------------------------------------------------------
// Corrections

TEST_P(StoreConformance, CorrectionSupersedesAndBothStayVisible) {
  auto first =
      MustAppend({MakeEvent("c-1", "request.received", "2026-01-10T09:00:00Z", R"({"reason":"wrong"})")});
  ASSERT_EQ(first.size(), 1u);
  Event fix = MakeEvent("c-1", "request.received", "2026-01-10T09:00:00Z", R"({"reason":"right"})");
  fix.supersedes = first[0].id;
  fix.reason = "recorded against the wrong referral reason";
  auto fixed = MustAppend({fix});
  ASSERT_EQ(fixed.size(), 1u);
  EXPECT_EQ(fixed[0].supersedes, first[0].id);
  EXPECT_EQ(fixed[0].reason, fix.reason);

  auto events = Chronology({.child_id = "c-1"});
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].id, first[0].id);
  EXPECT_EQ(events[0].superseded_by, fixed[0].id);
  EXPECT_EQ(events[1].superseded_by, "");
  EXPECT_EQ(events[1].supersedes, first[0].id);

  auto current = Chronology({.child_id = "c-1", .include_superseded = false});
  ASSERT_EQ(current.size(), 1u);
  EXPECT_EQ(current[0].id, fixed[0].id);

  auto read = store_->GetEvent(first[0].id);
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ((*read)->superseded_by, fixed[0].id);
  ExpectVerifies();
}

TEST_P(StoreConformance, CorrectionRulesAreEnforced) {
  auto base = MustAppend({MakeEvent("c-1", "note.added", "2026-01-10T09:00:00Z"),
                          MakeEvent("c-2", "note.added", "2026-01-10T09:00:00Z")});
  ASSERT_EQ(base.size(), 2u);
  const auto before = Counts();
  auto correction = [](const std::string& child, const std::string& supersedes, const std::string& reason) {
    Event e = MakeEvent(child, "note.added", "2026-01-11T09:00:00Z");
    e.supersedes = supersedes;
    e.reason = reason;
    return e;
  };

  auto unknown = Append({correction("c-1", "0123456789abcdef0123456789abcdef", "typo")});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.status().message().find("events[0].supersedes"), std::string::npos)
      << unknown.status().message();
  EXPECT_NE(unknown.status().message().find("not in the log"), std::string::npos);

  auto other_child = Append({correction("c-1", base[1].id, "typo")});
  ASSERT_FALSE(other_child.ok());
  EXPECT_EQ(other_child.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(other_child.status().message().find("another child"), std::string::npos)
      << other_child.status().message();

  auto no_reason = Append({correction("c-1", base[0].id, "  ")});
  ASSERT_FALSE(no_reason.ok());
  EXPECT_NE(no_reason.status().message().find("events[0].reason"), std::string::npos);

  Event reason_only = MakeEvent("c-1", "note.added", "2026-01-11T09:00:00Z");
  reason_only.reason = "because";
  auto stray = Append({reason_only});
  ASSERT_FALSE(stray.ok());
  EXPECT_NE(stray.status().message().find("events[0].reason"), std::string::npos);
  EXPECT_EQ(Counts(), before);

  // A correction in the same call as the event it corrects.
  Event original = MakeEvent("c-1", "note.added", "2026-01-12T09:00:00Z");
  original.id = "11111111111111111111111111111111";
  auto same_call = MustAppend({original, correction("c-1", original.id, "wrong date")});
  ASSERT_EQ(same_call.size(), 2u);

  // An event is corrected once; a later correction corrects the correction.
  auto twice = Append({correction("c-1", original.id, "again")});
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.status().code(), StatusCode::kConflict) << twice.status().ToString();
  EXPECT_NE(twice.status().message().find(same_call[1].id), std::string::npos) << twice.status().message();
  auto chained = MustAppend({correction("c-1", same_call[1].id, "again")});
  EXPECT_EQ(chained.size(), 1u);
  ExpectVerifies();
}

// ---------------------------------------------------------------------------
// Validation: every rule, a clear message naming the field, nothing written

TEST_P(StoreConformance, EveryValidationErrorNamesTheFieldAndWritesNothing) {
  MustAppend({MakeEvent("c-1", "child.registered", "2026-01-05T09:00:00Z", R"({"name":"Amy"})")});
  const auto before = Counts();
  struct Case {
    std::string field;
    std::function<void(Event&)> spoil;
  };
  const std::string big(kMaxPayloadBytes, ' ');
  std::string deep;
  for (int i = 0; i < 70; ++i) deep += "{\"a\":";
  deep += "1";
  for (int i = 0; i < 70; ++i) deep += "}";
  std::vector<Case> cases = {
      {"child_id", [](Event& e) { e.child_id = ""; }},
      {"child_id", [](Event& e) { e.child_id = "c\n1"; }},
      {"child_id", [](Event& e) { e.child_id = std::string(kMaxIdBytes + 1, 'c'); }},
      {"child_id", [](Event& e) { e.child_id = " c-1"; }},
      {"child_id",
       [](Event& e) {
         e.child_id = std::string(
             "c\0"
             "1",
             3);
       }},
      {"type", [](Event& e) { e.type = ""; }},
      {"type", [](Event& e) { e.type = "Plan.Agreed"; }},
      {"type", [](Event& e) { e.type = "plan..agreed"; }},
      {"type", [](Event& e) { e.type = "plan.agreed."; }},
      {"type", [](Event& e) { e.type = "plan.*"; }},
      {"type", [](Event& e) { e.type = std::string(kMaxTypeBytes + 1, 'a'); }},
      {"occurred_at", [](Event& e) { e.occurred_at = ""; }},
      {"occurred_at", [](Event& e) { e.occurred_at = "2026-02-30T00:00:00Z"; }},
      {"occurred_at", [](Event& e) { e.occurred_at = "2025-02-29T00:00:00Z"; }},
      {"occurred_at", [](Event& e) { e.occurred_at = "2026-11-23 09:30:00"; }},
      {"occurred_at", [](Event& e) { e.occurred_at = "2026-11-23T24:00:00Z"; }},
      {"occurred_at", [](Event& e) { e.occurred_at = "2026-11-23T09:30:00+01:00"; }},
      {"occurred_at", [](Event& e) { e.occurred_at = "2026-11-23"; }},
      {"author", [](Event& e) { e.author = ""; }},
      {"author", [](Event& e) { e.author = "u\xff"; }},
      {"agency", [](Event& e) { e.agency = ""; }},
      {"agency", [](Event& e) { e.agency = "a\tb"; }},
      {"significance", [](Event& e) { e.significance = -1; }},
      {"significance", [](Event& e) { e.significance = 3; }},
      {"payload", [](Event& e) { e.payload = ""; }},
      {"payload", [](Event& e) { e.payload = "[]"; }},
      {"payload", [](Event& e) { e.payload = "\"text\""; }},
      {"payload", [](Event& e) { e.payload = "{"; }},
      {"payload", [](Event& e) { e.payload = "{\"a\":1} trailing"; }},
      {"payload", [](Event& e) { e.payload = "{\"a\":1,\"a\":2}"; }},
      {"payload", [](Event& e) { e.payload = "{\"a\":\"\xc3\x28\"}"; }},
      {"payload", [&](Event& e) { e.payload = "{\"a\":\"" + big + "\"}"; }},
      {"payload", [&](Event& e) { e.payload = deep; }},
      {"id", [](Event& e) { e.id = "XYZ"; }},
      {"id", [](Event& e) { e.id = "0123456789ABCDEF0123456789ABCDEF"; }},
      {"seq", [](Event& e) { e.seq = 5; }},
      {"recorded_at", [](Event& e) { e.recorded_at = "2026-01-01T00:00:00Z"; }},
      {"prev_hash", [](Event& e) { e.prev_hash = kZeros; }},
      {"hash", [](Event& e) { e.hash = kZeros; }},
      {"superseded_by", [](Event& e) { e.superseded_by = "0123456789abcdef0123456789abcdef"; }},
      {"supersedes",
       [](Event& e) {
         e.supersedes = "abc";
         e.reason = "typo";
       }},
      {"reason",
       [](Event& e) {
         e.supersedes = "0123456789abcdef0123456789abcdef";
         e.reason = std::string(kMaxReasonBytes + 1, 'r');
       }},
  };
  for (const Case& c : cases) {
    Event good = MakeEvent("c-1", "note.added", "2026-01-06T09:00:00Z");
    Event bad = MakeEvent("c-1", "note.added", "2026-01-07T09:00:00Z");
    c.spoil(bad);
    auto r = Append({good, bad});
    ASSERT_FALSE(r.ok()) << "accepted a bad " << c.field;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
    EXPECT_NE(r.status().message().find("events[1]." + c.field), std::string::npos)
        << "expected events[1]." << c.field << " in: " << r.status().message();
    EXPECT_LT(r.status().message().size(), 600u) << "the message should quote, not dump, the value";
  }
  auto empty = Append({});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), StatusCode::kInvalidArgument);
  auto no_projector = store_->Append({MakeEvent("c-1", "note.added", "2026-01-06T09:00:00Z")}, Projector());
  ASSERT_FALSE(no_projector.ok());
  EXPECT_EQ(no_projector.status().code(), StatusCode::kInvalidArgument);
  std::vector<Event> too_many(kMaxEventsPerAppend + 1,
                              MakeEvent("c-1", "note.added", "2026-01-06T09:00:00Z"));
  auto flood = Append(too_many);
  ASSERT_FALSE(flood.ok());
  EXPECT_EQ(flood.status().code(), StatusCode::kInvalidArgument);

  EXPECT_EQ(Counts(), before);
  ExpectVerifies();
}

TEST_P(StoreConformance, AcceptsTheEdgesOfEveryRule) {
  Event e = MakeEvent(std::string(kMaxIdBytes, 'c'), std::string(kMaxTypeBytes, 'a'), "2024-02-29T23:59:59Z",
                      "{\"a\":\"" + std::string(kMaxPayloadBytes - 16, 'x') + "\"}", "a", kKey);
  e.author = "Ö";
  auto stored = MustAppend({e});
  ASSERT_EQ(stored.size(), 1u);
  Event fix = MakeEvent(e.child_id, "note.added", "0001-01-01T00:00:00Z", " {\n} ");
  fix.supersedes = stored[0].id;
  fix.reason = std::string(kMaxReasonBytes - 2, 'r') + "\n\t";
  EXPECT_EQ(MustAppend({fix}).size(), 1u);
  ExpectVerifies();
}

// ---------------------------------------------------------------------------
// All or nothing

TEST_P(StoreConformance, AFailingEventFailsTheWholeCallAndWritesNothing) {
  auto first =
      MustAppend({MakeEvent("c-0", "child.registered", "2026-01-01T00:00:00Z", R"({"name":"Zed"})")});
  const auto before = Counts();
  auto r = Append({MakeEvent("c-1", "child.registered", "2026-01-05T09:00:00Z", R"({"name":"Amy"})"),
                   MakeEvent("c-1", "note.added", "2026-01-06T09:00:00Z"),
                   MakeEvent("c-1", "test.rejected", "2026-01-07T09:00:00Z")});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("events[2] (test.rejected)"), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("test projector rejects"), std::string::npos) << r.status().message();
  EXPECT_EQ(Counts(), before);
  auto row = store_->GetRow("children", {"c-1"});
  ASSERT_TRUE(row.ok());
  EXPECT_FALSE(row->has_value());

  // A projector that emits a bad row is a bug: kInternal, and nothing written.
  auto bad_row = Append({MakeEvent("c-1", "note.added", "2026-01-06T09:00:00Z"),
                         MakeEvent("c-1", "test.bad-row", "2026-01-06T09:00:00Z")});
  ASSERT_FALSE(bad_row.ok());
  EXPECT_EQ(bad_row.status().code(), StatusCode::kInternal);
  EXPECT_NE(bad_row.status().message().find("favourite_colour"), std::string::npos)
      << bad_row.status().message();
  EXPECT_EQ(Counts(), before);

  // A deadline created without its required columns is refused the same way.
  auto missing =
      Append({MakeEvent("c-1", "deadline.met", "2026-01-06T09:00:00Z", R"({"deadline_id":"d-404"})")});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("required"), std::string::npos) << missing.status().message();
  EXPECT_EQ(Counts(), before);

  // The chain carries on from the last committed event.
  auto next = MustAppend({MakeEvent("c-1", "note.added", "2026-01-08T09:00:00Z")});
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].seq, 2);
  EXPECT_EQ(next[0].prev_hash, first[0].hash);
  ExpectVerifies();
}

TEST_P(StoreConformance, ProjectorExceptionsBecomeErrors) {
  Projector throwing = [](const Event&, StateReader&, std::vector<Row>*) -> Status {
    throw std::runtime_error("boom");
  };
  auto r = store_->Append({MakeEvent("c-1", "note.added", "2026-01-06T09:00:00Z")}, throwing);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
  EXPECT_NE(r.status().message().find("boom"), std::string::npos);
  EXPECT_EQ(Count("events"), 0);
}

// ---------------------------------------------------------------------------
// Current state

TEST_P(StoreConformance, ProjectorReadsItsOwnEarlierWritesInOneCall) {
  std::vector<Event> notes(5, MakeEvent("c-1", "note.added", "2026-01-06T09:00:00Z"));
  MustAppend(notes);
  auto row = store_->GetRow("entities", {"c-1", "note-count", "all"});
  ASSERT_TRUE(row.ok() && row->has_value()) << row.status().ToString();
  EXPECT_EQ(Column(**row, "data"), R"({"count":5})");
  MustAppend({notes[0], notes[1]});
  row = store_->GetRow("entities", {"c-1", "note-count", "all"});
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ(Column(**row, "data"), R"({"count":7})");
  EXPECT_EQ(Column(**row, "updated_seq"), "7");
}

TEST_P(StoreConformance, RowsMergeNamedColumnsAndTrackTheirEvent) {
  auto registered = MustAppend(
      {MakeEvent("c-1", "child.registered", "2026-01-05T09:00:00Z", R"({"name":"Amy","dob":"2015-04-01"})")});
  MustAppend({MakeEvent("c-1", "child.renamed", "2026-01-06T09:00:00Z", R"({"name":"Amelia"})")});
  auto row = store_->GetRow("children", {"c-1"});
  ASSERT_TRUE(row.ok() && row->has_value());
  const Row& r = **row;
  EXPECT_EQ(r.table, "children");
  EXPECT_EQ(r.key_columns, 1);
  std::vector<std::string> names;
  for (const auto& [n, v] : r.columns) names.push_back(n);
  EXPECT_EQ(names, (std::vector<std::string>{"child_id", "display_name", "date_of_birth", "nhs_number", "upn",
                                             "local_id", "framework_id", "data", "updated_seq"}));
  EXPECT_EQ(Column(r, "display_name"), "Amelia");
  EXPECT_EQ(Column(r, "date_of_birth"), "2015-04-01");  // kept: the rename did not name it
  EXPECT_EQ(Column(r, "nhs_number"), std::nullopt);
  EXPECT_EQ(Column(r, "updated_seq"), "2");

  // Removal, and ListRows in key order.
  MustAppend(
      {MakeEvent("c-1", "entity.added", "2026-01-07T09:00:00Z", R"({"kind":"school","entity_id":"s-2"})"),
       MakeEvent("c-1", "entity.added", "2026-01-07T09:00:00Z", R"({"kind":"school","entity_id":"s-1"})"),
       MakeEvent("c-2", "entity.added", "2026-01-07T09:00:00Z", R"({"kind":"school","entity_id":"s-9"})")});
  auto list = store_->ListRows("entities", "c-1");
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ(Column((*list)[0], "entity_id"), "s-1");
  EXPECT_EQ(Column((*list)[1], "entity_id"), "s-2");
  MustAppend(
      {MakeEvent("c-1", "entity.removed", "2026-01-08T09:00:00Z", R"({"kind":"school","entity_id":"s-1"})")});
  list = store_->ListRows("entities", "c-1");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(Column((*list)[0], "entity_id"), "s-2");
  auto children = store_->ListRows("children", "c-1");
  ASSERT_TRUE(children.ok());
  EXPECT_EQ(children->size(), 1u);
  ExpectVerifies();
}

TEST_P(StoreConformance, DeadlinesByOwnerTeamAgencyDueDateAndStatus) {
  auto deadline = [](const std::string& child, const std::string& id, const std::string& due,
                     const std::string& owner, const std::string& team, const std::string& agency) {
    return MakeEvent(child, "deadline.set", "2026-01-05T09:00:00Z",
                     R"({"deadline_id":")" + id + R"(","due_at":")" + due + R"(","owner":")" + owner +
                         R"(","team":")" + team + R"(","label":"Review the plan"})",
                     agency);
  };
  auto set = MustAppend({deadline("c-1", "d-3", "2026-03-01T09:00:00Z", "u-1", "eh-north", "school-1"),
                         deadline("c-1", "d-1", "2026-02-01T09:00:00Z", "u-1", "eh-north", "school-1"),
                         deadline("c-2", "d-2", "2026-02-15T09:00:00Z", "u-2", "eh-south", "health-3"),
                         deadline("c-2", "d-4", "2026-02-15T09:00:00Z", "u-2", "eh-north", "health-3")});
  auto ids = [&](const DeadlineQuery& q) {
    auto rows = store_->Deadlines(q);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    std::vector<std::string> out;
    if (rows.ok()) {
      for (const Row& r : *rows) out.push_back(*Column(r, "deadline_id"));
    }
    return out;
  };
  EXPECT_EQ(ids({}), (std::vector<std::string>{"d-1", "d-2", "d-4", "d-3"}));
  EXPECT_EQ(ids({.owner = "u-1"}), (std::vector<std::string>{"d-1", "d-3"}));
  EXPECT_EQ(ids({.team = "eh-north"}), (std::vector<std::string>{"d-1", "d-4", "d-3"}));
  EXPECT_EQ(ids({.agency = "health-3"}), (std::vector<std::string>{"d-2", "d-4"}));
  EXPECT_EQ(ids({.team = "eh-north", .agency = "health-3"}), (std::vector<std::string>{"d-4"}));
  EXPECT_EQ(ids({.due_before = "2026-02-15T09:00:00Z"}), (std::vector<std::string>{"d-1"}));
  EXPECT_EQ(ids({.due_before = "2026-02-16"}), (std::vector<std::string>{"d-1", "d-2", "d-4"}));

  MustAppend({MakeEvent("c-1", "deadline.met", "2026-01-20T09:00:00Z", R"({"deadline_id":"d-1"})")});
  EXPECT_EQ(ids({.owner = "u-1"}), (std::vector<std::string>{"d-3"}));
  EXPECT_EQ(ids({.owner = "u-1", .open_only = false}), (std::vector<std::string>{"d-1", "d-3"}));
  auto met = store_->GetRow("deadlines", {"d-1"});
  ASSERT_TRUE(met.ok() && met->has_value());
  EXPECT_EQ(Column(**met, "status"), "done");
  EXPECT_EQ(Column(**met, "label"), "Review the plan");
  EXPECT_EQ(Column(**met, "source_event"), set[1].id);
  EXPECT_EQ(Column(**met, "child_id"), "c-1");

  auto bad = store_->Deadlines({.due_before = "soon"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("due_before"), std::string::npos);
  ExpectVerifies();
}

TEST_P(StoreConformance, StateReadsAreValidated) {
  auto unknown = store_->GetRow("users", {"u-1"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.status().message().find("users"), std::string::npos);
  auto injection = store_->GetRow("children; DROP TABLE events", {"c-1"});
  ASSERT_FALSE(injection.ok());
  EXPECT_EQ(injection.status().code(), StatusCode::kInvalidArgument);
  auto short_key = store_->GetRow("entities", {"c-1"});
  ASSERT_FALSE(short_key.ok());
  EXPECT_NE(short_key.status().message().find("child_id, kind, entity_id"), std::string::npos)
      << short_key.status().message();
  auto list = store_->ListRows("events", "c-1");
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.status().code(), StatusCode::kInvalidArgument);
  auto no_child = store_->ListRows("children", "");
  ASSERT_FALSE(no_child.ok());
  EXPECT_EQ(no_child.status().code(), StatusCode::kInvalidArgument);
  // A value with SQL in it is just a value.
  auto quoted = store_->GetRow("children", {"c-1' OR '1'='1"});
  ASSERT_TRUE(quoted.ok()) << quoted.status().ToString();
  EXPECT_FALSE(quoted->has_value());
  EXPECT_GE(Count("events"), 0);
}

TEST_P(StoreConformance, ProjectorRowsAreValidatedAgainstTheSchema) {
  struct Case {
    Row row;
    std::string mentions;
  };
  std::vector<Case> cases = {
      {{.table = "users", .columns = {{"child_id", "c-1"}}}, "users"},
      {{.table = "children", .columns = {{"display_name", "A"}, {"child_id", "c-1"}}}, "start with its key"},
      {{.table = "children", .columns = {{"child_id", "c-1"}, {"updated_seq", "9"}}}, "updated_seq"},
      {{.table = "children", .columns = {{"child_id", "c-1"}, {"date_of_birth", "01/02/2015"}}},
       "date_of_birth"},
      {{.table = "children", .columns = {{"child_id", "c-1"}, {"data", "{nope"}}}, "children.data"},
      {{.table = "children", .columns = {{"child_id", std::nullopt}}}, "child_id"},
      {{.table = "children", .columns = {{"child_id", "c-1"}, {"upn", "x"}, {"upn", "y"}}}, "twice"},
      {{.table = "entities", .columns = {{"child_id", "c-1"}, {"kind", "k"}}, .key_columns = 2},
       "key column"},
      {{.table = "deadlines", .columns = {{"deadline_id", "d-1"}, {"status", "late"}}}, "status"},
      {{.table = "deadlines", .columns = {{"deadline_id", "d-1"}, {"due_at", "tomorrow"}}}, "due_at"},
      {{.table = "deadlines", .columns = {{"deadline_id", "d-1"}, {"source_event", "e-1"}}}, "source_event"},
      {{.table = "children", .columns = {{"child_id", "c-1"}, {"shoe_size", "3"}}, .remove = true},
       "shoe_size"},
      {{.table = "deadlines", .columns = {{"deadline_id", "d-1"}, {"due_at", ""}}}, "due_at"},
      {{.table = "entities",
        .columns = {{"child_id", "c-1"}, {"kind", ""}, {"entity_id", "e"}},
        .key_columns = 3},
       "entities.kind is required"},
      // Well formed, but no such event: only the database's foreign key sees it.
      {{.table = "deadlines",
        .columns = {{"deadline_id", "d-1"},
                    {"child_id", "c-1"},
                    {"due_at", "2026-02-01T00:00:00Z"},
                    {"status", "open"},
                    {"source_event", "0123456789abcdef0123456789abcdef"}}},
       "projector row 0"},
  };
  const auto before = Counts();
  for (const Case& c : cases) {
    Projector emit = [&](const Event&, StateReader&, std::vector<Row>* rows) {
      rows->push_back(c.row);
      return Status::Ok();
    };
    auto r = store_->Append({MakeEvent("c-1", "note.added", "2026-01-06T09:00:00Z")}, emit);
    ASSERT_FALSE(r.ok()) << c.mentions;
    EXPECT_EQ(r.status().code(), StatusCode::kInternal) << r.status().ToString();
    EXPECT_NE(r.status().message().find(c.mentions), std::string::npos) << r.status().message();
  }
  EXPECT_EQ(Counts(), before);
}

TEST_P(StoreConformance, BlankOptionalColumnsAndRemovalsCarryingColumns) {
  Projector projector = [](const Event& e, StateReader&, std::vector<Row>* rows) {
    if (e.type == "child.registered") {
      rows->push_back({.table = "children",
                       .columns = {{"child_id", e.child_id},
                                   {"display_name", ""},
                                   {"date_of_birth", ""},
                                   {"framework_id", ""},
                                   {"data", ""}}});
      rows->push_back(
          {.table = "entities",
           .columns = {{"child_id", e.child_id}, {"kind", "case"}, {"entity_id", "current"}, {"data", "{}"}},
           .key_columns = 3});
    } else {
      rows->push_back(
          {.table = "entities",
           .columns = {{"child_id", e.child_id}, {"kind", "case"}, {"entity_id", "current"}, {"data", "{}"}},
           .key_columns = 3,
           .remove = true});
    }
    return Status::Ok();
  };
  auto r = store_->Append({MakeEvent("c-1", "child.registered", "2026-01-05T09:00:00Z")}, projector);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto child = store_->GetRow("children", {"c-1"});
  ASSERT_TRUE(child.ok() && child->has_value());
  EXPECT_EQ(Column(**child, "date_of_birth"), "");
  EXPECT_EQ(Column(**child, "nhs_number"), std::nullopt);
  r = store_->Append({MakeEvent("c-1", "case.closed", "2026-01-06T09:00:00Z")}, projector);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto gone = store_->GetRow("entities", {"c-1", "case", "current"});
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());
  auto report = store_->Verify(projector);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok) << report->problem;
}

// ---------------------------------------------------------------------------
// Group commit and concurrency

TEST_P(StoreConformance, GroupCommitUnderEightWriters) {
  constexpr int kThreads = 8;
  const int per_thread = GetParam() == testing::kSqlite ? 150 : 60;
  std::vector<std::vector<Event>> acknowledged(kThreads);
  std::vector<int> refused(kThreads, 0);
  std::vector<std::string> errors(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string child = "c-" + std::to_string(t);
      for (int i = 0; i < per_thread; ++i) {
        std::vector<Event> events;
        if (i % 7 == 3) {
          // Fails in the projector, inside a batch shared with other callers.
          events = {MakeEvent("shared", "note.added", "2026-01-06T09:00:00Z"),
                    MakeEvent(child, "test.rejected", "2026-01-06T09:00:00Z")};
        } else {
          events = {
              MakeEvent(child, "note.added", "2026-01-06T09:00:00Z", R"({"i":)" + std::to_string(i) + "}"),
              MakeEvent("shared", "note.added", "2026-01-06T09:00:00Z")};
          if (i % 5 == 0) events.pop_back();
        }
        auto r = store_->Append(events, projector_);
        if (r.ok()) {
          acknowledged[t].insert(acknowledged[t].end(), r->begin(), r->end());
        } else if (r.status().code() == StatusCode::kInvalidArgument) {
          ++refused[t];
        } else {
          errors[t] = r.status().ToString();
          return;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) ASSERT_EQ(errors[t], "") << "thread " << t;

  std::map<std::string, int> seen;
  std::set<int64_t> seqs;
  int64_t shared_notes = 0;
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(refused[t], (per_thread + 3) / 7);
    for (const Event& e : acknowledged[t]) {
      ++seen[e.id];
      seqs.insert(e.seq);
      if (e.child_id == "shared") ++shared_notes;
    }
  }
  const int64_t total = Count("events");
  EXPECT_EQ(static_cast<int64_t>(seen.size()), total);
  EXPECT_EQ(static_cast<int64_t>(seqs.size()), total);
  EXPECT_EQ(*seqs.begin(), 1);
  EXPECT_EQ(*seqs.rbegin(), total);
  // Every acknowledged event is stored exactly once, with what was returned.
  for (int t = 0; t < kThreads; ++t) {
    auto events = Chronology({.child_id = "c-" + std::to_string(t)});
    int mine = 0;
    for (const Event& e : acknowledged[t]) mine += e.child_id != "shared";
    EXPECT_EQ(static_cast<int>(events.size()), mine);
    for (const Event& e : events) EXPECT_EQ(seen[e.id], 1) << e.id;
  }
  // Read-your-writes across callers batched together.
  auto counter = store_->GetRow("entities", {"shared", "note-count", "all"});
  ASSERT_TRUE(counter.ok() && counter->has_value());
  EXPECT_EQ(Column(**counter, "data"), R"({"count":)" + std::to_string(shared_notes) + "}");
  ExpectVerifies();
}

// Two Store objects on one database stand for two processes or servers.
TEST_P(StoreConformance, TwoStoresOnOneDatabaseNeverForkTheChain) {
  std::unique_ptr<Store> other = OpenStore();
  ASSERT_NE(other, nullptr);
  constexpr int kPerStore = 80;
  std::atomic<int> failures{0};
  auto writer = [&](Store* s, const std::string& child) {
    for (int i = 0; i < kPerStore; ++i) {
      auto r = s->Append({MakeEvent(child, "note.added", "2026-01-06T09:00:00Z"),
                          MakeEvent("shared", "note.added", "2026-01-06T09:00:00Z")},
                         projector_);
      if (!r.ok()) {
        ADD_FAILURE() << r.status().ToString();
        ++failures;
      }
    }
  };
  std::thread a(writer, store_.get(), "c-a"), b(writer, other.get(), "c-b"), c(writer, store_.get(), "c-c"),
      d(writer, other.get(), "c-d");
  a.join();
  b.join();
  c.join();
  d.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Count("events"), 4 * kPerStore * 2);
  auto counter = store_->GetRow("entities", {"shared", "note-count", "all"});
  ASSERT_TRUE(counter.ok() && counter->has_value());
  EXPECT_EQ(Column(**counter, "data"), R"({"count":)" + std::to_string(4 * kPerStore) + "}");
  ExpectVerifies();
}

// ---------------------------------------------------------------------------
// The connection pool

// A pool of 2 (the writer's connection and one for reads) serves 8 threads
// appending and 8 reading: every call succeeds, and never more than 2
// connections are open — counted by the store and, on PostgreSQL, by the
// server itself (pg_stat_activity).
TEST_P(StoreConformance, APoolOfTwoServesSixteenThreadsWithTwoConnections) {
  std::string url = db_->url();
  std::string application;
  if (GetParam() == testing::kPostgres) {
    application = "continuum_pool_" + internal::NewEventId().substr(0, 12);
    url += (url.find('?') == std::string::npos ? "?" : "&") + std::string("application_name=") + application;
  }
  auto opened = Open(url, {.pool_size = 2, .pool_wait = std::chrono::minutes(5)});
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Store& store = **opened;
  MustAppend({MakeEvent("c-pool", "child.registered", "2026-01-05T09:00:00Z", R"({"name":"Amy"})")});

  std::atomic<bool> done{false};
  std::atomic<int64_t> most_seen_by_server{0};
  std::string sample_error;
  std::thread sampler;
  if (!application.empty()) {
    sampler = std::thread([&] {
      while (!done.load()) {
        auto rows =
            db_->Query("SELECT count(*) FROM pg_stat_activity WHERE application_name = ?", {application});
        if (!rows.ok()) {
          sample_error = rows.status().ToString();
          return;
        }
        int64_t n = std::stoll(*(*rows)[0][0]);
        if (n > most_seen_by_server.load()) most_seen_by_server = n;
      }
    });
  }
  constexpr int kThreads = 8, kEach = 25;
  std::vector<std::string> errors;
  std::mutex mu;
  auto failed = [&](const Status& st) {
    std::lock_guard lock(mu);
    errors.push_back(st.ToString());
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto r = store.Append(
            {MakeEvent("c-pool-" + std::to_string(t), "note.added", "2026-01-06T09:00:00Z")}, projector_);
        if (!r.ok()) failed(r.status());
      }
    });
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        if (auto r = store.Chronology({.child_id = "c-pool"}); !r.ok() || r->size() != 1) {
          failed(r.ok() ? Internal("chronology of " + std::to_string(r->size()) + " events") : r.status());
        }
        if (auto r = store.GetRow("children", {"c-pool"}); !r.ok()) failed(r.status());
        if (auto r = store.directory().ListAgencies(); !r.ok()) failed(r.status());
        if (auto r = store.Audit({.user = "u-" + std::to_string(t)}); !r.ok()) failed(r.status());
      }
    });
  }
  for (auto& th : threads) th.join();
  done = true;
  if (sampler.joinable()) sampler.join();
  EXPECT_TRUE(errors.empty()) << errors.size() << " calls failed, the first: " << errors.front();
  EXPECT_EQ(Count("events"), 1 + kThreads * kEach);
  ConnectionStats stats = store.Connections();
  EXPECT_EQ(stats.pool_size, 2);
  EXPECT_LE(stats.most_open, 2);
  EXPECT_GE(stats.most_open, 2);  // the writer's and a reader's
  EXPECT_EQ(stats.wait_timeouts, 0u);
  if (!application.empty()) {
    EXPECT_EQ(sample_error, "");
    EXPECT_GE(most_seen_by_server.load(), 1);
    EXPECT_LE(most_seen_by_server.load(), 2);
  }
}

// A read that finds every connection in use waits, then fails with
// kUnavailable saying so. The only reader connection is held by Verify,
// whose projector waits until the other read has given up.
TEST_P(StoreConformance, AReadWaitsForAConnectionThenGivesUpSayingWhy) {
  MustAppend({MakeEvent("c-wait", "note.added", "2026-01-05T09:00:00Z")});
  auto opened = Open(db_->url(), {.pool_size = 2, .pool_wait = std::chrono::milliseconds(200)});
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Store& store = **opened;
  std::mutex mu;
  std::condition_variable cv;
  bool holding = false, released = false;
  Projector holds = [&](const Event& e, StateReader& state, std::vector<Row>* rows) {
    std::unique_lock lock(mu);
    holding = true;
    cv.notify_all();
    cv.wait(lock, [&] { return released; });
    return TestProjector(e, state, rows);
  };
  std::thread verify([&] { (void)store.Verify(holds); });
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return holding; });
  }
  auto r = store.GetRow("children", {"c-wait"});
  {
    std::lock_guard lock(mu);
    released = true;
    cv.notify_all();
  }
  verify.join();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().ToString();
  EXPECT_NE(r.status().message().find("all 1 connections for reading were in use for the "),
            std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("at most 2 connections"), std::string::npos) << r.status().message();
  EXPECT_EQ(store.Connections().wait_timeouts, 1u);
  EXPECT_TRUE(store.GetRow("children", {"c-wait"}).ok());  // free again
}

TEST(StoreOpen, APoolSmallerThanTwoIsRefused) {
  for (int size : {-1, 0, 1}) {
    auto s = Open("sqlite:/nonexistent-directory/continuum.db", {.pool_size = size});
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument) << s.status().ToString();
    EXPECT_NE(s.status().message().find("pool size is " + std::to_string(size)), std::string::npos)
        << s.status().message();
  }
}

// ---------------------------------------------------------------------------
// Verify

TEST_P(StoreConformance, VerifyPassesOnACleanStore) {
  auto empty = store_->Verify(projector_);
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_TRUE(empty->ok) << empty->problem;
  EXPECT_EQ(empty->events, 0);

  auto first = MustAppend({MakeEvent("c-1", "child.registered", "2026-01-05T09:00:00Z", R"({"name":"Amy"})"),
                           MakeEvent("c-1", "note.added", "2026-01-06T09:00:00Z"),
                           MakeEvent("c-1", "deadline.set", "2026-01-06T09:00:00Z",
                                     R"({"deadline_id":"d-1","due_at":"2026-02-01T00:00:00Z"})")});
  Event fix = MakeEvent("c-1", "child.registered", "2026-01-05T09:00:00Z", R"({"name":"Amie"})");
  fix.supersedes = first[0].id;
  fix.reason = "name misspelt";
  MustAppend({fix, MakeEvent("c-1", "deadline.met", "2026-01-20T09:00:00Z", R"({"deadline_id":"d-1"})")});
  auto report = store_->Verify(projector_);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->events, 5);
  EXPECT_EQ(report->first_bad_event, "");
  EXPECT_TRUE(report->state_differences.empty());
}

TEST_P(StoreConformance, VerifyReportsStateThatDisagreesWithTheProjector) {
  MustAppend({MakeEvent("c-1", "child.registered", "2026-01-05T09:00:00Z", R"({"name":"Amy"})"),
              MakeEvent("c-1", "note.added", "2026-01-06T09:00:00Z")});
  Projector renaming = [](const Event& e, StateReader& state, std::vector<Row>* rows) {
    Status st = TestProjector(e, state, rows);
    for (Row& r : *rows) {
      for (auto& [name, value] : r.columns) {
        if (name == "display_name") value = "Someone else";
      }
    }
    return st;
  };
  auto report = store_->Verify(renaming);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->first_bad_event, "");
  ASSERT_EQ(report->state_differences.size(), 1u);
  EXPECT_NE(
      report->state_differences[0].find("children [c-1]: display_name is \"Amy\" in the table but \"Someone "
                                        "else\" on replay"),
      std::string::npos)
      << report->state_differences[0];

  Projector silent = [](const Event&, StateReader&, std::vector<Row>*) { return Status::Ok(); };
  report = store_->Verify(silent);
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->state_differences.size(), 2u);
  for (const std::string& d : report->state_differences)
    EXPECT_NE(d.find("extra row"), std::string::npos) << d;

  Projector refusing = [](const Event&, StateReader&, std::vector<Row>*) { return InvalidArgument("no"); };
  report = store_->Verify(refusing);
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->ok);
  EXPECT_NE(report->problem.find("replaying event"), std::string::npos) << report->problem;
}

// ---------------------------------------------------------------------------
// The database underneath

TEST_P(StoreConformance, EventsAreAppendOnlyInTheDatabaseItself) {
  MustAppend({MakeEvent("c-1", "note.added", "2026-01-06T09:00:00Z")});
  Status update = db_->Exec("UPDATE events SET payload = '{}' WHERE seq = 1");
  EXPECT_FALSE(update.ok());
  EXPECT_NE(update.message().find("append-only"), std::string::npos) << update.message();
  Status remove = db_->Exec("DELETE FROM events");
  EXPECT_FALSE(remove.ok());
  EXPECT_EQ(Count("events"), 1);
}

TEST_P(StoreConformance, ReopeningKeepsDataAndSchemaVersion) {
  EXPECT_EQ(store_->SchemaVersion(), kLatestSchema);
  auto stored =
      MustAppend({MakeEvent("c-1", "child.registered", "2026-01-05T09:00:00Z", R"({"name":"Amy"})")});
  store_.reset();
  for (int i = 0; i < 2; ++i) {
    store_ = OpenStore();
    ASSERT_NE(store_, nullptr);
    EXPECT_EQ(store_->SchemaVersion(), kLatestSchema);
    auto read = store_->GetEvent(stored[0].id);
    ASSERT_TRUE(read.ok() && read->has_value());
    store_.reset();
  }
  auto versions = db_->Query("SELECT version, name FROM schema_migrations ORDER BY version");
  ASSERT_TRUE(versions.ok()) << versions.status().ToString();
  ASSERT_EQ(versions->size(), static_cast<size_t>(kLatestSchema));
  for (int i = 0; i < kLatestSchema; ++i) EXPECT_EQ((*versions)[i][0], std::to_string(i + 1));
  store_ = OpenStore();
  ExpectVerifies();
}

TEST_P(StoreConformance, ADatabaseWithANewerSchemaIsRefused) {
  store_.reset();
  const std::string future = std::to_string(kLatestSchema + 1);
  ASSERT_TRUE(db_->Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (" + future +
                        ", 'from the future', '2030-01-01T00:00:00Z')")
                  .ok());
  auto s = Open(db_->url());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kConflict) << s.status().ToString();
  EXPECT_NE(s.status().message().find("schema version " + future + ", newer than this build"),
            std::string::npos)
      << s.status().message();
}

TEST_P(StoreConformance, ADatabaseOfSomethingElseIsRefused) {
  auto other = TestDatabase::Create(GetParam());
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE((*other)->Exec("CREATE TABLE invoices (id integer PRIMARY KEY)").ok());
  auto s = Open((*other)->url());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kConflict) << s.status().ToString();
  EXPECT_NE(s.status().message().find("not a Continuum database"), std::string::npos) << s.status().message();
  auto still = (*other)->Count("invoices");
  EXPECT_TRUE(still.ok());
}

TEST_P(StoreConformance, ConcurrentFirstOpensMigrateOnce) {
  auto fresh = TestDatabase::Create(GetParam());
  ASSERT_TRUE(fresh.ok());
  std::vector<std::thread> threads;
  std::vector<std::string> errors(4);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      auto s = Open((*fresh)->url());
      if (!s.ok()) errors[i] = s.status().ToString();
    });
  }
  for (auto& t : threads) t.join();
  for (const std::string& e : errors) EXPECT_EQ(e, "");
  auto n = (*fresh)->Count("schema_migrations");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, kLatestSchema);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformance, ::testing::Values(testing::kSqlite, testing::kPostgres),
                         [](const auto& info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(Backends, ChronologyTest, ::testing::Values(testing::kSqlite, testing::kPostgres),
                         [](const auto& info) { return info.param; });

// ---------------------------------------------------------------------------
// Open: URLs and unreachable databases (no database needed)

TEST(StoreOpen, MalformedUrlsAreInvalidArguments) {
  for (const char* url : {"", "sqlite:", "sqlite://", "mysql://db.example/continuum",
                          ":memory:", "sqlite::memory:", "postgresql:relative",
                          "postgresql://h/db?no_such_option=1", "postgres://[::1/db"}) {
    auto s = Open(url);
    ASSERT_FALSE(s.ok()) << url;
    EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument) << url << ": " << s.status().ToString();
    EXPECT_FALSE(s.status().message().empty());
  }
}

TEST(StoreOpen, UnreachableDatabasesAreUnavailable) {
  auto dir = Open("sqlite:/nonexistent-directory/continuum.db");
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.status().code(), StatusCode::kUnavailable) << dir.status().ToString();
  EXPECT_NE(dir.status().message().find("/nonexistent-directory/continuum.db"), std::string::npos);

  auto pg = Open("postgresql://continuum:secret@127.0.0.1:1/continuum?connect_timeout=2");
  ASSERT_FALSE(pg.ok());
  EXPECT_EQ(pg.status().code(), StatusCode::kUnavailable) << pg.status().ToString();
  EXPECT_EQ(pg.status().message().find("secret"), std::string::npos) << "the password must not leak";
}

TEST(StoreOpen, AFileThatIsNotADatabaseIsRefused) {
  auto db = TestDatabase::Create(testing::kSqlite);
  ASSERT_TRUE(db.ok());
  std::string path = (*db)->sqlite_path() + ".txt";
  {
    std::ofstream f(path);
    f << "this is a text file, not a database, and it is long enough to have a header of sorts\n";
  }
  auto s = Open(path);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument) << s.status().ToString();
  EXPECT_NE(s.status().message().find("not a SQLite database"), std::string::npos) << s.status().message();
}

TEST(StoreOpen, PlainPathsAndSqliteUrlsNameTheSameFile) {
  auto db = TestDatabase::Create(testing::kSqlite);
  ASSERT_TRUE(db.ok());
  const std::string& path = (*db)->sqlite_path();
  auto a = Open(path);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  auto stored = (*a)->Append({MakeEvent("c-1", "note.added", "2026-01-06T09:00:00Z")}, TestProjector);
  ASSERT_TRUE(stored.ok());
  for (const std::string& url : {"sqlite:" + path, "sqlite://" + path}) {
    auto b = Open(url);
    ASSERT_TRUE(b.ok()) << url << ": " << b.status().ToString();
    auto read = (*b)->GetEvent((*stored)[0].id);
    ASSERT_TRUE(read.ok() && read->has_value()) << url;
  }
}

}  // namespace
}  // namespace continuum::store

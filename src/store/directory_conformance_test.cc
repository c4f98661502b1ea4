// The audit trail, the child search and the Directory, run against every
// backend like the Store contract (store_conformance_test.cc): SQLite always,
// PostgreSQL when CONTINUUM_TEST_PG_URL is set (scripts/with-postgres.sh).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
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

// TestProjector, plus an NHS number on child.registered {"nhs": …}.
Status SearchProjector(const Event& e, StateReader& state, std::vector<Row>* rows) {
  CONTINUUM_RETURN_IF_ERROR(TestProjector(e, state, rows));
  if (e.type == "child.registered") {
    auto j = nlohmann::json::parse(e.payload);
    if (j.contains("nhs")) rows->back().columns.emplace_back("nhs_number", j["nhs"].get<std::string>());
  }
  return Status::Ok();
}

class BackendTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == testing::kPostgres && testing::PostgresTestUrl().empty()) {
      GTEST_SKIP()
          << "CONTINUUM_TEST_PG_URL is not set; run under scripts/with-postgres.sh to test PostgreSQL";
    }
    auto db = TestDatabase::Create(GetParam());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    auto s = Open(db_->url());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }

  std::vector<Event> MustAppend(std::vector<Event> events) {
    auto r = store_->Append(std::move(events), projector_);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::vector<Event>{};
  }

  std::vector<Event> Audit(const AuditQuery& q) {
    auto r = store_->Audit(q);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::vector<Event>{};
  }

  std::vector<Event> Chronology(const ChronologyQuery& q) {
    auto r = store_->Chronology(q);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::vector<Event>{};
  }

  static std::vector<std::string> Types(const std::vector<Event>& events) {
    std::vector<std::string> out;
    for (const Event& e : events) out.push_back(e.type);
    return out;
  }

  static std::vector<int64_t> Seqs(const std::vector<Event>& events) {
    std::vector<int64_t> out;
    for (const Event& e : events) out.push_back(e.seq);
    return out;
  }

  // An audit record as the access layer writes one.
  static Event AuditEvent(const std::string& type, const std::string& user, const std::string& agency,
                          const std::string& child_id) {
    Event e = MakeEvent(child_id, type, "2026-05-01T10:00:00Z", R"({"route":"/x"})", agency);
    e.author = user;
    return e;
  }

  Directory& dir() { return store_->directory(); }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<Store> store_;
  Projector projector_ = SearchProjector;
};

void ExpectInvalid(const Status& st, const std::string& mentions) {
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.ToString();
  EXPECT_NE(st.message().find(mentions), std::string::npos)
      << "wanted " << mentions << " in " << st.message();
}

// ---------------------------------------------------------------------------
// The audit trail

class AuditTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    stored_ = MustAppend({
        MakeEvent("c-1", "child.registered", "2026-05-01T09:00:00Z", R"({"name":"Amy"})"),  // 1
        AuditEvent("audit.read", "u-1", "school-1", "c-1"),                                 // 2
        MakeEvent("c-1", "note.added", "2026-05-01T11:00:00Z"),                             // 3
        AuditEvent("audit.export", "u-2", "health-2", "c-1"),                               // 4
        AuditEvent("audit.login", "u-1", "school-1", "-"),                                  // 5
        AuditEvent("audit.login.failed", "u-3", "police-3", "-"),                           // 6
        AuditEvent("audit.read", "u-2", "health-2", "c-2"),                                 // 7
        AuditEvent("audit.user.created", "u-9", "la-9", "-"),                               // 8
    });
    ASSERT_EQ(stored_.size(), 8u);
  }
  std::vector<Event> stored_;
};

TEST_P(AuditTest, ChronologiesLeaveOutAuditRecordsUnlessTheirTypesAreNamed) {
  EXPECT_EQ(Types(Chronology({.child_id = "c-1"})),
            (std::vector<std::string>{"child.registered", "note.added"}));
  EXPECT_EQ(Types(Chronology({.child_id = "c-1", .min_significance = kRoutine, .limit = 10})),
            (std::vector<std::string>{"child.registered", "note.added"}));
  EXPECT_EQ(Types(Chronology({.child_id = "c-1", .types = {"audit.*"}})),
            (std::vector<std::string>{"audit.read", "audit.export"}));
  EXPECT_EQ(Types(Chronology({.child_id = "c-1", .types = {"audit.read"}})),
            (std::vector<std::string>{"audit.read"}));
  EXPECT_EQ(Types(Chronology({.child_id = "c-1", .types = {"note.added", "audit.export"}})),
            (std::vector<std::string>{"audit.export", "note.added"}));
  EXPECT_TRUE(Chronology({.child_id = "-"}).empty());
  EXPECT_EQ(Chronology({.child_id = "-", .types = {"audit.*"}}).size(), 3u);
  // GetEvent reads any event.
  auto read = store_->GetEvent(stored_[1].id);
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ((*read)->type, "audit.read");
}

TEST_P(AuditTest, AuditReadsOnlyAuditRecordsInSeqOrder) {
  auto all = Audit({});
  EXPECT_EQ(Seqs(all), (std::vector<int64_t>{2, 4, 5, 6, 7, 8}));
  for (size_t i = 0; i < all.size(); ++i) {
    const Event& want = stored_[all[i].seq - 1];
    EXPECT_EQ(all[i].id, want.id);
    EXPECT_EQ(all[i].hash, want.hash);
    EXPECT_EQ(all[i].payload, want.payload);
    EXPECT_EQ(all[i].recorded_at, want.recorded_at);
  }
}

TEST_P(AuditTest, FiltersByUserAgencyAndChild) {
  EXPECT_EQ(Seqs(Audit({.user = "u-1"})), (std::vector<int64_t>{2, 5}));
  EXPECT_EQ(Seqs(Audit({.user = "u-2"})), (std::vector<int64_t>{4, 7}));
  EXPECT_EQ(Seqs(Audit({.agency = "health-2"})), (std::vector<int64_t>{4, 7}));
  EXPECT_EQ(Seqs(Audit({.child_id = "c-1"})), (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(Seqs(Audit({.child_id = "-"})), (std::vector<int64_t>{5, 6, 8}));
  EXPECT_EQ(Seqs(Audit({.user = "u-2", .child_id = "c-2"})), (std::vector<int64_t>{7}));
  EXPECT_EQ(Seqs(Audit({.user = "u-1", .agency = "health-2"})), (std::vector<int64_t>{}));
  EXPECT_TRUE(Audit({.user = "nobody"}).empty());
}

TEST_P(AuditTest, FiltersByTypeAndTypePrefix) {
  EXPECT_EQ(Seqs(Audit({.types = {"audit.read"}})), (std::vector<int64_t>{2, 7}));
  EXPECT_EQ(Seqs(Audit({.types = {"audit.*"}})), (std::vector<int64_t>{2, 4, 5, 6, 7, 8}));
  // A prefix with or without the dot: "audit.login*" is audit.login and below.
  EXPECT_EQ(Seqs(Audit({.types = {"audit.login*"}})), (std::vector<int64_t>{5, 6}));
  EXPECT_EQ(Seqs(Audit({.types = {"audit.login.*"}})), (std::vector<int64_t>{6}));
  EXPECT_EQ(Seqs(Audit({.types = {"audit.user.*", "audit.export"}})), (std::vector<int64_t>{4, 8}));
  EXPECT_TRUE(Audit({.types = {"audit.logout"}}).empty());
}

TEST_P(AuditTest, FiltersByRecordedTimeFromInclusiveToExclusive) {
  const std::string at = stored_[1].recorded_at;  // one batch: one recorded_at for all
  const std::string day = at.substr(0, 10);
  EXPECT_EQ(Audit({.from = at}).size(), 6u);
  EXPECT_EQ(Audit({.to = at}).size(), 0u);
  EXPECT_EQ(Audit({.from = day}).size(), 6u);  // a date is its midnight
  EXPECT_EQ(Audit({.to = day}).size(), 0u);
  EXPECT_EQ(Audit({.from = "2000-01-01", .to = "9999-12-31T23:59:59Z"}).size(), 6u);
  EXPECT_EQ(Audit({.from = "9999-12-31"}).size(), 0u);
  EXPECT_EQ(Seqs(Audit({.user = "u-1", .from = day, .types = {"audit.login*"}})), (std::vector<int64_t>{5}));
}

TEST_P(AuditTest, PagesByAfterSeqAndLimit) {
  std::vector<int64_t> seen;
  int64_t after = 0;
  for (int pages = 0; pages < 10; ++pages) {
    auto page = Audit({.after_seq = after, .limit = 4});
    if (page.empty()) break;
    EXPECT_LE(page.size(), 4u);
    for (const Event& e : page) seen.push_back(e.seq);
    after = page.back().seq;
  }
  EXPECT_EQ(seen, (std::vector<int64_t>{2, 4, 5, 6, 7, 8}));
  EXPECT_EQ(Seqs(Audit({.after_seq = 4, .limit = 2})), (std::vector<int64_t>{5, 6}));
  EXPECT_EQ(Seqs(Audit({.types = {"audit.read"}, .after_seq = 2})), (std::vector<int64_t>{7}));
  EXPECT_EQ(Audit({.limit = 0}).size(), 6u);  // no limit
  EXPECT_TRUE(Audit({.after_seq = 8}).empty());
}

TEST_P(AuditTest, QueriesAreValidated) {
  struct Case {
    AuditQuery q;
    std::string mentions;
  };
  std::vector<Case> cases = {
      {{.user = " u-1"}, "user"},
      {{.agency = std::string(129, 'a')}, "agency"},
      {{.child_id = "c\n1"}, "child_id"},
      {{.from = "2026-13-01"}, "from"},
      {{.to = "yesterday"}, "to"},
      {{.types = {"note.added"}}, "types[0]"},
      {{.types = {"audit.read", "audit"}}, "types[1]"},
      {{.types = {"*"}}, "types[0]"},
      {{.types = {"audit.Read"}}, "types[0]"},
      {{.types = {"audit.re*d"}}, "types[0]"},
      {{.types = {"plan.*"}}, "types[0]"},
      {{.types = std::vector<std::string>(101, "audit.read")}, "types"},
      {{.after_seq = -1}, "after_seq"},
  };
  for (const Case& c : cases) {
    auto r = store_->Audit(c.q);
    ASSERT_FALSE(r.ok()) << c.mentions;
    ExpectInvalid(r.status(), c.mentions);
  }
}

TEST_P(AuditTest, AuditRecordsAreInTheHashChainAndTamperingIsDetected) {
  std::string previous = std::string(internal::kGenesisHash);
  for (const Event& e : stored_) {
    EXPECT_EQ(e.prev_hash, previous) << e.type;
    previous = e.hash;
  }
  auto more = MustAppend({AuditEvent("audit.read", "u-1", "school-1", "c-1")});
  ASSERT_EQ(more.size(), 1u);
  EXPECT_EQ(more[0].prev_hash, stored_.back().hash);

  auto report = store_->Verify(projector_);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->events, 9);

  // Who read the record is as tamper-evident as the record itself.
  ASSERT_TRUE(db_->AllowTampering().ok());
  ASSERT_TRUE(db_->Exec("UPDATE events SET author = 'someone-else' WHERE seq = 2").ok());
  report = store_->Verify(projector_);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->first_bad_event, stored_[1].id);
  ASSERT_TRUE(db_->Exec("UPDATE events SET author = 'u-1' WHERE seq = 2").ok());
  report = store_->Verify(projector_);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok) << report->problem;
}

// ---------------------------------------------------------------------------
// Searching children

class SearchTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    MustAppend({
        MakeEvent("c-1", "child.registered", "2026-05-01T09:00:00Z",
                  R"({"name":"Amy Smith","nhs":"943 476 5919"})"),
        MakeEvent("c-2", "child.registered", "2026-05-01T09:00:00Z",
                  R"({"name":"BEN JONES","nhs":"9434765870"})"),
        MakeEvent("c-3", "child.registered", "2026-05-01T09:00:00Z", R"({"name":"100% Real_Name"})"),
        MakeEvent("c-4", "child.registered", "2026-05-01T09:00:00Z", R"({"name":"Back\\slash"})"),
        MakeEvent("ref-AMY-9", "child.registered", "2026-05-01T09:00:00Z", R"({"name":"Zoë"})"),
    });
  }

  std::vector<std::string> Search(const std::string& text, size_t limit = 50) {
    auto r = store_->SearchChildren(text, limit);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::vector<std::string> ids;
    if (!r.ok()) return ids;
    for (const Row& row : *r) {
      EXPECT_EQ(row.table, "children");
      ids.push_back(*row.columns[0].second);
    }
    return ids;
  }
};

using Ids = std::vector<std::string>;

TEST_P(SearchTest, MatchesNameIdAndNhsNumberIgnoringCase) {
  EXPECT_EQ(Search("amy"), (Ids{"c-1", "ref-AMY-9"}));  // by name, and by id
  EXPECT_EQ(Search("AMY"), (Ids{"c-1", "ref-AMY-9"}));
  EXPECT_EQ(Search("ben jo"), (Ids{"c-2"}));
  EXPECT_EQ(Search("Zoë"), (Ids{"ref-AMY-9"}));
  EXPECT_EQ(Search("c-"), (Ids{"c-1", "c-2", "c-3", "c-4"}));
  EXPECT_TRUE(Search("nobody").empty());
  // NHS numbers: spaces are ignored on both sides.
  EXPECT_EQ(Search("4765919"), (Ids{"c-1"}));
  EXPECT_EQ(Search("943 476 5870"), (Ids{"c-2"}));
  EXPECT_EQ(Search("9434765"), (Ids{"c-1", "c-2"}));
  EXPECT_EQ(Search("943 4765"), (Ids{"c-1", "c-2"}));
  // Rows come back whole.
  auto rows = store_->SearchChildren("smith", 10);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  bool saw_nhs = false;
  for (const auto& [name, value] : (*rows)[0].columns) {
    if (name == "display_name") {
      EXPECT_EQ(value, "Amy Smith");
    }
    if (name == "nhs_number") {
      EXPECT_EQ(value, "943 476 5919");
      saw_nhs = true;
    }
  }
  EXPECT_TRUE(saw_nhs);
}

TEST_P(SearchTest, LikeWildcardsAreMatchedLiterally) {
  EXPECT_EQ(Search("%"), (Ids{"c-3"}));
  EXPECT_EQ(Search("0%"), (Ids{"c-3"}));
  EXPECT_EQ(Search("_"), (Ids{"c-3"}));
  EXPECT_EQ(Search("l_n"), (Ids{"c-3"}));
  EXPECT_TRUE(Search("a_y").empty());  // '_' is not "any character"
  EXPECT_TRUE(Search("a%h").empty());  // nor '%' "anything"
  EXPECT_EQ(Search("k\\s"), (Ids{"c-4"}));
  EXPECT_EQ(Search("\\"), (Ids{"c-4"}));
  EXPECT_TRUE(Search("'").empty());
}

TEST_P(SearchTest, LimitIsCappedAt200AndTextIsValidated) {
  EXPECT_EQ(Search("c-", 2), (Ids{"c-1", "c-2"}));
  std::vector<Event> kids;
  for (int i = 0; i < 230; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "k-%03d", i);
    kids.push_back(MakeEvent(id, "child.registered", "2026-05-01T09:00:00Z", R"({"name":"Kid"})"));
  }
  MustAppend(std::move(kids));
  auto many = Search("kid", 1000);
  ASSERT_EQ(many.size(), 200u);
  EXPECT_EQ(many.front(), "k-000");
  EXPECT_EQ(many.back(), "k-199");
  EXPECT_EQ(Search("kid", 0).size(), 200u);

  auto empty = store_->SearchChildren("", 10);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), StatusCode::kInvalidArgument);
  auto long_text = store_->SearchChildren(std::string(201, 'a'), 10);
  ASSERT_FALSE(long_text.ok());
  EXPECT_EQ(long_text.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(store_->SearchChildren(std::string(200, 'a'), 10).ok());
  auto bad = store_->SearchChildren("\xff", 10);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------
// The directory

class DirectoryTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(dir().PutAgency({"school-1", "Riverside Primary", "school"}).ok());
    ASSERT_TRUE(dir().PutAgency({"health-2", "Health Visiting", "health"}).ok());
    ASSERT_TRUE(dir().PutTeam({"t-1", "school-1", "Pastoral", ""}).ok());
  }

  static User MakeUser(const std::string& id, const std::string& username) {
    return User{.id = id,
                .username = username,
                .display_name = "A. Jones",
                .role = "practitioner",
                .agency_id = "school-1",
                .team_id = "t-1",
                .password_hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
                .created_at = "2026-05-01T09:00:00Z",
                .updated_at = "2026-05-01T09:00:00Z"};
  }

  static Session MakeSession(const std::string& token_hash, const std::string& user_id,
                             const std::string& last_seen, const std::string& expires) {
    return Session{.token_hash = token_hash,
                   .user_id = user_id,
                   .created_at = "2026-05-01T09:00:00Z",
                   .last_seen_at = last_seen,
                   .expires_at = expires,
                   .ip = "127.0.0.1"};
  }

  static std::string Hash(char c) { return std::string(64, c); }

  User MustGetUser(const std::string& id) {
    auto u = dir().GetUser(id);
    EXPECT_TRUE(u.ok()) << u.status().ToString();
    EXPECT_TRUE(u.ok() && u->has_value()) << id;
    return u.ok() && u->has_value() ? **u : User{};
  }
};

TEST_P(DirectoryTest, AgenciesAreUpsertedAndListedById) {
  auto a = dir().GetAgency("school-1");
  ASSERT_TRUE(a.ok() && a->has_value());
  EXPECT_EQ((*a)->name, "Riverside Primary");
  EXPECT_EQ((*a)->kind, "school");
  ASSERT_TRUE(dir().PutAgency({"school-1", "Riverside Primary School", "school"}).ok());
  a = dir().GetAgency("school-1");
  ASSERT_TRUE(a.ok() && a->has_value());
  EXPECT_EQ((*a)->name, "Riverside Primary School");
  auto none = dir().GetAgency("nope");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto all = dir().ListAgencies();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, "health-2");
  EXPECT_EQ((*all)[1].id, "school-1");

  ExpectInvalid(dir().PutAgency({"", "X", "school"}), "agency.id");
  ExpectInvalid(dir().PutAgency({std::string(129, 'a'), "X", "school"}), "agency.id");
  ExpectInvalid(dir().PutAgency({"a-1", std::string(201, 'n'), "school"}), "agency.name");
  ExpectInvalid(dir().PutAgency({"a-1", "X", ""}), "agency.kind");
  EXPECT_TRUE(dir().PutAgency({"a-1", std::string(200, 'n'), "other"}).ok());
}

TEST_P(DirectoryTest, TeamsNeedTheirAgency) {
  Status st = dir().PutTeam({"t-2", "no-such-agency", "Front door", "worcestershire/front_door"});
  EXPECT_EQ(st.code(), StatusCode::kNotFound) << st.ToString();
  EXPECT_NE(st.message().find("no-such-agency"), std::string::npos) << st.message();
  ASSERT_TRUE(dir().PutTeam({"t-2", "health-2", "Front door", "worcestershire/front_door"}).ok());
  auto t = dir().GetTeam("t-2");
  ASSERT_TRUE(t.ok() && t->has_value());
  EXPECT_EQ((*t)->agency_id, "health-2");
  EXPECT_EQ((*t)->name, "Front door");
  EXPECT_EQ((*t)->duty, "worcestershire/front_door");
  ASSERT_TRUE(dir().PutTeam({"t-2", "school-1", "MASH", ""}).ok());
  t = dir().GetTeam("t-2");
  ASSERT_TRUE(t.ok() && t->has_value());
  EXPECT_EQ((*t)->agency_id, "school-1");
  EXPECT_EQ((*t)->duty, "");
  auto all = dir().ListTeams();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, "t-1");
  EXPECT_EQ((*all)[1].id, "t-2");
  auto none = dir().GetTeam("t-9");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  ExpectInvalid(dir().PutTeam({"t-3", "school-1", std::string(201, 'n'), ""}), "team.name");
  ExpectInvalid(dir().PutTeam({"t-3", "", "X", ""}), "team.agency_id");
}

TEST_P(DirectoryTest, UsersRoundTripWithLowercasedNames) {
  User u = MakeUser("u-7", "A.Jones");
  u.totp_secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
  u.totp_last_step = 42;
  u.must_change_password = true;
  ASSERT_TRUE(dir().CreateUser(u).ok());
  User got = MustGetUser("u-7");
  EXPECT_EQ(got.username, "a.jones");
  EXPECT_EQ(got.display_name, u.display_name);
  EXPECT_EQ(got.role, "practitioner");
  EXPECT_EQ(got.agency_id, "school-1");
  EXPECT_EQ(got.team_id, "t-1");
  EXPECT_EQ(got.password_hash, u.password_hash);
  EXPECT_EQ(got.totp_secret, u.totp_secret);
  EXPECT_EQ(got.totp_last_step, 42);
  EXPECT_FALSE(got.disabled);
  EXPECT_TRUE(got.must_change_password);
  EXPECT_EQ(got.created_at, "2026-05-01T09:00:00Z");
  EXPECT_EQ(got.updated_at, "2026-05-01T09:00:00Z");

  for (const char* name : {"a.jones", "A.JONES", "a.Jones"}) {
    auto found = dir().FindUserByName(name);
    ASSERT_TRUE(found.ok()) << found.status().ToString();
    ASSERT_TRUE(found->has_value()) << name;
    EXPECT_EQ((*found)->id, "u-7");
  }
  auto nobody = dir().FindUserByName("b.smith");
  ASSERT_TRUE(nobody.ok());
  EXPECT_FALSE(nobody->has_value());
  auto none = dir().GetUser("u-8");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  // No team, and times filled in when left empty.
  User v = MakeUser("u-10", "b.smith");
  v.team_id = "";
  v.created_at = v.updated_at = "";
  v.disabled = true;
  ASSERT_TRUE(dir().CreateUser(v).ok());
  User got_v = MustGetUser("u-10");
  EXPECT_EQ(got_v.team_id, "");
  EXPECT_TRUE(got_v.disabled);
  EXPECT_TRUE(internal::IsUtcTime(got_v.created_at)) << got_v.created_at;
  auto all = dir().ListUsers();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, "u-10");  // by id, as text
  EXPECT_EQ((*all)[1].id, "u-7");
}

TEST_P(DirectoryTest, CreateUserRefusesTakenIdsAndNamesAndUnknownAgenciesAndTeams) {
  ASSERT_TRUE(dir().CreateUser(MakeUser("u-7", "a.jones")).ok());
  Status same_id = dir().CreateUser(MakeUser("u-7", "someone.else"));
  EXPECT_EQ(same_id.code(), StatusCode::kConflict) << same_id.ToString();
  EXPECT_NE(same_id.message().find("user.id"), std::string::npos) << same_id.message();
  Status same_name = dir().CreateUser(MakeUser("u-8", "A.Jones"));
  EXPECT_EQ(same_name.code(), StatusCode::kConflict) << same_name.ToString();
  EXPECT_NE(same_name.message().find("user.username"), std::string::npos) << same_name.message();

  User u = MakeUser("u-9", "c.brown");
  u.agency_id = "no-such-agency";
  EXPECT_EQ(dir().CreateUser(u).code(), StatusCode::kNotFound);
  u = MakeUser("u-9", "c.brown");
  u.team_id = "no-such-team";
  EXPECT_EQ(dir().CreateUser(u).code(), StatusCode::kNotFound);
  auto all = dir().ListUsers();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 1u);

  ExpectInvalid(dir().CreateUser(MakeUser(std::string(129, 'u'), "x")), "user.id");
  ExpectInvalid(dir().CreateUser(MakeUser("u-9", "")), "user.username");
  u = MakeUser("u-9", "c.brown");
  u.display_name = std::string(201, 'd');
  ExpectInvalid(dir().CreateUser(u), "user.display_name");
  u = MakeUser("u-9", "c.brown");
  u.created_at = "yesterday";
  ExpectInvalid(dir().CreateUser(u), "user.created_at");
  u = MakeUser("u-9", "c.brown");
  u.role = "";
  ExpectInvalid(dir().CreateUser(u), "user.role");
  u = MakeUser("u-9", "c.brown");
  u.password_hash = std::string(2000, 'p');
  ExpectInvalid(dir().CreateUser(u), "user.password_hash");
}

TEST_P(DirectoryTest, UpdateUserChangesEverythingButIdAndCreatedAt) {
  ASSERT_TRUE(dir().CreateUser(MakeUser("u-7", "a.jones")).ok());
  ASSERT_TRUE(dir().CreateUser(MakeUser("u-8", "b.smith")).ok());
  User u = MustGetUser("u-7");
  u.username = "Alice.Jones";
  u.display_name = "Alice Jones";
  u.role = "safeguarding_lead";
  u.agency_id = "health-2";
  u.team_id = "";
  u.password_hash = "$argon2id$v=19$new";
  u.totp_secret = "NEWSECRET";
  u.disabled = true;
  u.must_change_password = true;
  u.created_at = "2030-01-01T00:00:00Z";  // ignored
  u.updated_at = "2026-06-01T12:00:00Z";
  ASSERT_TRUE(dir().UpdateUser(u).ok());
  User got = MustGetUser("u-7");
  EXPECT_EQ(got.username, "alice.jones");
  EXPECT_EQ(got.display_name, "Alice Jones");
  EXPECT_EQ(got.role, "safeguarding_lead");
  EXPECT_EQ(got.agency_id, "health-2");
  EXPECT_EQ(got.team_id, "");
  EXPECT_EQ(got.password_hash, "$argon2id$v=19$new");
  EXPECT_EQ(got.totp_secret, "NEWSECRET");
  EXPECT_TRUE(got.disabled);
  EXPECT_TRUE(got.must_change_password);
  EXPECT_EQ(got.created_at, "2026-05-01T09:00:00Z");
  EXPECT_EQ(got.updated_at, "2026-06-01T12:00:00Z");
  auto old_name = dir().FindUserByName("a.jones");
  ASSERT_TRUE(old_name.ok());
  EXPECT_FALSE(old_name->has_value());

  // Keeping one's own name is not a clash; taking another's is.
  ASSERT_TRUE(dir().UpdateUser(got).ok());
  got.username = "B.SMITH";
  Status taken = dir().UpdateUser(got);
  EXPECT_EQ(taken.code(), StatusCode::kConflict) << taken.ToString();

  Status absent = dir().UpdateUser(MakeUser("u-404", "nobody"));
  EXPECT_EQ(absent.code(), StatusCode::kNotFound) << absent.ToString();
  User bad_agency = MustGetUser("u-8");
  bad_agency.agency_id = "no-such-agency";
  EXPECT_EQ(dir().UpdateUser(bad_agency).code(), StatusCode::kNotFound);
  User bad_team = MustGetUser("u-8");
  bad_team.team_id = "no-such-team";
  EXPECT_EQ(dir().UpdateUser(bad_team).code(), StatusCode::kNotFound);
  EXPECT_EQ(MustGetUser("u-8").agency_id, "school-1");
}

TEST_P(DirectoryTest, TotpStepsAreClaimedOnceAndNeverMoveBack) {
  ASSERT_TRUE(dir().CreateUser(MakeUser("u-7", "a.jones")).ok());
  auto claim = [&](int64_t step) {
    auto r = dir().ClaimTotpStep("u-7", step);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() && *r;
  };
  EXPECT_TRUE(claim(100));
  EXPECT_FALSE(claim(100));  // a replayed code
  EXPECT_FALSE(claim(99));
  EXPECT_TRUE(claim(101));
  EXPECT_EQ(MustGetUser("u-7").totp_last_step, 101);

  // A stale copy written back does not reopen used steps.
  User stale = MustGetUser("u-7");
  stale.totp_last_step = 50;
  ASSERT_TRUE(dir().UpdateUser(stale).ok());
  EXPECT_EQ(MustGetUser("u-7").totp_last_step, 101);
  EXPECT_FALSE(claim(101));

  auto unknown = dir().ClaimTotpStep("u-404", 5);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  ExpectInvalid(dir().ClaimTotpStep("u-7", -1).status(), "step");

  // Eight logins racing with one code: exactly one wins.
  std::atomic<int> wins{0}, errors{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      auto r = dir().ClaimTotpStep("u-7", 500);
      if (!r.ok()) {
        ++errors;
      } else if (*r) {
        ++wins;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(wins.load(), 1);
}

TEST_P(DirectoryTest, SessionsAreCreatedTouchedAndDeleted) {
  ASSERT_TRUE(dir().CreateUser(MakeUser("u-7", "a.jones")).ok());
  ASSERT_TRUE(dir().CreateUser(MakeUser("u-8", "b.smith")).ok());
  ASSERT_TRUE(
      dir()
          .CreateSession(MakeSession(Hash('a'), "u-7", "2026-05-01T09:00:00Z", "2026-05-01T17:00:00Z"))
          .ok());
  ASSERT_TRUE(
      dir()
          .CreateSession(MakeSession(Hash('b'), "u-7", "2026-05-01T09:00:00Z", "2026-05-01T17:00:00Z"))
          .ok());
  ASSERT_TRUE(
      dir()
          .CreateSession(MakeSession(Hash('c'), "u-8", "2026-05-01T09:00:00Z", "2026-05-01T17:00:00Z"))
          .ok());

  auto s = dir().GetSession(Hash('a'));
  ASSERT_TRUE(s.ok() && s->has_value());
  EXPECT_EQ((*s)->user_id, "u-7");
  EXPECT_EQ((*s)->created_at, "2026-05-01T09:00:00Z");
  EXPECT_EQ((*s)->expires_at, "2026-05-01T17:00:00Z");
  EXPECT_EQ((*s)->ip, "127.0.0.1");

  ASSERT_TRUE(dir().TouchSession(Hash('a'), "2026-05-01T10:30:00Z").ok());
  s = dir().GetSession(Hash('a'));
  ASSERT_TRUE(s.ok() && s->has_value());
  EXPECT_EQ((*s)->last_seen_at, "2026-05-01T10:30:00Z");
  EXPECT_EQ(dir().TouchSession(Hash('f'), "2026-05-01T10:30:00Z").code(), StatusCode::kNotFound);

  Status dup =
      dir().CreateSession(MakeSession(Hash('a'), "u-8", "2026-05-01T09:00:00Z", "2026-05-01T17:00:00Z"));
  EXPECT_EQ(dup.code(), StatusCode::kConflict) << dup.ToString();
  Status unknown_user =
      dir().CreateSession(MakeSession(Hash('d'), "u-404", "2026-05-01T09:00:00Z", "2026-05-01T17:00:00Z"));
  EXPECT_EQ(unknown_user.code(), StatusCode::kNotFound) << unknown_user.ToString();
  ExpectInvalid(
      dir().CreateSession(MakeSession("abc", "u-7", "2026-05-01T09:00:00Z", "2026-05-01T17:00:00Z")),
      "session.token_hash");
  ExpectInvalid(dir().CreateSession(MakeSession(Hash('e'), "u-7", "2026-05-01T09:00:00Z", "")),
                "session.expires_at");
  ExpectInvalid(dir().GetSession("ABC").status(), "token_hash");

  ASSERT_TRUE(dir().DeleteSession(Hash('b')).ok());
  ASSERT_TRUE(dir().DeleteSession(Hash('b')).ok());  // gone already: fine
  s = dir().GetSession(Hash('b'));
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->has_value());

  // Ending every session of one user leaves the others'.
  ASSERT_TRUE(
      dir()
          .CreateSession(MakeSession(Hash('b'), "u-7", "2026-05-01T09:00:00Z", "2026-05-01T17:00:00Z"))
          .ok());
  ASSERT_TRUE(dir().DeleteUserSessions("u-7").ok());
  for (char c : {'a', 'b'}) {
    auto gone = dir().GetSession(Hash(c));
    ASSERT_TRUE(gone.ok());
    EXPECT_FALSE(gone->has_value()) << c;
  }
  auto kept = dir().GetSession(Hash('c'));
  ASSERT_TRUE(kept.ok());
  EXPECT_TRUE(kept->has_value());
}

TEST_P(DirectoryTest, ExpiredAndIdleSessionsAreDeleted) {
  ASSERT_TRUE(dir().CreateUser(MakeUser("u-7", "a.jones")).ok());
  // a: past its absolute expiry; b: idle too long; c: live; d: expires exactly now.
  ASSERT_TRUE(
      dir()
          .CreateSession(MakeSession(Hash('a'), "u-7", "2026-05-01T11:55:00Z", "2026-05-01T11:59:59Z"))
          .ok());
  ASSERT_TRUE(
      dir()
          .CreateSession(MakeSession(Hash('b'), "u-7", "2026-05-01T11:00:00Z", "2026-05-01T20:00:00Z"))
          .ok());
  ASSERT_TRUE(
      dir()
          .CreateSession(MakeSession(Hash('c'), "u-7", "2026-05-01T11:45:00Z", "2026-05-01T20:00:00Z"))
          .ok());
  ASSERT_TRUE(
      dir()
          .CreateSession(MakeSession(Hash('d'), "u-7", "2026-05-01T11:50:00Z", "2026-05-01T12:00:00Z"))
          .ok());
  ASSERT_TRUE(dir().DeleteExpiredSessions("2026-05-01T12:00:00Z", "2026-05-01T11:30:00Z").ok());
  std::map<char, bool> present;
  for (char c : {'a', 'b', 'c', 'd'}) {
    auto s = dir().GetSession(Hash(c));
    ASSERT_TRUE(s.ok());
    present[c] = s->has_value();
  }
  EXPECT_EQ(present, (std::map<char, bool>{{'a', false}, {'b', false}, {'c', true}, {'d', false}}));
  // Without an idle limit only the absolute expiry counts.
  ASSERT_TRUE(dir().DeleteExpiredSessions("2026-05-01T19:00:00Z", "").ok());
  auto c = dir().GetSession(Hash('c'));
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->has_value());
  ExpectInvalid(dir().DeleteExpiredSessions("now", ""), "now");
  ExpectInvalid(dir().DeleteExpiredSessions("2026-05-01T19:00:00Z", "2026-05-01"), "idle_before");
}

TEST_P(DirectoryTest, LoginThrottlesAreReadUpdatedAndDeletedTogether) {
  using Records = std::vector<std::optional<LoginThrottle>>;
  const std::vector<std::string> keys = {"n:a.jones", "a:10.0.0.1"};
  Records seen;
  ASSERT_TRUE(
      dir()
          .UpdateLoginThrottles(keys,
                                [&](Records& r) {
                                  seen = r;
                                  r[0] = LoginThrottle{"ignored", 1, "2026-05-01T10:00:00Z", ""};
                                  r[1] = LoginThrottle{"", 3, "2026-05-01T10:00:00Z", "2026-05-01T10:00:30Z"};
                                })
          .ok());
  EXPECT_EQ(seen, (Records{std::nullopt, std::nullopt}));  // none yet
  auto read = dir().GetLoginThrottle("n:a.jones");
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ((*read)->key, "n:a.jones");  // the key given, not the record's
  EXPECT_EQ((*read)->failures, 1);
  EXPECT_EQ((*read)->last_at, "2026-05-01T10:00:00Z");
  EXPECT_EQ((*read)->locked_until, "");

  // Seen in the order given; nullopt deletes; an untouched record stays.
  ASSERT_TRUE(dir()
                  .UpdateLoginThrottles({"a:10.0.0.1", "n:a.jones", "p:new"},
                                        [&](Records& r) {
                                          seen = r;
                                          r[1].reset();
                                        })
                  .ok());
  ASSERT_EQ(seen.size(), 3u);
  ASSERT_TRUE(seen[0].has_value() && seen[1].has_value());
  EXPECT_EQ(seen[0]->failures, 3);
  EXPECT_EQ(seen[0]->locked_until, "2026-05-01T10:00:30Z");
  EXPECT_EQ(seen[1]->failures, 1);
  EXPECT_FALSE(seen[2].has_value());
  read = dir().GetLoginThrottle("n:a.jones");
  ASSERT_TRUE(read.ok());
  EXPECT_FALSE(read->has_value());
  read = dir().GetLoginThrottle("p:new");  // looked at, left empty: no record
  ASSERT_TRUE(read.ok());
  EXPECT_FALSE(read->has_value());
  read = dir().GetLoginThrottle("a:10.0.0.1");
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ((*read)->failures, 3);

  ASSERT_TRUE(dir().ClearLoginThrottle("a:10.0.0.1").ok());
  ASSERT_TRUE(dir().ClearLoginThrottle("a:10.0.0.1").ok());
  read = dir().GetLoginThrottle("a:10.0.0.1");
  ASSERT_TRUE(read.ok());
  EXPECT_FALSE(read->has_value());

  auto none = [](Records&) {};
  ExpectInvalid(dir().UpdateLoginThrottles({}, none), "keys");
  ExpectInvalid(dir().UpdateLoginThrottles({""}, none), "keys[0]");
  ExpectInvalid(dir().UpdateLoginThrottles({"x", "x"}, none), "keys[1] repeats keys[0]");
  ExpectInvalid(dir().UpdateLoginThrottles({"x"},
                                           [](Records& r) {
                                             r[0] = LoginThrottle{"x", 1, "now", ""};
                                           }),
                "last_at");
  ExpectInvalid(dir().UpdateLoginThrottles({"x"},
                                           [](Records& r) {
                                             r[0] = LoginThrottle{"x", 1, "", "2026-05-01"};
                                           }),
                "locked_until");
  read = dir().GetLoginThrottle("x");  // nothing written by a refused update
  ASSERT_TRUE(read.ok());
  EXPECT_FALSE(read->has_value());
}

// The point of UpdateLoginThrottles: a check and the count it makes cannot
// be split. Threads each reserve one attempt under a limit of 5; exactly 5
// get one, however many try at once.
TEST_P(DirectoryTest, ConcurrentUpdatesOfOneThrottleNeverInterleave) {
  const std::string key = "p:shared";
  std::atomic<int> reserved{0}, errors{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 5; ++j) {
        bool mine = false;
        Status st = dir().UpdateLoginThrottles({key, "a:192.0.2.7"}, [&](auto& r) {
          mine = false;  // the update may run again
          int used = r[0] ? r[0]->failures : 0;
          if (used >= 5) return;
          r[0] = LoginThrottle{key, used + 1, "2026-05-01T10:00:00Z", ""};
          r[1] = LoginThrottle{"", (r[1] ? r[1]->failures : 0) + 1, "2026-05-01T10:00:00Z", ""};
          mine = true;
        });
        if (!st.ok()) ++errors;
        if (st.ok() && mine) ++reserved;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(reserved.load(), 5);
  auto t = dir().GetLoginThrottle("a:192.0.2.7");
  ASSERT_TRUE(t.ok() && t->has_value());
  EXPECT_EQ((*t)->failures, 5);
}

TEST_P(DirectoryTest, BreakGlassGrantsExpire) {
  ASSERT_TRUE(dir().CreateUser(MakeUser("u-7", "a.jones")).ok());
  const std::string g1(32, '1'), g2(32, '2'), g3(32, '3');
  ASSERT_TRUE(dir()
                  .CreateBreakGlass({g1, "u-7", "c-1", "Out of hours: police at the door",
                                     "2026-05-01T09:00:00Z", "2026-05-01T10:00:00Z"})
                  .ok());
  ASSERT_TRUE(
      dir()
          .CreateBreakGlass({g2, "u-7", "c-1", "Again", "2026-05-01T09:30:00Z", "2026-05-01T10:30:00Z"})
          .ok());
  ASSERT_TRUE(
      dir()
          .CreateBreakGlass({g3, "u-7", "c-2", "Other child", "2026-05-01T09:30:00Z", "2026-05-01T10:30:00Z"})
          .ok());
  auto active = [&](const std::string& child, const std::string& now) {
    auto r = dir().ActiveBreakGlass("u-7", child, now);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::vector<std::string> ids;
    if (r.ok()) {
      for (const BreakGlassGrant& g : *r) ids.push_back(g.id);
    }
    return ids;
  };
  EXPECT_EQ(active("c-1", "2026-05-01T09:45:00Z"), (Ids{g2, g1}));  // latest first
  EXPECT_EQ(active("c-1", "2026-05-01T10:00:00Z"), (Ids{g2}));      // g1 expired at 10:00
  EXPECT_EQ(active("c-1", "2026-05-01T10:30:00Z"), (Ids{}));
  EXPECT_EQ(active("c-2", "2026-05-01T09:45:00Z"), (Ids{g3}));
  EXPECT_EQ(active("c-3", "2026-05-01T09:45:00Z"), (Ids{}));
  auto other_user = dir().ActiveBreakGlass("u-8", "c-1", "2026-05-01T09:45:00Z");
  ASSERT_TRUE(other_user.ok());
  EXPECT_TRUE(other_user->empty());
  auto full = dir().ActiveBreakGlass("u-7", "c-1", "2026-05-01T09:45:00Z");
  ASSERT_TRUE(full.ok() && full->size() == 2u);
  EXPECT_EQ((*full)[1].reason, "Out of hours: police at the door");
  EXPECT_EQ((*full)[1].granted_at, "2026-05-01T09:00:00Z");
  EXPECT_EQ((*full)[1].expires_at, "2026-05-01T10:00:00Z");
  EXPECT_EQ((*full)[1].child_id, "c-1");

  Status dup =
      dir().CreateBreakGlass({g1, "u-7", "c-1", "x", "2026-05-01T09:00:00Z", "2026-05-01T10:00:00Z"});
  EXPECT_EQ(dup.code(), StatusCode::kConflict) << dup.ToString();
  Status unknown = dir().CreateBreakGlass(
      {std::string(32, '4'), "u-404", "c-1", "x", "2026-05-01T09:00:00Z", "2026-05-01T10:00:00Z"});
  EXPECT_EQ(unknown.code(), StatusCode::kNotFound) << unknown.ToString();
  ExpectInvalid(dir().CreateBreakGlass(
                    {std::string(32, '5'), "u-7", "c-1", "", "2026-05-01T09:00:00Z", "2026-05-01T10:00:00Z"}),
                "break_glass.reason");
  ExpectInvalid(dir().CreateBreakGlass({std::string(32, '5'), "u-7", "c-1", std::string(4097, 'r'),
                                        "2026-05-01T09:00:00Z", "2026-05-01T10:00:00Z"}),
                "break_glass.reason");
  EXPECT_TRUE(dir()
                  .CreateBreakGlass({std::string(32, '5'), "u-7", "c-1", std::string(4096, 'r'),
                                     "2026-05-01T09:00:00Z", "2026-05-01T10:00:00Z"})
                  .ok());
  ExpectInvalid(
      dir().CreateBreakGlass({"not-hex", "u-7", "c-1", "x", "2026-05-01T09:00:00Z", "2026-05-01T10:00:00Z"}),
      "break_glass.id");
  ExpectInvalid(dir().CreateBreakGlass({std::string(32, '6'), "u-7", "c-1", "x", "2026-05-01T09:00:00Z", ""}),
                "break_glass.expires_at");
}

TEST_P(DirectoryTest, AlertsAreListedNewestFirstAndAcknowledged) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 3; ++i) {
    auto id = dir().CreateAlert({.kind = "break_glass",
                                 .child_id = "c-" + std::to_string(i),
                                 .user_id = "u-7",
                                 .agency_id = "school-1",
                                 .detail = "reason " + std::to_string(i),
                                 .created_at = "2026-05-01T09:0" + std::to_string(i) + ":00Z"});
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    ids.push_back(*id);
  }
  EXPECT_LT(ids[0], ids[1]);
  EXPECT_LT(ids[1], ids[2]);
  auto all = dir().ListAlerts(false, 0, 0);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].id, ids[2]);
  EXPECT_EQ((*all)[0].child_id, "c-2");
  EXPECT_EQ((*all)[0].detail, "reason 2");
  EXPECT_EQ((*all)[0].created_at, "2026-05-01T09:02:00Z");
  EXPECT_EQ((*all)[0].acknowledged_by, "");
  EXPECT_EQ((*all)[0].acknowledged_at, "");

  ASSERT_TRUE(dir().AcknowledgeAlert(ids[1], "u-lead", "2026-05-01T10:00:00Z").ok());
  // Acknowledging again keeps the first acknowledgement.
  ASSERT_TRUE(dir().AcknowledgeAlert(ids[1], "u-other", "2026-05-01T11:00:00Z").ok());
  auto open = dir().ListAlerts(true, 0, 0);
  ASSERT_TRUE(open.ok());
  ASSERT_EQ(open->size(), 2u);
  EXPECT_EQ((*open)[0].id, ids[2]);
  EXPECT_EQ((*open)[1].id, ids[0]);
  all = dir().ListAlerts(false, 0, 0);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[1].acknowledged_by, "u-lead");
  EXPECT_EQ((*all)[1].acknowledged_at, "2026-05-01T10:00:00Z");
  auto limited = dir().ListAlerts(false, 0, 2);
  ASSERT_TRUE(limited.ok());
  ASSERT_EQ(limited->size(), 2u);
  EXPECT_EQ((*limited)[1].id, ids[1]);
  // Paging on from the last id seen.
  auto next = dir().ListAlerts(false, (*limited)[1].id, 2);
  ASSERT_TRUE(next.ok());
  ASSERT_EQ(next->size(), 1u);
  EXPECT_EQ((*next)[0].id, ids[0]);
  auto one = dir().GetAlert(ids[1]);
  ASSERT_TRUE(one.ok() && one->has_value());
  EXPECT_EQ((*one)->acknowledged_by, "u-lead");
  auto none = dir().GetAlert(ids[2] + 100);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  EXPECT_EQ(dir().AcknowledgeAlert(ids[2] + 100, "u-lead", "2026-05-01T10:00:00Z").code(),
            StatusCode::kNotFound);
  ExpectInvalid(dir().AcknowledgeAlert(ids[0], "u-lead", "soon"), "at");
  ExpectInvalid(dir().CreateAlert({.kind = "", .detail = "x"}).status(), "alert.kind");
  ExpectInvalid(dir().CreateAlert({.kind = "break_glass", .detail = std::string(4097, 'd')}).status(),
                "alert.detail");
  auto defaulted = dir().CreateAlert({.kind = "break_glass"});
  ASSERT_TRUE(defaulted.ok()) << defaulted.status().ToString();
}

TEST_P(DirectoryTest, IsSharedByStoresOnOneDatabase) {
  ASSERT_TRUE(dir().CreateUser(MakeUser("u-7", "a.jones")).ok());
  auto second = Open(db_->url());
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  auto found = (*second)->directory().FindUserByName("A.Jones");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->id, "u-7");
  ASSERT_TRUE((*second)->directory().ClaimTotpStep("u-7", 10).ok());
  auto again = dir().ClaimTotpStep("u-7", 10);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  // Both stores' directory changes are in one chain.
  ASSERT_TRUE((*second)->directory().PutAgency({"police-3", "Police", "police"}).ok());
  ASSERT_TRUE(dir().PutAgency({"police-4", "Police", "police"}).ok());
  auto report = store_->Verify(projector_);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->ok) << report->problem;
}

// The directory.* events of the whole log, in seq order.
std::vector<Event> DirectoryEvents(Store& store) {
  std::vector<Event> out;
  for (const char* child : {"-", "c-1", "c-2"}) {
    auto r = store.Chronology({.child_id = child, .types = {"directory.*"}});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (r.ok()) out.insert(out.end(), r->begin(), r->end());
  }
  std::sort(out.begin(), out.end(), [](const Event& a, const Event& b) { return a.seq < b.seq; });
  return out;
}

TEST_P(DirectoryTest, EveryChangeIsAChainedEventInItsTransaction) {
  // SetUp put two agencies and a team.
  std::vector<Event> events = DirectoryEvents(*store_);
  EXPECT_EQ(Types(events), (std::vector<std::string>{"directory.agency.created", "directory.agency.created",
                                                     "directory.team.created"}));
  auto count = [&] { return DirectoryEvents(*store_).size(); };

  // The same agency again changes nothing and records nothing; a rename does.
  ASSERT_TRUE(dir().PutAgency({"school-1", "Riverside Primary", "school"}).ok());
  EXPECT_EQ(count(), 3u);
  ASSERT_TRUE(dir().PutAgency({"school-1", "Riverside Academy", "school"}).ok());
  events = DirectoryEvents(*store_);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[3].type, "directory.agency.updated");
  EXPECT_EQ(events[3].child_id, "-");
  EXPECT_EQ(nlohmann::json::parse(events[3].payload),
            nlohmann::json::parse(R"({"record":{"id":"school-1","name":"Riverside Academy","kind":"school"},
                                      "changed":["name"]})"));

  // Users: digests of the secrets, never the secrets.
  User u = MakeUser("u-7", "A.Jones");
  u.totp_secret = "JBSWY3DPEHPK3PXP";
  ASSERT_TRUE(dir().CreateUser(u).ok());
  events = DirectoryEvents(*store_);
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[4].type, "directory.user.created");
  EXPECT_EQ(events[4].payload.find(u.password_hash), std::string::npos) << events[4].payload;
  EXPECT_EQ(events[4].payload.find(u.totp_secret), std::string::npos) << events[4].payload;
  auto record = nlohmann::json::parse(events[4].payload)["record"];
  EXPECT_EQ(record["username"], "a.jones");
  EXPECT_EQ(record["team_id"], "t-1");
  EXPECT_EQ(record["password_hash_blake2b"].get<std::string>().size(), 64u);
  EXPECT_EQ(record["totp_secret_blake2b"].get<std::string>().size(), 64u);
  EXPECT_FALSE(record.contains("totp_last_step"));

  // A role change and a password reset in one update: one event naming both.
  User changed = MustGetUser("u-7");
  changed.role = "administrator";
  changed.password_hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdDI$aGFzaDI";
  changed.updated_at = "2026-05-02T09:00:00Z";
  ASSERT_TRUE(dir().UpdateUser(changed).ok());
  events = DirectoryEvents(*store_);
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(events[5].type, "directory.user.updated");
  EXPECT_EQ(nlohmann::json::parse(events[5].payload)["changed"],
            nlohmann::json::parse(R"(["role","password_hash_blake2b","updated_at"])"));

  // Ephemeral: TOTP steps, sessions, login throttling.
  ASSERT_TRUE(dir().ClaimTotpStep("u-7", 99).ok());
  ASSERT_TRUE(
      dir()
          .CreateSession(MakeSession(Hash('a'), "u-7", "2026-05-01T09:00:00Z", "2026-05-01T17:00:00Z"))
          .ok());
  ASSERT_TRUE(dir()
                  .UpdateLoginThrottles({"n:a.jones"},
                                        [](std::vector<std::optional<LoginThrottle>>& r) {
                                          r[0] = LoginThrottle{"n:a.jones", 1, "2026-05-01T10:00:00Z", ""};
                                        })
                  .ok());
  EXPECT_EQ(count(), 6u);

  // Refused changes record nothing.
  EXPECT_EQ(dir().CreateUser(MakeUser("u-7", "other")).code(), StatusCode::kConflict);
  EXPECT_EQ(dir().PutTeam({"t-9", "nowhere", "x", ""}).code(), StatusCode::kNotFound);
  EXPECT_EQ(dir().AcknowledgeAlert(404, "u-7", "2026-05-01T10:00:00Z").code(), StatusCode::kNotFound);
  EXPECT_EQ(count(), 6u);

  // Break-glass and alerts name the child, but stay out of its chronology.
  MustAppend({MakeEvent("c-1", "child.registered", "2026-05-01T09:00:00Z", R"({"name":"Amy"})")});
  const std::string grant(32, 'b');
  ASSERT_TRUE(dir()
                  .CreateBreakGlass({grant, "u-7", "c-1", "Police at the door", "2026-05-01T09:00:00Z",
                                     "2026-05-01T10:00:00Z"})
                  .ok());
  auto alert = dir().CreateAlert({.kind = "break_glass",
                                  .child_id = "c-1",
                                  .user_id = "u-7",
                                  .agency_id = "school-1",
                                  .detail = "Police at the door"});
  ASSERT_TRUE(alert.ok()) << alert.status().ToString();
  ASSERT_TRUE(dir().AcknowledgeAlert(*alert, "u-lead", "2026-05-01T11:00:00Z").ok());
  ASSERT_TRUE(dir().AcknowledgeAlert(*alert, "u-other", "2026-05-01T12:00:00Z").ok());  // the first stands
  events = DirectoryEvents(*store_);
  ASSERT_EQ(events.size(), 9u);
  EXPECT_EQ(Types({events[6], events[7], events[8]}),
            (std::vector<std::string>{"directory.break_glass.granted", "directory.alert.raised",
                                      "directory.alert.acknowledged"}));
  EXPECT_EQ(events[6].child_id, "c-1");
  EXPECT_EQ(events[6].author, "u-7");
  EXPECT_EQ(events[8].author, "u-lead");
  EXPECT_EQ(nlohmann::json::parse(events[7].payload)["record"]["id"], *alert);
  EXPECT_EQ(Types(Chronology({.child_id = "c-1"})), (std::vector<std::string>{"child.registered"}));
  EXPECT_TRUE(Audit({.child_id = "c-1"}).empty());

  // Each event is chained: the log verifies, and its hash links hold.
  auto report = store_->Verify(projector_);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->ok) << report->problem
                          << (report->state_differences.empty() ? "" : "\n" + report->state_differences[0]);
}

TEST_P(DirectoryTest, CallersCannotAppendDirectoryEvents) {
  auto r = store_->Append(
      {MakeEvent("-", "directory.user.updated", "2026-05-01T09:00:00Z", R"({"record":{"id":"u-7"}})")},
      projector_);
  ASSERT_FALSE(r.ok());
  ExpectInvalid(r.status(),
                "events[0].type \"directory.user.updated\": types starting \"directory.\" are "
                "written by the store itself");
}

TEST_P(DirectoryTest, RowsOfAnOlderDatabaseAreAdoptedIntoTheLogWhenItIsMigrated) {
  // A database of schema version 3: directory rows but no directory events.
  ASSERT_TRUE(dir().CreateUser(MakeUser("u-7", "a.jones")).ok());
  ASSERT_TRUE(
      dir().CreateAlert({.kind = "break_glass", .child_id = "c-1", .user_id = "u-7", .detail = "x"}).ok());
  MustAppend({MakeEvent("c-1", "child.registered", "2026-05-01T09:00:00Z", R"({"name":"Amy"})")});
  store_.reset();
  ASSERT_TRUE(db_->AllowTampering().ok());
  ASSERT_TRUE(db_->Exec("DELETE FROM events").ok());
  ASSERT_TRUE(
      db_->Exec("UPDATE chain_head SET seq = 0, hash = ? WHERE id = 1", {std::string(internal::kGenesisHash)})
          .ok());
  ASSERT_TRUE(db_->Exec("DELETE FROM schema_migrations WHERE version = 4").ok());
  auto s = Open(db_->url());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  store_ = std::move(*s);
  MustAppend({MakeEvent("c-1", "child.registered", "2026-05-01T09:00:00Z", R"({"name":"Amy"})")});
  EXPECT_EQ(Types(DirectoryEvents(*store_)),
            (std::vector<std::string>{"directory.agency.adopted", "directory.agency.adopted",
                                      "directory.team.adopted", "directory.user.adopted",
                                      "directory.alert.adopted"}));
  auto report = store_->Verify(projector_);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->ok) << report->problem
                          << (report->state_differences.empty() ? "" : "\n" + report->state_differences[0]);
  EXPECT_EQ(report->events, 6);
}

TEST_P(DirectoryTest, WritesInterleaveWithAppends) {
  ASSERT_TRUE(dir().CreateUser(MakeUser("u-7", "a.jones")).ok());
  std::atomic<int> errors{0};
  std::thread appender([&] {
    for (int i = 0; i < 20; ++i) {
      auto r = store_->Append({AuditEvent("audit.read", "u-7", "school-1", "c-1")}, projector_);
      if (!r.ok()) ++errors;
    }
  });
  std::thread directory([&] {
    for (int i = 0; i < 20; ++i) {
      if (!dir().TouchSession(Hash('a'), "2026-05-01T10:00:00Z").ok() &&
          !dir()
               .CreateSession(MakeSession(Hash('a'), "u-7", "2026-05-01T09:00:00Z", "2026-05-01T17:00:00Z"))
               .ok())
        ++errors;
      if (!dir()
               .UpdateLoginThrottles(
                   {"n:a.jones"},
                   [](auto& r) {
                     r[0] = LoginThrottle{"", (r[0] ? r[0]->failures : 0) + 1, "2026-05-01T10:00:00Z", ""};
                   })
               .ok())
        ++errors;
    }
  });
  appender.join();
  directory.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(Audit({.user = "u-7"}).size(), 20u);
}

INSTANTIATE_TEST_SUITE_P(Backends, AuditTest, ::testing::Values(testing::kSqlite, testing::kPostgres),
                         [](const auto& info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(Backends, SearchTest, ::testing::Values(testing::kSqlite, testing::kPostgres),
                         [](const auto& info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(Backends, DirectoryTest, ::testing::Values(testing::kSqlite, testing::kPostgres),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace continuum::store

// Tampering underneath the Store, with raw SQL on the database itself (the
// sqlite3 C API on the file; libpq as a superuser with triggers off): every
// column of several events, deleted and reordered events, the chain head,
// every column of the current-state tables, and the directory's rows. Verify
// must report each one, naming the first bad event when it is an event;
// undoing the change must make Verify pass again, so each case tests exactly
// one change. Two changes only signed checkpoints can reveal — the tail cut
// off with the chain head set back, and the chain rewritten with recomputed
// hashes — are shown passing a plain Verify and failing one with the witness.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <map>

#include "store/store.h"
#include "store/store_test_util.h"
#include "store/witness.h"

namespace continuum::store {
namespace {

using testing::MakeEvent;
using testing::RawRow;
using testing::TestDatabase;
using testing::TestProjector;

const std::vector<std::string> kEventColumns = {
    "seq",    "id",           "child_id", "type",       "occurred_at", "recorded_at", "author",
    "agency", "significance", "payload",  "supersedes", "reason",      "prev_hash",   "hash"};

class TamperTest : public ::testing::TestWithParam<std::string> {
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

    // Twelve events over two children, with a correction, notes, entities
    // and deadlines, in four calls.
    Append(
        {MakeEvent("c-1", "child.registered", "2026-01-05T09:00:00Z", R"({"name":"Amy","dob":"2015-04-01"})"),
         MakeEvent("c-2", "child.registered", "2026-01-05T10:00:00Z", R"({"name":"Ben"})"),
         MakeEvent("c-1", "note.added", "2026-01-06T09:00:00Z", R"({"text":"first"})", "health-3",
                   kSignificant)});
    Append(
        {MakeEvent("c-1", "deadline.set", "2026-01-07T09:00:00Z",
                   R"({"deadline_id":"d-1","due_at":"2026-02-01T09:00:00Z","owner":"u-1","team":"eh"})"),
         MakeEvent("c-1", "entity.added", "2026-01-07T09:30:00Z", R"({"kind":"school","entity_id":"s-1"})"),
         MakeEvent("c-2", "note.added", "2026-01-08T09:00:00Z", "{}", "police-2", kKey)});
    auto to_correct =
        Append({MakeEvent("c-2", "child.renamed", "2026-01-09T09:00:00Z", R"({"name":"Benn"})")});
    Event fix = MakeEvent("c-2", "child.renamed", "2026-01-09T09:00:00Z", R"({"name":"Ben"})");
    fix.supersedes = to_correct[0].id;
    fix.reason = "typing error";
    Append({fix, MakeEvent("c-1", "note.added", "2026-01-10T09:00:00Z"),
            MakeEvent("c-1", "deadline.met", "2026-01-11T09:00:00Z", R"({"deadline_id":"d-1"})"),
            MakeEvent("c-2", "deadline.set", "2026-01-12T09:00:00Z",
                      R"({"deadline_id":"d-2","due_at":"2026-03-01T09:00:00Z","agency":"x"})"),
            MakeEvent("c-2", "entity.added", "2026-01-13T09:00:00Z", R"({"kind":"gp","entity_id":"g-1"})")});
    ASSERT_EQ(Count("events"), 12);
    ExpectClean();
    ASSERT_TRUE(db_->AllowTampering().ok());
  }

  std::vector<Event> Append(std::vector<Event> events) {
    auto r = store_->Append(std::move(events), TestProjector);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::vector<Event>{};
  }

  int64_t Count(const std::string& table) {
    auto n = db_->Count(table);
    return n.ok() ? *n : -1;
  }

  VerifyReport Verify() {
    auto report = store_->Verify(TestProjector);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : VerifyReport{.ok = false, .problem = report.status().ToString()};
  }

  void ExpectClean() {
    VerifyReport r = Verify();
    EXPECT_TRUE(r.ok) << r.problem << (r.state_differences.empty() ? "" : "; " + r.state_differences[0]);
    EXPECT_EQ(r.events, Count("events"));
  }

  void Exec(const std::string& sql, const RawRow& params = {}) {
    Status st = db_->Exec(sql, params);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  // Every column of the event at `seq`, by name, as stored.
  std::map<std::string, std::optional<std::string>> EventRow(int64_t seq) {
    std::string cols;
    for (const std::string& c : kEventColumns) cols += (cols.empty() ? "" : ", ") + c;
    auto rows = db_->Query("SELECT " + cols + " FROM events WHERE seq = ?", {std::to_string(seq)});
    EXPECT_TRUE(rows.ok() && rows->size() == 1) << rows.status().ToString();
    std::map<std::string, std::optional<std::string>> out;
    if (rows.ok() && rows->size() == 1) {
      for (size_t i = 0; i < kEventColumns.size(); ++i) out[kEventColumns[i]] = (*rows)[0][i];
    }
    return out;
  }

  void InsertEvent(const std::map<std::string, std::optional<std::string>>& row) {
    std::string cols, marks;
    RawRow params;
    for (const std::string& c : kEventColumns) {
      cols += (cols.empty() ? "" : ", ") + c;
      marks += marks.empty() ? "?" : ", ?";
      params.push_back(row.at(c));
    }
    Exec("INSERT INTO events (" + cols + ") VALUES (" + marks + ")", params);
  }

  // A different value for one column of an event, one the schema's checks
  // accept (the tamperer is careful).
  std::optional<std::string> Tampered(const std::string& column, const std::optional<std::string>& value,
                                      int64_t seq) {
    if (column == "seq") return "1000";
    if (column == "id") return std::string("deadbeefdeadbeefdeadbeefdeadbeef");
    if (column == "child_id") return std::string("c-9");
    if (column == "type") return std::string("note.tampered");
    if (column == "occurred_at" || column == "recorded_at") return std::string("1999-12-31T23:59:59Z");
    if (column == "author" || column == "agency") return std::string("someone-else");
    if (column == "significance") return std::to_string((std::stoi(*value) + 1) % 3);
    if (column == "payload") return std::string(R"({"text":"changed"})");
    if (column == "supersedes") {
      // Remove a correction's link, or make an event claim to correct one
      // that nothing corrects yet (seq 3 is never corrected).
      if (value) return std::nullopt;
      return *EventRow(seq == 3 ? 2 : 3)["id"];
    }
    if (column == "reason") return value ? std::string("a different reason") : std::string("invented reason");
    // prev_hash, hash: one hex digit changed.
    std::string v = *value;
    v[0] = v[0] == '0' ? '1' : '0';
    return v;
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<Store> store_;
};

TEST_P(TamperTest, EditingAnyColumnOfAnyEventIsDetected) {
  // The first, a middle one, the correction (supersedes and reason set), the last.
  for (int64_t seq : {1, 5, 8, 12}) {
    const auto original = EventRow(seq);
    ASSERT_FALSE(original.empty());
    if (seq == 8) {
      ASSERT_TRUE(original.at("supersedes").has_value()) << "seq 8 should be the correction";
    }
    for (const std::string& column : kEventColumns) {
      SCOPED_TRACE("seq " + std::to_string(seq) + ", column " + column);
      const std::optional<std::string> value = Tampered(column, original.at(column), seq);
      ASSERT_NE(value, original.at(column));
      Exec("UPDATE events SET " + column + " = ? WHERE seq = ?", {value, std::to_string(seq)});

      VerifyReport r = Verify();
      EXPECT_FALSE(r.ok);
      EXPECT_FALSE(r.problem.empty());
      if (column == "seq") {
        // The event moved to seq 1000: the log has a gap where it was, and
        // the first bad event is the one after the gap (the moved one itself
        // when it was the last).
        EXPECT_NE(r.problem.find("missing"), std::string::npos) << r.problem;
        EXPECT_EQ(r.first_bad_event, *EventRow(seq < 12 ? seq + 1 : 1000)["id"]) << r.problem;
      } else {
        // The event itself is named.
        std::string id = column == "id" ? *value : *original.at("id");
        EXPECT_EQ(r.first_bad_event, id) << r.problem;
        EXPECT_NE(r.problem.find("seq " + std::to_string(seq)), std::string::npos) << r.problem;
      }

      const std::string where_seq = column == "seq" ? *value : std::to_string(seq);
      Exec("UPDATE events SET " + column + " = ? WHERE seq = ?", {original.at(column), where_seq});
      ExpectClean();
    }
  }
}

TEST_P(TamperTest, DeletingAnyEventIsDetected) {
  for (int64_t seq : {1, 6, 12}) {
    SCOPED_TRACE("seq " + std::to_string(seq));
    const auto original = EventRow(seq);
    Exec("DELETE FROM events WHERE seq = ?", {std::to_string(seq)});
    VerifyReport r = Verify();
    EXPECT_FALSE(r.ok);
    if (seq == 12) {
      // Nothing follows the last event; the chain head still counts it.
      EXPECT_NE(r.problem.find("removed from the end"), std::string::npos) << r.problem;
    } else {
      EXPECT_EQ(r.first_bad_event, *EventRow(seq + 1)["id"]) << r.problem;
      EXPECT_NE(r.problem.find("missing"), std::string::npos) << r.problem;
    }
    InsertEvent(original);
    ExpectClean();
  }
}

TEST_P(TamperTest, ReorderingEventsIsDetected) {
  for (auto [a, b] : std::vector<std::pair<int64_t, int64_t>>{{1, 2}, {3, 9}, {11, 12}}) {
    SCOPED_TRACE("swap " + std::to_string(a) + " and " + std::to_string(b));
    auto row_a = EventRow(a), row_b = EventRow(b);
    Exec("DELETE FROM events WHERE seq IN (?, ?)", {std::to_string(a), std::to_string(b)});
    auto moved_a = row_b, moved_b = row_a;
    moved_a["seq"] = std::to_string(a);
    moved_b["seq"] = std::to_string(b);
    InsertEvent(moved_a);
    InsertEvent(moved_b);
    VerifyReport r = Verify();
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.first_bad_event, *row_b.at("id")) << r.problem;  // now first, in the wrong place
    Exec("DELETE FROM events WHERE seq IN (?, ?)", {std::to_string(a), std::to_string(b)});
    InsertEvent(row_a);
    InsertEvent(row_b);
    ExpectClean();
  }
}

TEST_P(TamperTest, AForgedEventOrChainHeadIsDetected) {
  // An event added at the end by hand, with a plausible but wrong hash.
  auto last = EventRow(12);
  auto forged = last;
  forged["seq"] = "13";
  forged["id"] = "feedfacefeedfacefeedfacefeedface";
  forged["prev_hash"] = last["hash"];
  forged["supersedes"] = std::nullopt;
  InsertEvent(forged);
  VerifyReport r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_event, "feedfacefeedfacefeedfacefeedface") << r.problem;
  Exec("DELETE FROM events WHERE seq = 13");
  ExpectClean();

  Exec("UPDATE chain_head SET hash = ? WHERE id = 1", {*EventRow(11)["hash"]});
  r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.problem.find("chain head"), std::string::npos) << r.problem;
  Exec("UPDATE chain_head SET hash = ? WHERE id = 1", {last["hash"]});
  ExpectClean();
}

TEST_P(TamperTest, EditingAnyCurrentStateColumnIsDetected) {
  struct Target {
    std::string table, where;
    RawRow key;
    std::vector<std::string> columns;  // every non-key column
  };
  std::vector<Target> targets = {
      {"children",
       "child_id = ?",
       {"c-1"},
       {"display_name", "date_of_birth", "nhs_number", "upn", "local_id", "framework_id", "data",
        "updated_seq"}},
      {"entities",
       "child_id = ? AND kind = ? AND entity_id = ?",
       {"c-1", "school", "s-1"},
       {"data", "updated_seq"}},
      {"deadlines",
       "deadline_id = ?",
       {"d-1"},
       {"child_id", "kind", "label", "due_at", "owner", "team", "agency", "status", "source_event",
        "updated_seq"}},
  };
  for (const Target& t : targets) {
    for (const std::string& column : t.columns) {
      SCOPED_TRACE(t.table + "." + column);
      auto before = db_->Query("SELECT " + column + " FROM " + t.table + " WHERE " + t.where, t.key);
      ASSERT_TRUE(before.ok() && before->size() == 1) << before.status().ToString();
      const std::optional<std::string> original = (*before)[0][0];
      std::optional<std::string> value;
      if (column == "updated_seq") {
        value = original == "1" ? "2" : "1";
      } else if (column == "status") {
        value = "cancelled";
      } else if (column == "due_at") {
        value = "2027-01-01T00:00:00Z";
      } else if (column == "source_event") {
        value = *EventRow(1)["id"];
      } else if (column == "data") {
        value = R"({"changed":true})";
      } else if (column == "date_of_birth") {
        value = "2016-01-01";
      } else {
        value = "changed";
      }
      ASSERT_NE(value, original);
      RawRow params = {value};
      params.insert(params.end(), t.key.begin(), t.key.end());
      Exec("UPDATE " + t.table + " SET " + column + " = ? WHERE " + t.where, params);
      VerifyReport r = Verify();
      EXPECT_FALSE(r.ok);
      EXPECT_EQ(r.first_bad_event, "");
      ASSERT_EQ(r.state_differences.size(), 1u) << r.problem;
      EXPECT_NE(r.state_differences[0].find(t.table + " ["), std::string::npos) << r.state_differences[0];
      EXPECT_NE(r.state_differences[0].find(column + " is"), std::string::npos) << r.state_differences[0];
      params[0] = original;
      Exec("UPDATE " + t.table + " SET " + column + " = ? WHERE " + t.where, params);
      ExpectClean();
    }
  }
}

TEST_P(TamperTest, MissingAndExtraStateRowsAreDetected) {
  Exec("DELETE FROM entities WHERE child_id = 'c-2' AND kind = 'gp'");
  VerifyReport r = Verify();
  EXPECT_FALSE(r.ok);
  ASSERT_EQ(r.state_differences.size(), 1u);
  EXPECT_NE(r.state_differences[0].find("entities [c-2, gp, g-1]: missing from the table"), std::string::npos)
      << r.state_differences[0];
  Exec(
      "INSERT INTO entities (child_id, kind, entity_id, data, updated_seq) VALUES ('c-2', 'gp', 'g-1', ?, "
      "12)",
      {R"({"kind":"gp","entity_id":"g-1"})"});
  ExpectClean();

  Exec("INSERT INTO children (child_id, display_name, updated_seq) VALUES ('c-ghost', 'Nobody', 3)");
  r = Verify();
  EXPECT_FALSE(r.ok);
  ASSERT_EQ(r.state_differences.size(), 1u);
  EXPECT_NE(r.state_differences[0].find("children [c-ghost]: in the table but not produced by the log"),
            std::string::npos)
      << r.state_differences[0];
  Exec("DELETE FROM children WHERE child_id = 'c-ghost'");
  ExpectClean();
}

INSTANTIATE_TEST_SUITE_P(Backends, TamperTest, ::testing::Values(testing::kSqlite, testing::kPostgres),
                         [](const auto& info) { return info.param; });

// ---------------------------------------------------------------------------
// Signed checkpoints: what a database writer without the key cannot hide

class WitnessedTamperTest : public TamperTest {
 protected:
  void SetUp() override {
    TamperTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    std::string tmpl = (std::filesystem::temp_directory_path() / "continuum-tamper-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    ASSERT_TRUE(GenerateWitnessKey(Path("witness.key"), Path("witness.pub")).ok());
    auto signer = WitnessSigner::Open(Path("witness.key"), Path("w.log"));
    ASSERT_TRUE(signer.ok()) << signer.status().ToString();
    signer_ = std::move(*signer);
    // Line 1 vouches for seq 12; two events that change no state follow, and
    // line 2 vouches for seq 14.
    Checkpoint(12);
    Append({MakeEvent("c-1", "test.noted", "2026-01-14T09:00:00Z", R"({"text":"late"})"),
            MakeEvent("c-2", "test.noted", "2026-01-15T09:00:00Z", R"({"text":"later"})")});
    Checkpoint(14);
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  void Checkpoint(int64_t seq) {
    auto written = signer_->Checkpoint(*store_);
    ASSERT_TRUE(written.ok()) << written.status().ToString();
    ASSERT_TRUE(written->has_value());
    ASSERT_EQ((*written)->seq, seq);
  }

  VerifyReport VerifyWitnessed() {
    auto file = ReadWitnessFile(Path("w.log"), Path("witness.pub"));
    EXPECT_TRUE(file.ok()) << file.status().ToString();
    EXPECT_TRUE(file.ok() && file->problems.empty());
    auto report = store_->Verify(TestProjector, file.ok() ? file->points : std::vector<ChainPoint>{});
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : VerifyReport{.ok = false, .problem = report.status().ToString()};
  }

  std::filesystem::path dir_;
  std::unique_ptr<WitnessSigner> signer_;
};

TEST_P(WitnessedTamperTest, ACleanLogAgreesWithEveryCheckpoint) {
  VerifyReport r = VerifyWitnessed();
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.events, 14);
  EXPECT_EQ(r.checkpoints, 2);
  EXPECT_TRUE(r.state_differences.empty());
}

TEST_P(WitnessedTamperTest, CuttingTheTailAndSettingBackTheChainHeadIsDetectedByTheWitness) {
  const auto last = EventRow(12);
  Exec("DELETE FROM events WHERE seq > 12");
  Exec("UPDATE chain_head SET seq = 12, hash = ? WHERE id = 1", {last.at("hash")});
  // The chain alone is consistent: nothing tells the cut.
  ExpectClean();

  VerifyReport r = VerifyWitnessed();
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.problem.find("the log ends at seq 12 but " + Path("w.log") + " line 2 (signed "),
            std::string::npos)
      << r.problem;
  EXPECT_NE(r.problem.find("vouches for seq 14"), std::string::npos) << r.problem;
  EXPECT_NE(r.problem.find("removed from the end of the log"), std::string::npos) << r.problem;
}

TEST_P(WitnessedTamperTest, RewritingTheChainWithRecomputedHashesIsDetectedByTheWitness) {
  // A note's text changed at seq 3 (it changes no state), and every hash
  // from there on recomputed, the chain head with them.
  std::string prev = *EventRow(2)["hash"];
  for (int64_t seq = 3; seq <= 14; ++seq) {
    auto row = EventRow(seq);
    Event e;
    e.seq = seq;
    e.id = *row["id"];
    e.child_id = *row["child_id"];
    e.type = *row["type"];
    e.occurred_at = *row["occurred_at"];
    e.recorded_at = *row["recorded_at"];
    e.author = *row["author"];
    e.agency = *row["agency"];
    e.significance = std::stoi(*row["significance"]);
    e.payload = seq == 3 ? R"({"text":"never said"})" : *row["payload"];
    e.supersedes = row["supersedes"].value_or("");
    e.reason = row["reason"].value_or("");
    e.prev_hash = prev;
    e.hash = EventHash(e);
    Exec("UPDATE events SET payload = ?, prev_hash = ?, hash = ? WHERE seq = ?",
         {e.payload, e.prev_hash, e.hash, std::to_string(seq)});
    prev = e.hash;
  }
  Exec("UPDATE chain_head SET hash = ? WHERE id = 1", {prev});
  ExpectClean();

  // The first checkpoint after the change names the rewrite.
  VerifyReport r = VerifyWitnessed();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_event, *EventRow(12)["id"]) << r.problem;
  EXPECT_NE(r.problem.find("that " + Path("w.log") + " line 1 (signed "), std::string::npos) << r.problem;
  EXPECT_NE(r.problem.find("the log was rewritten at or before seq 12"), std::string::npos) << r.problem;
}

// ---------------------------------------------------------------------------
// The directory: its rows against the replay of its directory.* events

class DirectoryTamperTest : public TamperTest {
 protected:
  void SetUp() override {
    TamperTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    Directory& dir = store_->directory();
    ASSERT_TRUE(dir.PutAgency({"school-1", "Riverside Primary", "school"}).ok());
    ASSERT_TRUE(dir.PutAgency({"csc", "Children's Social Care", "social_care"}).ok());
    ASSERT_TRUE(dir.PutTeam({"mash", "csc", "MASH", "worcestershire/front_door"}).ok());
    for (const char* id : {"u-7", "u-8"}) {
      ASSERT_TRUE(dir.CreateUser({.id = id,
                                  .username = std::string("user-") + id,
                                  .display_name = "A. Jones",
                                  .role = "practitioner",
                                  .agency_id = "school-1",
                                  .password_hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
                                  .totp_secret = "JBSWY3DPEHPK3PXP"})
                      .ok());
    }
    ASSERT_TRUE(dir.CreateBreakGlass({kGrant, "u-7", "c-1", "Police at the door out of hours",
                                      "2026-01-20T09:00:00Z", "2026-01-20T10:00:00Z"})
                    .ok());
    auto alert = dir.CreateAlert({.kind = "break_glass",
                                  .child_id = "c-1",
                                  .user_id = "u-7",
                                  .agency_id = "school-1",
                                  .detail = "Police at the door out of hours"});
    ASSERT_TRUE(alert.ok()) << alert.status().ToString();
    alert_ = std::to_string(*alert);
    ExpectClean();
  }

  // Deletes the rows, checks Verify reports `difference` and only it, puts
  // the rows back and checks Verify is clean again.
  void ExpectDeletionDetected(const std::string& table, const std::string& columns, const std::string& where,
                              const RawRow& key, const std::string& difference) {
    auto rows = db_->Query("SELECT " + columns + " FROM " + table + " WHERE " + where, key);
    ASSERT_TRUE(rows.ok() && rows->size() == 1) << rows.status().ToString();
    Exec("DELETE FROM " + table + " WHERE " + where, key);
    VerifyReport r = Verify();
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.first_bad_event, "");
    ASSERT_EQ(r.state_differences.size(), 1u) << r.problem;
    EXPECT_EQ(r.state_differences[0], difference);
    std::string marks;
    for (size_t i = 0; i < (*rows)[0].size(); ++i) marks += i ? ", ?" : "?";
    Exec("INSERT INTO " + table + " (" + columns + ") VALUES (" + marks + ")", (*rows)[0]);
    ExpectClean();
  }

  // Sets one column, checks Verify names it, and sets it back.
  void ExpectEditDetected(const std::string& table, const std::string& column, const std::string& key,
                          const std::optional<std::string>& value, const std::string& difference) {
    auto before = db_->Query("SELECT " + column + " FROM " + table + " WHERE id = ?", {key});
    ASSERT_TRUE(before.ok() && before->size() == 1) << before.status().ToString();
    Exec("UPDATE " + table + " SET " + column + " = ? WHERE id = ?", {value, key});
    VerifyReport r = Verify();
    EXPECT_FALSE(r.ok);
    ASSERT_EQ(r.state_differences.size(), 1u) << r.problem;
    EXPECT_NE(r.state_differences[0].find(difference), std::string::npos) << r.state_differences[0];
    Exec("UPDATE " + table + " SET " + column + " = ? WHERE id = ?", {(*before)[0][0], key});
    ExpectClean();
  }

  static constexpr const char* kGrant = "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0";
  std::string alert_;
};

TEST_P(DirectoryTamperTest, DeletingABreakGlassGrantIsDetected) {
  ExpectDeletionDetected(
      "break_glass", "id, user_id, child_id, reason, granted_at, expires_at", "id = ?", {kGrant},
      std::string("break_glass [") + kGrant + "]: missing from the table (the log has it)");
}

TEST_P(DirectoryTamperTest, DeletingAnAlertIsDetected) {
  ExpectDeletionDetected(
      "alerts",
      "id, kind, child_id, user_id, agency_id, detail, created_at, acknowledged_by, acknowledged_at",
      "id = ?", {alert_}, "alerts [" + alert_ + "]: missing from the table (the log has it)");
}

TEST_P(DirectoryTamperTest, DeletingAUserOrAgencyIsDetected) {
  ExpectDeletionDetected("users",
                         "id, username, display_name, role, agency_id, team_id, password_hash, totp_secret, "
                         "totp_last_step, disabled, must_change_password, created_at, updated_at",
                         "id = ?", {"u-8"}, "users [u-8]: missing from the table (the log has it)");
  ExpectDeletionDetected("teams", "id, agency_id, name, front_door, duty", "id = ?", {"mash"},
                         "teams [mash]: missing from the table (the log has it)");
}

TEST_P(DirectoryTamperTest, ChangingAUsersRoleIsDetected) {
  ExpectEditDetected("users", "role", "u-7", "administrator",
                     "users [u-7]: role is \"administrator\" in the table but \"practitioner\" on replay");
  ExpectEditDetected("users", "agency_id", "u-7", "csc", "users [u-7]: agency_id is \"csc\" in the table");
  ExpectEditDetected("users", "disabled", "u-7", "1",
                     "users [u-7]: disabled is 1 in the table but 0 on replay");
}

TEST_P(DirectoryTamperTest, ChangingAPasswordHashOrTotpSecretIsDetected) {
  ExpectEditDetected("users", "password_hash", "u-7", "$argon2id$v=19$m=19456,t=2,p=1$bWluZQ$bWluZQ",
                     "users [u-7]: password_hash_blake2b is ");
  ExpectEditDetected("users", "totp_secret", "u-7", "",
                     "users [u-7]: totp_secret_blake2b is \"\" in the table");
}

TEST_P(DirectoryTamperTest, AcknowledgingAnAlertOrWideningAGrantBehindTheLogIsDetected) {
  ExpectEditDetected(
      "alerts", "acknowledged_at", alert_, "2026-01-20T09:30:00Z",
      "alerts [" + alert_ + "]: acknowledged_at is \"2026-01-20T09:30:00Z\" in the table but null");
  ExpectEditDetected("break_glass", "expires_at", kGrant, "2030-01-01T00:00:00Z",
                     std::string("break_glass [") + kGrant + "]: expires_at is \"2030-01-01T00:00:00Z\"");
  ExpectEditDetected("agencies", "kind", "csc", "school", "agencies [csc]: kind is \"school\"");
  ExpectEditDetected("teams", "duty", "mash", "", "teams [mash]: duty is \"\" in the table but \"worcestershire/front_door\"");
}

TEST_P(DirectoryTamperTest, AUserAddedBehindTheLogIsDetected) {
  Exec(
      "INSERT INTO users (id, username, display_name, role, agency_id, team_id, password_hash, totp_secret, "
      "totp_last_step, disabled, must_change_password, created_at, updated_at) VALUES ('u-evil', 'evil', "
      "'E', "
      "'administrator', 'school-1', NULL, 'x', '', 0, 0, 0, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')");
  VerifyReport r = Verify();
  EXPECT_FALSE(r.ok);
  ASSERT_EQ(r.state_differences.size(), 1u) << r.problem;
  EXPECT_EQ(r.state_differences[0], "users [u-evil]: in the table but not produced by the log (extra row)");
  EXPECT_NE(r.problem.find("directory row(s) differ from a replay of the log"), std::string::npos)
      << r.problem;
  Exec("DELETE FROM users WHERE id = 'u-evil'");
  ExpectClean();
}

TEST_P(DirectoryTamperTest, SessionsThrottlingAndTotpStepsAreOutsideTheLog) {
  // Ephemeral by design (docs/event-log.md): changing them is not tampering
  // with the record.
  Directory& dir = store_->directory();
  ASSERT_TRUE(dir.CreateSession({.token_hash = std::string(64, 'a'),
                                 .user_id = "u-7",
                                 .expires_at = "2030-01-01T00:00:00Z",
                                 .ip = "127.0.0.1"})
                  .ok());
  ASSERT_TRUE(dir.ClaimTotpStep("u-7", 1234).ok());
  Exec("DELETE FROM sessions");
  Exec("UPDATE users SET totp_last_step = 0");
  ExpectClean();
}

INSTANTIATE_TEST_SUITE_P(Backends, WitnessedTamperTest,
                         ::testing::Values(testing::kSqlite, testing::kPostgres),
                         [](const auto& info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(Backends, DirectoryTamperTest,
                         ::testing::Values(testing::kSqlite, testing::kPostgres),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace continuum::store

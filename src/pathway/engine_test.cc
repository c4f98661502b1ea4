// The pathway as Worcestershire's framework lays it down: what may follow
// what, who may record it, which fields and conditions, and the deadlines.
#include "pathway/engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

namespace continuum::pathway {
namespace {

using nlohmann::json;

// Current state in memory, for driving Project without a database.
class MemoryState : public store::StateReader {
 public:
  Result<std::optional<store::Row>> Get(const std::string& table, const std::vector<std::string>& key) override {
    auto it = rows_.find(Key(table, key));
    if (it == rows_.end()) return std::optional<store::Row>();
    return std::optional<store::Row>(it->second);
  }
  void Apply(const std::vector<store::Row>& rows) {
    for (const auto& r : rows) {
      std::vector<std::string> key;
      for (int i = 0; i < r.key_columns; ++i) key.push_back(r.columns[i].second.value_or(""));
      if (r.remove) {
        rows_.erase(Key(r.table, key));
        continue;
      }
      // An upsert sets the columns it names and keeps the others, as the store does.
      auto [it, fresh] = rows_.try_emplace(Key(r.table, key), r);
      if (fresh) continue;
      for (const auto& [c, v] : r.columns) {
        auto col = std::find_if(it->second.columns.begin(), it->second.columns.end(),
                                [&](const auto& x) { return x.first == c; });
        if (col == it->second.columns.end()) {
          it->second.columns.emplace_back(c, v);
        } else {
          col->second = v;
        }
      }
    }
  }
  std::string Col(const std::string& table, const std::vector<std::string>& key, const std::string& col) {
    auto it = rows_.find(Key(table, key));
    if (it == rows_.end()) return "<none>";
    for (const auto& [c, v] : it->second.columns) {
      if (c == col) return v.value_or("");
    }
    return "<no column>";
  }

 private:
  static std::string Key(const std::string& t, const std::vector<std::string>& k) {
    std::string s = t;
    for (const auto& x : k) s += "\x1f" + x;
    return s;
  }
  std::map<std::string, store::Row> rows_;
};

// The directory, as far as the tests need it.
class FakeLookup : public Lookup {
 public:
  Result<std::optional<UserFacts>> User(const std::string& id) override {
    if (id == "gone") return std::optional<UserFacts>(UserFacts{"school", "", "practitioner", false});
    if (id.rfind("u", 0) == 0 || id == "tl") return std::optional<UserFacts>(UserFacts{"school", "", "practitioner", true});
    return std::optional<UserFacts>();
  }
  Result<bool> AgencyExists(const std::string& id) override { return id == "school" || id == "health" || id == "sw"; }
  // Agency by agency, only the school has a team holding a duty.
  Result<std::string> DutyTeam(const std::string& framework, const std::string& duty,
                               const std::string& agency) override {
    if (!agency.empty()) return agency == "school" ? "duty-" + duty + "-school" : std::string();
    return std::string("duty-") + duty;
  }
};

class PathwayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto reg = framework::Registry::LoadDirectory(CONTINUUM_FRAMEWORKS_DIR);
    ASSERT_TRUE(reg.ok()) << reg.status().message();
    fw_ = reg->Find("worcestershire");
    ASSERT_TRUE(fw_ && fw_->pathway);
    auto cal = HolidayCalendar::LoadFile(std::string(CONTINUUM_DATA_DIR) + "/bank-holidays.yaml");
    ASSERT_TRUE(cal.ok()) << cal.status().message();
    cal_ = std::make_unique<HolidayCalendar>(std::move(cal).value());
    Command reg_cmd{.child_id = "c1", .event_type = kChildRegistered, .occurred_at = "2026-11-02T09:00:00Z",
                    .actor = {"u1", "school", "", ""},
                    .fields = {{"display_name", "Test Child"}, {"date_of_birth", "2016-05-01"}, {"nhs_number", "9990001006"}}};
    auto e = PrepareRegistration(*fw_, reg_cmd);
    ASSERT_TRUE(e.ok()) << e.status().message();
    ASSERT_TRUE(Store(*e).ok());
  }

  // Projects an event as the store would, giving it an id and seq.
  Status Store(store::Event e) {
    e.seq = ++seq_;
    e.id = "e" + std::to_string(seq_);
    std::vector<store::Row> rows;
    Status s = Project(e, state_, &rows);
    if (s.ok()) state_.Apply(rows);
    return s;
  }
  CaseState Case() {
    auto row = state_.Col("entities", {"c1", "case", "current"}, "data");
    return CaseState::FromJson(json::parse(row));
  }
  Result<store::Event> Record(const std::string& type, const std::string& role, json fields,
                              const std::string& at = "2026-11-02T10:00:00Z") {
    Command c{.child_id = "c1", .event_type = type, .occurred_at = at, .actor = {"u1", "school", team_, role},
              .fields = std::move(fields)};
    auto p = Prepare(*fw_, *cal_, Case(), c, lookup_);
    if (!p.ok()) return p.status();
    return p->event;
  }
  Status Do(const std::string& type, const std::string& role, json fields,
            const std::string& at = "2026-11-02T10:00:00Z") {
    auto e = Record(type, role, std::move(fields), at);
    if (!e.ok()) return e.status();
    return Store(*e);
  }
  void GiveConsent() {
    ASSERT_TRUE(Do("consent.given", "front_door",
                   {{"given_by", "Dawn"}, {"relationship", "parent"}, {"agencies", {"school"}}, {"purpose", "p"},
                    {"form", "written"}, {"given_on", "2026-11-02"}}).ok());
  }
  void OpenEarlyHelp() {
    ASSERT_TRUE(Do("request.received", "practitioner",
                   {{"source", "school"}, {"reason", "r"}, {"immediate_risk", false}, {"consent", "given"}}).ok());
    GiveConsent();
    ASSERT_TRUE(Do("request.decided", "front_door", {{"decision", "early_help"}, {"rationale", "r"}, {"level", 2}}).ok());
  }
  void ToPlanning() {
    OpenEarlyHelp();
    ASSERT_TRUE(Do("person.added", "practitioner",
                   {{"person_id", "p1"}, {"name", "Dawn"}, {"relationship", "mother"}, {"lives_with_child", true}}).ok());
    ASSERT_TRUE(Do("assessment.started", "practitioner", {{"assessment_type", "early_help_assessment"}, {"assessor", "u1"}}).ok());
    ASSERT_TRUE(Do("assessment.completed", "practitioner",
                   {{"needs", "n"}, {"strengths", "s"}, {"child_views", "c"}, {"parent_views", "p"}}).ok());
  }
  json Plan(const char* type, const char* review_date) {
    return {{"plan_type", type}, {"outcomes", {"o"}}, {"review_date", review_date}, {"lead_professional", "u1"},
            {"shared_with_family", {"p1"}}};
  }
  void ToPlan() {
    ToPlanning();
    ASSERT_TRUE(Do("action.added", "lead_professional",
                   {{"action_id", "a0"}, {"description", "d"}, {"owner", "u2"}, {"agency", "school"},
                    {"due_date", "2026-11-20"}, {"measure", "m"}}).ok());
    ASSERT_TRUE(Do("plan.agreed", "lead_professional", Plan("single_agency", "2027-01-04")).ok());
    ASSERT_EQ(Case().lead_professional, "u1");
  }

  std::shared_ptr<const framework::Framework> fw_;
  std::unique_ptr<HolidayCalendar> cal_;
  MemoryState state_;
  FakeLookup lookup_;
  std::string team_;  // the recorder's team
  int64_t seq_ = 0;
};

TEST_F(PathwayTest, RegistrationValidatesIdentifiers) {
  Command c{.child_id = "c2", .event_type = kChildRegistered, .occurred_at = "2026-11-02T09:00:00Z",
            .actor = {"u1", "school", "", ""}, .fields = {{"display_name", "X"}, {"date_of_birth", "2016-05-01"}}};
  EXPECT_TRUE(PrepareRegistration(*fw_, c).ok());
  c.fields["nhs_number"] = "9990001007";  // wrong check digit
  auto e = PrepareRegistration(*fw_, c);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("not a valid NHS number"), std::string::npos);
  c.fields["nhs_number"] = "9990001006";
  c.fields["upn"] = "1234";
  EXPECT_NE(PrepareRegistration(*fw_, c).status().message().find("unique pupil number"), std::string::npos);
  c.fields.erase("upn");
  c.fields["date_of_birth"] = "2016-02-30";
  EXPECT_FALSE(PrepareRegistration(*fw_, c).ok());
  c.fields["date_of_birth"] = "2016-05-01";
  c.fields["favourite_colour"] = "red";
  EXPECT_NE(PrepareRegistration(*fw_, c).status().message().find("unknown field 'favourite_colour'"), std::string::npos);
}

TEST_F(PathwayTest, HouseholdMembersInAnyState) {
  ASSERT_TRUE(Do("person.added", "practitioner",
                 {{"person_id", "p1"}, {"name", "Dawn"}, {"relationship", "mother"}, {"lives_with_child", true},
                  {"parental_responsibility", true}}).ok());
  EXPECT_NE(state_.Col("entities", {"c1", "person", "p1"}, "data"), "<none>");
  auto e = Record("person.added", "practitioner",
                  {{"person_id", "p2"}, {"name", "Lee"}, {"relationship", "lodger"}, {"lives_with_child", true}});
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("field 'relationship' must be one of"), std::string::npos);
  EXPECT_EQ(Record("person.added", "nobody", {{"person_id", "p3"}, {"name", "X"}, {"relationship", "sibling"},
                                              {"lives_with_child", true}}).status().code(),
            StatusCode::kForbidden);
  OpenEarlyHelp();
  ASSERT_TRUE(Do("person.removed", "lead_professional", {{"person_id", "p1"}, {"reason", "moved out"}}).ok());
  EXPECT_EQ(state_.Col("entities", {"c1", "person", "p1"}, "data"), "<none>");
  EXPECT_EQ(Case().state, "early_help");
}

TEST(NhsNumber, CheckDigit) {
  EXPECT_TRUE(ValidNhsNumber("9990001006"));
  EXPECT_TRUE(ValidNhsNumber("999 000 1006"));
  EXPECT_FALSE(ValidNhsNumber("9990001007"));
  EXPECT_FALSE(ValidNhsNumber("999000100"));
  EXPECT_FALSE(ValidNhsNumber("99900010066"));
  EXPECT_FALSE(ValidNhsNumber("999000100A"));
}

TEST_F(PathwayTest, RequestStartsFrontDoorDeadlineOneWorkingDay) {
  // Friday 18 December 2026, 10:00: one working day later is Monday 21st.
  auto e = Record("request.received", "practitioner",
                  {{"source", "school"}, {"reason", "r"}, {"immediate_risk", false}, {"consent", "given"}},
                  "2026-12-18T10:00:00Z");
  ASSERT_TRUE(e.ok()) << e.status().message();
  json p = json::parse(e->payload);
  EXPECT_EQ(p["pathway"]["to"], "requested");
  EXPECT_EQ(p["pathway"]["episode"], 1);
  ASSERT_EQ(p["pathway"]["deadlines"].size(), 1u);
  EXPECT_EQ(p["pathway"]["deadlines"][0]["due_at"], "2026-12-21T10:00:00Z");
  EXPECT_EQ(p["pathway"]["deadlines"][0]["team"], "duty-front_door");
  EXPECT_EQ(p["pathway"]["deadlines"][0]["duty"], "front_door");
  // Who made the request is not put on the deadline.
  EXPECT_EQ(p["pathway"]["deadlines"][0]["owner"], "");
  EXPECT_FALSE(p["pathway"]["deadlines"][0].contains("agency"));
  // Wednesday 23 December: past Christmas Day and Boxing Day (substitute Monday 28th).
  e = Record("request.received", "practitioner",
             {{"source", "school"}, {"reason", "r"}, {"immediate_risk", false}, {"consent", "given"}},
             "2026-12-23T10:00:00Z");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(json::parse(e->payload)["pathway"]["deadlines"][0]["due_at"], "2026-12-24T10:00:00Z");
}

TEST_F(PathwayTest, IllegalTransitionNamesTheRuleAndWritesNothing) {
  auto e = Record("plan.agreed", "lead_professional", Plan("single_agency", "2027-01-04"));
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), StatusCode::kConflict);
  EXPECT_NE(e.status().message().find("transition 'agree_plan'"), std::string::npos);
  EXPECT_NE(e.status().message().find("while the case is 'none'"), std::string::npos);
}

TEST_F(PathwayTest, RoleMustBeAllowed) {
  OpenEarlyHelp();
  ASSERT_TRUE(Do("assessment.started", "practitioner", {{"assessment_type", "early_help_assessment"}, {"assessor", "u1"}}).ok());
  auto e = Record("assessment.completed", "front_door",
                  {{"needs", "n"}, {"strengths", "s"}, {"child_views", "c"}, {"parent_views", "p"}});
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), StatusCode::kForbidden);
  EXPECT_NE(e.status().message().find("role 'front_door' may not"), std::string::npos);
}

TEST_F(PathwayTest, FieldsAreCheckedByType) {
  struct Case {
    json fields;
    const char* want;
  } cases[] = {
      {{{"source", "school"}, {"reason", "r"}, {"immediate_risk", false}}, "missing required field 'consent'"},
      {{{"source", "pigeon"}, {"reason", "r"}, {"immediate_risk", false}, {"consent", "given"}}, "field 'source' must be one of"},
      {{{"source", "school"}, {"reason", ""}, {"immediate_risk", false}, {"consent", "given"}}, "field 'reason' must be text (not blank)"},
      {{{"source", "school"}, {"reason", "r"}, {"immediate_risk", "no"}, {"consent", "given"}}, "field 'immediate_risk' must be true or false"},
      {{{"source", "school"}, {"reason", "r"}, {"immediate_risk", false}, {"consent", "given"}, {"suggested_level", 7}}, "a level from 1 to 4"},
      {{{"source", "school"}, {"reason", "r"}, {"immediate_risk", false}, {"consent", "given"}, {"colour", "red"}}, "unknown field 'colour'"},
      {{{"source", "school"}, {"reason", "r"}, {"immediate_risk", false}, {"consent", "refused"}}, "record why consent was not obtained"},
      {{{"source", "school"}, {"reason", "r"}, {"immediate_risk", true}, {"consent", "given"}}, "immediate response"},
  };
  for (const auto& c : cases) {
    auto e = Record("request.received", "practitioner", c.fields);
    ASSERT_FALSE(e.ok()) << c.fields.dump();
    EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(e.status().message().find(c.want), std::string::npos) << e.status().message();
  }
}

TEST_F(PathwayTest, PlanNeedsActionsAndAReviewSixToTwelveWeeksAhead) {
  ToPlanning();
  auto e = Record("plan.agreed", "lead_professional", Plan("single_agency", "2027-01-04"));
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("SMART actions"), std::string::npos) << e.status().message();
  ASSERT_TRUE(Do("action.added", "lead_professional",
                 {{"action_id", "a0"}, {"description", "d"}, {"owner", "u2"}, {"agency", "school"},
                  {"due_date", "2026-11-20"}, {"measure", "m"}}).ok());
  for (const char* bad : {"2026-11-30", "2027-02-01"}) {  // 4 weeks; 13 weeks
    e = Record("plan.agreed", "lead_professional", Plan("single_agency", bad));
    ASSERT_FALSE(e.ok()) << bad;
    EXPECT_NE(e.status().message().find("6 to 12 weeks"), std::string::npos) << e.status().message();
  }
  // A multi-agency plan needs a team from two agencies and a meeting.
  e = Record("plan.agreed", "lead_professional", Plan("multi_agency", "2027-01-04"));
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("at least two agencies"), std::string::npos) << e.status().message();
  EXPECT_TRUE(Record("plan.agreed", "lead_professional", Plan("single_agency", "2027-01-04")).ok());
}

TEST_F(PathwayTest, DeadlinesOpenMeetAndCancel) {
  ToPlan();
  EXPECT_EQ(state_.Col("deadlines", {"c1:front_door_decision"}, "status"), "done");
  // An Early Help Assessment has no deadline of its own.
  EXPECT_EQ(state_.Col("deadlines", {"c1:assessment"}, "status"), "<none>");
  EXPECT_EQ(state_.Col("deadlines", {"c1:review"}, "status"), "open");
  EXPECT_EQ(state_.Col("deadlines", {"c1:review"}, "due_at"), "2027-01-04T23:59:59Z");
  // A late review is met late, and the next review is opened.
  ASSERT_TRUE(Do("review.held", "lead_professional",
                 {{"outcome", "no_change"}, {"decision", "amend"}, {"next_review_date", "2027-03-01"}, {"summary", "s"}},
                 "2027-01-11T10:00:00Z").ok());
  EXPECT_EQ(state_.Col("deadlines", {"c1:review"}, "status"), "open");
  EXPECT_EQ(state_.Col("deadlines", {"c1:review"}, "due_at"), "2027-03-01T23:59:59Z");
  ASSERT_TRUE(Do("action.added", "lead_professional",
                 {{"action_id", "a1"}, {"description", "d"}, {"owner", "u2"}, {"agency", "health"},
                  {"due_date", "2027-02-01"}, {"measure", "m"}}, "2027-01-11T10:00:00Z").ok());
  EXPECT_EQ(state_.Col("deadlines", {"c1:action:a1"}, "owner"), "u2");
  // Ending the plan and closing cancels what is still open.
  ASSERT_TRUE(Do("review.held", "lead_professional",
                 {{"outcome", "positive_change"}, {"decision", "end_needs_met"}, {"summary", "s"},
                  {"agreed_by_family", {"p1"}}},
                 "2027-02-15T10:00:00Z").ok());
  ASSERT_TRUE(Do("case.closed", "lead_professional",
                 {{"reason", "needs_met"}, {"closing_summary", "c"}, {"informed", {"school"}},
                  {"family_informed", {"p1"}}, {"signposted_to", "virtual_family_hub"}},
                 "2027-02-16T10:00:00Z").ok());
  EXPECT_EQ(state_.Col("deadlines", {"c1:action:a1"}, "status"), "cancelled");
  EXPECT_EQ(Case().state, "closed");
  EXPECT_TRUE(Case().open_deadlines.empty());
  // A new request opens a second episode.
  ASSERT_TRUE(Do("request.received", "practitioner",
                 {{"source", "school"}, {"reason", "r"}, {"immediate_risk", false}, {"consent", "given"}},
                 "2027-03-01T10:00:00Z").ok());
  EXPECT_EQ(Case().episode, 2);
}

TEST_F(PathwayTest, StepUpConversationWithin24HoursAndThePlanCarriesOn) {
  ToPlan();
  auto e = Record("review.held", "lead_professional",
                  {{"outcome", "deterioration"}, {"decision", "step_up"}, {"summary", "s"}, {"step_up_reason", "r"},
                   {"next_review_date", "2027-01-29"}},
                  "2026-12-04T16:00:00Z");
  ASSERT_TRUE(e.ok()) << e.status().message();
  json p = json::parse(e->payload);
  EXPECT_EQ(p["pathway"]["to"], "plan_active");
  ASSERT_EQ(p["pathway"]["deadlines"].size(), 2u);
  EXPECT_EQ(p["pathway"]["deadlines"][1]["kind"], "step_up_conversation");
  EXPECT_EQ(p["pathway"]["deadlines"][1]["due_at"], "2026-12-05T16:00:00Z");
  ASSERT_TRUE(Store(*e).ok());
  auto not_agreed = Record("step_up.conversation_held", "front_door", {{"outcome", "not_agreed"}, {"rationale", "r"}},
                           "2026-12-05T09:00:00Z");
  ASSERT_FALSE(not_agreed.ok());
  EXPECT_NE(not_agreed.status().message().find("date of the case discussion"), std::string::npos);
  ASSERT_TRUE(Do("step_up.conversation_held", "front_door",
                 {{"outcome", "not_agreed"}, {"rationale", "r"}, {"case_discussion_on", "2026-12-05"}},
                 "2026-12-05T09:00:00Z").ok());
  EXPECT_EQ(Case().state, "plan_active");
  EXPECT_EQ(state_.Col("deadlines", {"c1:step_up_conversation"}, "status"), "done");
  EXPECT_EQ(state_.Col("deadlines", {"c1:review"}, "status"), "open");
  // Held once: a second record of it has no request to answer.
  auto again = Record("step_up.conversation_held", "front_door",
                      {{"outcome", "agreed"}, {"rationale", "r"}}, "2026-12-05T10:00:00Z");
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.status().message().find("no step-up conversation has been requested"), std::string::npos);
}

TEST_F(PathwayTest, ConcernOnOpenCase) {
  ToPlan();
  // Not with the lead worker (Appendix 6).
  auto e = Record("concern.raised", "practitioner",
                  {{"concern", "c"}, {"discussed_with", "u1"}, {"decision", "remains_at_current_level"}});
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("not the lead worker"), std::string::npos) << e.status().message();
  // A meeting within three days (Thursday → Sunday), owned by the team leader.
  e = Record("concern.raised", "practitioner",
             {{"concern", "c"}, {"discussed_with", "tl"}, {"decision", "remains_at_current_level"}},
             "2026-11-26T10:00:00Z");
  ASSERT_TRUE(e.ok()) << e.status().message();
  EXPECT_EQ(json::parse(e->payload)["pathway"]["deadlines"][0]["due_at"], "2026-11-29T10:00:00Z");
  EXPECT_EQ(json::parse(e->payload)["pathway"]["deadlines"][0]["owner"], "tl");
}

TEST_F(PathwayTest, ProjectRefusesAStaleTransition) {
  OpenEarlyHelp();
  auto a = Record("assessment.started", "practitioner", {{"assessment_type", "early_help_assessment"}, {"assessor", "u1"}});
  auto b = Record("plan.agreed", "practitioner", Plan("single_agency", "2027-01-04"));
  ASSERT_TRUE(a.ok());
  ASSERT_FALSE(b.ok());  // not from early_help
  auto a2 = a;
  ASSERT_TRUE(Store(*a).ok());
  Status s = Store(*a2);  // prepared against the old state
  EXPECT_EQ(s.code(), StatusCode::kConflict);
  EXPECT_NE(s.message().find("reload it and try again"), std::string::npos);
}

TEST_F(PathwayTest, CorrectionsCheckTheOriginalsFields) {
  OpenEarlyHelp();
  store::Event original;
  original.id = "e2";
  original.child_id = "c1";
  original.type = "request.received";
  Command c{.child_id = "c1", .event_type = kRecordCorrected, .occurred_at = "2026-11-03T10:00:00Z",
            .actor = {"u1", "school", "", "practitioner"}, .fields = {{"reason", "corrected reason"}}, .reason = "typo"};
  auto e = PrepareCorrection(*fw_, original, c);
  ASSERT_TRUE(e.ok()) << e.status().message();
  EXPECT_EQ(e->supersedes, "e2");
  c.fields = {{"colour", "red"}};
  EXPECT_FALSE(PrepareCorrection(*fw_, original, c).ok());
  c.fields = {{"reason", "x"}};
  c.reason = "";
  EXPECT_NE(PrepareCorrection(*fw_, original, c).status().message().find("needs a reason"), std::string::npos);
}

TEST_F(PathwayTest, EffectsComeFromTheDeclarationsAndLandInTheState) {
  OpenEarlyHelp();
  EXPECT_EQ(Case().level, 2);  // request.decided: effects.level
  EXPECT_EQ(Case().duty_team, "duty-front_door");
  ASSERT_TRUE(Do("lead_professional.assigned", "team_leader", {{"lead_professional", "u2"}, {"service", "early_help"}}).ok());
  EXPECT_EQ(Case().lead_professional, "u2");
  EXPECT_EQ(Case().lead_service, "early_help");
  ASSERT_TRUE(Do("team.member_added", "team_leader", {{"member", "u3"}, {"role", "nurse"}}).ok());
  EXPECT_EQ(Case().team, std::vector<std::string>{"u3"});
  EXPECT_NE(state_.Col("entities", {"c1", "team_member", "u3"}, "data"), "<none>");
  ASSERT_TRUE(Do("team.member_left", "team_leader", {{"member", "u3"}}).ok());
  EXPECT_TRUE(Case().team.empty());
  EXPECT_EQ(state_.Col("entities", {"c1", "team_member", "u3"}, "data"), "<none>");
  // Statutory facts come and go by their own events; a level decision
  // (whatever facts it considered) records and ends none.
  ASSERT_TRUE(Do("fact.recorded", "team_leader",
                 {{"facts", {"wo.fact.child-protection"}}, {"since", "2026-11-01"}}).ok());
  ASSERT_TRUE(Do("level.decided", "team_leader",
                 {{"suggested_level", 3}, {"decided_level", 3}, {"rationale", "r"}, {"framework_version", "v"},
                  {"facts", json::array()}}).ok());
  EXPECT_EQ(Case().level, 3);
  EXPECT_EQ(Case().facts, std::vector<std::string>{"wo.fact.child-protection"});
  ASSERT_TRUE(Do("level.decided", "team_leader",
                 {{"suggested_level", 4}, {"decided_level", 4}, {"rationale", "r"}, {"framework_version", "v"},
                  {"facts", {"wo.fact.looked-after"}}}).ok());
  EXPECT_EQ(Case().facts, std::vector<std::string>{"wo.fact.child-protection"});
  ASSERT_TRUE(Do("fact.ended", "team_leader",
                 {{"facts", {"wo.fact.child-protection"}}, {"ended_on", "2026-11-02"}, {"reason", "plan ended"}}).ok());
  EXPECT_TRUE(Case().facts.empty());
}

TEST_F(PathwayTest, NamedUsersAgenciesAndPeopleMustBeOnTheRecord) {
  OpenEarlyHelp();
  auto e = Record("lead_professional.assigned", "team_leader", {{"lead_professional", "nobody"}, {"service", "early_help"}});
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("not an active user"), std::string::npos) << e.status().message();
  EXPECT_EQ(e.status().field(), "fields.lead_professional");
  e = Record("lead_professional.assigned", "team_leader", {{"lead_professional", "gone"}, {"service", "early_help"}});
  EXPECT_FALSE(e.ok());  // a disabled account cannot lead
  e = Record("consent.given", "practitioner",
             {{"given_by", "Dawn"}, {"relationship", "parent"}, {"agencies", {"nowhere"}}, {"purpose", "p"},
              {"form", "written"}, {"given_on", "2026-11-02"}});
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("not an agency"), std::string::npos);
  e = Record("person.removed", "practitioner", {{"person_id", "p9"}, {"reason", "r"}});
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("household"), std::string::npos);
}

TEST_F(PathwayTest, ConfidentialityTravelsWithTheEvent) {
  OpenEarlyHelp();
  auto e = Record("concern.raised", "practitioner",
                  {{"concern", "c"}, {"discussed_with", "tl"}, {"decision", "remains_at_current_level"}});
  ASSERT_TRUE(e.ok()) << e.status().message();
  Envelope env = ReadEnvelope(json::parse(e->payload));
  EXPECT_TRUE(env.author_confidential);
  EXPECT_TRUE(env.confidential_fields.empty());
  ASSERT_TRUE(Store(*e).ok());
  // A correction of it is as confidential, and fields the pathway acted on
  // cannot be corrected.
  store::Event original = *e;
  original.id = "e" + std::to_string(seq_);
  Command c{.child_id = "c1", .event_type = kRecordCorrected, .occurred_at = "2026-11-03T10:00:00Z",
            .actor = {"u1", "school", "", "practitioner"}, .fields = {{"concern", "clearer"}}, .reason = "typo"};
  auto fix = PrepareCorrection(*fw_, original, c);
  ASSERT_TRUE(fix.ok()) << fix.status().message();
  EXPECT_TRUE(ReadEnvelope(json::parse(fix->payload)).author_confidential);
}

TEST_F(PathwayTest, FieldsThePathwayActedOnCannotBeCorrected) {
  OpenEarlyHelp();
  auto e = Record("lead_professional.assigned", "team_leader", {{"lead_professional", "u2"}, {"service", "early_help"}});
  ASSERT_TRUE(e.ok());
  e->id = "e9";
  Command c{.child_id = "c1", .event_type = kRecordCorrected, .occurred_at = "2026-11-03T10:00:00Z",
            .actor = {"u1", "school", "", "team_leader"}, .fields = {{"lead_professional", "u3"}}, .reason = "wrong"};
  auto fix = PrepareCorrection(*fw_, *e, c);
  ASSERT_FALSE(fix.ok());
  EXPECT_NE(fix.status().message().find("record a new event instead"), std::string::npos);
}

// `case: {deadlines_open / deadlines_none}`: a step that waits on another
// without a state of its own (a referral on an open case, decided by the
// front door while the case stays where it is).
class DeadlineTestPathway : public ::testing::Test {
 protected:
  static constexpr const char* kFramework = R"(format: continuum-framework/1
id: mini
name: Mini
authority: Somewhere
version: "1"
effective: 2024-01-01
source: test
levels:
  - {level: 1, name: U, description: d, responses: [x], response: universal, assessment: null, plan: none, lead_professional: {required: false, from: any}}
  - {level: 2, name: A, description: d, responses: [x], response: early_help, assessment: EHA, plan: single_agency, lead_professional: {required: false, from: any}}
domains:
  - {id: health, name: Health}
indicators:
  - {id: m.one, domain: health, level: 2, label: One, source: s, tags: [health.mental_health]}
facts: []
rules:
  - {id: highest, kind: highest_indicator, source: s, summary: floor}
  - {id: immediate, kind: immediate_risk, actions: [Call 999], source: s, summary: now}
consent: {source: s, before_referral_levels: [2], form: written, note: n, without_consent: []}
vocabulary: {level: Level, assessment: a, plan: p, multi_agency_plan: m, team: t, lead_professional: l, front_door: f, review: r}
timescales:
  - {id: decision, label: d, within: {amount: 1, unit: working_days}, source: s}
pathway:
  division: england-and-wales
  roles: [practitioner, front_door]
  duties: [{id: door, label: Door, source: s}]
  closed_states: [closed]
  states: [{id: none, label: n}, {id: open, label: o}, {id: taken, label: t}, {id: closed, label: c}]
  transitions:
    - {id: open, event: work.opened, label: l, from: [none], to: open, roles: [practitioner], source: s}
    - id: refer
      event: referral.made
      label: l
      from: [open]
      roles: [practitioner]
      source: s
      fields: {ref: id}
      starts: [{deadline: decision, key_field: ref, timescale: decision, owner: {duty: door}, if: {case: {deadlines_none: [decision]}}}]
    - id: accept
      event: referral.accepted
      label: l
      from: [open]
      to: taken
      roles: [front_door]
      source: s
      fields: {ref: id}
      completes: [{deadline: decision, key_field: ref}]
      require: [{case: {deadlines_open: [decision]}, source: s, message: no referral awaits a decision}]
)";

  void SetUp() override {
    auto concepts = framework::LoadConceptsFile(std::string(CONTINUUM_FRAMEWORKS_DIR) + "/concepts.yaml");
    ASSERT_TRUE(concepts.ok()) << concepts.status().message();
    auto fw = framework::LoadFramework(kFramework, "mini.yaml", *concepts);
    ASSERT_TRUE(fw.ok()) << fw.status().message();
    fw_ = std::make_unique<framework::Framework>(std::move(fw).value());
    auto cal = HolidayCalendar::LoadFile(std::string(CONTINUUM_DATA_DIR) + "/bank-holidays.yaml");
    ASSERT_TRUE(cal.ok()) << cal.status().message();
    cal_ = std::make_unique<HolidayCalendar>(std::move(cal).value());
    state_.registered = true;
    state_.framework = "mini";
  }
  // Prepares and applies the event to the in-memory case, as the projector would.
  Result<json> Do(const std::string& type, const std::string& role, json fields) {
    Command c{.child_id = "c1", .event_type = type, .occurred_at = "2026-11-02T10:00:00Z",
              .actor = {"u1", "school", "", role}, .fields = std::move(fields)};
    auto p = Prepare(*fw_, *cal_, state_, c, lookup_);
    if (!p.ok()) return p.status();
    json pw = json::parse(p->event.payload)["pathway"];
    state_.state = pw["to"];
    for (const auto& id : pw["completes"]) {
      state_.open_deadlines.erase(
          std::remove(state_.open_deadlines.begin(), state_.open_deadlines.end(), id.get<std::string>()),
          state_.open_deadlines.end());
    }
    for (const auto& d : pw["deadlines"]) state_.open_deadlines.push_back(d["id"]);
    return pw;
  }

  std::unique_ptr<framework::Framework> fw_;
  std::unique_ptr<HolidayCalendar> cal_;
  CaseState state_;
  FakeLookup lookup_;
};

TEST_F(DeadlineTestPathway, AStepWaitsOnAnOpenDeadlineOfItsKind) {
  ASSERT_TRUE(Do("work.opened", "practitioner", json::object()).ok());
  auto early = Do("referral.accepted", "front_door", {{"ref", "r1"}});
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(early.status().message().find("no referral awaits a decision"), std::string::npos);
  // A keyed deadline (c1:decision:r1) is of its kind.
  auto first = Do("referral.made", "practitioner", {{"ref", "r1"}});
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ((*first)["deadlines"].size(), 1u);
  EXPECT_EQ(state_.open_deadlines, std::vector<std::string>{"c1:decision:r1"});
  // While one is open, a second referral starts no second decision.
  auto second = Do("referral.made", "practitioner", {{"ref", "r2"}});
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE((*second)["deadlines"].empty());
  auto accepted = Do("referral.accepted", "front_door", {{"ref", "r1"}});
  ASSERT_TRUE(accepted.ok()) << accepted.status().message();
  EXPECT_EQ(state_.state, "taken");
  EXPECT_TRUE(state_.open_deadlines.empty());
}

// Scotland: at stage 4, for a child in a child protection process, care
// experienced or on a Compulsory Supervision Order, the Lead Professional is
// always from social work (Stage 4). The rule lives in scotland.yaml and rests
// on statutory facts recorded by their own events.
class ScotlandPathwayTest : public PathwayTest {
 protected:
  void SetUp() override {
    PathwayTest::SetUp();
    auto reg = framework::Registry::LoadDirectory(CONTINUUM_FRAMEWORKS_DIR);
    fw_ = reg->Find("scotland");
    ASSERT_TRUE(fw_ && fw_->pathway);
  }
  // Referred to social work services, who take the child on (u1 is allocated).
  void TakenOnBySocialWork() {
    ASSERT_TRUE(Do("referral.made", "social_worker",
                   {{"reason", "r"}, {"immediate_risk", false}, {"consent", "given"}}).ok());
    team_ = "duty-social_work";
    ASSERT_TRUE(Do("referral.accepted", "social_worker", {{"social_worker", "u1"}, {"rationale", "r"}}).ok());
    team_.clear();
  }
};

TEST_F(ScotlandPathwayTest, LeadProfessionalFromSocialWorkUnderChildProtection) {
  TakenOnBySocialWork();
  ASSERT_TRUE(Do("fact.recorded", "social_worker", {{"facts", {"sc.fact.child-protection"}}, {"since", "2026-11-02"}}).ok());
  auto e = Record("lead_professional.assigned", "social_worker",
                  {{"lead_professional", "u9"}, {"service", "education"},
                   {"not_social_work_reason", "the family trusts the head teacher"}});
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("(Stage 4)"), std::string::npos) << e.status().message();
  EXPECT_NE(e.status().message().find("Lead Professional from social work"), std::string::npos) << e.status().message();
  EXPECT_TRUE(Do("lead_professional.assigned", "social_worker",
                 {{"lead_professional", "u9"}, {"service", "social_work"}}).ok());
  EXPECT_EQ(Case().lead_service, "social_work");
}

TEST_F(ScotlandPathwayTest, ALevelDecisionNeverClearsAStatutoryFact) {
  TakenOnBySocialWork();
  ASSERT_TRUE(Do("fact.recorded", "social_worker", {{"facts", {"sc.fact.cso"}}, {"since", "2026-11-02"}}).ok());
  ASSERT_TRUE(Do("level.decided", "social_worker",
                 {{"suggested_level", 4}, {"decided_level", 4}, {"rationale", "r"}, {"framework_version", "v"},
                  {"facts", json::array()}}).ok());
  EXPECT_EQ(Case().facts, std::vector<std::string>{"sc.fact.cso"});
  EXPECT_FALSE(Record("lead_professional.assigned", "social_worker",
                      {{"lead_professional", "u9"}, {"service", "health"}, {"not_social_work_reason", "r"}}).ok());
  ASSERT_TRUE(Do("fact.ended", "social_worker",
                 {{"facts", {"sc.fact.cso"}}, {"ended_on", "2026-11-02"}, {"reason", "order ended"}}).ok());
  EXPECT_TRUE(Case().facts.empty());
}

TEST_F(ScotlandPathwayTest, WithoutStatutoryFactsAnotherServiceMayLeadWithAReason) {
  TakenOnBySocialWork();
  ASSERT_TRUE(Do("level.decided", "social_worker",
                 {{"suggested_level", 4}, {"decided_level", 4}, {"rationale", "r"}, {"framework_version", "v"}}).ok());
  auto e = Record("lead_professional.assigned", "social_worker",
                  {{"lead_professional", "u9"}, {"service", "education"}});
  ASSERT_FALSE(e.ok());  // "almost always" a social worker: say why not
  EXPECT_NE(e.status().message().find("almost always"), std::string::npos) << e.status().message();
  EXPECT_TRUE(Do("lead_professional.assigned", "social_worker",
                 {{"lead_professional", "u9"}, {"service", "education"},
                  {"not_social_work_reason", "the family trusts the head teacher"}}).ok());
}

TEST_F(ScotlandPathwayTest, WorkingDaysUseScottishBankHolidays) {
  // Friday 27 November 2026 + 1 working day: Monday 30 November is St
  // Andrew's Day in Scotland (not in England), so the decision is due Tuesday.
  auto e = Record("referral.made", "social_worker",
                  {{"reason", "r"}, {"immediate_risk", false}, {"consent", "given"}}, "2026-11-27T10:00:00Z");
  ASSERT_TRUE(e.ok()) << e.status().message();
  auto deadlines = json::parse(e->payload)["pathway"]["deadlines"];
  ASSERT_EQ(deadlines.size(), 1u);
  EXPECT_EQ(deadlines[0]["kind"], "social_work_decision");
  EXPECT_EQ(deadlines[0]["due_at"], "2026-12-01T10:00:00Z");
}

// A decision awaited on an open case, without leaving its state: the
// `deadlines_open` and `deadlines_none` tests of the record.
constexpr const char* kPending = R"(format: continuum-framework/1
id: pending
name: Pending
authority: Somewhere
version: "1"
effective: 2024-01-01
source: test
levels:
  - {level: 1, name: U, description: d, responses: [x], response: universal, assessment: null, plan: none, lead_professional: {required: false, from: any}}
  - {level: 2, name: A, description: d, responses: [x], response: early_help, assessment: EHA, plan: single_agency, lead_professional: {required: false, from: any}}
domains:
  - {id: health, name: Health}
indicators:
  - {id: p.one, domain: health, level: 2, label: One, source: s, tags: [health.mental_health]}
facts:
  - {id: p.cpp, label: CPP, source: s, tags: [statutory.child_protection]}
rules:
  - {id: highest, kind: highest_indicator, source: s, summary: floor}
  - {id: immediate, kind: immediate_risk, actions: [Call 999], source: s, summary: now}
consent: {source: s, before_referral_levels: [2], form: written, note: n, without_consent: []}
vocabulary: {level: Level, assessment: a, plan: p, multi_agency_plan: m, team: t, lead_professional: l, front_door: f, review: r}
timescales:
  - {id: decision, label: Decision, within: {amount: 1, unit: working_days}, source: s}
pathway:
  division: england-and-wales
  roles: [practitioner, front_door]
  closed_states: [closed]
  states: [{id: none, label: n}, {id: supported, label: s}, {id: closed, label: c}]
  transitions:
    - {id: open, event: support.started, label: o, source: s, from: [none], to: supported, roles: [practitioner], fields: {note: text}}
    - id: refer
      event: referral.made
      label: r
      source: s
      from: [supported]
      roles: [practitioner]
      fields: {decider: user}
      starts:
        - {deadline: decision, timescale: decision, owner: {field: decider}, if: {case: {deadlines_none: [decision]}}}
        - {deadline: more, timescale: decision, owner: {field: decider}, if: {case: {deadlines_open: [decision]}}}
    - id: decide
      event: referral.declined
      label: d
      source: s
      from: [supported]
      roles: [front_door]
      fields: {rationale: text, outcome: {type: [kept, advised], optional: true}}
      require:
        - {case: {deadlines_open: [decision]}, source: s, message: "no referral awaits a decision"}
      completes: [decision, more]
)";

class PendingDecisionTest : public PathwayTest {
 protected:
  void SetUp() override {
    PathwayTest::SetUp();
    auto concepts = framework::LoadConceptsFile(std::string(CONTINUUM_FRAMEWORKS_DIR) + "/concepts.yaml");
    ASSERT_TRUE(concepts.ok()) << concepts.status().message();
    auto fw = framework::LoadFramework(kPending, "pending.yaml", *concepts);
    ASSERT_TRUE(fw.ok()) << fw.status().message();
    fw_ = std::make_shared<const framework::Framework>(std::move(fw).value());
    ASSERT_TRUE(Do("support.started", "practitioner", {{"note", "n"}}).ok());
  }
  std::vector<std::string> Started(const store::Event& e) {
    std::vector<std::string> kinds;
    const json payload = json::parse(e.payload);  // kept alive for the loop
    for (const auto& d : payload["pathway"]["deadlines"]) kinds.push_back(d["kind"]);
    return kinds;
  }
};

TEST_F(PendingDecisionTest, ADecisionNeedsSomethingAwaitingItAndTheStateStays) {
  auto none = Record("referral.declined", "front_door", {{"rationale", "r"}});
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("no referral awaits a decision"), std::string::npos) << none.status().message();

  auto first = Record("referral.made", "practitioner", {{"decider", "u2"}});
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(Started(*first), std::vector<std::string>{"decision"});
  ASSERT_TRUE(Store(*first).ok());
  // A second referral while the first awaits its decision does not restart it.
  auto second = Record("referral.made", "practitioner", {{"decider", "u2"}});
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_EQ(Started(*second), std::vector<std::string>{"more"});
  ASSERT_TRUE(Store(*second).ok());

  // A list of values declared optional may be left out, but not misspelt.
  EXPECT_FALSE(Record("referral.declined", "front_door", {{"rationale", "r"}, {"outcome", "kept?"}}).ok());
  ASSERT_TRUE(Do("referral.declined", "front_door", {{"rationale", "r"}}).ok());
  EXPECT_EQ(Case().state, "supported");
  EXPECT_TRUE(Case().open_deadlines.empty());
  EXPECT_FALSE(Record("referral.declined", "front_door", {{"rationale", "again"}}).ok());
}

TEST(PendingDecisionLoad, AnUnknownDeadlineKindIsRefused) {
  auto concepts = framework::LoadConceptsFile(std::string(CONTINUUM_FRAMEWORKS_DIR) + "/concepts.yaml");
  ASSERT_TRUE(concepts.ok());
  std::string text = kPending;
  const std::string from = "{case: {deadlines_open: [decision]}, source: s";
  text.replace(text.find(from), from.size(), "{case: {deadlines_open: [decison]}, source: s");
  auto fw = framework::LoadFramework(text, "pending.yaml", *concepts);
  ASSERT_FALSE(fw.ok());
  EXPECT_NE(fw.status().message().find("no transition starts a deadline 'decison'"), std::string::npos)
      << fw.status().message();
}

// A duty held agency by agency (`owner: {duty, agency: FIELD}`): the request
// goes to the team of the agency the event names, and is refused when that
// agency has no such team, since nobody would hold it.
TEST_F(ScotlandPathwayTest, ADutyHeldAgencyByAgencyGoesToTheNamedAgencysTeam) {
  json request = {{"source", "school"}, {"universal_service", "health"}, {"reason", "r"}, {"consent", "given"}};
  auto e = Record("request.received", "practitioner", request);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().field(), "fields.universal_service");
  EXPECT_NE(e.status().message().find("no team of agency 'health' holds the duty 'universal_service'"),
            std::string::npos)
      << e.status().message();
  request["universal_service"] = "school";
  e = Record("request.received", "practitioner", request);
  ASSERT_TRUE(e.ok()) << e.status().message();
  auto deadlines = json::parse(e->payload)["pathway"]["deadlines"];
  ASSERT_EQ(deadlines.size(), 1u);
  EXPECT_EQ(deadlines[0]["team"], "duty-universal_service-school");
  ASSERT_TRUE(Store(*e).ok());
  EXPECT_EQ(Case().duty_team, "duty-universal_service-school");
}

}  // namespace
}  // namespace continuum::pathway

// The policy's derivations: relationship and consent from a record's facts,
// oversight for safeguarding leads, and who sees confidential fields. (Every
// route × role × relationship × consent is checked over HTTP by
// tests/api/matrix_test.py.)
#include "access/policy.h"

#include <gtest/gtest.h>

namespace continuum::access {
namespace {

Principal Me(Role role = Role::kPractitioner, std::string team = "t-1", std::string agency_kind = "school") {
  return {.user_id = "u-1", .agency_id = "school-1", .agency_kind = agency_kind, .team_id = team, .role = role};
}

CaseFacts Existing() {
  CaseFacts f;
  f.exists = true;
  return f;
}

TEST(DescribeChild, RelationshipsComeFromTheRecordStrongestFirst) {
  CaseFacts f = Existing();
  EXPECT_EQ(DescribeChild(Me(), f).relationship, Relationship::kNone);
  f.duty_team = "t-1";
  EXPECT_EQ(DescribeChild(Me(), f).relationship, Relationship::kNone);  // the duty is not active
  f.duty_active = true;
  EXPECT_EQ(DescribeChild(Me(), f).relationship, Relationship::kFrontDoorDuty);
  EXPECT_EQ(DescribeChild(Me(Role::kFrontDoor, "t-2"), f).relationship, Relationship::kNone);  // another team
  EXPECT_EQ(DescribeChild(Me(Role::kFrontDoor, ""), f).relationship, Relationship::kNone);     // no team
  f.team_members = {"u-2", "u-1"};
  EXPECT_EQ(DescribeChild(Me(), f).relationship, Relationship::kTeamMember);
  f.allocated_worker = "u-1";
  EXPECT_EQ(DescribeChild(Me(), f).relationship, Relationship::kAllocatedWorker);
  f.allocated_worker.clear();
  f.lead_professional = "u-1";
  EXPECT_EQ(DescribeChild(Me(), f).relationship, Relationship::kAllocatedWorker);
}

TEST(DescribeChild, NoChildNoRelationship) {
  CaseFacts f;  // does not exist
  f.lead_professional = "u-1";
  Subject s = DescribeChild(Me(), f);
  EXPECT_FALSE(s.exists);
  EXPECT_EQ(s.relationship, Relationship::kNone);
}

TEST(DescribeChild, ConsentFollowsTheLastRecordNamingTheAgency) {
  struct Case {
    std::vector<CaseFacts::ConsentEvent> events;
    Consent expected;
  };
  const std::vector<Case> cases = {
      {{}, Consent::kNone},
      {{{"given", {"health-1"}}}, Consent::kNone},
      {{{"given", {"health-1", "school-1"}}}, Consent::kGiven},
      {{{"given", {"all"}}}, Consent::kGiven},
      {{{"given", {"school-1"}}, {"withdrawn", {}}}, Consent::kWithdrawn},
      {{{"given", {"school-1"}}, {"withdrawn", {"health-1"}}}, Consent::kGiven},
      {{{"given", {"school-1"}}, {"withdrawn", {"school-1"}}, {"given", {"school-1"}}}, Consent::kGiven},
      {{{"withdrawn", {}}, {"overridden", {"school-1"}}}, Consent::kSharedWithoutConsent},
      {{{"overridden", {"police-1"}}}, Consent::kNone},
      {{{"refused", {}}}, Consent::kNone},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    CaseFacts f = Existing();
    f.consent_events = cases[i].events;
    EXPECT_EQ(DescribeChild(Me(), f).consent, cases[i].expected) << "case " << i;
  }
}

TEST(Authorize, BreakGlassReadsButDoesNotWrite) {
  Subject s{.exists = true, .relationship = Relationship::kNone, .consent = Consent::kNone, .break_glass = true};
  EXPECT_TRUE(Authorize(Me(), {Action::kReadCase}, s).allowed);
  EXPECT_EQ(Authorize(Me(), {Action::kReadCase}, s).basis, "break-glass");
  EXPECT_FALSE(Authorize(Me(), {Action::kRecordEvent}, s).allowed);
  // … except an entry point, which anyone may record.
  EXPECT_TRUE(Authorize(Me(), {Action::kRecordEvent, /*entry=*/true}, s).allowed);
}

TEST(Authorize, EntryPointsGrantNothingAndNeedAChild) {
  Subject none{.exists = true};
  EXPECT_TRUE(Authorize(Me(), {Action::kRecordEvent, true}, none).allowed);
  EXPECT_FALSE(Authorize(Me(), {Action::kReadCase}, none).allowed);
  EXPECT_FALSE(Authorize(Me(), {Action::kRecordEvent, true}, Subject{}).allowed);  // no such child
}

TEST(Authorize, RefusalsAboutAChildAreTheSameWhetherItExistsOrNot) {
  Subject unrelated{.exists = true};
  Subject missing{};
  for (Action a : {Action::kReadCase, Action::kRecordEvent, Action::kCorrectRecord, Action::kBreakGlass}) {
    Decision x = Authorize(Me(), {a}, unrelated), y = Authorize(Me(), {a}, missing);
    if (a == Action::kBreakGlass) {
      EXPECT_TRUE(x.allowed);
      EXPECT_FALSE(y.allowed);
      EXPECT_EQ(y.reason, kNoAccess);
      continue;
    }
    EXPECT_FALSE(x.allowed);
    EXPECT_FALSE(y.allowed);
    EXPECT_EQ(x.reason, y.reason) << ActionName(a);
  }
}

TEST(Authorize, TeamMembersNeedConsentExceptSocialWorkers) {
  Subject s{.exists = true, .relationship = Relationship::kTeamMember, .consent = Consent::kNone};
  EXPECT_FALSE(Authorize(Me(), {Action::kReadCase}, s).allowed);
  EXPECT_TRUE(Authorize(Me(Role::kSocialWorker), {Action::kReadCase}, s).allowed);
  s.consent = Consent::kGiven;
  EXPECT_TRUE(Authorize(Me(), {Action::kRecordEvent}, s).allowed);
  s.consent = Consent::kWithdrawn;
  EXPECT_NE(Authorize(Me(), {Action::kReadCase}, s).reason.find("withdrawn"), std::string::npos);
}

TEST(Authorize, SafeguardingLeadsOverseeTheirAgencysChildren) {
  Subject related{.exists = true, .agency_related = true};
  Subject unrelated{.exists = true};
  Principal lead = Me(Role::kSafeguardingLead);
  Principal la = Me(Role::kSafeguardingLead, "", "local_authority");
  for (Action a : {Action::kExportCase, Action::kReadChildAudit}) {
    EXPECT_TRUE(Authorize(lead, {a}, related).allowed);
    EXPECT_FALSE(Authorize(lead, {a}, unrelated).allowed);
    EXPECT_TRUE(Authorize(la, {a}, unrelated).allowed);
    EXPECT_FALSE(Authorize(la, {a}, Subject{}).allowed);
    EXPECT_FALSE(Authorize(Me(Role::kSocialWorker), {a}, related).allowed);
  }
  EXPECT_TRUE(Authorize(lead, {Action::kReadAudit}, {}).allowed);
  EXPECT_FALSE(Authorize(Me(), {Action::kReadAlerts}, {}).allowed);
}

TEST(Authorize, AdministratorsAndAnalystsNeverOpenARecord) {
  Subject s{.exists = true, .relationship = Relationship::kAllocatedWorker, .consent = Consent::kGiven};
  for (Role r : {Role::kAdministrator, Role::kAnalyst}) {
    for (Action a : {Action::kReadCase, Action::kRecordEvent, Action::kBreakGlass, Action::kExportCase}) {
      EXPECT_FALSE(Authorize(Me(r), {a}, s).allowed) << RoleName(r) << " " << ActionName(a);
    }
  }
  EXPECT_TRUE(Authorize(Me(Role::kAdministrator), {Action::kAdminister}, {}).allowed);
  EXPECT_TRUE(Authorize(Me(Role::kAdministrator), {Action::kReadMetrics}, {}).allowed);
  EXPECT_FALSE(Authorize(Me(Role::kSafeguardingLead), {Action::kReadMetrics}, {}).allowed);
}

TEST(SeesConfidential, SocialCareAndTheRecordingAgencyOnly) {
  EXPECT_FALSE(SeesConfidential(Me(), "police-1"));
  EXPECT_TRUE(SeesConfidential(Me(), "school-1"));
  EXPECT_TRUE(SeesConfidential(Me(Role::kSocialWorker), "police-1"));
  EXPECT_TRUE(SeesConfidential(Me(Role::kFrontDoor), "police-1"));
  EXPECT_FALSE(SeesConfidential(Me(Role::kSafeguardingLead), "police-1"));
  Principal nobody;
  EXPECT_FALSE(SeesConfidential(nobody, ""));
}

TEST(Roles, NamesRoundTripAndUnknownRolesParseToNothing) {
  for (Role r : kAllRoles) EXPECT_EQ(ParseRole(RoleName(r)), r);
  EXPECT_FALSE(ParseRole("wizard").has_value());
  EXPECT_FALSE(ParseRole("").has_value());
}

}  // namespace
}  // namespace continuum::access

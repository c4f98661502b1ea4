// The policy's derivations: relationship and consent from a record's facts,
// and the field-level rule. (Every route × role × relationship × consent is
// checked over HTTP by tests/api/matrix_test.py.)
#include "access/policy.h"

#include <gtest/gtest.h>

namespace continuum::access {
namespace {

Principal Me(Role role = Role::kPractitioner, bool front_door_team = false) {
  return {.user_id = "u-1", .agency_id = "school-1", .team_id = "t-1", .role = role,
          .front_door_team = front_door_team};
}

TEST(DescribeChild, RelationshipStrongestFirst) {
  CaseFacts f;
  EXPECT_EQ(DescribeChild(Me(), f).relationship, Relationship::kNone);
  f.awaiting_front_door = true;
  EXPECT_EQ(DescribeChild(Me(), f).relationship, Relationship::kNone);  // not on a front-door team
  EXPECT_EQ(DescribeChild(Me(Role::kFrontDoor, true), f).relationship, Relationship::kFrontDoorDuty);
  f.team_members = {"u-2", "u-1"};
  EXPECT_EQ(DescribeChild(Me(Role::kFrontDoor, true), f).relationship, Relationship::kTeamMember);
  f.open_deadline_owners = {"u-1"};
  EXPECT_EQ(DescribeChild(Me(), f).relationship, Relationship::kAllocatedWorker);
  f.open_deadline_owners.clear();
  f.lead_professional = "u-1";
  EXPECT_EQ(DescribeChild(Me(), f).relationship, Relationship::kAllocatedWorker);
}

TEST(DescribeChild, ConsentFollowsTheLastEventNamingTheAgency) {
  struct Case {
    std::vector<CaseFacts::ConsentEvent> events;
    Consent expected;
  };
  const std::vector<Case> cases = {
      {{}, Consent::kNone},
      {{{"consent.given", {"health-1"}}}, Consent::kNone},
      {{{"consent.given", {"health-1", "school-1"}}}, Consent::kGiven},
      {{{"consent.given", {"all"}}}, Consent::kGiven},
      {{{"consent.given", {"school-1"}}, {"consent.withdrawn", {}}}, Consent::kWithdrawn},
      {{{"consent.given", {"school-1"}}, {"consent.withdrawn", {"health-1"}}}, Consent::kGiven},
      {{{"consent.given", {"school-1"}}, {"consent.withdrawn", {"school-1"}}, {"consent.given", {"school-1"}}},
       Consent::kGiven},
      {{{"consent.withdrawn", {}}, {"consent.overridden", {"school-1"}}}, Consent::kSharedWithoutConsent},
      {{{"consent.overridden", {"police-1"}}}, Consent::kNone},
      {{{"consent.early_help_refused", {}}}, Consent::kNone},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    CaseFacts f;
    f.consent_events = cases[i].events;
    EXPECT_EQ(DescribeChild(Me(), f).consent, cases[i].expected) << "case " << i;
  }
}

TEST(Authorize, BreakGlassReadsButDoesNotWrite) {
  Subject s{.relationship = Relationship::kNone, .consent = Consent::kNone, .break_glass = true};
  EXPECT_TRUE(Authorize(Me(), {Action::kReadCase}, s).allowed);
  EXPECT_EQ(Authorize(Me(), {Action::kReadCase}, s).basis, "break-glass");
  EXPECT_FALSE(Authorize(Me(), {Action::kRecordEvent, "note.added", {"practitioner"}}, s).allowed);
  // … except what anyone may record.
  EXPECT_TRUE(Authorize(Me(), {Action::kRecordEvent, "concern.raised", {"practitioner"}}, s).allowed);
}

TEST(Authorize, FrameworkRolesComeFirst) {
  Subject s{.relationship = Relationship::kAllocatedWorker};
  Decision d = Authorize(Me(), {Action::kRecordEvent, "request.decided", {"front_door", "team_leader"}}, s);
  EXPECT_FALSE(d.allowed);
  EXPECT_NE(d.reason.find("request.decided"), std::string::npos);
}

TEST(Authorize, RefusalsSayWhy) {
  Subject withdrawn{.relationship = Relationship::kTeamMember, .consent = Consent::kWithdrawn};
  EXPECT_NE(Authorize(Me(), {Action::kReadCase}, withdrawn).reason.find("withdrawn"), std::string::npos);
  EXPECT_NE(Authorize(Me(Role::kAnalyst), {Action::kReadCase}, {}).reason.find("aggregates"), std::string::npos);
}

TEST(WithheldFields, ReferrerVisibleToSocialCareAndTheReferringAgency) {
  EXPECT_EQ(WithheldFields(Me(), "referral.made", "police-1"),
            (std::vector<std::string>{"author", "agency", "referrer"}));
  EXPECT_TRUE(WithheldFields(Me(), "referral.made", "school-1").empty());
  EXPECT_TRUE(WithheldFields(Me(Role::kSocialWorker), "referral.made", "police-1").empty());
  EXPECT_TRUE(WithheldFields(Me(Role::kFrontDoor), "concern.raised", "police-1").empty());
  EXPECT_FALSE(WithheldFields(Me(Role::kSafeguardingLead), "concern.raised", "police-1").empty());
  EXPECT_TRUE(WithheldFields(Me(), "plan.agreed", "police-1").empty());
}

TEST(Roles, NamesRoundTrip) {
  for (Role r : kAllRoles) EXPECT_EQ(ParseRole(RoleName(r)), r);
  EXPECT_FALSE(ParseRole("wizard").has_value());
}

}  // namespace
}  // namespace continuum::access

#include "access/policy.h"

#include <algorithm>
#include <array>

namespace continuum::access {
namespace {

constexpr std::array<std::pair<Role, const char*>, 8> kRoleNames{{
    {Role::kPractitioner, "practitioner"},
    {Role::kLeadProfessional, "lead_professional"},
    {Role::kTeamLeader, "team_leader"},
    {Role::kFrontDoor, "front_door"},
    {Role::kSocialWorker, "social_worker"},
    {Role::kSafeguardingLead, "safeguarding_lead"},
    {Role::kAnalyst, "analyst"},
    {Role::kAdministrator, "administrator"},
}};

bool Contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

Decision Allow(std::string basis) { return {true, std::move(basis), ""}; }
Decision Deny(std::string reason) { return {false, "", std::move(reason)}; }

// Anyone working with children may bring a child to the front door or raise
// a safeguarding concern, whatever their relationship to the child: the
// seeds put the duty to act on whoever holds the information (Worcestershire
// Appendix 2 and Appendix 6; Devon's front door).
bool IsEntryEvent(std::string_view type) {
  return type == "request.received" || type == "referral.made" || type == "concern.raised";
}

bool IsConsentEvent(std::string_view type) { return type.rfind("consent.", 0) == 0; }

// Reading (and, with the framework's role rule, recording) on a child's case.
Decision CaseAccess(const Principal& who, const Subject& child, bool write) {
  switch (child.relationship) {
    case Relationship::kAllocatedWorker:
      return Allow("allocated worker");
    case Relationship::kFrontDoorDuty:
      // The front door screens every request, with or without consent.
      return Allow("front-door duty");
    case Relationship::kTeamMember:
      if (child.consent == Consent::kGiven) return Allow("team member; consent given");
      if (child.consent == Consent::kSharedWithoutConsent)
        return Allow("team member; shared without consent");
      // Social care acts under statutory duties (Children Act 1989 s17/s47)
      // that do not depend on consent.
      if (who.role == Role::kSocialWorker) return Allow("team member; statutory social care");
      if (!write && child.break_glass) return Allow("break-glass");
      return Deny(child.consent == Consent::kWithdrawn
                      ? "the family has withdrawn consent to share with your agency"
                      : "no consent to share with your agency is recorded");
    case Relationship::kNone:
      if (!write && child.break_glass) return Allow("break-glass");
      return Deny(
          "you have no relationship to this child (not allocated, not in the team around the family, "
          "not on front-door duty); use break-glass if there is an emergency");
  }
  return Deny("unknown relationship");
}

}  // namespace

std::optional<Role> ParseRole(std::string_view name) {
  for (const auto& [r, n] : kRoleNames)
    if (name == n) return r;
  return std::nullopt;
}

const char* RoleName(Role r) {
  for (const auto& [role, n] : kRoleNames)
    if (role == r) return n;
  return "unknown";
}

bool IsCaseRole(Role r) { return r != Role::kAnalyst && r != Role::kAdministrator; }
bool IsSocialCare(Role r) { return r == Role::kSocialWorker || r == Role::kFrontDoor; }

const char* RelationshipName(Relationship r) {
  switch (r) {
    case Relationship::kAllocatedWorker:
      return "allocated_worker";
    case Relationship::kTeamMember:
      return "team_member";
    case Relationship::kFrontDoorDuty:
      return "front_door_duty";
    case Relationship::kNone:
      return "none";
  }
  return "unknown";
}

const char* ConsentName(Consent c) {
  switch (c) {
    case Consent::kGiven:
      return "given";
    case Consent::kSharedWithoutConsent:
      return "shared_without_consent";
    case Consent::kWithdrawn:
      return "withdrawn";
    case Consent::kNone:
      return "none";
  }
  return "unknown";
}

const char* ActionName(Action a) {
  switch (a) {
    case Action::kPublic:
      return "public";
    case Action::kOwnSession:
      return "own_session";
    case Action::kReadFrameworks:
      return "read_frameworks";
    case Action::kRegisterChild:
      return "register_child";
    case Action::kSearchChildren:
      return "search_children";
    case Action::kListDue:
      return "list_due";
    case Action::kReadCase:
      return "read_case";
    case Action::kRecordEvent:
      return "record_event";
    case Action::kCorrectRecord:
      return "correct_record";
    case Action::kBreakGlass:
      return "break_glass";
    case Action::kReadChildAudit:
      return "read_child_audit";
    case Action::kExportCase:
      return "export_case";
    case Action::kReadAudit:
      return "read_audit";
    case Action::kReadAlerts:
      return "read_alerts";
    case Action::kReadAggregates:
      return "read_aggregates";
    case Action::kAdminister:
      return "administer";
  }
  return "unknown";
}

Decision Authorize(const Principal& who, const Request& what, const Subject& child) {
  const Role role = who.role;
  switch (what.action) {
    case Action::kPublic:
    case Action::kOwnSession:
    case Action::kReadFrameworks:
      return Allow("no personal data");
    case Action::kAdminister:
      if (role == Role::kAdministrator) return Allow("administrator");
      return Deny("only an administrator manages agencies, teams and accounts");
    case Action::kReadAggregates:
      if (role == Role::kAnalyst || role == Role::kSafeguardingLead || role == Role::kTeamLeader)
        return Allow("de-identified aggregates");
      return Deny("reports are for analysts, team leaders and safeguarding leads");
    case Action::kReadAudit:
    case Action::kReadAlerts:
    case Action::kReadChildAudit:
    case Action::kExportCase:
      if (role == Role::kSafeguardingLead) return Allow("safeguarding lead");
      return Deny("only a safeguarding lead may see the audit trail, alerts and subject-access exports");
    default:
      break;
  }
  if (!IsCaseRole(role)) {
    return Deny(role == Role::kAnalyst ? "analysts see only de-identified aggregates"
                                       : "administrators do not open children's records");
  }
  switch (what.action) {
    case Action::kRegisterChild:
    case Action::kSearchChildren:
    case Action::kListDue:
    case Action::kBreakGlass:
      return Allow(RoleName(role));
    case Action::kReadCase:
      return CaseAccess(who, child, /*write=*/false);
    case Action::kRecordEvent:
    case Action::kCorrectRecord: {
      if (!what.event_roles.empty() && !Contains(what.event_roles, RoleName(role))) {
        return Deny(std::string("the framework does not let a ") + RoleName(role) + " record " +
                    (what.event_type.empty() ? "this" : what.event_type));
      }
      if (what.action == Action::kRecordEvent && IsEntryEvent(what.event_type)) {
        return Allow("anyone may refer a child or raise a concern");
      }
      if (IsConsentEvent(what.event_type)) {
        // Consent is recorded by whoever is working with the family, whatever
        // the consent state so far.
        if (child.relationship != Relationship::kNone) return Allow(RelationshipName(child.relationship));
        return Deny("you have no relationship to this child, so you cannot record consent for the family");
      }
      return CaseAccess(who, child, /*write=*/true);
    }
    default:
      return Deny("not permitted");
  }
}

Subject DescribeChild(const Principal& who, const CaseFacts& facts) {
  Subject s;
  if (!who.user_id.empty() &&
      (facts.lead_professional == who.user_id || Contains(facts.open_deadline_owners, who.user_id))) {
    s.relationship = Relationship::kAllocatedWorker;
  } else if (!who.user_id.empty() && Contains(facts.team_members, who.user_id)) {
    s.relationship = Relationship::kTeamMember;
  } else if (who.front_door_team && facts.awaiting_front_door) {
    s.relationship = Relationship::kFrontDoorDuty;
  }
  for (const auto& e : facts.consent_events) {
    bool names_me = Contains(e.agencies, who.agency_id) || Contains(e.agencies, "all");
    if (e.type == "consent.given" && names_me) {
      s.consent = Consent::kGiven;
    } else if (e.type == "consent.withdrawn" && (names_me || e.agencies.empty())) {
      s.consent = Consent::kWithdrawn;
    } else if (e.type == "consent.overridden" && names_me) {
      s.consent = Consent::kSharedWithoutConsent;
    }
  }
  s.break_glass = facts.break_glass;
  return s;
}

std::vector<std::string> WithheldFields(const Principal& who, std::string_view event_type,
                                        std::string_view author_agency) {
  if (IsSocialCare(who.role) || who.agency_id == author_agency) return {};
  if (event_type == "referral.made") return {"author", "agency", "referrer"};
  if (event_type == "concern.raised") return {"author", "agency", "discussed_with"};
  return {};
}

}  // namespace continuum::access

#include "access/policy.h"

#include <algorithm>

namespace continuum::access {
namespace {

bool Contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

Decision Allow(std::string basis) { return {true, std::move(basis), ""}; }
Decision Deny(std::string reason) { return {false, "", std::move(reason)}; }

// Reading or recording on a child's case.
Decision CaseAccess(const Principal& who, const Subject& child, bool write) {
  if (!child.exists) return Deny(kNoAccess);
  switch (child.relationship) {
    case Relationship::kAllocatedWorker:
      return Allow("allocated worker");
    case Relationship::kFrontDoorDuty:
      // The front door screens every request, with or without consent.
      return Allow("front-door duty");
    case Relationship::kTeamMember:
      if (child.consent == Consent::kGiven) return Allow("team member; consent given");
      if (child.consent == Consent::kSharedWithoutConsent) return Allow("team member; shared without consent");
      // Social care acts under statutory duties (Children Act 1989 s17/s47)
      // that do not depend on consent.
      if (who.role == Role::kSocialWorker) return Allow("team member; statutory social care");
      if (!write && child.break_glass) return Allow("break-glass");
      return Deny(child.consent == Consent::kWithdrawn
                      ? "the family has withdrawn consent to share with your agency"
                      : "no consent to share with your agency is recorded");
    case Relationship::kNone:
      if (!write && child.break_glass) return Allow("break-glass");
      return Deny(kNoAccess);
  }
  return Deny(kNoAccess);
}

// A safeguarding lead's oversight of one child: their agency works with the
// child, or they are the local authority's designated lead.
Decision Oversight(const Principal& who, const Subject& child) {
  if (who.role != Role::kSafeguardingLead) {
    return Deny("only a safeguarding lead may see the audit trail, alerts and subject-access exports");
  }
  if (who.LocalAuthorityLead()) return child.exists ? Allow("local authority designated lead") : Deny(kNoAccess);
  if (child.exists && child.agency_related) return Allow("safeguarding lead of an agency working with the child");
  return Deny(kNoAccess);
}

}  // namespace

bool IsSocialCare(Role r) { return r == Role::kSocialWorker || r == Role::kFrontDoor; }

const char* RelationshipName(Relationship r) {
  switch (r) {
    case Relationship::kAllocatedWorker: return "allocated_worker";
    case Relationship::kTeamMember: return "team_member";
    case Relationship::kFrontDoorDuty: return "front_door_duty";
    case Relationship::kNone: return "none";
  }
  return "unknown";
}

const char* ConsentName(Consent c) {
  switch (c) {
    case Consent::kGiven: return "given";
    case Consent::kSharedWithoutConsent: return "shared_without_consent";
    case Consent::kWithdrawn: return "withdrawn";
    case Consent::kNone: return "none";
  }
  return "unknown";
}

const char* ActionName(Action a) {
  switch (a) {
    case Action::kPublic: return "public";
    case Action::kOwnSession: return "own_session";
    case Action::kReadFrameworks: return "read_frameworks";
    case Action::kReadMetrics: return "read_metrics";
    case Action::kRegisterChild: return "register_child";
    case Action::kSearchChildren: return "search_children";
    case Action::kListDue: return "list_due";
    case Action::kReadCase: return "read_case";
    case Action::kRecordEvent: return "record_event";
    case Action::kCorrectRecord: return "correct_record";
    case Action::kBreakGlass: return "break_glass";
    case Action::kReadChildAudit: return "read_child_audit";
    case Action::kExportCase: return "export_case";
    case Action::kReadAudit: return "read_audit";
    case Action::kReadAlerts: return "read_alerts";
    case Action::kReadAggregates: return "read_aggregates";
    case Action::kAdminister: return "administer";
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
    case Action::kReadMetrics:
      if (role == Role::kAdministrator) return Allow("administrator");
      return Deny("operational metrics are for administrators (or the metrics token)");
    case Action::kAdminister:
      if (role == Role::kAdministrator) return Allow("administrator");
      return Deny("only an administrator manages agencies, teams and accounts");
    case Action::kReadAggregates:
      if (role == Role::kAnalyst || role == Role::kSafeguardingLead || role == Role::kTeamLeader)
        return Allow("de-identified aggregates");
      return Deny("reports are for analysts, team leaders and safeguarding leads");
    case Action::kReadAudit:
    case Action::kReadAlerts:
      // Across children: allowed to leads, then filtered child by child with
      // kReadChildAudit.
      if (role == Role::kSafeguardingLead) {
        return Allow(who.LocalAuthorityLead() ? "local authority designated lead" : "safeguarding lead");
      }
      return Deny("only a safeguarding lead may see the audit trail, alerts and subject-access exports");
    case Action::kReadChildAudit:
    case Action::kExportCase:
      return Oversight(who, child);
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
      return Allow(RoleName(role));
    case Action::kBreakGlass:
      if (!child.exists) return Deny(kNoAccess);
      return Allow(RoleName(role));
    case Action::kReadCase:
      return CaseAccess(who, child, /*write=*/false);
    case Action::kRecordEvent:
      // Whoever holds information about a child must be able to pass it on
      // (a request for support, a referral, a concern), whatever their
      // relationship; it grants them nothing.
      if (what.entry && child.exists) return Allow("an entry point: anyone may pass on a concern about a child");
      return CaseAccess(who, child, /*write=*/true);
    case Action::kCorrectRecord:
      return CaseAccess(who, child, /*write=*/true);
    default:
      return Deny("not permitted");
  }
}

Subject DescribeChild(const Principal& who, const CaseFacts& facts) {
  Subject s;
  s.exists = facts.exists;
  if (!facts.exists) return s;
  const std::string& me = who.user_id;
  if (!me.empty() && (facts.lead_professional == me || facts.allocated_worker == me)) {
    s.relationship = Relationship::kAllocatedWorker;
  } else if (!me.empty() && Contains(facts.team_members, me)) {
    s.relationship = Relationship::kTeamMember;
  } else if (!who.team_id.empty() && facts.duty_active && facts.duty_team == who.team_id) {
    s.relationship = Relationship::kFrontDoorDuty;
  }
  for (const auto& e : facts.consent_events) {
    bool names_me = Contains(e.agencies, who.agency_id) || Contains(e.agencies, "all");
    if (e.kind == "given" && names_me) {
      s.consent = Consent::kGiven;
    } else if (e.kind == "withdrawn" && (names_me || e.agencies.empty())) {
      s.consent = Consent::kWithdrawn;
    } else if (e.kind == "overridden" && names_me) {
      s.consent = Consent::kSharedWithoutConsent;
    }
  }
  s.break_glass = facts.break_glass;
  s.agency_related = !who.agency_id.empty() && Contains(facts.agencies, who.agency_id);
  return s;
}

bool SeesConfidential(const Principal& who, std::string_view author_agency) {
  return IsSocialCare(who.role) || (!who.agency_id.empty() && who.agency_id == author_agency);
}

}  // namespace continuum::access

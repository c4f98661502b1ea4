// The authorisation policy: who may do what to a child's record. Every API
// route names an Action and goes through Authorize before it touches
// personal data; nothing else in the system decides access. The rules are
// written out in docs/access.md (role × relationship × consent), and the
// authorisation-matrix test checks every route against that table.
//
//   access::Principal me{.user_id = "u-7", .agency_id = "school-42", .role = access::Role::kPractitioner};
//   access::Subject child = access::DescribeChild(me, case_facts);   // relationship, consent
//   access::Decision d = access::Authorize(me, {access::Action::kReadCase}, child);
//   if (!d.allowed) return Forbidden(d.reason);                      // and audit the refusal
//
// Authorize is pure: it reads only its arguments, so the same facts always
// give the same decision. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace continuum::access {

enum class Role {
  kPractitioner,      // a worker in a universal or targeted service (school, health, police, early help)
  kLeadProfessional,  // co-ordinates a plan
  kTeamLeader,        // team leader / early help co-ordinator
  kFrontDoor,         // front door / MASH
  kSocialWorker,      // children's social care
  kSafeguardingLead,  // designated safeguarding lead: audit, alerts, subject access
  kAnalyst,           // de-identified aggregates only
  kAdministrator,     // accounts, agencies and teams; no case records
};
inline constexpr Role kAllRoles[] = {Role::kPractitioner, Role::kLeadProfessional, Role::kTeamLeader,
                                     Role::kFrontDoor,    Role::kSocialWorker,     Role::kSafeguardingLead,
                                     Role::kAnalyst,      Role::kAdministrator};
std::optional<Role> ParseRole(std::string_view name);  // "practitioner", "lead_professional", …
const char* RoleName(Role r);
// Roles that work with children's records (all but analyst and administrator).
bool IsCaseRole(Role r);
// Social care roles: see who referred a child-protection concern.
bool IsSocialCare(Role r);

// The caller's relationship to one child, strongest first.
enum class Relationship {
  kAllocatedWorker,  // the case's lead professional, or the owner of one of its open deadlines
  kTeamMember,       // in the team around the family / child
  kFrontDoorDuty,    // on a front-door (duty) team while a request awaits its decision or the case is
                     // unallocated
  kNone,
};
inline constexpr Relationship kAllRelationships[] = {Relationship::kAllocatedWorker,
                                                     Relationship::kTeamMember, Relationship::kFrontDoorDuty,
                                                     Relationship::kNone};
const char* RelationshipName(Relationship r);

// The family's consent to share with the caller's agency.
enum class Consent {
  kGiven,                 // consent.given names the agency (or "all"), not since withdrawn
  kSharedWithoutConsent,  // consent.overridden names the agency, with its recorded ground
  kWithdrawn,             // consent.withdrawn since
  kNone,                  // nothing recorded for this agency
};
inline constexpr Consent kAllConsents[] = {Consent::kGiven, Consent::kSharedWithoutConsent,
                                           Consent::kWithdrawn, Consent::kNone};
const char* ConsentName(Consent c);

enum class Action {
  kPublic,          // /healthz, /metrics, login
  kOwnSession,      // who am I, logout
  kReadFrameworks,  // frameworks and assess: no personal data
  kRegisterChild,   // a new child record
  kSearchChildren,  // results filtered by kReadCase per child
  kListDue,         // results filtered by kReadCase per child
  kReadCase,        // summary, chronology, next steps, people
  kRecordEvent,     // a pathway event, person added/removed (Request::event_type)
  kCorrectRecord,   // record.corrected
  kBreakGlass,      // emergency access with a reason
  kReadChildAudit,  // who accessed this child's record
  kExportCase,      // subject-access export of the whole record
  kReadAudit,       // the audit trail across children
  kReadAlerts,      // break-glass alerts
  kReadAggregates,  // de-identified reports
  kAdminister,      // agencies, teams, users
};
const char* ActionName(Action a);

struct Principal {
  std::string user_id;
  std::string agency_id;
  std::string team_id;
  Role role = Role::kPractitioner;
  bool front_door_team = false;  // the user's team is on front-door duty
};

// What the policy needs to know about the child, derived from the record by
// DescribeChild.
struct Subject {
  Relationship relationship = Relationship::kNone;
  Consent consent = Consent::kNone;
  bool break_glass = false;  // an unexpired break-glass grant of this user for this child
};

struct Request {
  Action action = Action::kPublic;
  std::string event_type;                // kRecordEvent / kCorrectRecord
  std::vector<std::string> event_roles;  // the roles the framework allows for that event
};

struct Decision {
  bool allowed = false;
  std::string
      basis;  // on what ground: "allocated worker", "consent given", "break-glass", "front-door duty", …
  std::string reason;  // when refused: why, in words a practitioner understands
};

Decision Authorize(const Principal& who, const Request& what, const Subject& child);

// The facts of one child's record the policy depends on.
struct CaseFacts {
  std::string lead_professional;                  // user id
  std::vector<std::string> team_members;          // user ids in the team around the family
  std::vector<std::string> open_deadline_owners;  // user ids owning open deadlines
  // An open deadline owned by the front door, or an open case nobody holds
  // yet (no lead professional, no team): the duty team's to decide or allocate.
  bool awaiting_front_door = false;
  // consent.* events in the order they happened: type and the agencies they name.
  struct ConsentEvent {
    std::string type;                   // consent.given | consent.withdrawn | consent.overridden
    std::vector<std::string> agencies;  // "all" covers every agency; empty on withdrawal means all
  };
  std::vector<ConsentEvent> consent_events;
  bool break_glass = false;  // for this caller
};
Subject DescribeChild(const Principal& who, const CaseFacts& facts);

// Field-level rules: in a referral or child-protection concern, who raised it
// is visible only to social care and to the agency that raised it. Returns
// the names of the fields to withhold from `who` for an event of this type
// recorded by `author_agency` ("author" and "agency" stand for the event's
// own author and agency).
std::vector<std::string> WithheldFields(const Principal& who, std::string_view event_type,
                                        std::string_view author_agency);

}  // namespace continuum::access

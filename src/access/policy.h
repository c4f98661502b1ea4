// The authorisation policy: who may see or change a child's record, and who
// may see the audit trail and alerts. The case service (case/service.h) asks
// Authorize before it reads or writes anything about a child; nothing else in
// the system decides access. The rules are written out in docs/access.md
// (role × relationship × consent), and the authorisation-matrix test checks
// every route against that table.
//
//   access::Principal me{.user_id = "u-7", .agency_id = "school-42", .role = Role::kPractitioner};
//   access::Subject child = access::DescribeChild(me, facts);   // relationship, consent — from the record
//   access::Decision d = access::Authorize(me, {access::Action::kReadCase}, child);
//   if (!d.allowed) return Forbidden(d.reason);                 // and audit the refusal
//
// What a pathway step may do (which roles, from which state) is the
// pathway's rule (pathway/engine.h), not this one: this policy says only
// whether the caller may touch this child's record at all.
//
// Relationships come from the record, never from the caller: the lead
// professional and allocated worker the case names, the team around the
// child, and the duty team holding the case's front-door deadlines. Owning a
// deadline, or having recorded a request, referral or concern, is not a
// relationship. An unknown role gives no access (the caller refuses before
// asking, see core/roles.h).
//
// Authorize is pure: it reads only its arguments, so the same facts always
// give the same decision. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/roles.h"

namespace continuum::access {

// Roles that may see who referred a child or raised a concern.
bool IsSocialCare(Role r);

// The caller's relationship to one child, strongest first.
enum class Relationship {
  kAllocatedWorker,  // the case's lead professional or allocated (social) worker
  kTeamMember,       // in the team around the family / child
  kFrontDoorDuty,    // in the duty team holding the case's open front-door deadline, or the unallocated case
  kNone,
};
inline constexpr Relationship kAllRelationships[] = {Relationship::kAllocatedWorker,
                                                     Relationship::kTeamMember, Relationship::kFrontDoorDuty,
                                                     Relationship::kNone};
const char* RelationshipName(Relationship r);

// The family's consent to share with the caller's agency.
enum class Consent {
  kGiven,                 // consent given naming the agency (or "all"), not since withdrawn
  kSharedWithoutConsent,  // shared without consent with the agency, with its recorded ground
  kWithdrawn,             // withdrawn since
  kNone,                  // nothing recorded for this agency
};
inline constexpr Consent kAllConsents[] = {Consent::kGiven, Consent::kSharedWithoutConsent,
                                           Consent::kWithdrawn, Consent::kNone};
const char* ConsentName(Consent c);

enum class Action {
  kPublic,          // /healthz, login
  kOwnSession,      // who am I, logout
  kReadFrameworks,  // frameworks and assess: no personal data
  kReadMetrics,     // operational metrics: no personal data, but not for the public
  kRegisterChild,   // a new child record
  kSearchChildren,  // results filtered by kReadCase per child
  kListDue,         // results filtered by kReadCase per child
  kReadCase,        // summary, chronology, next steps, people
  kRecordEvent,     // a pathway or household event (Request::entry for entry points)
  kCorrectRecord,   // record.corrected
  kBreakGlass,      // emergency access with a reason
  kReadChildAudit,  // who accessed this child's record
  kExportCase,      // subject-access export of the whole record
  kReadAudit,       // the audit trail across children (filtered per child)
  kReadAlerts,      // alerts (filtered per child)
  kReadAggregates,  // de-identified reports
  kAdminister,      // agencies, teams, users
};
const char* ActionName(Action a);

struct Principal {
  std::string user_id;
  std::string agency_id;
  std::string agency_kind;  // the agency's kind in the directory
  std::string team_id;
  Role role = Role::kPractitioner;

  // A safeguarding lead of the local authority (an agency of kind
  // local_authority) oversees every child; other leads, their agency's.
  bool LocalAuthorityLead() const {
    return role == Role::kSafeguardingLead && agency_kind == "local_authority";
  }
};

// What the policy needs to know about the child, derived from the record by
// DescribeChild.
struct Subject {
  bool exists = false;
  Relationship relationship = Relationship::kNone;
  Consent consent = Consent::kNone;
  bool break_glass = false;     // an unexpired break-glass grant of this user for this child
  bool agency_related = false;  // the caller's agency works with the child (for safeguarding leads)
};

struct Request {
  Action action = Action::kPublic;
  // kRecordEvent: the transition is an entry point (a request, referral or
  // concern), which anyone working with children may record.
  bool entry = false;
};

struct Decision {
  bool allowed = false;
  std::string basis;   // on what ground: "allocated worker", "consent given", "break-glass", …
  std::string reason;  // when refused: why, in words a practitioner understands
};

Decision Authorize(const Principal& who, const Request& what, const Subject& child);

// The facts of one child's record the policy depends on.
struct CaseFacts {
  bool exists = false;
  std::string lead_professional;  // user id
  std::string allocated_worker;   // user id
  std::vector<std::string> team_members;  // user ids in the team around the child
  // The duty team holding the case: owner of an open front-door deadline, or
  // of the open case nobody holds yet.
  std::string duty_team;
  bool duty_active = false;
  // Agencies working with the child: of the lead professional, the allocated
  // worker, the team members and the duty team.
  std::vector<std::string> agencies;
  // Consent records in the order they happened: kind and the agencies named.
  struct ConsentEvent {
    std::string kind;                   // given | withdrawn | overridden | refused
    std::vector<std::string> agencies;  // "all" covers every agency; empty on withdrawal means all
  };
  std::vector<ConsentEvent> consent_events;
  bool break_glass = false;  // for this caller
};
Subject DescribeChild(const Principal& who, const CaseFacts& facts);

// Field-level rules: who recorded an event and the fields its transition
// declared confidential (the identity of a referrer) are visible only to
// social care and to the agency that recorded it.
bool SeesConfidential(const Principal& who, std::string_view author_agency);

// The one answer to a refused request about a child, the same whether the
// child exists, is unrelated to the caller, or is in any state.
inline constexpr const char* kNoAccess =
    "you may not see or change this child's record: you are not allocated, not in the team around the child and "
    "not on duty for it (or there is no such child); use break-glass if there is an emergency";

}  // namespace continuum::access

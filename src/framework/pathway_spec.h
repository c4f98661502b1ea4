// The pathway section of a framework file, as loaded: the case pathway as a
// state machine whose every transition declares what it means for the case
// (docs/pathway-format.md). Loaded and checked with the framework by
// framework/loader.cc; enforced and applied by src/pathway/ (engine.h), which
// reads only these declarations and so knows no authority's words.
//
//   const framework::Transition* t = fw.pathway->Find("request.received", case_state);
//   for (const auto& f : t->fields) …          // the form of that step
//   if (t->effects.lead_professional_field) …  // what recording it will do
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace continuum::framework {

enum class FieldType {
  kText,
  kId,
  kDate,
  kDateTime,
  kBool,
  kInt,
  kLevel,
  kList,
  kEnum,
  kUser,      // an account of this system (checked against the directory)
  kUsers,     // a list of accounts
  kAgency,    // an agency of this system
  kAgencies,  // a list of agencies, or ["all"]
  kPerson,    // a person recorded in the child's household (person_id)
  kPeople,    // a list of them
  kFacts,     // a list of statutory facts of this framework
  kCommunication,  // communication needs, from the product's controlled list (pathway/engine.h)
};
const char* FieldTypeName(FieldType t);

struct FieldSpec {
  std::string name;
  FieldType type = FieldType::kText;
  bool optional = false;
  std::vector<std::string> values;  // kEnum
  std::string label;                // for forms; "" means the name
};

// `case:` — what the record says of the case when the event is recorded, in
// `if:` or as a requirement. Every test given must hold. Ages come from the
// recorded date of birth; "this episode" counts from the request that opened it.
struct CaseTest {
  std::optional<int> level_at_least;
  std::vector<std::string> facts_any;   // a statutory fact in force
  std::vector<std::string> facts_none;  // none of these in force
  std::optional<int> age_at_least;      // whole years on the event's date
  std::optional<int> age_under;
  std::optional<int> team_at_least;           // members of the team around the child
  std::optional<int> team_agencies_at_least;  // agencies among them
  std::vector<std::string> records_any;   // a record of one of these kinds this episode
  std::vector<std::string> records_none;  // no record of these kinds this episode
  std::optional<bool> consent;            // the family's consent stands (given or shared without, not since withdrawn)
  std::optional<bool> lead_professional;  // the case has one
  std::optional<bool> allocated_worker;
  std::vector<std::string> deadlines_open;  // a deadline of one of these kinds is open (awaiting its step)
  std::vector<std::string> deadlines_none;  // no deadline of these kinds is open
  bool empty() const {
    return !level_at_least && facts_any.empty() && facts_none.empty() && !age_at_least && !age_under &&
           !team_at_least && !team_agencies_at_least && records_any.empty() && records_none.empty() && !consent &&
           !lead_professional && !allocated_worker && deadlines_open.empty() && deadlines_none.empty();
  }
};

// `if:` — field values (as text; booleans "true"/"false") and the case.
struct When {
  std::vector<std::pair<std::string, std::vector<std::string>>> fields;
  CaseTest case_test;
  bool empty() const { return fields.empty() && case_test.empty(); }
};

// Where a rule comes from: a section of the authority's document, or a local
// default that the document does not state, with why.
struct Provenance {
  std::string source;         // "Appendix 2"
  std::string local_default;  // "the document gives no timescale; 10 working days chosen so …"
  bool is_local() const { return source.empty(); }
};

struct Condition {
  When when;
  std::string field;                 // must be present (and equal `equals` if set) …
  std::optional<std::string> equals;
  std::string not_holder;            // … and not name the case's lead_professional / allocated_worker
  CaseTest case_test;                // `case:` — the record must say this
  std::string date_field;            // date_within: this date field …
  std::string timescale;             // … falls within this timescale of the event
  std::string after_field;           // this date field is on or after …
  std::string after_other;           // … that one (a plan ends after it starts)
  Provenance provenance;
  std::string message;
  // A local default gives a warning with its reason instead of a refusal,
  // unless the authority's file makes it a rule (enforce: true).
  bool enforce = true;
};

// The relationships to the case a transition may require of whoever records
// it (`by:`): the record says who holds them, not the caller.
enum class Holder { kLeadProfessional, kAllocatedWorker, kTeamMember, kDutyTeam };
const char* HolderName(Holder h);

// Who owns a deadline: the person named in a field, the case's lead
// professional or allocated worker at the time, or a duty team (the team in
// the directory holding this framework's duty, e.g. its front door) — with
// `agency_field`, the team of the agency that field names holding the duty
// (each school's own service, not one team for the whole area).
struct DeadlineOwner {
  std::string field;
  std::optional<Holder> holder;  // kLeadProfessional or kAllocatedWorker
  std::string duty;              // a duty id of this pathway
  std::string agency_field;      // with duty: an agency field of the transition
};

struct DeadlineStart {
  std::string deadline;   // deadline kind, e.g. "review"
  std::string timescale;  // due = event time + timescale, or …
  std::string due_field;  // … the date in this field
  std::string key_field;  // distinguishes several deadlines of one kind (actions)
  DeadlineOwner owner;
  When when;
};

struct DeadlineComplete {
  std::string deadline;
  std::string key_field;
  When when;
  bool cancel = false;  // `cancels:` — closed as no longer needed, not as met
};

// What a transition does to the case, besides its state and deadlines. Field
// names refer to the transition's own fields; the loader checks each.
struct Effects {
  enum class Episode { kNone, kOpen, kClose };
  Episode episode = Episode::kNone;   // opens a new episode / closes the open one
  std::string level_field;            // sets the decided level
  std::string facts_add_field;        // records statutory facts (kFacts)
  std::string facts_end_field;        // ends them
  std::string lead_professional_field;  // sets the lead professional (kUser) …
  std::string lead_service_field;       // … and their service
  bool lead_professional_ends = false;
  std::string allocated_worker_field;  // sets the allocated worker (kUser)
  bool allocated_worker_ends = false;
  std::string team_add_field;          // adds this user to the team around the child …
  std::string team_role_field;         // … in this role (text)
  std::string team_remove_field;       // removes this user from the team
  enum class ConsentKind { kNone, kGiven, kWithdrawn, kOverridden, kRefused };
  ConsentKind consent = ConsentKind::kNone;
  std::string consent_agencies_field;  // kAgencies; withdrawn without it means every agency
  std::string communication_needs_field;  // the child's and family's communication needs
  // The current-state record the event writes: kind, and one per episode,
  // per event, or per value of a field (merged, for actions).
  std::string record_kind;
  enum class RecordKey { kEpisode, kEvent, kField };
  RecordKey record_key = RecordKey::kEvent;
  std::string record_key_field;
};

// Who recorded an event, and which of its fields, are withheld from readers
// other than social care and the author's own agency (the identity of a
// referrer, the person a concern was discussed with).
struct Confidential {
  bool author = false;
  std::vector<std::string> fields;
  bool any() const { return author || !fields.empty(); }
};

struct Transition {
  std::string id;
  std::string event;  // event type; several transitions may share one with disjoint `from`
  std::string label;
  std::string help;   // one line for forms: what to record and why
  Provenance provenance;
  std::vector<std::string> from;
  bool from_any = false;  // every state but "none"
  std::string to;                             // "" stays in the state
  std::string to_field;                       // or: the state is chosen by this field …
  std::map<std::string, std::string> to_map;  // … value → state
  std::vector<std::string> roles;
  std::vector<Holder> by;  // if set, the recorder must hold one of these relationships to the case
  // An entry point (a request for support, a referral, a concern): anyone in
  // one of `roles` may record it for any child, whatever their relationship,
  // because whoever holds the information must be able to pass it on. It
  // grants them nothing: no relationship, no sight of the record.
  bool entry = false;
  int significance = 0;
  std::vector<FieldSpec> fields;
  std::vector<Condition> require;
  std::vector<DeadlineStart> starts;
  std::vector<DeadlineComplete> completes;
  Effects effects;
  Confidential confidential;

  const FieldSpec* FindField(std::string_view name) const;
  bool From(std::string_view state) const;  // may be taken from this state
};

struct PathwayState {
  std::string id;
  std::string label;
};

// A duty held by a team in the directory (the front door that screens
// requests and referrals). A team takes it as "FRAMEWORK/DUTY".
struct Duty {
  std::string id;
  std::string label;
  Provenance provenance;
};

struct Pathway {
  std::string division;  // england-and-wales | scotland | northern-ireland
  std::vector<std::string> roles;  // each a case role of the product (core/roles.h)
  std::vector<Duty> duties;
  std::vector<PathwayState> states;
  std::vector<std::string> closed_states;
  std::vector<Transition> transitions;

  // The transition recording `event` from `state`, or nullptr.
  const Transition* Find(std::string_view event, std::string_view state) const;
  // Every transition recording `event` (any state).
  std::vector<const Transition*> ForEvent(std::string_view event) const;
  const Transition* FindById(std::string_view id) const;
  const PathwayState* FindState(std::string_view id) const;
  const Duty* FindDuty(std::string_view id) const;
  bool IsClosed(std::string_view state) const;
  bool IsOpen(std::string_view state) const { return state != "none" && !IsClosed(state); }
};

}  // namespace continuum::framework

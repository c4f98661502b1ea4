// The case pathway engine: what may be recorded on a child's case, by whom,
// with what, and what recording it does — as the framework file declares
// (docs/pathway-format.md). It knows no authority's words: every event type,
// field, state, deadline and effect comes from the framework's pathway
// section (framework/pathway_spec.h).
//
//   pathway::CaseState state = *pathway::LoadCase(store, "c-1");
//   pathway::Command cmd{.child_id = "c-1", .event_type = "plan.agreed",
//                        .occurred_at = "2026-11-23T10:00:00Z",
//                        .actor = {.user = "u-7", .agency = "school-42", .team = "", .role = "lead_professional"},
//                        .fields = …};
//   auto prepared = pathway::Prepare(fw, calendar, state, cmd, lookup);  // refused with the rule, or …
//   store->Append({prepared->event}, pathway::Project);                  // … recorded, with its effects
//
// Prepare checks the command against the framework, the case's current state
// and the record (users, agencies and people named must exist), and returns
// the event to append: the fields as given, plus a `pathway` envelope with
// the transition, the states before and after, the deadlines it starts and
// meets, and its effects resolved to values (docs/event-log.md). Project
// turns stored events into the current-state rows from that envelope alone,
// never from the framework, so replaying the log gives the same state even
// after a framework file changes. Project refuses an event whose recorded
// `from` state is no longer the case's (two people acting on one case at
// once): the second is told to reload and try again.
//
// Access (who may see or change this child at all) is not decided here but
// by access/policy.h; the case service (case/service.h) asks both.
//
// Prepare, CheckTaking and Project are pure apart from the Lookup they are
// given, and thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/calendar.h"
#include "core/status.h"
#include "framework/framework.h"
#include "store/store.h"

namespace continuum::pathway {

// Who is acting: the account, from the directory, never from the caller's say-so.
struct Actor {
  std::string user;
  std::string agency;
  std::string team;
  std::string role;
};

// The current state of a child's case (entities row kind "case", id "current").
struct CaseState {
  bool registered = false;     // a child.registered event exists
  std::string framework;       // framework id the case is worked under
  std::string state = "none";  // pathway state
  int episode = 0;             // 1 for the first episode
  int level = 0;               // last decided level, 0 if none
  std::vector<std::string> facts;  // statutory facts in force
  std::string lead_professional;   // user id
  std::string lead_service;
  std::string allocated_worker;    // user id
  std::vector<std::string> team;   // user ids in the team around the child
  std::vector<std::string> team_agencies;  // each member's agency, in the same order
  std::string date_of_birth;       // YYYY-MM-DD, from the child's details
  std::vector<std::string> episode_records;  // kinds of record kept this episode
  bool consent = false;            // the family's consent stands (given or shared without, not since withdrawn)
  std::vector<std::string> people;  // person ids in the household
  std::vector<std::string> open_deadlines;  // deadline ids
  std::vector<std::string> duty_deadlines;  // the open ones a duty team owns
  std::string duty_team;  // the team that holds this case's duty deadlines (front door), or ""
  nlohmann::json communication_needs = nlohmann::json::array();

  nlohmann::json ToJson() const;
  static CaseState FromJson(const nlohmann::json& j);
  bool InTeam(std::string_view user) const;
  // Nobody holds the open case yet: no lead professional, allocated worker or team.
  bool Unallocated() const { return lead_professional.empty() && allocated_worker.empty() && team.empty(); }
};

// What Prepare needs to know from the directory. A non-ok Result means the
// directory could not be read.
class Lookup {
 public:
  struct UserFacts {
    std::string agency;
    std::string team;
    std::string role;
    bool enabled = true;
  };
  virtual ~Lookup() = default;
  virtual Result<std::optional<UserFacts>> User(const std::string& id) = 0;
  virtual Result<bool> AgencyExists(const std::string& id) = 0;
  // The team holding `duty` of `framework` ("" if no team does); with
  // `agency`, only a team of that agency.
  virtual Result<std::string> DutyTeam(const std::string& framework, const std::string& duty,
                                       const std::string& agency) = 0;
};

struct Command {
  std::string child_id;
  std::string event_type;
  std::string occurred_at;  // UTC "YYYY-MM-DDTHH:MM:SSZ"
  Actor actor;
  nlohmann::json fields = nlohmann::json::object();
  std::string supersedes;   // for corrections
  std::string reason;
};

struct Prepared {
  store::Event event;
  // Local defaults the fields do not meet: recorded, with these warnings
  // (each names the rule and why it is only a local default).
  std::vector<std::string> warnings;
};

// The event types the product itself records, under every framework.
inline constexpr const char* kChildRegistered = "child.registered";
inline constexpr const char* kRecordCorrected = "record.corrected";
// Family and household, recorded in any state: person.added {person_id,
// name, relationship, lives_with_child, …} and person.removed {person_id, reason}.
inline constexpr const char* kPersonAdded = "person.added";
inline constexpr const char* kPersonRemoved = "person.removed";

// The transitions of the household, the same under every framework.
const std::vector<framework::Transition>& HouseholdTransitions();

// The transition that records `event_type` from the case's state: the
// framework's or a household one. kNotFound if the framework has no such
// event; kConflict (naming the state) if it has, but not from this state.
Result<const framework::Transition*> FindTransition(const framework::Framework& fw, const CaseState& state,
                                                    const std::string& event_type);

// Whether `actor` may take `t` on this case, leaving the fields aside: the
// role is one the transition allows and, when it says `by:`, the actor holds
// that relationship on the record. kForbidden with the rule otherwise. The
// one test of this, used for "what may be recorded next" and for recording.
Status CheckTaking(const framework::Framework& fw, const framework::Transition& t, const CaseState& state,
                   const Actor& actor);

// What the record must say before `t` can be recorded on `date`, and does
// not yet: the messages of the transition's enforced conditions that rest on
// the record alone (a `case:` test, with no field to fill in and no `if:` on
// fields). Empty when nothing on the record stands in the way; the values an
// event carries may still fail its other conditions. Prepare refuses exactly
// these, so "what may be recorded next" can say what a step waits for.
std::vector<std::string> WaitingFor(const framework::Transition& t, const CaseState& state, Date date,
                                    const std::string& child);

// Registering a child: the person details, validated (NHS number check
// digit, dates, identifiers), and the framework the case is worked under.
Result<store::Event> PrepareRegistration(const framework::Framework& fw, const Command& cmd);

// Checks a pathway command; see the overview. Errors: kNotFound (no such
// event in this framework's pathway), kConflict (not from the current
// state), kForbidden (CheckTaking), kInvalidArgument (fields, conditions;
// the Status names the field).
Result<Prepared> Prepare(const framework::Framework& fw, const HolidayCalendar& calendar, const CaseState& state,
                         const Command& cmd, Lookup& lookup);

// A correction: supersedes an earlier event of the same child, with a reason
// and the corrected fields (which must be fields of the original event, and
// not ones the pathway acted on: those need a new event).
Result<store::Event> PrepareCorrection(const framework::Framework& fw, const store::Event& original,
                                       const Command& cmd);

// The projector for store::Store::Append and Verify.
Status Project(const store::Event& e, store::StateReader& state, std::vector<store::Row>* rows);

// Reads a child's CaseState from the store (a default state if none).
Result<CaseState> LoadCase(store::Store& store, const std::string& child_id);

// NHS numbers: 10 digits, modulus-11 check digit (spaces allowed on input).
bool ValidNhsNumber(std::string_view s);

// Communication needs of a child or a family member (Worcestershire §5: a
// plan the family can understand), from a controlled list: "interpreter:LANGUAGE",
// "bsl" (British Sign Language), "easy_read", "large_print", "other:TEXT".
// kInvalidArgument naming `where` if a need is not one of them.
Status CheckCommunicationNeeds(const nlohmann::json& needs, const std::string& where);

// The envelope of a stored event, as a reader needs it.
struct Envelope {
  std::string transition, from, to;
  int episode = 0;
  bool author_confidential = false;
  std::vector<std::string> confidential_fields;
  std::vector<std::string> warnings;
};
Envelope ReadEnvelope(const nlohmann::json& payload);

}  // namespace continuum::pathway

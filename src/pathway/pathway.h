// The case pathway: which events a case may record next, by whom, with what,
// and the deadlines they start and meet — all as the framework file lays
// down (docs/pathway-format.md), enforced here generically.
//
//   pathway::CaseState state = …;            // read from the store (LoadCase)
//   pathway::Command cmd{.child_id = "c-1", .event_type = "plan.agreed",
//                        .occurred_at = "2026-11-23T10:00:00Z",
//                        .actor = {.user = "u-7", .agency = "school-42", .role = "lead_professional"},
//                        .fields = nlohmann::json::parse(R"({"plan_type": "single_agency", …})")};
//   auto event = pathway::Prepare(fw, calendar, state, cmd);   // refused with the rule's name, or …
//   store->Append({*event}, pathway::Project);                  // … recorded, with its deadlines
//
// Prepare checks the command against the framework and the case's current
// state and returns the event to append: the fields as given, plus a
// `pathway` envelope recording the transition, the states before and after,
// and the deadlines computed (docs/event-log.md). Project turns stored events
// into the current-state rows; it reads only the event and the current
// rows, never the framework, so replaying the log gives the same state even
// after the framework file changes. Project also refuses an event whose
// recorded `from` state is no longer the case's state (two people acting on
// one case at once): the second is told to reload and try again.
//
// Prepare and Project are pure functions and thread-safe.
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

// Who is acting, in which role.
struct Actor {
  std::string user;
  std::string agency;
  std::string role;
};

// The current state of a child's case (entities row kind "case", id "current").
struct CaseState {
  bool registered = false;     // a child.registered event exists
  std::string framework;       // framework id the case is worked under
  std::string state = "none";  // pathway state
  int episode = 0;             // 1 for the first episode
  int level = 0;               // last decided level, 0 if none
  std::vector<std::string> facts;  // statutory facts recorded with level decisions
  std::string lead_professional;
  std::string lead_service;
  std::vector<std::string> open_deadlines;  // deadline ids

  nlohmann::json ToJson() const;
  static CaseState FromJson(const nlohmann::json& j);
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

// The event types that are not pathway transitions.
inline constexpr const char* kChildRegistered = "child.registered";
inline constexpr const char* kRecordCorrected = "record.corrected";
// Family and household, recorded in any state under any framework:
// person.added {person_id, name, relationship, lives_with_child, …} and
// person.removed {person_id, reason}.
inline constexpr const char* kPersonAdded = "person.added";
inline constexpr const char* kPersonRemoved = "person.removed";

// Registering a child: the person details, validated (NHS number check
// digit, dates, identifiers), and the framework the case is worked under.
Result<store::Event> PrepareRegistration(const framework::Framework& fw, const Command& cmd);

// Checks a pathway command; see the overview. Errors: kNotFound (no such
// event in this framework's pathway), kConflict (not allowed from the
// current state), kForbidden (role), kInvalidArgument (fields, conditions).
Result<store::Event> Prepare(const framework::Framework& fw, const HolidayCalendar& calendar,
                             const CaseState& state, const Command& cmd);

// A correction: supersedes an earlier event of the same child, with a reason
// and the corrected fields (which must be fields of the original event).
Result<store::Event> PrepareCorrection(const framework::Framework& fw, const store::Event& original,
                                       const Command& cmd);

// The projector for store::Store::Append and Verify.
Status Project(const store::Event& e, store::StateReader& state, std::vector<store::Row>* rows);

// Reads a child's CaseState from the store (a default state if none).
Result<CaseState> LoadCase(store::Store& store, const std::string& child_id);

// NHS numbers: 10 digits, modulus-11 check digit (spaces allowed on input).
bool ValidNhsNumber(std::string_view s);

}  // namespace continuum::pathway

// The pathway section of a framework: the case pathway as a state machine
// (docs/pathway-format.md). Loaded with the framework; enforced by
// src/pathway/.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace continuum::framework {

enum class FieldType { kText, kId, kDate, kDateTime, kBool, kInt, kLevel, kList, kEnum };
const char* FieldTypeName(FieldType t);

struct FieldSpec {
  std::string name;
  FieldType type = FieldType::kText;
  bool optional = false;
  std::vector<std::string> values;  // kEnum
};

// `if:` — field values (as text; booleans "true"/"false") and case facts.
struct When {
  std::vector<std::pair<std::string, std::vector<std::string>>> fields;
  std::optional<int> case_level_at_least;
  std::vector<std::string> case_facts_any;
  bool empty() const { return fields.empty() && !case_level_at_least && case_facts_any.empty(); }
};

struct Condition {
  When when;
  std::string field;                 // must be present (and equal `equals` if set)
  std::optional<std::string> equals;
  std::string date_field;            // date_within: this date field …
  std::string timescale;             // … falls within this timescale of the event
  std::string source;
  std::string message;
};

struct DeadlineStart {
  std::string deadline;   // deadline kind, e.g. "review"
  std::string timescale;  // due = event time + timescale, or …
  std::string due_field;  // … the date in this field
  std::string key_field;  // distinguishes several deadlines of one kind (actions)
  std::string owner_field;
  std::string owner_role;
  When when;
};

struct DeadlineComplete {
  std::string deadline;
  std::string key_field;
  When when;
};

struct Transition {
  std::string id;
  std::string event;  // event type
  std::string label;
  std::string source;
  std::vector<std::string> from;
  bool from_any = false;
  std::string to;                          // "" stays in the state
  std::string to_field;                    // or: the state is chosen by this field …
  std::map<std::string, std::string> to_map;  // … value → state
  std::vector<std::string> roles;
  int significance = 0;
  std::vector<FieldSpec> fields;
  std::vector<Condition> require;
  std::vector<DeadlineStart> starts;
  std::vector<DeadlineComplete> completes;

  const FieldSpec* FindField(std::string_view name) const;
};

struct PathwayState {
  std::string id;
  std::string label;
};

struct Pathway {
  std::string division;  // england-and-wales | scotland | northern-ireland
  std::vector<std::string> roles;
  std::vector<PathwayState> states;
  std::vector<std::string> closed_states;
  std::vector<Transition> transitions;

  const Transition* FindByEvent(std::string_view event) const;
  const PathwayState* FindState(std::string_view id) const;
  bool IsClosed(std::string_view state) const;
};

}  // namespace continuum::framework

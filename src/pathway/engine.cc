#include "pathway/engine.h"

#include <algorithm>
#include <regex>
#include <set>

namespace continuum::pathway {

using framework::Condition;
using framework::Effects;
using framework::FieldSpec;
using framework::FieldType;
using framework::Framework;
using framework::Holder;
using framework::Transition;
using framework::When;
using nlohmann::json;

namespace {

constexpr size_t kMaxText = 20000;
constexpr size_t kMaxId = 128;
constexpr size_t kMaxList = 200;

std::string Join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

bool Contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// A field's value as text for `if:` and `equals` comparisons.
std::optional<std::string> AsText(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  return std::nullopt;
}

// Whole years of age on `on`, from the recorded date of birth; nullopt if none.
std::optional<int> AgeOn(const CaseState& state, Date on) {
  auto dob = Date::Parse(state.date_of_birth);
  if (!dob.ok()) return std::nullopt;
  int years = on.year() - dob->year();
  if (on.month() < dob->month() || (on.month() == dob->month() && on.day() < dob->day())) --years;
  return years;
}

// Whether a deadline of this kind is open on the child's case (ids are
// CHILD:KIND or CHILD:KIND:KEY, pathway/engine.h DeadlineId).
bool DeadlineOpen(const CaseState& state, const std::string& child, const std::string& kind) {
  const std::string id = child + ":" + kind;
  return std::any_of(state.open_deadlines.begin(), state.open_deadlines.end(), [&](const std::string& d) {
    return d == id || (d.size() > id.size() && d.compare(0, id.size() + 1, id + ":") == 0);
  });
}

// What the record says, against a `case:` test.
bool Holds(const framework::CaseTest& c, const CaseState& state, Date on, const std::string& child) {
  if (c.level_at_least && state.level < *c.level_at_least) return false;
  if (!c.facts_any.empty() &&
      !std::any_of(c.facts_any.begin(), c.facts_any.end(), [&](const auto& f) { return Contains(state.facts, f); })) {
    return false;
  }
  for (const auto& f : c.facts_none)
    if (Contains(state.facts, f)) return false;
  if (c.age_at_least || c.age_under) {
    auto age = AgeOn(state, on);
    if (!age) return false;
    if (c.age_at_least && *age < *c.age_at_least) return false;
    if (c.age_under && *age >= *c.age_under) return false;
  }
  if (c.team_at_least && static_cast<int>(state.team.size()) < *c.team_at_least) return false;
  if (c.team_agencies_at_least) {
    std::set<std::string> agencies(state.team_agencies.begin(), state.team_agencies.end());
    agencies.erase("");
    if (static_cast<int>(agencies.size()) < *c.team_agencies_at_least) return false;
  }
  if (!c.records_any.empty() && !std::any_of(c.records_any.begin(), c.records_any.end(),
                                             [&](const auto& k) { return Contains(state.episode_records, k); })) {
    return false;
  }
  for (const auto& k : c.records_none)
    if (Contains(state.episode_records, k)) return false;
  if (c.consent && *c.consent != state.consent) return false;
  if (c.lead_professional && *c.lead_professional == state.lead_professional.empty()) return false;
  if (c.allocated_worker && *c.allocated_worker == state.allocated_worker.empty()) return false;
  if (!c.deadlines_open.empty() && !std::any_of(c.deadlines_open.begin(), c.deadlines_open.end(),
                                                [&](const auto& k) { return DeadlineOpen(state, child, k); })) {
    return false;
  }
  for (const auto& k : c.deadlines_none)
    if (DeadlineOpen(state, child, k)) return false;
  return true;
}

bool Matches(const When& w, const json& fields, const CaseState& state, Date on, const std::string& child) {
  for (const auto& [name, values] : w.fields) {
    auto it = fields.find(name);
    if (it == fields.end()) return false;
    auto text = AsText(*it);
    if (!text || std::find(values.begin(), values.end(), *text) == values.end()) return false;
  }
  return w.case_test.empty() || Holds(w.case_test, state, on, child);
}

std::string Where(const Transition& t) {
  return "transition '" + t.id + "' (" +
         (t.provenance.is_local() ? "local default" : t.provenance.source) + ")";
}

bool HasControl(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') return true;
    if (c == 0x7f) return true;
  }
  return false;
}

// The shape of one field's value.
Status CheckShape(const Framework& fw, const std::string& where, const FieldSpec& f, const json& v) {
  const std::string path = "fields." + f.name;
  auto bad = [&](const std::string& what) {
    return InvalidArgument(where + ": field '" + f.name + "' must be " + what).WithField(path);
  };
  auto text_ok = [&](const json& x, size_t max) {
    return x.is_string() && !x.get_ref<const std::string&>().empty() && x.get_ref<const std::string&>().size() <= max;
  };
  auto list_of_ids = [&](const char* what) -> Status {
    if (!v.is_array() || v.empty() || v.size() > kMaxList) return bad(std::string("a list of 1 to 200 ") + what);
    std::set<std::string> seen;
    for (const auto& e : v) {
      if (!text_ok(e, kMaxId) || HasControl(e.get_ref<const std::string&>())) return bad(std::string("a list of ") + what);
      if (!seen.insert(e.get<std::string>()).second) return bad(std::string("a list of ") + what + " without repeats");
    }
    return Status::Ok();
  };
  switch (f.type) {
    case FieldType::kText:
      if (!v.is_string() || v.get_ref<const std::string&>().find_first_not_of(" \t\r\n") == std::string::npos) {
        return bad("text (not blank)");
      }
      if (v.get_ref<const std::string&>().size() > kMaxText) return bad("at most 20,000 characters");
      if (HasControl(v.get_ref<const std::string&>())) return bad("text without control characters");
      return Status::Ok();
    case FieldType::kId:
    case FieldType::kUser:
    case FieldType::kAgency:
    case FieldType::kPerson:
      if (!text_ok(v, kMaxId) || HasControl(v.get_ref<const std::string&>())) {
        return bad(std::string("an id (1 to 128 characters)") +
                   (f.type == FieldType::kUser     ? " of a user"
                    : f.type == FieldType::kAgency ? " of an agency"
                    : f.type == FieldType::kPerson ? " of a person in the household"
                                                   : ""));
      }
      return Status::Ok();
    case FieldType::kDate:
      if (!v.is_string() || !Date::Parse(v.get<std::string>()).ok()) return bad("a date written YYYY-MM-DD");
      return Status::Ok();
    case FieldType::kDateTime:
      if (!v.is_string() || !Timestamp::Parse(v.get<std::string>()).ok()) {
        return bad("a date and time written YYYY-MM-DDTHH:MM:SSZ");
      }
      return Status::Ok();
    case FieldType::kBool:
      if (!v.is_boolean()) return bad("true or false");
      return Status::Ok();
    case FieldType::kInt:
      if (!v.is_number_integer() || v.get<long long>() < -1000000 || v.get<long long>() > 1000000) {
        return bad("a whole number from -1,000,000 to 1,000,000");
      }
      return Status::Ok();
    case FieldType::kLevel:
      if (!v.is_number_integer() || v.get<long long>() < 1 || v.get<long long>() > fw.max_level()) {
        return bad("a level from 1 to " + std::to_string(fw.max_level()));
      }
      return Status::Ok();
    case FieldType::kList:
      if (!v.is_array() || v.size() > kMaxList) return bad("a list of text (at most 200 entries)");
      for (const auto& e : v) {
        if (!text_ok(e, kMaxText) || HasControl(e.get_ref<const std::string&>())) return bad("a list of non-empty text");
      }
      return Status::Ok();
    case FieldType::kUsers: return list_of_ids("user ids");
    case FieldType::kAgencies: return list_of_ids("agency ids (or \"all\")");
    case FieldType::kPeople: return list_of_ids("person ids from the household");
    case FieldType::kFacts: {
      if (!v.is_array() || v.size() > kMaxList) return bad("a list of statutory facts");
      for (const auto& e : v) {
        if (!e.is_string()) return bad("a list of statutory facts");
        int i = fw.FindItem(e.get<std::string>());
        if (i < 0 || fw.items[i].kind != framework::ItemKind::kFact) {
          return bad("a list of statutory facts of " + fw.id + "; '" + e.get<std::string>() + "' is not one");
        }
      }
      return Status::Ok();
    }
    case FieldType::kEnum: {
      auto text = v.is_string() ? v.get<std::string>() : std::string();
      if (!Contains(f.values, text)) return bad("one of: " + Join(f.values));
      return Status::Ok();
    }
    case FieldType::kCommunication: {
      Status s = CheckCommunicationNeeds(v, path);
      if (!s.ok()) return InvalidArgument(where + ": field '" + f.name + "': " + s.message()).WithField(path);
      return Status::Ok();
    }
  }
  return Internal("unknown field type");
}

}  // namespace

Status CheckCommunicationNeeds(const json& needs, const std::string& where) {
  auto bad = [&](const std::string& what) {
    return InvalidArgument(where + ": " + what +
                           "; each need is interpreter:LANGUAGE, bsl, easy_read, large_print or other:TEXT")
        .WithField(where);
  };
  if (!needs.is_array() || needs.size() > 20) return bad("a list of at most 20 needs");
  std::set<std::string> seen;
  for (const auto& n : needs) {
    if (!n.is_string()) return bad("every need is text");
    const std::string& s = n.get_ref<const std::string&>();
    if (HasControl(s) || s.size() > 200) return bad("'" + s.substr(0, 40) + "' is not a need");
    const size_t colon = s.find(':');
    const std::string kind = s.substr(0, colon);
    const std::string detail = colon == std::string::npos ? "" : s.substr(colon + 1);
    bool detail_blank = detail.find_first_not_of(' ') == std::string::npos;
    if (kind == "bsl" || kind == "easy_read" || kind == "large_print") {
      if (colon != std::string::npos) return bad("'" + s + "' takes nothing after '" + kind + "'");
    } else if (kind == "interpreter" || kind == "other") {
      if (detail_blank) return bad("'" + s + "' needs " + (kind == "interpreter" ? "the language" : "a description"));
    } else {
      return bad("'" + s + "' is not a need");
    }
    if (!seen.insert(s).second) return bad("'" + s + "' is listed twice");
  }
  return Status::Ok();
}

namespace {

Status CheckFields(const Framework& fw, const std::string& where, const Transition& t, const json& fields,
                   bool partial) {
  if (!fields.is_object()) return InvalidArgument(where + ": fields must be a JSON object").WithField("fields");
  for (auto it = fields.begin(); it != fields.end(); ++it) {
    const FieldSpec* f = t.FindField(it.key());
    if (!f) {
      std::vector<std::string> names;
      for (const auto& x : t.fields) names.push_back(x.name);
      return InvalidArgument(where + ": unknown field '" + it.key() + "'; the fields are: " + Join(names))
          .WithField("fields." + it.key());
    }
    if (it->is_null() && f->optional) continue;
    CONTINUUM_RETURN_IF_ERROR(CheckShape(fw, where, *f, *it));
  }
  if (partial) return Status::Ok();
  for (const auto& f : t.fields) {
    if (!f.optional && (!fields.contains(f.name) || fields[f.name].is_null())) {
      return InvalidArgument(where + ": missing required field '" + f.name + "' (" +
                             (f.type == FieldType::kEnum ? "one of: " + Join(f.values)
                                                         : std::string(framework::FieldTypeName(f.type))) +
                             ")")
          .WithField("fields." + f.name);
    }
  }
  return Status::Ok();
}

// Users, agencies and people named by the fields must be on the record.
Status CheckReferences(const std::string& where, const Transition& t, const json& fields, const CaseState& state,
                       Lookup& lookup) {
  for (const auto& f : t.fields) {
    auto it = fields.find(f.name);
    if (it == fields.end() || it->is_null()) continue;
    std::vector<std::string> values;
    if (it->is_array()) {
      for (const auto& e : *it) values.push_back(e.get<std::string>());
    } else if (it->is_string()) {
      values.push_back(it->get<std::string>());
    }
    auto missing = [&](const std::string& v, const char* what) {
      return InvalidArgument(where + ": field '" + f.name + "': '" + v + "' is not " + what)
          .WithField("fields." + f.name);
    };
    for (const auto& v : values) {
      switch (f.type) {
        case FieldType::kUser:
        case FieldType::kUsers: {
          auto u = lookup.User(v);
          if (!u.ok()) return u.status();
          if (!*u || !(*u)->enabled) return missing(v, "an active user of this system");
          break;
        }
        case FieldType::kAgency:
        case FieldType::kAgencies: {
          if (f.type == FieldType::kAgencies && v == "all") {
            if (values.size() > 1) return missing(v, "usable beside other agencies (\"all\" stands alone)");
            break;
          }
          auto a = lookup.AgencyExists(v);
          if (!a.ok()) return a.status();
          if (!*a) return missing(v, "an agency of this system");
          break;
        }
        case FieldType::kPerson:
        case FieldType::kPeople:
          if (!Contains(state.people, v)) return missing(v, "a person recorded in the child's household");
          break;
        default:
          break;
      }
    }
  }
  return Status::Ok();
}

Result<Timestamp> ParseTime(const std::string& what, const std::string& s) {
  static const std::regex kUtc(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)");
  if (!std::regex_match(s, kUtc)) {
    return InvalidArgument(what + " must be a UTC time written YYYY-MM-DDTHH:MM:SSZ").WithField(what);
  }
  auto t = Timestamp::Parse(s);
  if (!t.ok()) return InvalidArgument(what + ": " + t.status().message()).WithField(what);
  return t;
}

DueUnit ToDueUnit(framework::TimeUnit u) {
  switch (u) {
    case framework::TimeUnit::kHours: return DueUnit::kHours;
    case framework::TimeUnit::kDays: return DueUnit::kDays;
    case framework::TimeUnit::kWorkingDays: return DueUnit::kWorkingDays;
    case framework::TimeUnit::kWeeks: return DueUnit::kWeeks;
  }
  return DueUnit::kDays;
}

std::string DeadlineId(const std::string& child, const std::string& kind, const std::string& key) {
  return child + ":" + kind + (key.empty() ? "" : ":" + key);
}

std::string FieldText(const json& fields, const std::string& name) {
  if (name.empty()) return "";
  auto it = fields.find(name);
  if (it == fields.end()) return "";
  return AsText(*it).value_or("");
}

json FieldList(const json& fields, const std::string& name) {
  auto it = fields.find(name);
  if (name.empty() || it == fields.end() || !it->is_array()) return json::array();
  return *it;
}

store::Event BaseEvent(const Command& cmd, const std::string& type, int significance) {
  store::Event e;
  e.child_id = cmd.child_id;
  e.type = type;
  e.occurred_at = cmd.occurred_at;
  e.author = cmd.actor.user;
  e.agency = cmd.actor.agency;
  e.significance = significance;
  e.supersedes = cmd.supersedes;
  e.reason = cmd.reason;
  return e;
}

Status CheckActor(const Command& cmd) {
  if (cmd.child_id.empty() || cmd.child_id.size() > kMaxId) {
    return InvalidArgument("child id must be 1 to 128 characters").WithField("child");
  }
  if (cmd.actor.user.empty()) return InvalidArgument("the author (user id) is required");
  if (cmd.actor.agency.empty()) return InvalidArgument("the author's agency is required");
  return ParseTime("occurred_at", cmd.occurred_at).status();
}

bool Holds(Holder h, const CaseState& state, const Actor& a) {
  switch (h) {
    case Holder::kLeadProfessional: return !a.user.empty() && state.lead_professional == a.user;
    case Holder::kAllocatedWorker: return !a.user.empty() && state.allocated_worker == a.user;
    case Holder::kTeamMember: return state.InTeam(a.user);
    case Holder::kDutyTeam: return !a.team.empty() && state.duty_team == a.team;
  }
  return false;
}

// The effects of a transition with the fields' values put in: what the
// projector applies, stored in the event.
json ResolveEffects(const Effects& fx, const json& fields, const Lookup::UserFacts* team_member) {
  json out = json::object();
  if (!fx.level_field.empty() && fields.contains(fx.level_field) && fields[fx.level_field].is_number_integer()) {
    out["level"] = fields[fx.level_field];
  }
  if (!fx.facts_add_field.empty()) out["facts_add"] = FieldList(fields, fx.facts_add_field);
  if (!fx.facts_end_field.empty()) out["facts_end"] = FieldList(fields, fx.facts_end_field);
  if (!fx.lead_professional_field.empty()) {
    std::string who = FieldText(fields, fx.lead_professional_field);
    if (!who.empty()) {
      out["lead_professional"] = {{"user", who}, {"service", FieldText(fields, fx.lead_service_field)}};
    }
  } else if (fx.lead_professional_ends) {
    out["lead_professional"] = nullptr;
  }
  if (!fx.allocated_worker_field.empty()) {
    std::string who = FieldText(fields, fx.allocated_worker_field);
    if (!who.empty()) out["allocated_worker"] = who;
  } else if (fx.allocated_worker_ends) {
    out["allocated_worker"] = nullptr;
  }
  if (!fx.team_add_field.empty()) {
    out["team_add"] = {{"member", FieldText(fields, fx.team_add_field)},
                       {"agency", team_member ? team_member->agency : ""},
                       {"role", FieldText(fields, fx.team_role_field)}};
  }
  if (!fx.team_remove_field.empty()) out["team_remove"] = FieldText(fields, fx.team_remove_field);
  using K = Effects::ConsentKind;
  if (fx.consent != K::kNone) {
    const char* kind = fx.consent == K::kGiven       ? "given"
                       : fx.consent == K::kWithdrawn ? "withdrawn"
                       : fx.consent == K::kOverridden ? "overridden"
                                                      : "refused";
    out["consent"] = {{"kind", kind}, {"agencies", FieldList(fields, fx.consent_agencies_field)}};
  }
  if (!fx.communication_needs_field.empty() && fields.contains(fx.communication_needs_field)) {
    out["communication_needs"] = fields[fx.communication_needs_field];
  }
  return out;
}

}  // namespace

// ---- household ---------------------------------------------------------------

const std::vector<Transition>& HouseholdTransitions() {
  static const std::vector<Transition> kTransitions = [] {
    auto field = [](const char* name, FieldType type, bool optional, std::vector<std::string> values = {}) {
      return FieldSpec{name, type, optional, std::move(values), ""};
    };
    Transition add;
    add.id = "household_add";
    add.event = kPersonAdded;
    add.label = "Person in the child's family or household recorded";
    add.provenance.local_default = "family and household, kept the same way under every framework";
    add.from = {"none"};
    add.from_any = true;
    add.significance = 1;
    add.fields = {field("person_id", FieldType::kId, false), field("name", FieldType::kText, false),
                  field("relationship", FieldType::kEnum, false,
                        {"mother", "father", "parent", "step_parent", "carer", "foster_carer", "grandparent",
                         "sibling", "half_sibling", "other_relative", "partner_of_parent", "other"}),
                  field("lives_with_child", FieldType::kBool, false),
                  field("parental_responsibility", FieldType::kBool, true),
                  field("date_of_birth", FieldType::kDate, true), field("nhs_number", FieldType::kId, true),
                  field("communication_needs", FieldType::kCommunication, true),
                  field("note", FieldType::kText, true)};
    add.effects.record_kind = "person";
    add.effects.record_key = Effects::RecordKey::kField;
    add.effects.record_key_field = "person_id";
    Transition remove;
    remove.id = "household_remove";
    remove.event = kPersonRemoved;
    remove.label = "Person no longer in the child's household";
    remove.provenance.local_default = add.provenance.local_default;
    remove.from = {"none"};
    remove.from_any = true;
    remove.significance = 1;
    remove.fields = {field("person_id", FieldType::kPerson, false), field("reason", FieldType::kText, false)};
    remove.effects.record_kind = "person";
    remove.effects.record_key = Effects::RecordKey::kField;
    remove.effects.record_key_field = "person_id";
    return std::vector<Transition>{add, remove};
  }();
  return kTransitions;
}

// ---- case state ----------------------------------------------------------------

nlohmann::json CaseState::ToJson() const {
  return json{{"framework", framework},
              {"state", state},
              {"episode", episode},
              {"level", level},
              {"facts", facts},
              {"lead_professional", lead_professional},
              {"lead_service", lead_service},
              {"allocated_worker", allocated_worker},
              {"team", team},
              {"team_agencies", team_agencies},
              {"date_of_birth", date_of_birth},
              {"episode_records", episode_records},
              {"consent", consent},
              {"people", people},
              {"open_deadlines", open_deadlines},
              {"duty_deadlines", duty_deadlines},
              {"duty_team", duty_team},
              {"communication_needs", communication_needs}};
}

CaseState CaseState::FromJson(const nlohmann::json& j) {
  CaseState s;
  s.registered = true;
  s.framework = j.value("framework", "");
  s.state = j.value("state", "none");
  s.episode = j.value("episode", 0);
  s.level = j.value("level", 0);
  s.facts = j.value("facts", std::vector<std::string>{});
  s.lead_professional = j.value("lead_professional", "");
  s.lead_service = j.value("lead_service", "");
  s.allocated_worker = j.value("allocated_worker", "");
  s.team = j.value("team", std::vector<std::string>{});
  s.team_agencies = j.value("team_agencies", std::vector<std::string>{});
  s.team_agencies.resize(s.team.size());
  s.date_of_birth = j.value("date_of_birth", "");
  s.episode_records = j.value("episode_records", std::vector<std::string>{});
  s.consent = j.value("consent", false);
  s.people = j.value("people", std::vector<std::string>{});
  s.open_deadlines = j.value("open_deadlines", std::vector<std::string>{});
  s.duty_deadlines = j.value("duty_deadlines", std::vector<std::string>{});
  s.duty_team = j.value("duty_team", "");
  s.communication_needs = j.value("communication_needs", json::array());
  return s;
}

bool CaseState::InTeam(std::string_view user) const { return !user.empty() && Contains(team, user); }

bool ValidNhsNumber(std::string_view s) {
  std::string digits;
  for (char c : s) {
    if (c == ' ') continue;
    if (c < '0' || c > '9') return false;
    digits.push_back(c);
  }
  if (digits.size() != 10) return false;
  int sum = 0;
  for (int i = 0; i < 9; ++i) sum += (digits[i] - '0') * (10 - i);
  int check = 11 - sum % 11;
  if (check == 11) check = 0;
  if (check == 10) return false;
  return check == digits[9] - '0';
}

// ---- checking and preparing ------------------------------------------------------

Result<const Transition*> FindTransition(const Framework& fw, const CaseState& state, const std::string& type) {
  for (const auto& h : HouseholdTransitions()) {
    if (h.event == type) return &h;
  }
  if (!fw.pathway) return NotFound("framework '" + fw.id + "' has no pathway section");
  const auto& p = *fw.pathway;
  if (const Transition* t = p.Find(type, state.state)) return t;
  auto all = p.ForEvent(type);
  if (all.empty()) {
    std::vector<std::string> events;
    for (const auto& x : p.transitions) {
      if (!Contains(events, x.event)) events.push_back(x.event);
    }
    return NotFound("'" + type + "' is not an event of " + fw.id + "'s pathway; the events are: " + Join(events))
        .WithField("type");
  }
  std::vector<std::string> from;
  for (const auto* t : all) {
    if (t->from_any) from.push_back("any open state");
    for (const auto& s : t->from) from.push_back(s);
  }
  const auto* st = p.FindState(state.state);
  return Conflict(Where(*all.front()) + ": cannot be recorded while the case is '" + state.state + "'" +
                  (st ? " (" + st->label + ")" : "") + "; it may follow: " + Join(from));
}

std::vector<std::string> WaitingFor(const Transition& t, const CaseState& state, Date date, const std::string& child) {
  std::vector<std::string> out;
  for (const auto& c : t.require) {
    if (!c.enforce || c.case_test.empty() || !c.field.empty() || !c.date_field.empty() || !c.after_field.empty()) {
      continue;
    }
    if (!c.when.fields.empty()) continue;  // depends on the values given
    if (!c.when.case_test.empty() && !Holds(c.when.case_test, state, date, child)) continue;
    if (!Holds(c.case_test, state, date, child)) out.push_back(c.message);
  }
  return out;
}

Status CheckTaking(const Framework& fw, const Transition& t, const CaseState& state, const Actor& actor) {
  const auto& roles = t.roles.empty() && fw.pathway ? fw.pathway->roles : t.roles;  // household: any pathway role
  if (!Contains(roles, actor.role)) {
    return Forbidden(Where(t) + ": the role '" + actor.role + "' may not record this; roles that may: " + Join(roles));
  }
  if (!t.by.empty()) {
    bool holds = std::any_of(t.by.begin(), t.by.end(), [&](Holder h) { return Holds(h, state, actor); });
    if (!holds) {
      std::vector<std::string> names;
      for (Holder h : t.by) names.push_back(framework::HolderName(h));
      return Forbidden(Where(t) + ": only the case's " + Join(names) +
                       " may record this, as the record stands (not by saying so)");
    }
  }
  return Status::Ok();
}

Result<store::Event> PrepareRegistration(const Framework& fw, const Command& cmd) {
  CONTINUUM_RETURN_IF_ERROR(CheckActor(cmd));
  const json& f = cmd.fields;
  if (!f.is_object()) return InvalidArgument("child details must be a JSON object").WithField("fields");
  static const std::vector<std::string> kKnown = {"display_name", "date_of_birth", "nhs_number", "upn",
                                                  "local_id",     "sex",           "ethnicity",  "address",
                                                  "communication_needs"};
  for (auto it = f.begin(); it != f.end(); ++it) {
    if (!Contains(kKnown, it.key())) {
      return InvalidArgument("child: unknown field '" + it.key() + "'; the fields are: " + Join(kKnown))
          .WithField("fields." + it.key());
    }
  }
  auto text = [&](const char* k, bool required) -> Status {
    if (!f.contains(k)) {
      return required ? InvalidArgument(std::string("child: missing required field '") + k + "'")
                            .WithField(std::string("fields.") + k)
                      : Status::Ok();
    }
    if (!f[k].is_string() || f[k].get_ref<const std::string&>().find_first_not_of(' ') == std::string::npos ||
        f[k].get_ref<const std::string&>().size() > 200 || HasControl(f[k].get_ref<const std::string&>())) {
      return InvalidArgument(std::string("child: field '") + k +
                             "' must be text of 1 to 200 characters without control characters")
          .WithField(std::string("fields.") + k);
    }
    return Status::Ok();
  };
  CONTINUUM_RETURN_IF_ERROR(text("display_name", true));
  CONTINUUM_RETURN_IF_ERROR(text("date_of_birth", true));
  for (const char* k : {"nhs_number", "upn", "local_id", "sex", "ethnicity", "address"}) {
    CONTINUUM_RETURN_IF_ERROR(text(k, false));
  }
  auto dob = Date::Parse(f["date_of_birth"].get<std::string>());
  if (!dob.ok()) {
    return InvalidArgument("child: date_of_birth: " + dob.status().message()).WithField("fields.date_of_birth");
  }
  auto occurred = ParseTime("occurred_at", cmd.occurred_at);
  if (dob->year() < 1990 || *dob > AddDays(occurred->date(), 280)) {
    return InvalidArgument("child: date_of_birth " + dob->ToString() +
                           " is not plausible (from 1990 up to an expected date of birth in the next 40 weeks)")
        .WithField("fields.date_of_birth");
  }
  if (f.contains("nhs_number") && !ValidNhsNumber(f["nhs_number"].get<std::string>())) {
    return InvalidArgument("child: nhs_number '" + f["nhs_number"].get<std::string>() +
                           "' is not a valid NHS number (10 digits with a modulus-11 check digit)")
        .WithField("fields.nhs_number");
  }
  if (f.contains("upn")) {
    static const std::regex kUpn(R"([A-HJ-NP-RT-Z][0-9]{11}[0-9A-HJ-NP-RT-Z])");
    if (!std::regex_match(f["upn"].get<std::string>(), kUpn)) {
      return InvalidArgument("child: upn '" + f["upn"].get<std::string>() +
                             "' is not a unique pupil number (13 characters: a check letter, 11 digits, a digit or "
                             "letter)")
          .WithField("fields.upn");
    }
  }
  if (f.contains("communication_needs")) {
    CONTINUUM_RETURN_IF_ERROR(CheckCommunicationNeeds(f["communication_needs"], "fields.communication_needs"));
  }
  store::Event e = BaseEvent(cmd, kChildRegistered, store::kKey);
  e.payload = json{{"fields", f}, {"framework", {{"id", fw.id}, {"version", fw.version}}}}.dump();
  return e;
}

Result<Prepared> Prepare(const Framework& fw, const HolidayCalendar& calendar, const CaseState& state,
                         const Command& cmd, Lookup& lookup) {
  if (!fw.pathway) return NotFound("framework '" + fw.id + "' has no pathway section");
  const auto& p = *fw.pathway;
  CONTINUUM_RETURN_IF_ERROR(CheckActor(cmd));
  if (!state.registered) {
    return NotFound("child '" + cmd.child_id + "' is not registered; register the child first");
  }
  auto found = FindTransition(fw, state, cmd.event_type);
  if (!found.ok()) return found.status();
  const Transition* t = *found;
  const std::string where = Where(*t);
  CONTINUUM_RETURN_IF_ERROR(CheckTaking(fw, *t, state, cmd.actor));
  CONTINUUM_RETURN_IF_ERROR(CheckFields(fw, where, *t, cmd.fields, false));
  CONTINUUM_RETURN_IF_ERROR(CheckReferences(where, *t, cmd.fields, state, lookup));
  auto occurred = ParseTime("occurred_at", cmd.occurred_at);
  auto division = ParseDivision(p.division);
  if (!division.ok()) return division.status();

  Prepared out;
  for (const auto& c : t->require) {
    if (!c.when.empty() && !Matches(c.when, cmd.fields, state, occurred->date(), cmd.child_id)) continue;
    const std::string& field = !c.field.empty() ? c.field : !c.date_field.empty() ? c.date_field : c.after_field;
    std::string detail;
    bool met = true;
    if (!c.case_test.empty() && !Holds(c.case_test, state, occurred->date(), cmd.child_id)) met = false;
    if (!c.field.empty()) {
      auto it = cmd.fields.find(c.field);
      met = met && it != cmd.fields.end() && !it->is_null() && (!c.equals || AsText(*it) == c.equals);
      if (met && !c.not_holder.empty()) {
        const std::string& holder =
            c.not_holder == "lead_professional" ? state.lead_professional : state.allocated_worker;
        if (!holder.empty() && AsText(*it) == holder) met = false;
      }
    } else if (!c.date_field.empty()) {
      auto it = cmd.fields.find(c.date_field);
      if (it == cmd.fields.end() || it->is_null()) {
        met = false;
      } else {
        const auto* ts = fw.FindTimescale(c.timescale);
        Date d = *Date::Parse(it->get<std::string>());
        auto latest = DueAt(*occurred, ts->within.amount, ToDueUnit(ts->within.unit), calendar, *division);
        if (!latest.ok()) return latest.status();
        Date earliest = occurred->date();
        if (ts->at_least) {
          auto e = DueAt(*occurred, ts->at_least->amount, ToDueUnit(ts->at_least->unit), calendar, *division);
          if (!e.ok()) return e.status();
          earliest = e->date();
        }
        if (d < earliest || d > latest->date()) {
          met = false;
          detail = " — " + c.date_field + " " + d.ToString() + " is outside " + earliest.ToString() + " to " +
                   latest->date().ToString();
        }
      }
    } else if (!c.after_field.empty()) {
      auto a = cmd.fields.find(c.after_field), b = cmd.fields.find(c.after_other);
      if (a != cmd.fields.end() && b != cmd.fields.end() && a->is_string() && b->is_string() &&
          *Date::Parse(a->get<std::string>()) < *Date::Parse(b->get<std::string>())) {
        met = false;
        detail = " — " + c.after_field + " " + a->get<std::string>() + " is before " + c.after_other + " " +
                 b->get<std::string>();
      }
    }
    if (met) continue;
    if (c.enforce) {
      return InvalidArgument("transition '" + t->id + "' (" +
                             (c.provenance.is_local() ? "local rule" : c.provenance.source) + "): " + c.message +
                             detail + (field.empty() ? "" : " (field '" + field + "')"))
          .WithField(field.empty() ? "" : "fields." + field);
    }
    out.warnings.push_back(c.message + detail + " — a local default, not stated in the document: " +
                           c.provenance.local_default);
  }

  std::string to = t->to;
  if (!t->to_field.empty()) to = t->to_map.at(FieldText(cmd.fields, t->to_field));
  if (to.empty()) to = state.state;
  // Leaving "none" or a closed state for an open one starts a new episode.
  bool was_open = p.IsOpen(state.state);
  bool now_open = p.IsOpen(to);
  int episode = !was_open && now_open ? state.episode + 1 : state.episode;

  json deadlines = json::array();
  for (const auto& d : t->starts) {
    if (!d.when.empty() && !Matches(d.when, cmd.fields, state, occurred->date(), cmd.child_id)) continue;
    Timestamp due;
    std::string label;
    if (!d.timescale.empty()) {
      const auto* ts = fw.FindTimescale(d.timescale);
      auto at = DueAt(*occurred, ts->within.amount, ToDueUnit(ts->within.unit), calendar, *division);
      if (!at.ok()) return at.status();
      due = *at;
      label = ts->label;
    } else {
      std::string v = FieldText(cmd.fields, d.due_field);
      if (v.empty()) continue;  // optional date not given
      if (v.size() == 10) {
        due = Timestamp::FromDate(*Date::Parse(v), 86399);  // by the end of that day
      } else {
        due = *Timestamp::Parse(v);
      }
      // A timescale of the same name labels it ("Review the Family Plan
      // every 6 to 12 weeks"); otherwise the transition does.
      const auto* named = fw.FindTimescale(d.deadline);
      label = named ? named->label : t->label;
    }
    std::string key = d.key_field.empty() ? "" : FieldText(cmd.fields, d.key_field);
    if (!key.empty()) label += " (" + d.key_field + " " + key + ")";
    std::string owner, team;
    if (!d.owner.field.empty()) {
      owner = FieldText(cmd.fields, d.owner.field);
    } else if (d.owner.holder) {
      owner = *d.owner.holder == Holder::kLeadProfessional ? state.lead_professional : state.allocated_worker;
      // A lead professional named by this very event holds it already.
      if (*d.owner.holder == Holder::kLeadProfessional && !t->effects.lead_professional_field.empty() &&
          !FieldText(cmd.fields, t->effects.lead_professional_field).empty()) {
        owner = FieldText(cmd.fields, t->effects.lead_professional_field);
      }
      if (*d.owner.holder == Holder::kAllocatedWorker && !t->effects.allocated_worker_field.empty() &&
          !FieldText(cmd.fields, t->effects.allocated_worker_field).empty()) {
        owner = FieldText(cmd.fields, t->effects.allocated_worker_field);
      }
    } else if (!d.owner.duty.empty()) {
      // A duty held agency by agency goes to the team of the agency the
      // event names; if it has none, nobody would hold the work, so refuse.
      std::string agency;
      if (!d.owner.agency_field.empty()) {
        agency = FieldText(cmd.fields, d.owner.agency_field);
        const std::string path = "fields." + d.owner.agency_field;
        const auto* duty = p.FindDuty(d.owner.duty);
        const std::string what = "the duty '" + d.owner.duty + "'" + (duty ? " (" + duty->label + ")" : "");
        if (agency.empty()) {
          return InvalidArgument(where + ": field '" + d.owner.agency_field + "' must name the agency whose team holds " +
                                 what)
              .WithField(path);
        }
        auto dt = lookup.DutyTeam(fw.id, d.owner.duty, agency);
        if (!dt.ok()) return dt.status();
        if (dt->empty()) {
          return InvalidArgument(where + ": field '" + d.owner.agency_field + "': no team of agency '" + agency +
                                 "' holds " + what + "; name an agency that has one")
              .WithField(path);
        }
        team = *dt;
      } else {
        auto dt = lookup.DutyTeam(fw.id, d.owner.duty, "");
        if (!dt.ok()) return dt.status();
        team = *dt;
      }
    }
    json dl = {{"id", DeadlineId(cmd.child_id, d.deadline, key)},
               {"kind", d.deadline},
               {"label", label},
               {"due_at", due.ToString()},
               {"owner", owner},
               {"team", team}};
    if (!d.owner.duty.empty()) dl["duty"] = d.owner.duty;
    deadlines.push_back(std::move(dl));
  }
  json completes = json::array(), cancels = json::array();
  for (const auto& c : t->completes) {
    if (!c.when.empty() && !Matches(c.when, cmd.fields, state, occurred->date(), cmd.child_id)) continue;
    std::string key = c.key_field.empty() ? "" : FieldText(cmd.fields, c.key_field);
    (c.cancel ? cancels : completes).push_back(DeadlineId(cmd.child_id, c.deadline, key));
  }

  // The member joining the team: their agency comes from the directory.
  std::optional<Lookup::UserFacts> member;
  if (!t->effects.team_add_field.empty()) {
    auto u = lookup.User(FieldText(cmd.fields, t->effects.team_add_field));
    if (!u.ok()) return u.status();
    member = *u;
  }
  json effects = ResolveEffects(t->effects, cmd.fields, member ? &*member : nullptr);
  if (!t->effects.record_kind.empty()) {
    std::string id = t->effects.record_key == Effects::RecordKey::kEpisode ? "episode-" + std::to_string(episode)
                     : t->effects.record_key == Effects::RecordKey::kField
                         ? FieldText(cmd.fields, t->effects.record_key_field)
                         : "";  // the event's own id, once assigned
    effects["record"] = {{"kind", t->effects.record_kind},
                         {"id", id},
                         {"merge", t->effects.record_key == Effects::RecordKey::kField},
                         {"remove", t->event == kPersonRemoved}};
  }
  if (t->event == kPersonAdded) effects["household_add"] = FieldText(cmd.fields, "person_id");
  if (t->event == kPersonRemoved) effects["household_remove"] = FieldText(cmd.fields, "person_id");

  json envelope = {{"format", 2},
                   {"framework", fw.id},
                   {"version", fw.version},
                   {"transition", t->id},
                   {"from", state.state},
                   {"to", to},
                   {"episode", episode},
                   {"closes", p.IsClosed(to) && was_open},
                   {"deadlines", deadlines},
                   {"completes", completes},
                   {"cancels", cancels},
                   {"effects", effects},
                   {"role", cmd.actor.role}};
  if (t->confidential.any()) {
    envelope["confidential"] = {{"author", t->confidential.author}, {"fields", t->confidential.fields}};
  }
  if (!out.warnings.empty()) envelope["warnings"] = out.warnings;
  out.event = BaseEvent(cmd, t->event, t->significance);
  out.event.payload = json{{"fields", cmd.fields}, {"pathway", envelope}}.dump();
  return out;
}

Result<store::Event> PrepareCorrection(const Framework& fw, const store::Event& original, const Command& cmd) {
  CONTINUUM_RETURN_IF_ERROR(CheckActor(cmd));
  if (original.child_id != cmd.child_id) return InvalidArgument("the corrected event belongs to another child");
  if (cmd.reason.find_first_not_of(" \t\r\n") == std::string::npos) {
    return InvalidArgument("a correction needs a reason").WithField("reason");
  }
  if (!cmd.fields.is_object() || cmd.fields.empty()) {
    return InvalidArgument("a correction needs the corrected fields as a JSON object").WithField("fields");
  }
  json payload = json::parse(original.payload, nullptr, false);
  json confidential;
  if (original.type == kChildRegistered) {
    Command probe = cmd;
    json merged = payload["fields"];
    for (auto it = cmd.fields.begin(); it != cmd.fields.end(); ++it) merged[it.key()] = *it;
    probe.fields = merged;
    CONTINUUM_RETURN_IF_ERROR(PrepareRegistration(fw, probe).status());
  } else {
    Envelope env = ReadEnvelope(payload);
    const Transition* t = nullptr;
    for (const auto& h : HouseholdTransitions()) {
      if (h.event == original.type) t = &h;
    }
    if (!t && fw.pathway) t = fw.pathway->FindById(env.transition);
    // An event recorded without its transition's id (pathway format 1): the
    // event's transitions share their fields, so any of them will do.
    if (!t && fw.pathway && env.transition.empty() && !fw.pathway->ForEvent(original.type).empty()) {
      t = fw.pathway->ForEvent(original.type).front();
    }
    if (!t || t->event != original.type) {
      return InvalidArgument("events of type '" + original.type + "' cannot be corrected under " + fw.id + " " +
                             fw.version);
    }
    CONTINUUM_RETURN_IF_ERROR(CheckFields(fw, "correction of '" + original.type + "'", *t, cmd.fields, true));
    // Fields the pathway acted on (the next state, deadlines, who holds the
    // case, consent, the records kept) cannot be changed by a correction:
    // that needs a new event, so that the state follows the log.
    const auto& fx = t->effects;
    std::vector<std::string> acted = {t->to_field,
                                      fx.level_field,
                                      fx.facts_add_field,
                                      fx.facts_end_field,
                                      fx.lead_professional_field,
                                      fx.allocated_worker_field,
                                      fx.team_add_field,
                                      fx.team_remove_field,
                                      fx.consent_agencies_field,
                                      fx.record_key_field};
    for (const auto& d : t->starts) {
      acted.push_back(d.due_field);
      acted.push_back(d.key_field);
      acted.push_back(d.owner.field);
    }
    for (const auto& d : t->completes) acted.push_back(d.key_field);
    for (auto it = cmd.fields.begin(); it != cmd.fields.end(); ++it) {
      if (Contains(acted, it.key())) {
        return InvalidArgument("field '" + it.key() +
                               "' changed the case when it was recorded and cannot be corrected; record a new "
                               "event instead")
            .WithField("fields." + it.key());
      }
    }
    if (env.author_confidential || !env.confidential_fields.empty()) {
      confidential = {{"author", env.author_confidential}, {"fields", env.confidential_fields}};
    }
  }
  store::Event e = BaseEvent(cmd, kRecordCorrected, store::kSignificant);
  e.supersedes = original.id;
  json p = {{"fields", cmd.fields}, {"corrects", original.type}};
  // A correction of a confidential record is as confidential as the record.
  if (!confidential.is_null()) p["confidential"] = confidential;
  e.payload = p.dump();
  return e;
}

Envelope ReadEnvelope(const nlohmann::json& payload) {
  Envelope e;
  if (!payload.is_object()) return e;
  const json* conf = nullptr;
  if (payload.contains("pathway") && payload["pathway"].is_object()) {
    const json& pw = payload["pathway"];
    e.transition = pw.value("transition", "");
    e.from = pw.value("from", "");
    e.to = pw.value("to", "");
    e.episode = pw.value("episode", 0);
    if (pw.contains("confidential")) conf = &pw["confidential"];
    if (pw.contains("warnings") && pw["warnings"].is_array()) {
      for (const auto& w : pw["warnings"])
        if (w.is_string()) e.warnings.push_back(w.get<std::string>());
    }
  }
  if (payload.contains("confidential")) conf = &payload["confidential"];
  if (conf && conf->is_object()) {
    e.author_confidential = conf->value("author", false);
    if (conf->contains("fields") && (*conf)["fields"].is_array()) {
      for (const auto& f : (*conf)["fields"])
        if (f.is_string()) e.confidential_fields.push_back(f.get<std::string>());
    }
  }
  return e;
}

Result<CaseState> LoadCase(store::Store& s, const std::string& child_id) {
  auto row = s.GetRow("entities", {child_id, "case", "current"});
  if (!row.ok()) return row.status();
  if (!*row) return CaseState{};
  json j = json::parse((*row)->Value("data"), nullptr, false);
  if (!j.is_object()) return Internal("case state of '" + child_id + "' is not JSON");
  return CaseState::FromJson(j);
}

}  // namespace continuum::pathway

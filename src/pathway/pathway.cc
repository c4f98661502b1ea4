#include "pathway/pathway.h"

#include <algorithm>
#include <regex>

namespace continuum::pathway {

using framework::FieldSpec;
using framework::FieldType;
using framework::Framework;
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

// A field's value as text for `if:` and `equals` comparisons.
std::optional<std::string> AsText(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  return std::nullopt;
}

bool Matches(const When& w, const json& fields, const CaseState& state) {
  for (const auto& [name, values] : w.fields) {
    auto it = fields.find(name);
    if (it == fields.end()) return false;
    auto text = AsText(*it);
    if (!text || std::find(values.begin(), values.end(), *text) == values.end()) return false;
  }
  if (w.case_level_at_least && state.level < *w.case_level_at_least) return false;
  if (!w.case_facts_any.empty()) {
    bool any = std::any_of(w.case_facts_any.begin(), w.case_facts_any.end(), [&](const std::string& f) {
      return std::find(state.facts.begin(), state.facts.end(), f) != state.facts.end();
    });
    if (!any) return false;
  }
  return true;
}

Status CheckField(const Framework& fw, const std::string& where, const FieldSpec& f, const json& v) {
  auto bad = [&](const std::string& what) {
    return InvalidArgument(where + ": field '" + f.name + "' must be " + what);
  };
  switch (f.type) {
    case FieldType::kText:
      if (!v.is_string() || v.get_ref<const std::string&>().empty()) return bad("non-empty text");
      if (v.get_ref<const std::string&>().size() > kMaxText) return bad("at most 20,000 characters");
      return Status::Ok();
    case FieldType::kId:
      if (!v.is_string() || v.get_ref<const std::string&>().empty() ||
          v.get_ref<const std::string&>().size() > kMaxId) {
        return bad("an id (1 to 128 characters)");
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
      if (!v.is_number_integer()) return bad("a whole number");
      return Status::Ok();
    case FieldType::kLevel:
      if (!v.is_number_integer() || v.get<long long>() < 1 || v.get<long long>() > fw.max_level()) {
        return bad("a level from 1 to " + std::to_string(fw.max_level()));
      }
      return Status::Ok();
    case FieldType::kList:
      if (!v.is_array() || v.size() > kMaxList) return bad("a list of text (at most 200 entries)");
      for (const auto& e : v) {
        if (!e.is_string() || e.get_ref<const std::string&>().empty() ||
            e.get_ref<const std::string&>().size() > kMaxText) {
          return bad("a list of non-empty text");
        }
      }
      return Status::Ok();
    case FieldType::kEnum: {
      auto text = v.is_string() ? v.get<std::string>() : std::string();
      if (std::find(f.values.begin(), f.values.end(), text) == f.values.end()) {
        return bad("one of: " + Join(f.values));
      }
      return Status::Ok();
    }
  }
  return Internal("unknown field type");
}

Status CheckFields(const Framework& fw, const std::string& where, const Transition& t, const json& fields,
                   bool partial) {
  if (!fields.is_object()) return InvalidArgument(where + ": fields must be a JSON object");
  for (auto it = fields.begin(); it != fields.end(); ++it) {
    const FieldSpec* f = t.FindField(it.key());
    if (!f) {
      std::vector<std::string> names;
      for (const auto& x : t.fields) names.push_back(x.name);
      return InvalidArgument(where + ": unknown field '" + it.key() + "'; the fields are: " + Join(names));
    }
    if (it->is_null() && f->optional) continue;
    CONTINUUM_RETURN_IF_ERROR(CheckField(fw, where, *f, *it));
  }
  if (partial) return Status::Ok();
  for (const auto& f : t.fields) {
    if (!f.optional && (!fields.contains(f.name) || fields[f.name].is_null())) {
      return InvalidArgument(where + ": missing required field '" + f.name + "' (" +
                             (f.type == FieldType::kEnum ? "one of: " + Join(f.values)
                                                         : std::string(framework::FieldTypeName(f.type))) +
                             ")");
    }
  }
  return Status::Ok();
}

Result<Timestamp> ParseTime(const std::string& what, const std::string& s) {
  static const std::regex kUtc(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)");
  if (!std::regex_match(s, kUtc)) {
    return InvalidArgument(what + " must be a UTC time written YYYY-MM-DDTHH:MM:SSZ, not '" + s + "'");
  }
  auto t = Timestamp::Parse(s);
  if (!t.ok()) return InvalidArgument(what + ": " + t.status().message());
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
  auto it = fields.find(name);
  if (it == fields.end()) return "";
  return AsText(*it).value_or("");
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
  if (cmd.child_id.empty() || cmd.child_id.size() > kMaxId) return InvalidArgument("child id must be 1 to 128 characters");
  if (cmd.actor.user.empty()) return InvalidArgument("the author (user id) is required");
  if (cmd.actor.agency.empty()) return InvalidArgument("the author's agency is required");
  return ParseTime("occurred_at", cmd.occurred_at).status();
}

// Household and relationships are the same everywhere: they are part of the
// product, not of any authority's pathway, and may be recorded in any state.
const std::vector<Transition>& HouseholdTransitions() {
  static const std::vector<Transition> kTransitions = [] {
    auto field = [](const char* name, FieldType type, bool optional, std::vector<std::string> values = {}) {
      return FieldSpec{name, type, optional, std::move(values)};
    };
    Transition add;
    add.id = "household_add";
    add.event = kPersonAdded;
    add.label = "Person in the child's family or household recorded";
    add.source = "Continuum: family and household";
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
                  field("note", FieldType::kText, true)};
    Transition remove;
    remove.id = "household_remove";
    remove.event = kPersonRemoved;
    remove.label = "Person no longer in the child's household";
    remove.source = "Continuum: family and household";
    remove.from = {"none"};
    remove.from_any = true;
    remove.significance = 1;
    remove.fields = {field("person_id", FieldType::kId, false), field("reason", FieldType::kText, false)};
    return std::vector<Transition>{add, remove};
  }();
  return kTransitions;
}

}  // namespace

nlohmann::json CaseState::ToJson() const {
  return json{{"framework", framework},   {"state", state},
              {"episode", episode},       {"level", level},
              {"facts", facts},           {"lead_professional", lead_professional},
              {"lead_service", lead_service}, {"open_deadlines", open_deadlines}};
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
  s.open_deadlines = j.value("open_deadlines", std::vector<std::string>{});
  return s;
}

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

Result<store::Event> PrepareRegistration(const Framework& fw, const Command& cmd) {
  CONTINUUM_RETURN_IF_ERROR(CheckActor(cmd));
  const json& f = cmd.fields;
  if (!f.is_object()) return InvalidArgument("child details must be a JSON object");
  static const std::vector<std::string> kKnown = {"display_name", "date_of_birth", "nhs_number", "upn",
                                                  "local_id",     "sex",           "ethnicity",  "address",
                                                  "communication_needs", "household"};
  for (auto it = f.begin(); it != f.end(); ++it) {
    if (std::find(kKnown.begin(), kKnown.end(), it.key()) == kKnown.end()) {
      return InvalidArgument("child: unknown field '" + it.key() + "'; the fields are: " + Join(kKnown));
    }
  }
  auto text = [&](const char* k, bool required) -> Status {
    if (!f.contains(k)) return required ? InvalidArgument(std::string("child: missing required field '") + k + "'") : Status::Ok();
    if (!f[k].is_string() || f[k].get_ref<const std::string&>().empty() || f[k].get_ref<const std::string&>().size() > 200) {
      return InvalidArgument(std::string("child: field '") + k + "' must be text of 1 to 200 characters");
    }
    return Status::Ok();
  };
  CONTINUUM_RETURN_IF_ERROR(text("display_name", true));
  CONTINUUM_RETURN_IF_ERROR(text("date_of_birth", true));
  for (const char* k : {"nhs_number", "upn", "local_id", "sex", "ethnicity", "address"}) {
    CONTINUUM_RETURN_IF_ERROR(text(k, false));
  }
  auto dob = Date::Parse(f["date_of_birth"].get<std::string>());
  if (!dob.ok()) return InvalidArgument("child: date_of_birth: " + dob.status().message());
  auto occurred = ParseTime("occurred_at", cmd.occurred_at);
  if (dob->year() < 1990 || *dob > AddDays(occurred->date(), 280)) {
    return InvalidArgument("child: date_of_birth " + dob->ToString() + " is not plausible (from 1990 up to an expected date of birth in the next 40 weeks)");
  }
  if (f.contains("nhs_number") && !ValidNhsNumber(f["nhs_number"].get<std::string>())) {
    return InvalidArgument("child: nhs_number '" + f["nhs_number"].get<std::string>() +
                           "' is not a valid NHS number (10 digits with a modulus-11 check digit)");
  }
  if (f.contains("upn")) {
    static const std::regex kUpn(R"([A-HJ-NP-RT-Z][0-9]{11}[0-9A-HJ-NP-RT-Z])");
    if (!std::regex_match(f["upn"].get<std::string>(), kUpn)) {
      return InvalidArgument("child: upn '" + f["upn"].get<std::string>() + "' is not a unique pupil number (13 characters: a check letter, 11 digits, a digit or letter)");
    }
  }
  for (const char* k : {"communication_needs", "household"}) {
    if (f.contains(k) && !f[k].is_array()) return InvalidArgument(std::string("child: field '") + k + "' must be a list");
  }
  store::Event e = BaseEvent(cmd, kChildRegistered, store::kKey);
  e.payload = json{{"fields", f}, {"framework", {{"id", fw.id}, {"version", fw.version}}}}.dump();
  return e;
}

Result<store::Event> Prepare(const Framework& fw, const HolidayCalendar& calendar, const CaseState& state,
                             const Command& cmd) {
  if (!fw.pathway) return NotFound("framework '" + fw.id + "' has no pathway section");
  const auto& p = *fw.pathway;
  CONTINUUM_RETURN_IF_ERROR(CheckActor(cmd));
  if (!state.registered) {
    return NotFound("child '" + cmd.child_id + "' is not registered; register the child first");
  }
  const Transition* t = p.FindByEvent(cmd.event_type);
  for (const auto& h : HouseholdTransitions()) {
    if (!t && h.event == cmd.event_type) t = &h;
  }
  if (!t) {
    std::vector<std::string> events;
    for (const auto& x : p.transitions) events.push_back(x.event);
    return NotFound("'" + cmd.event_type + "' is not an event of " + fw.id + "'s pathway; the events are: " + Join(events));
  }
  std::string where = "transition '" + t->id + "' (" + t->source + ")";
  bool from_ok = std::find(t->from.begin(), t->from.end(), state.state) != t->from.end() ||
                 (t->from_any && state.state != "none");
  if (!from_ok) {
    const auto* st = p.FindState(state.state);
    return Conflict(where + ": cannot be recorded while the case is '" + state.state + "'" +
                    (st ? " (" + st->label + ")" : "") + "; it may follow: " + Join(t->from));
  }
  const auto& roles = t->roles.empty() ? p.roles : t->roles;  // built-in events: any pathway role
  if (std::find(roles.begin(), roles.end(), cmd.actor.role) == roles.end()) {
    return Forbidden(where + ": the role '" + cmd.actor.role + "' may not record this; roles that may: " + Join(roles));
  }
  CONTINUUM_RETURN_IF_ERROR(CheckFields(fw, where, *t, cmd.fields, false));
  auto occurred = ParseTime("occurred_at", cmd.occurred_at);
  auto division = ParseDivision(p.division);
  if (!division.ok()) return division.status();
  for (const auto& c : t->require) {
    if (!c.when.empty() && !Matches(c.when, cmd.fields, state)) continue;
    auto refuse = [&]() {
      const std::string& field = c.field.empty() ? c.date_field : c.field;
      return InvalidArgument("transition '" + t->id + "' (" + c.source + "): " + c.message +
                             (field.empty() ? "" : " (field '" + field + "')"));
    };
    if (!c.field.empty()) {
      auto it = cmd.fields.find(c.field);
      if (it == cmd.fields.end() || it->is_null()) return refuse();
      if (c.equals && AsText(*it) != c.equals) return refuse();
    }
    if (!c.date_field.empty()) {
      auto it = cmd.fields.find(c.date_field);
      if (it == cmd.fields.end() || it->is_null()) return refuse();
      const auto* ts = fw.FindTimescale(c.timescale);
      Date d = *Date::Parse(it->get<std::string>());
      Date start = occurred->date();
      auto latest = DueAt(*occurred, ts->within.amount, ToDueUnit(ts->within.unit), calendar, *division);
      if (!latest.ok()) return latest.status();
      Date earliest = start;
      if (ts->at_least) {
        auto e = DueAt(*occurred, ts->at_least->amount, ToDueUnit(ts->at_least->unit), calendar, *division);
        if (!e.ok()) return e.status();
        earliest = e->date();
      }
      if (d < earliest || d > latest->date()) {
        return InvalidArgument("transition '" + t->id + "' (" + c.source + "): " + c.message + " — " + c.date_field +
                               " " + d.ToString() + " is outside " + earliest.ToString() + " to " +
                               latest->date().ToString());
      }
    }
  }

  std::string to = t->to;
  if (!t->to_field.empty()) to = t->to_map.at(FieldText(cmd.fields, t->to_field));
  if (to.empty()) to = state.state;
  // Leaving "none" or a closed state for an open one starts a new episode.
  bool was_open = state.state != "none" && !p.IsClosed(state.state);
  bool now_open = to != "none" && !p.IsClosed(to);
  int episode = !was_open && now_open ? state.episode + 1 : state.episode;

  json deadlines = json::array();
  for (const auto& d : t->starts) {
    if (!d.when.empty() && !Matches(d.when, cmd.fields, state)) continue;
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
    std::string owner = !d.owner_field.empty() && !FieldText(cmd.fields, d.owner_field).empty()
                            ? FieldText(cmd.fields, d.owner_field)
                            : (d.owner_role.empty() ? cmd.actor.user : "");
    deadlines.push_back({{"id", DeadlineId(cmd.child_id, d.deadline, key)},
                         {"kind", d.deadline},
                         {"label", label},
                         {"due_at", due.ToString()},
                         {"owner", owner},
                         {"team", d.owner_role},
                         {"agency", cmd.actor.agency}});
  }
  json completes = json::array();
  for (const auto& c : t->completes) {
    if (!c.when.empty() && !Matches(c.when, cmd.fields, state)) continue;
    std::string key = c.key_field.empty() ? "" : FieldText(cmd.fields, c.key_field);
    completes.push_back(DeadlineId(cmd.child_id, c.deadline, key));
  }

  store::Event e = BaseEvent(cmd, t->event, t->significance);
  e.payload = json{{"fields", cmd.fields},
                   {"pathway",
                    {{"framework", fw.id},
                     {"version", fw.version},
                     {"transition", t->id},
                     {"from", state.state},
                     {"to", to},
                     {"episode", episode},
                     {"closes", p.IsClosed(to) && !p.IsClosed(state.state)},
                     {"deadlines", deadlines},
                     {"completes", completes},
                     {"role", cmd.actor.role}}}}
                  .dump();
  return e;
}

Result<store::Event> PrepareCorrection(const Framework& fw, const store::Event& original, const Command& cmd) {
  CONTINUUM_RETURN_IF_ERROR(CheckActor(cmd));
  if (original.child_id != cmd.child_id) return InvalidArgument("the corrected event belongs to another child");
  if (cmd.reason.empty()) return InvalidArgument("a correction needs a reason");
  if (!cmd.fields.is_object() || cmd.fields.empty()) {
    return InvalidArgument("a correction needs the corrected fields as a JSON object");
  }
  json payload = json::parse(original.payload, nullptr, false);
  if (original.type == kChildRegistered) {
    Command probe = cmd;
    json merged = payload["fields"];
    for (auto it = cmd.fields.begin(); it != cmd.fields.end(); ++it) merged[it.key()] = *it;
    probe.fields = merged;
    CONTINUUM_RETURN_IF_ERROR(PrepareRegistration(fw, probe).status());
  } else {
    const Transition* t = fw.pathway ? fw.pathway->FindByEvent(original.type) : nullptr;
    for (const auto& h : HouseholdTransitions()) {
      if (!t && h.event == original.type) t = &h;
    }
    if (!t) return InvalidArgument("events of type '" + original.type + "' cannot be corrected");
    CONTINUUM_RETURN_IF_ERROR(CheckFields(fw, "correction of '" + original.type + "'", *t, cmd.fields, true));
    if (!t->to_field.empty() && cmd.fields.contains(t->to_field)) {
      return InvalidArgument("field '" + t->to_field + "' decides the pathway and cannot be corrected; record a new event instead");
    }
  }
  store::Event e = BaseEvent(cmd, kRecordCorrected, store::kSignificant);
  e.supersedes = original.id;
  e.payload = json{{"fields", cmd.fields}, {"corrects", original.type}}.dump();
  return e;
}

// ---- projection -------------------------------------------------------------

namespace {

store::Row EntityRow(const std::string& child, const std::string& kind, const std::string& id, const json& data) {
  return store::Row{"entities",
                    {{"child_id", child}, {"kind", kind}, {"entity_id", id}, {"data", data.dump()}},
                    3};
}

Result<std::optional<json>> ReadEntity(store::StateReader& r, const std::string& child, const std::string& kind,
                                       const std::string& id) {
  auto row = r.Get("entities", {child, kind, id});
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<json>();
  for (const auto& [col, val] : (*row)->columns) {
    if (col == "data" && val) return std::optional<json>(json::parse(*val, nullptr, false));
  }
  return std::optional<json>();
}

std::string Col(const store::Row& row, const std::string& name) { return row.Value(name); }

std::optional<std::string> NonEmpty(const std::string& v) {
  return v.empty() ? std::nullopt : std::optional<std::string>(v);
}

store::Row DeadlineRow(const std::string& child, const json& d, const std::string& status, const std::string& source) {
  return store::Row{"deadlines",
                    {{"deadline_id", d.value("id", "")},
                     {"child_id", child},
                     {"kind", d.value("kind", "")},
                     {"label", NonEmpty(d.value("label", ""))},
                     {"due_at", d.value("due_at", "")},
                     {"owner", NonEmpty(d.value("owner", ""))},
                     {"team", NonEmpty(d.value("team", ""))},
                     {"agency", NonEmpty(d.value("agency", ""))},
                     {"status", status},
                     {"source_event", NonEmpty(source)}},
                    1};
}

}  // namespace

Status Project(const store::Event& e, store::StateReader& reader, std::vector<store::Row>* rows) {
  // The audit trail shares the log but changes no case state.
  if (e.type.rfind(store::kAuditPrefix, 0) == 0) return Status::Ok();
  json payload = json::parse(e.payload, nullptr, false);
  if (!payload.is_object()) return InvalidArgument("event payload is not a JSON object");
  const json fields = payload.value("fields", json::object());
  auto current = ReadEntity(reader, e.child_id, "case", "current");
  if (!current.ok()) return current.status();

  if (e.type == kChildRegistered) {
    CaseState state = *current ? CaseState::FromJson(**current) : CaseState{};
    if (*current) return Conflict("child '" + e.child_id + "' is already registered");
    state.registered = true;
    state.framework = payload["framework"].value("id", "");
    rows->push_back(store::Row{"children",
                               {{"child_id", e.child_id},
                                {"display_name", fields.value("display_name", "")},
                                {"date_of_birth", fields.value("date_of_birth", "")},
                                {"nhs_number", fields.contains("nhs_number") ? std::optional<std::string>(fields["nhs_number"].get<std::string>()) : std::nullopt},
                                {"upn", fields.contains("upn") ? std::optional<std::string>(fields["upn"].get<std::string>()) : std::nullopt},
                                {"local_id", fields.contains("local_id") ? std::optional<std::string>(fields["local_id"].get<std::string>()) : std::nullopt},
                                {"framework_id", state.framework},
                                {"data", fields.dump()}},
                               1});
    rows->push_back(EntityRow(e.child_id, "case", "current", state.ToJson()));
    return Status::Ok();
  }
  if (!*current) return NotFound("child '" + e.child_id + "' is not registered");
  CaseState state = CaseState::FromJson(**current);

  if (e.type == kRecordCorrected) {
    // The corrected values are kept beside the original; the chronology
    // shows both. Person details are current state, so they update.
    if (payload.value("corrects", "") == kChildRegistered) {
      auto child = reader.Get("children", {e.child_id});
      if (!child.ok()) return child.status();
      if (!*child) return NotFound("child row missing");
      json data = json::parse(Col(**child, "data"), nullptr, false);
      for (auto it = fields.begin(); it != fields.end(); ++it) data[it.key()] = *it;
      store::Row row{"children", {{"child_id", e.child_id}, {"data", data.dump()}}, 1};
      for (const char* c : {"display_name", "date_of_birth", "nhs_number", "upn", "local_id"}) {
        if (fields.contains(c) && fields[c].is_string()) row.columns.emplace_back(c, fields[c].get<std::string>());
      }
      rows->push_back(std::move(row));
    }
    rows->push_back(EntityRow(e.child_id, "correction", e.id,
                              json{{"supersedes", e.supersedes}, {"reason", e.reason}, {"fields", fields}}));
    return Status::Ok();
  }

  if (!payload.contains("pathway")) return InvalidArgument("event '" + e.type + "' has no pathway envelope");
  const json& pw = payload["pathway"];
  std::string from = pw.value("from", "");
  if (from != state.state) {
    return Conflict("the case changed while this was being recorded (it is now '" + state.state +
                    "', not '" + from + "'); reload it and try again");
  }
  state.state = pw.value("to", state.state);
  state.episode = pw.value("episode", state.episode);

  // Deadlines met by this event. (Whether on time is read from the log:
  // the completing event's time against due_at.)
  auto set_status = [&](const std::string& id, const char* status) {
    rows->push_back(store::Row{"deadlines", {{"deadline_id", id}, {"status", std::string(status)}}, 1});
  };
  for (const auto& id : pw.value("completes", json::array())) {
    auto d = reader.Get("deadlines", {id.get<std::string>()});
    if (!d.ok()) return d.status();
    if (!*d || Col(**d, "status") != "open") continue;
    set_status(id.get<std::string>(), "done");
    auto& open = state.open_deadlines;
    open.erase(std::remove(open.begin(), open.end(), id.get<std::string>()), open.end());
  }
  // Closing an episode cancels what is still open.
  if (pw.value("closes", false)) {
    for (const auto& id : state.open_deadlines) set_status(id, "cancelled");
    state.open_deadlines.clear();
  }
  for (const auto& d : pw.value("deadlines", json::array())) {
    rows->push_back(DeadlineRow(e.child_id, d, "open", e.id));
    std::string id = d.value("id", "");
    if (std::find(state.open_deadlines.begin(), state.open_deadlines.end(), id) == state.open_deadlines.end()) {
      state.open_deadlines.push_back(id);
    }
  }

  // Current-state entities a practitioner reads most.
  const std::string ep = "episode-" + std::to_string(state.episode);
  json record = json{{"event", e.id}, {"occurred_at", e.occurred_at}, {"author", e.author},
                     {"agency", e.agency}, {"fields", fields}};
  const std::string& t = e.type;
  if (t == "level.decided") {
    state.level = fields.value("decided_level", state.level);
    if (fields.contains("facts")) state.facts = fields["facts"].get<std::vector<std::string>>();
    record["override"] = fields.value("decided_level", 0) != fields.value("suggested_level", 0);
    rows->push_back(EntityRow(e.child_id, "level_decision", e.id, record));
  } else if (t == "request.decided") {
    state.level = fields.value("level", state.level);
    rows->push_back(EntityRow(e.child_id, "request", ep, record));
  } else if (t.rfind("consent.", 0) == 0) {
    record["type"] = t;  // given, withdrawn or overridden: the access policy reads it
    rows->push_back(EntityRow(e.child_id, "consent", e.id, record));
  } else if (t == "assessment.started" || t == "assessment.completed") {
    rows->push_back(EntityRow(e.child_id, "assessment", ep, record));
  } else if (t == "plan.agreed" || t == "step_down.final_meeting") {
    if (fields.contains("lead_professional")) state.lead_professional = fields["lead_professional"].get<std::string>();
    rows->push_back(EntityRow(e.child_id, "plan", ep, record));
  } else if (t == "action.added" || t == "action.updated") {
    std::string id = fields.value("action_id", "");
    auto existing = ReadEntity(reader, e.child_id, "action", id);
    if (!existing.ok()) return existing.status();
    json action = *existing ? **existing : json::object();
    for (auto it = fields.begin(); it != fields.end(); ++it) action[it.key()] = *it;
    if (!action.contains("status")) action["status"] = "not_started";
    action["updated_by"] = e.author;
    rows->push_back(EntityRow(e.child_id, "action", id, action));
  } else if (t == "team.member_added") {
    rows->push_back(EntityRow(e.child_id, "team_member", fields.value("member", ""), record));
  } else if (t == "team.member_left") {
    store::Row r = EntityRow(e.child_id, "team_member", fields.value("member", ""), record);
    r.remove = true;
    rows->push_back(std::move(r));
  } else if (t == "lead_professional.assigned") {
    state.lead_professional = fields.value("lead_professional", "");
    state.lead_service = fields.value("service", "");
  } else if (t == "review.held") {
    rows->push_back(EntityRow(e.child_id, "review", e.id, record));
  } else if (t == "escalation.raised" || t == "escalation.resolved") {
    rows->push_back(EntityRow(e.child_id, "escalation", e.id, record));
  } else if (t == kPersonAdded) {
    rows->push_back(EntityRow(e.child_id, "person", fields.value("person_id", ""), record));
  } else if (t == kPersonRemoved) {
    store::Row r = EntityRow(e.child_id, "person", fields.value("person_id", ""), record);
    r.remove = true;
    rows->push_back(std::move(r));
  } else if (t == "case.closed") {
    rows->push_back(EntityRow(e.child_id, "closure", ep, record));
  }
  rows->push_back(EntityRow(e.child_id, "case", "current", state.ToJson()));
  return Status::Ok();
}

Result<CaseState> LoadCase(store::Store& s, const std::string& child_id) {
  auto row = s.GetRow("entities", {child_id, "case", "current"});
  if (!row.ok()) return row.status();
  if (!*row) return CaseState{};
  json j = json::parse(Col(**row, "data"), nullptr, false);
  if (!j.is_object()) return Internal("case state of '" + child_id + "' is not JSON");
  return CaseState::FromJson(j);
}

}  // namespace continuum::pathway

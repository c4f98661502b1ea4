// The projector: stored events into current-state rows, from each event's
// own envelope (its resolved effects), never from a framework file.
#include <algorithm>

#include "pathway/engine.h"

namespace continuum::pathway {

using nlohmann::json;

namespace {

store::Row EntityRow(const std::string& child, const std::string& kind, const std::string& id, const json& data) {
  return store::Row{"entities",
                    {{"child_id", child}, {"kind", kind}, {"entity_id", id}, {"data", data.dump()}},
                    3};
}

store::Row RemoveEntity(const std::string& child, const std::string& kind, const std::string& id) {
  store::Row r = EntityRow(child, kind, id, json::object());
  r.remove = true;
  return r;
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
                     {"agency", std::nullopt},
                     {"status", status},
                     {"source_event", NonEmpty(source)}},
                    1};
}

void Erase(std::vector<std::string>* v, const std::string& x) { v->erase(std::remove(v->begin(), v->end(), x), v->end()); }
void Insert(std::vector<std::string>* v, const std::string& x) {
  if (!x.empty() && std::find(v->begin(), v->end(), x) == v->end()) v->push_back(x);
}

std::vector<std::string> Strings(const json& j) {
  std::vector<std::string> out;
  if (j.is_array())
    for (const auto& x : j)
      if (x.is_string()) out.push_back(x.get<std::string>());
  return out;
}

Status ProjectRegistration(const store::Event& e, const json& payload, const json& fields, bool exists,
                           std::vector<store::Row>* rows) {
  if (exists) return Conflict("child '" + e.child_id + "' is already registered");
  CaseState state;
  state.registered = true;
  state.framework = payload["framework"].value("id", "");
  state.date_of_birth = fields.value("date_of_birth", "");
  if (fields.contains("communication_needs")) state.communication_needs = fields["communication_needs"];
  auto opt = [&](const char* k) {
    return fields.contains(k) && fields[k].is_string() ? std::optional<std::string>(fields[k].get<std::string>())
                                                       : std::nullopt;
  };
  rows->push_back(store::Row{"children",
                             {{"child_id", e.child_id},
                              {"display_name", fields.value("display_name", "")},
                              {"date_of_birth", fields.value("date_of_birth", "")},
                              {"nhs_number", opt("nhs_number")},
                              {"upn", opt("upn")},
                              {"local_id", opt("local_id")},
                              {"framework_id", state.framework},
                              {"data", fields.dump()}},
                             1});
  rows->push_back(EntityRow(e.child_id, "case", "current", state.ToJson()));
  return Status::Ok();
}

Status ProjectCorrection(const store::Event& e, const json& payload, const json& fields, CaseState* state,
                         store::StateReader& reader, std::vector<store::Row>* rows) {
  // The corrected values are kept beside the original; the chronology shows
  // both. Person details are current state, so they update.
  if (payload.value("corrects", "") == kChildRegistered) {
    auto child = reader.Get("children", {e.child_id});
    if (!child.ok()) return child.status();
    if (!*child) return NotFound("child row missing");
    json data = json::parse((*child)->Value("data"), nullptr, false);
    for (auto it = fields.begin(); it != fields.end(); ++it) data[it.key()] = *it;
    store::Row row{"children", {{"child_id", e.child_id}, {"data", data.dump()}}, 1};
    for (const char* c : {"display_name", "date_of_birth", "nhs_number", "upn", "local_id"}) {
      if (fields.contains(c) && fields[c].is_string()) row.columns.emplace_back(c, fields[c].get<std::string>());
    }
    rows->push_back(std::move(row));
    if (fields.contains("communication_needs") || fields.contains("date_of_birth")) {
      if (fields.contains("communication_needs")) state->communication_needs = fields["communication_needs"];
      if (fields.contains("date_of_birth") && fields["date_of_birth"].is_string()) {
        state->date_of_birth = fields["date_of_birth"].get<std::string>();
      }
      rows->push_back(EntityRow(e.child_id, "case", "current", state->ToJson()));
    }
  }
  json record = {{"event", e.id},     {"occurred_at", e.occurred_at}, {"author", e.author}, {"agency", e.agency},
                 {"supersedes", e.supersedes}, {"reason", e.reason}, {"fields", fields}};
  // A correction of a confidential record is read as the record is.
  if (payload.contains("confidential")) record["confidential"] = payload["confidential"];
  rows->push_back(EntityRow(e.child_id, "correction", e.id, record));
  return Status::Ok();
}

}  // namespace

Status Project(const store::Event& e, store::StateReader& reader, std::vector<store::Row>* rows) {
  // The audit trail and the directory's history share the log but change no
  // case state.
  if (e.type.rfind(store::kAuditPrefix, 0) == 0 || e.type.rfind("directory.", 0) == 0) return Status::Ok();
  json payload = json::parse(e.payload, nullptr, false);
  if (!payload.is_object()) return InvalidArgument("event payload is not a JSON object");
  const json fields = payload.value("fields", json::object());
  auto current = ReadEntity(reader, e.child_id, "case", "current");
  if (!current.ok()) return current.status();

  if (e.type == kChildRegistered) return ProjectRegistration(e, payload, fields, current->has_value(), rows);
  if (!*current) return NotFound("child '" + e.child_id + "' is not registered");
  CaseState state = CaseState::FromJson(**current);
  if (e.type == kRecordCorrected) return ProjectCorrection(e, payload, fields, &state, reader, rows);

  if (!payload.contains("pathway")) return InvalidArgument("event '" + e.type + "' has no pathway envelope");
  const json& pw = payload["pathway"];
  std::string from = pw.value("from", "");
  if (from != state.state) {
    return Conflict("the case changed while this was being recorded (it is now '" + state.state +
                    "', not '" + from + "'); reload it and try again");
  }
  state.state = pw.value("to", state.state);
  // A new episode starts with no records of its own.
  if (pw.value("episode", state.episode) != state.episode) state.episode_records.clear();
  state.episode = pw.value("episode", state.episode);

  // Deadlines met (or no longer needed). Whether on time is read from the
  // log: the completing event's time against due_at.
  auto set_status = [&](const std::string& id, const char* status) {
    rows->push_back(store::Row{"deadlines", {{"deadline_id", id}, {"status", std::string(status)}}, 1});
    Erase(&state.open_deadlines, id);
    Erase(&state.duty_deadlines, id);
  };
  for (const char* list : {"completes", "cancels"}) {
    for (const auto& id : pw.value(list, json::array())) {
      if (!id.is_string()) continue;
      auto d = reader.Get("deadlines", {id.get<std::string>()});
      if (!d.ok()) return d.status();
      if (!*d || (*d)->Value("status") != "open") continue;
      set_status(id.get<std::string>(), std::string_view(list) == "completes" ? "done" : "cancelled");
    }
  }
  // Closing an episode cancels what is still open, and ends its team
  // around the child: a closed case is read again only through a new
  // relationship (a new request, allocation or team) or oversight.
  if (pw.value("closes", false)) {
    for (const auto& id : std::vector<std::string>(state.open_deadlines)) set_status(id, "cancelled");
    state.duty_team.clear();
    for (const auto& member : state.team) rows->push_back(RemoveEntity(e.child_id, "team_member", member));
    state.team.clear();
    state.team_agencies.clear();
  }
  for (const auto& d : pw.value("deadlines", json::array())) {
    rows->push_back(DeadlineRow(e.child_id, d, "open", e.id));
    std::string id = d.value("id", "");
    Insert(&state.open_deadlines, id);
    if (d.contains("duty")) {
      Insert(&state.duty_deadlines, id);
      if (!d.value("team", "").empty()) state.duty_team = d.value("team", "");
    }
  }

  // The effects the transition declared, resolved when it was recorded.
  const json fx = pw.value("effects", json::object());
  json record = json{{"event", e.id}, {"occurred_at", e.occurred_at}, {"author", e.author},
                     {"agency", e.agency}, {"type", e.type}, {"fields", fields}};
  // Readers withhold what the event's transition declared confidential.
  if (pw.contains("confidential")) record["confidential"] = pw["confidential"];
  if (fx.contains("level") && fx["level"].is_number_integer()) state.level = fx["level"].get<int>();
  for (const auto& f : Strings(fx.value("facts_add", json::array()))) Insert(&state.facts, f);
  for (const auto& f : Strings(fx.value("facts_end", json::array()))) Erase(&state.facts, f);
  if (fx.contains("lead_professional")) {
    const json& lp = fx["lead_professional"];
    state.lead_professional = lp.is_object() ? lp.value("user", "") : "";
    state.lead_service = lp.is_object() ? lp.value("service", "") : "";
  }
  if (fx.contains("allocated_worker")) {
    state.allocated_worker = fx["allocated_worker"].is_string() ? fx["allocated_worker"].get<std::string>() : "";
  }
  if (fx.contains("team_add") && fx["team_add"].is_object()) {
    const json& m = fx["team_add"];
    std::string member = m.value("member", "");
    auto at = std::find(state.team.begin(), state.team.end(), member);
    if (at == state.team.end()) {
      state.team.push_back(member);
      state.team_agencies.push_back(m.value("agency", ""));
    } else {
      state.team_agencies[at - state.team.begin()] = m.value("agency", "");
    }
    json entry = record;
    entry["member"] = member;
    entry["member_agency"] = m.value("agency", "");
    entry["role"] = m.value("role", "");
    rows->push_back(EntityRow(e.child_id, "team_member", member, entry));
  }
  if (fx.contains("team_remove") && fx["team_remove"].is_string()) {
    std::string member = fx["team_remove"].get<std::string>();
    auto at = std::find(state.team.begin(), state.team.end(), member);
    if (at != state.team.end()) {
      state.team_agencies.erase(state.team_agencies.begin() + (at - state.team.begin()));
      state.team.erase(at);
    }
    rows->push_back(RemoveEntity(e.child_id, "team_member", member));
  }
  if (fx.contains("consent") && fx["consent"].is_object()) {
    json entry = record;
    entry["kind"] = fx["consent"].value("kind", "");
    entry["agencies"] = fx["consent"].value("agencies", json::array());
    entry["seq"] = e.seq;
    rows->push_back(EntityRow(e.child_id, "consent", e.id, entry));
    const std::string kind = fx["consent"].value("kind", "");
    if (kind == "given" || kind == "overridden") state.consent = true;
    if (kind == "withdrawn" || kind == "refused") state.consent = false;
  }
  if (fx.contains("communication_needs")) state.communication_needs = fx["communication_needs"];
  if (fx.contains("household_add") && fx["household_add"].is_string()) {
    Insert(&state.people, fx["household_add"].get<std::string>());
  }
  if (fx.contains("household_remove") && fx["household_remove"].is_string()) {
    Erase(&state.people, fx["household_remove"].get<std::string>());
  }
  if (fx.contains("record") && fx["record"].is_object()) {
    const json& r = fx["record"];
    std::string kind = r.value("kind", "");
    std::string id = r.value("id", "");
    if (id.empty()) id = e.id;
    if (!r.value("remove", false)) Insert(&state.episode_records, kind);
    if (r.value("remove", false)) {
      rows->push_back(RemoveEntity(e.child_id, kind, id));
    } else if (r.value("merge", false)) {
      // One record per key, each event adding to it (an action and its progress).
      auto existing = ReadEntity(reader, e.child_id, kind, id);
      if (!existing.ok()) return existing.status();
      json merged = *existing && (**existing).is_object() ? **existing : record;
      json mf = merged.value("fields", json::object());
      for (auto it = fields.begin(); it != fields.end(); ++it) mf[it.key()] = *it;
      merged["fields"] = mf;
      merged["updated_event"] = e.id;
      merged["updated_at"] = e.occurred_at;
      merged["updated_by"] = e.author;
      rows->push_back(EntityRow(e.child_id, kind, id, merged));
    } else {
      rows->push_back(EntityRow(e.child_id, kind, id, record));
    }
  }
  rows->push_back(EntityRow(e.child_id, "case", "current", state.ToJson()));
  return Status::Ok();
}

}  // namespace continuum::pathway

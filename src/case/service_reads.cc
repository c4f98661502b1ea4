// The case service's reads: a child's summary, chronology, people and
// export; and the lists across children (search, due, audit, alerts, report).
#include <algorithm>
#include <map>

#include "case/service.h"
#include "case/service_internal.h"

namespace continuum::casework {

using access::Action;
using internal::ChildContext;
using internal::json;

namespace {

// A query's time bound: a date (its midnight) or a UTC time, or "".
Status CheckBound(const std::string& name, const std::string& v) {
  if (v.empty()) return Status::Ok();
  if (v.size() == 10 ? Date::Parse(v).ok() : Timestamp::Parse(v).ok()) return Status::Ok();
  return InvalidArgument(name + ": '" + v + "' is not a date (YYYY-MM-DD) or a UTC time (YYYY-MM-DDTHH:MM:SSZ)")
      .WithField(name);
}

ojson Parse(const std::string& text) {
  ojson j = ojson::parse(text, nullptr, false);
  return j.is_discarded() ? ojson() : j;
}

}  // namespace

Result<ojson> Service::Summary(const Caller& c, const std::string& child, Timestamp now) {
  auto ctx = impl_->Load(c, child);
  if (!ctx.ok()) return ctx.status();
  auto basis = impl_->Gate(c, {Action::kReadCase}, &*ctx, now);
  if (!basis.ok()) return basis.status();
  const auto& st = ctx->state;
  std::string label = st.state;
  std::string level_name;
  if (ctx->fw && ctx->fw->pathway) {
    if (const auto* s = ctx->fw->pathway->FindState(st.state)) label = s->label;
  }
  if (ctx->fw && st.level >= 1 && st.level <= ctx->fw->max_level()) level_name = ctx->fw->level(st.level).name;
  ojson out;
  out["child_id"] = ctx->id;
  out["details"] = Parse(ctx->child.Value("data"));
  out["framework"] = ctx->child.Value("framework_id");
  out["case"] = ojson{{"state", st.state},
                      {"state_label", label},
                      {"episode", st.episode},
                      {"level", st.level},
                      {"level_name", level_name},
                      {"facts", st.facts},
                      {"lead_professional", st.lead_professional},
                      {"lead_service", st.lead_service},
                      {"allocated_worker", st.allocated_worker},
                      {"team", st.team},
                      {"duty_team", st.duty_team},
                      {"communication_needs", Parse(st.communication_needs.dump())}};
  out["access"] = ojson{{"relationship", access::RelationshipName(ctx->subject.relationship)},
                        {"consent", access::ConsentName(ctx->subject.consent)},
                        {"basis", *basis}};
  ojson records = ojson::object();
  for (const auto& r : ctx->entities) {
    std::string kind = r.Value("kind");
    if (kind == "case") continue;
    json data = json::parse(r.Value("data"), nullptr, false);
    records[kind][r.Value("entity_id")] = impl_->RecordForReader(c, data);
  }
  out["records"] = records;
  ojson deadlines = ojson::array();
  const std::string t = now.ToString();
  for (const auto& r : ctx->deadlines) {
    if (r.Value("status") != "open") continue;
    deadlines.push_back({{"deadline_id", r.Value("deadline_id")},
                         {"kind", r.Value("kind")},
                         {"label", r.Value("label")},
                         {"due_at", r.Value("due_at")},
                         {"owner", r.Value("owner")},
                         {"team", r.Value("team")},
                         {"overdue", r.Value("due_at") < t}});
  }
  out["deadlines"] = deadlines;
  CONTINUUM_RETURN_IF_ERROR(impl_->AuditRead(c, ctx->id, Action::kReadCase, *basis, now, {{"view", "summary"}}));
  return out;
}

Result<ojson> Service::Chronology(const Caller& c, const ChronologyRequest& r, Timestamp now) {
  auto ctx = impl_->Load(c, r.child);
  if (!ctx.ok()) return ctx.status();
  auto basis = impl_->Gate(c, {Action::kReadCase}, &*ctx, now);
  if (!basis.ok()) return basis.status();
  CONTINUUM_RETURN_IF_ERROR(CheckBound("from", r.from));
  CONTINUUM_RETURN_IF_ERROR(CheckBound("to", r.to));
  store::ChronologyQuery q;
  q.child_id = ctx->id;
  q.from = r.from;
  q.to = r.to;
  q.types = r.types;
  q.agencies = r.agencies;
  q.min_significance = r.min_significance;
  q.limit = r.limit;
  for (const auto& t : q.types) {
    if (t.rfind(store::kAuditPrefix, 0) == 0 || t.rfind("directory.", 0) == 0) {
      return InvalidArgument("types: the audit trail is not part of the chronology").WithField("types");
    }
  }
  if (r.min_significance < 0 || r.min_significance > 2) {
    return InvalidArgument("min_significance: 0, 1 or 2").WithField("min_significance");
  }
  auto events = impl_->store.Chronology(q);
  if (!events.ok()) return events.status();
  ojson list = ojson::array();
  for (const auto& e : *events) {
    // Filtering by agency must not find the author of a confidential record.
    ojson entry = impl_->EventForReader(c, e);
    if (!r.agencies.empty() && entry["agency"] == "withheld") continue;
    list.push_back(std::move(entry));
  }
  CONTINUUM_RETURN_IF_ERROR(impl_->AuditRead(c, ctx->id, Action::kReadCase, *basis, now, {{"view", "chronology"}}));
  return ojson{{"child_id", ctx->id}, {"events", list}};
}

Result<ojson> Service::People(const Caller& c, const std::string& child, Timestamp now) {
  auto ctx = impl_->Load(c, child);
  if (!ctx.ok()) return ctx.status();
  auto basis = impl_->Gate(c, {Action::kReadCase}, &*ctx, now);
  if (!basis.ok()) return basis.status();
  ojson people = ojson::array();
  for (const auto& r : ctx->entities) {
    if (r.Value("kind") != "person") continue;
    ojson rec = Parse(r.Value("data"));
    people.push_back(rec.is_object() && rec.contains("fields") ? rec["fields"] : ojson::object());
  }
  CONTINUUM_RETURN_IF_ERROR(impl_->AuditRead(c, ctx->id, Action::kReadCase, *basis, now, {{"view", "people"}}));
  return ojson{{"child_id", ctx->id}, {"people", people}};
}

Result<ojson> Service::Export(const Caller& c, const std::string& child, Timestamp now) {
  auto ctx = impl_->Load(c, child);
  if (!ctx.ok()) return ctx.status();
  auto basis = impl_->Gate(c, {Action::kExportCase}, &*ctx, now);
  if (!basis.ok()) return basis.status();
  store::ChronologyQuery q;
  q.child_id = ctx->id;
  auto events = impl_->store.Chronology(q);
  if (!events.ok()) return events.status();
  store::AuditQuery aq;
  aq.child_id = ctx->id;
  aq.limit = 0;
  auto audit = impl_->store.Audit(aq);
  if (!audit.ok()) return audit.status();
  ojson out;
  out["child_id"] = ctx->id;
  out["exported_at"] = now.ToString();
  out["exported_by"] = c.principal.user_id;
  out["details"] = Parse(ctx->child.Value("data"));
  out["framework"] = ctx->child.Value("framework_id");
  out["case"] = Parse(ctx->state.ToJson().dump());
  ojson ev = ojson::array();
  for (const auto& e : *events) {
    ojson entry = impl_->EventForReader(c, e);
    // The transition's words, for the family's copy.
    if (ctx->fw && ctx->fw->pathway && entry.contains("transition")) {
      if (const auto* t = ctx->fw->pathway->FindById(entry["transition"].get<std::string>())) entry["label"] = t->label;
    }
    ev.push_back(std::move(entry));
  }
  out["events"] = ev;
  ojson acc = ojson::array();
  for (const auto& e : *audit) {
    ojson p = Parse(e.payload);
    acc.push_back({{"at", e.recorded_at},
                   {"type", e.type},
                   {"user", e.author},
                   {"agency", e.agency},
                   {"outcome", p.is_object() ? p.value("outcome", "") : ""}});
  }
  out["access_log"] = acc;
  CONTINUUM_RETURN_IF_ERROR(impl_->AuditRead(c, ctx->id, Action::kExportCase, *basis, now));
  return out;
}

Result<ojson> Service::ChildAudit(const Caller& c, const std::string& child, Timestamp now) {
  auto ctx = impl_->Load(c, child);
  if (!ctx.ok()) return ctx.status();
  auto basis = impl_->Gate(c, {Action::kReadChildAudit}, &*ctx, now);
  if (!basis.ok()) return basis.status();
  store::AuditQuery q;
  q.child_id = ctx->id;
  q.limit = 10000;
  auto records = impl_->store.Audit(q);
  if (!records.ok()) return records.status();
  ojson list = ojson::array();
  for (const auto& e : *records) {
    list.push_back({{"seq", e.seq},
                    {"type", e.type},
                    {"at", e.recorded_at},
                    {"user", e.author},
                    {"agency", e.agency},
                    {"detail", Parse(e.payload)}});
  }
  CONTINUUM_RETURN_IF_ERROR(impl_->Append({impl_->AuditEvent(c, "audit_read", ctx->id, Action::kReadChildAudit,
                                                             {{"outcome", "allowed"}, {"basis", *basis}}, now)})
                                .status());
  return ojson{{"child_id", ctx->id}, {"records", list}};
}

// ---- across children ------------------------------------------------------------------

Result<ojson> Service::Search(const Caller& c, const std::string& text, Timestamp now) {
  auto basis = impl_->Gate(c, {Action::kSearchChildren}, nullptr, now);
  if (!basis.ok()) return basis.status();
  if (text.size() < 2 || text.size() > 200) {
    return InvalidArgument("q: give 2 to 200 characters to search for").WithField("q");
  }
  auto rows = impl_->store.SearchChildren(text, 200);
  if (!rows.ok()) return rows.status();
  ojson results = ojson::array();
  std::vector<std::string> ids;
  for (const auto& r : *rows) {
    auto ctx = impl_->Load(c, r.Value("child_id"));
    if (!ctx.ok()) return ctx.status();
    if (!impl_->MayRead(c, *ctx, now)) continue;
    ids.push_back(ctx->id);
    results.push_back({{"child_id", ctx->id},
                       {"display_name", r.Value("display_name")},
                       {"date_of_birth", r.Value("date_of_birth")},
                       {"framework", r.Value("framework_id")},
                       {"state", ctx->state.state},
                       {"relationship", access::RelationshipName(ctx->subject.relationship)}});
    if (results.size() >= 50) break;
  }
  auto a = impl_->Append({impl_->AuditEvent(c, "search", "-", Action::kSearchChildren,
                                            {{"outcome", "allowed"}, {"children", ids}}, now)});
  if (!a.ok()) return a.status();
  return ojson{{"results", results}};
}

Result<ojson> Service::Due(const Caller& c, const DueRequest& r, Timestamp now) {
  auto basis = impl_->Gate(c, {Action::kListDue}, nullptr, now);
  if (!basis.ok()) return basis.status();
  store::DeadlineQuery q;
  q.owner = r.owner;
  q.team = r.team;
  q.due_before = r.before;
  if (r.overdue) q.due_before = now.ToString();
  if (!q.due_before.empty() && (!Timestamp::Parse(q.due_before).ok() || q.due_before.size() != 20)) {
    return InvalidArgument("before: a date-time such as 2026-11-30T09:00:00Z").WithField("before");
  }
  auto rows = impl_->store.Deadlines(q);
  if (!rows.ok()) return rows.status();
  std::map<std::string, std::optional<ChildContext>> readable;
  ojson list = ojson::array();
  std::vector<std::string> children;
  const std::string t = now.ToString();
  for (const auto& row : *rows) {
    if (r.mine && row.Value("owner") != c.principal.user_id &&
        (c.principal.team_id.empty() || row.Value("team") != c.principal.team_id)) {
      continue;
    }
    std::string child = row.Value("child_id");
    auto it = readable.find(child);
    if (it == readable.end()) {
      auto ctx = impl_->Load(c, child);
      if (!ctx.ok()) return ctx.status();
      std::optional<ChildContext> keep;
      if (impl_->MayRead(c, *ctx, now)) {
        keep = std::move(*ctx);
        children.push_back(child);
      }
      it = readable.emplace(child, std::move(keep)).first;
    }
    if (!it->second) continue;
    const auto& ctx = *it->second;
    list.push_back({{"deadline_id", row.Value("deadline_id")},
                    {"child_id", child},
                    {"display_name", ctx.child.Value("display_name")},
                    {"kind", row.Value("kind")},
                    {"label", row.Value("label")},
                    {"due_at", row.Value("due_at")},
                    {"owner", row.Value("owner")},
                    {"team", row.Value("team")},
                    {"overdue", row.Value("due_at") < t}});
  }
  auto a = impl_->Append({impl_->AuditEvent(c, "read", "-", Action::kListDue,
                                            {{"outcome", "allowed"}, {"view", "due"}, {"children", children}}, now)});
  if (!a.ok()) return a.status();
  return ojson{{"deadlines", list}};
}

Result<ojson> Service::Caseload(const Caller& c, Timestamp now) {
  auto basis = impl_->Gate(c, {Action::kListDue}, nullptr, now);
  if (!basis.ok()) return basis.status();
  auto cases = impl_->store.EntitiesOfKind("case");
  if (!cases.ok()) return cases.status();
  const std::string& me = c.principal.user_id;
  ojson list = ojson::array();
  std::vector<std::string> children;
  for (const auto& r : *cases) {
    json j = json::parse(r.Value("data"), nullptr, false);
    if (!j.is_object()) continue;
    pathway::CaseState st = pathway::CaseState::FromJson(j);
    // A quick look for the caller's name on the record; the policy decides.
    bool named = st.lead_professional == me || st.allocated_worker == me || st.InTeam(me) ||
                 (!c.principal.team_id.empty() && st.duty_team == c.principal.team_id);
    if (!named) continue;
    auto ctx = impl_->Load(c, r.Value("child_id"));
    if (!ctx.ok()) return ctx.status();
    if (!impl_->MayRead(c, *ctx, now)) continue;
    std::string label = st.state;
    if (ctx->fw && ctx->fw->pathway)
      if (const auto* s = ctx->fw->pathway->FindState(st.state)) label = s->label;
    int open = 0, overdue = 0;
    const std::string t = now.ToString();
    for (const auto& d : ctx->deadlines) {
      if (d.Value("status") != "open") continue;
      ++open;
      overdue += d.Value("due_at") < t;
    }
    children.push_back(ctx->id);
    list.push_back({{"child_id", ctx->id},
                    {"display_name", ctx->child.Value("display_name")},
                    {"date_of_birth", ctx->child.Value("date_of_birth")},
                    {"framework", ctx->child.Value("framework_id")},
                    {"state", st.state},
                    {"state_label", label},
                    {"level", st.level},
                    {"relationship", access::RelationshipName(ctx->subject.relationship)},
                    {"open_deadlines", open},
                    {"overdue_deadlines", overdue}});
  }
  auto a = impl_->Append({impl_->AuditEvent(c, "read", "-", Action::kListDue,
                                            {{"outcome", "allowed"}, {"view", "caseload"}, {"children", children}},
                                            now)});
  if (!a.ok()) return a.status();
  return ojson{{"children", list}};
}

Result<ojson> Service::Staff(const Caller& c, const std::string& text, Timestamp now) {
  auto basis = impl_->Gate(c, {Action::kSearchChildren}, nullptr, now);
  if (!basis.ok()) return basis.status();
  if (text.size() > 200) return InvalidArgument("q: at most 200 characters").WithField("q");
  auto& dir = impl_->store.directory();
  auto users = dir.ListUsers();
  if (!users.ok()) return users.status();
  auto agencies = dir.ListAgencies();
  if (!agencies.ok()) return agencies.status();
  auto lower = [](std::string s) {
    for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
  };
  const std::string q = lower(text);
  ojson people = ojson::array();
  for (const auto& u : *users) {
    auto role = ParseRole(u.role);
    if (u.disabled || !role || !IsCaseRole(*role)) continue;
    if (!q.empty() && lower(u.display_name).find(q) == std::string::npos &&
        lower(u.username).find(q) == std::string::npos) {
      continue;
    }
    people.push_back({{"id", u.id},
                      {"username", u.username},
                      {"display_name", u.display_name},
                      {"role", u.role},
                      {"agency_id", u.agency_id},
                      {"team_id", u.team_id}});
    if (people.size() >= 200) break;
  }
  ojson ags = ojson::array();
  for (const auto& a : *agencies) ags.push_back({{"id", a.id}, {"name", a.name}, {"kind", a.kind}});
  auto a = impl_->Append({impl_->AuditEvent(c, "read", "-", Action::kSearchChildren,
                                            {{"outcome", "allowed"}, {"view", "staff"}, {"results", people.size()}},
                                            now)});
  if (!a.ok()) return a.status();
  return ojson{{"users", people}, {"agencies", ags}};
}

Result<ojson> Service::Audit(const Caller& c, const AuditRequest& r, Timestamp now) {
  auto basis = impl_->Gate(c, {Action::kReadAudit}, nullptr, now);
  if (!basis.ok()) return basis.status();
  CONTINUUM_RETURN_IF_ERROR(CheckBound("from", r.from));
  CONTINUUM_RETURN_IF_ERROR(CheckBound("to", r.to));
  store::AuditQuery q;
  q.user = r.user;
  q.agency = r.agency;
  q.child_id = r.child;
  q.from = r.from;
  q.to = r.to;
  if (!r.type.empty()) q.types = {r.type};
  q.after_seq = r.after;
  q.limit = std::clamp<size_t>(r.limit, 1, 10000);
  auto records = impl_->store.Audit(q);
  if (!records.ok()) return records.status();
  const bool all = c.principal.LocalAuthorityLead();
  std::map<std::string, bool> oversees;
  ojson list = ojson::array();
  for (const auto& e : *records) {
    bool visible = all;
    if (!visible) {
      if (e.child_id == "-") {
        visible = e.agency == c.principal.agency_id;  // their own agency's logins and searches
      } else {
        auto it = oversees.find(e.child_id);
        if (it == oversees.end()) it = oversees.emplace(e.child_id, impl_->Oversees(c, e.child_id)).first;
        visible = it->second;
      }
    }
    if (!visible) continue;
    list.push_back({{"seq", e.seq},
                    {"type", e.type},
                    {"at", e.recorded_at},
                    {"user", e.author},
                    {"agency", e.agency},
                    {"child_id", e.child_id},
                    {"hash", e.hash},
                    {"detail", Parse(e.payload)}});
  }
  auto a = impl_->Append({impl_->AuditEvent(c, "audit_read", "-", Action::kReadAudit,
                                            {{"outcome", "allowed"}, {"basis", *basis}, {"records", list.size()}},
                                            now)});
  if (!a.ok()) return a.status();
  ojson out{{"records", list}};
  // Paging goes by what was scanned, not by what was shown.
  if (!records->empty() && records->size() == q.limit) out["next_after"] = records->back().seq;
  return out;
}

Result<ojson> Service::Alerts(const Caller& c, bool all, int64_t after, size_t limit, Timestamp now) {
  auto basis = impl_->Gate(c, {Action::kReadAlerts}, nullptr, now);
  if (!basis.ok()) return basis.status();
  limit = std::clamp<size_t>(limit, 1, 500);
  auto alerts = impl_->store.directory().ListAlerts(!all, after, limit);
  if (!alerts.ok()) return alerts.status();
  const bool la = c.principal.LocalAuthorityLead();
  std::map<std::string, bool> oversees;
  ojson list = ojson::array();
  std::vector<std::string> children;
  for (const auto& a : *alerts) {
    bool visible = la;
    if (!visible) {
      if (a.child_id.empty() || a.child_id == "-") {
        visible = a.agency_id == c.principal.agency_id;
      } else {
        auto it = oversees.find(a.child_id);
        if (it == oversees.end()) it = oversees.emplace(a.child_id, impl_->Oversees(c, a.child_id)).first;
        // Leads of the agency whose worker used break-glass see it too.
        visible = it->second || a.agency_id == c.principal.agency_id;
      }
    }
    if (!visible) continue;
    if (!a.child_id.empty()) children.push_back(a.child_id);
    list.push_back({{"id", a.id},
                    {"kind", a.kind},
                    {"child_id", a.child_id},
                    {"user_id", a.user_id},
                    {"agency_id", a.agency_id},
                    {"detail", a.detail},
                    {"created_at", a.created_at},
                    {"acknowledged_by", a.acknowledged_by},
                    {"acknowledged_at", a.acknowledged_at},
                    {"yours", a.user_id == c.principal.user_id}});
  }
  auto w = impl_->Append({impl_->AuditEvent(c, "read", "-", Action::kReadAlerts,
                                            {{"outcome", "allowed"}, {"alerts", list.size()}, {"children", children}},
                                            now)});
  if (!w.ok()) return w.status();
  ojson out{{"alerts", list}};
  if (alerts->size() == limit) out["next_before"] = alerts->back().id;
  return out;
}

Result<ojson> Service::AcknowledgeAlert(const Caller& c, int64_t id, Timestamp now) {
  auto basis = impl_->Gate(c, {Action::kReadAlerts}, nullptr, now);
  if (!basis.ok()) return basis.status();
  auto& dir = impl_->store.directory();
  auto alert = id > 0 ? dir.GetAlert(id) : Result<std::optional<store::Alert>>(std::optional<store::Alert>());
  if (!alert.ok()) return alert.status();
  bool visible = *alert && (c.principal.LocalAuthorityLead() ||
                            ((*alert)->child_id.empty() || (*alert)->child_id == "-"
                                 ? (*alert)->agency_id == c.principal.agency_id
                                 : impl_->Oversees(c, (*alert)->child_id) ||
                                       (*alert)->agency_id == c.principal.agency_id));
  if (!visible) return NotFound("no alert " + std::to_string(id) + " that you can see");
  if ((*alert)->user_id == c.principal.user_id) {
    return impl_->Deny(c, (*alert)->child_id, Action::kReadAlerts, "own alert",
                       Forbidden("an alert about your own actions is acknowledged by another lead"), now,
                       {{"alert", id}});
  }
  CONTINUUM_RETURN_IF_ERROR(dir.AcknowledgeAlert(id, c.principal.user_id, now.ToString()));
  auto a = impl_->Append({impl_->AuditEvent(c, "admin", "-", Action::kReadAlerts,
                                            {{"outcome", "allowed"}, {"alert", id}, {"change", "acknowledged"}}, now)});
  if (!a.ok()) return a.status();
  return ojson{{"id", id}, {"acknowledged_by", c.principal.user_id}, {"acknowledged_at", now.ToString()}};
}

Result<ojson> Service::Report(const Caller& c, Timestamp now) {
  auto basis = impl_->Gate(c, {Action::kReadAggregates}, nullptr, now);
  if (!basis.ok()) return basis.status();
  auto cases = impl_->store.EntitiesOfKind("case");
  if (!cases.ok()) return cases.status();
  std::map<std::string, std::map<std::string, int64_t>> by_framework_state;
  std::map<std::string, std::map<int, int64_t>> by_framework_level;
  for (const auto& r : *cases) {
    json j = json::parse(r.Value("data"), nullptr, false);
    if (!j.is_object()) continue;
    std::string fw = j.value("framework", "");
    by_framework_state[fw][j.value("state", "none")]++;
    by_framework_level[fw][j.value("level", 0)]++;
  }
  store::DeadlineQuery dq;
  dq.due_before = now.ToString();
  auto overdue = impl_->store.Deadlines(dq);
  if (!overdue.ok()) return overdue.status();
  std::map<std::string, int64_t> overdue_by_kind;
  for (const auto& r : *overdue) overdue_by_kind[r.Value("kind")]++;
  // Small numbers can identify a child: counts from 1 to 4 are shown as null
  // with "suppressed": true.
  auto count = [](int64_t n) {
    ojson x;
    if (n > 0 && n < 5) {
      x["count"] = nullptr;
      x["suppressed"] = true;
    } else {
      x["count"] = n;
    }
    return x;
  };
  ojson frameworks = ojson::array();
  for (const auto& [fw, states] : by_framework_state) {
    ojson s = ojson::array(), l = ojson::array();
    for (const auto& [state, n] : states) {
      ojson x = count(n);
      x["state"] = state;
      s.push_back(x);
    }
    for (const auto& [level, n] : by_framework_level[fw]) {
      ojson x = count(n);
      x["level"] = level;
      l.push_back(x);
    }
    frameworks.push_back({{"framework", fw}, {"by_state", s}, {"by_level", l}});
  }
  ojson od = ojson::array();
  for (const auto& [kind, n] : overdue_by_kind) {
    ojson x = count(n);
    x["kind"] = kind;
    od.push_back(x);
  }
  auto a = impl_->Append({impl_->AuditEvent(c, "report", "-", Action::kReadAggregates, {{"outcome", "allowed"}}, now)});
  if (!a.ok()) return a.status();
  return ojson{{"generated_at", now.ToString()},
               {"suppression_threshold", 5},
               {"frameworks", frameworks},
               {"overdue", od}};
}

}  // namespace continuum::casework

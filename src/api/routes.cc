// The route table, and the handlers for frameworks, children and their cases.
#include <algorithm>
#include <set>

#include "access/credentials.h"
#include "api/api_internal.h"
#include "core/json_text.h"
#include "threshold/observations_json.h"
#include "threshold/threshold.h"

namespace continuum::api::internal {
namespace {

using access::Action;

ojson EventJson(const store::Event& e) {
  return ojson{{"id", e.id},
               {"seq", e.seq},
               {"type", e.type},
               {"occurred_at", e.occurred_at},
               {"recorded_at", e.recorded_at}};
}

// The event as a reader sees it, with the fields the policy withholds
// replaced by "withheld".
ojson ChronologyEntry(const Call& c, const store::Event& e) {
  ojson j;
  j["id"] = e.id;
  j["seq"] = e.seq;
  j["type"] = e.type;
  j["occurred_at"] = e.occurred_at;
  j["recorded_at"] = e.recorded_at;
  j["author"] = e.author;
  j["agency"] = e.agency;
  j["significance"] = e.significance;
  ojson payload = ojson::parse(e.payload, nullptr, false);
  ojson fields = payload.is_object() && payload.contains("fields") ? payload["fields"] : ojson::object();
  for (const auto& w : access::WithheldFields(c.principal, e.type, e.agency)) {
    if (w == "author" || w == "agency") {
      j[w] = "withheld";
    } else if (fields.contains(w)) {
      fields[w] = "withheld";
    }
  }
  j["fields"] = fields;
  if (payload.is_object() && payload.contains("pathway")) {
    const auto& pw = payload["pathway"];
    j["transition"] = pw.value("transition", "");
    j["from"] = pw.value("from", "");
    j["to"] = pw.value("to", "");
  }
  if (!e.supersedes.empty()) {
    j["supersedes"] = e.supersedes;
    j["reason"] = e.reason;
  }
  if (!e.superseded_by.empty()) j["superseded_by"] = e.superseded_by;
  return j;
}

Result<std::string> OccurredAt(const Call& c) {
  if (!c.body.contains("occurred_at")) return c.now.ToString();
  const auto& v = c.body["occurred_at"];
  if (!v.is_string()) return InvalidArgument("occurred_at: must be a date-time string");
  auto t = Timestamp::Parse(v.get<std::string>());
  if (!t.ok()) return InvalidArgument("occurred_at: " + t.status().message());
  if (t->unix_seconds() > c.now.unix_seconds() + 300) return InvalidArgument("occurred_at: is in the future");
  return t->ToString();
}

HttpResponse Recorded(Api::Impl& api, Call& c, const ChildContext& ctx, store::Event event) {
  ojson detail{{"outcome", "allowed"}, {"basis", c.basis}, {"event_type", event.type}};
  auto stored = AppendWithAudit(api, {event, AuditEvent(c, "write", ctx.id, detail)});
  if (!stored.ok()) return FromStatus(stored.status());
  const store::Event& e = stored->front();
  ojson out{{"child_id", ctx.id}, {"event", EventJson(e)}};
  json payload = json::parse(e.payload, nullptr, false);
  if (payload.is_object() && payload.contains("pathway")) {
    const auto& pw = payload["pathway"];
    out["case"] = ojson{
        {"from", pw.value("from", "")}, {"state", pw.value("to", "")}, {"episode", pw.value("episode", 0)}};
    out["deadlines"] = pw.value("deadlines", json::array());
  }
  return JsonResponse(201, out);
}

const framework::Transition* FindTransition(const framework::Framework& fw, std::string_view type) {
  if (fw.pathway) {
    if (const auto* t = fw.pathway->FindByEvent(type)) return t;
  }
  return nullptr;
}

}  // namespace

const std::vector<Route>& Routes() {
  static const std::vector<Route> kRoutes = {
      {"GET", "/healthz", Action::kPublic, nullptr, Healthz, false},
      {"GET", "/metrics", Action::kPublic, nullptr, MetricsText, false},
      {"POST", "/api/v1/session", Action::kPublic, nullptr, LoginRoute, false},
      {"GET", "/api/v1/session", Action::kOwnSession, nullptr, WhoAmI},
      {"DELETE", "/api/v1/session", Action::kOwnSession, nullptr, LogoutRoute},
      {"GET", "/api/v1/frameworks", Action::kReadFrameworks, nullptr, ListFrameworks},
      {"GET", "/api/v1/frameworks/{framework}", Action::kReadFrameworks, nullptr, ShowFramework},
      {"POST", "/api/v1/frameworks/{framework}/assess", Action::kReadFrameworks, nullptr, AssessRoute},
      {"POST", "/api/v1/children", Action::kRegisterChild, nullptr, RegisterChild},
      {"GET", "/api/v1/children", Action::kSearchChildren, nullptr, SearchChildren},
      {"GET", "/api/v1/children/{child}", Action::kReadCase, nullptr, CaseSummary},
      {"GET", "/api/v1/children/{child}/chronology", Action::kReadCase, nullptr, ChronologyRoute},
      {"GET", "/api/v1/children/{child}/next", Action::kReadCase, nullptr, NextSteps},
      {"GET", "/api/v1/children/{child}/people", Action::kReadCase, nullptr, ListPeople},
      {"POST", "/api/v1/children/{child}/people", Action::kRecordEvent, "person.added", RecordEventRoute},
      {"DELETE", "/api/v1/children/{child}/people/{person}", Action::kRecordEvent, "person.removed",
       RecordEventRoute},
      {"POST", "/api/v1/children/{child}/requests", Action::kRecordEvent, "request.received",
       RecordEventRoute},
      {"POST", "/api/v1/children/{child}/requests/decision", Action::kRecordEvent, "request.decided",
       RecordEventRoute},
      {"POST", "/api/v1/children/{child}/levels", Action::kRecordEvent, "level.decided", RecordEventRoute},
      {"POST", "/api/v1/children/{child}/consent", Action::kRecordEvent, "consent.given", RecordEventRoute},
      {"POST", "/api/v1/children/{child}/consent/withdrawal", Action::kRecordEvent, "consent.withdrawn",
       RecordEventRoute},
      {"POST", "/api/v1/children/{child}/consent/override", Action::kRecordEvent, "consent.overridden",
       RecordEventRoute},
      {"POST", "/api/v1/children/{child}/consent/refusal", Action::kRecordEvent, "consent.early_help_refused",
       RecordEventRoute},
      {"POST", "/api/v1/children/{child}/assessments", Action::kRecordEvent, "assessment.started",
       RecordEventRoute},
      {"POST", "/api/v1/children/{child}/assessments/completion", Action::kRecordEvent,
       "assessment.completed", RecordEventRoute},
      {"POST", "/api/v1/children/{child}/plans", Action::kRecordEvent, "plan.agreed", RecordEventRoute},
      {"POST", "/api/v1/children/{child}/actions", Action::kRecordEvent, "action.added", RecordEventRoute},
      {"POST", "/api/v1/children/{child}/actions/{action}/progress", Action::kRecordEvent, "action.updated",
       RecordEventRoute},
      {"POST", "/api/v1/children/{child}/team", Action::kRecordEvent, "team.member_added", RecordEventRoute},
      {"DELETE", "/api/v1/children/{child}/team/{member}", Action::kRecordEvent, "team.member_left",
       RecordEventRoute},
      {"POST", "/api/v1/children/{child}/lead-professional", Action::kRecordEvent,
       "lead_professional.assigned", RecordEventRoute},
      {"POST", "/api/v1/children/{child}/reviews", Action::kRecordEvent, "review.held", RecordEventRoute},
      {"POST", "/api/v1/children/{child}/step-up", Action::kRecordEvent, "step_up.requested",
       RecordEventRoute},
      {"POST", "/api/v1/children/{child}/step-up/conversation", Action::kRecordEvent,
       "step_up.conversation_held", RecordEventRoute},
      {"POST", "/api/v1/children/{child}/referrals", Action::kRecordEvent, "referral.made", RecordEventRoute},
      {"POST", "/api/v1/children/{child}/referrals/acceptance", Action::kRecordEvent, "referral.accepted",
       RecordEventRoute},
      {"POST", "/api/v1/children/{child}/step-down", Action::kRecordEvent, "step_down.requested",
       RecordEventRoute},
      {"POST", "/api/v1/children/{child}/step-down/final-meeting", Action::kRecordEvent,
       "step_down.final_meeting", RecordEventRoute},
      {"POST", "/api/v1/children/{child}/concerns", Action::kRecordEvent, "concern.raised", RecordEventRoute},
      {"POST", "/api/v1/children/{child}/concerns/meeting", Action::kRecordEvent, "concern.meeting_held",
       RecordEventRoute},
      {"POST", "/api/v1/children/{child}/escalations", Action::kRecordEvent, "escalation.raised",
       RecordEventRoute},
      {"POST", "/api/v1/children/{child}/escalations/resolution", Action::kRecordEvent, "escalation.resolved",
       RecordEventRoute},
      {"POST", "/api/v1/children/{child}/closure", Action::kRecordEvent, "case.closed", RecordEventRoute},
      {"POST", "/api/v1/children/{child}/notes", Action::kRecordEvent, "note.added", RecordEventRoute},
      {"POST", "/api/v1/children/{child}/events", Action::kRecordEvent, nullptr, RecordEventRoute},
      {"POST", "/api/v1/children/{child}/corrections", Action::kCorrectRecord, nullptr, CorrectRoute},
      {"POST", "/api/v1/children/{child}/break-glass", Action::kBreakGlass, nullptr, BreakGlassRoute},
      {"GET", "/api/v1/children/{child}/audit", Action::kReadChildAudit, nullptr, ChildAudit},
      {"GET", "/api/v1/children/{child}/export", Action::kExportCase, nullptr, ExportRoute},
      {"GET", "/api/v1/due", Action::kListDue, nullptr, DueRoute},
      {"GET", "/api/v1/audit", Action::kReadAudit, nullptr, AuditRoute},
      {"GET", "/api/v1/alerts", Action::kReadAlerts, nullptr, AlertsRoute},
      {"POST", "/api/v1/alerts/{alert}/acknowledgement", Action::kReadAlerts, nullptr, AcknowledgeAlert},
      {"GET", "/api/v1/reports/summary", Action::kReadAggregates, nullptr, ReportSummary},
      {"GET", "/api/v1/agencies", Action::kAdminister, nullptr, ListAgencies},
      {"POST", "/api/v1/agencies", Action::kAdminister, nullptr, PutAgencyRoute},
      {"GET", "/api/v1/teams", Action::kAdminister, nullptr, ListTeams},
      {"POST", "/api/v1/teams", Action::kAdminister, nullptr, PutTeamRoute},
      {"GET", "/api/v1/users", Action::kAdminister, nullptr, ListUsers},
      {"POST", "/api/v1/users", Action::kAdminister, nullptr, AddUserRoute},
      {"POST", "/api/v1/users/{user}/disable", Action::kAdminister, nullptr, DisableUserRoute},
      {"POST", "/api/v1/users/{user}/reset", Action::kAdminister, nullptr, ResetUserRoute},
  };
  return kRoutes;
}

// --- frameworks -------------------------------------------------------------

HttpResponse ListFrameworks(Api::Impl& api, Call&) {
  ojson out = ojson::array();
  for (const auto& fw : api.frameworks.all()) {
    ojson levels = ojson::array();
    for (const auto& l : fw->levels) levels.push_back({{"number", l.number}, {"name", l.name}});
    out.push_back({{"id", fw->id},
                   {"name", fw->name},
                   {"authority", fw->authority},
                   {"version", fw->version},
                   {"effective", fw->effective},
                   {"levels", levels},
                   {"indicators", fw->items.size()},
                   {"has_pathway", fw->pathway.has_value()}});
  }
  return JsonResponse(200, ojson{{"frameworks", out}});
}

HttpResponse ShowFramework(Api::Impl& api, Call& c) {
  auto fw = api.frameworks.Find(c.params["framework"]);
  if (!fw) return Problem(404, "Not Found", "no framework '" + c.params["framework"] + "'");
  ojson j{{"id", fw->id},           {"name", fw->name},           {"authority", fw->authority},
          {"version", fw->version}, {"effective", fw->effective}, {"source", fw->source}};
  for (const auto& l : fw->levels)
    j["levels"].push_back({{"number", l.number}, {"name", l.name}, {"description", l.description}});
  for (const auto& d : fw->domains) j["domains"].push_back({{"id", d.id}, {"name", d.name}});
  for (const auto& it : fw->items) {
    ojson x{{"id", it.id},
            {"kind", framework::ItemKindName(it.kind)},
            {"label", it.label},
            {"source", it.source}};
    if (it.kind == framework::ItemKind::kIndicator) {
      x["level"] = it.level;
      if (it.domain >= 0) x["domain"] = fw->domains[it.domain].id;
    }
    j["items"].push_back(std::move(x));
  }
  if (fw->pathway) {
    for (const auto& s : fw->pathway->states)
      j["pathway"]["states"].push_back({{"id", s.id}, {"label", s.label}});
    for (const auto& t : fw->pathway->transitions)
      j["pathway"]["transitions"].push_back({{"event", t.event},
                                             {"label", t.label},
                                             {"from", t.from_any ? std::vector<std::string>{"any"} : t.from},
                                             {"to", t.to},
                                             {"roles", t.roles},
                                             {"source", t.source}});
  }
  return JsonResponse(200, j);
}

HttpResponse AssessRoute(Api::Impl& api, Call& c) {
  auto fw = api.frameworks.Find(c.params["framework"]);
  if (!fw) return Problem(404, "Not Found", "no framework '" + c.params["framework"] + "'");
  thread_local threshold::ObservationParser parser;
  const FieldNames names{.field_prefix = "", .members = {"indicators", "strengths", "facts", "age"}};
  auto obs = parser.Parse(c.http.body.empty() ? "{}" : c.http.body);
  if (!obs.ok()) return FromStatus(obs.status(), names);
  auto s = threshold::Evaluate(*fw, *obs);
  if (!s.ok()) return FromStatus(s.status(), names);
  HttpResponse r;
  threshold::AppendJson(*fw, *s, &r.body);
  return r;
}

// --- children ---------------------------------------------------------------

HttpResponse RegisterChild(Api::Impl& api, Call& c) {
  if (auto denied = Gate(api, c, {Action::kRegisterChild}, nullptr)) return *denied;
  if (!c.body.contains("framework") || !c.body["framework"].is_string()) {
    return Problem(422, "Unprocessable Content", "framework: required, the id of a framework",
                   {{"framework", "required"}});
  }
  auto fw = api.frameworks.Find(c.body["framework"].get<std::string>());
  if (!fw)
    return Problem(422, "Unprocessable Content", "framework: unknown", {{"framework", "no such framework"}});
  if (!c.body.contains("fields") || !c.body["fields"].is_object()) {
    return Problem(422, "Unprocessable Content", "fields: required, an object",
                   {{"fields", "must be an object"}});
  }
  auto at = OccurredAt(c);
  if (!at.ok()) return FromStatus(at.status());
  pathway::Command cmd{.child_id = "c-" + access::RandomHexId(6),
                       .event_type = pathway::kChildRegistered,
                       .occurred_at = *at,
                       .actor = {c.principal.user_id, c.principal.agency_id, c.auth->user.role},
                       .fields = c.body["fields"]};
  auto e = pathway::PrepareRegistration(*fw, cmd);
  if (!e.ok()) {
    return FromStatus(e.status(), {.members = {"display_name", "date_of_birth", "nhs_number", "upn",
                                               "local_id", "household", "gender", "ethnicity", "address"},
                                   .member_prefix = "fields.",
                                   .strip_prefixes = {"child: "}});
  }
  ChildContext ctx;
  ctx.id = cmd.child_id;
  return Recorded(api, c, ctx, *e);
}

HttpResponse SearchChildren(Api::Impl& api, Call& c) {
  if (auto denied = Gate(api, c, {Action::kSearchChildren}, nullptr)) return *denied;
  std::string q = c.Query("q");
  if (q.size() < 2 || q.size() > 200) {
    return Problem(422, "Unprocessable Content", "q: give 2 to 200 characters to search for",
                   {{"q", "2 to 200 characters"}});
  }
  auto rows = api.store->SearchChildren(q, 200);
  if (!rows.ok()) return FromStatus(rows.status());
  ojson results = ojson::array();
  std::vector<std::string> ids;
  for (const auto& r : *rows) {
    auto ctx = LoadChild(api, c, r.Value("child_id"));
    if (!ctx.ok()) continue;
    if (!access::Authorize(c.principal, {Action::kReadCase}, ctx->subject).allowed) continue;
    ids.push_back(ctx->id);
    results.push_back({{"child_id", ctx->id},
                       {"display_name", r.Value("display_name")},
                       {"date_of_birth", r.Value("date_of_birth")},
                       {"framework", r.Value("framework_id")},
                       {"relationship", access::RelationshipName(ctx->subject.relationship)}});
    if (results.size() >= 50) break;
  }
  auto a = AppendWithAudit(api, {AuditEvent(c, "search", "-", {{"outcome", "allowed"}, {"children", ids}})});
  if (!a.ok()) return FromStatus(a.status());
  return JsonResponse(200, ojson{{"results", results}});
}

namespace {

// Loads the child named in the path and checks `what`; on success returns
// nullopt and fills ctx.
std::optional<HttpResponse> OpenChild(Api::Impl& api, Call& c, const access::Request& what,
                                      ChildContext* ctx) {
  auto loaded = LoadChild(api, c, c.params["child"]);
  if (!loaded.ok()) return FromStatus(loaded.status());
  *ctx = std::move(*loaded);
  return Gate(api, c, what, ctx);
}

std::optional<HttpResponse> AuditRead(Api::Impl& api, Call& c, const std::string& child,
                                      const char* what = "read") {
  auto a = AppendWithAudit(api, {AuditEvent(c, what, child, {{"outcome", "allowed"}, {"basis", c.basis}})});
  if (!a.ok()) return FromStatus(a.status());
  return std::nullopt;
}

}  // namespace

HttpResponse CaseSummary(Api::Impl& api, Call& c) {
  ChildContext ctx;
  if (auto r = OpenChild(api, c, {Action::kReadCase}, &ctx)) return *r;
  // The most read response: written straight out, with the stored JSON of
  // the child and of each record copied in as it is (the store checked it
  // is JSON when it was written), rather than parsed and printed again.
  auto raw = [](std::string* out, const std::string& json_text) {
    *out += json_text.empty() ? "null" : json_text;
  };
  auto key = [](std::string* out, std::string_view k) {
    AppendJsonString(out, k);
    out->push_back(':');
  };
  const auto& st = ctx.state;
  std::string label = st.state;
  if (ctx.fw && ctx.fw->pathway)
    if (const auto* s = ctx.fw->pathway->FindState(st.state)) label = s->label;
  HttpResponse res;
  std::string& out = res.body;
  out.reserve(4096);
  out += "{\"child_id\":";
  AppendJsonString(&out, ctx.id);
  out += ",\"details\":";
  raw(&out, ctx.child.Value("data"));
  out += ",\"framework\":";
  AppendJsonString(&out, ctx.child.Value("framework_id"));
  out += ",\"case\":{\"state\":";
  AppendJsonString(&out, st.state);
  out += ",\"state_label\":";
  AppendJsonString(&out, label);
  out += ",\"episode\":" + std::to_string(st.episode) + ",\"level\":" + std::to_string(st.level);
  out += ",\"facts\":[";
  for (size_t i = 0; i < st.facts.size(); ++i) {
    if (i) out.push_back(',');
    AppendJsonString(&out, st.facts[i]);
  }
  out += "],\"lead_professional\":";
  AppendJsonString(&out, st.lead_professional);
  out += ",\"lead_service\":";
  AppendJsonString(&out, st.lead_service);
  out += "},\"access\":{\"relationship\":";
  AppendJsonString(&out, access::RelationshipName(ctx.subject.relationship));
  out += ",\"consent\":";
  AppendJsonString(&out, access::ConsentName(ctx.subject.consent));
  out += ",\"basis\":";
  AppendJsonString(&out, c.basis);
  out += "},\"records\":{";
  // Rows come ordered by (kind, entity_id): one object per kind.
  std::string current_kind;
  bool first_kind = true;
  for (const auto& r : ctx.entities) {
    std::string kind = r.Value("kind");
    if (kind == "case") continue;
    if (first_kind || kind != current_kind) {
      if (!first_kind) out += "},";
      key(&out, kind);
      out.push_back('{');
      current_kind = kind;
      first_kind = false;
    } else {
      out.push_back(',');
    }
    key(&out, r.Value("entity_id"));
    raw(&out, r.Value("data"));
  }
  if (!first_kind) out.push_back('}');
  out += "},\"deadlines\":[";
  const std::string now = c.now.ToString();
  bool first = true;
  for (const auto& r : ctx.deadlines) {
    if (r.Value("status") != "open") continue;
    if (!first) out.push_back(',');
    first = false;
    out.push_back('{');
    static constexpr const char* kColumns[] = {"deadline_id", "kind", "label", "due_at", "owner", "team"};
    for (size_t i = 0; i < std::size(kColumns); ++i) {
      if (i) out.push_back(',');
      key(&out, kColumns[i]);
      AppendJsonString(&out, r.Value(kColumns[i]));
    }
    out += ",\"overdue\":";
    out += r.Value("due_at") < now ? "true" : "false";
    out.push_back('}');
  }
  out += "]}";
  if (auto r = AuditRead(api, c, ctx.id)) return *r;
  return res;
}

HttpResponse ChronologyRoute(Api::Impl& api, Call& c) {
  ChildContext ctx;
  if (auto r = OpenChild(api, c, {Action::kReadCase}, &ctx)) return *r;
  store::ChronologyQuery q;
  q.child_id = ctx.id;
  q.from = c.Query("from");
  q.to = c.Query("to");
  auto split = [](const std::string& s) {
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos <= s.size() && !s.empty()) {
      size_t end = s.find(',', pos);
      if (end == std::string::npos) end = s.size();
      if (end > pos) out.push_back(s.substr(pos, end - pos));
      pos = end + 1;
    }
    return out;
  };
  q.types = split(c.Query("types"));
  for (const auto& t : q.types)
    if (t.rfind(store::kAuditPrefix, 0) == 0)
      return Problem(422, "Unprocessable Content", "types: the audit trail is not part of the chronology",
                     {{"types", "audit types"}});
  q.agencies = split(c.Query("agency"));
  if (c.HasQuery("min_significance")) {
    std::string v = c.Query("min_significance");
    if (v != "0" && v != "1" && v != "2")
      return Problem(422, "Unprocessable Content", "min_significance: 0, 1 or 2",
                     {{"min_significance", "0, 1 or 2"}});
    q.min_significance = v[0] - '0';
  }
  if (c.HasQuery("limit")) {
    std::string v = c.Query("limit");
    if (v.empty() || v.size() > 6 || !std::all_of(v.begin(), v.end(), ::isdigit))
      return Problem(422, "Unprocessable Content", "limit: a whole number up to 999999",
                     {{"limit", "a number"}});
    q.limit = std::stoul(v);
  }
  auto events = api.store->Chronology(q);
  if (!events.ok()) return FromStatus(events.status(), {.members = {"from", "to", "types", "agencies"}});
  ojson list = ojson::array();
  for (const auto& e : *events) list.push_back(ChronologyEntry(c, e));
  if (auto r = AuditRead(api, c, ctx.id)) return *r;
  return JsonResponse(200, ojson{{"child_id", ctx.id}, {"events", list}});
}

HttpResponse NextSteps(Api::Impl& api, Call& c) {
  ChildContext ctx;
  if (auto r = OpenChild(api, c, {Action::kReadCase}, &ctx)) return *r;
  ojson steps = ojson::array();
  if (ctx.fw && ctx.fw->pathway) {
    for (const auto& t : ctx.fw->pathway->transitions) {
      bool from_here = t.from_any || std::find(t.from.begin(), t.from.end(), ctx.state.state) != t.from.end();
      if (!from_here) continue;
      ojson fields = ojson::array();
      for (const auto& f : t.fields) {
        ojson x{{"name", f.name}, {"type", framework::FieldTypeName(f.type)}, {"optional", f.optional}};
        if (!f.values.empty()) x["values"] = f.values;
        fields.push_back(std::move(x));
      }
      access::Decision d =
          access::Authorize(c.principal, {Action::kRecordEvent, t.event, t.roles}, ctx.subject);
      steps.push_back({{"event", t.event},
                       {"label", t.label},
                       {"source", t.source},
                       {"roles", t.roles},
                       {"allowed_for_you", d.allowed},
                       {"fields", fields}});
    }
  }
  if (auto r = AuditRead(api, c, ctx.id)) return *r;
  return JsonResponse(200, ojson{{"child_id", ctx.id}, {"state", ctx.state.state}, {"next", steps}});
}

HttpResponse ListPeople(Api::Impl& api, Call& c) {
  ChildContext ctx;
  if (auto r = OpenChild(api, c, {Action::kReadCase}, &ctx)) return *r;
  ojson people = ojson::array();
  for (const auto& r : ctx.entities) {
    if (r.Value("kind") != "person") continue;
    ojson rec = ojson::parse(r.Value("data"), nullptr, false);
    ojson p = rec.is_object() && rec.contains("fields") ? rec["fields"] : ojson::object();
    people.push_back(p);
  }
  if (auto r = AuditRead(api, c, ctx.id)) return *r;
  return JsonResponse(200, ojson{{"child_id", ctx.id}, {"people", people}});
}

HttpResponse RecordEventRoute(Api::Impl& api, Call& c) {
  auto loaded = LoadChild(api, c, c.params["child"]);
  if (!loaded.ok()) return FromStatus(loaded.status());
  ChildContext ctx = std::move(*loaded);
  if (!ctx.fw)
    return Problem(500, "Internal Server Error", "the child's framework is not loaded on this server");

  std::string type;
  if (c.route->event_type) {
    type = c.route->event_type;
  } else if (c.body.contains("type") && c.body["type"].is_string()) {
    type = c.body["type"].get<std::string>();
  }
  // Authorisation comes before any answer about the input: a caller who may
  // not write here learns nothing from a bad or unknown event type.
  if (type.empty()) {
    if (auto denied = Gate(api, c, {Action::kRecordEvent, "", {}}, &ctx)) return *denied;
    return Problem(422, "Unprocessable Content", "type: required, the event type to record",
                   {{"type", "required"}});
  }
  std::vector<std::string> roles;
  const bool household = type == pathway::kPersonAdded || type == pathway::kPersonRemoved;
  const framework::Transition* transition = household ? nullptr : FindTransition(*ctx.fw, type);
  if (transition) roles = transition->roles;
  if (auto denied = Gate(api, c, {Action::kRecordEvent, type, roles}, &ctx)) return *denied;
  if (!household && !transition) {
    return Problem(404, "Not Found", "the " + ctx.fw->id + " framework has no event '" + type + "'",
                   {{"type", "not an event of this framework"}});
  }

  json fields = json::object();
  if (c.body.contains("fields")) {
    if (!c.body["fields"].is_object())
      return Problem(422, "Unprocessable Content", "fields: must be an object",
                     {{"fields", "must be an object"}});
    fields = c.body["fields"];
  }
  // Path parameters name what the event is about.
  if (c.params.count("person")) fields["person_id"] = c.params["person"];
  if (c.params.count("member")) fields["member"] = c.params["member"];
  if (c.params.count("action")) fields["action_id"] = c.params["action"];
  auto at = OccurredAt(c);
  if (!at.ok()) return FromStatus(at.status());
  pathway::Command cmd{.child_id = ctx.id,
                       .event_type = type,
                       .occurred_at = *at,
                       .actor = {c.principal.user_id, c.principal.agency_id, c.auth->user.role},
                       .fields = std::move(fields)};
  auto e = pathway::Prepare(*ctx.fw, api.calendar, ctx.state, cmd);
  if (!e.ok()) return FromStatus(e.status());
  return Recorded(api, c, ctx, *e);
}

HttpResponse CorrectRoute(Api::Impl& api, Call& c) {
  auto loaded = LoadChild(api, c, c.params["child"]);
  if (!loaded.ok()) return FromStatus(loaded.status());
  ChildContext ctx = std::move(*loaded);
  if (!ctx.fw)
    return Problem(500, "Internal Server Error", "the child's framework is not loaded on this server");
  // Roles that never correct records are refused before the body is looked
  // at; for the others the rule depends on the event corrected, below.
  if (!access::IsCaseRole(c.principal.role)) {
    if (auto denied = Gate(api, c, {Action::kCorrectRecord, "", {}}, &ctx)) return *denied;
  }
  if (!c.body.contains("supersedes") || !c.body["supersedes"].is_string()) {
    return Problem(422, "Unprocessable Content", "supersedes: required, the id of the event to correct",
                   {{"supersedes", "required"}});
  }
  auto original = api.store->GetEvent(c.body["supersedes"].get<std::string>());
  if (!original.ok()) return FromStatus(original.status());
  if (!*original || (*original)->child_id != ctx.id || (*original)->type.rfind(store::kAuditPrefix, 0) == 0) {
    return Problem(404, "Not Found", "supersedes: no such event in this child's record",
                   {{"supersedes", "not found"}});
  }
  std::vector<std::string> roles;
  if (const auto* t = FindTransition(*ctx.fw, (*original)->type)) roles = t->roles;
  if (auto denied = Gate(api, c, {Action::kCorrectRecord, (*original)->type, roles}, &ctx)) return *denied;
  if ((*original)->agency != c.principal.agency_id) {
    auto a = AppendWithAudit(
        api,
        {AuditEvent(c, "denied", ctx.id, {{"outcome", "denied"}, {"reason", "another agency's record"}})});
    if (!a.ok()) return FromStatus(a.status());
    return Problem(403, "Forbidden", "only the agency that recorded an event may correct it");
  }
  if (!c.body.contains("reason") || !c.body["reason"].is_string()) {
    return Problem(422, "Unprocessable Content", "reason: required, why the record is corrected",
                   {{"reason", "required"}});
  }
  json fields = c.body.value("fields", json::object());
  if (!fields.is_object())
    return Problem(422, "Unprocessable Content", "fields: must be an object", {{"fields", "object"}});
  auto at = OccurredAt(c);
  if (!at.ok()) return FromStatus(at.status());
  pathway::Command cmd{.child_id = ctx.id,
                       .event_type = pathway::kRecordCorrected,
                       .occurred_at = *at,
                       .actor = {c.principal.user_id, c.principal.agency_id, c.auth->user.role},
                       .fields = fields,
                       .supersedes = (*original)->id,
                       .reason = c.body["reason"].get<std::string>()};
  auto e = pathway::PrepareCorrection(*ctx.fw, **original, cmd);
  if (!e.ok()) return FromStatus(e.status());
  return Recorded(api, c, ctx, *e);
}

HttpResponse BreakGlassRoute(Api::Impl& api, Call& c) {
  ChildContext ctx;
  if (auto r = OpenChild(api, c, {Action::kBreakGlass}, &ctx)) return *r;
  if (!c.body.contains("reason") || !c.body["reason"].is_string() ||
      c.body["reason"].get<std::string>().size() < 10 || c.body["reason"].get<std::string>().size() > 4096) {
    return Problem(422, "Unprocessable Content",
                   "reason: say why emergency access is needed (10 to 4096 characters)",
                   {{"reason", "10 to 4096 characters"}});
  }
  store::BreakGlassGrant g;
  g.id = access::RandomHexId(16);
  g.user_id = c.principal.user_id;
  g.child_id = ctx.id;
  g.reason = c.body["reason"].get<std::string>();
  g.granted_at = c.now.ToString();
  g.expires_at =
      Timestamp::FromUnixSeconds(
          c.now.unix_seconds() +
          std::chrono::duration_cast<std::chrono::seconds>(api.options.break_glass_duration).count())
          .ToString();
  if (auto s = api.store->directory().CreateBreakGlass(g); !s.ok()) return FromStatus(s);
  store::Alert alert{.kind = "break_glass",
                     .child_id = ctx.id,
                     .user_id = g.user_id,
                     .agency_id = c.principal.agency_id,
                     .detail = g.reason,
                     .created_at = g.granted_at};
  auto id = api.store->directory().CreateAlert(alert);
  if (!id.ok()) return FromStatus(id.status());
  auto a = AppendWithAudit(api, {AuditEvent(c, "break_glass", ctx.id,
                                            {{"outcome", "allowed"},
                                             {"reason", g.reason},
                                             {"grant", g.id},
                                             {"expires_at", g.expires_at},
                                             {"alert", *id}})});
  if (!a.ok()) return FromStatus(a.status());
  std::fprintf(stderr,
               "{\"ts\":\"%s\",\"level\":\"warn\",\"msg\":\"break-glass access granted; safeguarding leads "
               "alerted\",\"alert\":%lld,\"request_id\":\"%s\"}\n",
               g.granted_at.c_str(), static_cast<long long>(*id), c.http.request_id.c_str());
  return JsonResponse(
      201,
      ojson{{"grant", {{"id", g.id}, {"child_id", ctx.id}, {"expires_at", g.expires_at}}}, {"alert", *id}});
}

HttpResponse ChildAudit(Api::Impl& api, Call& c) {
  ChildContext ctx;
  if (auto r = OpenChild(api, c, {Action::kReadChildAudit}, &ctx)) return *r;
  store::AuditQuery q;
  q.child_id = ctx.id;
  q.limit = 10000;
  auto records = api.store->Audit(q);
  if (!records.ok()) return FromStatus(records.status());
  ojson list = ojson::array();
  for (const auto& e : *records) {
    ojson p = ojson::parse(e.payload, nullptr, false);
    list.push_back({{"seq", e.seq},
                    {"type", e.type},
                    {"at", e.recorded_at},
                    {"user", e.author},
                    {"agency", e.agency},
                    {"detail", p}});
  }
  if (auto r = AuditRead(api, c, ctx.id, "audit_read")) return *r;
  return JsonResponse(200, ojson{{"child_id", ctx.id}, {"records", list}});
}

}  // namespace continuum::api::internal

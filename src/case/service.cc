// The case service: callers, the child's context, the access gate, the
// audit trail, and recording (see service.h).
#include "case/service.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "access/credentials.h"
#include "case/framework_json.h"
#include "case/service_internal.h"
#include "threshold/observations_json.h"
#include "threshold/threshold.h"

namespace continuum::casework {

using access::Action;
using internal::ChildContext;
using internal::json;

namespace internal {

Result<std::optional<pathway::Lookup::UserFacts>> DirectoryLookup::User(const std::string& id) {
  auto u = dir_.GetUser(id);
  if (!u.ok()) {
    // An id the directory refuses outright (too long) is simply not a user.
    if (u.status().code() == StatusCode::kInvalidArgument) return std::optional<UserFacts>();
    return u.status();
  }
  if (!*u) return std::optional<UserFacts>();
  return std::optional<UserFacts>(UserFacts{(*u)->agency_id, (*u)->team_id, (*u)->role, !(*u)->disabled});
}

Result<bool> DirectoryLookup::AgencyExists(const std::string& id) {
  auto a = dir_.GetAgency(id);
  if (!a.ok()) {
    if (a.status().code() == StatusCode::kInvalidArgument) return false;
    return a.status();
  }
  return a->has_value();
}

Result<std::string> DirectoryLookup::DutyTeam(const std::string& framework, const std::string& duty,
                                              const std::string& agency) {
  auto teams = dir_.ListTeams();
  if (!teams.ok()) return teams.status();
  const std::string want = framework + "/" + duty;
  for (const auto& t : *teams) {
    if (!agency.empty() && t.agency_id != agency) continue;
    if (t.duty == want) return t.id;  // by id: the first, if several share a duty
  }
  return std::string();
}

}  // namespace internal

namespace {

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

bool IsLogType(std::string_view type) { return StartsWith(type, store::kAuditPrefix) || StartsWith(type, "directory."); }

ojson EventRef(const store::Event& e) {
  return ojson{{"id", e.id},
               {"seq", e.seq},
               {"type", e.type},
               {"occurred_at", e.occurred_at},
               {"recorded_at", e.recorded_at}};
}

Result<std::string> OccurredAt(const std::string& given, Timestamp now) {
  if (given.empty()) return now.ToString();
  auto t = Timestamp::Parse(given);
  if (!t.ok()) return InvalidArgument("occurred_at: " + t.status().message()).WithField("occurred_at");
  if (t->unix_seconds() > now.unix_seconds() + 300) {
    return InvalidArgument("occurred_at: is in the future; record what has happened").WithField("occurred_at");
  }
  return t->ToString();
}

// Every transition recording `type` under this framework (and the household's).
std::vector<const framework::Transition*> TransitionsFor(const framework::Framework& fw, const std::string& type) {
  std::vector<const framework::Transition*> out;
  for (const auto& h : pathway::HouseholdTransitions()) {
    if (h.event == type) out.push_back(&h);
  }
  if (out.empty() && fw.pathway) out = fw.pathway->ForEvent(type);
  return out;
}

}  // namespace

// ---- the service's plumbing ------------------------------------------------------

store::Event Service::Impl::AuditEvent(const Caller& c, const std::string& what, const std::string& child,
                                       Action action, ojson detail, Timestamp now) const {
  store::Event e;
  e.child_id = child.empty() ? "-" : child;
  e.type = std::string(store::kAuditPrefix) + what;
  e.occurred_at = now.ToString();
  if (c.host_operator) {
    e.author = "operator:" + (c.operator_name.empty() ? std::string("unknown") : c.operator_name);
    e.agency = "-";
  } else {
    e.author = c.principal.user_id.empty() ? "-" : c.principal.user_id;
    e.agency = c.principal.agency_id.empty() ? "-" : c.principal.agency_id;
  }
  e.significance = store::kRoutine;
  ojson p;
  p["role"] = c.host_operator ? "host_operator" : c.principal.user_id.empty() ? "" : RoleName(c.principal.role);
  p["action"] = access::ActionName(action);
  p["via"] = c.channel.via;
  p["operation"] = c.channel.operation;
  if (!c.channel.request_id.empty()) p["request_id"] = c.channel.request_id;
  if (!c.channel.ip.empty()) p["ip"] = c.channel.ip;
  for (auto it = detail.begin(); it != detail.end(); ++it) p[it.key()] = *it;
  e.payload = p.dump(-1, ' ', false, json::error_handler_t::replace);
  return e;
}

Result<std::vector<store::Event>> Service::Impl::Append(std::vector<store::Event> events) {
  size_t audits = 0;
  for (const auto& e : events) audits += StartsWith(e.type, store::kAuditPrefix);
  auto r = store.Append(std::move(events), pathway::Project);
  if (r.ok()) audit_records.fetch_add(audits);
  return r;
}

Status Service::Impl::AuditRead(const Caller& c, const std::string& child, Action action, const std::string& basis,
                                Timestamp now, ojson extra) {
  ojson detail{{"outcome", "allowed"}, {"basis", basis}};
  for (auto it = extra.begin(); it != extra.end(); ++it) detail[it.key()] = *it;
  return Append({AuditEvent(c, action == Action::kExportCase ? "export" : "read", child, action, detail, now)})
      .status();
}

Status Service::Impl::Deny(const Caller& c, const std::string& child, Action action, const std::string& reason,
                           Status refusal, Timestamp now, ojson extra) {
  denials.fetch_add(1);
  ojson detail{{"outcome", "denied"}, {"reason", reason}};
  for (auto it = extra.begin(); it != extra.end(); ++it) detail[it.key()] = *it;
  auto a = Append({AuditEvent(c, "denied", child, action, detail, now)});
  if (!a.ok()) return a.status();
  return refusal;
}

Result<ChildContext> Service::Impl::Load(const Caller& c, const std::string& child_id) {
  ChildContext ctx;
  ctx.id = child_id;
  if (child_id.empty() || child_id.size() > store::kMaxIdBytes) return ctx;
  auto child = store.GetRow("children", {child_id});
  if (!child.ok()) return child.status();
  if (!*child) return ctx;
  ctx.exists = true;
  ctx.child = std::move(**child);
  auto entities = store.ListRows("entities", child_id);
  if (!entities.ok()) return entities.status();
  ctx.entities = std::move(*entities);
  auto deadlines = store.ListRows("deadlines", child_id);
  if (!deadlines.ok()) return deadlines.status();
  ctx.deadlines = std::move(*deadlines);
  ctx.fw = frameworks.Find(ctx.child.Value("framework_id"));

  struct ConsentRecord {
    std::string at;
    int64_t seq;
    access::CaseFacts::ConsentEvent e;
  };
  std::vector<ConsentRecord> consents;
  std::vector<std::string> member_agencies;
  for (const auto& r : ctx.entities) {
    const std::string kind = r.Value("kind");
    if (kind == "case") {
      json j = json::parse(r.Value("data"), nullptr, false);
      if (j.is_object()) ctx.state = pathway::CaseState::FromJson(j);
    } else if (kind == "team_member") {
      json j = json::parse(r.Value("data"), nullptr, false);
      if (j.is_object() && !j.value("member_agency", "").empty()) member_agencies.push_back(j.value("member_agency", ""));
    } else if (kind == "consent") {
      json j = json::parse(r.Value("data"), nullptr, false);
      if (!j.is_object()) continue;
      ConsentRecord x{j.value("occurred_at", ""), j.value("seq", int64_t{0}), {}};
      x.e.kind = j.value("kind", "");
      if (j.contains("agencies") && j["agencies"].is_array()) {
        for (const auto& a : j["agencies"])
          if (a.is_string()) x.e.agencies.push_back(a.get<std::string>());
      }
      consents.push_back(std::move(x));
    }
  }
  std::sort(consents.begin(), consents.end(), [](const ConsentRecord& a, const ConsentRecord& b) {
    return std::tie(a.at, a.seq) < std::tie(b.at, b.seq);
  });
  auto& f = ctx.facts;
  f.exists = true;
  for (auto& x : consents) f.consent_events.push_back(std::move(x.e));
  f.lead_professional = ctx.state.lead_professional;
  f.allocated_worker = ctx.state.allocated_worker;
  f.team_members = ctx.state.team;
  f.duty_team = ctx.state.duty_team;
  const bool open = ctx.fw && ctx.fw->pathway ? ctx.fw->pathway->IsOpen(ctx.state.state) : ctx.state.state != "none";
  f.duty_active = !ctx.state.duty_deadlines.empty() || (open && ctx.state.Unallocated());
  // The agencies working with the child, for safeguarding leads' oversight.
  if (c.principal.role == Role::kSafeguardingLead) {
    f.agencies = member_agencies;
    for (const std::string* u : {&ctx.state.lead_professional, &ctx.state.allocated_worker}) {
      if (u->empty()) continue;
      auto user = store.directory().GetUser(*u);
      if (!user.ok()) return user.status();
      if (*user) f.agencies.push_back((*user)->agency_id);
    }
    if (!ctx.state.duty_team.empty()) {
      auto team = store.directory().GetTeam(ctx.state.duty_team);
      if (!team.ok()) return team.status();
      if (*team) f.agencies.push_back((*team)->agency_id);
    }
  }
  ctx.subject = access::DescribeChild(c.principal, f);
  return ctx;
}

Result<std::string> Service::Impl::Gate(const Caller& c, const access::Request& what, ChildContext* child,
                                        Timestamp now, ojson extra) {
  if (c.host_operator && what.action != Action::kAdminister && what.action != Action::kReadFrameworks) {
    return Deny(c, child ? child->id : "-", what.action, "the host operator does not open children's records",
                Forbidden("the host operator does not open children's records; act as a named user (--as USER)"),
                now);
  }
  if (c.host_operator) return std::string("host operator");
  access::Subject subject = child ? child->subject : access::Subject{};
  access::Decision d = access::Authorize(c.principal, what, subject);
  if (!d.allowed && child && child->exists && !subject.break_glass && what.action == Action::kReadCase &&
      IsCaseRole(c.principal.role)) {
    auto grants = store.directory().ActiveBreakGlass(c.principal.user_id, child->id, now.ToString());
    if (!grants.ok()) return grants.status();
    if (!grants->empty()) {
      child->subject.break_glass = true;
      subject.break_glass = true;
      d = access::Authorize(c.principal, what, subject);
      if (d.allowed) d.basis += "; grant " + grants->front().id + ": " + grants->front().reason;
    }
  }
  if (d.allowed) return d.basis;
  if (child) {
    extra["relationship"] = access::RelationshipName(subject.relationship);
    extra["consent"] = access::ConsentName(subject.consent);
    extra["child_exists"] = child->exists;
  }
  return Deny(c, child ? child->id : "-", what.action, d.reason, Forbidden(d.reason), now, extra);
}

bool Service::Impl::MayRead(const Caller& c, ChildContext& ctx, Timestamp) {
  if (c.host_operator) return false;
  return access::Authorize(c.principal, {Action::kReadCase}, ctx.subject).allowed;
}

bool Service::Impl::Oversees(const Caller& c, const std::string& child) {
  if (c.host_operator || c.principal.role != Role::kSafeguardingLead) return false;
  if (c.principal.LocalAuthorityLead()) return true;
  auto ctx = Load(c, child);
  if (!ctx.ok()) return false;
  return access::Authorize(c.principal, {Action::kReadChildAudit}, ctx->subject).allowed;
}

ojson Service::Impl::EventForReader(const Caller& c, const store::Event& e) const {
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
  pathway::Envelope env = pathway::ReadEnvelope(json::parse(e.payload, nullptr, false));
  if (!access::SeesConfidential(c.principal, e.agency)) {
    if (env.author_confidential) {
      j["author"] = "withheld";
      j["agency"] = "withheld";
    }
    for (const auto& f : env.confidential_fields) {
      if (fields.contains(f)) fields[f] = "withheld";
    }
  }
  j["fields"] = fields;
  if (!env.transition.empty()) {
    j["transition"] = env.transition;
    j["from"] = env.from;
    j["to"] = env.to;
    j["episode"] = env.episode;
  }
  if (!env.warnings.empty()) j["warnings"] = env.warnings;
  if (payload.is_object() && payload.contains("corrects")) j["corrects"] = payload["corrects"];
  if (!e.supersedes.empty()) {
    j["supersedes"] = e.supersedes;
    j["reason"] = e.reason;
  }
  if (!e.superseded_by.empty()) j["superseded_by"] = e.superseded_by;
  return j;
}

ojson Service::Impl::RecordForReader(const Caller& c, const json& record) const {
  ojson out = ojson::parse(record.dump(), nullptr, false);
  if (!out.is_object() || !record.contains("confidential")) return out;
  if (access::SeesConfidential(c.principal, record.value("agency", ""))) {
    out.erase("confidential");
    return out;
  }
  const json& conf = record["confidential"];
  if (conf.value("author", false)) {
    out["author"] = "withheld";
    out["agency"] = "withheld";
    if (out.contains("updated_by")) out["updated_by"] = "withheld";
  }
  if (conf.contains("fields") && out.contains("fields") && out["fields"].is_object()) {
    for (const auto& f : conf["fields"]) {
      if (f.is_string() && out["fields"].contains(f.get<std::string>())) out["fields"][f.get<std::string>()] = "withheld";
    }
  }
  out.erase("confidential");
  return out;
}

// ---- the service ------------------------------------------------------------------

Service::Service(store::Store& store, framework::Registry frameworks, HolidayCalendar calendar, Options options)
    : impl_(std::make_unique<Impl>(store, std::move(frameworks), std::move(calendar), options)) {}
Service::~Service() = default;

const framework::Registry& Service::frameworks() const { return impl_->frameworks; }
store::Store& Service::store() { return impl_->store; }

Result<Caller> Service::CallerFor(const store::User& u, Channel channel) {
  auto role = ParseRole(u.role);
  // A role this build does not know gives no access at all (fail closed).
  if (!role) return Forbidden("the account '" + u.username + "' has a role this system does not know ('" + u.role + "')");
  if (u.disabled) return Forbidden("the account '" + u.username + "' is disabled");
  Caller c;
  c.username = u.username;
  c.channel = std::move(channel);
  c.principal.user_id = u.id;
  c.principal.agency_id = u.agency_id;
  c.principal.team_id = u.team_id;
  c.principal.role = *role;
  auto agency = impl_->store.directory().GetAgency(u.agency_id);
  if (!agency.ok()) return agency.status();
  if (!*agency) return Forbidden("the account '" + u.username + "' belongs to no agency");
  c.principal.agency_kind = (*agency)->kind;
  if (!u.team_id.empty()) {
    auto team = impl_->store.directory().GetTeam(u.team_id);
    if (!team.ok()) return team.status();
    // A team of another agency gives nothing (teams belong to agencies).
    if (!*team || (*team)->agency_id != u.agency_id) c.principal.team_id.clear();
  }
  return c;
}

Result<Caller> Service::CallerByName(const std::string& username, Channel channel) {
  auto u = impl_->store.directory().FindUserByName(username);
  if (!u.ok()) return u.status();
  if (!*u) return NotFound("no account '" + username + "'; an administrator adds one with 'continuum user add'");
  return CallerFor(**u, std::move(channel));
}

Caller Service::HostOperator(Channel channel) {
  Caller c;
  c.host_operator = true;
  c.channel = std::move(channel);
  const char* user = std::getenv("USER");
  c.operator_name = user && *user ? user : "unknown";
  return c;
}

ojson Service::FrameworkList() const {
  ojson out = ojson::array();
  for (const auto& fw : impl_->frameworks.all()) {
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
  return ojson{{"frameworks", out}};
}

Result<ojson> Service::FrameworkJson(const std::string& id) const {
  auto fw = impl_->frameworks.Find(id);
  if (!fw) return NotFound("no framework '" + id + "'").WithField("framework");
  return FrameworkToJson(*fw);
}

Result<std::string> Service::Assess(const std::string& framework, const std::string& observations) const {
  auto fw = impl_->frameworks.Find(framework);
  if (!fw) return NotFound("no framework '" + framework + "'").WithField("framework");
  thread_local threshold::ObservationParser parser;
  auto obs = parser.Parse(observations.empty() ? "{}" : observations);
  if (!obs.ok()) return obs.status();
  auto s = threshold::Evaluate(*fw, *obs);
  if (!s.ok()) return s.status();
  std::string out;
  threshold::AppendJson(*fw, *s, &out);
  return out;
}

// ---- recording ------------------------------------------------------------------------

Result<ojson> Service::Register(const Caller& c, const std::string& framework, const json& fields,
                                const std::string& occurred_at, Timestamp now) {
  auto basis = impl_->Gate(c, {Action::kRegisterChild}, nullptr, now);
  if (!basis.ok()) return basis.status();
  auto fw = impl_->frameworks.Find(framework);
  if (!fw) return InvalidArgument("framework: no framework '" + framework + "'").WithField("framework");
  auto at = OccurredAt(occurred_at, now);
  if (!at.ok()) return at.status();
  pathway::Command cmd{.child_id = "c-" + access::RandomHexId(8),
                       .event_type = pathway::kChildRegistered,
                       .occurred_at = *at,
                       .actor = {c.principal.user_id, c.principal.agency_id, c.principal.team_id,
                                 RoleName(c.principal.role)},
                       .fields = fields};
  auto e = pathway::PrepareRegistration(*fw, cmd);
  if (!e.ok()) return e.status();
  ojson detail{{"outcome", "allowed"}, {"basis", *basis}, {"event_type", e->type}};
  auto stored = impl_->Append({*e, impl_->AuditEvent(c, "write", cmd.child_id, Action::kRegisterChild, detail, now)});
  if (!stored.ok()) return stored.status();
  return ojson{{"child_id", cmd.child_id}, {"event", EventRef(stored->front())}};
}

Result<Service::Registered> Service::RegisterMany(const Caller& c, const std::string& framework,
                                                  const std::vector<NewChild>& rows, const std::string& occurred_at,
                                                  bool all_or_nothing, Timestamp now,
                                                  const std::function<void(size_t, size_t)>& progress) {
  auto basis = impl_->Gate(c, {Action::kRegisterChild}, nullptr, now);
  if (!basis.ok()) return basis.status();
  auto fw = impl_->frameworks.Find(framework);
  if (!fw) return InvalidArgument("framework: no framework '" + framework + "'").WithField("framework");
  auto at = OccurredAt(occurred_at, now);
  if (!at.ok()) return at.status();
  Registered out;
  std::vector<store::Event> good;
  std::set<std::string> ids;
  for (const auto& row : rows) {
    std::string id = row.id.empty() ? "c-" + access::RandomHexId(8) : row.id;
    if (!ids.insert(id).second) {
      out.problems.push_back(row.where + ": child_id '" + id + "' appears twice");
      continue;
    }
    pathway::Command cmd{.child_id = id,
                         .event_type = pathway::kChildRegistered,
                         .occurred_at = *at,
                         .actor = {c.principal.user_id, c.principal.agency_id, c.principal.team_id,
                                   RoleName(c.principal.role)},
                         .fields = row.fields};
    auto e = pathway::PrepareRegistration(*fw, cmd);
    if (!e.ok()) {
      out.problems.push_back(row.where + ": " + e.status().message());
      continue;
    }
    auto existing = impl_->store.GetRow("children", {id});
    if (!existing.ok()) return existing.status();
    if (*existing) {
      out.problems.push_back(row.where + ": child '" + id + "' is already registered");
      continue;
    }
    good.push_back(std::move(*e));
  }
  if (!out.problems.empty() && all_or_nothing) return out;
  const size_t batch = all_or_nothing ? std::max<size_t>(good.size(), 1) : 500;
  for (size_t i = 0; i < good.size(); i += batch) {
    std::vector<store::Event> chunk(good.begin() + i, good.begin() + std::min(good.size(), i + batch));
    std::vector<std::string> chunk_ids;
    for (const auto& e : chunk) chunk_ids.push_back(e.child_id);
    chunk.push_back(impl_->AuditEvent(c, "write", "-", Action::kRegisterChild,
                                      {{"outcome", "allowed"}, {"basis", *basis}, {"event_type", pathway::kChildRegistered},
                                       {"children", chunk_ids}},
                                      now));
    auto r = impl_->Append(std::move(chunk));
    if (!r.ok()) {
      return Status(r.status().code(), "writing failed after " + std::to_string(out.written) +
                                           " children were registered: " + r.status().message());
    }
    out.written += chunk_ids.size();
    if (progress) progress(out.written, good.size());
  }
  return out;
}

namespace {

// What a caller who may not read the child is told when an entry point is
// refused: nothing about the case.
Status Opaque(const Status& s) {
  if (s.code() == StatusCode::kInvalidArgument && StartsWith(s.field(), "fields.")) return s;
  return Forbidden(access::kNoAccess);
}

}  // namespace

// Shared by Record and Check: everything but the append.
struct Attempt {
  ChildContext ctx;
  std::string basis;
  bool may_read = false;
  pathway::Prepared prepared;
};

static Result<Attempt> Attempt_(Service::Impl& impl, const Caller& c, const RecordRequest& r, Timestamp now) {
  Attempt a;
  auto ctx = impl.Load(c, r.child);
  if (!ctx.ok()) return ctx.status();
  a.ctx = std::move(*ctx);
  // Whether the event is an entry point is a property of the event type in
  // the child's framework, whatever the state: asking reveals nothing.
  bool entry = false;
  std::vector<const framework::Transition*> candidates;
  if (a.ctx.exists && a.ctx.fw) candidates = TransitionsFor(*a.ctx.fw, r.type);
  for (const auto* t : candidates) entry = entry || t->entry;
  auto basis = impl.Gate(c, {Action::kRecordEvent, entry}, &a.ctx, now, {{"event_type", r.type}});
  if (!basis.ok()) return basis.status();
  a.basis = *basis;
  if (!a.ctx.fw) return Internal("the child's framework '" + a.ctx.child.Value("framework_id") + "' is not loaded");
  a.may_read = impl.MayRead(c, a.ctx, now);
  auto at = OccurredAt(r.occurred_at, now);
  if (!at.ok()) return at.status();
  if (!r.fields.is_object()) return InvalidArgument("fields: must be an object").WithField("fields");
  pathway::Command cmd{.child_id = a.ctx.id,
                       .event_type = r.type,
                       .occurred_at = *at,
                       .actor = {c.principal.user_id, c.principal.agency_id, c.principal.team_id,
                                 RoleName(c.principal.role)},
                       .fields = r.fields};
  auto prepared = pathway::Prepare(*a.ctx.fw, impl.calendar, a.ctx.state, cmd, impl.lookup);
  if (!prepared.ok()) {
    if (prepared.status().code() == StatusCode::kUnavailable || prepared.status().code() == StatusCode::kInternal) {
      return prepared.status();
    }
    Status told = a.may_read ? prepared.status() : Opaque(prepared.status());
    return impl.Deny(c, a.ctx.id, Action::kRecordEvent, prepared.status().message(), told, now,
                     {{"event_type", r.type}});
  }
  a.prepared = std::move(*prepared);
  return a;
}

static ojson RecordedJson(const Attempt& a, const store::Event& e) {
  ojson out{{"child_id", a.ctx.id}, {"event", EventRef(e)}};
  if (!a.prepared.warnings.empty()) out["warnings"] = a.prepared.warnings;
  if (!a.may_read) return out;  // an entry point: the caller learns nothing of the case
  json payload = json::parse(e.payload, nullptr, false);
  if (payload.is_object() && payload.contains("pathway")) {
    const auto& pw = payload["pathway"];
    out["case"] = ojson{{"from", pw.value("from", "")}, {"state", pw.value("to", "")}, {"episode", pw.value("episode", 0)}};
    out["deadlines"] = ojson::parse(pw.value("deadlines", json::array()).dump());
  }
  return out;
}

Result<ojson> Service::Record(const Caller& c, const RecordRequest& r, Timestamp now) {
  auto a = Attempt_(*impl_, c, r, now);
  if (!a.ok()) return a.status();
  ojson detail{{"outcome", "allowed"}, {"basis", a->basis}, {"event_type", r.type}};
  auto stored = impl_->Append(
      {a->prepared.event, impl_->AuditEvent(c, "write", a->ctx.id, Action::kRecordEvent, detail, now)});
  if (!stored.ok()) return stored.status();
  return RecordedJson(*a, stored->front());
}

Result<ojson> Service::Check(const Caller& c, const RecordRequest& r, Timestamp now) {
  auto a = Attempt_(*impl_, c, r, now);
  if (!a.ok()) return a.status();
  ojson out{{"child_id", a->ctx.id}, {"type", r.type}, {"accepted", true}};
  if (!a->prepared.warnings.empty()) out["warnings"] = a->prepared.warnings;
  return out;
}

Result<ojson> Service::Next(const Caller& c, const std::string& child, Timestamp now) {
  auto ctx = impl_->Load(c, child);
  if (!ctx.ok()) return ctx.status();
  auto basis = impl_->Gate(c, {Action::kReadCase}, &*ctx, now);
  if (!basis.ok()) return basis.status();
  if (!ctx->fw) return Internal("the child's framework is not loaded");
  const auto& fw = *ctx->fw;
  pathway::Actor actor{c.principal.user_id, c.principal.agency_id, c.principal.team_id, RoleName(c.principal.role)};
  ojson steps = ojson::array();
  std::vector<const framework::Transition*> all;
  if (fw.pathway) {
    for (const auto& t : fw.pathway->transitions) all.push_back(&t);
  }
  for (const auto& h : pathway::HouseholdTransitions()) all.push_back(&h);
  for (const auto* t : all) {
    if (!t->From(ctx->state.state)) continue;
    // The same two questions Record asks, in the same order.
    access::Decision d = access::Authorize(c.principal, {Action::kRecordEvent, t->entry}, ctx->subject);
    Status taking = d.allowed ? pathway::CheckTaking(fw, *t, ctx->state, actor) : Forbidden(d.reason);
    ojson step = TransitionToJson(fw, *t);
    step["allowed_for_you"] = taking.ok();
    if (!taking.ok()) step["why_not"] = taking.message();
    // What the record must say first (an agreement, a team, the plan's
    // actions): recording now would be refused for exactly these.
    auto waiting = pathway::WaitingFor(*t, ctx->state, now.date(), ctx->id);
    step["ready"] = waiting.empty();
    if (!waiting.empty()) step["waiting_for"] = waiting;
    steps.push_back(std::move(step));
  }
  const auto* st = fw.pathway ? fw.pathway->FindState(ctx->state.state) : nullptr;
  CONTINUUM_RETURN_IF_ERROR(impl_->AuditRead(c, ctx->id, Action::kReadCase, *basis, now, {{"view", "next"}}));
  return ojson{{"child_id", ctx->id},
               {"framework", fw.id},
               {"state", ctx->state.state},
               {"state_label", st ? st->label : ctx->state.state},
               {"next", steps}};
}

Result<ojson> Service::Correct(const Caller& c, const std::string& child, const std::string& event_id,
                               const json& fields, const std::string& reason, const std::string& occurred_at,
                               Timestamp now) {
  auto ctx = impl_->Load(c, child);
  if (!ctx.ok()) return ctx.status();
  auto basis = impl_->Gate(c, {Action::kCorrectRecord}, &*ctx, now);
  if (!basis.ok()) return basis.status();
  if (!ctx->fw) return Internal("the child's framework is not loaded");
  auto original = impl_->store.GetEvent(event_id);
  if (!original.ok()) {
    if (original.status().code() != StatusCode::kInvalidArgument) return original.status();
    original = std::optional<store::Event>();
  }
  if (!*original || (*original)->child_id != ctx->id || IsLogType((*original)->type)) {
    return NotFound("supersedes: no such event in this child's record").WithField("supersedes");
  }
  if ((*original)->agency != c.principal.agency_id) {
    return impl_->Deny(c, ctx->id, Action::kCorrectRecord, "another agency's record",
                       Forbidden("only the agency that recorded an event may correct it"), now);
  }
  auto at = OccurredAt(occurred_at, now);
  if (!at.ok()) return at.status();
  pathway::Command cmd{.child_id = ctx->id,
                       .event_type = pathway::kRecordCorrected,
                       .occurred_at = *at,
                       .actor = {c.principal.user_id, c.principal.agency_id, c.principal.team_id,
                                 RoleName(c.principal.role)},
                       .fields = fields,
                       .supersedes = (*original)->id,
                       .reason = reason};
  auto e = pathway::PrepareCorrection(*ctx->fw, **original, cmd);
  if (!e.ok()) return e.status();
  ojson detail{{"outcome", "allowed"}, {"basis", *basis}, {"event_type", e->type}, {"corrects", (*original)->id}};
  auto stored = impl_->Append({*e, impl_->AuditEvent(c, "write", ctx->id, Action::kCorrectRecord, detail, now)});
  if (!stored.ok()) return stored.status();
  return ojson{{"child_id", ctx->id}, {"event", EventRef(stored->front())}};
}

namespace {

// A reason in real words: enough letters, over at least three words.
bool MeaningfulReason(const std::string& s, int min_letters) {
  int letters = 0, words = 0, run = 0;
  for (unsigned char ch : s + " ") {
    if (std::isalpha(ch)) {
      ++letters;
      ++run;
    } else {
      if (run >= 2) ++words;
      run = 0;
    }
  }
  return letters >= min_letters && words >= 3;
}

}  // namespace

Result<ojson> Service::BreakGlass(const Caller& c, const std::string& child, const std::string& reason, Timestamp now) {
  auto ctx = impl_->Load(c, child);
  if (!ctx.ok()) return ctx.status();
  auto basis = impl_->Gate(c, {Action::kBreakGlass}, &*ctx, now);
  if (!basis.ok()) return basis.status();
  auto& dir = impl_->store.directory();
  if (reason.size() > 4096 || !MeaningfulReason(reason, impl_->options.break_glass_reason_min_letters)) {
    return impl_->Deny(c, ctx->id, Action::kBreakGlass, "reason not given in words",
                       InvalidArgument("reason: say in words why emergency access is needed (at least " +
                                       std::to_string(impl_->options.break_glass_reason_min_letters) +
                                       " letters over three or more words, at most 4096 characters)")
                           .WithField("reason"),
                       now);
  }
  // A burst of grants is refused and raises an alert of its own.
  auto recent = dir.RecentBreakGlass(c.principal.user_id, Timestamp::FromUnixSeconds(now.unix_seconds() - 3600).ToString());
  if (!recent.ok()) return recent.status();
  if (static_cast<int>(recent->size()) >= impl_->options.break_glass_per_hour) {
    store::Alert burst{.kind = "break_glass_burst",
                       .child_id = ctx->id,
                       .user_id = c.principal.user_id,
                       .agency_id = c.principal.agency_id,
                       .detail = std::to_string(recent->size()) + " break-glass grants in the last hour; another refused",
                       .created_at = now.ToString()};
    auto id = dir.CreateAlert(burst);
    if (!id.ok()) return id.status();
    return impl_->Deny(c, ctx->id, Action::kBreakGlass, "too many break-glass grants in an hour",
                       Forbidden("you have used break-glass " + std::to_string(recent->size()) +
                                 " times in the last hour; ask your safeguarding lead"),
                       now, {{"alert", *id}});
  }
  store::BreakGlassGrant g;
  g.id = access::RandomHexId(16);
  g.user_id = c.principal.user_id;
  g.child_id = ctx->id;
  g.reason = reason;
  g.granted_at = now.ToString();
  g.expires_at = Timestamp::FromUnixSeconds(
                     now.unix_seconds() +
                     std::chrono::duration_cast<std::chrono::seconds>(impl_->options.break_glass_duration).count())
                     .ToString();
  CONTINUUM_RETURN_IF_ERROR(dir.CreateBreakGlass(g));
  store::Alert alert{.kind = "break_glass",
                     .child_id = ctx->id,
                     .user_id = g.user_id,
                     .agency_id = c.principal.agency_id,
                     .detail = g.reason,
                     .created_at = g.granted_at};
  auto id = dir.CreateAlert(alert);
  if (!id.ok()) return id.status();
  auto a = impl_->Append({impl_->AuditEvent(c, "break_glass", ctx->id, Action::kBreakGlass,
                                            {{"outcome", "allowed"},
                                             {"reason", g.reason},
                                             {"grant", g.id},
                                             {"expires_at", g.expires_at},
                                             {"alert", *id}},
                                            now)});
  if (!a.ok()) return a.status();
  return ojson{{"grant", {{"id", g.id}, {"child_id", ctx->id}, {"expires_at", g.expires_at}}}, {"alert", *id}};
}

Status Service::AuditAnonymous(const Channel& ch, const std::string& what, ojson detail, Timestamp now) {
  Caller nobody;
  nobody.channel = ch;
  return impl_->Append({impl_->AuditEvent(nobody, what, "-", Action::kPublic, std::move(detail), now)}).status();
}

Status Service::AuditAs(const Caller& c, const std::string& what, const std::string& child, ojson detail,
                        Timestamp now) {
  return impl_->Append({impl_->AuditEvent(c, what, child, Action::kOwnSession, std::move(detail), now)}).status();
}

}  // namespace continuum::casework

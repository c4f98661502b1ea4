// The case service's directory and sessions: agencies, teams and accounts
// (administrators and the host operator), logging in and out.
#include <algorithm>
#include <set>

#include "access/accounts.h"
#include "case/service.h"
#include "case/service_internal.h"

namespace continuum::casework {

using access::Action;

namespace {

ojson UserJson(const store::User& u) {
  return ojson{{"id", u.id},
               {"username", u.username},
               {"display_name", u.display_name},
               {"role", u.role},
               {"agency_id", u.agency_id},
               {"team_id", u.team_id},
               {"totp", !u.totp_secret.empty()},
               {"disabled", u.disabled},
               {"created_at", u.created_at},
               {"updated_at", u.updated_at}};
}

ojson TeamJson(const store::Team& t) {
  return ojson{{"id", t.id}, {"agency_id", t.agency_id}, {"name", t.name}, {"duty", t.duty}};
}

// Roles that see across records (the audit trail, alerts) or manage accounts:
// creating one is brought to the safeguarding leads' attention.
bool Privileged(const std::string& role) { return role == "safeguarding_lead" || role == "administrator"; }

bool HasControl(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; });
}

}  // namespace

// ---- sessions ----------------------------------------------------------------

const access::LoginPolicy& Service::login_policy() const { return impl_->options.login; }
uint64_t Service::audit_records() const { return impl_->audit_records.load(); }
uint64_t Service::denials() const { return impl_->denials.load(); }

Result<Service::LoginOutcome> Service::Login(const access::LoginAttempt& attempt, Channel channel, Timestamp now) {
  auto result = access::Login(impl_->store.directory(), impl_->options.login, attempt, now);
  if (!result.ok()) return result.status();
  LoginOutcome out;
  if (!result->ok) {
    Caller who;
    who.channel = channel;
    // The name typed is recorded only when it is an account's: otherwise it
    // may be a password typed into the wrong box.
    ojson detail{{"outcome", "denied"}, {"reason", result->failure}};
    if (!result->user.id.empty()) {
      who.principal.user_id = result->user.id;
      who.principal.agency_id = result->user.agency_id;
      detail["username"] = result->user.username;
    } else {
      detail["username"] = "unknown name";
    }
    auto a = impl_->Append({impl_->AuditEvent(who, "login_failed", "-", Action::kPublic, detail, now)});
    if (!a.ok()) return a.status();
    out.throttled = result->throttled;
    out.retry_after = result->retry_after;
    return out;
  }
  auto caller = CallerFor(result->user, channel);
  if (!caller.ok()) {
    // An account the system cannot place (unknown role): no session.
    (void)access::Logout(impl_->store.directory(), result->token);
    CONTINUUM_RETURN_IF_ERROR(
        impl_->Append({impl_->AuditEvent(Caller{}, "login_failed", "-", Action::kPublic,
                                         {{"outcome", "denied"}, {"reason", caller.status().message()}}, now)})
            .status());
    return out;
  }
  CONTINUUM_RETURN_IF_ERROR(
      impl_->Append({impl_->AuditEvent(*caller, "login", "-", Action::kPublic, {{"outcome", "allowed"}}, now)})
          .status());
  // Changes an administrator made to this account lately.
  ojson notices = ojson::array();
  const std::string since = Timestamp::FromUnixSeconds(now.unix_seconds() - 30 * 86400).ToString();
  // Newest first, a page at a time, back to `since`.
  int64_t before = 0;
  for (bool more = true; more;) {
    auto alerts = impl_->store.directory().ListAlerts(false, before, 200);
    if (!alerts.ok()) return alerts.status();
    more = alerts->size() == 200;
    for (const auto& a : *alerts) {
      before = a.id;
      if (a.created_at < since) {
        more = false;
        break;
      }
      if (a.user_id != result->user.id || a.kind.rfind("account_", 0) != 0) continue;
      notices.push_back({{"kind", a.kind}, {"detail", a.detail}, {"at", a.created_at}});
    }
  }
  out.ok = true;
  out.token = result->token;
  out.body = ojson{{"token", result->token},
                   {"expires_at", result->session.expires_at},
                   {"idle_timeout_seconds", impl_->options.login.idle_timeout.count()},
                   {"user", UserJson(result->user)},
                   {"notices", notices}};
  return out;
}

Result<std::optional<Service::Session>> Service::Authenticate(std::string_view token, Channel channel,
                                                              Timestamp now) {
  auto a = access::Authenticate(impl_->store.directory(), impl_->options.login, token, now);
  if (!a.ok()) return a.status();
  if (!*a) return std::optional<Session>();
  auto caller = CallerFor((*a)->user, std::move(channel));
  if (!caller.ok()) {
    if (caller.status().code() == StatusCode::kForbidden) return std::optional<Session>();
    return caller.status();
  }
  return std::optional<Session>(Session{std::move(*caller), (*a)->user, (*a)->session});
}

Status Service::Logout(const Caller& c, std::string_view token, Timestamp now) {
  CONTINUUM_RETURN_IF_ERROR(access::Logout(impl_->store.directory(), token));
  return impl_->Append({impl_->AuditEvent(c, "logout", "-", Action::kOwnSession, {{"outcome", "allowed"}}, now)})
      .status();
}

// ---- the directory ----------------------------------------------------------------

namespace {

// Administrators' reads of the directory are audited like any other.
Status AuditAdmin(Service::Impl& impl, const Caller& c, ojson detail, Timestamp now) {
  detail["outcome"] = "allowed";
  return impl.Append({impl.AuditEvent(c, "admin", "-", Action::kAdminister, std::move(detail), now)}).status();
}

}  // namespace

Result<ojson> Service::ListAgencies(const Caller& c, Timestamp now) {
  auto basis = impl_->Gate(c, {Action::kAdminister}, nullptr, now);
  if (!basis.ok()) return basis.status();
  auto list = impl_->store.directory().ListAgencies();
  if (!list.ok()) return list.status();
  ojson out = ojson::array();
  for (const auto& a : *list) out.push_back({{"id", a.id}, {"name", a.name}, {"kind", a.kind}});
  CONTINUUM_RETURN_IF_ERROR(AuditAdmin(*impl_, c, {{"view", "agencies"}}, now));
  return ojson{{"agencies", out}};
}

Result<ojson> Service::PutAgency(const Caller& c, const store::Agency& a, Timestamp now) {
  auto basis = impl_->Gate(c, {Action::kAdminister}, nullptr, now);
  if (!basis.ok()) return basis.status();
  static const std::set<std::string> kKinds = {"school",      "health",          "police",    "early_help",
                                               "social_care", "local_authority", "voluntary", "other"};
  if (!kKinds.count(a.kind)) {
    return InvalidArgument(
               "kind: one of school, health, police, early_help, social_care, local_authority, voluntary, other")
        .WithField("kind");
  }
  if (HasControl(a.name) || a.name.empty()) {
    return InvalidArgument("name: required, without control characters").WithField("name");
  }
  if (Status s = impl_->store.directory().PutAgency(a); !s.ok()) {
    std::string m = s.message();
    return Status(s.code(), m).WithField(m.rfind("agency.id", 0) == 0 ? "id" : m.rfind("agency.name", 0) == 0 ? "name" : "");
  }
  CONTINUUM_RETURN_IF_ERROR(AuditAdmin(*impl_, c, {{"change", "agency saved"}, {"agency_id", a.id}, {"kind", a.kind}}, now));
  return ojson{{"id", a.id}, {"name", a.name}, {"kind", a.kind}};
}

Result<ojson> Service::ListTeams(const Caller& c, Timestamp now) {
  auto basis = impl_->Gate(c, {Action::kAdminister}, nullptr, now);
  if (!basis.ok()) return basis.status();
  auto list = impl_->store.directory().ListTeams();
  if (!list.ok()) return list.status();
  ojson out = ojson::array();
  for (const auto& t : *list) out.push_back(TeamJson(t));
  CONTINUUM_RETURN_IF_ERROR(AuditAdmin(*impl_, c, {{"view", "teams"}}, now));
  return ojson{{"teams", out}};
}

Result<ojson> Service::PutTeam(const Caller& c, const store::Team& t, Timestamp now) {
  auto basis = impl_->Gate(c, {Action::kAdminister}, nullptr, now);
  if (!basis.ok()) return basis.status();
  if (HasControl(t.name) || t.name.empty()) {
    return InvalidArgument("name: required, without control characters").WithField("name");
  }
  if (!t.duty.empty()) {
    // FRAMEWORK/DUTY, a duty the framework's pathway declares.
    size_t slash = t.duty.find('/');
    auto fw = slash == std::string::npos ? nullptr : impl_->frameworks.Find(t.duty.substr(0, slash));
    if (!fw || !fw->pathway || !fw->pathway->FindDuty(t.duty.substr(slash + 1))) {
      std::string known;
      for (const auto& f : impl_->frameworks.all()) {
        if (!f->pathway) continue;
        for (const auto& d : f->pathway->duties) known += (known.empty() ? "" : ", ") + f->id + "/" + d.id;
      }
      return InvalidArgument("duty: '" + t.duty + "' is not a duty of a loaded framework; the duties are: " + known)
          .WithField("duty");
    }
  }
  if (Status s = impl_->store.directory().PutTeam(t); !s.ok()) {
    if (s.code() == StatusCode::kNotFound) return InvalidArgument(s.message()).WithField("agency_id");
    const std::string& m = s.message();
    return Status(s.code(), m).WithField(m.rfind("team.id", 0) == 0 ? "id" : m.rfind("team.name", 0) == 0 ? "name" : "");
  }
  CONTINUUM_RETURN_IF_ERROR(
      AuditAdmin(*impl_, c, {{"change", "team saved"}, {"team_id", t.id}, {"agency_id", t.agency_id}, {"duty", t.duty}}, now));
  return TeamJson(t);
}

Result<ojson> Service::ListUsers(const Caller& c, Timestamp now) {
  auto basis = impl_->Gate(c, {Action::kAdminister}, nullptr, now);
  if (!basis.ok()) return basis.status();
  auto list = impl_->store.directory().ListUsers();
  if (!list.ok()) return list.status();
  ojson out = ojson::array();
  for (const auto& u : *list) out.push_back(UserJson(u));
  CONTINUUM_RETURN_IF_ERROR(AuditAdmin(*impl_, c, {{"view", "users"}}, now));
  return ojson{{"users", out}};
}

Result<ojson> Service::AddUser(const Caller& c, const NewUser& u, Timestamp now) {
  auto basis = impl_->Gate(c, {Action::kAdminister}, nullptr, now);
  if (!basis.ok()) return basis.status();
  auto& dir = impl_->store.directory();
  if (HasControl(u.display_name)) {
    return InvalidArgument("display_name: control characters are not allowed").WithField("display_name");
  }
  auto agency = dir.GetAgency(u.agency);
  if (!agency.ok() && agency.status().code() != StatusCode::kInvalidArgument) return agency.status();
  if (!agency.ok() || !*agency) {
    return InvalidArgument("agency: no agency '" + u.agency + "'").WithField("agency_id");
  }
  if (!u.team.empty()) {
    // Teams belong to agencies: a user joins only a team of their own.
    auto team = dir.GetTeam(u.team);
    if (!team.ok() && team.status().code() != StatusCode::kInvalidArgument) return team.status();
    if (!team.ok() || !*team) return InvalidArgument("team: no team '" + u.team + "'").WithField("team_id");
    if ((*team)->agency_id != u.agency) {
      return InvalidArgument("team: '" + u.team + "' belongs to agency '" + (*team)->agency_id + "', not '" + u.agency +
                             "'; a user joins only a team of their own agency")
          .WithField("team_id");
    }
  }
  access::NewUser nu{u.username, u.display_name, u.role, u.agency, u.team, u.password, u.totp};
  auto created = access::AddUser(dir, nu, now);
  if (!created.ok()) {
    const std::string& m = created.status().message();
    for (const char* f : {"username", "role", "display_name", "password"}) {
      if (m.rfind(f, 0) == 0) return created.status().WithField(f);
    }
    return created.status();
  }
  CONTINUUM_RETURN_IF_ERROR(AuditAdmin(*impl_, c,
                                       {{"change", "user added"},
                                        {"user_id", created->user.id},
                                        {"user_role", created->user.role},
                                        {"agency_id", created->user.agency_id}},
                                       now));
  if (Privileged(created->user.role)) {
    store::Alert alert{.kind = "account_privileged",
                       .child_id = "",
                       .user_id = created->user.id,
                       .agency_id = created->user.agency_id,
                       .detail = "account '" + created->user.username + "' created with role " + created->user.role +
                                 " by " + (c.host_operator ? "the host operator " + c.operator_name : c.username),
                       .created_at = now.ToString()};
    auto id = dir.CreateAlert(alert);
    if (!id.ok()) return id.status();
  }
  ojson out = UserJson(created->user);
  if (!created->totp_secret.empty()) {
    out["totp_secret"] = created->totp_secret;
    out["totp_uri"] = created->totp_uri;
  }
  return out;
}

Result<ojson> Service::DisableUser(const Caller& c, const std::string& user, Timestamp now) {
  auto basis = impl_->Gate(c, {Action::kAdminister}, nullptr, now);
  if (!basis.ok()) return basis.status();
  auto u = access::DisableUser(impl_->store.directory(), user, now);
  if (!u.ok()) return u.status();
  CONTINUUM_RETURN_IF_ERROR(AuditAdmin(*impl_, c, {{"change", "user disabled"}, {"user_id", u->id}}, now));
  return UserJson(*u);
}

Result<ojson> Service::ResetUser(const Caller& c, const std::string& user, const Reset& r, Timestamp now) {
  auto basis = impl_->Gate(c, {Action::kAdminister}, nullptr, now);
  if (!basis.ok()) return basis.status();
  access::Reset reset{r.password, r.new_totp, r.remove_totp, r.enable};
  auto out = access::ResetUser(impl_->store.directory(), user, reset, now);
  if (!out.ok()) {
    const std::string& m = out.status().message();
    if (m.rfind("password", 0) == 0) return out.status().WithField("password");
    return out.status();
  }
  CONTINUUM_RETURN_IF_ERROR(AuditAdmin(*impl_, c, {{"change", "user reset"}, {"user_id", out->user.id}}, now));
  // Someone who can set a password can sign in as that person: the leads are
  // told, and so is the person at their next login.
  std::string what;
  if (r.password) what += "password reset";
  if (r.new_totp) what += std::string(what.empty() ? "" : ", ") + "new second factor";
  if (r.remove_totp) what += std::string(what.empty() ? "" : ", ") + "second factor removed";
  if (r.enable) what += std::string(what.empty() ? "" : ", ") + "account enabled";
  if (!what.empty()) {
    store::Alert alert{.kind = "account_reset",
                       .child_id = "",
                       .user_id = out->user.id,
                       .agency_id = out->user.agency_id,
                       .detail = what + " for '" + out->user.username + "' by " +
                                 (c.host_operator ? "the host operator " + c.operator_name : c.username),
                       .created_at = now.ToString()};
    auto id = impl_->store.directory().CreateAlert(alert);
    if (!id.ok()) return id.status();
  }
  ojson j = UserJson(out->user);
  if (!out->totp_secret.empty()) {
    j["totp_secret"] = out->totp_secret;
    j["totp_uri"] = out->totp_uri;
  }
  return j;
}

}  // namespace continuum::casework

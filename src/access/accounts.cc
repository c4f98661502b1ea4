#include "access/accounts.h"

#include <algorithm>
#include <cctype>

#include "access/credentials.h"
#include "access/policy.h"

namespace continuum::access {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

Status CheckUsername(const std::string& name) {
  if (name.size() < 2 || name.size() > 64) return InvalidArgument("username: must be 2 to 64 characters");
  for (unsigned char c : name) {
    if (!(std::isalnum(c) || c == '.' || c == '-' || c == '_' || c == '@')) {
      return InvalidArgument("username: only letters, digits and . - _ @ are allowed");
    }
  }
  return Status::Ok();
}

std::string Plus(Timestamp t, std::chrono::seconds s) {
  return Timestamp::FromUnixSeconds(t.unix_seconds() + s.count()).ToString();
}

}  // namespace

Result<store::User> FindUser(store::Directory& dir, const std::string& id_or_name) {
  auto byid = dir.GetUser(id_or_name);
  if (!byid.ok()) return byid.status();
  if (*byid) return **byid;
  auto byname = dir.FindUserByName(Lower(id_or_name));
  if (!byname.ok()) return byname.status();
  if (*byname) return **byname;
  return NotFound("no user '" + id_or_name + "'");
}

Result<UserCreated> AddUser(store::Directory& dir, const NewUser& u, Timestamp now) {
  CONTINUUM_RETURN_IF_ERROR(CheckUsername(u.username));
  if (!ParseRole(u.role)) {
    return InvalidArgument("role: '" + u.role +
                           "' is not one of practitioner, lead_professional, team_leader, front_door, "
                           "social_worker, safeguarding_lead, analyst, administrator");
  }
  if (u.display_name.empty() || u.display_name.size() > 200) {
    return InvalidArgument("display_name: required, at most 200 characters");
  }
  if (u.agency_id.empty()) return InvalidArgument("agency: required");
  CONTINUUM_RETURN_IF_ERROR(CheckPasswordPolicy(u.password, u.username));
  auto hash = HashPassword(u.password);
  if (!hash.ok()) return hash.status();
  UserCreated out;
  out.user.id = "u-" + RandomHexId(6);
  out.user.username = Lower(u.username);
  out.user.display_name = u.display_name;
  out.user.role = u.role;
  out.user.agency_id = u.agency_id;
  out.user.team_id = u.team_id;
  out.user.password_hash = *hash;
  if (u.totp) {
    out.user.totp_secret = NewTotpSecret();
    out.totp_secret = out.user.totp_secret;
    out.totp_uri = TotpUri("Continuum", out.user.username, out.totp_secret);
  }
  out.user.created_at = out.user.updated_at = now.ToString();
  CONTINUUM_RETURN_IF_ERROR(dir.CreateUser(out.user));
  return out;
}

Result<store::User> DisableUser(store::Directory& dir, const std::string& id_or_name, Timestamp now) {
  auto user = FindUser(dir, id_or_name);
  if (!user.ok()) return user.status();
  user->disabled = true;
  user->updated_at = now.ToString();
  CONTINUUM_RETURN_IF_ERROR(dir.UpdateUser(*user));
  CONTINUUM_RETURN_IF_ERROR(dir.DeleteUserSessions(user->id));
  return *user;
}

Result<UserCreated> ResetUser(store::Directory& dir, const std::string& id_or_name, const Reset& r,
                              Timestamp now) {
  auto user = FindUser(dir, id_or_name);
  if (!user.ok()) return user.status();
  if (!r.password && !r.new_totp && !r.remove_totp && !r.enable) {
    return InvalidArgument(
        "nothing to reset: give a new password, a new TOTP secret, TOTP removal or enable");
  }
  if (r.new_totp && r.remove_totp)
    return InvalidArgument("totp: cannot both renew and remove the second factor");
  UserCreated out;
  if (r.password) {
    CONTINUUM_RETURN_IF_ERROR(CheckPasswordPolicy(*r.password, user->username));
    auto hash = HashPassword(*r.password);
    if (!hash.ok()) return hash.status();
    user->password_hash = *hash;
  }
  if (r.new_totp) {
    user->totp_secret = NewTotpSecret();
    user->totp_last_step = 0;
    out.totp_secret = user->totp_secret;
    out.totp_uri = TotpUri("Continuum", user->username, user->totp_secret);
  }
  if (r.remove_totp) user->totp_secret.clear();
  if (r.enable) user->disabled = false;
  user->updated_at = now.ToString();
  CONTINUUM_RETURN_IF_ERROR(dir.UpdateUser(*user));
  CONTINUUM_RETURN_IF_ERROR(dir.DeleteUserSessions(user->id));
  out.user = *user;
  return out;
}

Result<LoginResult> Login(store::Directory& dir, const LoginPolicy& p, const LoginAttempt& a, Timestamp now) {
  LoginResult out;
  const std::string name = Lower(a.username);
  const std::string user_key = "user:" + name.substr(0, 100);
  const std::string ip_key = "ip:" + a.ip;
  const std::string now_s = now.ToString();
  for (const std::string& key : {user_key, ip_key}) {
    if (key == "ip:") continue;
    auto t = dir.GetLoginThrottle(key);
    if (!t.ok()) return t.status();
    if (*t && !(*t)->locked_until.empty() && (*t)->locked_until > now_s) {
      out.throttled = true;
      out.failure = "throttled";
      return out;
    }
  }

  std::optional<store::User> user;
  if (name.size() <= 64) {
    auto found = dir.FindUserByName(name);
    if (!found.ok()) return found.status();
    user = *found;
  }
  // The same work whether or not the name exists.
  bool password_ok =
      VerifyPassword(user ? user->password_hash : DummyPasswordHash(), a.password.substr(0, 1024));
  if (!user) {
    out.failure = "unknown_user";
  } else if (!password_ok) {
    out.failure = "bad_password";
  } else if (!user->totp_secret.empty()) {
    auto step = VerifyTotp(user->totp_secret, a.totp, now.unix_seconds());
    if (!step.ok() || !*step) {
      out.failure = "bad_totp";
    } else {
      auto claimed = dir.ClaimTotpStep(user->id, **step);
      if (!claimed.ok()) return claimed.status();
      if (!*claimed) out.failure = "bad_totp";  // a code already used
    }
  }
  if (out.failure.empty() && user->disabled) out.failure = "disabled";
  if (user) out.user = *user;

  if (!out.failure.empty()) {
    const std::string window_after = Plus(now, -p.failure_window);
    const std::string lock_until = Plus(now, p.lockout);
    auto u = dir.RecordLoginFailure(user_key, now_s, window_after, p.max_user_failures, lock_until);
    if (!u.ok()) return u.status();
    if (!a.ip.empty()) {
      auto i = dir.RecordLoginFailure(ip_key, now_s, window_after, p.max_ip_failures, lock_until);
      if (!i.ok()) return i.status();
    }
    return out;
  }

  CONTINUUM_RETURN_IF_ERROR(dir.ClearLoginThrottle(user_key));
  out.ok = true;
  out.token = NewSessionToken();
  out.session.token_hash = TokenHash(out.token);
  out.session.user_id = user->id;
  out.session.created_at = now_s;
  out.session.last_seen_at = now_s;
  out.session.expires_at = Plus(now, p.absolute_timeout);
  out.session.ip = a.ip;
  CONTINUUM_RETURN_IF_ERROR(dir.CreateSession(out.session));
  return out;
}

Result<std::optional<Authenticated>> Authenticate(store::Directory& dir, const LoginPolicy& p,
                                                  std::string_view token, Timestamp now) {
  if (!LooksLikeSessionToken(token)) return std::optional<Authenticated>();
  const std::string hash = TokenHash(token);
  auto s = dir.GetSession(hash);
  if (!s.ok()) return s.status();
  if (!*s) return std::optional<Authenticated>();
  const std::string now_s = now.ToString();
  store::Session session = **s;
  if (session.expires_at <= now_s || session.last_seen_at <= Plus(now, -p.idle_timeout)) {
    CONTINUUM_RETURN_IF_ERROR(dir.DeleteSession(hash));
    return std::optional<Authenticated>();
  }
  auto u = dir.GetUser(session.user_id);
  if (!u.ok()) return u.status();
  if (!*u || (*u)->disabled) {
    CONTINUUM_RETURN_IF_ERROR(dir.DeleteSession(hash));
    return std::optional<Authenticated>();
  }
  if (session.last_seen_at <= Plus(now, -p.touch_interval)) {
    CONTINUUM_RETURN_IF_ERROR(dir.TouchSession(hash, now_s));
    session.last_seen_at = now_s;
  }
  return std::optional<Authenticated>(Authenticated{**u, session});
}

Status Logout(store::Directory& dir, std::string_view token) {
  if (!LooksLikeSessionToken(token)) return Status::Ok();
  return dir.DeleteSession(TokenHash(token));
}

}  // namespace continuum::access

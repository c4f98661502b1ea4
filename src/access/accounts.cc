#include "access/accounts.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <vector>

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

namespace {

// The throttle records of one attempt, in this order.
enum ThrottleRecord { kNameAddress, kName, kAddress, kKnown, kRecords };

// A key naming a user name (and an address) by a hash: the name may be a
// password typed in the wrong box, and must not be stored as typed.
std::string HashedKey(std::string_view prefix, std::string_view name, std::string_view address) {
  std::string input = std::string(prefix) + '\0' + std::string(name) + '\0' + std::string(address);
  unsigned char digest[16];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(input.data()),
                     input.size(), nullptr, 0);
  char hex[2 * sizeof digest + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return std::string(prefix) + ":" + hex;
}

struct ThrottleKeys {
  std::vector<std::string> keys;  // by ThrottleRecord
  bool has_address = false;
};

ThrottleKeys KeysFor(const std::string& name, const std::string& ip) {
  ThrottleKeys k;
  k.keys.resize(kRecords);
  k.keys[kNameAddress] = HashedKey("na", name, ip);
  k.keys[kName] = HashedKey("n", name, "");
  k.keys[kKnown] = HashedKey("k", name, ip);
  k.has_address = !ip.empty();
  // An address is no secret; kept readable for whoever looks at the table.
  k.keys[kAddress] = "a:" + (ip.empty() ? std::string("-") : ip.substr(0, 100));
  return k;
}

// What counts against an attempt: its name-and-address record always; the
// name's and the address's unless the name has logged in from there lately.
std::vector<std::pair<ThrottleRecord, int>> Limits(const LoginPolicy& p, const ThrottleKeys& k,
                                                   const std::vector<std::optional<store::LoginThrottle>>& r,
                                                   const std::string& known_since) {
  std::vector<std::pair<ThrottleRecord, int>> out = {{kNameAddress, p.max_name_address_failures}};
  const bool known = r[kKnown] && r[kKnown]->last_at >= known_since;
  if (!known) {
    out.emplace_back(kName, p.max_name_failures);
    if (k.has_address) out.emplace_back(kAddress, p.max_address_failures);
  }
  return out;
}

}  // namespace

Result<LoginResult> Login(store::Directory& dir, const LoginPolicy& p, const LoginAttempt& a, Timestamp now) {
  LoginResult out;
  const std::string name = Lower(a.username);
  const std::string now_s = now.ToString();
  std::optional<store::User> user;
  if (name.size() <= 64) {
    auto found = dir.FindUserByName(name);
    if (!found.ok()) return found.status();
    user = *found;
  }
  if (user) out.user = *user;

  // Reserve the attempt: refuse it if a count it falls under is waiting out
  // its back-off, else count it as failed in each, now, before the password
  // is checked. So however many attempts arrive at once, no more pass than
  // the limits allow.
  const ThrottleKeys keys = KeysFor(name, a.ip);
  const std::string reset_before = Plus(now, -p.failure_window);
  const std::string known_since = Plus(now, -std::chrono::seconds(int64_t{86400} * p.known_address_days));
  std::vector<ThrottleRecord> counted;
  int64_t wait_until = 0;
  Status st = dir.UpdateLoginThrottles(keys.keys, [&](std::vector<std::optional<store::LoginThrottle>>& r) {
    counted.clear();
    wait_until = 0;
    const auto limits = Limits(p, keys, r, known_since);
    for (const auto& [which, limit] : limits) {
      const auto& t = r[which];
      if (t && !t->locked_until.empty() && t->locked_until > now_s) {
        auto until = Timestamp::Parse(t->locked_until);
        wait_until = std::max(wait_until, until.ok() ? until->unix_seconds() : now.unix_seconds() + 1);
      }
    }
    if (wait_until > 0) return;  // refused: nothing counted
    for (const auto& [which, limit] : limits) {
      auto& t = r[which];
      if (!t || t->last_at < reset_before) t = store::LoginThrottle{};
      t->failures += 1;
      t->last_at = now_s;
      if (t->failures >= limit) {
        // 1, 2, 4, … times the first wait, up to the longest.
        const int doublings = std::min(t->failures - limit, 30);
        const int64_t delay = std::min<int64_t>(p.lockout.count(), p.backoff.count() << doublings);
        t->locked_until = Plus(now, std::chrono::seconds(delay));
      }
      counted.push_back(which);
    }
  });
  if (!st.ok()) return st;
  if (wait_until > 0) {
    out.throttled = true;
    out.failure = "throttled";
    out.retry_after = std::chrono::seconds(std::max<int64_t>(1, wait_until - now.unix_seconds()));
    return out;
  }

  // The same work whether or not the name exists.
  out.password_checked = true;
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
  if (!out.failure.empty()) return out;  // already counted

  // Success takes back the attempt's count (and any wait it set off), ends
  // the name-and-address count, and makes the address known for the name.
  st = dir.UpdateLoginThrottles(keys.keys, [&](std::vector<std::optional<store::LoginThrottle>>& r) {
    for (ThrottleRecord which : counted) {
      if (which == kNameAddress || !r[which]) continue;
      auto& t = r[which];
      t->failures = std::max(0, t->failures - 1);
      const int limit = which == kName ? p.max_name_failures : p.max_address_failures;
      if (t->failures < limit) t->locked_until.clear();
      if (t->failures == 0) t.reset();
    }
    r[kNameAddress].reset();
    r[kKnown] = store::LoginThrottle{keys.keys[kKnown], 0, now_s, ""};
  });
  if (!st.ok()) return st;
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

// The case service: the one implementation of everything done with a
// child's record, under the HTTP API, the command line and the web app. They
// parse input and format output; every rule is here or below.
//
//   casework::Service svc(store, registry, calendar, {});
//   auto me = svc.CallerByName("a.jones", {.via = "cli", .operation = "case record"});
//   if (!me.ok()) return me.status();                       // unknown, disabled, or a role the system lacks
//   auto next = svc.Next(*me, "c-1a2b", now);               // what this caller may record now
//   auto done = svc.Record(*me, {.child = "c-1a2b", .type = "note.added", .fields = …}, now);
//
// For every request the service
//   1. identifies the caller from the directory (role, agency and team come
//      from the account, never from the caller's say-so; an unknown role or a
//      disabled account gets no access),
//   2. loads the child's record and asks the access policy
//      (access/policy.h) with the facts of the record,
//   3. for a write, asks the pathway (pathway/engine.h) whether this caller
//      may take this step from this state with these fields,
//   4. appends the event and its audit record in one transaction, or, for a
//      read, appends the audit record before answering,
//   5. answers with JSON in the one schema the API serves and the CLI prints
//      (docs/openapi.json describes it).
// A refusal is audited too. A refusal about a child the caller may not see
// gives the same answer (access::kNoAccess) whether the child exists, is
// unrelated to them or is in any state.
//
// Errors: kInvalidArgument (the Status names the field), kForbidden,
// kNotFound (frameworks, events), kConflict (the pathway's state; someone
// else changed the case meanwhile), kUnavailable (the database).
//
// Thread-safe: one Service serves every request of a process.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "access/accounts.h"
#include "access/policy.h"
#include "core/calendar.h"
#include "core/status.h"
#include "framework/framework.h"
#include "store/store.h"

namespace continuum::casework {

using ojson = nlohmann::ordered_json;

// How a request arrived, for the audit trail.
struct Channel {
  std::string via;        // "api" or "cli"
  std::string operation;  // the route template ("GET /api/v1/children/{child}") or command ("case show")
  std::string request_id;
  std::string ip;  // the client's address (api); "" on the command line
};

struct Caller {
  access::Principal principal;
  std::string username;
  Channel channel;
  // The host's operator at the command line (init, accounts): no account,
  // never a reader of children's records.
  bool host_operator = false;
  std::string operator_name;  // the operating-system user, for the audit trail
};

struct Options {
  std::chrono::minutes break_glass_duration{60};
  // Break-glass grants per user within an hour; past it, refused, and the
  // burst raises an alert of its own.
  int break_glass_per_hour = 3;
  int break_glass_reason_min_letters = 20;
  access::LoginPolicy login;
};

struct RecordRequest {
  std::string child;
  std::string type;
  nlohmann::json fields = nlohmann::json::object();
  std::string occurred_at;  // "" for now
};

struct ChronologyRequest {
  std::string child;
  std::vector<std::string> agencies, types;
  int min_significance = 0;
  std::string from, to;
  size_t limit = 0;
};

struct DueRequest {
  std::string owner, team;
  std::string before;  // date-time
  bool overdue = false;
  bool mine = false;  // owned by the caller or the caller's team
};

struct AuditRequest {
  std::string user, agency, child, from, to, type;
  int64_t after = 0;
  size_t limit = 1000;
};

class Service {
 public:
  Service(store::Store& store, framework::Registry frameworks, HolidayCalendar calendar, Options options = {});
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  const framework::Registry& frameworks() const;
  store::Store& store();

  // --- who is asking -----------------------------------------------------
  // kForbidden for a disabled account or a role the system does not know
  // (fail closed); kNotFound for no such account.
  Result<Caller> CallerFor(const store::User& user, Channel channel);
  Result<Caller> CallerByName(const std::string& username, Channel channel);
  Caller HostOperator(Channel channel);

  // --- frameworks (no personal data) ---------------------------------------
  ojson FrameworkList() const;
  // The framework as JSON, one schema for `frameworks show --json` and the API.
  Result<ojson> FrameworkJson(const std::string& id) const;
  // The engine's suggestion for observations (JSON text), with its explanation.
  Result<std::string> Assess(const std::string& framework, const std::string& observations_json) const;

  // --- children -------------------------------------------------------------
  Result<ojson> Register(const Caller& c, const std::string& framework, const nlohmann::json& fields,
                         const std::string& occurred_at, Timestamp now);
  // Registering many children at once (an import): every row is checked
  // first; with all_or_nothing a bad row stops everything, else good rows are
  // written in transactions of up to 500, each with its audit record.
  struct NewChild {
    std::string id;  // "" for a new random id
    nlohmann::json fields;
    std::string where;  // for messages: "children.csv:12"
  };
  struct Registered {
    size_t written = 0;
    std::vector<std::string> problems;  // "where: what"
  };
  Result<Registered> RegisterMany(const Caller& c, const std::string& framework, const std::vector<NewChild>& rows,
                                  const std::string& occurred_at, bool all_or_nothing, Timestamp now,
                                  const std::function<void(size_t done, size_t total)>& progress = {});
  Result<ojson> Search(const Caller& c, const std::string& text, Timestamp now);
  Result<ojson> Summary(const Caller& c, const std::string& child, Timestamp now);
  Result<ojson> Chronology(const Caller& c, const ChronologyRequest& q, Timestamp now);
  Result<ojson> People(const Caller& c, const std::string& child, Timestamp now);
  // What may be recorded now and, for each step, whether this caller may
  // record it and why not.
  Result<ojson> Next(const Caller& c, const std::string& child, Timestamp now);
  Result<ojson> Record(const Caller& c, const RecordRequest& r, Timestamp now);
  // Everything Record checks, without writing (forms; the next/record test).
  Result<ojson> Check(const Caller& c, const RecordRequest& r, Timestamp now);
  Result<ojson> Correct(const Caller& c, const std::string& child, const std::string& event_id,
                        const nlohmann::json& fields, const std::string& reason, const std::string& occurred_at,
                        Timestamp now);
  Result<ojson> Export(const Caller& c, const std::string& child, Timestamp now);
  Result<ojson> BreakGlass(const Caller& c, const std::string& child, const std::string& reason, Timestamp now);
  Result<ojson> ChildAudit(const Caller& c, const std::string& child, Timestamp now);

  // --- across children --------------------------------------------------------
  Result<ojson> Due(const Caller& c, const DueRequest& q, Timestamp now);
  // The children the caller holds: allocated, in the team, or on duty for.
  Result<ojson> Caseload(const Caller& c, Timestamp now);
  // Who works here, for case roles choosing a colleague in a form: active
  // accounts (id, name, role, agency, team) whose name or user name contains
  // `text` (or all, up to 200), and the agencies. No children's data.
  Result<ojson> Staff(const Caller& c, const std::string& text, Timestamp now);
  Result<ojson> Audit(const Caller& c, const AuditRequest& q, Timestamp now);
  Result<ojson> Alerts(const Caller& c, bool all, int64_t after, size_t limit, Timestamp now);
  Result<ojson> AcknowledgeAlert(const Caller& c, int64_t alert, Timestamp now);
  Result<ojson> Report(const Caller& c, Timestamp now);

  // --- the directory (administrators, and the host operator) ------------------
  Result<ojson> ListAgencies(const Caller& c, Timestamp now);
  Result<ojson> PutAgency(const Caller& c, const store::Agency& a, Timestamp now);
  Result<ojson> ListTeams(const Caller& c, Timestamp now);
  Result<ojson> PutTeam(const Caller& c, const store::Team& t, Timestamp now);
  Result<ojson> ListUsers(const Caller& c, Timestamp now);
  struct NewUser {
    std::string username, display_name, role, agency, team, password;
    bool totp = false;
  };
  Result<ojson> AddUser(const Caller& c, const NewUser& u, Timestamp now);
  Result<ojson> DisableUser(const Caller& c, const std::string& user, Timestamp now);
  struct Reset {
    std::optional<std::string> password;
    bool new_totp = false, remove_totp = false, enable = false;
  };
  Result<ojson> ResetUser(const Caller& c, const std::string& user, const Reset& r, Timestamp now);

  // --- sessions ---------------------------------------------------------------
  // An audit record for something that happened before a caller was known
  // (a request without a valid session: 401), or a login.
  Status AuditAnonymous(const Channel& ch, const std::string& what, ojson detail, Timestamp now);
  Status AuditAs(const Caller& c, const std::string& what, const std::string& child, ojson detail, Timestamp now);
  // Logging in: the account's session token and, for the user to read,
  // notices of changes an administrator made to their account in the last
  // 30 days (a password reset, a new role). Audited either way; a failure
  // says nothing about why.
  struct LoginOutcome {
    bool ok = false;
    bool throttled = false;
    std::chrono::seconds retry_after{0};  // when throttled: how long until the next attempt may be made
    std::string token;
    ojson body;  // on success: token, expiry, the user, notices
  };
  Result<LoginOutcome> Login(const access::LoginAttempt& attempt, Channel channel, Timestamp now);
  // The caller holding a session token; nullopt when the token is not valid
  // (unknown, expired, idle too long, account disabled).
  struct Session {
    Caller caller;
    store::User user;
    store::Session session;
  };
  Result<std::optional<Session>> Authenticate(std::string_view token, Channel channel, Timestamp now);
  Status Logout(const Caller& c, std::string_view token, Timestamp now);
  const access::LoginPolicy& login_policy() const;

  // Counters for /metrics.
  uint64_t audit_records() const;
  uint64_t denials() const;

  struct Impl;  // private to src/case

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace continuum::casework

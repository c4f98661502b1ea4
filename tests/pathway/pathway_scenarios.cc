// Data-driven pathway scenarios: each file walks a framework's pathway
// through the case service, as named users, and checks what the record says
// after every step (docs/pathway-format.md, "Scenario files").
//
//   pathway_scenarios tests/pathway/worcestershire.yaml [--backend sqlite|postgres] [--frameworks DIR]
//
// After every step it also checks that "what may be recorded next" and
// recording agree, for every user of the file and every transition the
// case's state allows: a step Service::Next lists as allowed and ready is
// accepted by Service::Check with valid fields (made up from the
// transition's declaration) unless a condition on the values refuses them; a
// step it lists as waiting is refused by a condition it named (or one on the
// values); a step not allowed is refused as forbidden. A user who may not
// read the case must be refused every event but the entry points, which must
// be accepted.
//
// Prints one line per failure and ends with "N passed, M failed"; exit 0 only
// when nothing failed. Exit 77 when --backend postgres has no server
// (CONTINUUM_TEST_PG_URL unset).
#include <yaml-cpp/yaml.h>

#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "case/service.h"
#include "framework/framework.h"
#include "framework/yaml_json.h"
#include "pathway/engine.h"
#include "store/store_test_util.h"

namespace continuum {
namespace {

using nlohmann::json;
using ojson = nlohmann::ordered_json;

struct Results {
  int passed = 0, failed = 0;
  void Check(bool ok, const std::string& what) {
    if (ok) {
      ++passed;
    } else {
      ++failed;
      std::cout << "FAIL: " << what << "\n";
    }
  }
};

using continuum::framework::YamlToJson;

std::string Str(const YAML::Node& n, const char* key, const std::string& def = "") {
  return n[key] && n[key].IsScalar() ? n[key].as<std::string>() : def;
}

class Runner {
 public:
  Runner(const std::string& file, std::string frameworks_dir, Results& results)
      : file_(file), frameworks_dir_(std::move(frameworks_dir)), r_(results) {}

  int Run(const std::string& backend) {
    YAML::Node root = YAML::LoadFile(file_);
    auto registry = framework::Registry::LoadDirectory(frameworks_dir_);
    if (!registry.ok()) return Fatal(registry.status().message());
    auto calendar = HolidayCalendar::LoadFile(frameworks_dir_ + "/../data/bank-holidays.yaml");
    if (!calendar.ok()) return Fatal(calendar.status().message());
    framework_ = Str(root, "framework");
    fw_ = registry->Find(framework_);
    if (!fw_) return Fatal("no framework '" + framework_ + "'");
    if (backend == store::testing::kPostgres && store::testing::PostgresTestUrl().empty()) return 77;
    auto db = store::testing::TestDatabase::Create(backend);
    if (!db.ok()) return Fatal(db.status().message());
    db_ = std::move(*db);
    auto st = store::Open(db_->url());
    if (!st.ok()) return Fatal(st.status().message());
    store_ = std::move(*st);
    service_ = std::make_unique<casework::Service>(*store_, std::move(*registry), std::move(*calendar));
    if (auto s = LoadDirectory(root["directory"]); !s.empty()) return Fatal(s);
    for (const auto& sc : root["scenarios"]) RunScenario(sc);
    return 0;
  }

 private:
  int Fatal(const std::string& m) {
    std::cout << "FAIL: " << file_ << ": " << m << "\n";
    ++r_.failed;
    return 1;
  }

  std::string LoadDirectory(const YAML::Node& d) {
    auto op = service_->HostOperator({.via = "test", .operation = "pathway scenarios"});
    Timestamp now = *Timestamp::Parse("2020-01-01T00:00:00Z");
    for (const auto& a : d["agencies"]) {
      auto r = service_->PutAgency(op, {Str(a, "id"), Str(a, "name", Str(a, "id")), Str(a, "kind")}, now);
      if (!r.ok()) return r.status().message();
    }
    for (const auto& t : d["teams"]) {
      auto r = service_->PutTeam(op, {Str(t, "id"), Str(t, "agency"), Str(t, "name", Str(t, "id")), Str(t, "duty")}, now);
      if (!r.ok()) return r.status().message();
      if (!Str(t, "duty").empty() && !duty_agency_.count(Str(t, "duty"))) duty_agency_[Str(t, "duty")] = Str(t, "agency");
    }
    for (const auto& u : d["users"]) {
      std::string name = Str(u, "username");
      auto r = service_->AddUser(op,
                                 {name, Str(u, "name", name), Str(u, "role"), Str(u, "agency"), Str(u, "team"),
                                  "Bramble-Lantern-Kettle-57", false},
                                 now);
      if (!r.ok()) return "user " + name + ": " + r.status().message();
      users_[name] = (*r)["id"].get<std::string>();
      usernames_.push_back(name);
    }
    return "";
  }

  Result<casework::Caller> As(const std::string& username) {
    return service_->CallerByName(username, {.via = "test", .operation = "scenario"});
  }

  // "@name" is that user's id; "+Nd" a date N days after the step.
  void Resolve(json& v, const Timestamp& at) {
    static const std::regex kRel(R"(\+(\d{1,4})d)");
    if (v.is_string()) {
      std::string s = v.get<std::string>();
      std::smatch m;
      if (!s.empty() && s[0] == '@' && users_.count(s.substr(1))) {
        v = users_[s.substr(1)];
      } else if (std::regex_match(s, m, kRel)) {
        v = AddDays(at.date(), std::stoi(m[1])).ToString();
      }
    } else if (v.is_array() || v.is_object()) {
      for (auto& x : v) Resolve(x, at);
    }
  }

  std::string UserName(const std::string& id) const {
    for (const auto& [name, uid] : users_)
      if (uid == id) return name;
    return id;
  }

  void RunScenario(const YAML::Node& sc) {
    const std::string name = file_ + ": " + Str(sc, "name");
    Timestamp at = *Timestamp::Parse(Str(sc, "start", "2026-01-05T09:00:00Z"));
    auto registrar = As(Str(sc, "registered_by"));
    if (!registrar.ok()) {
      r_.Check(false, name + ": registered_by: " + registrar.status().message());
      return;
    }
    json child = YamlToJson(sc["child"]);
    auto reg = service_->Register(*registrar, framework_, child, at.ToString(), at);
    if (!reg.ok()) {
      r_.Check(false, name + ": registering the child: " + reg.status().message());
      return;
    }
    const std::string id = (*reg)["child_id"].get<std::string>();
    int n = 0;
    for (const auto& step : sc["steps"]) {
      ++n;
      const std::string where = name + ", step " + std::to_string(n) + " (" + Str(step, "record", Str(step, "read")) +
                                " as " + Str(step, "as") + ")";
      if (step["after"]) at = Timestamp::FromUnixSeconds(at.unix_seconds() + 86400LL * step["after"].as<int>());
      if (step["at"]) at = *Timestamp::Parse(Str(step, "at"));
      auto caller = As(Str(step, "as"));
      if (!caller.ok()) {
        r_.Check(false, where + ": " + caller.status().message());
        return;
      }
      if (step["record"]) {
        json fields = step["fields"] ? YamlToJson(step["fields"]) : json::object();
        Resolve(fields, at);
        auto before = store_->Chronology({.child_id = id});
        auto out = service_->Record(*caller, {id, Str(step, "record"), fields, at.ToString()}, at);
        if (step["refused"]) {
          std::string want = Str(step, "refused");
          r_.Check(!out.ok(), where + ": expected a refusal (" + want + "), but it was recorded");
          if (!out.ok()) {
            r_.Check(out.status().message().find(want) != std::string::npos,
                     where + ": refusal says '" + out.status().message() + "', expected it to contain '" + want + "'");
            if (step["code"]) {
              r_.Check(StatusCodeName(out.status().code()) == Str(step, "code"),
                       where + ": refusal code " + StatusCodeName(out.status().code()) + ", expected " +
                           Str(step, "code"));
            }
            auto after = store_->Chronology({.child_id = id});
            r_.Check(before.ok() && after.ok() && before->size() == after->size(),
                     where + ": a refused event wrote to the chronology");
            ExpectAudit(where, id, "audit.denied");
          }
        } else {
          r_.Check(out.ok(), where + ": refused: " + (out.ok() ? "" : out.status().message()));
          if (!out.ok()) return;  // the rest of the scenario depends on it
          ExpectAudit(where, id, "audit.write");
          if (step["warning"]) {
            std::string want = Str(step, "warning");
            bool found = false;
            for (const auto& w : out->value("warnings", ojson::array())) {
              found = found || w.get<std::string>().find(want) != std::string::npos;
            }
            r_.Check(found, where + ": expected a warning containing '" + want + "'");
          } else {
            r_.Check(!out->contains("warnings"), where + ": unexpected warnings: " + out->value("warnings", ojson()).dump());
          }
        }
      }
      if (step["read"]) {
        auto out = service_->Summary(*caller, id, at);
        bool want = Str(step, "read") == "allowed";
        r_.Check(out.ok() == want, where + ": read " + (out.ok() ? "allowed" : "refused: " + out.status().message()) +
                                       ", expected " + Str(step, "read"));
      }
      if (step["expect"]) Expect(where, id, step["expect"], at);
      Agreement(where, id, at);
    }
  }

  void ExpectAudit(const std::string& where, const std::string& child, const std::string& type) {
    auto a = store_->Audit({.child_id = child, .limit = 0});
    r_.Check(a.ok() && !a->empty() && a->back().type == type,
             where + ": the last audit record for the child is " + (a.ok() && !a->empty() ? a->back().type : "none") +
                 ", expected " + type);
  }

  // The record as the store holds it, compared with `expect`.
  void Expect(const std::string& where, const std::string& child, const YAML::Node& e, const Timestamp& at) {
    auto state = pathway::LoadCase(*store_, child);
    if (!state.ok()) {
      r_.Check(false, where + ": " + state.status().message());
      return;
    }
    auto check = [&](const char* key, const std::string& got) {
      if (!e[key]) return;
      std::string want = Str(e, key);
      if (!want.empty() && want[0] == '@') want = want.substr(1);
      r_.Check(got == want, where + ": " + key + " is '" + got + "', expected '" + want + "'");
    };
    check("state", state->state);
    check("level", std::to_string(state->level));
    check("episode", std::to_string(state->episode));
    check("lead_professional", UserName(state->lead_professional));
    check("allocated_worker", UserName(state->allocated_worker));
    check("duty_team", state->duty_team);
    auto list = [&](const char* key, std::vector<std::string> got) {
      if (!e[key]) return;
      std::vector<std::string> want;
      for (const auto& x : e[key]) {
        std::string s = x.as<std::string>();
        want.push_back(!s.empty() && s[0] == '@' ? s.substr(1) : s);
      }
      std::sort(got.begin(), got.end());
      std::sort(want.begin(), want.end());
      std::string g, w;
      for (const auto& x : got) g += x + " ";
      for (const auto& x : want) w += x + " ";
      r_.Check(got == want, where + ": " + key + " are [" + g + "], expected [" + w + "]");
    };
    list("facts", state->facts);
    std::vector<std::string> team;
    for (const auto& t : state->team) team.push_back(UserName(t));
    list("team", team);
    if (e["deadlines"]) {
      auto rows = store_->ListRows("deadlines", child);
      std::map<std::string, std::vector<std::string>> by_status;
      std::map<std::string, std::string> owners;
      for (const auto& r : *rows) {
        by_status[r.Value("status")].push_back(r.Value("kind"));
        if (r.Value("status") == "open") {
          owners[r.Value("kind")] = !r.Value("owner").empty() ? UserName(r.Value("owner")) : r.Value("team");
        }
      }
      for (const char* status : {"open", "done", "cancelled"}) {
        if (e["deadlines"][status]) {
          std::vector<std::string> got = by_status[status];
          std::vector<std::string> want;
          for (const auto& x : e["deadlines"][status]) want.push_back(x.as<std::string>());
          std::sort(got.begin(), got.end());
          std::sort(want.begin(), want.end());
          std::string g, w;
          for (const auto& x : got) g += x + " ";
          for (const auto& x : want) w += x + " ";
          r_.Check(got == want, where + ": " + status + " deadlines are [" + g + "], expected [" + w + "]");
        }
      }
      if (e["deadlines"]["owners"]) {
        for (auto it = e["deadlines"]["owners"].begin(); it != e["deadlines"]["owners"].end(); ++it) {
          std::string kind = it->first.as<std::string>(), want = it->second.as<std::string>();
          if (!want.empty() && want[0] == '@') want = want.substr(1);
          r_.Check(owners[kind] == want, where + ": the open " + kind + " deadline is owned by '" + owners[kind] +
                                             "', expected '" + want + "'");
        }
      }
      if (e["deadlines"]["due"]) {
        for (auto it = e["deadlines"]["due"].begin(); it != e["deadlines"]["due"].end(); ++it) {
          std::string kind = it->first.as<std::string>(), want = it->second.as<std::string>();
          std::string got;
          for (const auto& r : *rows)
            if (r.Value("kind") == kind && r.Value("status") == "open") got = r.Value("due_at");
          r_.Check(got == want, where + ": the " + kind + " deadline is due " + got + ", expected " + want);
        }
      }
    }
    if (e["records"]) {
      auto rows = store_->ListRows("entities", child);
      std::map<std::string, int> count;
      for (const auto& r : *rows) count[r.Value("kind")]++;
      for (auto it = e["records"].begin(); it != e["records"].end(); ++it) {
        std::string kind = it->first.as<std::string>();
        int want = it->second.as<int>();
        r_.Check(count[kind] == want, where + ": " + std::to_string(count[kind]) + " '" + kind + "' records, expected " +
                                          std::to_string(want));
      }
    }
    if (e["readers"]) {
      for (const auto& u : e["readers"]["allowed"]) {
        auto c = As(u.as<std::string>());
        r_.Check(c.ok() && service_->Summary(*c, child, at).ok(), where + ": " + u.as<std::string>() + " may not read");
      }
      for (const auto& u : e["readers"]["refused"]) {
        auto c = As(u.as<std::string>());
        r_.Check(c.ok() && !service_->Summary(*c, child, at).ok(), where + ": " + u.as<std::string>() + " may read");
      }
    }
  }

  // Valid fields for a transition, made up from its declaration.
  std::optional<json> ValidFields(const framework::Transition& t, const pathway::CaseState& state,
                                  const casework::Caller& c, const Timestamp& at) {
    json f = json::object();
    auto days_for = [&](const std::string& field) {
      for (const auto& cond : t.require) {
        if (cond.date_field != field) continue;
        const auto* ts = fw_->FindTimescale(cond.timescale);
        auto to_days = [](const framework::Duration& d) {
          switch (d.unit) {
            case framework::TimeUnit::kWeeks: return d.amount * 7;
            case framework::TimeUnit::kDays: return d.amount;
            case framework::TimeUnit::kWorkingDays: return d.amount;
            case framework::TimeUnit::kHours: return 0;
          }
          return 0;
        };
        int lo = ts->at_least ? to_days(*ts->at_least) : 0;
        int hi = to_days(ts->within);
        return (lo + hi) / 2;
      }
      return 0;
    };
    int later = 0;
    for (const auto& spec : t.fields) {
      using framework::FieldType;
      json v;
      switch (spec.type) {
        case FieldType::kText: v = "Written for the test."; break;
        case FieldType::kId: v = "id-1"; break;
        case FieldType::kDate: v = AddDays(at.date(), days_for(spec.name) + later++).ToString(); break;
        case FieldType::kDateTime: v = at.ToString(); break;
        case FieldType::kBool: v = false; break;
        case FieldType::kInt: v = 1; break;
        case FieldType::kLevel: v = std::max(1, state.level); break;
        case FieldType::kList: v = json::array({"an entry"}); break;
        case FieldType::kEnum: v = spec.values.front(); break;
        case FieldType::kUser: v = c.principal.user_id; break;
        case FieldType::kUsers: v = json::array({c.principal.user_id}); break;
        case FieldType::kAgency: v = c.principal.agency_id; break;
        case FieldType::kAgencies: v = json::array({c.principal.agency_id}); break;
        case FieldType::kPerson:
          if (state.people.empty()) {
            if (spec.optional) continue;
            return std::nullopt;
          }
          v = state.people.front();
          break;
        case FieldType::kPeople:
          if (state.people.empty()) {
            if (spec.optional) continue;
            return std::nullopt;
          }
          v = json::array({state.people.front()});
          break;
        case FieldType::kFacts: v = json::array(); break;
        case FieldType::kCommunication: v = json::array({"large_print"}); break;
      }
      f[spec.name] = v;
    }
    // Values a condition asks for, in the field's type.
    for (const auto& cond : t.require) {
      if (cond.field.empty() || !cond.equals) continue;
      const auto* spec = t.FindField(cond.field);
      using framework::FieldType;
      if (spec && (spec->type == FieldType::kLevel || spec->type == FieldType::kInt)) {
        f[cond.field] = std::stoi(*cond.equals);
      } else if (spec && spec->type == FieldType::kBool) {
        f[cond.field] = *cond.equals == "true";
      } else {
        f[cond.field] = *cond.equals;
      }
    }
    // A duty held agency by agency: an agency whose team holds it.
    for (const auto& d : t.starts) {
      auto it = duty_agency_.find(framework_ + "/" + d.owner.duty);
      if (!d.owner.agency_field.empty() && it != duty_agency_.end()) f[d.owner.agency_field] = it->second;
    }
    return f;
  }

  // Whether a refusal came from one of the transition's own conditions (on
  // the values given or on what the record says). Next answers who may record
  // a step, not whether made-up values meet its conditions.
  // Whether a refusal came from one of the transition's conditions on the
  // values given (a field, a date, an `if:` on fields): Next does not weigh
  // values, and the made-up fields need not meet them. A refusal by a
  // condition on the record alone must have been announced by Next
  // (`ready: false`), so it does not count here.
  static bool RefusedByValueCondition(const framework::Transition& t, const Status& s) {
    if (s.code() != StatusCode::kInvalidArgument) return false;
    for (const auto& c : t.require) {
      bool on_values = !c.field.empty() || !c.date_field.empty() || !c.after_field.empty() || !c.when.fields.empty();
      if (c.enforce && on_values && !c.message.empty() && s.message().find("): " + c.message) != std::string::npos) {
        return true;
      }
    }
    return false;
  }

  // Next and Check agree for every user and every transition from here.
  void Agreement(const std::string& where, const std::string& child, const Timestamp& at) {
    auto state = pathway::LoadCase(*store_, child);
    if (!state.ok()) return;
    for (const auto& name : usernames_) {
      auto c = As(name);
      if (!c.ok()) continue;
      if (!IsCaseRole(c->principal.role)) continue;
      auto next = service_->Next(*c, child, at);
      std::map<std::string, bool> listed;
      std::map<std::string, nlohmann::json> waiting;  // event -> what the record must say first
      if (next.ok()) {
        for (const auto& t : (*next)["next"]) {
          listed[t["event"].get<std::string>()] = t["allowed_for_you"].get<bool>();
          if (!t["ready"].get<bool>()) waiting[t["event"].get<std::string>()] = t["waiting_for"];
        }
      }
      std::vector<const framework::Transition*> all;
      for (const auto& t : fw_->pathway->transitions) all.push_back(&t);
      for (const auto& h : pathway::HouseholdTransitions()) all.push_back(&h);
      for (const auto* t : all) {
        if (!t->From(state->state)) continue;
        auto fields = ValidFields(*t, *state, *c, at);
        if (!fields) continue;  // nothing valid can be made up (no one in the household yet)
        auto checked = service_->Check(*c, {child, t->event, *fields, at.ToString()}, at);
        const std::string what = where + ": " + name + " / " + t->event + ": ";
        if (next.ok()) {
          bool allowed = listed.count(t->event) && listed[t->event];
          if (allowed) {
            if (waiting.count(t->event)) {
              // Next said what the record must say first: recording now is
              // refused, by one of those conditions or one on the values.
              const auto& w = waiting[t->event];
              bool announced = !checked.ok() && checked.status().code() == StatusCode::kInvalidArgument &&
                               (RefusedByValueCondition(*t, checked.status()) ||
                                std::any_of(w.begin(), w.end(), [&](const auto& m) {
                                  return checked.status().message().find(m.template get<std::string>()) !=
                                         std::string::npos;
                                }));
              r_.Check(announced, what + "listed as waiting for " + w.dump() + ", but recording it " +
                                      (checked.ok() ? "was accepted" : "failed otherwise: " + checked.status().message()));
            } else {
              r_.Check(checked.ok() || RefusedByValueCondition(*t, checked.status()),
                       what + "listed as allowed and ready, but recording it with valid fields was refused: " +
                           (checked.ok() ? "" : checked.status().message()) + " fields " + fields->dump());
            }
          } else {
            r_.Check(!checked.ok() && checked.status().code() == StatusCode::kForbidden,
                     what + "listed as not allowed, but recording it " +
                         (checked.ok() ? "was accepted" : "failed otherwise: " + checked.status().message()));
          }
        } else {
          // Someone who may not read the case: entry points only, in the
          // roles the transition names.
          const auto& roles = t->roles.empty() ? fw_->pathway->roles : t->roles;
          bool role_may = std::find(roles.begin(), roles.end(), RoleName(c->principal.role)) != roles.end();
          if (t->entry && role_may) {
            r_.Check(checked.ok(), what + "an entry point, refused to someone outside the case: " +
                                       (checked.ok() ? "" : checked.status().message()));
          } else {
            r_.Check(!checked.ok() && checked.status().code() == StatusCode::kForbidden,
                     what + "may not read the case, but " +
                         (checked.ok() ? "could record it" : "was refused otherwise: " + checked.status().message()));
          }
        }
      }
    }
  }

  std::string file_;
  std::string frameworks_dir_;
  Results& r_;
  std::string framework_;
  std::shared_ptr<const framework::Framework> fw_;
  std::unique_ptr<store::testing::TestDatabase> db_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<casework::Service> service_;
  std::map<std::string, std::string> users_;  // username -> id
  std::map<std::string, std::string> duty_agency_;  // "framework/duty" -> an agency whose team holds it
  std::vector<std::string> usernames_;
};

}  // namespace
}  // namespace continuum

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: pathway_scenarios FILE.yaml [--backend sqlite|postgres]\n";
    return 2;
  }
  std::string backend = continuum::store::testing::kSqlite;
  std::string frameworks = CONTINUUM_FRAMEWORKS_DIR;
  for (int i = 2; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--backend") backend = argv[i + 1];
    if (std::string(argv[i]) == "--frameworks") frameworks = argv[i + 1];
  }
  continuum::Results results;
  int rc = 0;
  try {
    rc = continuum::Runner(argv[1], frameworks, results).Run(backend);
  } catch (const std::exception& e) {
    std::cout << "FAIL: " << argv[1] << ": " << e.what() << "\n";
    ++results.failed;
  }
  if (rc == 77) {
    std::cout << "skipped: no PostgreSQL (CONTINUUM_TEST_PG_URL)\n";
    return 77;
  }
  std::cout << argv[1] << " (" << backend << "): " << results.passed << " passed, " << results.failed << " failed\n";
  return results.failed == 0 && rc == 0 ? 0 : 1;
}

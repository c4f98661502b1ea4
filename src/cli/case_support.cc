#include "core/file.h"
#include "cli/case_support.h"

#include <sodium.h>

#include <chrono>
#include <iostream>
#include <cstdlib>
#include <filesystem>

namespace continuum::cli {

namespace fs = std::filesystem;

std::string DatabaseUrl(const Globals& g) {
  if (!g.db.empty()) return g.db;
  if (const char* env = std::getenv("CONTINUUM_DB"); env && *env) return env;
  return "continuum.db";
}

Result<std::unique_ptr<store::Store>> OpenStore(const Globals& g) { return store::Open(DatabaseUrl(g)); }

Result<HolidayCalendar> LoadCalendar(const Globals& g) {
  if (const char* env = std::getenv("CONTINUUM_DATA"); env && *env) {
    return HolidayCalendar::LoadFile((fs::path(env) / "bank-holidays.yaml").string());
  }
  fs::path beside = fs::path(FrameworksDir(g)).parent_path() / "data" / "bank-holidays.yaml";
  std::error_code ec;
  if (fs::exists(beside, ec)) return HolidayCalendar::LoadFile(beside.string());
  return HolidayCalendar::LoadFile("data/bank-holidays.yaml");
}

void AddActorOptions(CLI::App* cmd, ActorFlags* flags) {
  cmd->add_option("--as", flags->user, "Your user id (or $CONTINUUM_USER)");
  cmd->add_option("--agency", flags->agency, "Your agency id (or $CONTINUUM_AGENCY)");
  cmd->add_option("--role", flags->role,
                  "Your role on this case: practitioner, lead_professional, team_leader, front_door, "
                  "social_worker, safeguarding_lead (or $CONTINUUM_ROLE)");
}

Result<pathway::Actor> ResolveActor(const ActorFlags& f, bool role_required) {
  auto pick = [](const std::string& flag, const char* env) {
    if (!flag.empty()) return flag;
    const char* v = std::getenv(env);
    return std::string(v ? v : "");
  };
  pathway::Actor a{pick(f.user, "CONTINUUM_USER"), pick(f.agency, "CONTINUUM_AGENCY"),
                   pick(f.role, "CONTINUUM_ROLE")};
  if (a.user.empty()) return InvalidArgument("say who is recording: --as USER (or $CONTINUUM_USER)");
  if (a.agency.empty()) return InvalidArgument("say which agency: --agency AGENCY (or $CONTINUUM_AGENCY)");
  if (role_required && a.role.empty()) return InvalidArgument("say in which role: --role ROLE (or $CONTINUUM_ROLE)");
  return a;
}

std::string NowUtc() {
  if (const char* env = std::getenv("CONTINUUM_NOW"); env && *env) return env;
  auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  return Timestamp::FromUnixSeconds(now.time_since_epoch().count()).ToString();
}

Result<std::string> OccurredAt(const std::string& at) {
  std::string now = NowUtc();
  if (at.empty()) return now;
  auto t = Timestamp::Parse(at);
  if (!t.ok()) return InvalidArgument("--at: " + t.status().message());
  std::string utc = t->ToString();
  auto n = Timestamp::Parse(now);
  if (n.ok() && t->unix_seconds() > n->unix_seconds() + 300) {
    return InvalidArgument("--at " + at + " is in the future; record what has happened");
  }
  return utc;
}

Result<std::shared_ptr<const framework::Framework>> CaseFramework(const Globals& g, store::Store& s,
                                                                  const std::string& child_id) {
  auto state = pathway::LoadCase(s, child_id);
  if (!state.ok()) return state.status();
  if (!state->registered) return NotFound("no child '" + child_id + "' in " + DatabaseUrl(g));
  return ResolveFramework(g, state->framework);
}

std::string NewId(const char* prefix) {
  if (sodium_init() < 0) std::abort();
  unsigned char b[6];
  randombytes_buf(b, sizeof b);
  static const char kHex[] = "0123456789abcdef";
  std::string s = prefix;
  for (unsigned char c : b) {
    s.push_back(kHex[c >> 4]);
    s.push_back(kHex[c & 15]);
  }
  return s;
}

Result<nlohmann::json> ReadFields(const std::string& path) {
  using nlohmann::json;
  constexpr size_t kMaxInput = 1u << 20;
  auto text = ReadFileLimited(path, kMaxInput);
  if (!text.ok()) return text.status();
  json j = json::parse(*text, nullptr, false);
  if (j.is_discarded()) {
    try {
      auto parsed = json::parse(*text);
      (void)parsed;
    } catch (const json::parse_error& e) {
      std::string what = e.what();
      auto p = what.find("parse error");
      return InvalidArgument((path == "-" ? std::string("standard input") : path) + ": invalid JSON: " +
                             (p == std::string::npos ? what : what.substr(p)));
    }
  }
  if (!j.is_object()) return InvalidArgument((path == "-" ? std::string("standard input") : path) + ": expected a JSON object of fields");
  return j;
}

std::string Col(const store::Row& r, const std::string& name) { return r.Value(name); }

// Appends the events and reports what they did.
int AppendAndReport(store::Store& s, const store::Event& e) {
  using nlohmann::json;
  auto stored = s.Append({e}, pathway::Project);
  if (!stored.ok()) return Fail(stored.status());
  const store::Event& r = stored->front();
  json p = json::parse(r.payload, nullptr, false);
  std::cout << "recorded " << r.type << " " << r.id << " for " << r.child_id << " at " << r.occurred_at << "\n";
  if (p.contains("pathway")) {
    const json& pw = p["pathway"];
    if (pw["from"] != pw["to"]) {
      std::cout << "  case: " << pw["from"].get<std::string>() << " -> " << pw["to"].get<std::string>() << "\n";
    }
    for (const auto& d : pw["deadlines"]) {
      std::cout << "  due " << d["due_at"].get<std::string>() << ": " << d["label"].get<std::string>() << "\n";
    }
  }
  return kExitOk;
}

}  // namespace continuum::cli

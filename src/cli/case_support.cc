#include "cli/case_support.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "core/file.h"

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

std::string NowUtc() {
  if (const char* env = std::getenv("CONTINUUM_NOW"); env && *env) return env;
  auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  return Timestamp::FromUnixSeconds(now.time_since_epoch().count()).ToString();
}

Result<Timestamp> Now() {
  auto t = Timestamp::Parse(NowUtc());
  if (!t.ok()) return InvalidArgument("CONTINUUM_NOW: " + t.status().message());
  return t;
}

void AddAsOption(CLI::App* cmd, std::string* as) {
  cmd->add_option("--as", *as, "Your user name (or $CONTINUUM_USER); your role, agency and team come from your account");
}

namespace {

Result<Session> Open(const Globals& g, const std::string& operation) {
  Session s;
  auto now = Now();
  if (!now.ok()) return now.status();
  s.now = *now;
  auto store = OpenStore(g);
  if (!store.ok()) return store.status();
  s.store = std::move(*store);
  auto reg = LoadRegistry(g);
  if (!reg.ok()) return reg.status();
  auto cal = LoadCalendar(g);
  if (!cal.ok()) return cal.status();
  s.service = std::make_unique<casework::Service>(*s.store, std::move(*reg), std::move(*cal));
  return s;
}

}  // namespace

Result<Session> OpenAs(const Globals& g, const std::string& as, const std::string& operation) {
  std::string user = as;
  if (user.empty()) {
    const char* env = std::getenv("CONTINUUM_USER");
    user = env ? env : "";
  }
  if (user.empty()) {
    return InvalidArgument("say who you are: --as USER (or $CONTINUUM_USER), the user name of your account");
  }
  auto s = Open(g, operation);
  if (!s.ok()) return s.status();
  auto caller = s->service->CallerByName(user, {.via = "cli", .operation = operation});
  if (!caller.ok()) return caller.status();
  s->caller = std::move(*caller);
  return s;
}

Result<Session> OpenAsOperator(const Globals& g, const std::string& operation) {
  auto s = Open(g, operation);
  if (!s.ok()) return s.status();
  s->caller = s->service->HostOperator({.via = "cli", .operation = operation});
  return s;
}

Result<nlohmann::json> ReadFields(const std::string& path) {
  using nlohmann::json;
  constexpr size_t kMaxInput = 1u << 20;
  auto text = ReadFileLimited(path, kMaxInput);
  if (!text.ok()) return text.status();
  const std::string where = path == "-" ? std::string("standard input") : path;
  json j;
  try {
    j = json::parse(*text);
  } catch (const json::parse_error& e) {
    std::string what = e.what();
    auto p = what.find("parse error");
    return InvalidArgument(where + ": invalid JSON: " + (p == std::string::npos ? what : what.substr(p)));
  } catch (const json::out_of_range&) {
    return InvalidArgument(where + ": a number is out of range");
  }
  if (!j.is_object()) return InvalidArgument(where + ": expected a JSON object");
  return j;
}

std::string Safe(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

std::string SafeValue(const nlohmann::ordered_json& v) {
  if (v.is_string()) return Safe(v.get<std::string>());
  if (v.is_array()) {
    std::string out;
    for (const auto& x : v) out += (out.empty() ? "" : ", ") + SafeValue(x);
    return out;
  }
  return v.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
}

void PrintJson(const nlohmann::ordered_json& j) {
  std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

}  // namespace continuum::cli

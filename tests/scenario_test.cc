// Runs data-driven scenario files (tests/scenarios/*.yaml; format in
// docs/framework-format.md): each case's observations go through the engine,
// and the level, response, reasons, notes, explanation text and errors must
// be as the file expects.
//
//   scenario_test FILE…   (frameworks are found by id in the frameworks dir)
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <set>

#include "framework/framework.h"
#include "threshold/threshold.h"

namespace {

using namespace continuum;

std::vector<std::string> Strings(const YAML::Node& n) {
  std::vector<std::string> v;
  if (n.IsDefined() && n.IsSequence()) {
    for (const auto& e : n) v.push_back(e.as<std::string>());
  }
  return v;
}

std::string Join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return "[" + s + "]";
}

// Returns the number of failed cases.
int RunFile(const std::string& path, const std::string& dir, const framework::Concepts& concepts,
            int* total) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    std::cerr << path << ": " << e.what() << "\n";
    return 1;
  }
  std::string fw_id = root["framework"].as<std::string>("");
  auto loaded = framework::LoadFrameworkFile(dir + "/" + fw_id + ".yaml", concepts);
  if (!loaded.ok()) {
    std::cerr << path << ": framework '" << fw_id << "': " << loaded.status().message() << "\n";
    return 1;
  }
  const framework::Framework* fw = &*loaded;
  int failed = 0;
  std::set<std::string> names;
  for (const auto& c : root["cases"]) {
    ++*total;
    std::string name = c["name"].as<std::string>("(unnamed)");
    std::vector<std::string> problems;
    if (!names.insert(name).second) problems.push_back("case name used twice");
    if (!c["description"].IsDefined() && !c["expect"]["error"].IsDefined()) {
      problems.push_back("case has no description");
    }
    threshold::Observations obs;
    const YAML::Node& o = c["observations"];
    obs.indicators = Strings(o["indicators"]);
    obs.strengths = Strings(o["strengths"]);
    obs.facts = Strings(o["facts"]);
    if (o["age"].IsDefined() && !o["age"].IsNull()) obs.age = o["age"].as<int>();
    const YAML::Node& e = c["expect"];
    auto s = threshold::Evaluate(*fw, obs);
    if (e["error"].IsDefined()) {
      std::string want = e["error"].as<std::string>();
      if (s.ok()) {
        problems.push_back("expected error containing '" + want + "', got level " + std::to_string(s->level));
      } else if (s.status().message().find(want) == std::string::npos) {
        problems.push_back("expected error containing '" + want + "', got '" + s.status().message() + "'");
      }
    } else if (!s.ok()) {
      problems.push_back("unexpected error: " + s.status().message());
    } else {
      if (!e["level"].IsDefined()) problems.push_back("case has no expected level");
      if (e["level"].IsDefined() && e["level"].as<int>() != s->level) {
        problems.push_back("level: expected " + e["level"].as<std::string>() + ", got " + std::to_string(s->level));
      }
      if (e["response"].IsDefined() && e["response"].as<std::string>() != framework::ResponseCode(s->response)) {
        problems.push_back("response: expected " + e["response"].as<std::string>() + ", got " +
                           framework::ResponseCode(s->response));
      }
      if (e["urgent"].IsDefined() && e["urgent"].as<bool>() != s->urgent) {
        problems.push_back(std::string("urgent: expected ") + e["urgent"].as<std::string>());
      }
      if (e["lead_professional"].IsDefined() &&
          e["lead_professional"].as<std::string>() != s->lead_professional->from) {
        problems.push_back("lead_professional: expected " + e["lead_professional"].as<std::string>() +
                           ", got " + s->lead_professional->from);
      }
      if (e["assessment"].IsDefined()) {
        std::string want = e["assessment"].IsNull() ? "" : e["assessment"].as<std::string>();
        std::string got = s->assessment ? *s->assessment : "";
        if (want != got) problems.push_back("assessment: expected '" + want + "', got '" + got + "'");
      }
      if (e["response_name"].IsDefined()) {
        std::string want = e["response_name"].IsNull() ? "" : e["response_name"].as<std::string>();
        std::string got = s->response_name ? *s->response_name : "";
        if (want != got) problems.push_back("response_name: expected '" + want + "', got '" + got + "'");
      }
      std::vector<std::string> noted;
      for (const auto& n : s->notes) noted.push_back(threshold::NoteCode(n.kind));
      for (const auto& want : Strings(e["notes"])) {
        if (std::find(noted.begin(), noted.end(), want) == noted.end()) {
          problems.push_back("expected a '" + want + "' note; got " + Join(noted));
        }
      }
      std::string text = threshold::ToText(*fw, *s);
      for (const auto& want : Strings(e["text"])) {
        if (text.find(want) == std::string::npos) {
          problems.push_back("explanation does not say '" + want + "':\n" + text);
        }
      }
      for (const auto& want : Strings(e["not_text"])) {
        if (text.find(want) != std::string::npos) {
          problems.push_back("explanation says '" + want + "' but should not");
        }
      }
      std::vector<std::string> fired;
      for (const auto& r : s->reasons) fired.push_back(r.rule ? r.rule->id : "carried");
      for (const auto& want : e["reasons"]) {
        std::string rule = want.IsMap() ? want["rule"].as<std::string>() : want.as<std::string>();
        auto it = std::find_if(s->reasons.begin(), s->reasons.end(),
                               [&](const threshold::Reason& r) { return r.rule->id == rule; });
        if (it == s->reasons.end()) {
          problems.push_back("expected rule '" + rule + "' to fire; fired " + Join(fired));
          continue;
        }
        if (want.IsMap()) {
          for (const auto& id : Strings(want["indicators"])) {
            bool used = std::any_of(it->items.begin(), it->items.end(),
                                    [&](int i) { return fw->items[i].id == id; });
            if (!used) problems.push_back("rule '" + rule + "' did not use '" + id + "'");
          }
        }
      }
      for (const auto& rule : Strings(e["not_reasons"])) {
        if (std::find(fired.begin(), fired.end(), rule) != fired.end()) {
          problems.push_back("rule '" + rule + "' fired but should not have");
        }
      }
    }
    if (problems.empty()) {
      std::cout << "  ok   " << fw_id << ": " << name << "\n";
    } else {
      ++failed;
      std::cout << "  FAIL " << fw_id << ": " << name << "\n";
      for (const auto& p : problems) std::cout << "       " << p << "\n";
    }
  }
  return failed;
}

}  // namespace

int main(int argc, char** argv) {
  const char* dir = std::getenv("CONTINUUM_FRAMEWORKS");
  std::string fw_dir = dir ? dir : CONTINUUM_FRAMEWORKS_DIR;
  auto concepts = framework::LoadConceptsFile(fw_dir + "/concepts.yaml");
  if (!concepts.ok()) {
    std::cerr << concepts.status().message() << "\n";
    return 1;
  }
  int failed = 0, total = 0;
  for (int i = 1; i < argc; ++i) {
    try {
      failed += RunFile(argv[i], fw_dir, *concepts, &total);
    } catch (const YAML::Exception& e) {
      std::cerr << argv[i] << ": malformed scenario file: " << e.what() << "\n";
      ++failed;
    }
  }
  std::cout << (total - failed) << " passed, " << failed << " failed\n";
  return failed == 0 && total > 0 ? 0 : 1;
}

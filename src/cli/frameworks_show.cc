// continuum frameworks show ID [--json]
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/cli.h"

namespace continuum::cli {
namespace {

using nlohmann::ordered_json;
using namespace continuum::framework;

// "source" or "local_default": exactly one, as in the file.
void Provenance(const std::string& source, const std::string& local_default, ordered_json* x) {
  if (!local_default.empty()) {
    (*x)["local_default"] = local_default;
  } else {
    (*x)["source"] = source;
  }
}

std::string ProvenanceText(const std::string& source, const std::string& local_default) {
  if (!local_default.empty()) return "local default: " + local_default + " (not stated in the document)";
  return "source: " + source;
}

ordered_json Duration(const framework::Duration& d) {
  return {{"amount", d.amount}, {"unit", TimeUnitName(d.unit)}};
}

ordered_json ToJson(const Framework& fw) {
  ordered_json j;
  j["id"] = fw.id;
  j["name"] = fw.name;
  j["authority"] = fw.authority;
  j["version"] = fw.version;
  j["effective"] = fw.effective;
  j["source"] = fw.source;
  auto& levels = j["levels"] = ordered_json::array();
  for (const auto& l : fw.levels) {
    levels.push_back({{"level", l.number},
                      {"severity", SeverityName(l.severity)},
                      {"name", l.name},
                      {"description", l.description},
                      {"responses", l.responses},
                      {"response", ResponseCode(l.response)},
                      {"assessment", l.assessment ? ordered_json(*l.assessment) : ordered_json()},
                      {"plan", PlanTypeCode(l.plan)},
                      {"lead_professional",
                       {{"required", l.lead_professional.required},
                        {"from", l.lead_professional.from},
                        {"note", l.lead_professional.note}}}});
  }
  auto& domains = j["domains"] = ordered_json::array();
  for (size_t d = 0; d < fw.domains.size(); ++d) {
    ordered_json dom = {{"id", fw.domains[d].id}, {"name", fw.domains[d].name}};
    if (fw.domains[d].has_subdomains) {
      auto& subs = dom["subdomains"] = ordered_json::array();
      for (const auto& a : fw.areas) {
        if (a.domain == static_cast<int>(d)) subs.push_back({{"id", a.id}, {"name", a.name}});
      }
    }
    domains.push_back(std::move(dom));
  }
  auto& indicators = j["indicators"] = ordered_json::array();
  auto& strengths = j["strengths"] = ordered_json::array();
  auto& facts = j["facts"] = ordered_json::array();
  for (const auto& it : fw.items) {
    ordered_json x = {{"id", it.id}, {"label", it.label}};
    if (it.kind == ItemKind::kIndicator) {
      x["level"] = it.level;
      x["domain"] = fw.areas[it.area].id;
      x["mitigable"] = it.mitigable;
      x["immediate"] = it.immediate;
      if (it.age_under) x["age_under"] = *it.age_under;
      if (it.age_at_least) x["age_at_least"] = *it.age_at_least;
    }
    Provenance(it.source, it.local_default, &x);
    if (it.kind == ItemKind::kIndicator) {
      // concept@severity, as the file writes a qualified tag.
      auto tags = ordered_json::array();
      for (size_t t = 0; t < it.tags.size(); ++t) {
        tags.push_back(it.tags[t] + "@" + SeverityName(it.tag_severity.at(t)));
      }
      x["tags"] = std::move(tags);
    } else {
      x["tags"] = it.tags;
    }
    if (!it.contradicts_items.empty() || !it.contradicts_tags.empty()) {
      auto c = ordered_json::array();
      for (int i : it.contradicts_items) c.push_back(fw.items[i].id);
      for (int t : it.contradicts_tags) c.push_back("tag:" + fw.tags[t]);
      x["contradicts"] = std::move(c);
    }
    (it.kind == ItemKind::kIndicator ? indicators : it.kind == ItemKind::kStrength ? strengths : facts)
        .push_back(std::move(x));
  }
  auto& rules = j["rules"] = ordered_json::array();
  for (const auto& r : fw.rules) {
    ordered_json x = {{"id", r.id}, {"kind", RuleKindName(r.kind)}, {"summary", r.summary}};
    Provenance(r.source, r.local_default, &x);
    rules.push_back(std::move(x));
  }
  ordered_json consent = {{"source", fw.consent.source},
                          {"before_referral_levels", fw.consent.before_referral_levels},
                          {"form", fw.consent.form},
                          {"note", fw.consent.note}};
  auto& wc = consent["without_consent"] = ordered_json::array();
  for (const auto& g : fw.consent.without_consent) {
    wc.push_back({{"id", g.id}, {"label", g.label}, {"source", g.source}});
  }
  j["consent"] = std::move(consent);
  auto& vocab = j["vocabulary"] = ordered_json::object();
  for (const auto& [k, v] : fw.vocabulary) vocab[k] = v;
  auto& ts = j["timescales"] = ordered_json::array();
  for (const auto& t : fw.timescales) {
    ordered_json x = {{"id", t.id}, {"label", t.label}, {"within", Duration(t.within)}};
    if (t.at_least) x["at_least"] = Duration(*t.at_least);
    x["source"] = t.source;
    ts.push_back(std::move(x));
  }
  if (fw.pathway) {
    const auto& p = *fw.pathway;
    ordered_json pw;
    pw["division"] = p.division;
    pw["roles"] = p.roles;
    pw["states"] = ordered_json::array();
    for (const auto& st : p.states) pw["states"].push_back({{"id", st.id}, {"label", st.label}});
    pw["closed_states"] = p.closed_states;
    pw["transitions"] = ordered_json::array();
    for (const auto& t : p.transitions) {
      ordered_json x = {{"id", t.id}, {"event", t.event}, {"label", t.label}, {"from", t.from}};
      if (!t.to.empty()) x["to"] = t.to;
      if (!t.to_field.empty()) x["to"] = {{"field", t.to_field}, {"map", t.to_map}};
      x["roles"] = t.roles;
      auto& fields = x["fields"] = ordered_json::array();
      for (const auto& f : t.fields) {
        ordered_json fj = {{"name", f.name}, {"type", f.type == FieldType::kEnum ? "enum" : FieldTypeName(f.type)},
                           {"optional", f.optional}};
        if (!f.values.empty()) fj["values"] = f.values;
        fields.push_back(std::move(fj));
      }
      x["source"] = t.source;
      pw["transitions"].push_back(std::move(x));
    }
    j["pathway"] = std::move(pw);
  }
  return j;
}

void PrintText(const Framework& fw) {
  std::cout << fw.name << "\n" << fw.authority << " — version " << fw.version << ", effective "
            << fw.effective << "\n\n";
  std::string word(fw.Term("level"));
  for (const auto& l : fw.levels) {
    int n = 0;
    for (const auto& it : fw.items) n += it.kind == ItemKind::kIndicator && it.level == l.number;
    std::cout << word << " " << l.number << ": " << l.name << " (" << n << " indicators)\n  "
              << l.description << "\n  Response: " << ResponseLabel(l.response)
              << "; assessment: " << (l.assessment ? *l.assessment : "none") << "\n";
  }
  std::cout << "\nDomains:\n";
  for (size_t d = 0; d < fw.domains.size(); ++d) {
    std::cout << "  " << fw.domains[d].name << "\n";
    if (!fw.domains[d].has_subdomains) continue;
    for (const auto& a : fw.areas) {
      if (a.domain == static_cast<int>(d)) std::cout << "    - " << a.name << "\n";
    }
  }
  std::cout << "\nRules:\n";
  for (const auto& r : fw.rules) {
    std::cout << "  " << r.id << ": " << r.summary << "\n    " << ProvenanceText(r.source, r.local_default) << "\n";
  }
  int stated = 0;
  std::vector<const Item*> defaults;
  for (const auto& it : fw.items) {
    if (it.is_local_default()) {
      defaults.push_back(&it);
    } else {
      ++stated;
    }
  }
  std::cout << "\nIndicators, strengths and facts: " << stated << " cite the document; " << defaults.size()
            << " are local defaults (not stated in the document)" << (defaults.empty() ? "." : ":") << "\n";
  for (const auto* it : defaults) {
    std::cout << "  " << it->id << " (" << ItemKindName(it->kind);
    if (it->kind == ItemKind::kIndicator) std::cout << ", level " << it->level;
    std::cout << "): " << it->label << "\n    local default: " << it->local_default << "\n";
  }
  bool any_contradiction = false;
  for (const auto& it : fw.items) {
    if (it.contradicts_items.empty() && it.contradicts_tags.empty()) continue;
    if (!any_contradiction) std::cout << "\nContradictions (the first is set aside when both are observed):\n";
    any_contradiction = true;
    std::cout << "  " << it.id << " contradicts";
    for (int i : it.contradicts_items) std::cout << " " << fw.items[i].id;
    for (int t : it.contradicts_tags) std::cout << " tag:" << fw.tags[t];
    std::cout << "\n";
  }
  std::cout << "\nTimescales:\n";
  for (const auto& t : fw.timescales) {
    std::cout << "  " << t.label << ": within " << t.within.amount << " " << TimeUnitName(t.within.unit) << "\n";
  }
  std::cout << "\nUse --json for every indicator, strength and fact.\n";
}

}  // namespace

void AddFrameworksShowCommand(CLI::App& frameworks, Globals& g) {
  auto* cmd = frameworks.add_subcommand("show", "Show one framework: levels, domains, indicators, rules");
  auto id = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  cmd->add_option("ID", *id, "Framework id (see 'frameworks list') or a path to a framework file")->required();
  cmd->add_flag("--json", *json, "Print the whole framework as JSON");
  cmd->callback([&g, id, json] {
    auto fw = ResolveFramework(g, *id);
    if (!fw.ok()) {
      g.exit_code = Fail(fw.status());
      return;
    }
    if (*json) {
      std::cout << ToJson(**fw).dump(2) << "\n";
    } else {
      PrintText(**fw);
    }
  });
}

}  // namespace continuum::cli

// Loads and validates framework files (docs/framework-format.md).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "core/file.h"
#include "framework/framework.h"
#include "framework/pathway_loader.h"
#include "framework/yaml_reader.h"

namespace continuum::framework {
namespace {

using internal::Diagnostics;
using internal::MapReader;
using internal::ScalarString;

constexpr int kMaxAge = 25;

bool ValidId(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  auto lower_digit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!lower_digit(s[0])) return false;
  for (char c : s) {
    if (!lower_digit(c) && c != '_' && c != '.' && c != '-') return false;
  }
  return true;
}

std::string SeverityList() {
  std::string s;
  for (int b = 1; b <= kSeverityBands; ++b) s += std::string(b > 1 ? ", " : "") + SeverityName(b);
  return s;
}

bool ValidDate(const std::string& s) {
  static const std::regex re(R"(\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]))");
  return std::regex_match(s, re);
}

class Loader {
 public:
  Loader(Diagnostics& d, const Concepts& concepts) : d_(d), concepts_(concepts) {}

  void Load(const YAML::Node& root, Framework* fw) {
    fw_ = fw;
    MapReader top(d_, root, "framework");
    if (!top.valid()) return;
    std::string format;
    if (top.String("format", &format) && format != "continuum-framework/1") {
      top.Error(top.Get("format"), "format must be 'continuum-framework/1', not '" + format + "'");
    }
    if (top.String("id", &fw->id) && !ValidId(fw->id)) {
      top.Error(top.Get("id"), "id '" + fw->id + "' is not a valid id (lowercase letters, digits, '.', '_', '-'; at most 64)");
    }
    top.String("name", &fw->name);
    top.String("authority", &fw->authority);
    top.String("version", &fw->version);
    if (top.String("effective", &fw->effective) && !ValidDate(fw->effective)) {
      top.Error(top.Get("effective"), "effective must be a date written YYYY-MM-DD, not '" + fw->effective + "'");
    }
    top.String("source", &fw->source);

    ReadLevels(top.List("levels", true));
    ReadDomains(top.List("domains", true));
    ReadItems(top.List("indicators", true), ItemKind::kIndicator);
    ReadItems(top.List("strengths", false), ItemKind::kStrength);
    ReadItems(top.List("facts", false), ItemKind::kFact);
    ResolveContradictions();
    ReadRules(top.List("rules", true), top.node());
    ReadConsent(top.Get("consent"), top);
    ReadVocabulary(top.Get("vocabulary"), top);
    ReadTimescales(top.List("timescales", true));
    YAML::Node pathway = top.Get("pathway");
    if (pathway.IsDefined()) internal::ReadPathway(d_, pathway, fw);
    top.Finish();
  }

 private:
  std::string ItemWhere(const char* kind, size_t i, const std::string& id) {
    return id.empty() ? std::string(kind) + "[" + std::to_string(i) + "]"
                      : std::string(kind) + " '" + id + "'";
  }

  bool ReadLead(const YAML::Node& n, const std::string& where, LeadProfessionalRule* out,
                bool allow_required) {
    MapReader m(d_, n, where);
    if (!m.valid()) return false;
    bool ok = true;
    if (allow_required) ok &= m.Bool("required", &out->required, true);
    ok &= m.String("from", &out->from);
    static const std::set<std::string> kFrom = {"any", "social_work", "health", "education",
                                                "early_help", "police", "youth_justice"};
    if (ok && !kFrom.count(out->from)) {
      m.Error(m.Get("from"), where + ": from must be one of any, social_work, health, education, early_help, police, youth_justice; not '" + out->from + "'");
      ok = false;
    }
    ok &= m.String("note", &out->note, false);
    m.Finish();
    return ok;
  }

  void ReadLevels(const YAML::Node& list) {
    if (!list.IsDefined()) return;
    for (size_t i = 0; i < list.size(); ++i) {
      std::string where = "levels[" + std::to_string(i) + "]";
      MapReader m(d_, list[i], where);
      if (!m.valid()) continue;
      Level lv;
      if (m.Int("level", &lv.number, true, 1, 6) &&
          lv.number != static_cast<int>(fw_->levels.size()) + 1) {
        m.Error(m.Get("level"), where + ": levels must be numbered 1, 2, 3, … in order; expected " +
                                    std::to_string(fw_->levels.size() + 1) + ", found " +
                                    std::to_string(lv.number));
      }
      m.String("name", &lv.name);
      m.String("description", &lv.description);
      lv.severity = std::min(std::max(lv.number, 1), kSeverityBands);
      std::string severity;
      if (m.String("severity", &severity, false) && m.Has("severity")) {
        int band = SeverityBand(severity);
        if (band == 0) {
          m.Error(m.Get("severity"), where + ": severity must be one of " + SeverityList() + "; not '" + severity + "'");
        } else {
          lv.severity = band;
        }
      }
      if (!fw_->levels.empty() && lv.severity < fw_->levels.back().severity) {
        m.Error(m.Has("severity") ? m.Get("severity") : m.node(),
                where + ": severity '" + SeverityName(lv.severity) + "' is below that of the level before it ('" +
                    SeverityName(fw_->levels.back().severity) + "'); a higher level cannot be less severe");
      }
      m.StringList("responses", &lv.responses);
      std::string response;
      if (m.String("response", &response)) {
        static const std::map<std::string, Response> kResponses = {
            {"universal", Response::kUniversal},     {"own_service", Response::kOwnService},
            {"early_help", Response::kEarlyHelp},    {"multi_agency", Response::kMultiAgency},
            {"social_care", Response::kSocialCare}};
        auto it = kResponses.find(response);
        if (it == kResponses.end()) {
          m.Error(m.Get("response"), where + ": response must be one of universal, own_service, early_help, multi_agency, social_care; not '" + response + "'" +
                                         (response == "act_now" ? " (act_now comes only from the immediate_risk rule)" : ""));
        } else {
          lv.response = it->second;
        }
      }
      if (!m.Has("assessment")) {
        m.ErrorHere(where + ": missing required field 'assessment' (write null where none is needed)");
      }
      m.OptionalString("assessment", &lv.assessment);
      std::string plan;
      if (m.String("plan", &plan)) {
        static const std::map<std::string, PlanType> kPlans = {
            {"none", PlanType::kNone}, {"single_agency", PlanType::kSingleAgency},
            {"multi_agency", PlanType::kMultiAgency}, {"statutory", PlanType::kStatutory}};
        auto it = kPlans.find(plan);
        if (it == kPlans.end()) {
          m.Error(m.Get("plan"), where + ": plan must be one of none, single_agency, multi_agency, statutory; not '" + plan + "'");
        } else {
          lv.plan = it->second;
        }
      }
      YAML::Node lead = m.Get("lead_professional");
      if (!lead.IsDefined()) {
        m.ErrorHere(where + ": missing required field 'lead_professional'");
      } else {
        ReadLead(lead, where + ".lead_professional", &lv.lead_professional, true);
      }
      m.Finish();
      fw_->levels.push_back(std::move(lv));
    }
    if (fw_->levels.size() < 2) {
      d_.Error(list, "levels: a framework needs at least 2 levels");
    }
  }

  bool NewName(const YAML::Node& at, const std::string& id, const char* kind) {
    if (!ValidId(id)) {
      d_.Error(at, std::string(kind) + " id '" + id + "' is not a valid id (lowercase letters, digits, '.', '_', '-'; at most 64)");
      return false;
    }
    if (!domain_ids_.insert(id).second) {
      d_.Error(at, std::string(kind) + " id '" + id + "' is used twice");
      return false;
    }
    return true;
  }

  void ReadDomains(const YAML::Node& list) {
    if (!list.IsDefined()) return;
    for (size_t i = 0; i < list.size(); ++i) {
      std::string where = "domains[" + std::to_string(i) + "]";
      MapReader m(d_, list[i], where);
      if (!m.valid()) continue;
      Domain dom;
      if (m.String("id", &dom.id)) NewName(m.Get("id"), dom.id, "domain");
      m.String("name", &dom.name);
      int dom_index = static_cast<int>(fw_->domains.size());
      YAML::Node subs = m.List("subdomains", false);
      if (subs.IsDefined()) {
        if (subs.size() == 0) m.Error(subs, where + ": subdomains must not be empty (leave it out instead)");
        for (size_t j = 0; j < subs.size(); ++j) {
          std::string sw = where + ".subdomains[" + std::to_string(j) + "]";
          MapReader s(d_, subs[j], sw);
          if (!s.valid()) continue;
          Area a;
          a.domain = dom_index;
          if (s.String("id", &a.id)) NewName(s.Get("id"), a.id, "subdomain");
          s.String("name", &a.name);
          s.Finish();
          fw_->areas.push_back(std::move(a));
          dom.has_subdomains = true;
        }
      }
      if (!dom.has_subdomains) fw_->areas.push_back(Area{dom.id, dom.name, dom_index});
      m.Finish();
      fw_->domains.push_back(std::move(dom));
    }
    if (fw_->domains.empty()) d_.Error(list, "domains: a framework needs at least one domain");
  }

  // Exactly one of `source` (a section of the document) and `local_default`
  // (a one-line reason for a choice the document does not make).
  void ReadProvenance(MapReader& m, const std::string& where, std::string* source,
                      std::string* local_default) {
    bool has_source = m.Has("source");
    bool has_default = m.Has("local_default");
    if (has_source && has_default) {
      m.Error(m.Get("local_default"), where + ": give either 'source' (the section of the document) or 'local_default' (why we chose it where the document is silent), not both");
    } else if (!has_source && !has_default) {
      m.ErrorHere(where + ": missing 'source' (the section of the document it comes from) or 'local_default' (a one-line reason, where the document does not state it)");
    }
    for (auto [key, out] : {std::pair{"source", source}, std::pair{"local_default", local_default}}) {
      if (!m.Has(key)) continue;
      if (m.String(key, out, false) && out->find_first_not_of(" \t") == std::string::npos) {
        m.Error(m.Get(key), where + ": " + key + " must not be empty");
      }
    }
  }

  // "concept" or, on indicators, "concept@band".
  void ReadTags(MapReader& m, Item* item, const std::string& where, std::vector<int>* explicit_bands) {
    if (!m.StringList("tags", &item->tags, true)) return;
    YAML::Node tags = m.Get("tags");
    std::set<std::string> seen;
    explicit_bands->assign(item->tags.size(), 0);
    for (size_t i = 0; i < item->tags.size(); ++i) {
      std::string& t = item->tags[i];
      size_t at = t.find('@');
      if (at != std::string::npos) {
        std::string band = t.substr(at + 1);
        t.resize(at);
        if (item->kind != ItemKind::kIndicator) {
          m.Error(tags[i], where + ": tag '" + t + "@" + band + "': only indicators carry a severity");
        } else if (((*explicit_bands)[i] = SeverityBand(band)) == 0) {
          m.Error(tags[i], where + ": tag '" + t + "@" + band + "': severity must be one of " + SeverityList());
        }
      }
      if (!concepts_.Has(t)) {
        m.Error(tags[i], where + ": tag '" + t + "' is not a concept in concepts.yaml");
      } else if (!seen.insert(t).second) {
        m.Error(tags[i], where + ": tag '" + t + "' is listed twice");
      }
    }
  }

  // `contradicts` lists are resolved once every item is known.
  void ResolveContradictions() {
    for (const auto& [index, node, where] : pending_contradicts_) {
      Item& item = fw_->items[index];
      std::set<std::string> seen;
      for (const auto& e : node) {
        std::string s;
        if (!ScalarString(e, &s) || s.empty()) {
          d_.Error(e, where + ": contradicts: every entry is an indicator id or 'tag:CONCEPT'");
          continue;
        }
        if (!seen.insert(s).second) {
          d_.Error(e, where + ": contradicts: '" + s + "' is listed twice");
          continue;
        }
        if (s.rfind("tag:", 0) == 0) {
          std::string tag = s.substr(4);
          if (!concepts_.Has(tag)) {
            d_.Error(e, where + ": contradicts: tag '" + tag + "' is not a concept in concepts.yaml");
            continue;
          }
          bool carried = std::any_of(fw_->items.begin(), fw_->items.end(), [&](const Item& it) {
            return it.kind == ItemKind::kIndicator && &it != &item &&
                   std::find(it.tags.begin(), it.tags.end(), tag) != it.tags.end();
          });
          if (!carried) {
            d_.Error(e, where + ": contradicts: no other indicator of this framework carries tag '" + tag + "'");
            continue;
          }
          item.contradicts_tags.push_back(TagIndex(tag));
          continue;
        }
        int j = fw_->FindItem(s);
        if (j < 0) {
          d_.Error(e, where + ": contradicts: '" + s + "' is not an indicator of this framework (write tag:NAME for a concept)");
        } else if (fw_->items[j].kind != ItemKind::kIndicator) {
          d_.Error(e, where + ": contradicts: '" + s + "' is a " + ItemKindName(fw_->items[j].kind) + "; only indicators can be contradicted");
        } else if (j == index) {
          d_.Error(e, where + ": contradicts: an item cannot contradict itself");
        } else {
          item.contradicts_items.push_back(j);
        }
      }
    }
  }

  void ReadItems(const YAML::Node& list, ItemKind kind) {
    if (!list.IsDefined()) return;
    const char* kind_name = ItemKindName(kind);
    for (size_t i = 0; i < list.size(); ++i) {
      Item item;
      item.kind = kind;
      MapReader m(d_, list[i], ItemWhere(kind_name, i, ""));
      if (!m.valid()) continue;
      if (m.String("id", &item.id)) {
        if (!ValidId(item.id)) {
          m.Error(m.Get("id"), std::string(kind_name) + " id '" + item.id + "' is not a valid id (lowercase letters, digits, '.', '_', '-'; at most 64)");
        } else if (fw_->item_index.count(item.id)) {
          m.Error(m.Get("id"), std::string(kind_name) + " id '" + item.id + "' is already used by another indicator, strength or fact");
        }
      }
      std::string where = ItemWhere(kind_name, i, item.id);
      m.String("label", &item.label);
      ReadProvenance(m, where, &item.source, &item.local_default);
      std::vector<int> bands;
      ReadTags(m, &item, where, &bands);
      YAML::Node contradicts = m.List("contradicts", false);
      if (contradicts.IsDefined()) {
        if (kind == ItemKind::kFact) {
          m.Error(contradicts, where + ": contradicts is for indicators and strengths, not statutory facts");
        } else if (contradicts.size() == 0) {
          m.Error(contradicts, where + ": contradicts must not be empty (leave it out instead)");
        } else {
          pending_contradicts_.push_back({static_cast<int>(fw_->items.size()), contradicts, where});
        }
      }
      if (kind == ItemKind::kIndicator) {
        if (m.Int("level", &item.level, true, 1, 6) && item.level > fw_->max_level()) {
          m.Error(m.Get("level"), where + ": level " + std::to_string(item.level) + " is not a level of this framework (it has " + std::to_string(fw_->max_level()) + ")");
        }
        int level_band = item.level >= 1 && item.level <= fw_->max_level() ? fw_->level(item.level).severity : 0;
        item.tag_severity.resize(item.tags.size());
        for (size_t t = 0; t < item.tags.size(); ++t) {
          item.tag_severity[t] = t < bands.size() && bands[t] > 0 ? bands[t] : level_band;
        }
        std::string domain;
        if (m.String("domain", &domain)) {
          auto it = std::find_if(fw_->areas.begin(), fw_->areas.end(),
                                 [&](const Area& a) { return a.id == domain; });
          if (it == fw_->areas.end()) {
            bool is_parent = std::any_of(fw_->domains.begin(), fw_->domains.end(),
                                         [&](const Domain& d) { return d.id == domain; });
            m.Error(m.Get("domain"), where + ": domain '" + domain + "' " +
                                         (is_parent ? "has sub-domains; name one of them" : "is not a domain or sub-domain of this framework"));
          } else {
            item.area = static_cast<int>(it - fw_->areas.begin());
            item.domain = it->domain;
          }
        }
        m.Bool("mitigable", &item.mitigable);
        m.Bool("immediate", &item.immediate);
        if (item.immediate && item.mitigable && m.Has("immediate")) {
          m.Error(m.Get("immediate"), where + ": an immediate indicator cannot be mitigable; add 'mitigable: false'");
        }
        YAML::Node age = m.Get("age");
        if (age.IsDefined()) {
          MapReader a(d_, age, where + ".age");
          a.OptionalInt("under", &item.age_under, 0, kMaxAge + 1);
          a.OptionalInt("at_least", &item.age_at_least, 0, kMaxAge);
          if (a.valid() && !item.age_under && !item.age_at_least) a.ErrorHere(where + ".age: give 'under' or 'at_least'");
          if (item.age_under && item.age_at_least && *item.age_at_least >= *item.age_under) {
            a.ErrorHere(where + ".age: 'at_least' must be below 'under'");
          }
          a.Finish();
        }
      }
      m.Finish();
      if (!item.id.empty() && ValidId(item.id) && !fw_->item_index.count(item.id)) {
        fw_->item_index.emplace(item.id, static_cast<int>(fw_->items.size()));
      }
      fw_->items.push_back(std::move(item));
    }
  }

  int TagIndex(const std::string& t) {
    auto it = fw_->tag_index.find(t);
    if (it != fw_->tag_index.end()) return it->second;
    int idx = static_cast<int>(fw_->tags.size());
    fw_->tags.push_back(t);
    fw_->tag_index.emplace(t, idx);
    return idx;
  }

  // A combination term: "item-id", "tag:concept" or {any_of: [...]}.
  bool ReadTerm(const YAML::Node& n, const std::string& where, Term* term, int depth) {
    std::string s;
    if (ScalarString(n, &s)) {
      if (!term->text.empty()) term->text += " or ";
      term->text += s;
      if (s.rfind("tag:", 0) == 0) {
        std::string tag = s.substr(4);
        if (!concepts_.Has(tag)) {
          d_.Error(n, where + ": tag '" + tag + "' is not a concept in concepts.yaml");
          return false;
        }
        term->tags.push_back(TagIndex(tag));
        return true;
      }
      auto it = fw_->item_index.find(s);
      if (it == fw_->item_index.end()) {
        d_.Error(n, where + ": '" + s + "' is not an indicator, strength or fact of this framework (write tag:NAME for a concept)");
        return false;
      }
      term->items.push_back(it->second);
      return true;
    }
    if (depth == 0 && n.IsMap()) {
      MapReader m(d_, n, where);
      YAML::Node any = m.List("any_of", true);
      m.Finish();
      if (!any.IsDefined()) return false;
      if (any.size() == 0) {
        d_.Error(any, where + ": any_of must not be empty");
        return false;
      }
      bool ok = true;
      for (const auto& e : any) ok &= ReadTerm(e, where, term, depth + 1);
      term->text = "any of (" + term->text + ")";
      return ok;
    }
    d_.Error(n, where + ": a term is an indicator id, 'tag:CONCEPT', or {any_of: [...]}");
    return false;
  }

  // age_extended: {facts: [...], under: N}: the rule's age_under rises to N
  // for a child with any of those facts.
  void ReadAgeExtension(const YAML::Node& n, const std::string& rule_where, Rule* r) {
    std::string where = rule_where + ".age_extended";
    MapReader m(d_, n, where);
    if (!m.valid()) return;
    AgeExtension ext;
    std::vector<std::string> facts;
    if (m.StringList("facts", &facts)) {
      YAML::Node fn = m.Get("facts");
      for (size_t f = 0; f < facts.size(); ++f) {
        auto it = fw_->item_index.find(facts[f]);
        if (it == fw_->item_index.end() || fw_->items[it->second].kind != ItemKind::kFact) {
          m.Error(fn[f], where + ": '" + facts[f] + "' is not a statutory fact of this framework");
        } else {
          ext.facts.push_back(it->second);
        }
      }
    }
    if (m.Int("under", &ext.under, true, 1, kMaxAge + 1)) {
      if (!r->age_under) {
        m.Error(m.Get("under"), where + ": age_extended raises age_under; give age_under first");
      } else if (ext.under <= *r->age_under) {
        m.Error(m.Get("under"), where + ": under (" + std::to_string(ext.under) + ") must be above age_under (" + std::to_string(*r->age_under) + ")");
      }
    }
    m.Finish();
    r->age_extended = std::move(ext);
  }

  void CheckLevel(MapReader& m, const char* key, int value, const std::string& where) {
    if (value > fw_->max_level()) {
      m.Error(m.Get(key), where + ": " + key + " " + std::to_string(value) + " is not a level of this framework (it has " + std::to_string(fw_->max_level()) + ")");
    }
  }

  void ReadRules(const YAML::Node& list, const YAML::Node& top) {
    if (!list.IsDefined()) return;
    std::set<std::string> ids;
    static const std::map<std::string, RuleKind> kKinds = {
        {"highest_indicator", RuleKind::kHighestIndicator}, {"accumulation", RuleKind::kAccumulation},
        {"combination", RuleKind::kCombination},          {"strengths", RuleKind::kStrengths},
        {"statutory", RuleKind::kStatutory},              {"immediate_risk", RuleKind::kImmediateRisk}};
    for (size_t i = 0; i < list.size(); ++i) {
      Rule r;
      MapReader m(d_, list[i], "rules[" + std::to_string(i) + "]");
      if (!m.valid()) continue;
      if (m.String("id", &r.id)) {
        if (!ValidId(r.id)) m.Error(m.Get("id"), "rule id '" + r.id + "' is not a valid id");
        else if (!ids.insert(r.id).second) m.Error(m.Get("id"), "rule id '" + r.id + "' is used twice");
      }
      std::string where = r.id.empty() ? m.where() : "rule '" + r.id + "'";
      ReadProvenance(m, where, &r.source, &r.local_default);
      m.String("summary", &r.summary);
      std::string kind;
      if (!m.String("kind", &kind)) {
        m.Finish();
        continue;
      }
      auto k = kKinds.find(kind);
      if (k == kKinds.end()) {
        m.Error(m.Get("kind"), where + ": kind must be one of highest_indicator, accumulation, combination, strengths, statutory, immediate_risk; not '" + kind + "'");
        m.Finish();
        continue;
      }
      r.kind = k->second;
      const int max = 6;
      int index = static_cast<int>(fw_->rules.size());
      switch (r.kind) {
        case RuleKind::kHighestIndicator:
          fw_->highest_rules.push_back(index);
          break;
        case RuleKind::kAccumulation: {
          if (m.Int("level_at_least", &r.level_at_least, true, 1, max)) CheckLevel(m, "level_at_least", r.level_at_least, where);
          m.Int("min_indicators", &r.min_indicators, true, 2, 1000);
          m.Int("min_domains", &r.min_domains, true, 1, 1000);
          if (m.Int("raises_to", &r.raises_to, true, 2, max)) CheckLevel(m, "raises_to", r.raises_to, where);
          std::string scope = "domain";
          m.String("domain_scope", &scope, false);
          if (scope != "domain" && scope != "subdomain") {
            m.Error(m.Get("domain_scope"), where + ": domain_scope must be 'domain' or 'subdomain'");
          }
          r.count_subdomains = scope == "subdomain";
          if (r.min_domains > r.min_indicators) {
            m.ErrorHere(where + ": min_domains cannot exceed min_indicators");
          }
          fw_->accumulation_rules.push_back(index);
          break;
        }
        case RuleKind::kCombination: {
          YAML::Node terms = m.List("all_of", true);
          if (terms.IsDefined()) {
            if (terms.size() == 0) m.Error(terms, where + ": all_of needs at least one term");
            for (size_t t = 0; t < terms.size(); ++t) {
              Term term;
              if (ReadTerm(terms[t], where + ".all_of[" + std::to_string(t) + "]", &term, 0)) {
                r.all_of.push_back(std::move(term));
              }
            }
          }
          if (m.Int("level", &r.level, true, 1, max)) CheckLevel(m, "level", r.level, where);
          m.OptionalInt("age_under", &r.age_under, 0, kMaxAge + 1);
          m.OptionalInt("age_at_least", &r.age_at_least, 0, kMaxAge);
          if (r.age_under && r.age_at_least && *r.age_at_least >= *r.age_under) {
            m.Error(m.Get("age_at_least"), where + ": age_at_least must be below age_under");
          }
          YAML::Node ext = m.Get("age_extended");
          if (ext.IsDefined()) ReadAgeExtension(ext, where, &r);
          m.OptionalString("assessment", &r.assessment);
          m.OptionalString("response_name", &r.response_name);
          fw_->combination_rules.push_back(index);
          break;
        }
        case RuleKind::kStrengths: {
          m.Int("min_strengths", &r.min_strengths, true, 1, 1000);
          if (m.Int("lowers_by", &r.lowers_by, true, 0, 100) && r.lowers_by != 1) {
            m.Error(m.Get("lowers_by"), where + ": lowers_by must be 1 (strengths may lower a suggestion by at most one level)");
          }
          if (m.IntList("applies_to_levels", &r.applies_to_levels, true, 1, max)) {
            for (int l : r.applies_to_levels) {
              if (l > fw_->max_level() || l < 2) {
                m.Error(m.Get("applies_to_levels"), where + ": applies_to_levels must name levels from 2 to " + std::to_string(fw_->max_level()));
                break;
              }
            }
          }
          if (!fw_->strengths_rules.empty()) m.ErrorHere(where + ": only one strengths rule is allowed");
          fw_->strengths_rules.push_back(index);
          break;
        }
        case RuleKind::kStatutory: {
          std::vector<std::string> facts;
          if (m.StringList("facts", &facts)) {
            YAML::Node fn = m.Get("facts");
            for (size_t f = 0; f < facts.size(); ++f) {
              auto it = fw_->item_index.find(facts[f]);
              if (it == fw_->item_index.end() || fw_->items[it->second].kind != ItemKind::kFact) {
                m.Error(fn[f], where + ": '" + facts[f] + "' is not a statutory fact of this framework");
              } else {
                r.facts.push_back(it->second);
              }
            }
          }
          if (m.Int("level", &r.level, true, 1, max)) CheckLevel(m, "level", r.level, where);
          YAML::Node lead = m.Get("lead_professional");
          if (lead.IsDefined()) {
            LeadProfessionalRule lp;
            lp.required = true;
            if (ReadLead(lead, where + ".lead_professional", &lp, false)) r.lead_professional = lp;
          }
          fw_->statutory_rules.push_back(index);
          break;
        }
        case RuleKind::kImmediateRisk:
          m.StringList("actions", &r.actions);
          fw_->immediate_rules.push_back(index);
          break;
      }
      m.Finish();
      fw_->rules.push_back(std::move(r));
    }
    if (fw_->highest_rules.size() != 1) {
      d_.Error(list, "rules: exactly one rule of kind highest_indicator is required, found " + std::to_string(fw_->highest_rules.size()));
    }
    if (fw_->immediate_rules.size() != 1) {
      d_.Error(list, "rules: exactly one rule of kind immediate_risk is required, found " + std::to_string(fw_->immediate_rules.size()));
    }
    (void)top;
  }

  void ReadConsent(const YAML::Node& n, MapReader& top) {
    if (!n.IsDefined()) {
      top.ErrorHere("framework: missing required field 'consent'");
      return;
    }
    MapReader m(d_, n, "consent");
    if (!m.valid()) return;
    Consent& c = fw_->consent;
    m.String("source", &c.source);
    if (m.IntList("before_referral_levels", &c.before_referral_levels, true, 1, 6)) {
      for (int l : c.before_referral_levels) {
        if (l > fw_->max_level()) {
          m.Error(m.Get("before_referral_levels"), "consent: level " + std::to_string(l) + " is not a level of this framework");
        }
      }
    }
    if (m.String("form", &c.form) && c.form != "written" && c.form != "verbal_or_written") {
      m.Error(m.Get("form"), "consent: form must be 'written' or 'verbal_or_written'");
    }
    m.String("note", &c.note);
    YAML::Node list = m.List("without_consent", true);
    if (list.IsDefined()) {
      std::set<std::string> ids;
      for (size_t i = 0; i < list.size(); ++i) {
        MapReader g(d_, list[i], "consent.without_consent[" + std::to_string(i) + "]");
        ConsentGround ground;
        if (g.String("id", &ground.id) && (!ValidId(ground.id) || !ids.insert(ground.id).second)) {
          g.Error(g.Get("id"), "consent.without_consent: id '" + ground.id + "' is not a valid, unique id");
        }
        g.String("label", &ground.label);
        g.String("source", &ground.source);
        g.Finish();
        c.without_consent.push_back(std::move(ground));
      }
    }
    m.Finish();
  }

  void ReadVocabulary(const YAML::Node& n, MapReader& top) {
    if (!n.IsDefined()) {
      top.ErrorHere("framework: missing required field 'vocabulary'");
      return;
    }
    MapReader m(d_, n, "vocabulary");
    if (!m.valid()) return;
    for (const char* key : {"level", "assessment", "plan", "multi_agency_plan", "team",
                            "lead_professional", "front_door", "review"}) {
      std::string v;
      if (m.String(key, &v)) fw_->vocabulary.emplace_back(key, v);
    }
    m.Finish();
  }

  bool ReadDuration(const YAML::Node& n, const std::string& where, Duration* out) {
    MapReader m(d_, n, where);
    if (!m.valid()) return false;
    bool ok = m.Int("amount", &out->amount, true, 1, 10000);
    std::string unit;
    if (m.String("unit", &unit)) {
      static const std::map<std::string, TimeUnit> kUnits = {
          {"hours", TimeUnit::kHours}, {"days", TimeUnit::kDays},
          {"working_days", TimeUnit::kWorkingDays}, {"weeks", TimeUnit::kWeeks}};
      auto it = kUnits.find(unit);
      if (it == kUnits.end()) {
        m.Error(m.Get("unit"), where + ": unit must be hours, days, working_days or weeks; not '" + unit + "'");
        ok = false;
      } else {
        out->unit = it->second;
      }
    } else {
      ok = false;
    }
    m.Finish();
    return ok;
  }

  static long ApproxHours(const Duration& d) {
    switch (d.unit) {
      case TimeUnit::kHours: return d.amount;
      case TimeUnit::kDays: return d.amount * 24L;
      case TimeUnit::kWorkingDays: return d.amount * 24L * 7 / 5;
      case TimeUnit::kWeeks: return d.amount * 24L * 7;
    }
    return 0;
  }

  void ReadTimescales(const YAML::Node& list) {
    if (!list.IsDefined()) return;
    std::set<std::string> ids;
    for (size_t i = 0; i < list.size(); ++i) {
      MapReader m(d_, list[i], "timescales[" + std::to_string(i) + "]");
      if (!m.valid()) continue;
      Timescale t;
      if (m.String("id", &t.id) && (!ValidId(t.id) || !ids.insert(t.id).second)) {
        m.Error(m.Get("id"), "timescale id '" + t.id + "' is not a valid, unique id");
      }
      std::string where = "timescale '" + t.id + "'";
      m.String("label", &t.label);
      internal::ReadProvenance(m, where, &t.provenance);
      YAML::Node within = m.Get("within");
      bool ok_within = false;
      if (!within.IsDefined()) {
        m.ErrorHere(where + ": missing required field 'within'");
      } else {
        ok_within = ReadDuration(within, where + ".within", &t.within);
      }
      YAML::Node at_least = m.Get("at_least");
      if (at_least.IsDefined()) {
        Duration d;
        if (ReadDuration(at_least, where + ".at_least", &d)) {
          t.at_least = d;
          if (ok_within && ApproxHours(d) > ApproxHours(t.within)) {
            m.Error(at_least, where + ": at_least is longer than within");
          }
        }
      }
      m.Finish();
      fw_->timescales.push_back(std::move(t));
    }
  }

  struct PendingContradicts {
    int item;
    YAML::Node node;
    std::string where;
  };

  Diagnostics& d_;
  const Concepts& concepts_;
  Framework* fw_ = nullptr;
  std::set<std::string> domain_ids_;
  std::vector<PendingContradicts> pending_contradicts_;
};


Status CheckText(std::string_view text, std::string_view file_name) {
  if (text.size() > kMaxFrameworkBytes) {
    return InvalidArgument(std::string(file_name) + ":1:1: file is larger than 4 MiB");
  }
  if (text.find('\0') != std::string_view::npos) {
    return InvalidArgument(std::string(file_name) + ":1:1: file contains a NUL byte; is it text?");
  }
  return Status::Ok();
}

}  // namespace

const char* ResponseCode(Response r) {
  switch (r) {
    case Response::kUniversal: return "universal";
    case Response::kOwnService: return "own_service";
    case Response::kEarlyHelp: return "early_help";
    case Response::kMultiAgency: return "multi_agency";
    case Response::kSocialCare: return "social_care";
    case Response::kActNow: return "act_now";
  }
  return "?";
}

const char* ResponseLabel(Response r) {
  switch (r) {
    case Response::kUniversal: return "signpost to universal services";
    case Response::kOwnService: return "support within the practitioner's own service";
    case Response::kEarlyHelp: return "early help assessment and plan";
    case Response::kMultiAgency: return "multi-agency plan with a team around the family";
    case Response::kSocialCare: return "referral to children's social care or social work";
    case Response::kActNow: return "act now: call 999 or contact the front door";
  }
  return "?";
}

const char* PlanTypeCode(PlanType p) {
  switch (p) {
    case PlanType::kNone: return "none";
    case PlanType::kSingleAgency: return "single_agency";
    case PlanType::kMultiAgency: return "multi_agency";
    case PlanType::kStatutory: return "statutory";
  }
  return "?";
}

const char* SeverityName(int band) {
  switch (band) {
    case 1: return "universal";
    case 2: return "additional";
    case 3: return "complex";
    case 4: return "acute";
  }
  return "?";
}

int SeverityBand(std::string_view name) {
  for (int b = 1; b <= kSeverityBands; ++b) {
    if (name == SeverityName(b)) return b;
  }
  return 0;
}

int Framework::LevelForSeverity(int band) const {
  for (const auto& l : levels) {
    if (l.severity >= band) return l.number;
  }
  return max_level();
}

const char* ItemKindName(ItemKind k) {
  switch (k) {
    case ItemKind::kIndicator: return "indicator";
    case ItemKind::kStrength: return "strength";
    case ItemKind::kFact: return "fact";
  }
  return "?";
}

const char* RuleKindName(RuleKind k) {
  switch (k) {
    case RuleKind::kHighestIndicator: return "highest_indicator";
    case RuleKind::kAccumulation: return "accumulation";
    case RuleKind::kCombination: return "combination";
    case RuleKind::kStrengths: return "strengths";
    case RuleKind::kStatutory: return "statutory";
    case RuleKind::kImmediateRisk: return "immediate_risk";
  }
  return "?";
}

const char* TimeUnitName(TimeUnit u) {
  switch (u) {
    case TimeUnit::kHours: return "hours";
    case TimeUnit::kDays: return "days";
    case TimeUnit::kWorkingDays: return "working_days";
    case TimeUnit::kWeeks: return "weeks";
  }
  return "?";
}

int Framework::FindItem(std::string_view id) const {
  auto it = item_index.find(id);
  return it == item_index.end() ? -1 : it->second;
}

int Framework::FindTag(std::string_view name) const {
  auto it = tag_index.find(name);
  return it == tag_index.end() ? -1 : it->second;
}

const Timescale* Framework::FindTimescale(std::string_view id) const {
  for (const auto& t : timescales) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

std::string_view Framework::Term(std::string_view key) const {
  for (const auto& [k, v] : vocabulary) {
    if (k == key) return v;
  }
  return {};
}

Result<Concepts> LoadConcepts(std::string_view text, std::string_view file_name) {
  CONTINUUM_RETURN_IF_ERROR(CheckText(text, file_name));
  Diagnostics d{std::string(file_name)};
  auto root = internal::ParseYaml(d, text);
  Concepts c;
  if (root) {
    MapReader top(d, *root, "concepts file");
    std::string format;
    if (top.String("format", &format) && format != "continuum-concepts/1") {
      top.Error(top.Get("format"), "format must be 'continuum-concepts/1'");
    }
    YAML::Node list = top.Get("concepts");
    MapReader m(d, list, "concepts");
    if (m.valid()) {
      for (auto it = list.begin(); it != list.end(); ++it) {
        std::string name, desc;
        if (!ScalarString(it->first, &name)) continue;
        YAML::Node v = m.Get(name);
        if (!ValidId(name)) d.Error(it->first, "concept '" + name + "' is not a valid name");
        if (!ScalarString(v, &desc) || desc.empty()) {
          d.Error(v, "concept '" + name + "' needs a short description");
        }
        c.descriptions[name] = desc;
      }
    }
    top.Finish();
  }
  if (!d.empty()) return InvalidArgument(d.Joined());
  return c;
}

Result<Concepts> LoadConceptsFile(const std::string& path) {
  auto text = ReadFileLimited(path, kMaxFrameworkBytes);
  if (!text.ok()) return text.status();
  return LoadConcepts(*text, path);
}

Result<Framework> LoadFramework(std::string_view text, std::string_view file_name,
                                const Concepts& concepts) {
  CONTINUUM_RETURN_IF_ERROR(CheckText(text, file_name));
  Diagnostics d{std::string(file_name)};
  auto root = internal::ParseYaml(d, text);
  Framework fw;
  fw.file = std::string(file_name);
  if (root) {
    Loader loader(d, concepts);
    loader.Load(*root, &fw);
  }
  if (!d.empty()) return InvalidArgument(d.Joined());
  // Tag indices for every item, now that all tags are known.
  for (auto& item : fw.items) {
    for (const auto& t : item.tags) {
      auto it = fw.tag_index.find(t);
      int idx;
      if (it == fw.tag_index.end()) {
        idx = static_cast<int>(fw.tags.size());
        fw.tags.push_back(t);
        fw.tag_index.emplace(t, idx);
      } else {
        idx = it->second;
      }
      item.tag_ids.push_back(idx);
    }
  }
  return fw;
}

Result<Framework> LoadFrameworkFile(const std::string& path, const Concepts& concepts) {
  auto text = ReadFileLimited(path, kMaxFrameworkBytes);
  if (!text.ok()) return text.status();
  return LoadFramework(*text, path, concepts);
}

Result<Registry> Registry::LoadDirectory(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return NotFound("frameworks directory '" + dir + "' does not exist");
  Registry reg;
  reg.dir_ = dir;
  auto concepts = LoadConceptsFile((fs::path(dir) / "concepts.yaml").string());
  if (!concepts.ok()) return concepts.status();
  reg.concepts_ = std::make_shared<const Concepts>(std::move(concepts).value());
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".yaml" && e.path().filename() != "concepts.yaml") {
      files.push_back(e.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    auto fw = LoadFrameworkFile(f, *reg.concepts_);
    if (!fw.ok()) return fw.status();
    if (reg.Find(fw->id)) return InvalidArgument(f + ": framework id '" + fw->id + "' is used by another file");
    reg.all_.push_back(std::make_shared<const Framework>(std::move(fw).value()));
  }
  std::sort(reg.all_.begin(), reg.all_.end(),
            [](const auto& a, const auto& b) { return a->id < b->id; });
  return reg;
}

std::shared_ptr<const Framework> Registry::Find(std::string_view id) const {
  for (const auto& f : all_) {
    if (f->id == id) return f;
  }
  return nullptr;
}

}  // namespace continuum::framework

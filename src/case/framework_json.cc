#include "case/framework_json.h"

namespace continuum::casework {

using framework::Framework;
using framework::ItemKind;
using framework::Transition;
using ojson = nlohmann::ordered_json;

namespace {

ojson Duration(const framework::Duration& d) {
  return {{"amount", d.amount}, {"unit", framework::TimeUnitName(d.unit)}};
}

ojson CaseJson(const framework::CaseTest& c) {
  ojson j = ojson::object();
  auto num = [&](const char* k, const std::optional<int>& v) {
    if (v) j[k] = *v;
  };
  auto list = [&](const char* k, const std::vector<std::string>& v) {
    if (!v.empty()) j[k] = v;
  };
  auto flag = [&](const char* k, const std::optional<bool>& v) {
    if (v) j[k] = *v;
  };
  num("level_at_least", c.level_at_least);
  list("facts_any", c.facts_any);
  list("facts_none", c.facts_none);
  num("age_at_least", c.age_at_least);
  num("age_under", c.age_under);
  num("team_at_least", c.team_at_least);
  num("team_agencies_at_least", c.team_agencies_at_least);
  list("records_any", c.records_any);
  list("records_none", c.records_none);
  list("deadlines_open", c.deadlines_open);
  list("deadlines_none", c.deadlines_none);
  flag("consent", c.consent);
  flag("lead_professional", c.lead_professional);
  flag("allocated_worker", c.allocated_worker);
  return j;
}

ojson WhenJson(const framework::When& w) {
  ojson j = ojson::object();
  for (const auto& [field, values] : w.fields) j[field] = values;
  if (!w.case_test.empty()) j["case"] = CaseJson(w.case_test);
  return j;
}

ojson EffectsJson(const framework::Effects& e) {
  ojson j = ojson::object();
  if (!e.level_field.empty()) j["level"] = e.level_field;
  if (!e.facts_add_field.empty() || !e.facts_end_field.empty()) {
    j["facts"] = ojson::object();
    if (!e.facts_add_field.empty()) j["facts"]["add"] = e.facts_add_field;
    if (!e.facts_end_field.empty()) j["facts"]["end"] = e.facts_end_field;
  }
  if (!e.lead_professional_field.empty()) {
    j["lead_professional"] = {{"set", e.lead_professional_field}};
    if (!e.lead_service_field.empty()) j["lead_professional"]["service"] = e.lead_service_field;
  } else if (e.lead_professional_ends) {
    j["lead_professional"] = "end";
  }
  if (!e.allocated_worker_field.empty()) {
    j["allocated_worker"] = {{"set", e.allocated_worker_field}};
  } else if (e.allocated_worker_ends) {
    j["allocated_worker"] = "end";
  }
  if (!e.team_add_field.empty()) {
    j["team"] = {{"add", e.team_add_field}};
    if (!e.team_role_field.empty()) j["team"]["role"] = e.team_role_field;
  }
  if (!e.team_remove_field.empty()) j["team"] = {{"remove", e.team_remove_field}};
  using K = framework::Effects::ConsentKind;
  if (e.consent != K::kNone) {
    j["consent"] = {{"kind", e.consent == K::kGiven       ? "given"
                             : e.consent == K::kWithdrawn ? "withdrawn"
                             : e.consent == K::kOverridden ? "overridden"
                                                          : "refused"}};
    if (!e.consent_agencies_field.empty()) j["consent"]["agencies"] = e.consent_agencies_field;
  }
  if (!e.communication_needs_field.empty()) j["communication_needs"] = e.communication_needs_field;
  if (!e.record_kind.empty()) {
    using R = framework::Effects::RecordKey;
    j["record"] = {{"kind", e.record_kind},
                   {"per", e.record_key == R::kEpisode ? "episode"
                           : e.record_key == R::kEvent ? "event"
                                                       : e.record_key_field}};
  }
  return j;
}

}  // namespace

void AddProvenance(const framework::Provenance& p, ojson* out) {
  if (p.is_local()) {
    (*out)["local_default"] = p.local_default;
  } else {
    (*out)["source"] = p.source;
  }
}

ojson TransitionToJson(const Framework& fw, const Transition& t) {
  ojson x = {{"id", t.id}, {"event", t.event}, {"label", t.label}};
  if (!t.help.empty()) x["help"] = t.help;
  AddProvenance(t.provenance, &x);
  ojson from = t.from;
  if (t.from_any && std::find(t.from.begin(), t.from.end(), "any") == t.from.end()) from.push_back("any");
  x["from"] = from;
  if (!t.to.empty()) x["to"] = t.to;
  if (!t.to_field.empty()) x["to"] = {{"field", t.to_field}, {"map", t.to_map}};
  x["roles"] = t.roles.empty() && fw.pathway ? fw.pathway->roles : t.roles;
  if (!t.by.empty()) {
    x["by"] = ojson::array();
    for (auto h : t.by) x["by"].push_back(framework::HolderName(h));
  }
  x["entry"] = t.entry;
  x["significance"] = t.significance == 2 ? "key" : t.significance == 1 ? "significant" : "routine";
  auto& fields = x["fields"] = ojson::array();
  for (const auto& f : t.fields) {
    ojson fj = {{"name", f.name}, {"type", framework::FieldTypeName(f.type)}, {"optional", f.optional}};
    if (!f.label.empty()) fj["label"] = f.label;
    if (!f.values.empty()) fj["values"] = f.values;
    if (f.type == framework::FieldType::kLevel) {
      fj["values"] = ojson::array();
      for (const auto& l : fw.levels) fj["values"].push_back(l.number);
    }
    if (f.type == framework::FieldType::kFacts) {
      fj["values"] = ojson::array();
      for (const auto& it : fw.items)
        if (it.kind == ItemKind::kFact) fj["values"].push_back(it.id);
    }
    bool confidential =
        std::find(t.confidential.fields.begin(), t.confidential.fields.end(), f.name) != t.confidential.fields.end();
    if (confidential) fj["confidential"] = true;
    fields.push_back(std::move(fj));
  }
  auto& req = x["require"] = ojson::array();
  for (const auto& c : t.require) {
    ojson cj = ojson::object();
    if (!c.when.empty()) cj["if"] = WhenJson(c.when);
    if (!c.field.empty()) cj["field"] = c.field;
    if (c.equals) cj["equals"] = *c.equals;
    if (!c.not_holder.empty()) cj["not"] = c.not_holder;
    if (!c.case_test.empty()) cj["case"] = CaseJson(c.case_test);
    if (!c.date_field.empty()) cj["date_within"] = {{"field", c.date_field}, {"timescale", c.timescale}};
    if (!c.after_field.empty()) cj["date_after"] = {{"field", c.after_field}, {"other", c.after_other}};
    cj["message"] = c.message;
    AddProvenance(c.provenance, &cj);
    cj["enforce"] = c.enforce;
    req.push_back(std::move(cj));
  }
  auto& starts = x["starts"] = ojson::array();
  for (const auto& d : t.starts) {
    ojson dj = {{"deadline", d.deadline}};
    if (!d.timescale.empty()) dj["timescale"] = d.timescale;
    if (!d.due_field.empty()) dj["due_field"] = d.due_field;
    if (!d.key_field.empty()) dj["key_field"] = d.key_field;
    if (!d.owner.field.empty()) dj["owner"] = {{"field", d.owner.field}};
    if (d.owner.holder) dj["owner"] = framework::HolderName(*d.owner.holder);
    if (!d.owner.duty.empty()) {
      dj["owner"] = {{"duty", d.owner.duty}};
      if (!d.owner.agency_field.empty()) dj["owner"]["agency"] = d.owner.agency_field;
    }
    if (!d.when.empty()) dj["if"] = WhenJson(d.when);
    starts.push_back(std::move(dj));
  }
  x["completes"] = ojson::array();
  x["cancels"] = ojson::array();
  for (const auto& d : t.completes) {
    ojson dj = {{"deadline", d.deadline}};
    if (!d.key_field.empty()) dj["key_field"] = d.key_field;
    if (!d.when.empty()) dj["if"] = WhenJson(d.when);
    x[d.cancel ? "cancels" : "completes"].push_back(std::move(dj));
  }
  x["effects"] = EffectsJson(t.effects);
  if (t.confidential.any()) {
    x["confidential"] = {{"author", t.confidential.author}, {"fields", t.confidential.fields}};
  }
  return x;
}

ojson FrameworkToJson(const Framework& fw) {
  ojson j;
  j["id"] = fw.id;
  j["name"] = fw.name;
  j["authority"] = fw.authority;
  j["version"] = fw.version;
  j["effective"] = fw.effective;
  j["source"] = fw.source;
  auto& levels = j["levels"] = ojson::array();
  for (const auto& l : fw.levels) {
    levels.push_back({{"level", l.number},
                      {"severity", framework::SeverityName(l.severity)},
                      {"name", l.name},
                      {"description", l.description},
                      {"responses", l.responses},
                      {"response", framework::ResponseCode(l.response)},
                      {"assessment", l.assessment ? ojson(*l.assessment) : ojson()},
                      {"plan", framework::PlanTypeCode(l.plan)},
                      {"lead_professional",
                       {{"required", l.lead_professional.required},
                        {"from", l.lead_professional.from},
                        {"note", l.lead_professional.note}}}});
  }
  auto& domains = j["domains"] = ojson::array();
  for (size_t d = 0; d < fw.domains.size(); ++d) {
    ojson dom = {{"id", fw.domains[d].id}, {"name", fw.domains[d].name}};
    if (fw.domains[d].has_subdomains) {
      auto& subs = dom["subdomains"] = ojson::array();
      for (const auto& a : fw.areas) {
        if (a.domain == static_cast<int>(d)) subs.push_back({{"id", a.id}, {"name", a.name}});
      }
    }
    domains.push_back(std::move(dom));
  }
  auto& indicators = j["indicators"] = ojson::array();
  auto& strengths = j["strengths"] = ojson::array();
  auto& facts = j["facts"] = ojson::array();
  for (const auto& it : fw.items) {
    ojson x = {{"id", it.id}, {"label", it.label}};
    if (it.kind == ItemKind::kIndicator) {
      x["level"] = it.level;
      x["domain"] = fw.areas[it.area].id;
      x["mitigable"] = it.mitigable;
      x["immediate"] = it.immediate;
      if (it.age_under) x["age_under"] = *it.age_under;
      if (it.age_at_least) x["age_at_least"] = *it.age_at_least;
    }
    AddProvenance({it.source, it.local_default}, &x);
    if (it.kind == ItemKind::kIndicator) {
      // concept@severity, as the file writes a qualified tag.
      auto tags = ojson::array();
      for (size_t t = 0; t < it.tags.size(); ++t) {
        tags.push_back(it.tags[t] + "@" + framework::SeverityName(it.tag_severity.at(t)));
      }
      x["tags"] = std::move(tags);
    } else {
      x["tags"] = it.tags;
    }
    if (!it.contradicts_items.empty() || !it.contradicts_tags.empty()) {
      auto c = ojson::array();
      for (int i : it.contradicts_items) c.push_back(fw.items[i].id);
      for (int t : it.contradicts_tags) c.push_back("tag:" + fw.tags[t]);
      x["contradicts"] = std::move(c);
    }
    (it.kind == ItemKind::kIndicator ? indicators : it.kind == ItemKind::kStrength ? strengths : facts)
        .push_back(std::move(x));
  }
  auto& rules = j["rules"] = ojson::array();
  for (const auto& r : fw.rules) {
    ojson x = {{"id", r.id}, {"kind", framework::RuleKindName(r.kind)}, {"summary", r.summary}};
    AddProvenance({r.source, r.local_default}, &x);
    rules.push_back(std::move(x));
  }
  ojson consent = {{"source", fw.consent.source},
                   {"before_referral_levels", fw.consent.before_referral_levels},
                   {"form", fw.consent.form},
                   {"note", fw.consent.note}};
  auto& wc = consent["without_consent"] = ojson::array();
  for (const auto& g : fw.consent.without_consent) {
    wc.push_back({{"id", g.id}, {"label", g.label}, {"source", g.source}});
  }
  j["consent"] = std::move(consent);
  auto& vocab = j["vocabulary"] = ojson::object();
  for (const auto& [k, v] : fw.vocabulary) vocab[k] = v;
  auto& ts = j["timescales"] = ojson::array();
  for (const auto& t : fw.timescales) {
    ojson x = {{"id", t.id}, {"label", t.label}, {"within", Duration(t.within)}};
    if (t.at_least) x["at_least"] = Duration(*t.at_least);
    AddProvenance(t.provenance, &x);
    ts.push_back(std::move(x));
  }
  if (fw.pathway) {
    const auto& p = *fw.pathway;
    ojson pw;
    pw["division"] = p.division;
    pw["roles"] = p.roles;
    pw["duties"] = ojson::array();
    for (const auto& d : p.duties) {
      ojson dj = {{"id", d.id}, {"label", d.label}};
      AddProvenance(d.provenance, &dj);
      pw["duties"].push_back(std::move(dj));
    }
    pw["states"] = ojson::array();
    for (const auto& st : p.states) pw["states"].push_back({{"id", st.id}, {"label", st.label}});
    pw["closed_states"] = p.closed_states;
    pw["transitions"] = ojson::array();
    for (const auto& t : p.transitions) pw["transitions"].push_back(TransitionToJson(fw, t));
    j["pathway"] = std::move(pw);
  }
  return j;
}

}  // namespace continuum::casework

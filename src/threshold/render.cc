// JSON and plain-text renderings of a suggestion.
#include <string>

#include "core/json_text.h"
#include "threshold/threshold.h"

namespace continuum::threshold {

using framework::Framework;

namespace {

void Key(std::string* out, const char* k) {
  out->push_back('"');
  out->append(k);
  out->append("\":");
}

void Str(std::string* out, const char* k, std::string_view v) {
  Key(out, k);
  AppendJsonString(out, v);
}

void Int(std::string* out, const char* k, int v) {
  Key(out, k);
  out->append(std::to_string(v));
}


constexpr const char* kCarriedDefault =
    "a need recorded under another framework, with no counterpart here of comparable severity, keeps "
    "the level it had there";

// `"source":"…"` or `"local_default":"…"`: exactly one, as in the file.
void AppendProvenance(std::string* out, const std::string& source, const std::string& local_default) {
  if (!local_default.empty()) {
    Str(out, "local_default", local_default);
  } else {
    Str(out, "source", source);
  }
}

std::string AgeBand(std::optional<int> at_least, std::optional<int> under) {
  if (at_least && under) return "ages " + std::to_string(*at_least) + " to " + std::to_string(*under - 1);
  if (under) return "children under " + std::to_string(*under);
  if (at_least) return "ages " + std::to_string(*at_least) + " and over";
  return "any age";
}

std::string CarriedSummary(const CarriedNeed& c) {
  return "Recorded under " + c.framework + ": '" + c.label + "' (" + c.id +
         "), which has no counterpart here of comparable severity (" + c.reason + ")";
}

std::string NoteText(const Framework& fw, const Suggestion& s, const Note& n) {
  std::string t;
  auto labels = [&]() {
    std::string l;
    for (int i : n.items) {
      if (!l.empty()) l += "; ";
      l += fw.items[i].label + " (" + fw.items[i].id + ")";
    }
    return l;
  };
  switch (n.kind) {
    case NoteKind::kIgnoredForAge: {
      const auto& it = fw.items[n.items.at(0)];
      t = "Not counted: '" + it.label + "' (" + it.id + ") applies to ";
      if (it.age_under && it.age_at_least) {
        t += "ages " + std::to_string(*it.age_at_least) + " to " + std::to_string(*it.age_under - 1);
      } else if (it.age_under) {
        t += "children under " + std::to_string(*it.age_under);
      } else {
        t += "ages " + std::to_string(*it.age_at_least) + " and over";
      }
      t += "; check the child's age or the indicator chosen.";
      break;
    }
    case NoteKind::kStrengthsHeld:
      t = "Strengths were noted but cannot lower the level below " + std::to_string(s.level) +
          (n.items.empty() ? std::string(": a need read from another framework keeps its level here.")
                           : ": these indicators are not mitigable: " + labels() + ".");
      break;
    case NoteKind::kStrengthsNotInRange:
      t = "Strengths were noted; under this framework they do not change a suggestion at level " +
          std::to_string(s.level) + ", but record them in the assessment.";
      break;
    case NoteKind::kStrengthsNoRule:
      t = "Strengths were noted: " + labels() +
          ". This framework's document does not say that strengths lower a level, so they do not change "
          "the suggestion; record them in the assessment.";
      break;
    case NoteKind::kContradiction: {
      const auto& it = fw.items[n.items.at(0)];
      std::string with;
      for (size_t k = 1; k < n.items.size(); ++k) {
        if (!with.empty()) with += "; ";
        with += "'" + fw.items[n.items[k]].label + "' (" + fw.items[n.items[k]].id + ")";
      }
      t = "Contradiction: the " + std::string(framework::ItemKindName(it.kind)) + " '" + it.label + "' (" + it.id +
          ") cannot stand beside " + with + ". It was set aside and did not count" +
          (it.kind == framework::ItemKind::kStrength ? " towards lowering the level" : "") +
          "; check with whoever recorded each and record what is true now.";
      break;
    }
    case NoteKind::kRuleOutsideAge: {
      const auto& r = *n.rule;
      std::optional<int> under = r.age_under;
      std::string band = AgeBand(r.age_at_least, under);
      if (r.age_extended) {
        band += " (under " + std::to_string(r.age_extended->under) + " with ";
        for (size_t k = 0; k < r.age_extended->facts.size(); ++k) {
          band += (k ? " or " : "") + fw.items[r.age_extended->facts[k]].label;
        }
        band += ")";
      }
      t = "Not applied: " + r.summary + " [" + r.id + "] It is for " + band + "; the child's age " +
          (s.age ? "is " + std::to_string(*s.age) : std::string("was not given")) + ".";
      break;
    }
  }
  return t;
}

// "raises level 2 to 3", appended without building a temporary.
void AppendEffect(std::string* out, const Reason& r) {
  auto digit = [&](int n) { out->append(std::to_string(n)); };
  if (r.to_level > r.from_level) {
    if (r.from_level == 1 && r.rule && r.rule->kind == framework::RuleKind::kHighestIndicator) {
      out->append("sets level ");
    } else {
      out->append("raises level ");
      digit(r.from_level);
      out->append(" to ");
    }
    digit(r.to_level);
  } else if (r.to_level < r.from_level) {
    out->append("lowers level ");
    digit(r.from_level);
    out->append(" to ");
    digit(r.to_level);
  } else if (r.rule && r.rule->kind == framework::RuleKind::kImmediateRisk) {
    out->append("act now, whatever the level");
  } else {
    out->append("level stays ");
    digit(r.to_level);
  }
}

std::string Effect(const Reason& r) {
  std::string s;
  AppendEffect(&s, r);
  return s;
}

std::string ProvenanceText(const std::string& source, const std::string& local_default) {
  if (!local_default.empty()) return "local default: " + local_default + " (not stated in the document)";
  return "source: " + source;
}

}  // namespace

const char* NoteCode(NoteKind k) {
  switch (k) {
    case NoteKind::kIgnoredForAge: return "ignored_for_age";
    case NoteKind::kStrengthsHeld: return "strengths_held_by_non_mitigable";
    case NoteKind::kStrengthsNotInRange: return "strengths_not_applied_at_level";
    case NoteKind::kStrengthsNoRule: return "strengths_not_a_rule_here";
    case NoteKind::kContradiction: return "contradiction";
    case NoteKind::kRuleOutsideAge: return "rule_outside_age";
  }
  return "?";
}

std::string Provenance(const framework::Rule& r) { return ProvenanceText(r.source, r.local_default); }
std::string Provenance(const framework::Item& it) { return ProvenanceText(it.source, it.local_default); }

std::string ResponseText(const Framework& fw, framework::Response r) {
  using framework::Response;
  switch (r) {
    case Response::kUniversal:
    case Response::kOwnService: return framework::ResponseLabel(r);
    case Response::kEarlyHelp: return std::string(fw.Term("assessment")) + " and " + std::string(fw.Term("plan"));
    case Response::kMultiAgency:
      return std::string(fw.Term("multi_agency_plan")) + " with the " + std::string(fw.Term("team"));
    case Response::kSocialCare: return "referral to " + std::string(fw.Term("front_door"));
    case Response::kActNow: return "act now: call 999 or contact " + std::string(fw.Term("front_door"));
  }
  return "";
}


// Everything that depends only on the framework is escaped once, here.
JsonRenderer::JsonRenderer(const Framework& fw) : fw_(fw) {
  std::string* o;
  o = &head_;
  o->append("{\"framework\":{");
  Str(o, "id", fw.id);
  o->push_back(',');
  Str(o, "version", fw.version);
  o->append("},");
  for (const auto& l : fw.levels) {
    std::string x;
    Int(&x, "level", l.number);
    x.push_back(',');
    Str(&x, "level_name", l.name);
    x.push_back(',');
    Str(&x, "plan", framework::PlanTypeCode(l.plan));
    x.push_back(',');
    level_.push_back(std::move(x));
  }
  for (int r = 0; r <= static_cast<int>(framework::Response::kActNow); ++r) {
    auto resp = static_cast<framework::Response>(r);
    std::string x;
    Str(&x, "response", framework::ResponseCode(resp));
    x.push_back(',');
    Str(&x, "response_label", framework::ResponseLabel(resp));
    x.push_back(',');
    Str(&x, "response_text", ResponseText(fw, resp));
    x.push_back(',');
    response_.push_back(std::move(x));
  }
  auto lead = [&](const framework::LeadProfessionalRule* lp) {
    std::string x = "\"lead_professional\":{";
    Key(&x, "required");
    x.append(lp->required ? "true" : "false");
    x.push_back(',');
    Str(&x, "from", lp->from);
    x.push_back(',');
    Str(&x, "title", fw.Term("lead_professional"));
    x.push_back(',');
    Str(&x, "note", lp->note);
    x.append("},");
    leads_.emplace_back(lp, std::move(x));
  };
  for (const auto& l : fw.levels) lead(&l.lead_professional);
  for (const auto& r : fw.rules) {
    if (r.lead_professional) lead(&*r.lead_professional);
  }
  o = &consent_;
  Str(o, "form", fw.consent.form);
  o->push_back(',');
  Str(o, "note", fw.consent.note);
  o->push_back(',');
  Str(o, "source", fw.consent.source);
  o->append(",\"without_consent\":[");
  for (size_t i = 0; i < fw.consent.without_consent.size(); ++i) {
    const auto& g = fw.consent.without_consent[i];
    if (i) o->push_back(',');
    o->push_back('{');
    Str(o, "id", g.id);
    o->push_back(',');
    Str(o, "label", g.label);
    o->push_back(',');
    Str(o, "source", g.source);
    o->push_back('}');
  }
  o->append("]}");
  for (const auto& r : fw.rules) {
    std::string x;
    Str(&x, "rule", r.id);
    x.push_back(',');
    Str(&x, "kind", framework::RuleKindName(r.kind));
    x.push_back(',');
    Str(&x, "summary", r.summary);
    x.push_back(',');
    AppendProvenance(&x, r.source, r.local_default);
    rule_.push_back(std::move(x));
  }
  for (const auto& it : fw.items) {
    std::string id;
    AppendJsonString(&id, it.id);
    std::string x = "{\"id\":" + id + ",";
    Str(&x, "kind", framework::ItemKindName(it.kind));
    x.push_back(',');
    Str(&x, "label", it.label);
    if (it.kind == framework::ItemKind::kIndicator) {
      x.push_back(',');
      Int(&x, "level", it.level);
    }
    x.push_back(',');
    AppendProvenance(&x, it.source, it.local_default);
    x.push_back('}');
    item_id_.push_back(std::move(id));
    evidence_.push_back(std::move(x));
  }
  for (const auto& a : fw.rules) {
    std::string x;
    for (size_t i = 0; i < a.actions.size(); ++i) {
      if (i) x.push_back(',');
      AppendJsonString(&x, a.actions[i]);
    }
    actions_.push_back(std::move(x));
  }
}

void JsonRenderer::Append(const Suggestion& s, std::string* out) const {
  const Framework& fw = fw_;
  out->append(head_);
  out->append(level_[s.level - 1]);
  out->append(response_[static_cast<int>(s.response)]);
  Key(out, "response_name");
  if (s.response_name) {
    AppendJsonString(out, *s.response_name);
  } else {
    out->append("null");
  }
  out->push_back(',');
  Key(out, "assessment");
  if (s.assessment) {
    AppendJsonString(out, *s.assessment);
  } else {
    out->append("null");
  }
  out->push_back(',');
  Key(out, "urgent");
  out->append(s.urgent ? "true" : "false");
  out->append(",\"urgent_actions\":[");
  if (s.urgent_actions) {
    for (size_t r = 0; r < fw.rules.size(); ++r) {
      if (&fw.rules[r].actions == s.urgent_actions) out->append(actions_[r]);
    }
  }
  out->append("],");
  for (const auto& [lp, text] : leads_) {
    if (lp == s.lead_professional) {
      out->append(text);
      break;
    }
  }
  out->append("\"consent\":{");
  Key(out, "before_referral");
  out->append(s.consent_before_referral ? "true," : "false,");
  out->append(consent_);
  out->append(",\"explanation\":[");
  for (size_t k = 0; k < s.reasons.size(); ++k) {
    const Reason& r = s.reasons[k];
    if (k) out->push_back(',');
    out->push_back('{');
    if (r.rule) {
      out->append(rule_[r.rule - fw.rules.data()]);
    } else {
      const CarriedNeed& c = s.carried.at(r.carried);
      out->append("\"rule\":null,");
      Str(out, "kind", "carried");
      out->push_back(',');
      Str(out, "summary", CarriedSummary(c));
      out->push_back(',');
      Str(out, "local_default", kCarriedDefault);
      out->append(",\"carried_from\":{");
      Str(out, "framework", c.framework);
      out->push_back(',');
      Str(out, "id", c.id);
      out->push_back('}');
    }
    out->push_back(',');
    Int(out, "from", r.from_level);
    out->push_back(',');
    Int(out, "to", r.to_level);
    out->push_back(',');
    out->append("\"effect\":\"");
    AppendEffect(out, r);
    out->push_back('"');
    out->append(",\"ids\":[");
    for (size_t j = 0; j < r.items.size(); ++j) {
      if (j) out->push_back(',');
      out->append(item_id_[r.items[j]]);
    }
    out->append("]}");
  }
  // Each observed item once, with its label and source; the explanation
  // refers to them by id.
  out->append("],\"evidence\":[");
  for (size_t j = 0; j < s.observed.size(); ++j) {
    if (j) out->push_back(',');
    out->append(evidence_[s.observed[j]]);
  }
  out->append("],\"notes\":[");
  for (size_t k = 0; k < s.notes.size(); ++k) {
    const Note& n = s.notes[k];
    if (k) out->push_back(',');
    out->push_back('{');
    Str(out, "kind", NoteCode(n.kind));
    if (n.rule) {
      out->push_back(',');
      Str(out, "rule", n.rule->id);
    }
    out->append(",\"ids\":[");
    for (size_t j = 0; j < n.items.size(); ++j) {
      if (j) out->push_back(',');
      out->append(item_id_[n.items[j]]);
    }
    out->append("],");
    Str(out, "text", NoteText(fw, s, n));
    out->push_back('}');
  }
  out->append("]}");
}

void AppendJson(const Framework& fw, const Suggestion& s, std::string* out) {
  JsonRenderer(fw).Append(s, out);
}

std::string ToText(const Framework& fw, const Suggestion& s) {
  const auto& L = fw.level(s.level);
  std::string level_word(fw.Term("level"));
  if (level_word.empty()) level_word = "Level";
  std::string t;
  if (s.urgent) {
    t += "URGENT: act now.\n";
    for (const auto& a : *s.urgent_actions) t += "  - " + a + "\n";
    t += "\n";
  }
  t += "Suggested " + level_word + " " + std::to_string(s.level) + ": " + L.name + "\n";
  t += "Framework: " + fw.name + " (" + fw.authority + "), version " + fw.version + "\n";
  t += "Response: " + ResponseText(fw, s.response) +
       (s.response_name ? " — " + *s.response_name : std::string()) + "\n";
  t += "Assessment: " + (s.assessment ? *s.assessment : std::string("none needed")) + "\n";
  std::string plan;
  switch (s.plan) {
    case framework::PlanType::kNone: plan = "none"; break;
    case framework::PlanType::kSingleAgency: plan = "single-agency " + std::string(fw.Term("plan")); break;
    case framework::PlanType::kMultiAgency: plan = std::string(fw.Term("multi_agency_plan")); break;
    case framework::PlanType::kStatutory: plan = "statutory plan"; break;
  }
  t += "Plan: " + plan + "\n";
  std::string lp(fw.Term("lead_professional"));
  t += "Lead professional (" + lp + "): " +
       (s.lead_professional->required ? "required" : "not required") +
       (s.lead_professional->from != "any" ? ", from " + s.lead_professional->from : std::string()) +
       (s.lead_professional->note.empty() ? "" : ". " + s.lead_professional->note) + "\n";
  if (s.consent_before_referral) {
    t += "Consent: seek " + std::string(fw.consent.form == "written" ? "written " : "") +
         "agreement before a referral. " + fw.consent.note + " (" + fw.consent.source + ")\n";
  } else {
    t += "Consent: " + fw.consent.note + " (" + fw.consent.source + ")\n";
  }
  if (!fw.consent.without_consent.empty()) {
    t += "  Information may be shared without consent when:\n";
    for (const auto& g : fw.consent.without_consent) t += "  - " + g.label + "\n";
  }
  t += "\nWhy:\n";
  if (s.reasons.empty()) t += "  No indicators were recorded, so the suggestion is the first level.\n";
  int n = 0;
  for (const auto& r : s.reasons) {
    if (!r.rule) {
      t += "  " + std::to_string(++n) + ". " + CarriedSummary(s.carried.at(r.carried)) + ". [carried over, " +
           Effect(r) + "; local default: " + kCarriedDefault + " (not stated in the document)]\n";
      continue;
    }
    t += "  " + std::to_string(++n) + ". " + r.rule->summary + " [" + r.rule->id + ", " + Effect(r) + "; " +
         Provenance(*r.rule) + "]\n";
    for (int i : r.items) {
      const auto& it = fw.items[i];
      t += "     - " + it.label;
      if (it.kind == framework::ItemKind::kIndicator) t += " (level " + std::to_string(it.level) + ")";
      t += " — " + Provenance(it) + "\n";
    }
  }
  if (!s.notes.empty()) {
    t += "\nNotes:\n";
    for (const auto& note : s.notes) t += "  - " + NoteText(fw, s, note) + "\n";
  }
  t += "\nThis is a suggestion under the framework; the practitioner decides the level and records why.\n";
  return t;
}

}  // namespace continuum::threshold

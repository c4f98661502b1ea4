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

const char* NoteCode(NoteKind k) {
  switch (k) {
    case NoteKind::kIgnoredForAge: return "ignored_for_age";
    case NoteKind::kStrengthsHeld: return "strengths_held_by_non_mitigable";
    case NoteKind::kStrengthsNotInRange: return "strengths_not_applied_at_level";
  }
  return "?";
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
          ": these indicators are not mitigable: " + labels() + ".";
      break;
    case NoteKind::kStrengthsNotInRange:
      t = "Strengths were noted; under this framework they do not change a suggestion at level " +
          std::to_string(s.level) + ", but record them in the assessment.";
      break;
  }
  return t;
}

std::string Effect(const Reason& r) {
  if (r.to_level > r.from_level) {
    return r.from_level == 1 && r.rule->kind == framework::RuleKind::kHighestIndicator
               ? "sets level " + std::to_string(r.to_level)
               : "raises level " + std::to_string(r.from_level) + " to " + std::to_string(r.to_level);
  }
  if (r.to_level < r.from_level) {
    return "lowers level " + std::to_string(r.from_level) + " to " + std::to_string(r.to_level);
  }
  if (r.rule->kind == framework::RuleKind::kImmediateRisk) return "act now, whatever the level";
  return "level stays " + std::to_string(r.to_level);
}

}  // namespace

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

void AppendJson(const Framework& fw, const Suggestion& s, std::string* out) {
  const auto& L = fw.level(s.level);
  out->append("{\"framework\":{");
  Str(out, "id", fw.id);
  out->push_back(',');
  Str(out, "version", fw.version);
  out->append("},");
  Int(out, "level", s.level);
  out->push_back(',');
  Str(out, "level_name", L.name);
  out->push_back(',');
  Str(out, "response", framework::ResponseCode(s.response));
  out->push_back(',');
  Str(out, "response_label", framework::ResponseLabel(s.response));
  out->push_back(',');
  Str(out, "response_text", ResponseText(fw, s.response));
  out->push_back(',');
  Key(out, "assessment");
  if (s.assessment) {
    AppendJsonString(out, *s.assessment);
  } else {
    out->append("null");
  }
  out->push_back(',');
  Str(out, "plan", framework::PlanTypeCode(s.plan));
  out->push_back(',');
  Key(out, "urgent");
  out->append(s.urgent ? "true" : "false");
  out->append(",\"urgent_actions\":[");
  if (s.urgent_actions) {
    bool first = true;
    for (const auto& a : *s.urgent_actions) {
      if (!first) out->push_back(',');
      first = false;
      AppendJsonString(out, a);
    }
  }
  out->append("],\"lead_professional\":{");
  Key(out, "required");
  out->append(s.lead_professional->required ? "true" : "false");
  out->push_back(',');
  Str(out, "from", s.lead_professional->from);
  out->push_back(',');
  Str(out, "title", fw.Term("lead_professional"));
  out->push_back(',');
  Str(out, "note", s.lead_professional->note);
  out->append("},\"consent\":{");
  Key(out, "before_referral");
  out->append(s.consent_before_referral ? "true" : "false");
  out->push_back(',');
  Str(out, "form", fw.consent.form);
  out->push_back(',');
  Str(out, "note", fw.consent.note);
  out->push_back(',');
  Str(out, "source", fw.consent.source);
  out->append(",\"without_consent\":[");
  for (size_t i = 0; i < fw.consent.without_consent.size(); ++i) {
    const auto& g = fw.consent.without_consent[i];
    if (i) out->push_back(',');
    out->push_back('{');
    Str(out, "id", g.id);
    out->push_back(',');
    Str(out, "label", g.label);
    out->push_back(',');
    Str(out, "source", g.source);
    out->push_back('}');
  }
  out->append("]},\"explanation\":[");
  for (size_t k = 0; k < s.reasons.size(); ++k) {
    const Reason& r = s.reasons[k];
    if (k) out->push_back(',');
    out->push_back('{');
    Str(out, "rule", r.rule->id);
    out->push_back(',');
    Str(out, "kind", framework::RuleKindName(r.rule->kind));
    out->push_back(',');
    Int(out, "from", r.from_level);
    out->push_back(',');
    Int(out, "to", r.to_level);
    out->push_back(',');
    Str(out, "effect", Effect(r));
    out->push_back(',');
    Str(out, "summary", r.rule->summary);
    out->push_back(',');
    Str(out, "source", r.rule->source);
    out->append(",\"ids\":[");
    for (size_t j = 0; j < r.items.size(); ++j) {
      if (j) out->push_back(',');
      AppendJsonString(out, fw.items[r.items[j]].id);
    }
    out->append("],\"evidence\":[");
    for (size_t j = 0; j < r.items.size(); ++j) {
      const auto& it = fw.items[r.items[j]];
      if (j) out->push_back(',');
      out->push_back('{');
      Str(out, "id", it.id);
      out->push_back(',');
      Str(out, "kind", framework::ItemKindName(it.kind));
      out->push_back(',');
      Str(out, "label", it.label);
      if (it.kind == framework::ItemKind::kIndicator) {
        out->push_back(',');
        Int(out, "level", it.level);
      }
      out->push_back(',');
      Str(out, "source", it.source);
      out->push_back('}');
    }
    out->append("]}");
  }
  out->append("],\"notes\":[");
  for (size_t k = 0; k < s.notes.size(); ++k) {
    const Note& n = s.notes[k];
    if (k) out->push_back(',');
    out->push_back('{');
    Str(out, "kind", NoteCode(n.kind));
    out->append(",\"ids\":[");
    for (size_t j = 0; j < n.items.size(); ++j) {
      if (j) out->push_back(',');
      AppendJsonString(out, fw.items[n.items[j]].id);
    }
    out->append("],");
    Str(out, "text", NoteText(fw, s, n));
    out->push_back('}');
  }
  out->append("]}");
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
  t += "Response: " + ResponseText(fw, s.response) + "\n";
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
    t += "  " + std::to_string(++n) + ". " + r.rule->summary + " [" + r.rule->id + ", " + Effect(r) +
         "; " + r.rule->source + "]\n";
    for (int i : r.items) {
      const auto& it = fw.items[i];
      t += "     - " + it.label;
      if (it.kind == framework::ItemKind::kIndicator) t += " (level " + std::to_string(it.level) + ")";
      t += " — " + it.source + "\n";
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

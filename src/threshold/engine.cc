// The engine's rules, applied in the order docs/framework-format.md gives.
#include <algorithm>

#include "threshold/threshold.h"

namespace continuum::threshold {

using framework::Framework;
using framework::Item;
using framework::ItemKind;
using framework::Rule;

namespace {

const char* ListName(ItemKind k) {
  switch (k) {
    case ItemKind::kIndicator: return "indicators";
    case ItemKind::kStrength: return "strengths";
    case ItemKind::kFact: return "facts";
  }
  return "?";
}

Status ResolveList(const Framework& fw, const std::vector<std::string>& ids, ItemKind kind,
                   ItemList* out) {
  if (ids.size() > kMaxObservedIds) {
    return InvalidArgument(std::string(ListName(kind)) + ": at most " + std::to_string(kMaxObservedIds) + " ids")
        .WithField(ListName(kind));
  }
  out->reserve(ids.size());
  for (const auto& id : ids) CONTINUUM_RETURN_IF_ERROR(AddObserved(fw, id, kind, out));
  return Status::Ok();
}

bool InAgeBand(std::optional<int> age, std::optional<int> under, std::optional<int> at_least) {
  if (!age) return true;
  if (under && *age >= *under) return false;
  if (at_least && *age < *at_least) return false;
  return true;
}

// Which observed need an indicator stands for: itself, unless the
// observations were read from another framework, where one need may map to
// several indicators.
int NeedOf(const Resolved& obs, int item) {
  if (obs.indicator_needs.empty()) return item;
  for (size_t k = 0; k < obs.indicators.size(); ++k) {
    if (obs.indicators[k] == item) return obs.indicator_needs[k];
  }
  return item;
}

}  // namespace

Status AddObserved(const Framework& fw, std::string_view id, ItemKind kind, ItemList* out) {
  int i = fw.FindItem(id);
  if (i < 0) {
    return InvalidArgument(std::string("unknown ") + framework::ItemKindName(kind) + " '" + std::string(id) +
                           "' (not in framework '" + fw.id + "')").WithField(ListName(kind));
  }
  const Item& item = fw.items[i];
  if (item.kind != kind) {
    return InvalidArgument("'" + std::string(id) + "' is " + (item.kind == ItemKind::kIndicator ? "an " : "a ") +
                           framework::ItemKindName(item.kind) + ", not " +
                           (kind == ItemKind::kIndicator ? "an " : "a ") + framework::ItemKindName(kind) +
                           "; list it under '" + ListName(item.kind) + "'")
        .WithField(ListName(kind));
  }
  if (std::find(out->begin(), out->end(), i) != out->end()) {
    return InvalidArgument(std::string(framework::ItemKindName(kind)) + " '" + std::string(id) +
                           "' is listed twice (duplicate)").WithField(ListName(kind));
  }
  out->push_back(i);
  return Status::Ok();
}

Result<Resolved> Resolve(const Framework& fw, const Observations& obs) {
  Resolved r;
  CONTINUUM_RETURN_IF_ERROR(ResolveList(fw, obs.indicators, ItemKind::kIndicator, &r.indicators));
  CONTINUUM_RETURN_IF_ERROR(ResolveList(fw, obs.strengths, ItemKind::kStrength, &r.strengths));
  CONTINUUM_RETURN_IF_ERROR(ResolveList(fw, obs.facts, ItemKind::kFact, &r.facts));
  if (obs.age && (*obs.age < 0 || *obs.age > kMaxAge)) {
    return InvalidArgument("age must be a whole number of years from 0 to " + std::to_string(kMaxAge) +
                           ", not " + std::to_string(*obs.age));
  }
  r.age = obs.age;
  for (const auto& c : obs.carried) {
    if (c.level < 1 || c.level > fw.max_level()) {
      return InvalidArgument("carried need '" + c.id + "': level " + std::to_string(c.level) +
                             " is not a level of framework '" + fw.id + "'");
    }
  }
  r.carried = obs.carried;
  if (!obs.indicator_needs.empty() && obs.indicator_needs.size() != obs.indicators.size()) {
    return InvalidArgument("indicator_needs must have one entry per indicator");
  }
  r.indicator_needs = obs.indicator_needs;
  return r;
}

Suggestion Evaluate(const Framework& fw, const Resolved& obs) {
  Suggestion s;
  const auto& items = fw.items;

  // Indicators outside their age band are set aside, and the practitioner told.
  ItemList ind;
  ind.reserve(obs.indicators.size());
  for (int i : obs.indicators) {
    if (InAgeBand(obs.age, items[i].age_under, items[i].age_at_least)) {
      ind.push_back(i);
    } else {
      s.notes.push_back({NoteKind::kIgnoredForAge, {i}});
    }
  }

  // An item declaring a contradiction with an observed indicator is set
  // aside, never the need it contradicts: a strength that cannot be true
  // beside an observed need must not lower the level.
  ItemList strengths(obs.strengths.begin(), obs.strengths.end());
  auto contradicted = [&](int i, ItemList* with) {
    const Item& it = items[i];
    if (it.contradicts_items.empty() && it.contradicts_tags.empty()) return false;
    for (int j : ind) {
      if (j == i) continue;
      bool hit = std::find(it.contradicts_items.begin(), it.contradicts_items.end(), j) != it.contradicts_items.end();
      for (int t : it.contradicts_tags) {
        const auto& jt = items[j].tag_ids;
        hit = hit || std::find(jt.begin(), jt.end(), t) != jt.end();
      }
      if (hit) with->push_back(j);
    }
    return !with->empty();
  };
  auto set_aside = [&](ItemList* list) {
    ItemList kept;
    for (int i : *list) {
      ItemList with;
      if (contradicted(i, &with)) {
        Note n{NoteKind::kContradiction, {i}};
        n.items.insert(n.items.end(), with.begin(), with.end());
        s.notes.push_back(std::move(n));
      } else {
        kept.push_back(i);
      }
    }
    *list = std::move(kept);
  };
  set_aside(&strengths);
  set_aside(&ind);

  s.reasons.reserve(8);
  // Which items and tags are present among everything observed.
  std::vector<char> present(items.size() + fw.tags.size(), 0);
  char* tag_present = present.data() + items.size();
  const ItemList* observed[] = {&ind, &strengths, &obs.facts};
  for (const ItemList* list : observed) {
    for (int i : *list) present[i] = 1;
  }
  auto mark_tags = [&](const ItemList& list) {
    for (int i : list) {
      for (int t : items[i].tag_ids) tag_present[t] = 1;
    }
  };
  mark_tags(ind);
  mark_tags(strengths);
  mark_tags(obs.facts);

  int level = 1;
  const std::string* assessment_override = nullptr;
  const std::string* response_name = nullptr;
  const framework::LeadProfessionalRule* lead_override = nullptr;

  // 1. The highest indicator sets the floor.
  for (int ri : fw.highest_rules) {
    if (ind.empty()) break;
    int top = 1;
    for (int i : ind) top = std::max(top, items[i].level);
    Reason r{&fw.rules[ri], level, top, {}};
    for (int i : ind) {
      if (items[i].level == top) r.items.push_back(i);
    }
    level = top;
    s.reasons.push_back(std::move(r));
  }

  // 1b. A need read from another framework without a counterpart here keeps
  // the level it had there.
  for (const auto& c : obs.carried) {
    s.carried.push_back(c);
    if (c.level <= level) continue;
    Reason r{nullptr, level, c.level, {}};
    r.carried = static_cast<int>(s.carried.size()) - 1;
    level = c.level;
    s.reasons.push_back(std::move(r));
  }

  // 2. Accumulation: enough needs across enough domains raise the level.
  for (int ri : fw.accumulation_rules) {
    const Rule& rule = fw.rules[ri];
    Reason r{&rule, level, level, {}};
    int seen[64];
    int n_seen = 0;
    int needs[64];  // one need read as several indicators (mapping) counts once
    int n_needs = 0;
    for (int i : ind) {
      if (items[i].level < rule.level_at_least) continue;
      r.items.push_back(i);
      int key = rule.count_subdomains ? items[i].area : items[i].domain;
      if (std::find(seen, seen + n_seen, key) == seen + n_seen && n_seen < 64) seen[n_seen++] = key;
      int need = NeedOf(obs, i);
      if (std::find(needs, needs + n_needs, need) == needs + n_needs && n_needs < 64) needs[n_needs++] = need;
    }
    int count = obs.indicator_needs.empty() ? static_cast<int>(r.items.size()) : n_needs;
    if (count < rule.min_indicators || n_seen < rule.min_domains) continue;
    level = std::max(level, rule.raises_to);
    r.to_level = level;
    s.reasons.push_back(std::move(r));
  }

  // 3. Named combinations.
  auto observed_with_tag = [&](int tag, ItemList* out) {
    for (const ItemList* list : observed) {
      for (int i : *list) {
        const auto& t = items[i].tag_ids;
        if (std::find(t.begin(), t.end(), tag) != t.end() &&
            std::find(out->begin(), out->end(), i) == out->end()) {
          out->push_back(i);
        }
      }
    }
  };
  auto is_observed = [&](int i) { return present[i] != 0; };
  auto is_observed_fact = [&](int f) {
    return std::find(obs.facts.begin(), obs.facts.end(), f) != obs.facts.end();
  };
  for (int ri : fw.combination_rules) {
    const Rule& rule = fw.rules[ri];
    // An age-banded rule needs the child's age; a fact may raise its upper
    // limit (care leavers).
    std::optional<int> under = rule.age_under;
    if (rule.age_extended) {
      for (int f : rule.age_extended->facts) {
        if (is_observed_fact(f)) under = rule.age_extended->under;
      }
    }
    bool age_ok = (!rule.age_under && !rule.age_at_least) ||
                  (obs.age && InAgeBand(obs.age, under, rule.age_at_least));
    Reason r{&rule, level, level, {}};
    bool all = true;
    for (const auto& term : rule.all_of) {
      // One observed item may satisfy several terms (an indicator that
      // carries all three tags of a named combination).
      bool found = false;
      for (int i : term.items) {
        if (!is_observed(i)) continue;
        found = true;
        if (std::find(r.items.begin(), r.items.end(), i) == r.items.end()) r.items.push_back(i);
      }
      for (int t : term.tags) {
        if (!tag_present[t]) continue;
        found = true;
        observed_with_tag(t, &r.items);
      }
      if (!found) {
        all = false;
        break;
      }
    }
    if (!all) continue;
    if (!age_ok) {
      Note n{NoteKind::kRuleOutsideAge, {}};
      n.rule = &rule;
      s.notes.push_back(std::move(n));
      continue;
    }
    level = std::max(level, rule.level);
    r.to_level = level;
    if (rule.assessment) assessment_override = &*rule.assessment;
    if (rule.response_name) response_name = &*rule.response_name;
    s.reasons.push_back(std::move(r));
  }

  // 4. Strengths may lower by one level, never below a non-mitigable indicator.
  if (fw.strengths_rules.empty() && !strengths.empty()) {
    s.notes.push_back({NoteKind::kStrengthsNoRule, strengths});
  }
  for (int ri : fw.strengths_rules) {
    const Rule& rule = fw.rules[ri];
    if (static_cast<int>(strengths.size()) < rule.min_strengths) break;
    const auto& lv = rule.applies_to_levels;
    if (std::find(lv.begin(), lv.end(), level) == lv.end()) {
      s.notes.push_back({NoteKind::kStrengthsNotInRange, strengths});
      break;
    }
    int floor = 1;
    for (int i : ind) {
      if (!items[i].mitigable) floor = std::max(floor, items[i].level);
    }
    for (const auto& c : obs.carried) floor = std::max(floor, c.level);  // kept, not mitigated
    int target = std::max(level - rule.lowers_by, floor);
    if (target >= level) {
      Note held{NoteKind::kStrengthsHeld, {}};
      for (int i : ind) {
        if (!items[i].mitigable && items[i].level == floor) held.items.push_back(i);
      }
      s.notes.push_back(std::move(held));
      break;
    }
    s.reasons.push_back({&rule, level, target, strengths});
    level = target;
  }

  // 5. Statutory facts set a level and who leads; they are never mitigated.
  for (int ri : fw.statutory_rules) {
    const Rule& rule = fw.rules[ri];
    Reason r{&rule, level, level, {}};
    for (int f : rule.facts) {
      if (std::find(obs.facts.begin(), obs.facts.end(), f) != obs.facts.end()) r.items.push_back(f);
    }
    if (r.items.empty()) continue;
    level = std::max(level, rule.level);
    r.to_level = level;
    if (rule.lead_professional) lead_override = &*rule.lead_professional;
    s.reasons.push_back(std::move(r));
  }

  // 6. Immediate risk: act now, whatever the level.
  for (int ri : fw.immediate_rules) {
    Reason r{&fw.rules[ri], level, level, {}};
    for (int i : ind) {
      if (items[i].immediate) r.items.push_back(i);
    }
    if (r.items.empty()) continue;
    s.urgent = true;
    s.urgent_actions = &fw.rules[ri].actions;
    s.reasons.push_back(std::move(r));
  }

  s.observed.reserve(obs.indicators.size() + obs.strengths.size() + obs.facts.size());
  s.observed.insert(s.observed.end(), obs.indicators.begin(), obs.indicators.end());
  s.observed.insert(s.observed.end(), obs.strengths.begin(), obs.strengths.end());
  s.observed.insert(s.observed.end(), obs.facts.begin(), obs.facts.end());

  const framework::Level& L = fw.level(level);
  s.level = level;
  s.response = s.urgent ? framework::Response::kActNow : L.response;
  s.assessment = assessment_override ? assessment_override : (L.assessment ? &*L.assessment : nullptr);
  s.response_name = response_name;
  s.age = obs.age;
  s.plan = L.plan;
  s.lead_professional = lead_override ? lead_override : &L.lead_professional;
  const auto& cl = fw.consent.before_referral_levels;
  s.consent_before_referral = std::find(cl.begin(), cl.end(), level) != cl.end();
  return s;
}

Result<Suggestion> Evaluate(const Framework& fw, const Observations& obs) {
  auto r = Resolve(fw, obs);
  if (!r.ok()) return r.status();
  return Evaluate(fw, *r);
}

}  // namespace continuum::threshold

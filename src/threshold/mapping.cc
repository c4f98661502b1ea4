// Observations read across frameworks by concept and severity (mapping.h).
#include "threshold/mapping.h"

#include <algorithm>
#include <cstdlib>

namespace continuum::threshold {

using framework::Framework;
using framework::Item;
using framework::ItemKind;

namespace {

struct Concept {
  std::string tag;
  int band = 0;  // 0 for strengths and facts: they map by concept alone
};

int TagBand(const Item& it, size_t k) { return k < it.tag_severity.size() ? it.tag_severity[k] : 0; }

// Bands within one step of each other are comparable: "additional" reads as
// "complex" at most, never as "acute".
bool Comparable(int a, int b) { return a == 0 || b == 0 || std::abs(a - b) <= 1; }

// Why nothing in `to` matches one concept, in plain words.
std::string NoCounterpart(const Framework& to, ItemKind kind, const Concept& c) {
  std::vector<int> bands;
  std::vector<int> levels;
  for (const auto& it : to.items) {
    if (it.kind != kind) continue;
    for (size_t k = 0; k < it.tags.size(); ++k) {
      if (it.tags[k] != c.tag) continue;
      int b = TagBand(it, k);
      if (std::find(bands.begin(), bands.end(), b) == bands.end()) bands.push_back(b);
      if (std::find(levels.begin(), levels.end(), it.level) == levels.end()) levels.push_back(it.level);
    }
  }
  std::string kind_name = framework::ItemKindName(kind);
  if (bands.empty()) return "no " + kind_name + " of " + to.id + " carries '" + c.tag + "'";
  std::sort(bands.begin(), bands.end());
  std::sort(levels.begin(), levels.end());
  std::string b, l;
  for (int x : bands) b += (b.empty() ? "" : ", ") + std::string(framework::SeverityName(x));
  for (int x : levels) l += (l.empty() ? "" : ", ") + std::to_string(x);
  return to.id + " has '" + c.tag + "' only at severity " + b + " (level " + l + "), not " +
         framework::SeverityName(c.band);
}

// The level a statutory fact carries under its own framework (0: none).
int FactLevel(const Framework& fw, int fact) {
  int level = 0;
  for (int ri : fw.statutory_rules) {
    const auto& r = fw.rules[ri];
    if (std::find(r.facts.begin(), r.facts.end(), fact) != r.facts.end()) level = std::max(level, r.level);
  }
  return level;
}

}  // namespace

Mapping MapObservations(const Framework& from, const Framework& to, const Resolved& obs) {
  Mapping m;
  m.observations.age = obs.age;
  m.observations.carried = obs.carried;  // already in `from`'s levels; re-expressed below
  for (auto& c : m.observations.carried) {
    int band = from.level(std::min(c.level, from.max_level())).severity;
    c.level = to.LevelForSeverity(band);
  }
  std::vector<int> chosen;

  auto add = [&](int j, int need) {
    if (std::find(chosen.begin(), chosen.end(), j) != chosen.end()) return;
    chosen.push_back(j);
    const Item& dst = to.items[j];
    switch (dst.kind) {
      case ItemKind::kIndicator:
        m.observations.indicators.push_back(dst.id);
        m.observations.indicator_needs.push_back(need);
        break;
      case ItemKind::kStrength:
        m.observations.strengths.push_back(dst.id);
        break;
      case ItemKind::kFact:
        m.observations.facts.push_back(dst.id);
        break;
    }
  };
  // A need met (severity universal) reads as a strength where the other
  // framework lists it as one: "goes to school regularly" is a level 1
  // example in one document and a protective factor in another.
  auto candidate = [](const Item& src, const Item& dst, const Concept& c) {
    if (dst.kind == src.kind) return true;
    return src.kind == ItemKind::kIndicator && dst.kind == ItemKind::kStrength && c.band == 1;
  };

  auto map_list = [&](const ItemList& list) {
    for (int i : list) {
      const Item& src = from.items[i];
      int src_band = src.kind == ItemKind::kIndicator ? from.level(src.level).severity : 0;
      std::vector<Concept> uncovered;
      for (size_t k = 0; k < src.tags.size(); ++k) uncovered.push_back({src.tags[k], TagBand(src, k)});
      bool any = false;
      // The target item covering most still-uncovered concepts at a
      // comparable severity; ties: closest severity, then closest level
      // band, then file order. Repeat while some concept is uncovered.
      while (!uncovered.empty()) {
        int best = -1;
        size_t best_shared = 0;
        int best_distance = 0, best_level_distance = 0;
        for (size_t j = 0; j < to.items.size(); ++j) {
          const Item& dst = to.items[j];
          if (dst.kind != src.kind && dst.kind != ItemKind::kStrength) continue;
          size_t shared = 0;
          int distance = 0;
          for (const auto& c : uncovered) {
            if (!candidate(src, dst, c)) continue;
            for (size_t k = 0; k < dst.tags.size(); ++k) {
              if (dst.tags[k] != c.tag || !Comparable(c.band, TagBand(dst, k))) continue;
              ++shared;
              distance += c.band && TagBand(dst, k) ? std::abs(c.band - TagBand(dst, k)) : 0;
            }
          }
          if (shared == 0) continue;
          int level_distance = src.kind == ItemKind::kIndicator && dst.kind == ItemKind::kIndicator
                                   ? std::abs(to.level(dst.level).severity - src_band)
                                   : 0;
          if (best < 0 || shared > best_shared || (shared == best_shared && distance < best_distance) ||
              (shared == best_shared && distance == best_distance && level_distance < best_level_distance)) {
            best = static_cast<int>(j);
            best_shared = shared;
            best_distance = distance;
            best_level_distance = level_distance;
          }
        }
        if (best < 0) break;
        const Item& dst = to.items[best];
        Mapping::Pair p{src.id, dst.id, {}};
        std::vector<Concept> still;
        for (const auto& c : uncovered) {
          bool shared = false;
          for (size_t k = 0; k < dst.tags.size(); ++k) {
            shared = shared ||
                     (candidate(src, dst, c) && dst.tags[k] == c.tag && Comparable(c.band, TagBand(dst, k)));
          }
          if (shared) {
            p.shared_tags.push_back(c.tag);
          } else {
            still.push_back(c);
          }
        }
        uncovered = std::move(still);
        m.mapped.push_back(std::move(p));
        any = true;
        add(best, i);
      }
      if (uncovered.empty()) continue;

      Mapping::Gap gap{src.id, {}, {}, 0};
      int band = 0;
      for (const auto& c : uncovered) {
        gap.tags.push_back(c.tag);
        if (!gap.reason.empty()) gap.reason += "; ";
        gap.reason += NoCounterpart(to, src.kind, c);
        band = std::max(band, c.band);
      }
      if (src.kind == ItemKind::kIndicator) {
        gap.floor = to.LevelForSeverity(band);
      } else if (src.kind == ItemKind::kFact) {
        int level = FactLevel(from, i);
        gap.floor = level > 0 ? to.LevelForSeverity(from.level(level).severity) : 0;
      }
      if (gap.floor > 0) {
        m.observations.carried.push_back({gap.floor, from.id, src.id, src.label, gap.reason});
      }
      (any ? m.partly_mapped : m.unmapped).push_back(std::move(gap));
    }
  };
  map_list(obs.indicators);
  map_list(obs.strengths);
  map_list(obs.facts);
  return m;
}

std::vector<AloneReading> ReadEachIndicatorAlone(const Framework& from, const Framework& to) {
  std::vector<AloneReading> out;
  for (size_t i = 0; i < from.items.size(); ++i) {
    const Item& it = from.items[i];
    if (it.kind != ItemKind::kIndicator) continue;
    Resolved r;
    r.indicators.push_back(static_cast<int>(i));
    AloneReading a;
    a.item = static_cast<int>(i);
    a.source_level = it.level;
    a.expected_level = to.LevelForSeverity(from.level(it.level).severity);
    a.mapping = MapObservations(from, to, r);
    auto s = Evaluate(to, a.mapping.observations);
    a.target_level = s.ok() ? s->level : 0;
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace continuum::threshold

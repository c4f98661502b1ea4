// The threshold engine: observations -> a suggested level of need, with the
// response, assessment, plan, lead-professional and consent rules that follow
// from it, and an explanation citing the framework's sources.
//
//   threshold::Observations obs{.indicators = {"wo.edu.persistent-absence"}, .age = 14};
//   auto s = threshold::Evaluate(fw, obs);
//   if (!s.ok()) return s.status();          // unknown id, duplicate, bad age
//   std::string json;
//   threshold::AppendJson(fw, *s, &json);
//
// The engine suggests; the practitioner decides. Every rule comes from the
// framework file (docs/framework-format.md), applied in a fixed order:
// highest indicator, accumulation, combination, strengths, statutory facts,
// immediate risk.
//
// Evaluate is deterministic, keeps no state and may be called from any
// number of threads at once. A Suggestion points into the Framework it was
// made from and is valid only while that Framework lives.
#pragma once

#include <boost/container/small_vector.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "framework/framework.h"

namespace continuum::threshold {

// What a practitioner observed, by the framework's ids.
struct Observations {
  std::vector<std::string> indicators;
  std::vector<std::string> strengths;
  std::vector<std::string> facts;
  std::optional<int> age;  // years, 0..25
};

inline constexpr int kMaxAge = 25;
inline constexpr size_t kMaxObservedIds = 1000;

// Indices into Framework::items; kept inline for typical sizes so that an
// evaluation allocates little.
using ItemList = boost::container::small_vector<int, 16>;

// Observations checked against one framework: item indices.
struct Resolved {
  ItemList indicators;
  ItemList strengths;
  ItemList facts;
  std::optional<int> age;
};

// Unknown, duplicate or misplaced ids and an out-of-range age are refused
// with a message naming the id.
Result<Resolved> Resolve(const framework::Framework& fw, const Observations& obs);
// Adds one observed id of the given kind to `out`, refusing it as Resolve does.
Status AddObserved(const framework::Framework& fw, std::string_view id, framework::ItemKind kind,
                   ItemList* out);

// One rule that fired, with the observations it used.
struct Reason {
  const framework::Rule* rule = nullptr;
  int from_level = 0;
  int to_level = 0;
  ItemList items;  // indices into Framework::items
};

enum class NoteKind {
  kIgnoredForAge,        // items: the indicator; its age band excludes the child
  kStrengthsHeld,        // items: the non-mitigable indicators that held the level
  kStrengthsNotInRange,  // strengths observed but the rule does not apply at this level
};

struct Note {
  NoteKind kind;
  ItemList items;
};

struct Suggestion {
  int level = 1;
  framework::Response response = framework::Response::kUniversal;
  const std::string* assessment = nullptr;  // null: none needed
  framework::PlanType plan = framework::PlanType::kNone;
  const framework::LeadProfessionalRule* lead_professional = nullptr;
  bool consent_before_referral = false;
  bool urgent = false;
  const std::vector<std::string>* urgent_actions = nullptr;  // null unless urgent
  std::vector<Reason> reasons;  // in order of application
  std::vector<Note> notes;
  ItemList observed;            // every observed item: indicators, strengths, facts
};

Suggestion Evaluate(const framework::Framework& fw, const Resolved& obs);
Result<Suggestion> Evaluate(const framework::Framework& fw, const Observations& obs);

// The same observations read under another framework through concept tags.
struct Mapping {
  Observations observations;  // in the target framework's ids
  struct Pair {
    std::string from;
    std::string to;
    std::vector<std::string> shared_tags;
  };
  std::vector<Pair> mapped;
  std::vector<std::string> unmapped;  // source ids with no counterpart
  struct Partial {
    std::string from;
    std::vector<std::string> tags;  // concepts of `from` with no counterpart
  };
  std::vector<Partial> partly_mapped;
};
Mapping MapObservations(const framework::Framework& from, const framework::Framework& to,
                        const Resolved& obs);

// The response in the authority's own words ("referral to Family Front Door").
std::string ResponseText(const framework::Framework& fw, framework::Response r);

// Renderings. AppendJson writes one compact JSON object (no newline).
void AppendJson(const framework::Framework& fw, const Suggestion& s, std::string* out);

// The same JSON, faster when rendering many suggestions under one framework:
// the framework's text is escaped once, at construction. Immutable after
// construction; must not outlive the framework.
class JsonRenderer {
 public:
  explicit JsonRenderer(const framework::Framework& fw);
  void Append(const Suggestion& s, std::string* out) const;

 private:
  const framework::Framework& fw_;
  std::string head_, consent_;
  std::vector<std::string> level_, response_, rule_, item_id_, evidence_, actions_;
  std::vector<std::pair<const framework::LeadProfessionalRule*, std::string>> leads_;
};
std::string ToText(const framework::Framework& fw, const Suggestion& s);

}  // namespace continuum::threshold

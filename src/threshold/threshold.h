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
// immediate risk. Observations that contradict each other ("attends
// school" beside "persistent truancy") are not refused: the item declaring
// the contradiction is set aside and the explanation says so, so that a
// contradicted strength never lowers the level.
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

// A need recorded under another framework that has no counterpart here of
// comparable severity (see mapping.h): the reading keeps its level as a floor.
struct CarriedNeed {
  int level = 1;          // the floor, in this framework's levels
  std::string framework;  // where the need was recorded
  std::string id;         // its id there
  std::string label;
  std::string reason;     // why nothing here matches it
};

// What a practitioner observed, by the framework's ids.
struct Observations {
  std::vector<std::string> indicators;
  std::vector<std::string> strengths;
  std::vector<std::string> facts;
  std::optional<int> age;  // years, 0..25
  std::vector<CarriedNeed> carried;  // only from MapObservations
  // Only from MapObservations: parallel to `indicators`, the observed need
  // each stands for, so that one need read as several indicators counts once
  // towards accumulation. Empty: each indicator is its own need.
  std::vector<int> indicator_needs;
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
  std::vector<CarriedNeed> carried;
  std::vector<int> indicator_needs;  // as Observations::indicator_needs
};

// Unknown, duplicate or misplaced ids and an out-of-range age are refused
// with a message naming the id.
Result<Resolved> Resolve(const framework::Framework& fw, const Observations& obs);
// Adds one observed id of the given kind to `out`, refusing it as Resolve does.
Status AddObserved(const framework::Framework& fw, std::string_view id, framework::ItemKind kind,
                   ItemList* out);

// One rule that fired, with the observations it used. A need carried from
// another framework has no rule here: `rule` is null and `carried` indexes
// Suggestion::carried.
struct Reason {
  const framework::Rule* rule = nullptr;
  int from_level = 0;
  int to_level = 0;
  ItemList items;  // indices into Framework::items
  int carried = -1;
};

enum class NoteKind {
  kIgnoredForAge,        // items: the indicator; its age band excludes the child
  kStrengthsHeld,        // items: the non-mitigable indicators that held the level
  kStrengthsNotInRange,  // strengths observed but the rule does not apply at this level
  kStrengthsNoRule,      // strengths observed; the framework has no strengths rule
  kContradiction,        // items: the item set aside, then the observed items it contradicts
  kRuleOutsideAge,       // rule: a combination whose terms were all present, but the
                         // child's age is outside its band or not given
};

// "contradiction", as the JSON writes a note's kind.
const char* NoteCode(NoteKind k);

struct Note {
  NoteKind kind;
  ItemList items;
  const framework::Rule* rule = nullptr;  // kRuleOutsideAge
};

struct Suggestion {
  int level = 1;
  framework::Response response = framework::Response::kUniversal;
  const std::string* assessment = nullptr;  // null: none needed
  const std::string* response_name = nullptr;  // the authority's name for the response, if a rule gave one
  framework::PlanType plan = framework::PlanType::kNone;
  const framework::LeadProfessionalRule* lead_professional = nullptr;
  bool consent_before_referral = false;
  bool urgent = false;
  const std::vector<std::string>* urgent_actions = nullptr;  // null unless urgent
  std::vector<Reason> reasons;  // in order of application
  std::vector<Note> notes;
  ItemList observed;            // every observed item: indicators, strengths, facts
  std::vector<CarriedNeed> carried;  // needs read from another framework without a counterpart
  std::optional<int> age;            // as observed
};

// "source: Appendix 1, Level 3, Health" or "local default: … (not stated in
// the document)": how every explanation cites a rule or an item.
std::string Provenance(const framework::Rule& r);
std::string Provenance(const framework::Item& it);

Suggestion Evaluate(const framework::Framework& fw, const Resolved& obs);
Result<Suggestion> Evaluate(const framework::Framework& fw, const Observations& obs);

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

// A framework: one authority's threshold document as data.
//
//   auto concepts = framework::LoadConceptsFile("frameworks/concepts.yaml");
//   auto fw = framework::LoadFrameworkFile("frameworks/worcestershire.yaml", *concepts);
//   if (!fw.ok()) { std::cerr << fw.status().message(); }   // file:line:col: ...
//   int i = fw->FindItem("wo.edu.persistent-absence");        // -1 if unknown
//
// The file format is documented in docs/framework-format.md. Loading is
// strict: every problem in the file is reported with its line and column, and
// a framework that loads is internally consistent (every rule names levels
// and items that exist), so the engine never has to re-check it.
//
// A loaded Framework is immutable; share it between threads freely.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "framework/pathway_spec.h"

namespace continuum::framework {

// The product's fixed set of responses; each level of a framework names one.
enum class Response { kUniversal, kOwnService, kEarlyHelp, kMultiAgency, kSocialCare, kActNow };
const char* ResponseCode(Response r);   // "early_help"
const char* ResponseLabel(Response r);  // "early help assessment and plan"

enum class PlanType { kNone, kSingleAgency, kMultiAgency, kStatutory };
const char* PlanTypeCode(PlanType p);   // "multi_agency"

struct LeadProfessionalRule {
  bool required = false;
  std::string from = "any";  // any | social_work | health | education | early_help
  std::string note;
};

// The shared severity scale that concept tags are read on across frameworks
// (docs/framework-format.md, "Severity"). Levels differ between authorities;
// a band means the same everywhere.
inline constexpr int kSeverityBands = 4;
const char* SeverityName(int band);  // 1 "universal" … 4 "acute"; "?" outside 1..4
int SeverityBand(std::string_view name);  // 0 when unknown

struct Level {
  int number = 0;
  int severity = 0;  // band on the shared scale; defaults to min(number, 4)
  std::string name;
  std::string description;
  std::vector<std::string> responses;  // typical services
  Response response = Response::kUniversal;
  std::optional<std::string> assessment;
  PlanType plan = PlanType::kNone;
  LeadProfessionalRule lead_professional;
};

// A sub-domain, or a domain without sub-domains: what an indicator names.
struct Area {
  std::string id;
  std::string name;
  int domain = 0;  // index into Framework::domains
};

struct Domain {
  std::string id;
  std::string name;
  bool has_subdomains = false;
};

enum class ItemKind { kIndicator, kStrength, kFact };
const char* ItemKindName(ItemKind k);

// An indicator, strength or statutory fact: anything a practitioner observes.
// Its provenance is exactly one of `source` (the section of the document it
// comes from) and `local_default` (why we chose it where the document is
// silent).
struct Item {
  ItemKind kind = ItemKind::kIndicator;
  std::string id;
  std::string label;
  std::string source;
  std::string local_default;
  std::vector<std::string> tags;  // concept names, without severity
  std::vector<int> tag_ids;       // indices into Framework::tags
  // Indicators: each tag's band on the shared severity scale, parallel to
  // `tags` (written `concept@band`, else the band of the indicator's level).
  std::vector<int> tag_severity;
  // Observed items this one cannot stand beside: "attends school" beside
  // "persistent truancy". Indices into Framework::items, and tag indices
  // matching any observed indicator carrying that concept.
  std::vector<int> contradicts_items;
  std::vector<int> contradicts_tags;
  bool is_local_default() const { return !local_default.empty(); }
  // Indicators only.
  int level = 0;
  int area = -1;    // index into Framework::areas
  int domain = -1;  // index into Framework::domains
  bool mitigable = true;
  bool immediate = false;
  std::optional<int> age_under;
  std::optional<int> age_at_least;
};

enum class RuleKind { kHighestIndicator, kAccumulation, kCombination, kStrengths, kStatutory, kImmediateRisk };
const char* RuleKindName(RuleKind k);  // "accumulation"

// One term of a combination: present when any listed item is observed, or
// when any observed item carries any listed tag.
struct Term {
  std::vector<int> items;
  std::vector<int> tags;
  std::string text;  // as written in the file, for explanations
};

// The upper age limit of a combination rule, raised for holders of a fact
// (Devon: the Adolescent Safety Framework runs to 18, to 25 for care leavers).
struct AgeExtension {
  std::vector<int> facts;  // item indices
  int under = 0;
};

struct Rule {
  std::string id;
  RuleKind kind = RuleKind::kHighestIndicator;
  std::string source;         // exactly one of source and local_default
  std::string local_default;  // why we chose it where the document is silent
  std::string summary;
  bool is_local_default() const { return !local_default.empty(); }
  // accumulation
  int level_at_least = 0;
  int min_indicators = 0;
  int min_domains = 0;
  bool count_subdomains = false;
  int raises_to = 0;
  // combination (and statutory: level)
  std::vector<Term> all_of;
  int level = 0;
  std::optional<int> age_under;
  std::optional<int> age_at_least;
  std::optional<AgeExtension> age_extended;
  std::optional<std::string> assessment;
  std::optional<std::string> response_name;  // the response in the authority's words
  // strengths
  int min_strengths = 0;
  int lowers_by = 0;
  std::vector<int> applies_to_levels;
  // statutory
  std::vector<int> facts;  // item indices
  std::optional<LeadProfessionalRule> lead_professional;
  // immediate_risk
  std::vector<std::string> actions;
};

struct ConsentGround {
  std::string id;
  std::string label;
  std::string source;
};

struct Consent {
  std::string source;
  std::vector<int> before_referral_levels;
  std::string form;  // written | verbal_or_written
  std::string note;
  std::vector<ConsentGround> without_consent;
};

enum class TimeUnit { kHours, kDays, kWorkingDays, kWeeks };
const char* TimeUnitName(TimeUnit u);

struct Duration {
  int amount = 0;
  TimeUnit unit = TimeUnit::kDays;
};

struct Timescale {
  std::string id;
  std::string label;
  Provenance provenance;
  Duration within;
  std::optional<Duration> at_least;
};

struct Framework {
  std::string id;
  std::string name;
  std::string authority;
  std::string version;
  std::string effective;  // YYYY-MM-DD
  std::string source;
  std::string file;       // where it was loaded from

  std::vector<Level> levels;  // levels[i].number == i + 1
  std::vector<Domain> domains;
  std::vector<Area> areas;
  std::vector<Item> items;  // indicators, strengths and facts, in file order
  std::vector<Rule> rules;  // in file order
  Consent consent;
  std::vector<std::pair<std::string, std::string>> vocabulary;  // file order
  std::vector<Timescale> timescales;
  std::vector<std::string> tags;  // concept names used by this framework
  std::optional<Pathway> pathway;  // the case pathway, when the file defines one

  int max_level() const { return static_cast<int>(levels.size()); }
  // The lowest level whose severity band is at least `band` (the top level
  // when none is).
  int LevelForSeverity(int band) const;
  const Level& level(int number) const { return levels.at(number - 1); }
  // Index into items, or -1.
  int FindItem(std::string_view id) const;
  int FindTag(std::string_view name) const;
  const Timescale* FindTimescale(std::string_view id) const;
  std::string_view Term(std::string_view key) const;  // vocabulary, "" if none

  // Rule indices by kind, in the engine's order of application.
  std::vector<int> highest_rules, accumulation_rules, combination_rules,
      strengths_rules, statutory_rules, immediate_rules;

  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, int, Hash, std::equal_to<>> item_index;
  std::unordered_map<std::string, int, Hash, std::equal_to<>> tag_index;
};

// The shared concept vocabulary (frameworks/concepts.yaml).
struct Concepts {
  std::map<std::string, std::string, std::less<>> descriptions;
  bool Has(std::string_view name) const { return descriptions.count(name) > 0; }
};

// Inputs larger than this are refused before parsing.
inline constexpr size_t kMaxFrameworkBytes = 4u << 20;

// Every problem found, one per line, as "file:line:column: message".
Result<Concepts> LoadConcepts(std::string_view text, std::string_view file_name);
Result<Concepts> LoadConceptsFile(const std::string& path);
Result<Framework> LoadFramework(std::string_view text, std::string_view file_name,
                                const Concepts& concepts);
Result<Framework> LoadFrameworkFile(const std::string& path, const Concepts& concepts);

// All frameworks in a directory (every *.yaml but concepts.yaml), by id.
class Registry {
 public:
  // Loads dir/concepts.yaml and every framework; fails on the first bad file
  // (its message lists every problem in that file) or on a duplicate id.
  static Result<Registry> LoadDirectory(const std::string& dir);

  const Concepts& concepts() const { return *concepts_; }
  // nullptr when unknown.
  std::shared_ptr<const Framework> Find(std::string_view id) const;
  const std::vector<std::shared_ptr<const Framework>>& all() const { return all_; }
  std::string_view directory() const { return dir_; }

 private:
  std::string dir_;
  std::shared_ptr<const Concepts> concepts_;
  std::vector<std::shared_ptr<const Framework>> all_;  // sorted by id
};

}  // namespace continuum::framework

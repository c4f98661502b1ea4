// Reading observations under another framework: concepts matched on the
// shared severity scale, needs without a counterpart kept as floors, and every
// indicator of the shipped frameworks read alone under every other.
#include "threshold/mapping.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "framework/framework.h"
#include "threshold/threshold.h"

namespace continuum::threshold {
namespace {

using V = std::vector<std::string>;

constexpr const char* kConcepts = R"(
format: continuum-concepts/1
concepts:
  harm.neglect: neglect
  family.domestic_abuse: da
  family.parental_mental_health: mh
  family.parental_substance_misuse: sm
  exploitation.criminal: cce
  strength.school: school
  statutory.child_protection: cp
  family.private_fostering: pf
)";

// A four-level framework with the given indicators, strengths and facts.
std::string Framework(const std::string& id, const std::string& indicators, const std::string& extra = "",
                      const std::string& rules = "") {
  return "format: continuum-framework/1\nid: " + id + R"(
name: N
authority: A
version: "1"
effective: 2024-01-01
source: unit tests
levels:
  - {level: 1, name: U, description: d, responses: [x], response: universal, assessment: null, plan: none, lead_professional: {required: false, from: any}}
  - {level: 2, name: A, description: d, responses: [x], response: early_help, assessment: EHA, plan: single_agency, lead_professional: {required: false, from: any}}
  - {level: 3, name: T, description: d, responses: [x], response: multi_agency, assessment: EHA, plan: multi_agency, lead_professional: {required: true, from: any}}
  - {level: 4, name: S, description: d, responses: [x], response: social_care, assessment: SWA, plan: statutory, lead_professional: {required: true, from: social_work}}
domains:
  - {id: family, name: Family}
  - {id: care, name: Care}
indicators:
)" + indicators +
         extra + R"(rules:
  - {id: highest, kind: highest_indicator, source: s, summary: floor}
)" + rules +
         R"(  - {id: immediate, kind: immediate_risk, actions: [Call 999], source: s, summary: now}
consent: {source: s, before_referral_levels: [2], form: written, note: n, without_consent: []}
vocabulary: {level: Level, assessment: a, plan: p, multi_agency_plan: m, team: t, lead_professional: l, front_door: f, review: r}
timescales:
  - {id: review, label: r, within: {amount: 12, unit: weeks}, source: s}
)";
}

class MappingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = framework::LoadConcepts(kConcepts, "concepts.yaml");
    ASSERT_TRUE(c.ok()) << c.status().message();
    concepts_ = std::move(c).value();
  }
  framework::Framework Load(const std::string& text) {
    auto f = framework::LoadFramework(text, "t.yaml", concepts_);
    EXPECT_TRUE(f.ok()) << f.status().message();
    return f.ok() ? std::move(f).value() : framework::Framework{};
  }
  framework::Concepts concepts_;
};

const std::string kEarlyNeglect =
    "  - {id: a.neglect2, domain: care, level: 2, label: Early signs of neglect, source: s, tags: "
    "[harm.neglect]}\n";

TEST_F(MappingTest, SeverityKeepsEarlySignsFromReadingAsSignificantHarm) {
  auto a = Load(Framework("a", kEarlyNeglect));
  auto b = Load(Framework("b",
                          "  - {id: b.neglect4, domain: care, level: 4, label: Severe neglect, source: s, "
                          "tags: [harm.neglect], mitigable: false}\n"));
  auto r = Resolve(a, {.indicators = {"a.neglect2"}});
  ASSERT_TRUE(r.ok());
  auto m = MapObservations(a, b, *r);
  EXPECT_TRUE(m.observations.indicators.empty());
  ASSERT_EQ(m.unmapped.size(), 1u);
  EXPECT_EQ(m.unmapped[0].from, "a.neglect2");
  EXPECT_EQ(m.unmapped[0].tags, V{"harm.neglect"});
  EXPECT_NE(m.unmapped[0].reason.find("only at severity acute (level 4), not additional"), std::string::npos)
      << m.unmapped[0].reason;
  EXPECT_EQ(m.unmapped[0].floor, 2);
  // The reading keeps level 2 as a floor, and says it is a local default.
  auto s = Evaluate(b, m.observations);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->level, 2);
  ASSERT_EQ(s->reasons.size(), 1u);
  EXPECT_EQ(s->reasons[0].rule, nullptr);
  std::string text = ToText(b, *s);
  EXPECT_NE(text.find("Recorded under a: 'Early signs of neglect' (a.neglect2)"), std::string::npos) << text;
  EXPECT_NE(text.find("local default:"), std::string::npos);
  std::string json;
  AppendJson(b, *s, &json);
  EXPECT_NE(json.find("\"kind\":\"carried\""), std::string::npos) << json;
}

TEST_F(MappingTest, NextBandIsComparableAndClosestWins) {
  auto a = Load(Framework("a", kEarlyNeglect));
  auto b = Load(Framework(
      "b",
      "  - {id: b.neglect3, domain: care, level: 3, label: Neglect, source: s, tags: [harm.neglect]}\n"
      "  - {id: b.neglect4, domain: care, level: 4, label: Severe neglect, source: s, tags: [harm.neglect]}\n"
      "  - {id: b.early, domain: care, level: 4, label: Early signs within a wider concern, source: s, tags: "
      "[harm.neglect@additional]}\n"));
  auto r = Resolve(a, {.indicators = {"a.neglect2"}});
  auto m = MapObservations(a, b, *r);
  // b.early carries the concept at the same band: closer than b.neglect3.
  EXPECT_EQ(m.observations.indicators, V{"b.early"});
  EXPECT_TRUE(m.unmapped.empty());
  b = Load(Framework(
      "b",
      "  - {id: b.neglect3, domain: care, level: 3, label: Neglect, source: s, tags: [harm.neglect]}\n"));
  m = MapObservations(a, b, *r);
  EXPECT_EQ(m.observations.indicators, V{"b.neglect3"});
  EXPECT_TRUE(m.observations.carried.empty());
}

TEST_F(MappingTest, NoConceptAtAllIsReported) {
  auto a = Load(Framework("a",
                          "  - {id: a.cce, domain: family, level: 3, label: Exploited, source: s, tags: "
                          "[exploitation.criminal]}\n"));
  auto b = Load(Framework("b", kEarlyNeglect));
  auto r = Resolve(a, {.indicators = {"a.cce"}});
  auto m = MapObservations(a, b, *r);
  ASSERT_EQ(m.unmapped.size(), 1u);
  EXPECT_EQ(m.unmapped[0].reason, "no indicator of b carries 'exploitation.criminal'");
  EXPECT_EQ(Evaluate(b, m.observations)->level, 3);
}

TEST_F(MappingTest, StrengthsNeverLowerACarriedNeed) {
  const std::string strengths =
      "strengths:\n"
      "  - {id: b.school, label: school, source: s, tags: [strength.school]}\n"
      "  - {id: b.other, label: other, local_default: ours, tags: [strength.school]}\n";
  const std::string rule =
      "  - {id: strengths, kind: strengths, min_strengths: 2, lowers_by: 1, applies_to_levels: [2, 3], "
      "local_default: ours, summary: str}\n";
  auto a = Load(Framework("a", "  - {id: a.cce, domain: family, level: 3, label: Exploited, source: s, tags: [exploitation.criminal]}\n"));
  auto b = Load(Framework("b", kEarlyNeglect, strengths, rule));
  auto r = Resolve(a, {.indicators = {"a.cce"}});
  auto m = MapObservations(a, b, *r);
  m.observations.strengths = {"b.school", "b.other"};
  auto s = Evaluate(b, m.observations);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->level, 3);
  ASSERT_EQ(s->notes.size(), 1u);
  EXPECT_EQ(s->notes[0].kind, NoteKind::kStrengthsHeld);
  EXPECT_NE(ToText(b, *s).find("a need read from another framework keeps its level here"), std::string::npos);
}

TEST_F(MappingTest, SplitsAnItemCarryingSeveralConcepts) {
  const std::string parts =
      "  - {id: b.da, domain: family, level: 3, label: da, source: s, tags: [family.domestic_abuse]}\n"
      "  - {id: b.mh, domain: family, level: 3, label: mh, source: s, tags: "
      "[family.parental_mental_health]}\n"
      "  - {id: b.sm, domain: care, level: 3, label: sm, source: s, tags: "
      "[family.parental_substance_misuse]}\n";
  const std::string trio =
      "  - id: trio\n    kind: combination\n"
      "    all_of: [tag:family.domestic_abuse, tag:family.parental_mental_health, "
      "tag:family.parental_substance_misuse]\n"
      "    level: 4\n    local_default: not in the document\n    summary: trio\n";
  auto a = Load(Framework(
      "a",
      "  - {id: a.trio, domain: family, level: 4, label: trio, source: s, tags: [family.domestic_abuse, "
      "family.parental_mental_health, family.parental_substance_misuse]}\n"));
  auto b = Load(Framework("b", parts, "", trio));
  auto r = Resolve(a, {.indicators = {"a.trio"}});
  auto m = MapObservations(a, b, *r);
  EXPECT_EQ(m.observations.indicators, (V{"b.da", "b.mh", "b.sm"}));
  EXPECT_EQ(Evaluate(b, m.observations)->level, 4);  // the combination fires in the target
}

TEST_F(MappingTest, PartlyMappedKeepsTheUncoveredConceptsLevel) {
  auto a = Load(Framework("a",
                          "  - {id: a.both, domain: family, level: 3, label: both, source: s, tags: "
                          "[family.domestic_abuse, exploitation.criminal]}\n"));
  auto b = Load(Framework(
      "b",
      "  - {id: b.da2, domain: family, level: 2, label: da, source: s, tags: [family.domestic_abuse]}\n"));
  auto r = Resolve(a, {.indicators = {"a.both"}});
  auto m = MapObservations(a, b, *r);
  EXPECT_EQ(m.observations.indicators, V{"b.da2"});
  ASSERT_EQ(m.partly_mapped.size(), 1u);
  EXPECT_EQ(m.partly_mapped[0].tags, V{"exploitation.criminal"});
  EXPECT_EQ(Evaluate(b, m.observations)->level, 3);
}

TEST_F(MappingTest, StatutoryFactWithoutCounterpartKeepsItsLevel) {
  const std::string fact =
      "facts:\n  - {id: a.pf, label: Privately fostered, source: s, tags: [family.private_fostering]}\n";
  const std::string rule =
      "  - {id: stat.pf, kind: statutory, facts: [a.pf], level: 4, source: s, summary: pf}\n";
  auto a = Load(Framework("a", kEarlyNeglect, fact, rule));
  auto b = Load(Framework("b", kEarlyNeglect));
  auto r = Resolve(a, {.facts = {"a.pf"}});
  auto m = MapObservations(a, b, *r);
  ASSERT_EQ(m.unmapped.size(), 1u);
  EXPECT_EQ(m.unmapped[0].floor, 4);
  EXPECT_EQ(Evaluate(b, m.observations)->level, 4);
}

// Every indicator of every shipped framework, read alone under every other,
// lands within one level of its own level.
TEST(MappingAcrossFrameworks, NoIndicatorLandsTwoLevelsAway) {
  auto reg = framework::Registry::LoadDirectory(CONTINUUM_FRAMEWORKS_DIR);
  ASSERT_TRUE(reg.ok()) << reg.status().message();
  ASSERT_GE(reg->all().size(), 2u);
  int pairs = 0;
  for (const auto& from : reg->all()) {
    for (const auto& to : reg->all()) {
      if (from == to) continue;
      for (const auto& r : ReadEachIndicatorAlone(*from, *to)) {
        const auto& it = from->items[r.item];
        ++pairs;
        ASSERT_GT(r.target_level, 0) << it.id << " could not be read under " << to->id;
        std::string mapped;
        for (const auto& p : r.mapping.mapped) mapped += " " + p.to;
        EXPECT_LE(std::abs(r.target_level - r.expected_level), 1)
            << from->id << " " << it.id << " (level " << r.source_level << ", '" << it.label
            << "') reads as level " << r.target_level << " under " << to->id << " via"
            << (mapped.empty() ? " nothing" : mapped);
        for (const auto& g : r.mapping.unmapped) EXPECT_FALSE(g.reason.empty()) << it.id;
      }
    }
  }
  EXPECT_GT(pairs, 0);
}

}  // namespace
}  // namespace continuum::threshold

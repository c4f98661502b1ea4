// The loader refuses every class of bad framework file with a located message.
#include <gtest/gtest.h>


#include "framework/framework.h"

namespace continuum::framework {
namespace {

class LoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = LoadConceptsFile(std::string(CONTINUUM_FRAMEWORKS_DIR) + "/concepts.yaml");
    ASSERT_TRUE(c.ok()) << c.status().message();
    concepts_ = std::move(c).value();
  }
  Concepts concepts_;
};

// A minimal valid framework; cases below break one thing each.
constexpr const char* kValid = R"(format: continuum-framework/1
id: mini
name: Mini
authority: Somewhere
version: "1"
effective: 2024-01-01
source: test
levels:
  - {level: 1, name: U, description: d, responses: [x], response: universal, assessment: null, plan: none, lead_professional: {required: false, from: any}}
  - {level: 2, name: A, description: d, responses: [x], response: early_help, assessment: EHA, plan: single_agency, lead_professional: {required: false, from: any}}
domains:
  - {id: health, name: Health}
indicators:
  - {id: m.one, domain: health, level: 2, label: One, source: s, tags: [health.mental_health]}
facts:
  - {id: m.cpp, label: CPP, source: s, tags: [statutory.child_protection]}
rules:
  - {id: highest, kind: highest_indicator, source: s, summary: floor}
  - {id: immediate, kind: immediate_risk, actions: [Call 999], source: s, summary: now}
consent: {source: s, before_referral_levels: [2], form: written, note: n, without_consent: []}
vocabulary: {level: Level, assessment: a, plan: p, multi_agency_plan: m, team: t, lead_professional: l, front_door: f, review: r}
timescales:
  - {id: review, label: r, within: {amount: 12, unit: weeks}, source: s}
)";

// A strength line up to its contradicts list; cases append the list.
constexpr const char* kStrength = "strengths:\n  - {id: m.str, label: S, source: s, tags: [strength.school], contradicts: ";

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  auto p = s.find(from);
  EXPECT_NE(p, std::string::npos) << from;
  if (p != std::string::npos) s.replace(p, from.size(), to);
  return s;
}

TEST_F(LoaderTest, MinimalFrameworkLoads) {
  auto fw = LoadFramework(kValid, "mini.yaml", concepts_);
  ASSERT_TRUE(fw.ok()) << fw.status().message();
  EXPECT_EQ(fw->id, "mini");
  EXPECT_EQ(fw->max_level(), 2);
  EXPECT_EQ(fw->FindItem("m.one"), 0);
  EXPECT_EQ(fw->FindItem("nope"), -1);
}

struct BadCase {
  const char* name;
  std::string text;
  const char* message;  // substring expected
  int line;             // expected line of the first diagnostic, 0 = don't check
};

TEST_F(LoaderTest, EveryBadInputClassIsRefusedWithLocation) {
  std::string v = kValid;
  std::vector<BadCase> cases = {
      {"malformed YAML", Replace(v, "name: Mini", "name: [Mini"), "YAML syntax error", 0},
      {"not a map", "- just\n- a list\n", "expected a map", 1},
      {"wrong format", Replace(v, "continuum-framework/1", "other/2"), "format must be", 1},
      {"missing field", Replace(v, "authority: Somewhere\n", ""), "missing required field 'authority'", 1},
      {"unknown field", Replace(v, "source: test\n", "source: test\ncolour: red\n"), "unknown field 'colour'", 8},
      {"duplicate key", Replace(v, "source: test\n", "source: test\nname: Again\n"), "given twice", 8},
      {"wrong type", Replace(v, "domain: health, level: 2", "domain: health, level: two"), "must be a whole number", 14},
      {"bad date", Replace(v, "2024-01-01", "2024-13-01"), "YYYY-MM-DD", 6},
      {"level gap", Replace(v, "{level: 2, name: A", "{level: 3, name: A"), "expected 2, found 3", 10},
      {"indicator level unknown", Replace(v, "level: 2, label: One", "level: 5, label: One"), "is not a level", 14},
      {"unknown domain", Replace(v, "domain: health, level", "domain: wealth, level"), "domain 'wealth'", 14},
      {"unknown tag", Replace(v, "tags: [health.mental_health]", "tags: [made.up]"), "not a concept", 14},
      {"duplicate id", Replace(v, "id: m.cpp", "id: m.one"), "already used", 16},
      {"bad id", Replace(v, "id: m.one", "id: M One"), "not a valid id", 14},
      {"rule unknown fact", Replace(v, "  - {id: immediate", "  - {id: st, kind: statutory, facts: [m.nope], level: 2, source: s, summary: x}\n  - {id: immediate"), "not a statutory fact", 19},
      {"rule unknown level", Replace(v, "  - {id: immediate", "  - {id: acc, kind: accumulation, level_at_least: 2, min_indicators: 2, min_domains: 1, raises_to: 7, source: s, summary: x}\n  - {id: immediate"), "must be between", 19},
      {"combination unknown indicator", Replace(v, "  - {id: immediate", "  - {id: c, kind: combination, all_of: [m.one, m.ghost], level: 2, source: s, summary: x}\n  - {id: immediate"), "'m.ghost' is not an indicator", 19},
      {"strengths lowering by two", Replace(v, "  - {id: immediate", "  - {id: strengths, kind: strengths, min_strengths: 1, lowers_by: 2, applies_to_levels: [2], source: s, summary: x}\n  - {id: immediate"), "at most one level", 19},
      {"no floor rule", Replace(v, "  - {id: highest, kind: highest_indicator, source: s, summary: floor}\n", ""), "highest_indicator is required", 0},
      {"duplicate rule id", Replace(v, "{id: immediate,", "{id: highest,"), "used twice", 19},
      {"immediate but mitigable", Replace(v, "tags: [health.mental_health]}", "tags: [health.mental_health], immediate: true}"), "cannot be mitigable", 14},
      {"bad unit", Replace(v, "unit: weeks", "unit: fortnights"), "unit must be", 23},
      {"act_now as level response", Replace(v, "response: early_help", "response: act_now"), "only from the immediate_risk rule", 10},
      {"pathway unknown state", v + "pathway:\n  division: england-and-wales\n  roles: [practitioner]\n  states: [{id: none, label: n}]\n  transitions:\n    - {id: t, event: a.b, label: l, from: [nowhere], roles: [practitioner], source: s}\n", "from-state 'nowhere'", 29},
      {"no provenance", Replace(v, "label: One, source: s,", "label: One,"), "missing 'source' (the section of the document it comes from) or 'local_default'", 14},
      {"both provenances", Replace(v, "label: One, source: s,", "label: One, source: s, local_default: ours,"), "not both", 14},
      {"empty local default", Replace(v, "label: One, source: s,", "label: One, local_default: '',"), "local_default must not be empty", 14},
      {"rule without provenance", Replace(v, "kind: highest_indicator, source: s,", "kind: highest_indicator,"), "rule 'highest': missing 'source'", 18},
      {"unknown tag severity", Replace(v, "[health.mental_health]", "[health.mental_health@dire]"), "severity must be one of universal, additional, complex, acute", 14},
      {"severity on a fact", Replace(v, "[statutory.child_protection]", "[statutory.child_protection@acute]"), "only indicators carry a severity", 16},
      {"unknown level severity", Replace(v, "{level: 2, name: A,", "{level: 2, severity: extreme, name: A,"), "severity must be one of", 10},
      {"level less severe than the one before", Replace(v, "{level: 1, name: U,", "{level: 1, severity: acute, name: U,"), "a higher level cannot be less severe", 10},
      {"contradicts an unknown id", Replace(v, "facts:\n", kStrength + std::string("[m.ghost]}\nfacts:\n")), "contradicts: 'm.ghost' is not an indicator", 16},
      {"contradicts a concept no indicator carries", Replace(v, "facts:\n", kStrength + std::string("[tag:education.attendance]}\nfacts:\n")), "no other indicator of this framework carries tag 'education.attendance'", 16},
      {"contradicts a fact", Replace(v, "facts:\n", kStrength + std::string("[m.cpp]}\nfacts:\n")), "only indicators can be contradicted", 16},
      {"contradicts on a fact", Replace(v, "tags: [statutory.child_protection]}", "tags: [statutory.child_protection], contradicts: [m.one]}"), "not statutory facts", 16},
      {"age extension without an upper age", Replace(v, "  - {id: immediate", "  - {id: c, kind: combination, all_of: [m.one], level: 2, age_extended: {facts: [m.cpp], under: 26}, source: s, summary: x}\n  - {id: immediate"), "give age_under first", 19},
      {"age extension by a non-fact", Replace(v, "  - {id: immediate", "  - {id: c, kind: combination, all_of: [m.one], level: 2, age_under: 19, age_extended: {facts: [m.one], under: 26}, source: s, summary: x}\n  - {id: immediate"), "'m.one' is not a statutory fact", 19},
      {"NUL byte", std::string("format: x\0", 10), "NUL byte", 1},
      {"oversized", std::string(kMaxFrameworkBytes + 1, '#'), "larger than 4 MiB", 1},
  };
  for (const auto& c : cases) {
    auto fw = LoadFramework(c.text, "bad.yaml", concepts_);
    ASSERT_FALSE(fw.ok()) << c.name;
    const std::string& m = fw.status().message();
    EXPECT_NE(m.find(c.message), std::string::npos) << c.name << ": " << m;
    EXPECT_EQ(m.rfind("bad.yaml:", 0), 0u) << c.name << ": " << m;
    if (c.line) {
      std::string want = "bad.yaml:" + std::to_string(c.line) + ":";
      EXPECT_NE(m.find(want), std::string::npos) << c.name << ": wanted line " << c.line << ": " << m;
    }
  }
}

TEST_F(LoaderTest, ProvenanceSeverityAndContradictionsLoad) {
  std::string v = Replace(kValid, "label: One, source: s, tags: [health.mental_health]",
                          "label: One, local_default: \"the document gives no example\", tags: [health.mental_health, health.self_harm_suicide@complex]");
  v = Replace(v, "facts:\n", std::string(kStrength) + "[m.one, tag:health.mental_health]}\nfacts:\n");
  v = Replace(v, "  - {id: immediate", "  - {id: c, kind: combination, all_of: [m.one], level: 2, age_at_least: 11, age_under: 19, age_extended: {facts: [m.cpp], under: 26}, response_name: Named, local_default: ours, summary: x}\n  - {id: immediate");
  auto fw = LoadFramework(v, "ok.yaml", concepts_);
  ASSERT_TRUE(fw.ok()) << fw.status().message();
  const Item& one = fw->items[fw->FindItem("m.one")];
  EXPECT_TRUE(one.is_local_default());
  EXPECT_EQ(one.local_default, "the document gives no example");
  EXPECT_EQ(one.tags, (std::vector<std::string>{"health.mental_health", "health.self_harm_suicide"}));
  EXPECT_EQ(one.tag_severity, (std::vector<int>{2, 3}));  // level 2's band, then the qualifier
  const Item& str = fw->items[fw->FindItem("m.str")];
  EXPECT_EQ(str.contradicts_items, std::vector<int>{fw->FindItem("m.one")});
  ASSERT_EQ(str.contradicts_tags.size(), 1u);
  EXPECT_EQ(fw->tags[str.contradicts_tags[0]], "health.mental_health");
  const Rule& c = fw->rules[fw->combination_rules.at(0)];
  EXPECT_EQ(c.local_default, "ours");
  ASSERT_TRUE(c.age_extended);
  EXPECT_EQ(c.age_extended->under, 26);
  EXPECT_EQ(*c.response_name, "Named");
  EXPECT_EQ(fw->levels[0].severity, 1);
  EXPECT_EQ(fw->LevelForSeverity(4), 2);  // no acute level: the top one
}

TEST_F(LoaderTest, ReportsEveryProblemNotJustTheFirst) {
  std::string v = Replace(Replace(kValid, "authority: Somewhere\n", ""), "unit: weeks", "unit: moons");
  auto fw = LoadFramework(v, "bad.yaml", concepts_);
  ASSERT_FALSE(fw.ok());
  EXPECT_NE(fw.status().message().find("authority"), std::string::npos);
  EXPECT_NE(fw.status().message().find("moons"), std::string::npos);
}

TEST_F(LoaderTest, ShippedFrameworksLoad) {
  auto reg = Registry::LoadDirectory(CONTINUUM_FRAMEWORKS_DIR);
  ASSERT_TRUE(reg.ok()) << reg.status().message();
  for (const char* id : {"worcestershire", "devon", "staffordshire", "scotland"}) {
    auto fw = reg->Find(id);
    ASSERT_NE(fw, nullptr) << id;
    EXPECT_EQ(fw->max_level(), 4) << id;
    EXPECT_GE(fw->items.size(), 30u) << id;
    for (const auto& l : fw->levels) EXPECT_EQ(l.severity, l.number) << id;
    // Every timescale says where it comes from: the document's section, or
    // a local default with its reason.
    for (const auto& t : fw->timescales) {
      EXPECT_TRUE(!t.provenance.source.empty() || !t.provenance.local_default.empty()) << id << " " << t.id;
    }
  }
}

TEST_F(LoaderTest, MissingFileIsNotFound) {
  auto fw = LoadFrameworkFile("/nonexistent/x.yaml", concepts_);
  ASSERT_FALSE(fw.ok());
  EXPECT_EQ(fw.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace continuum::framework

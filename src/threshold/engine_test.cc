// Unit tests for every rule kind, on a small framework written here so each
// rule's behaviour is visible in one place.
#include <gtest/gtest.h>

#include <thread>

#include "framework/framework.h"
#include "threshold/threshold.h"

namespace continuum::threshold {
namespace {

constexpr const char* kConcepts = R"(
format: continuum-concepts/1
concepts:
  family.domestic_abuse: da
  family.parental_mental_health: mh
  family.parental_substance_misuse: sm
  education.attendance: att
  health.mental_health: cmh
  strength.supportive_family: sf
  strength.trusted_adult: ta
  strength.school: school
  statutory.child_protection: cp
  statutory.looked_after: lac
  harm.significant: sh
  exploitation.criminal: cce
  health.sexual_activity: sa
)";

constexpr const char* kFramework = R"(
format: continuum-framework/1
id: test
name: Test framework
authority: Test
version: "1"
effective: 2024-01-01
source: unit tests
levels:
  - {level: 1, name: Universal, description: d, responses: [School], response: universal, assessment: null, plan: none, lead_professional: {required: false, from: any}}
  - {level: 2, name: Additional, description: d, responses: [EH], response: early_help, assessment: EHA, plan: single_agency, lead_professional: {required: false, from: any}}
  - {level: 3, name: Targeted, description: d, responses: [TAF], response: multi_agency, assessment: EHA, plan: multi_agency, lead_professional: {required: true, from: any}}
  - {level: 4, name: Specialist, description: d, responses: [CSC], response: social_care, assessment: Social work assessment, plan: statutory, lead_professional: {required: true, from: social_work}}
domains:
  - id: dev
    name: Development
    subdomains: [{id: health, name: Health}, {id: edu, name: Education}]
  - {id: family, name: Family}
  - {id: parenting, name: Parenting}
indicators:
  - {id: i.att2, domain: edu, level: 2, label: att, source: s, tags: [education.attendance]}
  - {id: i.cmh2, domain: health, level: 2, label: cmh, source: s, tags: [health.mental_health]}
  - {id: i.da3, domain: family, level: 3, label: da, source: s, tags: [family.domestic_abuse]}
  - {id: i.mh3, domain: family, level: 3, label: mh, source: s, tags: [family.parental_mental_health]}
  - {id: i.sm3, domain: parenting, level: 3, label: sm, source: s, tags: [family.parental_substance_misuse]}
  - {id: i.att3, domain: edu, level: 3, label: att3, source: s, tags: [education.attendance]}
  - {id: i.harm3, domain: parenting, level: 3, label: harm, source: s, tags: [harm.significant], mitigable: false}
  - {id: i.imm4, domain: parenting, level: 4, label: imm, source: s, tags: [harm.significant], mitigable: false, immediate: true}
  - {id: i.cce2, domain: family, level: 2, label: cce, source: s, tags: [exploitation.criminal]}
  - {id: i.sex13, domain: health, level: 4, label: u13, source: s, tags: [health.sexual_activity], mitigable: false, age: {under: 13}}
strengths:
  - {id: s.fam, label: fam, source: s, tags: [strength.supportive_family]}
  - {id: s.adult, label: adult, source: s, tags: [strength.trusted_adult]}
  - {id: s.school, label: attends school, local_default: ours, tags: [strength.school], contradicts: [tag:education.attendance]}
facts:
  - {id: f.cpp, label: cpp, source: s, tags: [statutory.child_protection]}
  - {id: f.lac, label: lac, source: s, tags: [statutory.looked_after]}
rules:
  - {id: highest, kind: highest_indicator, source: s, summary: floor}
  - {id: acc.l2, kind: accumulation, level_at_least: 2, min_indicators: 3, min_domains: 2, raises_to: 3, source: s, summary: acc2}
  - {id: acc.sub, kind: accumulation, level_at_least: 2, min_indicators: 2, min_domains: 2, domain_scope: subdomain, raises_to: 3, source: s, summary: accsub}
  - id: trio
    kind: combination
    all_of: [tag:family.domestic_abuse, tag:family.parental_mental_health, {any_of: [tag:family.parental_substance_misuse, i.att3]}]
    level: 4
    source: s
    summary: trio
  - {id: cce, kind: combination, all_of: [tag:exploitation.criminal, i.att2], level: 2, age_at_least: 11, assessment: Safer Me, source: s, summary: cce}
  - {id: asf, kind: combination, all_of: [tag:exploitation.criminal], level: 2, age_at_least: 11, age_under: 19, age_extended: {facts: [f.lac], under: 26}, response_name: Named response, source: s, summary: asf}
  - {id: strengths, kind: strengths, min_strengths: 2, lowers_by: 1, applies_to_levels: [2, 3], source: s, summary: str}
  - {id: stat.cp, kind: statutory, facts: [f.cpp, f.lac], level: 4, lead_professional: {from: social_work, note: always social work}, source: s, summary: stat}
  - {id: immediate, kind: immediate_risk, actions: [Call 999], source: s, summary: imm}
consent:
  source: s
  before_referral_levels: [2, 3]
  form: written
  note: seek it
  without_consent: [{id: harm, label: significant harm, source: s}]
vocabulary: {level: Level, assessment: EHA, plan: Plan, multi_agency_plan: MA Plan, team: TAF, lead_professional: LP, front_door: FD, review: Review}
timescales:
  - {id: review, label: r, at_least: {amount: 6, unit: weeks}, within: {amount: 12, unit: weeks}, source: s}
)";

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = framework::LoadConcepts(kConcepts, "concepts.yaml");
    ASSERT_TRUE(c.ok()) << c.status().message();
    auto f = framework::LoadFramework(kFramework, "test.yaml", *c);
    ASSERT_TRUE(f.ok()) << f.status().message();
    fw_ = std::move(f).value();
  }
  Suggestion Eval(Observations o) {
    auto s = Evaluate(fw_, o);
    EXPECT_TRUE(s.ok()) << s.status().message();
    return s.ok() ? std::move(s).value() : Suggestion{};
  }
  static std::vector<std::string> Fired(const Suggestion& s) {
    std::vector<std::string> v;
    for (const auto& r : s.reasons) v.push_back(r.rule->id);
    return v;
  }
  framework::Framework fw_;
};

using V = std::vector<std::string>;

TEST_F(EngineTest, NoIndicatorsIsLevelOne) {
  auto s = Eval({});
  EXPECT_EQ(s.level, 1);
  EXPECT_EQ(s.response, framework::Response::kUniversal);
  EXPECT_TRUE(s.reasons.empty());
  EXPECT_EQ(s.assessment, nullptr);
}

TEST_F(EngineTest, HighestIndicatorSetsTheFloor) {
  auto s = Eval({.indicators = {"i.att2", "i.att3"}});
  EXPECT_EQ(s.level, 3);
  ASSERT_EQ(Fired(s), V{"highest"});
  ASSERT_EQ(s.reasons[0].items.size(), 1u);
  EXPECT_EQ(fw_.items[s.reasons[0].items[0]].id, "i.att3");
  EXPECT_TRUE(s.lead_professional->required);
  EXPECT_TRUE(s.consent_before_referral);
}

TEST_F(EngineTest, AccumulationNeedsEnoughIndicatorsAndDomains) {
  // Two level-2 needs in two sub-domains of one domain: the sub-domain rule fires.
  auto s = Eval({.indicators = {"i.att2", "i.cmh2"}});
  EXPECT_EQ(s.level, 3);
  EXPECT_EQ(Fired(s), (V{"highest", "acc.sub"}));
  // Three needs across two domains: the domain rule fires too.
  s = Eval({.indicators = {"i.att2", "i.cmh2", "i.cce2"}});
  EXPECT_EQ(Fired(s), (V{"highest", "acc.l2", "acc.sub"}));
  // One need alone does not accumulate.
  s = Eval({.indicators = {"i.cce2"}});
  EXPECT_EQ(s.level, 2);
  EXPECT_EQ(Fired(s), V{"highest"});
}

TEST_F(EngineTest, CombinationMatchesTagsAndAnyOf) {
  auto s = Eval({.indicators = {"i.da3", "i.mh3", "i.sm3"}});
  EXPECT_EQ(s.level, 4);
  EXPECT_EQ(s.response, framework::Response::kSocialCare);
  EXPECT_EQ(Fired(s), (V{"highest", "acc.l2", "acc.sub", "trio"}));
  // any_of satisfied by the named indicator instead of the tag.
  s = Eval({.indicators = {"i.da3", "i.mh3", "i.att3"}});
  EXPECT_EQ(s.level, 4);
  // Missing one term: no combination.
  s = Eval({.indicators = {"i.da3", "i.mh3"}});
  EXPECT_EQ(s.level, 3);
  EXPECT_EQ(Fired(s), V{"highest"});
}

TEST_F(EngineTest, CombinationAgeBandAndAssessment) {
  auto s = Eval({.indicators = {"i.cce2", "i.att2"}, .age = 14});
  EXPECT_EQ(Fired(s), (V{"highest", "acc.sub", "cce", "asf"}));
  ASSERT_NE(s.assessment, nullptr);
  EXPECT_EQ(*s.assessment, "Safer Me");
  ASSERT_NE(s.response_name, nullptr);
  EXPECT_EQ(*s.response_name, "Named response");
  EXPECT_NE(ToText(fw_, s).find("— Named response"), std::string::npos);
  s = Eval({.indicators = {"i.cce2", "i.att2"}, .age = 9});
  EXPECT_EQ(Fired(s), (V{"highest", "acc.sub"}));
  EXPECT_EQ(s.response_name, nullptr);
  // The practitioner is told which rules the age kept out, and why.
  ASSERT_EQ(s.notes.size(), 2u);
  EXPECT_EQ(s.notes[0].kind, NoteKind::kRuleOutsideAge);
  EXPECT_EQ(s.notes[0].rule->id, "cce");
  std::string text = ToText(fw_, s);
  EXPECT_NE(text.find("Not applied: cce [cce] It is for ages 11 and over; the child's age is 9."), std::string::npos) << text;
  s = Eval({.indicators = {"i.cce2", "i.att2"}});  // age unknown: not applied
  EXPECT_EQ(Fired(s), (V{"highest", "acc.sub"}));
  EXPECT_NE(ToText(fw_, s).find("the child's age was not given"), std::string::npos);
}

TEST_F(EngineTest, AgeLimitRaisedByAFact) {
  // Ages 11 to 18, or to 25 for a young person with the fact.
  EXPECT_EQ(Fired(Eval({.indicators = {"i.cce2"}, .age = 18})), (V{"highest", "asf"}));
  auto s = Eval({.indicators = {"i.cce2"}, .age = 19});
  EXPECT_EQ(Fired(s), V{"highest"});
  EXPECT_NE(ToText(fw_, s).find("It is for ages 11 to 18 (under 26 with lac)"), std::string::npos) << ToText(fw_, s);
  s = Eval({.indicators = {"i.cce2"}, .facts = {"f.lac"}, .age = 22});
  EXPECT_EQ(Fired(s), (V{"highest", "asf", "stat.cp"}));
  s = Eval({.indicators = {"i.cce2"}, .facts = {"f.lac"}, .age = 25});
  EXPECT_EQ(Fired(s), (V{"highest", "asf", "stat.cp"}));
  EXPECT_EQ(Fired(Eval({.indicators = {"i.cce2"}, .facts = {"f.lac"}, .age = 10})), (V{"highest", "stat.cp"}));
}

TEST_F(EngineTest, ContradictedStrengthIsSetAsideAndCannotLower) {
  // Without a contradiction, two strengths lower level 3 to 2.
  EXPECT_EQ(Eval({.indicators = {"i.da3"}, .strengths = {"s.school", "s.fam"}}).level, 2);
  // "Attends school" beside a school attendance need: set aside, reported.
  auto s = Eval({.indicators = {"i.att3"}, .strengths = {"s.school", "s.fam"}});
  EXPECT_EQ(s.level, 3);
  EXPECT_EQ(Fired(s), V{"highest"});
  ASSERT_EQ(s.notes.size(), 1u);
  EXPECT_EQ(s.notes[0].kind, NoteKind::kContradiction);
  ASSERT_EQ(s.notes[0].items.size(), 2u);
  EXPECT_EQ(fw_.items[s.notes[0].items[0]].id, "s.school");
  EXPECT_EQ(fw_.items[s.notes[0].items[1]].id, "i.att3");
  std::string text = ToText(fw_, s);
  EXPECT_NE(text.find("Contradiction: the strength 'attends school' (s.school) cannot stand beside 'att3' (i.att3)"),
            std::string::npos) << text;
  std::string json;
  AppendJson(fw_, s, &json);
  EXPECT_NE(json.find("{\"kind\":\"contradiction\",\"ids\":[\"s.school\",\"i.att3\"]"), std::string::npos) << json;
  // The evidence still lists it: nothing the practitioner recorded is hidden.
  EXPECT_NE(json.find("\"id\":\"s.school\""), std::string::npos);
}

TEST_F(EngineTest, ExplanationSaysSourceOrLocalDefault) {
  auto s = Eval({.indicators = {"i.att2"}, .strengths = {"s.school"}});
  std::string json;
  AppendJson(fw_, s, &json);
  EXPECT_NE(json.find("\"label\":\"attends school\",\"local_default\":\"ours\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"summary\":\"floor\",\"source\":\"s\""), std::string::npos) << json;
  EXPECT_EQ(Provenance(fw_.items[fw_.FindItem("s.school")]), "local default: ours (not stated in the document)");
  EXPECT_EQ(Provenance(fw_.rules[0]), "source: s");
}

TEST_F(EngineTest, StrengthsLowerByOne) {
  auto s = Eval({.indicators = {"i.da3"}, .strengths = {"s.fam", "s.adult"}});
  EXPECT_EQ(s.level, 2);
  EXPECT_EQ(Fired(s), (V{"highest", "strengths"}));
  EXPECT_EQ(s.reasons[1].from_level, 3);
  EXPECT_EQ(s.reasons[1].to_level, 2);
}

TEST_F(EngineTest, StrengthsNeedTheMinimum) {
  auto s = Eval({.indicators = {"i.da3"}, .strengths = {"s.fam"}});
  EXPECT_EQ(s.level, 3);
}

TEST_F(EngineTest, StrengthsNeverBelowNonMitigable) {
  auto s = Eval({.indicators = {"i.harm3"}, .strengths = {"s.fam", "s.adult"}});
  EXPECT_EQ(s.level, 3);
  EXPECT_EQ(Fired(s), V{"highest"});
  ASSERT_EQ(s.notes.size(), 1u);
  EXPECT_EQ(s.notes[0].kind, NoteKind::kStrengthsHeld);
}

TEST_F(EngineTest, StrengthsOnlyAtTheirLevels) {
  auto s = Eval({.indicators = {"i.da3", "i.mh3", "i.sm3"}, .strengths = {"s.fam", "s.adult"}});
  EXPECT_EQ(s.level, 4);
  ASSERT_EQ(s.notes.size(), 1u);
  EXPECT_EQ(s.notes[0].kind, NoteKind::kStrengthsNotInRange);
}

TEST_F(EngineTest, StatutoryFactSetsLevelAndLeadProfessional) {
  auto s = Eval({.indicators = {"i.att2"}, .strengths = {"s.fam", "s.adult"}, .facts = {"f.lac"}});
  EXPECT_EQ(s.level, 4);
  EXPECT_EQ(s.lead_professional->from, "social_work");
  EXPECT_EQ(s.lead_professional->note, "always social work");
  EXPECT_FALSE(s.consent_before_referral);
  EXPECT_EQ(Fired(s), (V{"highest", "strengths", "stat.cp"}));
}

TEST_F(EngineTest, ImmediateRiskAddsActionsWhateverTheLevel) {
  auto s = Eval({.indicators = {"i.imm4"}, .strengths = {"s.fam", "s.adult"}});
  EXPECT_TRUE(s.urgent);
  EXPECT_EQ(s.response, framework::Response::kActNow);
  ASSERT_NE(s.urgent_actions, nullptr);
  EXPECT_EQ(s.urgent_actions->at(0), "Call 999");
  EXPECT_EQ(s.level, 4);
  EXPECT_EQ(Fired(s).back(), "immediate");
}

TEST_F(EngineTest, AgeBandedIndicatorIgnoredOutsideBand) {
  auto s = Eval({.indicators = {"i.sex13"}, .age = 15});
  EXPECT_EQ(s.level, 1);
  ASSERT_EQ(s.notes.size(), 1u);
  EXPECT_EQ(s.notes[0].kind, NoteKind::kIgnoredForAge);
  s = Eval({.indicators = {"i.sex13"}, .age = 12});
  EXPECT_EQ(s.level, 4);
  s = Eval({.indicators = {"i.sex13"}});
  EXPECT_EQ(s.level, 4);
}

TEST_F(EngineTest, RefusesBadObservations) {
  auto s = Evaluate(fw_, Observations{.indicators = {"nope"}});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("unknown indicator 'nope'"), std::string::npos);
  s = Evaluate(fw_, Observations{.indicators = {"i.att2", "i.att2"}});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("listed twice"), std::string::npos);
  s = Evaluate(fw_, Observations{.indicators = {"s.fam"}});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("is a strength, not an indicator"), std::string::npos);
  s = Evaluate(fw_, Observations{.age = 40});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("age"), std::string::npos);
}

TEST_F(EngineTest, DeterministicAndThreadSafe) {
  Observations o{.indicators = {"i.da3", "i.mh3", "i.sm3", "i.att2"}, .strengths = {"s.fam"}, .age = 12};
  std::string want;
  AppendJson(fw_, Eval(o), &want);
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        auto s = Evaluate(fw_, o);
        std::string got;
        AppendJson(fw_, *s, &got);
        if (got != want) ++mismatches;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST_F(EngineTest, ExplanationJsonNamesRulesIdsAndSources) {
  std::string out;
  AppendJson(fw_, Eval({.indicators = {"i.da3", "i.mh3", "i.sm3"}}), &out);
  EXPECT_NE(out.find("\"rule\":\"trio\""), std::string::npos);
  EXPECT_NE(out.find("\"ids\":[\"i.da3\",\"i.mh3\",\"i.sm3\"]"), std::string::npos);
  EXPECT_NE(out.find("\"level\":4"), std::string::npos);
  std::string text = ToText(fw_, Eval({.indicators = {"i.da3"}}));
  EXPECT_NE(text.find("Suggested Level 3: Targeted"), std::string::npos);
}

}  // namespace
}  // namespace continuum::threshold

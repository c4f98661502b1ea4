// Evaluations per second for a typical case of 10 indicators, in process, on
// one core. Not a test: figures go in docs/benchmarks.md.
#include <benchmark/benchmark.h>

#include <cstdlib>

#include "framework/framework.h"
#include "threshold/observations_json.h"
#include "threshold/threshold.h"

namespace {

using namespace continuum;

const framework::Registry& Reg() {
  static const framework::Registry reg = [] {
    const char* dir = std::getenv("CONTINUUM_FRAMEWORKS");
    auto r = framework::Registry::LoadDirectory(dir ? dir : CONTINUUM_FRAMEWORKS_DIR);
    if (!r.ok()) {
      std::fprintf(stderr, "%s\n", r.status().message().c_str());
      std::exit(1);
    }
    return std::move(r).value();
  }();
  return reg;
}

// Ten indicators spread over the levels and domains of the framework, two
// strengths, no facts: a typical multi-need case.
threshold::Observations Typical(const framework::Framework& fw) {
  threshold::Observations o;
  o.age = 11;
  int want_by_level[5] = {0, 2, 4, 3, 1};
  for (const auto& it : fw.items) {
    if (it.kind == framework::ItemKind::kIndicator && !it.immediate && !it.age_under && !it.age_at_least &&
        want_by_level[it.level] > 0 && o.indicators.size() < 10) {
      o.indicators.push_back(it.id);
      --want_by_level[it.level];
    }
    if (it.kind == framework::ItemKind::kStrength && o.strengths.size() < 2) o.strengths.push_back(it.id);
  }
  return o;
}

void BM_Evaluate(benchmark::State& state, const char* id) {
  auto fw = Reg().Find(id);
  auto obs = Typical(*fw);
  for (auto _ : state) {
    auto s = threshold::Evaluate(*fw, obs);
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["indicators"] = static_cast<double>(obs.indicators.size());
}
BENCHMARK_CAPTURE(BM_Evaluate, worcestershire, "worcestershire");
BENCHMARK_CAPTURE(BM_Evaluate, devon, "devon");
BENCHMARK_CAPTURE(BM_Evaluate, staffordshire, "staffordshire");
BENCHMARK_CAPTURE(BM_Evaluate, scotland, "scotland");

// The whole per-line path of `assess --batch`: parse, evaluate, render.
void BM_ParseEvaluateRender(benchmark::State& state) {
  auto fw = Reg().Find("worcestershire");
  auto obs = Typical(*fw);
  std::string line = "{\"indicators\":[";
  for (size_t i = 0; i < obs.indicators.size(); ++i) line += (i ? ",\"" : "\"") + obs.indicators[i] + "\"";
  line += "],\"strengths\":[";
  for (size_t i = 0; i < obs.strengths.size(); ++i) line += (i ? ",\"" : "\"") + obs.strengths[i] + "\"";
  line += "],\"age\":11}";
  threshold::ObservationParser parser;
  threshold::JsonRenderer renderer(*fw);
  std::string out;
  for (auto _ : state) {
    out.clear();
    auto o = parser.ParseResolved(line, *fw);
    renderer.Append(threshold::Evaluate(*fw, *o), &out);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["out_bytes"] = static_cast<double>(out.size());
}
BENCHMARK(BM_ParseEvaluateRender);

}  // namespace

BENCHMARK_MAIN();

// libFuzzer target: observation JSON through the parser, the engine and the
// renderers. Any input is either refused with a message or evaluated.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "framework/framework.h"
#include "threshold/mapping.h"
#include "threshold/observations_json.h"
#include "threshold/threshold.h"

using namespace continuum;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const framework::Registry reg = [] {
    auto r = framework::Registry::LoadDirectory(CONTINUUM_FRAMEWORKS_DIR);
    if (!r.ok()) std::abort();
    return std::move(r).value();
  }();
  static threshold::ObservationParser parser;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto obs = parser.Parse(text);
  if (!obs.ok()) {
    if (obs.status().message().empty()) std::abort();
    return 0;
  }
  for (const auto& fw : reg.all()) {
    auto s = threshold::Evaluate(*fw, *obs);
    if (!s.ok()) continue;
    std::string out;
    threshold::AppendJson(*fw, *s, &out);
    (void)threshold::ToText(*fw, *s);
    auto r = threshold::Resolve(*fw, *obs);
    for (const auto& other : reg.all()) {
      auto m = threshold::MapObservations(*fw, *other, *r);
      if (!threshold::Evaluate(*other, m.observations).ok()) std::abort();  // mapping yields valid ids
    }
  }
  return 0;
}

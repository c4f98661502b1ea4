// libFuzzer target: the framework loader must refuse any input with a
// message, never crash, hang or leak.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "framework/framework.h"

using namespace continuum;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const framework::Concepts concepts = [] {
    auto c = framework::LoadConceptsFile(std::string(CONTINUUM_FRAMEWORKS_DIR) + "/concepts.yaml");
    if (!c.ok()) std::abort();
    return std::move(c).value();
  }();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto fw = framework::LoadFramework(text, "fuzz.yaml", concepts);
  if (!fw.ok() && fw.status().message().empty()) std::abort();  // every refusal says why
  auto c = framework::LoadConcepts(text, "fuzz-concepts.yaml");
  (void)c;
  return 0;
}

// Reading the pathway section. Private to framework/.
#pragma once

#include "framework/framework.h"
#include "framework/yaml_reader.h"

namespace continuum::framework::internal {

// Reads `node` into fw->pathway, reporting every problem to `d`. Needs the
// levels, facts and timescales already read.
void ReadPathway(Diagnostics& d, const YAML::Node& node, Framework* fw);

// Reads `source:` or `local_default:` (exactly one) from a map.
void ReadProvenance(MapReader& m, const std::string& where, Provenance* p);

}  // namespace continuum::framework::internal

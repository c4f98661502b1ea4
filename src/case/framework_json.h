// A framework as JSON: the one schema served by GET /api/v1/frameworks/{id}
// and printed by `continuum frameworks show --json` (docs/openapi.json,
// "Framework"). Web forms are generated from its pathway transitions.
#pragma once

#include <nlohmann/json.hpp>

#include "framework/framework.h"

namespace continuum::casework {

nlohmann::ordered_json FrameworkToJson(const framework::Framework& fw);
// One transition: fields, conditions, deadlines, effects, provenance.
nlohmann::ordered_json TransitionToJson(const framework::Framework& fw, const framework::Transition& t);
// {"source": "…"} or {"local_default": "…"}, added to `out`.
void AddProvenance(const framework::Provenance& p, nlohmann::ordered_json* out);

}  // namespace continuum::casework

// YAML data files (the demo families, pathway scenario files) read as JSON
// values: an unquoted true / false or integer becomes a JSON boolean or
// number; anything quoted, and every other scalar, stays text; ~ is null.
#pragma once

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>

namespace continuum::framework {

nlohmann::json YamlToJson(const YAML::Node& n);

}  // namespace continuum::framework

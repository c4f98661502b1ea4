#include "framework/yaml_json.h"

#include <regex>
#include <string>

namespace continuum::framework {

nlohmann::json YamlToJson(const YAML::Node& n) {
  using nlohmann::json;
  if (n.IsMap()) {
    json o = json::object();
    for (auto it = n.begin(); it != n.end(); ++it) o[it->first.as<std::string>()] = YamlToJson(it->second);
    return o;
  }
  if (n.IsSequence()) {
    json a = json::array();
    for (const auto& e : n) a.push_back(YamlToJson(e));
    return a;
  }
  if (n.IsNull()) return nullptr;
  const std::string& s = n.Scalar();
  if (n.Tag() != "!") {  // unquoted scalars may be booleans or numbers
    if (s == "true") return true;
    if (s == "false") return false;
    static const std::regex kInt(R"(-?\d{1,9})");
    if (std::regex_match(s, kInt)) return std::stoi(s);
  }
  return s;
}

}  // namespace continuum::framework

// The OpenAPI document, generated from the route table, the operations
// written in openapi_source.yaml, and the frameworks' event declarations.
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <regex>
#include <set>

#include "api/api_internal.h"

namespace continuum::api {
namespace internal {
extern const char kOpenApiSource[];
}  // namespace internal

namespace {

using internal::ojson;

ojson FromYaml(const YAML::Node& n) {
  if (n.IsMap()) {
    ojson o = ojson::object();
    for (auto it = n.begin(); it != n.end(); ++it) o[it->first.as<std::string>()] = FromYaml(it->second);
    return o;
  }
  if (n.IsSequence()) {
    ojson a = ojson::array();
    for (const auto& e : n) a.push_back(FromYaml(e));
    return a;
  }
  if (n.IsNull()) return nullptr;
  const std::string& s = n.Scalar();
  if (n.Tag() == "!") return s;  // quoted: a string
  if (s == "true") return true;
  if (s == "false") return false;
  static const std::regex kInt(R"(-?\d{1,15})");
  static const std::regex kFloat(R"(-?\d+\.\d+)");
  if (std::regex_match(s, kInt)) return std::stoll(s);
  if (std::regex_match(s, kFloat)) return std::stod(s);
  return s;
}

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The JSON schema of one declared field.
ojson FieldSchema(const framework::Framework& fw, const framework::FieldSpec& f) {
  using framework::FieldType;
  ojson s;
  auto ids = [](const char* what) {
    return ojson{{"type", "array"},
                 {"minItems", 1},
                 {"maxItems", 200},
                 {"uniqueItems", true},
                 {"items", {{"type", "string"}, {"minLength", 1}, {"maxLength", 128}}},
                 {"description", what}};
  };
  switch (f.type) {
    case FieldType::kText: s = {{"type", "string"}, {"minLength", 1}, {"maxLength", 20000}}; break;
    case FieldType::kId: s = {{"type", "string"}, {"minLength", 1}, {"maxLength", 128}}; break;
    case FieldType::kUser:
      s = {{"type", "string"}, {"minLength", 1}, {"maxLength", 128}, {"description", "the id of an active user"}};
      break;
    case FieldType::kAgency:
      s = {{"type", "string"}, {"minLength", 1}, {"maxLength", 128}, {"description", "the id of an agency"}};
      break;
    case FieldType::kPerson:
      s = {{"type", "string"},
           {"minLength", 1},
           {"maxLength", 128},
           {"description", "the person_id of someone in the child's household"}};
      break;
    case FieldType::kDate: s = {{"$ref", "#/components/schemas/Date"}}; break;
    case FieldType::kDateTime: s = {{"$ref", "#/components/schemas/UtcTime"}}; break;
    case FieldType::kBool: s = {{"type", "boolean"}}; break;
    case FieldType::kInt: s = {{"type", "integer"}, {"minimum", -1000000}, {"maximum", 1000000}}; break;
    case FieldType::kLevel: s = {{"type", "integer"}, {"minimum", 1}, {"maximum", fw.max_level()}}; break;
    case FieldType::kList:
      s = {{"type", "array"}, {"maxItems", 200}, {"items", {{"type", "string"}, {"minLength", 1}}}};
      break;
    case FieldType::kUsers: s = ids("ids of active users"); break;
    case FieldType::kAgencies: s = ids("ids of agencies, or [\"all\"]"); break;
    case FieldType::kPeople: s = ids("person_ids from the child's household"); break;
    case FieldType::kFacts: {
      ojson facts = ojson::array();
      for (const auto& it : fw.items)
        if (it.kind == framework::ItemKind::kFact) facts.push_back(it.id);
      s = {{"type", "array"}, {"maxItems", 200}, {"items", {{"type", "string"}, {"enum", facts}}}};
      break;
    }
    case FieldType::kEnum: s = {{"type", "string"}, {"enum", f.values}}; break;
  }
  if (f.optional) {
    // An optional field may be left out or sent as null.
    s = ojson{{"oneOf", ojson::array({s, ojson{{"type", "null"}}})}};
  }
  return s;
}

// One schema per event of each framework: the request that records it.
ojson EventRequestSchemas(const framework::Registry& fws) {
  ojson any = ojson::array();
  for (const auto& fw : fws.all()) {
    if (!fw->pathway) continue;
    std::set<std::string> seen;
    for (const auto& t : fw->pathway->transitions) {
      if (!seen.insert(t.event).second) continue;  // transitions of one event share its fields
      ojson props = ojson::object(), required = ojson::array();
      for (const auto& f : t.fields) {
        props[f.name] = FieldSchema(*fw, f);
        if (!f.optional) required.push_back(f.name);
      }
      ojson fields = {{"type", "object"}, {"additionalProperties", false}, {"properties", props}};
      if (!required.empty()) fields["required"] = required;
      any.push_back({{"title", fw->id + ": " + t.event},
                     {"description", t.label},
                     {"type", "object"},
                     {"additionalProperties", false},
                     {"required", {"type", "fields"}},
                     {"properties",
                      {{"type", {{"const", t.event}}},
                       {"fields", fields},
                       {"occurred_at", {{"$ref", "#/components/schemas/UtcTime"}}}}}});
    }
  }
  return ojson{{"description",
                "The request that records an event. Which events a child's case accepts, and their fields, are "
                "those of the child's framework (GET /api/v1/frameworks/{framework}); one schema per framework and "
                "event follows, generated from the framework files."},
               {"anyOf", any}};
}

}  // namespace

Result<std::string> Api::PrintOpenApi(const framework::Registry& frameworks) {
  YAML::Node src;
  try {
    src = YAML::Load(internal::kOpenApiSource);
  } catch (const YAML::Exception& e) {
    return Internal(std::string("openapi_source.yaml: ") + e.what());
  }
  ojson s = FromYaml(src);
  ojson ops = s["operations"];
  ojson paths = ojson::object();
  for (const auto& r : internal::Routes()) {
    std::string key = std::string(r.method) + " " + r.path;
    if (!ops.contains(key)) return Internal("route " + key + " has no operation in src/api/openapi_source.yaml");
    paths[r.path][Lower(r.method)] = ops[key];
    ops.erase(key);
  }
  if (!ops.empty()) {
    return Internal("src/api/openapi_source.yaml documents " + ops.begin().key() + ", which is not a route");
  }
  ojson doc;
  for (const char* k : {"openapi", "info", "servers", "security", "tags"}) doc[k] = s[k];
  doc["paths"] = paths;
  doc["components"] = s["components"];
  doc["components"]["schemas"]["EventRequest"] = EventRequestSchemas(frameworks);
  return doc.dump(2) + "\n";
}

}  // namespace continuum::api

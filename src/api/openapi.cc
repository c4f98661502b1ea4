// The OpenAPI document, generated from the route table, the operations
// written in openapi_source.yaml, and the frameworks' event declarations.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <regex>
#include <string>
#include <vector>

#include "api/api_internal.h"
#include "pathway/engine.h"

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

std::string Join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string out;
  for (const auto& x : v) out += (out.empty() ? "" : sep) + x;
  return out;
}

std::string Code(const std::string& s) { return "`" + s + "`"; }

std::vector<std::string> Codes(const std::vector<std::string>& v) {
  std::vector<std::string> out;
  for (const auto& x : v) out.push_back(Code(x));
  return out;
}

// The JSON schema of one declared field's value, as the engine checks it
// (pathway/engine.cc, CheckShape and CheckReferences).
ojson FieldSchema(const framework::Framework& fw, const framework::FieldSpec& f, bool confidential) {
  using framework::FieldType;
  const ojson id = {{"type", "string"}, {"minLength", 1}, {"maxLength", 128}};
  auto ids = [&](const char* what) {
    return ojson{{"type", "array"},     {"minItems", 1}, {"maxItems", 200},
                 {"uniqueItems", true}, {"items", id},   {"description", what}};
  };
  auto with = [](ojson s, const char* description) {
    s["description"] = description;
    return s;
  };
  ojson s;
  switch (f.type) {
    case FieldType::kText:
      s = {{"type", "string"}, {"minLength", 1}, {"maxLength", 20000}, {"description", "text, not blank"}};
      break;
    case FieldType::kId:
      s = id;
      break;
    case FieldType::kUser:
      s = with(id, "the id of an active user");
      break;
    case FieldType::kAgency:
      s = with(id, "the id of an agency");
      break;
    case FieldType::kPerson:
      s = with(id, "the person_id of someone in the child's household");
      break;
    case FieldType::kDate:
      s = {{"type", "string"}, {"format", "date"}};
      break;
    case FieldType::kDateTime:
      s = {{"type", "string"}, {"format", "date-time"}};
      break;
    case FieldType::kBool:
      s = {{"type", "boolean"}};
      break;
    case FieldType::kInt:
      s = {{"type", "integer"}, {"minimum", -1000000}, {"maximum", 1000000}};
      break;
    case FieldType::kLevel:
      s = {{"type", "integer"},
           {"minimum", 1},
           {"maximum", fw.max_level()},
           {"description", "a level of need"}};
      break;
    case FieldType::kList:
      s = {{"type", "array"},
           {"maxItems", 200},
           {"items", {{"type", "string"}, {"minLength", 1}, {"maxLength", 20000}}}};
      break;
    case FieldType::kUsers:
      s = ids("ids of active users");
      break;
    case FieldType::kAgencies:
      s = ids("ids of agencies, or [\"all\"]");
      break;
    case FieldType::kPeople:
      s = ids("person_ids from the child's household");
      break;
    case FieldType::kFacts: {
      ojson facts = ojson::array();
      for (const auto& it : fw.items)
        if (it.kind == framework::ItemKind::kFact) facts.push_back(it.id);
      ojson item = {{"type", "string"}};
      if (!facts.empty()) item["enum"] = facts;
      s = {{"type", "array"},
           {"maxItems", facts.empty() ? 0 : 200},
           {"items", item},
           {"description", "statutory facts of the framework"}};
      break;
    }
    case FieldType::kEnum:
      s = {{"type", "string"}, {"enum", f.values}};
      break;
    case FieldType::kCommunication:
      s = {{"type", "array"},
           {"maxItems", 20},
           {"uniqueItems", true},
           {"items",
            {{"type", "string"},
             {"maxLength", 200},
             {"pattern", "^(bsl|easy_read|large_print|interpreter:.*[^ ].*|other:.*[^ ].*)$"}}},
           {"description", "communication needs: interpreter:LANGUAGE, bsl, easy_read, large_print or other:TEXT"}};
      break;
  }
  if (f.optional) {
    // An optional field may be left out or sent as null.
    s["type"] = ojson::array({s["type"], "null"});
    if (s.contains("enum")) s["enum"].push_back(nullptr);
  }
  std::vector<std::string> about;
  if (!f.label.empty()) about.push_back(f.label);
  if (s.contains("description")) about.push_back(s["description"].get<std::string>());
  if (confidential)
    about.push_back("confidential: withheld from readers outside social care and the recording agency");
  if (!about.empty()) s["description"] = Join(about, "; ");
  return s;
}

std::string ProvenanceText(const framework::Provenance& p) {
  return p.is_local() ? "a local default (" + p.local_default + ")" : "source: " + p.source;
}

// One line about a transition of the event: from where to where, by whom.
std::string TransitionLine(const framework::Framework* fw, const framework::Transition& t) {
  // `from_any` is every state but "none" (framework::Transition::From).
  const bool none = std::find(t.from.begin(), t.from.end(), "none") != t.from.end();
  std::vector<std::string> from = Codes(t.from);
  if (t.from_any) from = {none ? "any state" : "any state but `none`"};
  std::string to = !t.to_field.empty() ? "the state `" + t.to_field + "` chooses"
                   : !t.to.empty()     ? Code(t.to)
                                       : "the same state";
  std::string roles = !t.roles.empty()    ? Join(t.roles)
                      : fw && fw->pathway ? Join(fw->pathway->roles)
                                          : "any role of the framework's pathway";
  std::string line = "transition `" + t.id + "`: from " + Join(from) + " to " + to + "; roles: " + roles;
  if (!t.by.empty()) {
    std::vector<std::string> by;
    for (auto h : t.by) by.push_back(framework::HolderName(h));
    line += "; only by the case's " + Join(by, " or ") + ", as the record stands";
  }
  if (t.entry) line += "; an entry point: any of these roles may record it for any child";
  if (t.confidential.any()) {
    std::vector<std::string> what;
    if (t.confidential.author) what.push_back("who recorded it");
    for (const auto& f : t.confidential.fields) what.push_back(Code(f));
    line += "; withheld from readers outside social care and the recording agency: " + Join(what);
  }
  line += "; " + ProvenanceText(t.provenance) + ".";
  // The conditions on the fields, as the framework words them.
  for (const auto& c : t.require) {
    line += "\n  - " + c.message + " (" + ProvenanceText(c.provenance) +
            (c.enforce ? "" : "; recorded with a warning if not met") + ")";
  }
  return line;
}

// The request recording one event: its transitions share the event's fields.
ojson EventSchema(const framework::Framework& fw, const std::string& title,
                  const std::vector<const framework::Transition*>& transitions, bool household) {
  const framework::Transition& t = *transitions.front();
  ojson props = ojson::object(), required = ojson::array();
  for (const auto& f : t.fields) {
    const auto& secret = t.confidential.fields;
    props[f.name] = FieldSchema(fw, f, std::find(secret.begin(), secret.end(), f.name) != secret.end());
    if (!f.optional) required.push_back(f.name);
  }
  ojson fields = {{"type", "object"}, {"additionalProperties", false}, {"properties", props}};
  if (!required.empty()) fields["required"] = required;
  std::string about = t.label + ".";
  if (!t.help.empty()) about += " " + t.help;
  about += "\n\n";
  for (const auto* x : transitions) about += "- " + TransitionLine(household ? nullptr : &fw, *x) + "\n";
  ojson schema = {{"title", title},
                  {"description", about},
                  {"type", "object"},
                  {"additionalProperties", false},
                  {"required", required.empty() ? ojson::array({"type"}) : ojson::array({"type", "fields"})},
                  {"properties",
                   {{"type", {{"type", "string"}, {"const", t.event}}},
                    {"fields", fields},
                    {"occurred_at", {{"$ref", "#/components/schemas/OccurredAt"}}}}}};
  return schema;
}

std::string Ref(const std::string& name) { return "#/components/schemas/" + name; }

// The request schemas of the events, added to `schemas`:
//   EventRequest                    any framework's events (anyOf)
//   EventRequest.FRAMEWORK          one framework's, told apart by `type` (oneOf)
//   EventRequest.FRAMEWORK.EVENT    one event of that framework's pathway
//   EventRequest.household.EVENT    the household's events, under every framework
void AddEventRequestSchemas(const framework::Registry& fws, ojson* schemas) {
  const framework::Framework* first = nullptr;
  for (const auto& fw : fws.all()) {
    if (fw->pathway && !first) first = fw.get();
  }
  (*schemas)["EventRequest"] = ojson::object();                // first, filled in below
  std::vector<std::pair<std::string, std::string>> household;  // event, schema name
  if (first) {
    // Household fields name no level or fact, so any framework describes them.
    for (const auto& h : pathway::HouseholdTransitions()) {
      const std::string name = "EventRequest.household." + h.event;
      (*schemas)[name] = EventSchema(*first, "household: " + h.event, {&h}, true);
      household.emplace_back(h.event, name);
    }
  }
  ojson any = ojson::array();
  for (const auto& fw : fws.all()) {
    if (!fw->pathway) continue;  // no events to record
    ojson one = ojson::array(), mapping = ojson::object();
    std::vector<std::string> seen;
    for (const auto& t : fw->pathway->transitions) {
      if (std::find(seen.begin(), seen.end(), t.event) != seen.end()) continue;
      seen.push_back(t.event);
      const std::string name = "EventRequest." + fw->id + "." + t.event;
      (*schemas)[name] = EventSchema(*fw, fw->id + ": " + t.event, fw->pathway->ForEvent(t.event), false);
      one.push_back({{"$ref", Ref(name)}});
      mapping[t.event] = Ref(name);
    }
    for (const auto& [event, name] : household) {
      one.push_back({{"$ref", Ref(name)}});
      mapping[event] = Ref(name);
    }
    const std::string name = "EventRequest." + fw->id;
    (*schemas)[name] = {{"title", fw->authority + " (" + fw->id + ")"},
                        {"description", "The events of " + fw->id + "'s pathway (" + fw->name + ", version " +
                                            fw->version + "), and the household's."},
                        {"oneOf", one},
                        {"discriminator", {{"propertyName", "type"}, {"mapping", mapping}}}};
    any.push_back({{"$ref", Ref(name)}});
  }
  (*schemas)["EventRequest"] = {
      {"description",
       "The request that records an event: its `type`, its `fields` and, optionally, when it happened. Which "
       "events a child's case accepts, and their fields, are those of the child's framework (GET "
       "/api/v1/frameworks/{framework}) and the household's; one schema per framework follows, generated "
       "from "
       "the framework files. Members other than `type`, `fields` and `occurred_at` are refused, and so are "
       "fields "
       "the event does not declare."},
      {"anyOf", any}};
  // No framework with a pathway: no event can be recorded.
  if (any.empty()) {
    (*schemas)["EventRequest"].erase("anyOf");
    (*schemas)["EventRequest"]["not"] = ojson::object();
  }
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
    if (!ops.contains(key))
      return Internal("route " + key + " has no operation in src/api/openapi_source.yaml");
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
  ojson& schemas = doc["components"]["schemas"];
  for (auto it = schemas.begin(); it != schemas.end(); ++it) {
    if (it.key() == "EventRequest" || it.key().rfind("EventRequest.", 0) == 0) {
      return Internal("src/api/openapi_source.yaml defines the schema " + it.key() +
                      ", which is generated from the framework files");
    }
  }
  AddEventRequestSchemas(frameworks, &schemas);
  return doc.dump(2) + "\n";
}

}  // namespace continuum::api

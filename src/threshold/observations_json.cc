#include "threshold/observations_json.h"

#include <simdjson.h>

#include <nlohmann/json.hpp>
#include <string>

namespace continuum::threshold {

struct ObservationParser::Impl {
  simdjson::dom::parser parser;
  std::string padded;
};

ObservationParser::ObservationParser() : impl_(std::make_unique<Impl>()) {}
ObservationParser::~ObservationParser() = default;

namespace {

// simdjson does not say where a syntax error is; nlohmann does. Only called
// on the error path.
std::string SyntaxErrorMessage(std::string_view json) {
  try {
    auto parsed = nlohmann::json::parse(json.begin(), json.end());
    (void)parsed;
  } catch (const nlohmann::json::parse_error& e) {
    std::string what = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 3: …"
    auto p = what.find("parse error");
    return "invalid JSON: " + (p == std::string::npos ? what : what.substr(p));
  } catch (const std::exception& e) {
    return std::string("invalid JSON: ") + e.what();
  }
  return "invalid JSON";
}

template <typename Sink>
Status ReadIds(simdjson::dom::element value, std::string_view field, size_t* count, Sink&& sink) {
  simdjson::dom::array arr;
  if (value.get_array().get(arr)) {
    return InvalidArgument("'" + std::string(field) + "' must be a list of ids").WithField(std::string(field));
  }
  size_t i = 0;
  for (auto e : arr) {
    std::string_view s;
    if (e.get_string().get(s)) {
      return InvalidArgument("'" + std::string(field) + "'[" + std::to_string(i) + "] must be a string id")
          .WithField(std::string(field) + "[" + std::to_string(i) + "]");
    }
    if (*count >= kMaxObservedIds) {
      return InvalidArgument("'" + std::string(field) + "' has more than " + std::to_string(kMaxObservedIds) + " ids")
          .WithField(std::string(field));
    }
    ++*count;
    CONTINUUM_RETURN_IF_ERROR(sink(s));
    ++i;
  }
  return Status::Ok();
}

// Parses the document and hands each field to `on`: on.Ids(slot, field,
// element) for the three lists, on.Age(age) for the age.
template <typename Handler>
Status ParseWith(ObservationParser::Impl& impl, std::string_view json, Handler& on) {
  if (json.size() > kMaxObservationBytes) {
    return InvalidArgument("observations are larger than 1 MiB");
  }
  simdjson::dom::element doc;
  auto& padded = impl.padded;
  padded.assign(json);
  padded.reserve(json.size() + simdjson::SIMDJSON_PADDING);
  auto err = impl.parser.parse(padded.data(), json.size(), false).get(doc);
  if (err) {
    if (err == simdjson::DEPTH_ERROR) return InvalidArgument("invalid JSON: nested too deeply");
    return InvalidArgument(SyntaxErrorMessage(json));
  }
  simdjson::dom::object obj;
  if (doc.get_object().get(obj)) {
    return InvalidArgument("observations must be a JSON object like {\"indicators\": [...], \"age\": 9}");
  }
  bool seen[4] = {false, false, false, false};
  for (auto field : obj) {
    std::string_view key = field.key;
    int slot = key == "indicators" ? 0 : key == "strengths" ? 1 : key == "facts" ? 2 : key == "age" ? 3 : -1;
    if (slot < 0) {
      return InvalidArgument("unknown field '" + std::string(key) + "'; expected indicators, strengths, facts, age")
          .WithField(std::string(key));
    }
    if (seen[slot]) return InvalidArgument("field '" + std::string(key) + "' is given twice").WithField(std::string(key));
    seen[slot] = true;
    if (slot < 3) {
      CONTINUUM_RETURN_IF_ERROR(on.Ids(slot, key, field.value));
      continue;
    }
    if (field.value.is_null()) continue;
    int64_t age = 0;
    if (field.value.get_int64().get(age)) {
      return InvalidArgument("'age' must be a whole number of years").WithField("age");
    }
    if (age < 0 || age > kMaxAge) {
      return InvalidArgument("'age' must be from 0 to " + std::to_string(kMaxAge) + ", not " + std::to_string(age))
          .WithField("age");
    }
    on.Age(static_cast<int>(age));
  }
  return Status::Ok();
}

}  // namespace

Result<Observations> ObservationParser::Parse(std::string_view json) {
  struct Collect {
    Observations obs;
    Status Ids(int slot, std::string_view key, simdjson::dom::element v) {
      auto* list = slot == 0 ? &obs.indicators : slot == 1 ? &obs.strengths : &obs.facts;
      size_t count = 0;
      return ReadIds(v, key, &count, [&](std::string_view id) {
        list->emplace_back(id);
        return Status::Ok();
      });
    }
    void Age(int a) { obs.age = a; }
  } on;
  CONTINUUM_RETURN_IF_ERROR(ParseWith(*impl_, json, on));
  return std::move(on.obs);
}

Result<Resolved> ObservationParser::ParseResolved(std::string_view json, const framework::Framework& fw) {
  struct Collect {
    const framework::Framework& fw;
    Resolved r;
    Status Ids(int slot, std::string_view key, simdjson::dom::element v) {
      auto* list = slot == 0 ? &r.indicators : slot == 1 ? &r.strengths : &r.facts;
      auto kind = slot == 0 ? framework::ItemKind::kIndicator
                            : slot == 1 ? framework::ItemKind::kStrength : framework::ItemKind::kFact;
      size_t count = 0;
      return ReadIds(v, key, &count, [&](std::string_view id) { return AddObserved(fw, id, kind, list); });
    }
    void Age(int a) { r.age = a; }
  } on{fw, {}};
  CONTINUUM_RETURN_IF_ERROR(ParseWith(*impl_, json, on));
  return std::move(on.r);
}

}  // namespace continuum::threshold

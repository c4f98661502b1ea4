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

Status ReadIds(simdjson::dom::element value, std::string_view field, std::vector<std::string>* out) {
  simdjson::dom::array arr;
  if (value.get_array().get(arr)) {
    return InvalidArgument("'" + std::string(field) + "' must be a list of ids");
  }
  size_t i = 0;
  for (auto e : arr) {
    std::string_view s;
    if (e.get_string().get(s)) {
      return InvalidArgument("'" + std::string(field) + "'[" + std::to_string(i) + "] must be a string id");
    }
    if (out->size() >= kMaxObservedIds) {
      return InvalidArgument("'" + std::string(field) + "' has more than " + std::to_string(kMaxObservedIds) + " ids");
    }
    out->emplace_back(s);
    ++i;
  }
  return Status::Ok();
}

}  // namespace

Result<Observations> ObservationParser::Parse(std::string_view json) {
  if (json.size() > kMaxObservationBytes) {
    return InvalidArgument("observations are larger than 1 MiB");
  }
  simdjson::dom::element doc;
  auto& padded = impl_->padded;
  padded.assign(json);
  padded.reserve(json.size() + simdjson::SIMDJSON_PADDING);
  auto err = impl_->parser.parse(padded.data(), json.size(), false).get(doc);
  if (err) {
    if (err == simdjson::DEPTH_ERROR) return InvalidArgument("invalid JSON: nested too deeply");
    return InvalidArgument(SyntaxErrorMessage(json));
  }
  simdjson::dom::object obj;
  if (doc.get_object().get(obj)) {
    return InvalidArgument("observations must be a JSON object like {\"indicators\": [...], \"age\": 9}");
  }
  Observations obs;
  bool seen[4] = {false, false, false, false};
  for (auto field : obj) {
    std::string_view key = field.key;
    int slot = key == "indicators" ? 0 : key == "strengths" ? 1 : key == "facts" ? 2 : key == "age" ? 3 : -1;
    if (slot < 0) {
      return InvalidArgument("unknown field '" + std::string(key) +
                             "'; expected indicators, strengths, facts, age");
    }
    if (seen[slot]) return InvalidArgument("field '" + std::string(key) + "' is given twice");
    seen[slot] = true;
    switch (slot) {
      case 0: CONTINUUM_RETURN_IF_ERROR(ReadIds(field.value, key, &obs.indicators)); break;
      case 1: CONTINUUM_RETURN_IF_ERROR(ReadIds(field.value, key, &obs.strengths)); break;
      case 2: CONTINUUM_RETURN_IF_ERROR(ReadIds(field.value, key, &obs.facts)); break;
      case 3: {
        if (field.value.is_null()) break;
        int64_t age = 0;
        if (field.value.get_int64().get(age)) {
          return InvalidArgument("'age' must be a whole number of years");
        }
        if (age < 0 || age > kMaxAge) {
          return InvalidArgument("'age' must be from 0 to " + std::to_string(kMaxAge) + ", not " + std::to_string(age));
        }
        obs.age = static_cast<int>(age);
        break;
      }
    }
  }
  return obs;
}

}  // namespace continuum::threshold

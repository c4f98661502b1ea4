#include "framework/yaml_reader.h"

#include <climits>
#include <exception>
#include <string>

namespace continuum::framework::internal {

void Diagnostics::Error(const YAML::Mark& mark, std::string_view message) {
  std::string line = file_;
  // yaml-cpp marks are 0-based; a null mark (-1) means "somewhere in the file".
  int l = mark.line >= 0 ? mark.line + 1 : 1;
  int c = mark.column >= 0 ? mark.column + 1 : 1;
  line += ":" + std::to_string(l) + ":" + std::to_string(c) + ": ";
  line += message;
  lines_.push_back(std::move(line));
}

std::string Diagnostics::Joined() const {
  std::string out;
  for (const auto& l : lines_) {
    if (!out.empty()) out += '\n';
    out += l;
  }
  return out;
}

bool ScalarString(const YAML::Node& n, std::string* out) {
  if (!n.IsScalar()) return false;
  *out = n.Scalar();
  return true;
}

bool ScalarInt(const YAML::Node& n, int* out) {
  if (!n.IsScalar()) return false;
  const std::string& s = n.Scalar();
  if (s.empty() || s.size() > 10) return false;
  size_t i = s[0] == '-' ? 1 : 0;
  if (i == s.size()) return false;
  long long v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  if (s[0] == '-') v = -v;
  if (v < INT_MIN || v > INT_MAX) return false;
  *out = static_cast<int>(v);
  return true;
}

std::optional<YAML::Node> ParseYaml(Diagnostics& d, std::string_view text) {
  try {
    return YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    d.Error(e.mark, "YAML syntax error: " + e.msg);
  } catch (const std::exception& e) {
    d.Error(YAML::Mark::null_mark(), std::string("could not read YAML: ") + e.what());
  }
  return std::nullopt;
}

MapReader::MapReader(Diagnostics& d, const YAML::Node& node, std::string where)
    : d_(d), node_(node), where_(std::move(where)) {
  if (!node.IsDefined() || !node.IsMap()) {
    d_.Error(node, where_ + ": expected a map of fields");
    return;
  }
  valid_ = true;
  for (auto it = node.begin(); it != node.end(); ++it) {
    std::string key;
    if (!ScalarString(it->first, &key)) {
      d_.Error(it->first, where_ + ": keys must be plain words");
      continue;
    }
    bool dup = false;
    for (const auto& [k, v] : entries_) dup = dup || k == key;
    if (dup) {
      d_.Error(it->first, where_ + ": field '" + key + "' is given twice");
      continue;
    }
    keys_.emplace_back(it->first.Mark(), key);
    entries_.emplace_back(key, it->second);
  }
  used_.assign(entries_.size(), false);
}

std::string MapReader::Field(std::string_view key) const {
  return where_ + ": field '" + std::string(key) + "'";
}

void MapReader::Error(const YAML::Node& at, std::string_view message) {
  d_.Error(at.IsDefined() ? at.Mark() : node_.Mark(), message);
}

YAML::Node MapReader::Get(std::string_view key) {
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].first == key) {
      used_[i] = true;
      return entries_[i].second;
    }
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

bool MapReader::Has(std::string_view key) {
  for (const auto& [k, v] : entries_) {
    if (k == key) return true;
  }
  return false;
}

bool MapReader::String(std::string_view key, std::string* out, bool required) {
  if (!valid_) return false;
  YAML::Node n = Get(key);
  if (!n.IsDefined()) {
    if (required) d_.Error(node_, where_ + ": missing required field '" + std::string(key) + "'");
    return !required;
  }
  std::string s;
  if (n.IsNull() || !ScalarString(n, &s)) {
    d_.Error(n, Field(key) + " must be a string");
    return false;
  }
  if (required && s.empty()) {
    d_.Error(n, Field(key) + " must not be empty");
    return false;
  }
  *out = std::move(s);
  return true;
}

bool MapReader::OptionalString(std::string_view key, std::optional<std::string>* out) {
  if (!valid_) return false;
  YAML::Node n = Get(key);
  if (!n.IsDefined() || n.IsNull()) {
    out->reset();
    return true;
  }
  std::string s;
  if (!ScalarString(n, &s) || s.empty()) {
    d_.Error(n, Field(key) + " must be a non-empty string or null");
    return false;
  }
  *out = std::move(s);
  return true;
}

bool MapReader::Int(std::string_view key, int* out, bool required, int min, int max) {
  if (!valid_) return false;
  YAML::Node n = Get(key);
  if (!n.IsDefined()) {
    if (required) d_.Error(node_, where_ + ": missing required field '" + std::string(key) + "'");
    return !required;
  }
  int v = 0;
  if (!ScalarInt(n, &v)) {
    d_.Error(n, Field(key) + " must be a whole number");
    return false;
  }
  if (v < min || v > max) {
    d_.Error(n, Field(key) + " must be between " + std::to_string(min) + " and " +
                    std::to_string(max) + ", not " + std::to_string(v));
    return false;
  }
  *out = v;
  return true;
}

bool MapReader::OptionalInt(std::string_view key, std::optional<int>* out, int min, int max) {
  if (!valid_) return false;
  if (!Has(key)) {
    Get(key);
    out->reset();
    return true;
  }
  int v = 0;
  if (!Int(key, &v, true, min, max)) return false;
  *out = v;
  return true;
}

bool MapReader::Bool(std::string_view key, bool* out, bool required) {
  if (!valid_) return false;
  YAML::Node n = Get(key);
  if (!n.IsDefined()) {
    if (required) d_.Error(node_, where_ + ": missing required field '" + std::string(key) + "'");
    return !required;
  }
  const std::string s = n.IsScalar() ? n.Scalar() : "";
  if (s == "true") {
    *out = true;
  } else if (s == "false") {
    *out = false;
  } else {
    d_.Error(n, Field(key) + " must be true or false");
    return false;
  }
  return true;
}

YAML::Node MapReader::List(std::string_view key, bool required) {
  if (!valid_) return YAML::Node(YAML::NodeType::Undefined);
  YAML::Node n = Get(key);
  if (!n.IsDefined()) {
    if (required) d_.Error(node_, where_ + ": missing required field '" + std::string(key) + "'");
    return n;
  }
  if (!n.IsSequence()) {
    d_.Error(n, Field(key) + " must be a list");
    return YAML::Node(YAML::NodeType::Undefined);
  }
  return n;
}

bool MapReader::StringList(std::string_view key, std::vector<std::string>* out, bool required,
                           bool allow_empty) {
  YAML::Node n = List(key, required);
  if (!n.IsDefined()) return !required && !Has(key);
  std::vector<std::string> v;
  bool ok = true;
  for (const auto& e : n) {
    std::string s;
    if (!ScalarString(e, &s) || s.empty()) {
      d_.Error(e, Field(key) + ": every entry must be a non-empty string");
      ok = false;
      continue;
    }
    v.push_back(std::move(s));
  }
  if (ok && v.empty() && !allow_empty) {
    d_.Error(n, Field(key) + " must not be empty");
    return false;
  }
  if (ok) *out = std::move(v);
  return ok;
}

bool MapReader::IntList(std::string_view key, std::vector<int>* out, bool required, int min,
                        int max) {
  YAML::Node n = List(key, required);
  if (!n.IsDefined()) return !required && !Has(key);
  std::vector<int> v;
  bool ok = true;
  for (const auto& e : n) {
    int x = 0;
    if (!ScalarInt(e, &x) || x < min || x > max) {
      d_.Error(e, Field(key) + ": every entry must be a whole number from " +
                      std::to_string(min) + " to " + std::to_string(max));
      ok = false;
      continue;
    }
    v.push_back(x);
  }
  if (ok) *out = std::move(v);
  return ok;
}

void MapReader::Finish() {
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (!used_[i]) {
      d_.Error(keys_[i].first, where_ + ": unknown field '" + keys_[i].second + "'");
    }
  }
}

}  // namespace continuum::framework::internal

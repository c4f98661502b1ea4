// Strict reading of YAML maps with located diagnostics. Private to framework/.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace continuum::framework::internal {

// Collects "file:line:column: message" diagnostics.
class Diagnostics {
 public:
  explicit Diagnostics(std::string file) : file_(std::move(file)) {}
  void Error(const YAML::Mark& mark, std::string_view message);
  void Error(const YAML::Node& node, std::string_view message) { Error(node.Mark(), message); }
  bool empty() const { return lines_.empty(); }
  size_t size() const { return lines_.size(); }
  std::string Joined() const;
  const std::string& file() const { return file_; }

 private:
  std::string file_;
  std::vector<std::string> lines_;
};

// Reads one YAML map: typed fields, required or not, and reports keys that
// were never asked for and keys given twice. `where` names the map in
// messages ("indicator 'wo.x'", "levels[2]").
class MapReader {
 public:
  MapReader(Diagnostics& d, const YAML::Node& node, std::string where);
  ~MapReader() = default;

  bool valid() const { return valid_; }
  const YAML::Node& node() const { return node_; }
  const std::string& where() const { return where_; }

  // The value node or an undefined node; marks the key as known.
  YAML::Node Get(std::string_view key);
  bool Has(std::string_view key);
  // Each returns false (and reports) when present with the wrong type, or
  // when required and missing; `out` is left untouched then.
  bool String(std::string_view key, std::string* out, bool required = true);
  bool OptionalString(std::string_view key, std::optional<std::string>* out);  // null allowed
  bool Int(std::string_view key, int* out, bool required = true, int min = INT32_MIN, int max = INT32_MAX);
  bool OptionalInt(std::string_view key, std::optional<int>* out, int min, int max);
  bool Bool(std::string_view key, bool* out, bool required = false);
  bool StringList(std::string_view key, std::vector<std::string>* out, bool required = true,
                  bool allow_empty = false);
  bool IntList(std::string_view key, std::vector<int>* out, bool required, int min, int max);
  // The list node (possibly empty) or undefined; reports a non-list.
  YAML::Node List(std::string_view key, bool required);
  // Reports every key never asked for. Call once, after reading.
  void Finish();

  void Error(const YAML::Node& at, std::string_view message);
  void ErrorHere(std::string_view message) { d_.Error(node_, message); }

 private:
  std::string Field(std::string_view key) const;

  Diagnostics& d_;
  YAML::Node node_;
  std::string where_;
  bool valid_ = false;
  std::vector<std::pair<std::string, YAML::Node>> entries_;
  std::vector<std::pair<YAML::Mark, std::string>> keys_;
  std::vector<bool> used_;
};

// Reads a scalar string (not null, not a sequence or map).
bool ScalarString(const YAML::Node& n, std::string* out);
bool ScalarInt(const YAML::Node& n, int* out);

// Parses text as YAML, reporting a syntax error with its location.
std::optional<YAML::Node> ParseYaml(Diagnostics& d, std::string_view text);

}  // namespace continuum::framework::internal

// Appending JSON text fast: used where output speed matters (batch
// assessment). Elsewhere prefer nlohmann::json.
#pragma once

#include <string>
#include <string_view>

namespace continuum {

// Appends s as a quoted JSON string, escaping as RFC 8259 requires. Invalid
// UTF-8 bytes are replaced with U+FFFD so the output is always valid JSON.
void AppendJsonString(std::string* out, std::string_view s);

}  // namespace continuum

// Reading an input file whole, with a size limit, errors as values.
#pragma once

#include <cstddef>
#include <string>

#include "core/status.h"

namespace continuum {

// The bytes of `path`, or of standard input when path is "-". Refuses a
// directory (kInvalidArgument), a file that cannot be opened (kNotFound),
// and more than `limit` bytes (kInvalidArgument, "…: larger than N KiB"),
// reading no further than the limit.
Result<std::string> ReadFileLimited(const std::string& path, size_t limit);

}  // namespace continuum

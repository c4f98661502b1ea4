#include "core/file.h"

#include <cstdio>
#include <filesystem>

namespace continuum {

Result<std::string> ReadFileLimited(const std::string& path, size_t limit) {
  const bool is_stdin = path == "-";
  const std::string name = is_stdin ? "standard input" : path;
  std::error_code ec;
  if (!is_stdin && std::filesystem::is_directory(path, ec)) {
    return InvalidArgument(name + ": is a directory, not a file");
  }
  FILE* f = is_stdin ? stdin : std::fopen(path.c_str(), "rb");
  if (!f) return NotFound(name + ": cannot open file");
  std::string text;
  char buf[65536];
  size_t n;
  Status status;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) {
    text.append(buf, n);
    if (text.size() > limit) {
      std::string size = limit >= (1u << 20) ? std::to_string(limit >> 20) + " MiB" : std::to_string(limit >> 10) + " KiB";
      status = InvalidArgument(name + ": input is larger than " + size);
      break;
    }
  }
  if (!is_stdin) std::fclose(f);
  if (!status.ok()) return status;
  return text;
}

}  // namespace continuum

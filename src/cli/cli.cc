#include "cli/cli.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>

namespace continuum::cli {

namespace fs = std::filesystem;

int ExitCode(const Status& s) {
  switch (s.code()) {
    case StatusCode::kOk: return kExitOk;
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kConflict:
    case StatusCode::kForbidden: return kExitBadInput;
    case StatusCode::kUnavailable:
    case StatusCode::kInternal: return kExitFailure;
  }
  return kExitFailure;
}

int Fail(const Status& s) {
  // A message may quote what was typed: never send its control characters
  // to the terminal raw (line breaks between lines of a message are kept).
  std::string out;
  for (unsigned char c : s.message()) {
    if ((c < 0x20 && c != '\n') || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  std::cerr << "continuum: " << out << "\n";
  return ExitCode(s);
}

std::string FrameworksDir(const Globals& g) {
  if (!g.frameworks_dir.empty()) return g.frameworks_dir;
  if (const char* env = std::getenv("CONTINUUM_FRAMEWORKS"); env && *env) return env;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (fs::path p = exe.parent_path(); !p.empty() && p != p.root_path(); p = p.parent_path()) {
      if (fs::exists(p / "frameworks" / "concepts.yaml", ec)) return (p / "frameworks").string();
      if (fs::exists(p / "share" / "continuum" / "frameworks", ec)) {
        return (p / "share" / "continuum" / "frameworks").string();
      }
    }
  }
  return "frameworks";
}

Result<framework::Registry> LoadRegistry(const Globals& g) {
  return framework::Registry::LoadDirectory(FrameworksDir(g));
}

bool IsFrameworkPath(const std::string& id_or_path) {
  return id_or_path.find('/') != std::string::npos ||
         (id_or_path.size() > 5 && id_or_path.substr(id_or_path.size() - 5) == ".yaml");
}

Result<std::shared_ptr<const framework::Framework>> ResolveFramework(const Globals& g,
                                                                    const std::string& id_or_path) {
  if (IsFrameworkPath(id_or_path)) {
    auto concepts = framework::LoadConceptsFile((fs::path(FrameworksDir(g)) / "concepts.yaml").string());
    if (!concepts.ok()) return concepts.status();
    auto fw = framework::LoadFrameworkFile(id_or_path, *concepts);
    if (!fw.ok()) return fw.status();
    return std::make_shared<const framework::Framework>(std::move(fw).value());
  }
  auto reg = LoadRegistry(g);
  if (!reg.ok()) return reg.status();
  auto fw = reg->Find(id_or_path);
  if (!fw) {
    std::string known;
    for (const auto& f : reg->all()) known += (known.empty() ? "" : ", ") + f->id;
    return NotFound("unknown framework '" + id_or_path + "'; known: " + known);
  }
  return fw;
}


}  // namespace continuum::cli

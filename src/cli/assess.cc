// continuum assess --framework ID [--json] FILE|-
// continuum assess --framework ID --batch            (JSON Lines on stdin)
// continuum assess --framework ID --compare OTHER FILE|-
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "core/file.h"
#include "cli/cli.h"
#include "core/json_text.h"
#include "threshold/mapping.h"
#include "threshold/observations_json.h"
#include "threshold/threshold.h"

namespace continuum::cli {
namespace {

using framework::Framework;

struct AssessOptions {
  std::string framework;
  std::string compare;
  std::string input = "-";
  bool json = false;
  bool batch = false;
};

// JSON Lines in, one result line out per input line, in order. A bad line
// gives {"line": N, "error": "..."} and the run goes on.
int RunBatch(const Framework& fw) {
  threshold::ObservationParser parser;
  threshold::JsonRenderer renderer(fw);
  std::string out;
  out.reserve(1 << 21);
  std::string pending;  // bytes of an unfinished line
  std::vector<char> buf(1 << 20);
  long line_no = 0;
  long rejected = 0;
  bool skipping = false;  // inside an over-long line

  auto flush = [&](bool force) {
    if (out.size() >= (1 << 20) || (force && !out.empty())) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  };
  auto error_line = [&](long n, const std::string& message) {
    ++rejected;
    out.append("{\"line\":");
    out.append(std::to_string(n));
    out.append(",\"error\":");
    AppendJsonString(&out, message);
    out.append("}\n");
  };
  auto handle = [&](std::string_view line) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) {
      error_line(line_no, "empty line; expected a JSON object of observations");
      return;
    }
    auto obs = parser.ParseResolved(line, fw);
    if (!obs.ok()) {
      error_line(line_no, obs.status().message());
      return;
    }
    renderer.Append(threshold::Evaluate(fw, *obs), &out);
    out.push_back('\n');
  };

  ssize_t n;
  while ((n = ::read(STDIN_FILENO, buf.data(), buf.size())) != 0) {
    if (n < 0) {
      if (errno == EINTR) continue;
      flush(true);
      return Fail(Unavailable("reading standard input failed"));
    }
    std::string_view chunk(buf.data(), static_cast<size_t>(n));
    size_t start = 0;
    for (size_t nl; (nl = chunk.find('\n', start)) != std::string_view::npos; start = nl + 1) {
      if (skipping) {
        skipping = false;
        error_line(++line_no, "line is larger than 1 MiB");
        pending.clear();
      } else if (pending.empty()) {
        handle(chunk.substr(start, nl - start));
      } else {
        pending.append(chunk.substr(start, nl - start));
        handle(pending);
        pending.clear();
      }
      flush(false);
    }
    if (!skipping) {
      pending.append(chunk.substr(start));
      if (pending.size() > threshold::kMaxObservationBytes) {
        skipping = true;
        pending.clear();
      }
    }
  }
  if (skipping) {
    error_line(++line_no, "line is larger than 1 MiB");
  } else if (!pending.empty()) {
    handle(pending);  // last line without a newline
  }
  flush(true);
  std::fflush(stdout);
  if (rejected > 0) {
    std::cerr << "continuum: " << rejected << " of " << line_no << " line(s) rejected\n";
    return kExitBadInput;
  }
  return kExitOk;
}

std::string PlanText(const Framework& fw, const threshold::Suggestion& s) {
  switch (s.plan) {
    case framework::PlanType::kNone: return "none";
    case framework::PlanType::kSingleAgency: return "single-agency " + std::string(fw.Term("plan"));
    case framework::PlanType::kMultiAgency: return std::string(fw.Term("multi_agency_plan"));
    case framework::PlanType::kStatutory: return "statutory plan";
  }
  return "";
}

int RunCompare(const Framework& a, const Framework& b, const threshold::Observations& obs, bool json) {
  auto ra = threshold::Resolve(a, obs);
  if (!ra.ok()) return Fail(ra.status());
  threshold::Suggestion sa = threshold::Evaluate(a, *ra);
  threshold::Mapping m = threshold::MapObservations(a, b, *ra);
  auto sb = threshold::Evaluate(b, m.observations);
  if (!sb.ok()) return Fail(Internal("mapped observations were refused: " + sb.status().message()));

  if (json) {
    std::string ja, jb;
    threshold::AppendJson(a, sa, &ja);
    threshold::AppendJson(b, *sb, &jb);
    nlohmann::ordered_json out;
    out[a.id] = nlohmann::ordered_json::parse(ja);
    out[b.id] = nlohmann::ordered_json::parse(jb);
    auto& mapping = out["mapping"];
    mapping["mapped"] = nlohmann::ordered_json::array();
    for (const auto& p : m.mapped) {
      mapping["mapped"].push_back({{"from", p.from}, {"to", p.to}, {"shared_tags", p.shared_tags}});
    }
    auto gaps = [](const std::vector<threshold::Mapping::Gap>& list) {
      auto out = nlohmann::ordered_json::array();
      for (const auto& g : list) {
        nlohmann::ordered_json x = {{"from", g.from}, {"tags_without_counterpart", g.tags}, {"reason", g.reason}};
        x["level_kept"] = g.floor > 0 ? nlohmann::ordered_json(g.floor) : nlohmann::ordered_json();
        out.push_back(std::move(x));
      }
      return out;
    };
    mapping["unmapped"] = gaps(m.unmapped);
    mapping["partly_mapped"] = gaps(m.partly_mapped);
    out["observations"] = {{"from", a.id}, {"to", b.id},
                           {"indicators", m.observations.indicators},
                           {"strengths", m.observations.strengths},
                           {"facts", m.observations.facts}};
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }

  auto row = [](const std::string& k, const std::string& x, const std::string& y) {
    std::printf("%-20s | %-40s | %s\n", k.c_str(), x.c_str(), y.c_str());
  };
  auto lp = [](const threshold::Suggestion& s) {
    return std::string(s.lead_professional->required ? "required" : "not required") +
           (s.lead_professional->from != "any" ? " (" + s.lead_professional->from + ")" : "");
  };
  row("", a.id + " " + a.version, b.id + " " + b.version);
  row("Level", std::to_string(sa.level) + " " + a.level(sa.level).name,
      std::to_string(sb->level) + " " + b.level(sb->level).name);
  auto response = [](const threshold::Suggestion& s) {
    return std::string(framework::ResponseCode(s.response)) + (s.response_name ? " (" + *s.response_name + ")" : "");
  };
  row("Response", response(sa), response(*sb));
  row("Assessment", sa.assessment ? *sa.assessment : "none", sb->assessment ? *sb->assessment : "none");
  row("Plan", PlanText(a, sa), PlanText(b, *sb));
  row("Lead professional", lp(sa), lp(*sb));
  row("Urgent", sa.urgent ? "yes" : "no", sb->urgent ? "yes" : "no");
  std::printf("\nHow the observations map from %s to %s:\n", a.id.c_str(), b.id.c_str());
  for (const auto& p : m.mapped) {
    std::string tags;
    for (const auto& t : p.shared_tags) tags += (tags.empty() ? "" : ", ") + t;
    std::printf("  %s -> %s  (%s)\n", p.from.c_str(), p.to.c_str(), tags.c_str());
  }
  auto kept = [&](const threshold::Mapping::Gap& g) {
    return g.floor > 0 ? "; level " + std::to_string(g.floor) + " is kept as a floor under " + b.id : std::string();
  };
  for (const auto& p : m.partly_mapped) {
    std::string tags;
    for (const auto& t : p.tags) tags += (tags.empty() ? "" : ", ") + t;
    std::printf("  %s: no counterpart for %s (%s%s)\n", p.from.c_str(), tags.c_str(), p.reason.c_str(),
                kept(p).c_str());
  }
  if (m.unmapped.empty()) {
    std::printf("  every observation has a counterpart\n");
  } else {
    std::printf("\nNo counterpart in %s of comparable severity (check these by hand):\n", b.id.c_str());
    for (const auto& u : m.unmapped) {
      int i = a.FindItem(u.from);
      std::printf("  %s — %s: %s%s\n", u.from.c_str(), i >= 0 ? a.items[i].label.c_str() : "", u.reason.c_str(),
                  kept(u).c_str());
    }
  }
  std::printf("\n=== Under %s ===\n%s\n=== Under %s ===\n%s", a.id.c_str(),
              threshold::ToText(a, sa).c_str(), b.id.c_str(), threshold::ToText(b, *sb).c_str());
  return kExitOk;
}

int Run(const Globals& g, const AssessOptions& o) {
  auto fw = ResolveFramework(g, o.framework);
  if (!fw.ok()) return Fail(fw.status());
  if (o.batch) {
    if (!o.compare.empty()) return Fail(InvalidArgument("--batch cannot be combined with --compare"));
    if (o.input != "-") return Fail(InvalidArgument("--batch reads standard input; do not name a file"));
    return RunBatch(**fw);
  }
  auto text = ReadFileLimited(o.input, threshold::kMaxObservationBytes);
  if (!text.ok()) return Fail(text.status());
  threshold::ObservationParser parser;
  auto obs = parser.Parse(*text);
  if (!obs.ok()) {
    return Fail(InvalidArgument((o.input == "-" ? std::string("standard input") : o.input) + ": " +
                                obs.status().message()));
  }
  if (!o.compare.empty()) {
    auto other = ResolveFramework(g, o.compare);
    if (!other.ok()) return Fail(other.status());
    return RunCompare(**fw, **other, *obs, o.json);
  }
  auto s = threshold::Evaluate(**fw, *obs);
  if (!s.ok()) return Fail(s.status());
  if (o.json) {
    std::string out;
    threshold::AppendJson(**fw, *s, &out);
    std::cout << nlohmann::ordered_json::parse(out).dump(2) << "\n";
  } else {
    std::cout << threshold::ToText(**fw, *s);
  }
  return kExitOk;
}

}  // namespace

void AddAssessCommand(CLI::App& app, Globals& g) {
  auto o = std::make_shared<AssessOptions>();
  auto* cmd = app.add_subcommand(
      "assess",
      "Suggest a level of need for observations, with the reasons and the document's sections.\n"
      "Input: {\"indicators\": [...], \"strengths\": [...], \"facts\": [...], \"age\": n}");
  cmd->add_option("--framework", o->framework, "Framework id, or a path to a framework file")->required();
  cmd->add_flag("--json", o->json, "Print the suggestion as JSON");
  cmd->add_flag("--batch", o->batch, "Read JSON Lines on stdin; write one JSON result per line, in order");
  cmd->add_option("--compare", o->compare,
                  "Also read the observations under another framework, mapped by concept tags, side by side");
  cmd->add_option("FILE", o->input, "Observations as JSON, or - for standard input (the default)");
  cmd->callback([&g, o] { g.exit_code = Run(g, *o); });
}

}  // namespace continuum::cli

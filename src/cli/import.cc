// continuum import children.csv --framework ID [--all-or-nothing]
//
// Registers children from a CSV file with a header row. Columns (any order):
// display_name, date_of_birth (required), nhs_number, upn, local_id, sex,
// ethnicity, child_id. Bad rows are reported by line number with the reason;
// the rest are kept, or nothing is written with --all-or-nothing.
#include <csv.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/case_support.h"

namespace continuum::cli {
namespace {

struct Record {
  long line = 0;  // physical line where the record starts
  std::vector<std::string> fields;
};

// Reads every record with libcsv, remembering the line each starts on.
Result<std::vector<Record>> ReadCsv(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return NotFound(path + ": cannot open file");
  struct csv_parser p;
  if (csv_init(&p, CSV_STRICT | CSV_APPEND_NULL | CSV_STRICT_FINI) != 0) {
    std::fclose(f);
    return Internal("csv_init failed");
  }
  struct State {
    std::vector<Record> records;
    Record current;
    long line = 1;
    long record_start = 1;
    bool in_record = false;
  } st;
  auto on_field = [](void* s, size_t n, void* data) {
    auto* state = static_cast<State*>(data);
    if (!state->in_record) {
      state->in_record = true;
      state->current.line = state->record_start;
    }
    state->current.fields.emplace_back(static_cast<const char*>(s), n);
  };
  auto on_row = [](int, void* data) {
    auto* state = static_cast<State*>(data);
    state->records.push_back(std::move(state->current));
    state->current = Record{};
    state->in_record = false;
  };
  char* line = nullptr;
  size_t cap = 0;
  ssize_t n;
  size_t total = 0;
  Status status;
  while ((n = getline(&line, &cap, f)) > 0) {
    total += static_cast<size_t>(n);
    if (total > (256u << 20)) {
      status = InvalidArgument(path + ": file is larger than 256 MiB");
      break;
    }
    if (!st.in_record) st.record_start = st.line;
    if (csv_parse(&p, line, static_cast<size_t>(n), on_field, on_row, &st) != static_cast<size_t>(n)) {
      status = InvalidArgument(path + ":" + std::to_string(st.line) + ": " + csv_strerror(csv_error(&p)));
      break;
    }
    ++st.line;
  }
  std::free(line);
  std::fclose(f);
  if (status.ok() && csv_fini(&p, on_field, on_row, &st) != 0) {
    status = InvalidArgument(path + ":" + std::to_string(st.record_start) + ": " + csv_strerror(csv_error(&p)) +
                             " (an unterminated quote?)");
  }
  csv_free(&p);
  if (!status.ok()) return status;
  return std::move(st.records);
}

void Progress(size_t done, size_t total) {
  if (!isatty(STDERR_FILENO) || total == 0) return;
  int width = 40;
  int filled = static_cast<int>(width * done / total);
  std::fprintf(stderr, "\r[%s%s] %zu/%zu", std::string(filled, '#').c_str(), std::string(width - filled, ' ').c_str(),
               done, total);
  if (done == total) std::fprintf(stderr, "\n");
}

struct ImportOptions {
  std::string file, framework, at, as;
  bool all_or_nothing = false;
};

int Run(const Globals& g, const ImportOptions& o) {
  auto records = ReadCsv(o.file);
  if (!records.ok()) return Fail(records.status());
  if (records->empty()) return Fail(InvalidArgument(o.file + ": empty file; expected a header row"));

  static const std::vector<std::string> kColumns = {"child_id", "display_name", "date_of_birth", "nhs_number",
                                                    "upn",      "local_id",     "sex",           "ethnicity"};
  const auto& header = records->front().fields;
  std::vector<int> column(header.size(), -1);
  for (size_t i = 0; i < header.size(); ++i) {
    auto it = std::find(kColumns.begin(), kColumns.end(), header[i]);
    if (it == kColumns.end()) {
      return Fail(InvalidArgument(o.file + ":" + std::to_string(records->front().line) + ": unknown column '" +
                                  Safe(header[i]) + "'; the columns are: child_id, display_name, date_of_birth, "
                                  "nhs_number, upn, local_id, sex, ethnicity"));
    }
    if (std::find(column.begin(), column.end(), it - kColumns.begin()) != column.end()) {
      return Fail(InvalidArgument(o.file + ": column '" + header[i] + "' appears twice"));
    }
    column[i] = static_cast<int>(it - kColumns.begin());
  }
  for (const char* req : {"display_name", "date_of_birth"}) {
    if (std::find(header.begin(), header.end(), req) == header.end()) {
      return Fail(InvalidArgument(o.file + ": missing required column '" + std::string(req) + "'"));
    }
  }

  std::vector<casework::Service::NewChild> rows;
  std::vector<std::string> problems;
  for (size_t r = 1; r < records->size(); ++r) {
    const Record& rec = (*records)[r];
    std::string where = o.file + ":" + std::to_string(rec.line);
    if (rec.fields.size() == 1 && rec.fields[0].empty()) continue;  // blank line
    if (rec.fields.size() != header.size()) {
      problems.push_back(where + ": expected " + std::to_string(header.size()) + " columns, found " +
                         std::to_string(rec.fields.size()));
      continue;
    }
    casework::Service::NewChild child;
    child.where = where;
    child.fields = nlohmann::json::object();
    for (size_t i = 0; i < header.size(); ++i) {
      if (rec.fields[i].empty()) continue;
      if (kColumns[column[i]] == "child_id") {
        child.id = rec.fields[i];
      } else {
        child.fields[kColumns[column[i]]] = rec.fields[i];
      }
    }
    rows.push_back(std::move(child));
  }
  if (!problems.empty() && o.all_or_nothing) {
    for (const auto& p : problems) std::cerr << Safe(p) << "\n";
    std::cerr << "continuum: " << problems.size() << " bad row(s); nothing imported (--all-or-nothing)\n";
    return kExitBadInput;
  }
  auto s = OpenAs(g, o.as, "import");
  if (!s.ok()) return Fail(s.status());
  auto out = s->service->RegisterMany(s->caller, o.framework, rows, o.at, o.all_or_nothing, s->now, Progress);
  if (!out.ok()) return Fail(out.status());
  problems.insert(problems.end(), out->problems.begin(), out->problems.end());
  for (const auto& p : problems) std::cerr << Safe(p) << "\n";
  if (!problems.empty() && o.all_or_nothing) {
    std::cerr << "continuum: " << problems.size() << " bad row(s); nothing imported (--all-or-nothing)\n";
    return kExitBadInput;
  }
  std::cout << "imported " << out->written << " of " << (records->size() - 1) << " row(s)";
  if (!problems.empty()) std::cout << "; " << problems.size() << " rejected (see above)";
  std::cout << "\n";
  return problems.empty() ? kExitOk : kExitBadInput;
}

}  // namespace

void AddImportCommand(CLI::App& app, Globals& g) {
  auto o = std::make_shared<ImportOptions>();
  auto* cmd = app.add_subcommand("import", "Register children from a CSV file (header row; bad rows reported by line)");
  cmd->add_option("--db", g.db, "Database URL");
  cmd->add_option("FILE", o->file, "CSV: display_name, date_of_birth, and optionally child_id, nhs_number, upn, local_id, sex, ethnicity")
      ->required();
  cmd->add_option("--framework", o->framework, "Framework the children's cases are worked under")->required();
  cmd->add_flag("--all-or-nothing", o->all_or_nothing, "Write nothing if any row is bad");
  cmd->add_option("--at", o->at, "When the records were received (default now)");
  AddAsOption(cmd, &o->as);
  cmd->callback([&g, o] { g.exit_code = Run(g, *o); });
}

}  // namespace continuum::cli

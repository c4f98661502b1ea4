// Plumbing shared by the case-record subcommands: opening the database,
// the bank-holiday calendar, the acting practitioner, and the clock.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "core/calendar.h"
#include "pathway/pathway.h"
#include "store/store.h"

namespace continuum::cli {

// --db, else $CONTINUUM_DB, else "continuum.db" in the current directory.
std::string DatabaseUrl(const Globals& g);
Result<std::unique_ptr<store::Store>> OpenStore(const Globals& g);
// data/bank-holidays.yaml found beside the frameworks (or $CONTINUUM_DATA).
Result<HolidayCalendar> LoadCalendar(const Globals& g);

// The acting practitioner: --as, --agency, --role (or $CONTINUUM_USER,
// $CONTINUUM_AGENCY, $CONTINUUM_ROLE).
struct ActorFlags {
  std::string user, agency, role;
};
void AddActorOptions(CLI::App* cmd, ActorFlags* flags);
Result<pathway::Actor> ResolveActor(const ActorFlags& flags, bool role_required);

// Now, in UTC, as "YYYY-MM-DDTHH:MM:SSZ" ($CONTINUUM_NOW overrides, for demos and tests).
std::string NowUtc();
// An --at value or now; refuses a time in the future.
Result<std::string> OccurredAt(const std::string& at);

// The framework a registered child's case is worked under.
Result<std::shared_ptr<const framework::Framework>> CaseFramework(const Globals& g, store::Store& s,
                                                                  const std::string& child_id);

// A new id with a prefix: "c-" + 12 random hex digits.
std::string NewId(const char* prefix);

// Reads a JSON object of fields from a file or "-" (at most 1 MiB).
Result<nlohmann::json> ReadFields(const std::string& path);
// The value of a row's column, "" for null or absent.
std::string Col(const store::Row& r, const std::string& name);
// Appends one prepared event through the pathway projector and prints what
// it did (state change, deadlines started); returns the exit code.
int AppendAndReport(store::Store& s, const store::Event& e);

struct CaseOptions {
  std::string framework, child, event, input = "-", at, event_id, reason;
  std::vector<std::string> agencies, types;
  std::string from, to;
  int significance = 0;
  bool json = false;
  ActorFlags actor;
};

void AddCaseCreateCommand(CLI::App* cases, Globals& g);
void AddCaseRecordCommand(CLI::App* cases, Globals& g);
void AddCaseCorrectCommand(CLI::App* cases, Globals& g);
void AddCaseShowCommand(CLI::App* cases, Globals& g);
void AddCaseChronologyCommand(CLI::App* cases, Globals& g);
void AddCaseNextCommand(CLI::App* cases, Globals& g);

void AddInitCommand(CLI::App& app, Globals& g);
void AddCaseCommands(CLI::App& app, Globals& g);
void AddDueCommand(CLI::App& app, Globals& g);
void AddVerifyCommand(CLI::App& app, Globals& g);
void AddImportCommand(CLI::App& app, Globals& g);
void AddDemoCommand(CLI::App& app, Globals& g);
void AddServeCommand(CLI::App& app, Globals& g);
void AddAccountCommands(CLI::App& app, Globals& g);

}  // namespace continuum::cli

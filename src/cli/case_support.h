// Plumbing shared by the subcommands that work with children's records: the
// database, the case service, who is acting, and the clock. Every read and
// write goes through the case service (case/service.h), as the named user
// given by --as (or $CONTINUUM_USER): their role, agency and team come from
// their account, never from flags. Administration (init, accounts) runs as
// the host operator and is audited as such.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "case/service.h"
#include "cli/cli.h"
#include "core/calendar.h"
#include "store/store.h"

namespace continuum::cli {

// --db, else $CONTINUUM_DB, else "continuum.db" in the current directory.
std::string DatabaseUrl(const Globals& g);
Result<std::unique_ptr<store::Store>> OpenStore(const Globals& g);
// data/bank-holidays.yaml found beside the frameworks (or $CONTINUUM_DATA).
Result<HolidayCalendar> LoadCalendar(const Globals& g);

// Now, in UTC ($CONTINUUM_NOW overrides, for demos and tests).
std::string NowUtc();
Result<Timestamp> Now();

// The database, the service over it, and the caller.
struct Session {
  std::unique_ptr<store::Store> store;
  std::unique_ptr<casework::Service> service;
  casework::Caller caller;
  Timestamp now;
};
// As the named user (`as`, else $CONTINUUM_USER); `operation` names the
// command in the audit trail ("case show").
void AddAsOption(CLI::App* cmd, std::string* as);
Result<Session> OpenAs(const Globals& g, const std::string& as, const std::string& operation);
// As the host's operator: administration only.
Result<Session> OpenAsOperator(const Globals& g, const std::string& operation);

// Reads a JSON object from a file or "-" (at most 1 MiB).
Result<nlohmann::json> ReadFields(const std::string& path);
// Text for a terminal: control characters shown as \xNN, never sent raw.
std::string Safe(std::string_view s);
// A JSON value as one line of text for a terminal.
std::string SafeValue(const nlohmann::ordered_json& v);
// Prints JSON (control characters are escaped by the JSON writer).
void PrintJson(const nlohmann::ordered_json& j);

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

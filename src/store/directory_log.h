// Private to src/store: the directory in the log. Beside every change to an
// agency, team, user, break-glass grant or alert, sql_directory.cc appends a
// directory.* event in the same transaction (RecordChange); Verify replays
// those events (DirectoryReplay) and compares the result with the tables;
// schema migration 3 adopts the rows a database already held (AdoptDirectory).
//
// An event's type is directory.<noun>.<change> — noun agency, team, user,
// break_glass or alert; change created, updated, granted, raised,
// acknowledged or adopted — and its payload {"record": {…}}, plus
// "changed": [field, …] for an update: the record as the table holds it after
// the change, one member per column in schema order (null where the column is
// null), except that users.password_hash and users.totp_secret appear only as
// password_hash_blake2b and totp_secret_blake2b (BLAKE2b-256 of the stored
// text, 64 hex; "" when the text is empty), and users.totp_last_step not at
// all: it moves at every login with a code (ClaimTotpStep), outside the log.
// The event's child_id is the grant's or alert's child, else "-"; its author
// is who the record says acted (the grant's user, who raised or acknowledged
// an alert), else "-".
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/sql.h"
#include "store/store.h"

namespace continuum::store::internal {

enum class DirectoryKind { kAgency, kTeam, kUser, kBreakGlass, kAlert };

using DirectoryRecord = nlohmann::ordered_json;

// The record of one row as the log carries it, or nullopt if there is no such
// row. `key` is the row's id (decimal for an alert).
Result<std::optional<DirectoryRecord>> ReadDirectoryRecord(SqlConnection& c, DirectoryKind kind,
                                                           const std::string& key);

// After a change to the row with `key` in the transaction on `c`: reads the
// row back and adds the event that records the change to `events` (nothing
// if the record is the same as `before`, the row as read before the change).
Status RecordDirectoryChange(SqlConnection& c, DirectoryKind kind, const std::string& key,
                             const std::optional<DirectoryRecord>& before, std::vector<Event>* events);

// The directory as the log says it is.
class DirectoryReplay {
 public:
  static bool IsDirectoryEvent(const Event& e);
  // A directory.* event; an unknown noun or a record without the table's
  // fields is kInvalidArgument.
  Status Apply(const Event& e);
  // Reads the five tables on `c` and calls `difference` for each row that is
  // missing, extra, or differs in a field from the replay.
  Status Compare(SqlConnection& c, const std::function<void(std::string)>& difference) const;

 private:
  std::map<DirectoryKind, std::map<std::string, DirectoryRecord>> records_;
};

// Appends a directory.<noun>.adopted event for every row of the five tables,
// chained after the head that `read_chain_head` (a SELECT of chain_head's seq
// and hash, locking it where the backend needs to) returns, and moves the
// chain head. For schema migration 3, inside its transaction.
Status AdoptDirectory(SqlConnection& c, std::string_view read_chain_head);

// The events INSERT (sql_store.cc), deferred where the backend allows.
Status InsertEvent(SqlConnection& c, const Event& e, std::string_view context);

}  // namespace continuum::store::internal

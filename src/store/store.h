// The event log: the source of truth for every child's record.
//
//   auto store = store::Open("sqlite:///var/lib/continuum/continuum.db");   // or postgresql://…
//   if (!store.ok()) return store.status();
//   store::Event e{.child_id = "c-123", .type = "request.received", .occurred_at = "2026-11-23T09:30:00Z",
//                  .author = "u-7", .agency = "school-42", .significance = store::kSignificant,
//                  .payload = R"({"source":"school","reason":"..."})"};
//   auto appended = (*store)->Append({e}, projector);     // durable when it returns ok
//   auto events = (*store)->Chronology({.child_id = "c-123"});
//
// Every change is an event; nothing is updated or deleted in place. A
// correction is a new event whose `supersedes` names the event it corrects,
// with a `reason`. Each event carries a hash chaining it to the previous event
// in the log, so editing, deleting or reordering a stored event is detected
// by Verify(). The current-state tables (children, entities, deadlines) are
// written in the same transaction as the events, through the Projector, so
// reads stay simple and never disagree with the log.
//
// Durability: Append returns only after the transaction is durable
// (SQLite: WAL with synchronous=FULL; PostgreSQL: synchronous_commit on).
// Concurrent Append calls in one process are batched into one transaction
// (group commit) and each caller is acknowledged only when its batch is
// committed. Several processes may append to one database.
//
// Errors: kInvalidArgument for input that breaks the rules below (the message
// names the event and field, e.g. `events[1].occurred_at: …`), kConflict for a
// duplicate event id, an event that is already corrected, or a database whose
// schema is newer than this build; kUnavailable when the database cannot be
// reached or stays busy (the call may be retried); kInternal otherwise.
//
// Connections: a Store opens at most OpenOptions::pool_size connections to
// its database — one for the writer thread, the rest shared by reads and the
// directory — e.g. store::Open(url, {.pool_size = 8}). A call that finds them
// all in use waits for one (up to pool_wait), then fails with kUnavailable.
// (Options rather than a URL parameter: libpq refuses parameters it does not
// know, and a pool size is not the database's business.)
//
// Thread-safety: a Store may be shared by any number of threads.
// Event format, schema and hash: docs/event-log.md.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/directory.h"

namespace continuum::store {

// How much an event matters to the child's chronology.
enum Significance : int { kRoutine = 0, kSignificant = 1, kKey = 2 };

// Limits checked by Append (docs/event-log.md lists every rule).
inline constexpr size_t kMaxIdBytes = 128;    // child_id, author, agency, row keys
inline constexpr size_t kMaxTypeBytes = 100;  // lowercase dotted words: "plan.agreed"
inline constexpr size_t kMaxPayloadBytes = 256 * 1024;
inline constexpr size_t kMaxReasonBytes = 4096;
inline constexpr size_t kMaxEventsPerAppend = 10000;

struct Event {
  int64_t seq = 0;          // position in the log, from 1; assigned by Append
  std::string id;           // 32 hex digits (128 random bits); assigned by Append if empty
  std::string child_id;     // whose chronology this belongs to
  std::string type;         // e.g. "request.received", "plan.agreed" (docs/event-log.md)
  std::string occurred_at;  // when it happened, UTC, "YYYY-MM-DDTHH:MM:SSZ"
  std::string recorded_at;  // when it was recorded, UTC; assigned by Append
  std::string author;       // the practitioner's user id
  std::string agency;       // the author's agency id
  int significance = kRoutine;
  std::string payload;     // a JSON object
  std::string supersedes;  // id of the event this one corrects, or ""
  std::string reason;      // why, for a correction (required when supersedes is set, else "")
  std::string prev_hash;   // hash of the previous event in the log (64 hex); assigned
  std::string hash;        // this event's hash (64 hex); assigned
  // Filled when reading: the id of the event that corrects this one, or "".
  // Derived from the log, not stored in the event or hashed; leave it empty.
  std::string superseded_by;
};

// A row of a current-state table, written in the same transaction as the
// events that produced it. Tables and their columns are fixed by the schema
// (docs/event-log.md); values are text or null.
//
// An upsert sets the columns it names and keeps the others (a new row starts
// with them null); an optional column may be set to "" (blank). A removal
// uses only the key; other columns it carries are ignored. `updated_seq` is
// maintained by the store: it is the seq of the event whose projection last
// wrote the row, so a projector never names it. deadlines.status is "open",
// "done" or "cancelled"; deadlines.child_id, due_at and status are required.
// Rows read back list every column of the table in schema order, updated_seq
// as decimal text.
struct Row {
  std::string table;  // "children" | "entities" | "deadlines"
  std::vector<std::pair<std::string, std::optional<std::string>>> columns;  // key columns first
  int key_columns = 1;  // how many leading columns form the key
  bool remove = false;  // delete the row with this key instead of upserting

  // The value of a column, "" for null or absent.
  std::string Value(std::string_view column) const {
    for (const auto& [c, v] : columns)
      if (c == column) return v.value_or("");
    return "";
  }
};

// Turns events into current-state rows. Called inside the append
// transaction with the events in log order and a reader of the current state;
// must be deterministic (Verify replays the log through it).
class StateReader {
 public:
  virtual ~StateReader() = default;
  // The row of `table` with the given key, or nullopt.
  virtual Result<std::optional<Row>> Get(const std::string& table, const std::vector<std::string>& key) = 0;
};
// Called once per event, after the store has assigned its id, seq,
// recorded_at and hashes. A non-ok Status fails the whole Append call with
// that status; a bad row or an exception fails it with kInternal. It runs on
// the store's writer thread while Append waits, and must not call the Store.
using Projector = std::function<Status(const Event&, StateReader&, std::vector<Row>*)>;

// `from`, `to` and `due_before` take "YYYY-MM-DDTHH:MM:SSZ" or a date
// "YYYY-MM-DD" (meaning its midnight, UTC).
struct ChronologyQuery {
  std::string child_id;               // required
  std::vector<std::string> agencies;  // empty: all
  std::vector<std::string> types;     // empty: all; "plan.*" matches a prefix
  int min_significance = kRoutine;
  std::string from;                // occurred_at >= from (inclusive), "" for no bound
  std::string to;                  // occurred_at < to (exclusive), "" for no bound
  bool include_superseded = true;  // corrected events stay visible, marked
  size_t limit = 0;                // 0: no limit
};

// The audit trail is part of the log: events whose type starts with
// "audit." (docs/access.md), hash-chained with everything else. Chronology
// leaves them out unless `types` names them; Audit reads only them.
inline constexpr std::string_view kAuditPrefix = "audit.";

// Changes to the directory (agencies, teams, users, break-glass grants,
// alerts: directory.h) are events too, of types starting "directory.",
// appended by the store itself in the transaction that changes the row, so
// that Verify can replay the directory and the chain covers it. Append
// refuses these types from callers; the projector never sees them;
// Chronology and Audit leave them out unless `types` names them
// (docs/event-log.md, "The directory in the log").
inline constexpr std::string_view kDirectoryPrefix = "directory.";

struct AuditQuery {
  std::string user;      // author; empty: anyone
  std::string agency;    // empty: any
  std::string child_id;  // empty: any (system records use child_id "-")
  std::string from;      // recorded_at >= from, "" for no bound (time or date, as above)
  std::string to;        // recorded_at < to, "" for no bound
  std::vector<std::string> types;  // empty: every audit.* type; else exact types or "audit.x*" prefixes
  int64_t after_seq = 0;           // for paging: only records with seq > after_seq
  size_t limit = 1000;             // at most this many, in seq order; 0: no limit
};

struct DeadlineQuery {
  std::string owner, team, agency;  // empty: any
  std::string due_before;           // "YYYY-MM-DDTHH:MM:SSZ"
  bool open_only = true;
};

// A point of the chain vouched for from outside the database, e.g. a signed
// checkpoint (witness.h): the log must still hold, at `seq`, an event whose
// hash is `hash`.
struct ChainPoint {
  int64_t seq = 0;
  std::string hash;    // 64 hex
  std::string source;  // where the claim comes from, for messages ("witness.log line 3")
};

struct VerifyReport {
  int64_t events = 0;
  int64_t checkpoints = 0;  // ChainPoints checked against the log
  bool ok = true;
  std::string first_bad_event;  // id of the first event whose hash or link is wrong, or ""
  std::string problem;          // what is wrong, in words
  // Current-state and directory rows that differ from a replay of the log
  // ("children [c-1]: display_name is "A" in the table but "B" on replay",
  // "users [u-7]: role is …"), at most 100.
  std::vector<std::string> state_differences;
};

struct ConnectionStats {
  int pool_size = 0;           // the most that may be open (OpenOptions::pool_size)
  int open = 0;                // open now, the writer's included
  int most_open = 0;           // the most open at once since Open
  uint64_t waits = 0;          // calls that found every connection in use and waited
  uint64_t wait_timeouts = 0;  // of those, the ones that failed (kUnavailable)
};

class Store {
 public:
  virtual ~Store() = default;

  // Appends events (ids, seq, recorded_at and hashes assigned) and the rows
  // the projector derives from them, in one durable transaction. All or
  // nothing: on error nothing is written. Returns the stored events.
  virtual Result<std::vector<Event>> Append(std::vector<Event> events, const Projector& projector) = 0;

  // Ordered by occurred_at, then seq.
  virtual Result<std::vector<Event>> Chronology(const ChronologyQuery& q) = 0;
  virtual Result<std::optional<Event>> GetEvent(const std::string& id) = 0;
  // Current state.
  virtual Result<std::optional<Row>> GetRow(const std::string& table,
                                            const std::vector<std::string>& key) = 0;
  // Ordered by key.
  virtual Result<std::vector<Row>> ListRows(const std::string& table, const std::string& child_id) = 0;
  // Ordered by due_at, then deadline_id.
  virtual Result<std::vector<Row>> Deadlines(const DeadlineQuery& q) = 0;
  // Every entities row of one kind across all children (e.g. "case", for
  // reports), ordered by child_id.
  virtual Result<std::vector<Row>> EntitiesOfKind(const std::string& kind) = 0;
  // Audit records (events of type audit.*), in seq order.
  virtual Result<std::vector<Event>> Audit(const AuditQuery& q) = 0;
  // Children ids whose display name, NHS number or id contains `text`
  // (case-insensitive), at most `limit`, ordered by id.
  virtual Result<std::vector<Row>> SearchChildren(const std::string& text, size_t limit) = 0;

  // Accounts, sessions and the rest of the mutable directory, in the same
  // database. Lives as long as the Store.
  virtual Directory& directory() = 0;

  // Checks the hash chain over the whole log, that the current-state tables
  // equal a replay of the log through `projector`, and that the directory
  // tables equal a replay of its directory.* events. With `checkpoints`,
  // also that the log holds each one's hash at its seq and reaches the
  // highest seq among them: a log cut short or rewritten, hashes and chain
  // head included, differs from what was vouched for. A broken log or state
  // is reported in the VerifyReport; a non-ok Result means Verify could not
  // run (e.g. the database is unavailable).
  virtual Result<VerifyReport> Verify(const Projector& projector,
                                      std::span<const ChainPoint> checkpoints) = 0;
  Result<VerifyReport> Verify(const Projector& projector) { return Verify(projector, {}); }

  // The last event's seq and hash, as committed now (seq 0 and 64 zeros for
  // an empty log): what a checkpoint signs.
  virtual Result<ChainPoint> Head() = 0;

  // Called on the store's writer thread after each transaction this Store
  // commits, with the number of events it added (directory changes
  // included). It must be quick and must not call the Store. One observer at
  // a time; setting another (or an empty function) replaces it, and returns
  // once no call of the old one is in progress.
  using CommitObserver = std::function<void(size_t events)>;
  virtual void SetCommitObserver(CommitObserver observer) = 0;

  virtual int SchemaVersion() = 0;

  // The database connections, for monitoring.
  virtual ConnectionStats Connections() = 0;
};

// How Open connects. The defaults suit one `continuum serve` process; with
// PostgreSQL, the sizes of every process sharing a server must fit within its
// max_connections.
struct OpenOptions {
  // The most connections open at once (at least 2): the writer's, and up to
  // pool_size - 1 for reads and the directory (`continuum serve`'s
  // db_pool_size).
  int pool_size = 16;
  // How long a read waits for a connection when all are in use.
  std::chrono::milliseconds pool_wait{10000};
};

// "sqlite:PATH", "sqlite://PATH", a plain path (SQLite), or
// "postgresql://user@host:port/db" / "postgres://…". Creates the schema or
// migrates it to the current version. A malformed URL or options are
// kInvalidArgument; a database that cannot be reached is kUnavailable.
Result<std::unique_ptr<Store>> Open(const std::string& url, const OpenOptions& options = {});

// The hash of an event: BLAKE2b-256 (libsodium) over a canonical encoding of
// every field but `hash` and `superseded_by` (docs/event-log.md), as 64
// lowercase hex.
std::string EventHash(const Event& e);

}  // namespace continuum::store

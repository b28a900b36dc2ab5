#pragma once
// The experiment store: one SQLite file in WAL mode. Every evaluation is committed
// as it completes, so a run killed at any moment loses nothing already written.
// Tables: archgym_meta (schema_version), runs, evaluations (PRIMARY KEY run_id, idx),
// run_claims (which process is running a run; see claim_run).
// Seeds, budgets and batches are uint64 stored bit-for-bit in SQLite's int64.
// synchronous=NORMAL: a crashed or killed process loses nothing committed; a power cut
// can lose the last few commits but never corrupts the file. Measured ~8,600 single-row
// transactions per second on the development machine, far above simulator speed.
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/process_identity.h"

struct sqlite3;

namespace archgym {

// The shell command that copies what still reads of a damaged store at `path` into a new
// store NEW.db. sqlite3's .dump writes every row it can read and, after an error, ends
// with ROLLBACK, which would discard them: sed turns that into COMMIT. (.recover salvages
// more, but Debian 12's sqlite3 3.40 fails it with "SQL logic error".)
std::string store_recovery_command(const std::string& path);

struct RunRecord {
  std::int64_t id = 0;
  std::string env, env_config;      // env name, options as JSON
  std::string agent, agent_config;  // agent name, hyperparameters as JSON
  std::string objective;            // Objective::to_json()
  std::uint64_t seed = 0;
  std::uint64_t budget = 0;
  std::uint64_t batch = 0;          // ask size; fixed per run so resume and workers can't change it
  bool stop_on_target = true;
  std::string version, git_commit;
  std::string inputs;               // inputs_json() of the env's input files ("" in older stores)
  // running (also: killed, never marked) | interrupted (stopped on request; resumable)
  // | finished | target_met | failed
  std::string status;
  std::string message;              // why it failed (empty otherwise)
  std::string started_at, updated_at, finished_at;  // ISO 8601 UTC
  std::int64_t evaluations = 0;     // rows in the evaluations table
};

struct EvaluationRecord {
  std::int64_t run_id = 0;
  std::int64_t index = 0;           // 0-based position in the run's trajectory
  std::string design;               // JSON object name -> value
  std::string metrics;              // JSON object name -> value
  double reward = 0;
  bool valid = true;
  std::string invalid_reason;
  double sim_seconds = 0;
};

// The process running a run, recorded while it runs.
struct RunClaim {
  ProcessIdentity owner;
  std::string claimed_at;  // ISO 8601 UTC
};

// Store::record found the (run, index) already stored: another process is writing the
// same run (e.g. one taken over with force while it was still running).
class StoreConflict : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The store stayed locked by other processes for longer than a statement waits (10 s).
class StoreBusy : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Opening for writing found the file damaged (PRAGMA quick_check); nothing was written.
class StoreDamaged : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class StoreAccess {
  // Opens or creates the file and its tables (and brings older stores up to date). An
  // existing store is checked whole first (PRAGMA quick_check): a damaged one is refused
  // before anything is written to it.
  ReadWrite,
  // The file must be an archgym store; nothing in it is ever changed. Not checked whole (a
  // read refuses at the damaged page it reaches), so that listing a big store stays quick.
  ReadOnly,
};

class Store {
 public:
  // Throws naming the path on failure; also for a path that would not keep the runs in
  // that file ("", ":memory:", a "file:" URI).
  explicit Store(const std::string& path, StoreAccess access = StoreAccess::ReadWrite);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const std::string& path() const { return path_; }
  // Returns the new id; status "running". With `claimed_by`, the run is claimed for it
  // (claim_run) in the same transaction: no resume can take a run between its creation
  // and its first claim.
  std::int64_t create_run(const RunRecord& r, const ProcessIdentity* claimed_by = nullptr);
  // Inserts one evaluation in its own transaction. Thread-safe. Re-recording an existing
  // (run, index) throws StoreConflict.
  void record(const EvaluationRecord& e);
  // "finished", "target_met" and "failed" also set finished_at; "running" and
  // "interrupted" (the run is to be continued) clear it. Throws for an unknown run.
  void set_status(std::int64_t run_id, const std::string& status, const std::string& message = "");

  // Records that `by` is running the run, so that no second process appends to it at the
  // same time (two resumes of one run would collide). Atomic across processes. A claim
  // whose process is gone (same host, not running, or its pid now another process's) is
  // taken over; a live one, or one of another host (which cannot be checked), throws
  // naming its process unless `force`; so does a claim a hand edit left unreadable (a pid
  // that is no process id), named. Throws for an unknown run. Returns the claim it
  // replaced, if any (none for an unreadable one).
  std::optional<RunClaim> claim_run(std::int64_t run_id, const ProcessIdentity& by, bool force = false);
  // Ends `by`'s claim (no-op if it holds none).
  void release_run(std::int64_t run_id, const ProcessIdentity& by);
  std::optional<RunClaim> run_claim(std::int64_t run_id) const;
  // The run's status as a user should see it: the stored one, except that a "running" run
  // whose process is gone is "killed" (it stays "running" in the store until resumed) and
  // one claimed by a process of another host, which cannot be asked, is "running on HOST".
  std::string observed_status(const RunRecord& run) const;

  std::optional<RunRecord> run(std::int64_t run_id) const;
  // run(), or std::invalid_argument naming the store and the runs it does hold.
  RunRecord require_run(std::int64_t run_id) const;
  std::vector<RunRecord> runs() const;
  // The run's evaluations by index (run_id 0: every run's, by run). A column a hand edit
  // gave another type, or a run_id below 1 or idx below 0, throws naming the row.
  std::vector<EvaluationRecord> evaluations(std::int64_t run_id) const;
  // The same, one row at a time (a run of millions of rows is never held whole), up to the
  // row stored as `up_to_rowid` (last_evaluation_rowid: the rows stored by then). The store
  // is locked meanwhile: `visit` must not call it.
  void for_each_evaluation(std::int64_t run_id, const std::function<void(const EvaluationRecord&)>& visit,
                           std::int64_t up_to_rowid = INT64_MAX) const;
  // The run's evaluations with an index in [first, end), by index: what a resumed run
  // replays, a batch at a time.
  std::vector<EvaluationRecord> evaluations(std::int64_t run_id, std::int64_t first, std::int64_t end) const;
  // How many evaluations the run has and its lowest and highest index (-1 without rows).
  // A row with an unreadable index (a hand edit) throws naming it, as evaluations() does.
  struct EvaluationSpan {
    std::int64_t count = 0, first = -1, last = -1;
  };
  EvaluationSpan evaluation_span(std::int64_t run_id) const;
  // The SQLite rowid of the last evaluation stored (0 for none): rows are only appended, so
  // the rows up to it are the store's rows at this moment.
  std::int64_t last_evaluation_rowid() const;
  // The highest reward among the run's valid evaluations (nothing if it has none), without
  // reading its rows into memory. A row evaluations() would refuse (a hand edit: a valid,
  // idx or reward of another type, a negative valid or idx) never counts.
  std::optional<double> best_reward(std::int64_t run_id) const;

  // "wal" for a file store (what PRAGMA journal_mode reports).
  std::string journal_mode() const;

  // CSV with one row per evaluation: kEvaluationColumns (run_id, index, reward, valid,
  // reason, sim_seconds; reserved_columns.h), then one column per design parameter and
  // per metric (the union over the rows, in first-seen order; empty where a row lacks
  // it). RFC 4180 quoting. run_id 0 = all runs.
  // `columns_of`, when given, names the columns of a run whose rows cannot show them all
  // (run_id names a run with no evaluation yet, or a run's evaluations are all invalid and
  // so have no metrics): they are added after the rows' own.
  struct Columns {
    std::vector<std::string> design, metrics;
  };
  void export_csv(std::ostream& out, std::int64_t run_id = 0,
                  const std::function<Columns(std::int64_t run_id)>& columns_of = {}) const;

 private:
  void open_tables(bool read_only);  // checks (and, read-write, creates) the tables
  void refuse_if_damaged() const;  // PRAGMA quick_check; throws naming its first finding
  bool runs_has_inputs_column() const;  // stores of older builds lack it
  std::string run_columns() const;

  // The store's lock, for a method's whole body. In a process forked after the store was
  // opened it throws std::logic_error instead: SQLite connections must not cross a fork
  // (the child must open the store again), and the mutex may have been held by a thread
  // that the child does not have, so locking it would wait forever.
  std::unique_lock<std::mutex> lock() const;

  std::string path_;
  long opened_by_pid_ = 0;
  sqlite3* db_ = nullptr;
  // Written by older builds and opened read-only: without the inputs column or the
  // run_claims table (reads then see "" and no claims).
  bool has_inputs_column_ = true, has_claims_table_ = true;
  mutable std::mutex mutex_;
};

}  // namespace archgym

// The store is one SQLite file in WAL mode: readers (e.g. `archgym runs` while a run
// is going) never block the writer, and each evaluation is its own transaction, so a
// run killed at any moment (even SIGKILL) keeps every evaluation that completed before.
#include "core/store.h"

#include <sqlite3.h>

#include <algorithm>
#include <cerrno>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <stdexcept>
#include <thread>
#include <utility>

#include <unistd.h>

#include "core/sqlite_fork.h"
#include "core/sqlite_statement.h"
#include "core/text.h"

namespace archgym {

std::string store_recovery_command(const std::string& path) {
  return "sqlite3 " + path + " .dump | sed '$s/^ROLLBACK; -- due to errors$/COMMIT;/' | sqlite3 NEW.db";
}

namespace {

using sql::exec;
using sql::from_db;
using sql::hint_for;
using sql::kBusyTimeoutMs;
using sql::SqliteError;
using sql::Statement;
using sql::to_db;
using sql::UnreadableRow;

constexpr int kSchemaVersion = 1;

// `path` as the path of an SQLite URI: every byte but unreserved ones and '/' as %XX.
std::string uri_path(const std::string& path) {
  std::string out;
  for (const unsigned char c : path) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      out += hex;
    }
  }
  return out;
}

std::string now_utc() {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const std::time_t t = system_clock::to_time_t(now);
  const auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms));
  return out;
}

// Opening a store for writing that SQLite finds damaged (`finding`: its first complaint).
StoreDamaged damaged_store(const std::string& path, const std::string& finding) {
  return StoreDamaged("store " + path + " is damaged (SQLite: " + printable_line(finding, 200) +
                            "); nothing was written to it, as writing could spread the damage. Recover what is "
                            "readable into a new store (" + store_recovery_command(path) + ") or export "
                            "the runs that still read (archgym export --store " + path + " --run N --out run-N.csv)");
}

constexpr const char* kCreateTables = R"sql(
CREATE TABLE IF NOT EXISTS archgym_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  env TEXT NOT NULL, env_config TEXT NOT NULL,
  agent TEXT NOT NULL, agent_config TEXT NOT NULL,
  objective TEXT NOT NULL,
  seed INTEGER NOT NULL, budget INTEGER NOT NULL, batch INTEGER NOT NULL,
  stop_on_target INTEGER NOT NULL,
  version TEXT NOT NULL, git_commit TEXT NOT NULL,
  status TEXT NOT NULL, message TEXT NOT NULL DEFAULT '',
  started_at TEXT NOT NULL, updated_at TEXT NOT NULL, finished_at TEXT NOT NULL DEFAULT '',
  inputs TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS evaluations (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  idx INTEGER NOT NULL,
  design TEXT NOT NULL, metrics TEXT NOT NULL,
  reward REAL NOT NULL, valid INTEGER NOT NULL, invalid_reason TEXT NOT NULL,
  sim_seconds REAL NOT NULL, recorded_at TEXT NOT NULL,
  PRIMARY KEY (run_id, idx)
);
CREATE TABLE IF NOT EXISTS run_claims (
  run_id INTEGER PRIMARY KEY REFERENCES runs(id),
  host TEXT NOT NULL, pid INTEGER NOT NULL, process_start TEXT NOT NULL,
  claimed_at TEXT NOT NULL
);
)sql";

constexpr const char* kRunColumns =
    "id, env, env_config, agent, agent_config, objective, seed, budget, batch, stop_on_target, "
    "version, git_commit, status, message, started_at, updated_at, finished_at, "
    "(SELECT COUNT(*) FROM evaluations e WHERE e.run_id = runs.id), ";

RunRecord read_run(const Statement& s) {
  RunRecord r;
  // Ids start at 1 (0 means "every run" to evaluations() and export): a hand-edited 0 listed
  // the other runs' rows twice.
  r.id = s.checked_integer(0, "a run", "id", 1);
  r.env = s.text(1);
  r.env_config = s.text(2);
  r.agent = s.text(3);
  r.agent_config = s.text(4);
  r.objective = s.text(5);
  const std::string row = "run " + std::to_string(r.id);
  // All 64 bits: any stored value is a seed, and a budget may be up to 2^64 - 1 (the CLI's
  // largest), stored as a negative int64.
  r.seed = from_db(s.checked_integer(6, row, "seed"));
  r.budget = from_db(s.checked_integer(7, row, "budget"));
  r.batch = from_db(s.checked_integer(8, row, "batch", 0));
  r.stop_on_target = s.checked_integer(9, row, "stop_on_target", 0) != 0;
  r.version = s.text(10);
  r.git_commit = s.text(11);
  r.status = s.text(12);
  r.message = s.text(13);
  r.started_at = s.text(14);
  r.updated_at = s.text(15);
  r.finished_at = s.text(16);
  r.evaluations = s.integer(17);
  r.inputs = s.text(18);
  return r;
}

}  // namespace

Store::Store(const std::string& path, StoreAccess access) : path_(path), opened_by_pid_(static_cast<long>(getpid())) {
  if (path.empty() || path == ":memory:" || path.rfind("file:", 0) == 0)
    throw std::invalid_argument("store '" + path + "': give the path of a file (an empty path or :memory: "
                                "would keep nothing, and a file: URI is not read the same way by every command)");
  // The C library ends a path at a NUL: "runs.db\0.bak" (a YAML escape) opened runs.db.
  if (const auto nul = path.find('\0'); nul != std::string::npos)
    throw std::invalid_argument("store '" + printable_line(path) + "': the path contains a NUL character (at offset " +
                                std::to_string(nul) + "); a path cannot contain one");
  const bool read_only = access == StoreAccess::ReadOnly;
  int flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX;
  std::string name = path;
  // Reading someone else's store: SQLite would create its -wal and -shm files as this user,
  // with the store's mode, and its owner could no longer write to it ("attempt to write a
  // readonly database"). When they do not exist, no writer has anything pending and the
  // file holds everything: it is read as immutable, which creates nothing. (A writer that
  // starts meanwhile only appends to its own WAL until it checkpoints.)
  // The same when the directory is not writable: SQLite could not create the -shm file a
  // WAL store needs, and even reading would fail.
  const std::string directory = std::filesystem::path(path).parent_path().string();
  const bool writable = ::access(path.c_str(), W_OK) == 0 && ::access(directory.empty() ? "." : directory.c_str(), W_OK) == 0;
  if (read_only && !writable && !std::filesystem::exists(path + "-wal") && !std::filesystem::exists(path + "-shm")) {
    name = "file:" + uri_path(path) + "?immutable=1";
    flags |= SQLITE_OPEN_URI;
  }
  release_inherited_connections(path);  // before SQLite can reuse their state (sqlite_fork.h)
  if (sqlite3_open_v2(name.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    // SQLite says "unable to open database file" whatever the cause; the commonest has a name.
    std::error_code ec;
    const std::string dir = directory.empty() ? "." : directory;
    if (!directory.empty() && !std::filesystem::is_directory(directory, ec))
      message = "directory '" + printable_line(directory) + "' does not exist; a store file is created, its "
                "directory is not";
    else if (!read_only && !std::filesystem::exists(path, ec) && ::access(dir.c_str(), W_OK) != 0)
      message = "directory '" + printable_line(dir) + "' is not writable" +
                (errno == EROFS ? std::string(" (a read-only file system)") : std::string()) +
                ", so the store file cannot be created there; give a --store path in a writable directory";
    throw std::runtime_error("store " + path + ": cannot open (" + message + ")");
  }
  track_connection(db_);
  try {
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
    // Processes starting on a new store together: the one that switches it to WAL holds
    // locks that make the others' first statements fail at once with "database is locked"
    // (SQLite does not wait on a journal-mode change). So the whole opening is retried
    // while the database is busy, for as long as a busy statement would wait.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
    for (int attempt = 0;; ++attempt) {
      try {
        open_tables(read_only);
        break;
      } catch (const SqliteError& e) {
        if (!e.busy()) throw;
        if (std::chrono::steady_clock::now() >= deadline)
          throw StoreBusy("store " + path + ": locked by another process for " +
                          std::to_string(kBusyTimeoutMs / 1000) +
                          " s (database is locked); try again when it is done");
        std::this_thread::sleep_for(std::chrono::milliseconds(std::min(5 + 5 * attempt, 50)));
      }
    }
  } catch (...) {
    close_tracked(db_);
    db_ = nullptr;
    throw;
  }
}

void Store::open_tables(bool read_only) {
  // The first read of the file: fails here for a file that is not SQLite.
  bool has_meta = false;
  int tables = 0;
  try {
    Statement s(db_, path_, "SELECT name FROM sqlite_master WHERE type = 'table'");
    while (s.step()) {
      ++tables;
      if (s.text(0) == "archgym_meta") has_meta = true;
    }
  } catch (const SqliteError& e) {
    if (e.busy()) throw;  // retried by the caller
    if (e.code() == SQLITE_CANTOPEN)  // the file itself was found
      throw std::runtime_error("store " + path_ + ": cannot open it (" + sqlite3_errmsg(db_) +
                               "): on a read-only filesystem or directory SQLite cannot create the store's "
                               "lock files; copy the store somewhere writable");
    // A damaged schema (the file is SQLite's), on the way to writing: as a damaged page.
    if (e.code() == SQLITE_CORRUPT && !read_only) throw damaged_store(path_, sqlite3_errmsg(db_));
    // Only a file SQLite does not recognise is not a store; an I/O error is not bad input.
    if (e.code() == SQLITE_NOTADB || e.code() == SQLITE_CORRUPT)
      throw std::runtime_error("store " + path_ + ": not an archgym store (" + sqlite3_errmsg(db_) + ")");
    // Opening for writing a file or directory this user may not write: SQLite's first
    // read already wants to write (WAL), so this is not "cannot read it".
    if (e.code() == SQLITE_READONLY)
      throw std::runtime_error("store " + path_ + ": " + sqlite3_errmsg(db_) + hint_for(e.code()));
    throw std::runtime_error("store " + path_ + ": cannot read it (" + sqlite3_errmsg(db_) + ")");
  }
  if (tables > 0 && !has_meta)
    throw std::runtime_error("store " + path_ + ": an SQLite database but not an archgym store "
                             "(it has no archgym_meta table); refusing to modify it");
  // Before anything is written: writing into a damaged database can spread the damage, and
  // what it writes can be lost (a run was created, then its evaluations were refused at the
  // damaged page). Reads need no check: they refuse at the damaged page they reach.
  // quick_check reads every page: for a 292 MB store ~0.26 s from the page cache, 4-8 s
  // from the development machine's disk (core/README.md). (Remembering which files passed
  // would skip a file copied over one at the same inode: a loop of runs should open one
  // Store and pass it on instead.)
  if (!read_only && has_meta) refuse_if_damaged();
  if (has_meta) {
    Statement s(db_, path_, "SELECT value FROM archgym_meta WHERE key = 'schema_version'");
    const int version = s.step() ? std::atoi(s.text(0).c_str()) : 0;
    if (version != kSchemaVersion)
      throw std::runtime_error("store " + path_ + ": schema version " + std::to_string(version) +
                               " is not supported (this build reads version " + std::to_string(kSchemaVersion) +
                               (version > kSchemaVersion
                                    ? "; a newer archgym wrote it: open it with that build, whose `archgym runs "
                                      "--run ID` names it)"
                                    : ")"));
  }
  if (read_only) {
    if (!has_meta)
      throw std::runtime_error("store " + path_ + ": not an archgym store (" +
                               (tables == 0 ? "no tables: an empty or new file" : "no archgym_meta table") + ")");
    has_inputs_column_ = runs_has_inputs_column();
    Statement claims(db_, path_, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'run_claims'");
    has_claims_table_ = claims.step();
    return;
  }
  {
    Statement wal(db_, path_, "PRAGMA journal_mode=WAL");
    wal.step();  // returns "wal" (or "memory" for an in-memory database)
  }
  exec(db_, path_, "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
  exec(db_, path_, "BEGIN IMMEDIATE");
  try {
    exec(db_, path_, kCreateTables);
    // Stores written before runs recorded their input files gain the column (empty).
    if (!runs_has_inputs_column()) exec(db_, path_, "ALTER TABLE runs ADD COLUMN inputs TEXT NOT NULL DEFAULT ''");
    Statement meta(db_, path_, "INSERT OR IGNORE INTO archgym_meta(key, value) VALUES (?, ?)");
    meta.bind(1, std::string("schema_version")).bind(2, std::to_string(kSchemaVersion));
    meta.step();
    exec(db_, path_, "COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

void Store::refuse_if_damaged() const {
  std::string finding;
  try {
    Statement s(db_, path_, "PRAGMA quick_check(1)");  // the first finding is enough to refuse
    finding = s.step() ? s.text(0) : "no result";
  } catch (const SqliteError& e) {
    if (e.busy()) throw;  // retried by the caller
    if (e.code() != SQLITE_CORRUPT && e.code() != SQLITE_NOTADB) throw;
    finding = sqlite3_errmsg(db_);  // the check itself stopped at a damaged page
  }
  if (finding == "ok") return;
  // Its first line only names the database ("*** in database main ***").
  if (finding.rfind("*** ", 0) == 0 && finding.find('\n') != std::string::npos)
    finding.erase(0, finding.find('\n') + 1);
  throw damaged_store(path_, finding);
}

bool Store::runs_has_inputs_column() const {
  Statement columns(db_, path_, "SELECT 1 FROM pragma_table_info('runs') WHERE name = 'inputs'");
  return columns.step();
}

std::unique_lock<std::mutex> Store::lock() const {
  if (static_cast<long>(getpid()) != opened_by_pid_)
    throw std::logic_error("store " + path_ + " was opened by process " + std::to_string(opened_by_pid_) +
                           "; this is a forked child (e.g. a multiprocessing worker), and an SQLite connection "
                           "cannot cross a fork: open the store again in this process");
  return std::unique_lock(mutex_);
}

Store::~Store() {
  // Not in a forked child: closing may checkpoint and remove the write-ahead log that the
  // parent's connection still uses. The child's copy is left to the process's end, or
  // closed harmlessly when the child opens a store of its own (sqlite_fork.h).
  if (db_ && static_cast<long>(getpid()) == opened_by_pid_) close_tracked(db_);
}

std::string Store::journal_mode() const {
  const auto held = lock();
  Statement s(db_, path_, "PRAGMA journal_mode");
  return s.step() ? s.text(0) : "";
}

namespace {

// Records `by` as the run's holder (replacing any claim); inside the caller's transaction.
void write_claim(sqlite3* db, const std::string& path, std::int64_t run_id, const ProcessIdentity& by) {
  Statement s(db, path,
              "INSERT OR REPLACE INTO run_claims(run_id, host, pid, process_start, claimed_at) VALUES (?, ?, ?, ?, ?)");
  s.bind(1, run_id).bind(2, by.host).bind(3, by.pid).bind(4, by.start).bind(5, now_utc());
  s.step();
}

}  // namespace

std::int64_t Store::create_run(const RunRecord& r, const ProcessIdentity* claimed_by) {
  const auto held = lock();
  const std::string now = now_utc();
  exec(db_, path_, "BEGIN IMMEDIATE");
  try {
    Statement s(db_, path_,
                "INSERT INTO runs(env, env_config, agent, agent_config, objective, seed, budget, batch, "
                "stop_on_target, version, git_commit, status, message, started_at, updated_at, finished_at, inputs) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', '', ?, ?, '', ?)");
    s.bind(1, r.env).bind(2, r.env_config).bind(3, r.agent).bind(4, r.agent_config).bind(5, r.objective);
    s.bind(6, to_db(r.seed)).bind(7, to_db(r.budget)).bind(8, to_db(r.batch));
    s.bind(9, std::int64_t{r.stop_on_target ? 1 : 0}).bind(10, r.version).bind(11, r.git_commit);
    s.bind(12, now).bind(13, now).bind(14, r.inputs);
    s.step();
    const std::int64_t id = sqlite3_last_insert_rowid(db_);
    if (claimed_by != nullptr) write_claim(db_, path_, id, *claimed_by);
    exec(db_, path_, "COMMIT");
    return id;
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

void Store::record(const EvaluationRecord& e) {
  const auto held = lock();
  exec(db_, path_, "BEGIN IMMEDIATE");
  try {
    {
      Statement s(db_, path_,
                  "INSERT INTO evaluations(run_id, idx, design, metrics, reward, valid, invalid_reason, "
                  "sim_seconds, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
      s.bind(1, e.run_id).bind(2, e.index).bind(3, e.design).bind(4, e.metrics).bind(5, e.reward);
      s.bind(6, std::int64_t{e.valid ? 1 : 0}).bind(7, e.invalid_reason).bind(8, e.sim_seconds).bind(9, now_utc());
      try {
        s.step();
      } catch (const std::runtime_error&) {
        const int code = s.last_error();
        if (code == SQLITE_CONSTRAINT_PRIMARYKEY)
          throw StoreConflict("store " + path_ + ": run " + std::to_string(e.run_id) + " already has evaluation " +
                              std::to_string(e.index));
        if (code == SQLITE_CONSTRAINT_FOREIGNKEY)
          throw std::runtime_error("store " + path_ + ": no run " + std::to_string(e.run_id));
        throw;
      }
    }
    Statement u(db_, path_, "UPDATE runs SET updated_at = ? WHERE id = ?");
    u.bind(1, now_utc()).bind(2, e.run_id);
    u.step();
    exec(db_, path_, "COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

void Store::set_status(std::int64_t run_id, const std::string& status, const std::string& message) {
  const auto held = lock();
  const bool done = status != "running" && status != "interrupted";
  const std::string now = now_utc();
  Statement s(db_, path_, "UPDATE runs SET status = ?, message = ?, updated_at = ?, finished_at = ? WHERE id = ?");
  s.bind(1, status).bind(2, message).bind(3, now).bind(4, done ? now : std::string()).bind(5, run_id);
  s.step();
  if (sqlite3_changes(db_) == 0)
    throw std::invalid_argument("store " + path_ + ": no run " + std::to_string(run_id));
}

namespace {

// Throws UnreadableRow for a pid that is no process id: a text one read as 0, which
// liveness() takes for a process that is gone, so the claim was taken over unasked.
std::optional<RunClaim> read_claim(sqlite3* db, const std::string& path, std::int64_t run_id) {
  Statement s(db, path, "SELECT host, pid, process_start, claimed_at FROM run_claims WHERE run_id = ?");
  s.bind(1, run_id);
  if (!s.step()) return std::nullopt;
  const std::int64_t pid = s.checked_integer(1, "run " + std::to_string(run_id) + "'s claim", "pid", 1);
  return RunClaim{ProcessIdentity{s.text(0), pid, s.text(2)}, s.text(3)};
}

bool same_process(const ProcessIdentity& a, const ProcessIdentity& b) {
  return a.host == b.host && a.pid == b.pid && a.start == b.start;
}

}  // namespace

std::optional<RunClaim> Store::claim_run(std::int64_t run_id, const ProcessIdentity& by, bool force) {
  const auto held = lock();
  exec(db_, path_, "BEGIN IMMEDIATE");  // check and claim in one step, whoever else looks
  try {
    Statement updated(db_, path_, "SELECT updated_at FROM runs WHERE id = ?");
    updated.bind(1, run_id);
    if (!updated.step()) throw std::invalid_argument("store " + path_ + ": no run " + std::to_string(run_id));
    const std::string last_write = updated.text(0);
    // A claim that cannot be read cannot be checked either: only force replaces it.
    std::optional<RunClaim> held;
    try {
      held = read_claim(db_, path_, run_id);
    } catch (const UnreadableRow& e) {
      if (!force)
        throw std::runtime_error(std::string(e.what()) + "; whether its process still runs cannot be told. If none "
                                 "does, take the run over with force (CLI: archgym run --resume " +
                                 std::to_string(run_id) + " --store " + path_ +
                                 " --force; Python: archgym.resume(..., force=True))");
    }
    if (held) {
      const std::string id = "run " + std::to_string(run_id);
      if (same_process(held->owner, by))
        throw std::runtime_error("store " + path_ + ": " + id + " is already being run by this process (" +
                                 describe(by) + ", since " + held->claimed_at + ")");
      const Liveness state = liveness(held->owner);
      if (!force && state != Liveness::Gone)
        throw std::runtime_error(
            "store " + path_ + ": " + id + " is being run by " + describe(held->owner) +
            (state == Liveness::Unknown ? " (another host: this one cannot tell whether it still runs)" : "") +
            ", since " + held->claimed_at + "; its last write was at " + last_write +
            ". Two processes continuing one run would collide. Wait for it or stop it; if it is no "
            "longer running, take the run over with force (CLI: archgym run --resume " +
            std::to_string(run_id) + " --store " + path_ + " --force; Python: archgym.resume(..., force=True))");
    }
    write_claim(db_, path_, run_id, by);
    exec(db_, path_, "COMMIT");
    return held;
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

void Store::release_run(std::int64_t run_id, const ProcessIdentity& by) {
  const auto held = lock();
  Statement s(db_, path_, "DELETE FROM run_claims WHERE run_id = ? AND host = ? AND pid = ? AND process_start = ?");
  s.bind(1, run_id).bind(2, by.host).bind(3, by.pid).bind(4, by.start);
  s.step();
}

std::optional<RunClaim> Store::run_claim(std::int64_t run_id) const {
  const auto held = lock();
  if (!has_claims_table_) return std::nullopt;
  return read_claim(db_, path_, run_id);
}

std::string Store::observed_status(const RunRecord& run) const {
  if (run.status != "running") return run.status;
  const auto claim = run_claim(run.id);
  if (!claim) return "killed";  // or run by a build that kept no claims
  switch (liveness(claim->owner)) {
    case Liveness::Alive: return "running";
    case Liveness::Gone: return "killed";
    case Liveness::Unknown: return "running on " + claim->owner.host;
  }
  return run.status;
}

std::string Store::run_columns() const { return std::string(kRunColumns) + (has_inputs_column_ ? "inputs" : "''"); }

std::optional<RunRecord> Store::run(std::int64_t run_id) const {
  const auto held = lock();
  Statement s(db_, path_, ("SELECT " + run_columns() + " FROM runs WHERE id = ?").c_str());
  s.bind(1, run_id);
  if (!s.step()) return std::nullopt;
  return read_run(s);
}

RunRecord Store::require_run(std::int64_t run_id) const {
  if (auto run = this->run(run_id)) return *run;
  constexpr std::size_t kListed = 20;  // a store of thousands of runs: a few name the range
  const auto all = runs();
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < all.size() && i < kListed; ++i) ids.push_back(std::to_string(all[i].id));
  if (all.size() > kListed) ids.push_back("... (" + std::to_string(all.size()) + " runs)");
  throw std::invalid_argument(path_ + ": no run with id " + std::to_string(run_id) +
                              "; runs in this store: " + (ids.empty() ? "(none)" : join(ids)));
}

std::vector<RunRecord> Store::runs() const {
  const auto held = lock();
  Statement s(db_, path_, ("SELECT " + run_columns() + " FROM runs ORDER BY id").c_str());
  std::vector<RunRecord> out;
  while (s.step()) out.push_back(read_run(s));
  return out;
}

namespace {

constexpr const char* kEvaluationSelect =
    "SELECT run_id, idx, design, metrics, reward, valid, invalid_reason, sim_seconds FROM evaluations ";

// Reads the statement's rows (kEvaluationSelect's columns) one at a time into `visit`.
void read_evaluations(Statement& s, const std::function<void(const EvaluationRecord&)>& visit) {
  EvaluationRecord e;
  while (s.step()) {
    // Both name the row, so they come first. Run ids start at 1 (0 means "every run" here);
    // indices at 0 (a text one read as 0 and listed a second evaluation 0).
    e.run_id = s.checked_integer(0, "an evaluation", "run_id", 1);
    e.index = s.checked_integer(1, "run " + std::to_string(e.run_id) + ", an evaluation", "idx", 0);
    const std::string row = "run " + std::to_string(e.run_id) + ", evaluation " + std::to_string(e.index);
    e.design = s.text(2);
    e.metrics = s.text(3);
    e.reward = s.checked_number(4, row, "reward");
    e.valid = s.checked_integer(5, row, "valid", 0) != 0;
    e.invalid_reason = s.text(6);
    e.sim_seconds = s.checked_number(7, row, "sim_seconds");
    visit(e);
  }
}

}  // namespace

void Store::for_each_evaluation(std::int64_t run_id, const std::function<void(const EvaluationRecord&)>& visit,
                                std::int64_t up_to_rowid) const {
  const auto held = lock();
  const std::string sql = std::string(kEvaluationSelect) +
                          (run_id == 0 ? "WHERE ? = 0 AND rowid <= ? ORDER BY run_id, idx"
                                       : "WHERE run_id = ? AND rowid <= ? ORDER BY idx");
  Statement s(db_, path_, sql.c_str());
  s.bind(1, run_id).bind(2, up_to_rowid);
  read_evaluations(s, visit);
}

std::vector<EvaluationRecord> Store::evaluations(std::int64_t run_id) const {
  std::vector<EvaluationRecord> out;
  for_each_evaluation(run_id, [&](const EvaluationRecord& e) { out.push_back(e); });
  return out;
}

std::vector<EvaluationRecord> Store::evaluations(std::int64_t run_id, std::int64_t first, std::int64_t end) const {
  const auto held = lock();
  Statement s(db_, path_,
              (std::string(kEvaluationSelect) + "WHERE run_id = ? AND idx >= ? AND idx < ? ORDER BY idx").c_str());
  s.bind(1, run_id).bind(2, first).bind(3, end);
  std::vector<EvaluationRecord> out;
  read_evaluations(s, [&](const EvaluationRecord& e) { out.push_back(e); });
  return out;
}

Store::EvaluationSpan Store::evaluation_span(std::int64_t run_id) const {
  EvaluationSpan span;
  std::int64_t unreadable = 0;
  {
    const auto held = lock();
    Statement s(db_, path_,
                "SELECT COUNT(*), MIN(idx), MAX(idx), "
                "TOTAL(typeof(idx) != 'integer' OR idx < 0) "
                "FROM evaluations WHERE run_id = ?");
    s.bind(1, run_id);
    s.step();
    span.count = s.integer(0);
    unreadable = static_cast<std::int64_t>(s.real(3));
    if (span.count > 0 && unreadable == 0) {
      span.first = s.integer(1);
      span.last = s.integer(2);
    }
  }
  // A hand-edited index (text, negative) would fall outside every range read: name it, as
  // reading the whole run does.
  if (unreadable > 0) for_each_evaluation(run_id, [](const EvaluationRecord&) {});
  return span;
}

std::int64_t Store::last_evaluation_rowid() const {
  const auto held = lock();
  Statement s(db_, path_, "SELECT IFNULL(MAX(rowid), 0) FROM evaluations");
  s.step();
  return s.integer(0);
}

std::optional<double> Store::best_reward(std::int64_t run_id) const {
  const auto held = lock();
  // Only the rows evaluations() reads as valid, with a number for a reward: SQLite ranks
  // text above every number (a hand-edited reward 'abc' was the best), and `valid != 0`
  // held for a text or negative valid, which evaluations() refuses. The rows it refuses
  // are named by the commands that read them (export, resume), not by a listing.
  Statement s(db_, path_,
              "SELECT MAX(reward) FROM evaluations WHERE run_id = ? "
              "AND typeof(valid) = 'integer' AND valid > 0 AND typeof(idx) = 'integer' AND idx >= 0 "
              "AND typeof(reward) IN ('real', 'integer')");
  s.bind(1, run_id);
  if (!s.step() || s.null(0)) return std::nullopt;
  return s.real(0);
}

}  // namespace archgym

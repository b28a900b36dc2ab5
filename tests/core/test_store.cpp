#include "tests/catch.h"
#include "tests/core/temp_store.h"

#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

#include "core/store.h"

using namespace archgym;

namespace {

RunRecord sample_run() {
  RunRecord r;
  r.env = "toy_bowl";
  r.env_config = R"({"fail_x":-1})";
  r.agent = "toy_search";
  r.agent_config = R"({"batch":4})";
  r.objective = "{}";
  r.seed = 0xFFFFFFFFFFFFFFF0ull;  // above int64's range: stored bit for bit
  r.budget = 10;
  r.batch = 4;
  r.version = "0.1.0";
  r.git_commit = "abc";
  return r;
}

EvaluationRecord sample_eval(std::int64_t run, std::int64_t index) {
  EvaluationRecord e;
  e.run_id = run;
  e.index = index;
  e.design = R"({"x":)" + std::to_string(index) + R"(,"shape":"round, \"big\""})";
  e.metrics = R"({"cost_u":1.5})";
  e.reward = -1.5;
  e.sim_seconds = 0.25;
  return e;
}

// Evaluation 0 of `run`, invalid: a design but no metrics.
EvaluationRecord invalid_eval(std::int64_t run) {
  EvaluationRecord e;
  e.run_id = run;
  e.design = R"({"x":1})";
  e.metrics = "{}";
  e.valid = false;
  e.invalid_reason = "impossible";
  return e;
}


}  // namespace

TEST_CASE("store round trip of runs and evaluations") {
  const auto path = temp_store("round_trip");
  {
    Store store(path);
    CHECK(store.journal_mode() == "wal");
    const auto id = store.create_run(sample_run());
    CHECK(id == 1);
    store.record(sample_eval(id, 1));
    store.record(sample_eval(id, 0));  // out of order is fine: rows carry their index
    auto invalid = sample_eval(id, 2);
    invalid.valid = false;
    invalid.invalid_reason = "evaluation failed: boom";
    store.record(invalid);
    CHECK_THROWS_WITH(store.record(sample_eval(id, 1)), Catch::Contains("run 1 already has evaluation 1"));
    CHECK_THROWS_WITH(store.record(sample_eval(99, 0)), Catch::Contains("no run 99"));
    store.set_status(id, "finished");
  }
  Store reopened(path);  // everything is on disk
  const auto run = reopened.run(1);
  REQUIRE(run);
  CHECK(run->seed == 0xFFFFFFFFFFFFFFF0ull);
  CHECK(run->env_config == R"({"fail_x":-1})");
  CHECK(run->status == "finished");
  CHECK_FALSE(run->finished_at.empty());
  CHECK(run->evaluations == 3);
  CHECK(run->started_at.size() == 24);  // 2026-01-02T03:04:05.678Z
  const auto rows = reopened.evaluations(1);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].index == 0);
  CHECK(rows[1].design == sample_eval(1, 1).design);
  CHECK_FALSE(rows[2].valid);
  CHECK(rows[2].invalid_reason == "evaluation failed: boom");
  CHECK_FALSE(reopened.run(2));
  CHECK_THROWS_WITH(reopened.set_status(5, "failed"), Catch::Contains("no run 5"));
}

TEST_CASE("a run's rows are read by index range, one at a time, or up to a point, without another run's") {
  Store store(temp_store("row_ranges"));
  const auto id = store.create_run(sample_run());
  const auto other = store.create_run(sample_run());
  CHECK(store.last_evaluation_rowid() == 0);
  const Store::EvaluationSpan none = store.evaluation_span(id);
  CHECK(none.count == 0);
  CHECK(none.first == -1);
  CHECK(none.last == -1);
  // A killed run with workers can lose a middle row: indices 2..9 without 5.
  for (std::int64_t i : {3, 2, 4, 7, 6, 8, 9}) store.record(sample_eval(id, i));
  store.record(sample_eval(other, 5));
  const Store::EvaluationSpan span = store.evaluation_span(id);
  CHECK(span.count == 7);
  CHECK(span.first == 2);
  CHECK(span.last == 9);
  std::vector<std::int64_t> indices;
  for (const auto& r : store.evaluations(id, 4, 8)) indices.push_back(r.index);
  CHECK(indices == std::vector<std::int64_t>{4, 6, 7});  // [4, 8), by index, only this run's
  CHECK(store.evaluations(id, 5, 6).empty());
  CHECK(store.evaluations(id, 10, 20).empty());
  CHECK(store.evaluations(id, 9, 10).front().design == sample_eval(id, 9).design);

  // up_to_rowid: the rows stored by a moment, in index order, whatever is added after it.
  const std::int64_t mark = store.last_evaluation_rowid();
  store.record(sample_eval(id, 5));
  store.record(sample_eval(id, 0));
  indices.clear();
  store.for_each_evaluation(id, [&](const EvaluationRecord& r) { indices.push_back(r.index); }, mark);
  CHECK(indices == std::vector<std::int64_t>{2, 3, 4, 6, 7, 8, 9});
  indices.clear();
  store.for_each_evaluation(0, [&](const EvaluationRecord& r) { indices.push_back(r.run_id * 100 + r.index); });
  CHECK(indices == std::vector<std::int64_t>{100, 102, 103, 104, 105, 106, 107, 108, 109, 205});
}

TEST_CASE("a hand-edited index is named by the span a resume reads first, not skipped by its ranges") {
  const auto path = temp_store("span_hand_edited");
  Store store(path);
  const auto id = store.create_run(sample_run());
  for (int i = 0; i < 3; ++i) store.record(sample_eval(id, i));
  edit(path, "UPDATE evaluations SET idx = 'two' WHERE idx = 2");
  CHECK_THROWS_WITH(store.evaluation_span(id),
                    Catch::Contains("run 1, an evaluation: column 'idx' holds 'two' (text); expected an integer"));
}

TEST_CASE("best_reward is the highest reward of a run's valid evaluations") {
  Store store(temp_store("best_reward"));
  const auto id = store.create_run(sample_run());
  const auto other = store.create_run(sample_run());
  CHECK_FALSE(store.best_reward(id));  // no evaluation yet
  auto invalid = sample_eval(id, 0);
  invalid.valid = false;
  invalid.reward = 1e300;  // an invalid design's reward never counts
  store.record(invalid);
  CHECK_FALSE(store.best_reward(id));
  for (double reward : {-3.0, 2.5, -1e-9}) {
    auto e = sample_eval(id, store.run(id)->evaluations);
    e.reward = reward;
    store.record(e);
  }
  auto elsewhere = sample_eval(other, 0);
  elsewhere.reward = 7.0;  // another run's
  store.record(elsewhere);
  CHECK(store.best_reward(id) == 2.5);
  CHECK(store.best_reward(other) == 7.0);
  CHECK_FALSE(store.best_reward(99));
}

TEST_CASE("a hand-edited run_id or idx of an evaluation is named, not read as another row") {
  // A text idx read as 0 (a second evaluation 0), and a run_id of 0 put its row among every
  // run's (0 means all runs to evaluations() and export).
  const auto path = temp_store("hand_edited_keys");
  Store store(path);
  const auto id = store.create_run(sample_run());
  for (int i = 0; i < 3; ++i) store.record(sample_eval(id, i));
  const std::string hint = " (was the store edited by hand?)";
  const auto expect = [&](const std::string& sql, std::int64_t run, const std::string& message) {
    edit(path, sql);
    CHECK_THROWS_WITH(store.evaluations(run), "store " + path + ": " + message + hint);
    edit(path, "PRAGMA foreign_keys = OFF; UPDATE evaluations SET run_id = 1, idx = 2 WHERE rowid = 3");  // undo
    CHECK(store.evaluations(run).size() == 3);
  };
  expect("UPDATE evaluations SET idx = 'two' WHERE idx = 2", id,
         "run 1, an evaluation: column 'idx' holds 'two' (text); expected an integer");
  expect("UPDATE evaluations SET idx = -2 WHERE idx = 2", id,
         "run 1, an evaluation: column 'idx' holds '-2' (integer); expected an integer of at least 0");
  expect("UPDATE evaluations SET idx = 2.5 WHERE idx = 2", 0,
         "run 1, an evaluation: column 'idx' holds '2.5' (real); expected an integer");
  expect("PRAGMA foreign_keys = OFF; UPDATE evaluations SET run_id = 0 WHERE idx = 2", 0,
         "an evaluation: column 'run_id' holds '0' (integer); expected an integer of at least 1");
  expect("PRAGMA foreign_keys = OFF; UPDATE evaluations SET run_id = 'one' WHERE idx = 2", 0,
         "an evaluation: column 'run_id' holds 'one' (text); expected an integer");
}

TEST_CASE("best_reward counts only the rows evaluations() reads as valid") {
  // `valid != 0` held for a text valid ('yes' ranks above 0) and a negative one, both of
  // which evaluations() refuses: `archgym runs` showed a best reward no row had.
  const auto path = temp_store("best_reward_hand_edited");
  Store store(path);
  const auto id = store.create_run(sample_run());
  for (int i = 0; i < 3; ++i) {
    auto e = sample_eval(id, i);
    e.reward = i == 0 ? 1.0 : 100.0 * i;
    store.record(e);
  }
  REQUIRE(store.best_reward(id) == 200.0);
  const auto expect = [&](const std::string& sql, const std::string& refused) {
    edit(path, sql);
    CHECK(store.best_reward(id) == 1.0);  // rows 1 and 2 are refused, so they never count
    CHECK_THROWS_WITH(store.evaluations(id), Catch::Contains(refused));
  };
  expect("UPDATE evaluations SET valid = 'yes' WHERE idx > 0",
         "run 1, evaluation 1: column 'valid' holds 'yes' (text); expected an integer");
  expect("UPDATE evaluations SET valid = -1 WHERE idx > 0",
         "run 1, evaluation 1: column 'valid' holds '-1' (integer); expected an integer of at least 0");
  expect("UPDATE evaluations SET valid = 0.5 WHERE idx > 0",
         "run 1, evaluation 1: column 'valid' holds '0.5' (real); expected an integer");
  expect("UPDATE evaluations SET valid = 1, idx = -idx WHERE idx > 0",
         "run 1, an evaluation: column 'idx' holds '-2' (integer); expected an integer of at least 0");
  // Any positive integer is valid to both, and 0 to neither.
  edit(path, "UPDATE evaluations SET idx = -idx, valid = 2 WHERE idx < 0");
  CHECK(store.best_reward(id) == 200.0);
  CHECK(store.evaluations(id)[2].valid);
  edit(path, "UPDATE evaluations SET valid = 0 WHERE idx = 2");
  CHECK(store.best_reward(id) == 100.0);
}

TEST_CASE("an unknown run is refused naming the store's runs, the first 20 of many") {
  const auto path = temp_store("require_run");
  Store store(path);
  CHECK_THROWS_WITH(store.require_run(1), path + ": no run with id 1; runs in this store: (none)");
  for (int i = 0; i < 25; ++i) store.create_run(sample_run());
  CHECK(store.require_run(25).id == 25);
  CHECK_THROWS_WITH(store.require_run(26),
                    path + ": no run with id 26; runs in this store: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, "
                           "12, 13, 14, 15, 16, 17, 18, 19, 20, ... (25 runs)");
}

TEST_CASE("concurrent records from many threads all land") {
  Store store(temp_store("threads"));
  const auto id = store.create_run(sample_run());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) store.record(sample_eval(id, t * 25 + i));
    });
  for (auto& t : threads) t.join();
  CHECK(store.run(id)->evaluations == 100);
}

TEST_CASE("CSV export quotes fields and unions columns") {
  Store store(temp_store("csv"));
  const auto a = store.create_run(sample_run());
  const auto b = store.create_run(sample_run());
  store.record(sample_eval(a, 0));
  EvaluationRecord other;
  other.run_id = b;
  other.index = 0;
  other.design = R"({"y":0.1})";
  other.metrics = R"({"latency_ns":3,"cost_u":2})";
  other.reward = 0.5;
  store.record(other);
  std::ostringstream all, only_b;
  store.export_csv(all);
  CHECK(all.str() ==
        "run_id,index,reward,valid,reason,sim_seconds,x,shape,y,cost_u,latency_ns\n"
        "1,0,-1.5,1,,0.25,0,\"round, \"\"big\"\"\",,1.5,\n"
        "2,0,0.5,1,,0,,,0.1,2,3\n");
  store.export_csv(only_b, b);
  CHECK(only_b.str() == "run_id,index,reward,valid,reason,sim_seconds,y,latency_ns,cost_u\n2,0,0.5,1,,0,0.1,3,2\n");
}

TEST_CASE("CSV export asks for the columns of runs whose rows cannot show them") {
  Store store(temp_store("csv_columns"));
  const auto empty = store.create_run(sample_run());
  const auto invalid = store.create_run(sample_run());
  store.record(invalid_eval(invalid));
  const auto valid = store.create_run(sample_run());
  store.record(sample_eval(valid, 0));
  std::vector<std::int64_t> asked;
  const auto columns_of = [&](std::int64_t id) {
    asked.push_back(id);
    return Store::Columns{{"x", "shape"}, {"cost_u", "latency_ns"}};
  };
  std::ostringstream no_rows, only_invalid, with_metrics;
  store.export_csv(no_rows, empty, columns_of);
  CHECK(no_rows.str() == "run_id,index,reward,valid,reason,sim_seconds,x,shape,cost_u,latency_ns\n");
  store.export_csv(only_invalid, invalid, columns_of);
  CHECK(only_invalid.str() ==
        "run_id,index,reward,valid,reason,sim_seconds,x,shape,cost_u,latency_ns\n2,0,0,0,impossible,0,1,,,\n");
  store.export_csv(with_metrics, valid, columns_of);  // its rows say it all: not asked
  CHECK(asked == std::vector<std::int64_t>{empty, invalid});
}

TEST_CASE("CSV export writes the rows stored when it began, whatever a run adds meanwhile") {
  // Rows stream out in two passes (columns, then rows); a row recorded between them, which
  // may bring a column the header lacks, is left for the next export.
  Store store(temp_store("csv_snapshot"));
  const auto id = store.create_run(sample_run());
  store.record(invalid_eval(id));
  const auto columns_of = [&](std::int64_t run) {  // called between the passes
    EvaluationRecord late = sample_eval(run, 1);
    late.metrics = R"({"late_metric":2})";
    store.record(late);
    return Store::Columns{{"x"}, {}};
  };
  std::ostringstream csv;
  store.export_csv(csv, id, columns_of);
  CHECK(csv.str() == "run_id,index,reward,valid,reason,sim_seconds,x\n1,0,0,0,impossible,0,1\n");
  CHECK(store.evaluations(id).size() == 2);
}

TEST_CASE("files that are not archgym stores are refused with their path") {
  const auto text = temp_store("not_sqlite");
  std::ofstream(text) << "this is not a database, just some text that is long enough to fill a header........";
  CHECK_THROWS_WITH(Store(text), Catch::Contains(text) && Catch::Contains("not an archgym store"));

  const auto foreign = temp_store("foreign");
  sqlite3* db = nullptr;
  sqlite3_open(foreign.c_str(), &db);
  sqlite3_exec(db, "CREATE TABLE people(name TEXT)", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  CHECK_THROWS_WITH(Store(foreign), Catch::Contains(foreign) && Catch::Contains("no archgym_meta table"));

  CHECK_THROWS_WITH(Store("/nonexistent-dir/x.db"), Catch::Contains("/nonexistent-dir/x.db"));
}

TEST_CASE("two connections to one file write at the same time without losing rows") {
  // What two processes sharing a store do: the busy timeout serialises their commits.
  const auto path = temp_store("two_connections");
  Store first(path), second(path);
  const auto a = first.create_run(sample_run());
  const auto b = second.create_run(sample_run());
  std::thread t1([&] {
    for (int i = 0; i < 50; ++i) first.record(sample_eval(a, i));
  });
  std::thread t2([&] {
    for (int i = 0; i < 50; ++i) second.record(sample_eval(b, i));
  });
  t1.join();
  t2.join();
  CHECK(first.run(b)->evaluations == 50);
  CHECK(second.run(a)->evaluations == 50);
  CHECK(first.runs().size() == 2);
}

TEST_CASE("processes opening a new store at the same moment all get it") {
  // A sweep starting several runs on one new store: while one process switches the file
  // to WAL or, closing, checkpoints it, another's switch fails at once with "database is
  // locked" (SQLite does not wait there); the opening is retried. Each round forks
  // processes that open the same new file at staggered moments (0-4.5 ms), record a run and
  // hold the store a little; every run must land. Without the retry this failed within
  // about 150 rounds.
  constexpr int kRounds = 200, kProcesses = 4;
  for (int round = 0; round < kRounds; ++round) {
    const auto path = temp_store("opened_together");
    std::vector<pid_t> children;
    for (int p = 0; p < kProcesses; ++p) {
      const pid_t pid = fork();
      REQUIRE(pid >= 0);
      if (pid == 0) {
        int status = 0;
        std::this_thread::sleep_for(std::chrono::microseconds(((round * 7 + p * 3) % 10) * 500));
        try {
          Store store(path);
          store.create_run(sample_run());
          std::this_thread::sleep_for(std::chrono::microseconds(((round * 3 + p * 7) % 10) * 500));
        } catch (...) {
          status = 1;
        }
        _exit(status);
      }
      children.push_back(pid);
    }
    int failed = 0;
    for (const pid_t pid : children) {
      int status = 0;
      waitpid(pid, &status, 0);
      failed += !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    INFO("round " << round);
    REQUIRE(failed == 0);
    CHECK(Store(path, StoreAccess::ReadOnly).runs().size() == kProcesses);
  }
}

TEST_CASE("a forked child keeps what it writes when its parent closes the store it had open at the fork") {
  // The child inherits SQLite's state of the parent's connection but not its locks; a
  // connection the child opened on that state held none, so the parent's close (the last
  // connection the system knew of) checkpointed and deleted the -wal and -shm files, and
  // the child's later runs went into the deleted WAL. Only the parent's run remained.
  const auto path = temp_store("fork_parent_closes");
  auto parent = std::make_unique<Store>(path);
  parent->create_run(sample_run());
  int parent_closed[2];
  REQUIRE(pipe(parent_closed) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    int code = 0;
    try {
      Store mine(path);
      char byte = 0;
      code = read(parent_closed[0], &byte, 1) == 1 ? 0 : 2;
      mine.create_run(sample_run());
      mine.create_run(sample_run());
      // The parent's Store (inherited) stays unusable here.
      try {
        parent->runs();
        code = 3;
      } catch (const std::logic_error&) {
      }
    } catch (...) {
      code = 1;
    }
    _exit(code);
  }
  parent.reset();
  REQUIRE(write(parent_closed[1], "x", 1) == 1);
  int status = 0;
  waitpid(child, &status, 0);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(Store(path, StoreAccess::ReadOnly).runs().size() == 3);
  close(parent_closed[0]);
  close(parent_closed[1]);
}

TEST_CASE("a child forked while a parent thread is inside a store statement is refused a store of its own") {
  // Its inherited connection could be neither closed (a statement is prepared) nor kept
  // (a new connection would reuse its state): refused, naming why.
  const auto path = temp_store("fork_mid_statement");
  Store store(path);
  store.create_run(sample_run());
  sqlite3* blocker = nullptr;  // holds the write lock: the thread's create_run waits inside SQLite
  REQUIRE(sqlite3_open(path.c_str(), &blocker) == SQLITE_OK);
  REQUIRE(sqlite3_exec(blocker, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  std::thread writer([&] { store.create_run(sample_run()); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    int code = 1;
    try {
      Store mine(path);
    } catch (const std::runtime_error& e) {
      code = std::string(e.what()).find("this process was forked while a thread of its parent") != std::string::npos
                 ? 0
                 : 2;
    }
    _exit(code);
  }
  int status = 0;
  waitpid(child, &status, 0);
  REQUIRE(sqlite3_exec(blocker, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(blocker);
  writer.join();
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(Store(path, StoreAccess::ReadOnly).runs().size() == 2);  // the parent's thread went on
}

TEST_CASE("a store written before runs recorded their input files gains the column") {
  const auto path = temp_store("before_inputs");
  { Store(path).create_run(sample_run()); }
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  // The schema of that time: no inputs column, no run_claims table.
  REQUIRE(sqlite3_exec(db, "ALTER TABLE runs DROP COLUMN inputs; DROP TABLE run_claims", nullptr, nullptr, nullptr) ==
          SQLITE_OK);
  sqlite3_close(db);

  Store store(path);
  REQUIRE(store.run(1));
  CHECK(store.run(1)->inputs.empty());  // unknown: resume skips the comparison
  auto r = sample_run();
  r.inputs = R"({"workload":{"path":"t.stl","digest":"fnv1a64:0000000000000000"}})";
  CHECK(store.run(store.create_run(r))->inputs == r.inputs);
  store.claim_run(1, this_process());
  CHECK(store.run_claim(1));
}

TEST_CASE("a damaged store is refused for writing, naming SQLite's finding, and still read where it can be") {
  const auto path = temp_store("damaged");
  {
    Store store(path);
    const auto id = store.create_run(sample_run());
    for (int i = 0; i < 3; ++i) store.record(sample_eval(id, i));
  }
  REQUIRE_FALSE(std::filesystem::exists(path + "-wal"));  // everything is in the file
  auto bytes = [&] {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  };
  // Garbage over the b-tree header of the evaluations table's root page.
  int root = 0, page_size = 0;
  {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    sqlite3_stmt* s = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, "SELECT rootpage, (SELECT page_size FROM pragma_page_size) FROM sqlite_master "
                               "WHERE name = 'evaluations'", -1, &s, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(s) == SQLITE_ROW);
    root = sqlite3_column_int(s, 0);
    page_size = sqlite3_column_int(s, 1);
    sqlite3_finalize(s);
    sqlite3_close(db);
  }
  REQUIRE(root > 1);
  {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(root - 1) * page_size);
    file.write(std::string(64, '\xa5').data(), 64);
    REQUIRE(file.good());
  }
  const std::string before = bytes();
  const std::string finding = "Page " + std::to_string(root) + ": btreeInitPage() returns error code 11";
  CHECK_THROWS_WITH(Store(path), Catch::Contains("store " + path + " is damaged (SQLite: " + finding +
                                                 "); nothing was written to it") &&
                                     Catch::Contains("(" + store_recovery_command(path) + ")"));
  CHECK(bytes() == before);
  {
    // Read-only opens do not check the whole file: what is intact reads, the damaged page refuses.
    const Store store(path, StoreAccess::ReadOnly);
    CHECK(store.runs().size() == 1);
    CHECK_THROWS_WITH(store.evaluations(1), Catch::Contains("malformed"));
  }
  CHECK(bytes() == before);

  // A schema a hand edit broke: SQLite refuses it before the check can run; the same refusal.
  const auto schema = temp_store("damaged_schema");
  Store(schema).create_run(sample_run());
  edit(schema, "PRAGMA writable_schema=ON; UPDATE sqlite_master SET sql = 'CREATE TABLE run_claims(' "
               "WHERE name = 'run_claims'");
  CHECK_THROWS_WITH(Store(schema), Catch::Contains("store " + schema + " is damaged (SQLite: malformed database schema "
                                                   "(run_claims)") && Catch::Contains("nothing was written to it"));
}

TEST_CASE("a store opened read-only is never changed, and paths that keep nothing are refused") {
  const auto path = temp_store("read_only");
  {
    Store store(path);
    const auto id = store.create_run(sample_run());
    store.record(sample_eval(id, 0));
  }
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "PRAGMA journal_mode=DELETE", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  auto bytes = [&] {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  };
  const std::string before = bytes();
  {
    const Store store(path, StoreAccess::ReadOnly);
    CHECK(store.runs().size() == 1);
    CHECK(store.evaluations(1).size() == 1);
    CHECK_FALSE(store.run_claim(1));
  }
  CHECK(bytes() == before);
  CHECK_FALSE(std::filesystem::exists(path + "-wal"));

  const auto empty = temp_store("read_only_empty");
  std::ofstream(empty).close();
  CHECK_THROWS_WITH(Store(empty, StoreAccess::ReadOnly), Catch::Contains("not an archgym store (no tables"));
  CHECK(std::filesystem::file_size(empty) == 0);
  CHECK_THROWS_WITH(Store(temp_store("read_only_missing"), StoreAccess::ReadOnly), Catch::Contains("cannot open"));

  for (const char* bad : {"", ":memory:", "file:x.db?mode=memory"})
    CHECK_THROWS_WITH(Store(bad), Catch::Contains("give the path of a file"));
}

TEST_CASE("a write the store's lock holds off for the whole timeout says so, and keeps what was stored") {
  const auto path = temp_store("locked_mid_run");
  Store store(path);
  const auto id = store.create_run(sample_run());
  store.record(sample_eval(id, 0));
  sqlite3* other = nullptr;  // another process's long write transaction
  REQUIRE(sqlite3_open(path.c_str(), &other) == SQLITE_OK);
  REQUIRE(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  CHECK_THROWS_WITH(store.record(sample_eval(id, 1)),
                    Catch::Contains("database is locked (another process kept the store locked for 10 s; what was "
                                    "stored before is kept: try again, or resume the run, when it is done)"));
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  CHECK(store.evaluations(id).size() == 1);
  store.record(sample_eval(id, 1));  // the lock gone, writing goes on
  CHECK(store.evaluations(id).size() == 2);
}

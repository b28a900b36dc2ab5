// A run killed at any moment loses nothing already written and resumes to exactly the
// trajectory an uninterrupted run produces.
#include "tests/catch.h"
#include "tests/core/temp_store.h"
#include "tests/core/toy_env.h"
#include "tests/core/trajectory_checks.h"

#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <chrono>
#include <memory>
#include <thread>

#include "core/process_identity.h"
#include "core/runner.h"

using namespace archgym;

namespace {

RunSpec toy_spec() {
  RunSpec spec;
  spec.env = "toy_bowl";
  spec.agent = "toy_search";
  spec.agent_options = {{"batch", "4"}};
  spec.seed = 5;
  spec.budget = 40;
  spec.workers = 2;
  spec.stop_on_target = false;
  spec.progress = false;
  return spec;
}

void require_same_row(const EvaluationRecord& a, const EvaluationRecord& b) {
  INFO("index " << a.index);
  CHECK(a.index == b.index);
  CHECK(a.design == b.design);
  CHECK(a.metrics == b.metrics);
  CHECK(a.reward == b.reward);
  CHECK(a.valid == b.valid);
}

// An uninterrupted run of toy_spec() in its own store: what every stopped run must become.
struct Uninterrupted {
  RunResult run;
  std::vector<EvaluationRecord> rows;
};
Uninterrupted uninterrupted(const std::string& store_name) {
  Store store(temp_store(store_name));
  Uninterrupted u{Runner::run(toy_spec(), &store), {}};
  u.rows = store.evaluations(u.run.run_id);
  REQUIRE(u.rows.size() == 40);
  return u;
}

// A store holding run 1: toy_spec() with `budget`, finished (each test then alters it).
std::string stored_toy_run(const std::string& store_name, std::uint64_t budget) {
  const std::string path = temp_store(store_name);
  Store store(path);
  auto spec = toy_spec();
  spec.budget = budget;
  Runner::run(spec, &store);
  return path;
}

}  // namespace

TEST_CASE("a run killed with SIGKILL resumes to the uninterrupted trajectory") {
  const auto [reference, reference_rows] = uninterrupted("reference");

  const std::string path = temp_store("killed");
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // Evaluation 18 (batch 16..19, two workers) dies like a power cut.
    toy::kill_at = 18;
    toy::evaluations_seen = 0;
    try {
      Store store(path);
      Runner::run(toy_spec(), &store);
    } catch (...) {
      _exit(2);
    }
    _exit(0);  // not reached: the kill must happen first
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFSIGNALED(status));
  REQUIRE(WTERMSIG(status) == SIGKILL);

  Store store(path);
  const auto killed = store.run(1);
  REQUIRE(killed);
  CHECK(killed->status == "running");
  // The killed process's claim is left behind; its process is gone, so resume takes it over.
  const auto claim = store.run_claim(1);
  REQUIRE(claim);
  CHECK(claim->owner.pid == child);
  const auto before = store.evaluations(1);
  // The 18th simulation happens in the fifth batch or later (designs the run has seen are
  // not simulated again), so at least four full batches are committed, and not the run.
  CHECK(before.size() >= 16);
  CHECK(before.size() < 40);
  for (const auto& row : before) require_same_row(row, reference_rows[row.index]);

  const RunResult resumed = Runner::resume(store, 1, 3, false);
  require_same_trajectory(resumed, reference);
  const auto after = store.evaluations(1);
  REQUIRE(after.size() == 40);
  for (std::size_t i = 0; i < after.size(); ++i) require_same_row(after[i], reference_rows[i]);
  for (const auto& row : before) {  // nothing written before the kill changed
    CHECK(after[row.index].design == row.design);
    CHECK(after[row.index].sim_seconds == row.sim_seconds);
  }
  CHECK(store.run(1)->status == "finished");
  CHECK_FALSE(store.run_claim(1));  // released when the resumed run ended

  // Resuming a finished run re-simulates nothing and changes nothing: not its status, its
  // times, nor its claims, even when interrupted.
  const RunRecord ended = *store.run(1);
  const RunResult again = Runner::resume(store, 1, 1, false);
  CHECK(again.run_id == 1);
  CHECK(again.status == "finished");
  require_same_trajectory(again, reference);
  const RunResult stopped_replay = Runner::resume(store, 1, 1, false, [] { return true; });
  CHECK(stopped_replay.trajectory.size() == 40);
  CHECK(store.evaluations(1).size() == 40);
  const RunRecord now = *store.run(1);
  CHECK(now.status == "finished");
  CHECK(now.updated_at == ended.updated_at);
  CHECK(now.finished_at == ended.finished_at);
  CHECK_FALSE(store.run_claim(1));
}

TEST_CASE("a run that keeps no trajectory in memory stores, resumes and replays the same rows and best") {
  // The CLI's mode: the store has every row, memory holds the best and one hash per design.
  const auto [reference, reference_rows] = uninterrupted("kept_reference");
  auto require_same_summary = [&](const RunResult& r) {
    CHECK(r.trajectory.empty());
    CHECK(r.evaluations == 40);
    CHECK(r.best_index() == reference.best_index());
    REQUIRE(r.best());
    CHECK(r.best()->design == reference.best()->design);
    CHECK(r.best()->evaluation.metrics == reference.best()->evaluation.metrics);
    CHECK(r.target_met == reference.target_met);
    CHECK(r.first_target_met.has_value() == reference.first_target_met.has_value());
    if (r.first_target_met && reference.first_target_met)
      CHECK(r.first_target_met->index == reference.first_target_met->index);
  };
  // Repeated designs are answered from the store: the same rows, the same ones not simulated.
  auto require_reference_rows = [&](const Store& store) {
    const auto rows = store.evaluations(1);
    REQUIRE(rows.size() == 40);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      require_same_row(rows[i], reference_rows[i]);
      CHECK((rows[i].sim_seconds == 0) == (reference_rows[i].sim_seconds == 0));
    }
  };
  std::int64_t repeats = 0;
  for (const auto& row : reference_rows) repeats += row.sim_seconds == 0;
  CHECK(repeats > 0);  // the toy search revisits designs

  const std::string path = temp_store("unkept");
  Store store(path);
  auto spec = toy_spec();
  spec.keep_trajectory = false;
  require_same_summary(Runner::run(spec, &store));
  require_reference_rows(store);

  // Lose a middle row and the tail, as a kill with two workers can; the resume reads the rows
  // a batch at a time and answers repeats of lost designs by simulating them again.
  edit(path, "DELETE FROM evaluations WHERE idx = 13 OR idx >= 22; UPDATE runs SET status = 'interrupted'");
  require_same_summary(Runner::resume(store, 1, 2, false, {}, false, /*keep_trajectory=*/false));
  require_reference_rows(store);
  CHECK(store.run(1)->status == "finished");
  // An ended run is replayed from its rows alone.
  require_same_summary(Runner::resume(store, 1, 1, false, {}, false, /*keep_trajectory=*/false));
}

TEST_CASE("resume refuses a run another live process is running, unless forced") {
  const auto [reference, reference_rows] = uninterrupted("claimed_reference");
  const std::string path = temp_store("claimed");
  Store store(path);
  auto spec = toy_spec();
  spec.budget = 12;
  Runner::run(spec, &store);
  CHECK_FALSE(store.run_claim(1));  // released when the run ended
  store.set_status(1, "interrupted");
  const ProcessIdentity holder = process_on_this_host(getppid());  // alive
  store.claim_run(1, holder);

  CHECK_THROWS_WITH(Runner::resume(store, 1, 2, false),
                    Catch::Contains("run 1 is being run by " + describe(holder)));
  CHECK(store.run(1)->status == "interrupted");  // untouched
  CHECK(store.evaluations(1).size() == 12);
  CHECK(store.run_claim(1)->owner.pid == holder.pid);

  // Forced, it continues; the budget in the store is 12, so it only replays.
  const RunResult forced = Runner::resume(store, 1, 2, false, {}, /*force=*/true);
  CHECK(forced.trajectory.size() == 12);
  for (std::size_t i = 0; i < forced.trajectory.size(); ++i)
    CHECK(forced.trajectory[i].reward == reference.trajectory[i].reward);
  CHECK(store.run(1)->status == "finished");
  CHECK_FALSE(store.run_claim(1));
}

TEST_CASE("a forced resume that finds the holder still writing stops, gives the claim back and marks nothing failed") {
  const std::string path = temp_store("conflict");
  Store store(path);
  auto spec = toy_spec();
  spec.workers = 1;
  int batches = 0;
  Runner::run(spec, &store, [&] { return ++batches > 3; });  // interrupted after 3 batches
  REQUIRE(store.run(1)->status == "interrupted");
  const auto stored = static_cast<std::int64_t>(store.evaluations(1).size());
  // While the resume evaluates its first new design, "another process" stores that index.
  toy::on_evaluation = [&] {
    toy::on_evaluation = nullptr;
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    const std::string sql = "INSERT INTO evaluations VALUES (1, " + std::to_string(stored) +
                            R"(, '{}', '{}', 0, 1, '', 0, 'now'))";
    sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
    sqlite3_close(db);
  };
  // It is taken over with force from a holder that is in fact still running.
  const ProcessIdentity holder = process_on_this_host(getppid());
  store.claim_run(1, holder);
  try {
    Runner::resume(store, 1, 1, false, {}, /*force=*/true);
    FAIL("the resume did not notice the other writer");
  } catch (const StoreConflict& e) {
    CHECK_THAT(e.what(), Catch::Contains("already has evaluation " + std::to_string(stored)) &&
                             Catch::Contains("another process is running run 1"));
  }
  toy::on_evaluation = nullptr;
  CHECK(store.run(1)->status == "running");  // the other process's run: not marked failed
  REQUIRE(store.run_claim(1));               // and its claim is back, so a plain resume is
  CHECK(store.run_claim(1)->owner.pid == holder.pid);  // refused again while it runs
}

TEST_CASE("resume refuses a store the agent no longer reproduces") {
  const std::string path = stored_toy_run("diverged", 12);
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_exec(db, R"(UPDATE evaluations SET design = '{"x":99}' WHERE idx = 5)", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  Store store(path);
  // The run had finished: replaying it says what diverged and writes nothing.
  const RunRecord finished = *store.run(1);
  CHECK_THROWS_WITH(Runner::resume(store, 1, 1, false),
                    Catch::Contains("run 1 cannot be resumed: at evaluation 5 the agent proposed") &&
                        Catch::Contains("the agent diverged"));
  CHECK(store.run(1)->status == "finished");
  CHECK(store.run(1)->finished_at == finished.finished_at);
  // A run that is to be continued is marked failed, with the reason.
  store.set_status(1, "interrupted");
  CHECK_THROWS_WITH(Runner::resume(store, 1, 1, false), Catch::Contains("the agent diverged"));
  CHECK(store.run(1)->status == "failed");
  CHECK(store.run(1)->message.find("cannot be resumed") != std::string::npos);
  CHECK_THROWS_WITH(Runner::resume(store, 7, 1, false), Catch::Contains("no run 7; runs: 1"));
}

TEST_CASE("resume refuses a run whose designs have other knobs than its env now has, changing nothing") {
  // As a run of the dram env recorded before its default space dropped PowerDownPolicy.
  const std::string path = stored_toy_run("other_knobs", 12);
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_exec(db, R"(UPDATE evaluations SET design = json_insert(design, '$.fins', 'many'))", nullptr, nullptr,
               nullptr);
  sqlite3_close(db);
  Store store(path);
  store.set_status(1, "interrupted");
  const RunRecord before = *store.run(1);
  CHECK_THROWS_WITH(Runner::resume(store, 1, 1, false),
                    Catch::StartsWith("run 1 cannot be resumed: env 'toy_bowl' with the run's options has other "
                                      "knobs than its designs (no longer: fins): its design space changed since "
                                      "archgym ") &&
                        Catch::Contains("Resume it with that build, or start a new run"));
  // Not marked failed, not claimed: the run is intact for the build that recorded it.
  CHECK(store.run(1)->status == "interrupted");
  CHECK(store.run(1)->updated_at == before.updated_at);
  CHECK_FALSE(store.run_claim(1));
}

TEST_CASE("resume refuses a run another build started, changing nothing, and replays it once it ended") {
  // As a run killed under an older build, resumed after an upgrade: its stored metrics and
  // new ones would come from two builds whose simulators may differ.
  const std::string path = stored_toy_run("other_build", 12);
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_exec(db, "UPDATE runs SET version = '0.0.9', git_commit = '0123abcd'", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  Store store(path);
  // An ended run is only replayed from its rows (nothing simulated): any build may.
  CHECK(Runner::resume(store, 1, 1, false).trajectory.size() == 12);
  store.set_status(1, "interrupted");
  const RunRecord before = *store.run(1);
  CHECK_THROWS_WITH(Runner::resume(store, 1, 1, false),
                    Catch::StartsWith("run 1 cannot be resumed by this build: it was started by archgym 0.0.9 "
                                      "(commit 0123abcd), this is archgym ") &&
                        Catch::Contains("would mix evaluations of two builds") &&
                        Catch::Contains("Resume it with the build that started it, or start a new run"));
  CHECK(store.run(1)->status == "interrupted");
  CHECK(store.run(1)->updated_at == before.updated_at);
  CHECK(store.evaluations(1).size() == 12);
  CHECK_FALSE(store.run_claim(1));
}

namespace {

// A stop request that says "stop" from its `stop_at`-th poll on (the runner polls once
// before each batch), and counts the polls.
struct StopAfter {
  int stop_at;
  std::shared_ptr<int> polls = std::make_shared<int>(0);
  bool operator()() const { return ++*polls >= stop_at; }
};

}  // namespace

TEST_CASE("a run stopped on request ends 'interrupted' on a batch boundary and resumes to the same trajectory") {
  const auto [reference, reference_rows] = uninterrupted("stop_reference");

  Store store(temp_store("stopped"));
  // The sixth poll says stop: five batches of four are done, stored and told.
  const RunResult stopped = Runner::run(toy_spec(), &store, StopAfter{6});
  CHECK(stopped.status == "interrupted");
  REQUIRE(stopped.trajectory.size() == 20);
  const auto record = store.run(stopped.run_id);
  CHECK(record->status == "interrupted");
  CHECK(record->finished_at.empty());  // it is meant to be continued
  const auto before = store.evaluations(stopped.run_id);
  REQUIRE(before.size() == 20);
  for (const auto& row : before) require_same_row(row, reference_rows[row.index]);

  // Interrupted again at once: the stored rows are replayed all the same (the stop is
  // only looked at before a batch that is not stored), nothing new is evaluated, and the
  // result covers everything stored, so its summary agrees with the store.
  const StopAfter at_once{1};
  const RunResult replay_stopped = Runner::resume(store, stopped.run_id, 2, false, at_once);
  CHECK(replay_stopped.status == "interrupted");
  CHECK(replay_stopped.trajectory.size() == 20);
  CHECK(*at_once.polls == 1);
  CHECK(store.evaluations(stopped.run_id).size() == 20);
  CHECK(store.run(stopped.run_id)->status == "interrupted");

  const RunResult resumed = Runner::resume(store, stopped.run_id, 3, false, StopAfter{1000});
  CHECK(resumed.status == "finished");
  require_same_trajectory(resumed, reference);
  const auto after = store.evaluations(stopped.run_id);
  REQUIRE(after.size() == 40);
  for (std::size_t i = 0; i < after.size(); ++i) require_same_row(after[i], reference_rows[i]);
  CHECK(store.run(stopped.run_id)->status == "finished");
  CHECK_FALSE(store.run(stopped.run_id)->finished_at.empty());
}

TEST_CASE("a resume that gets its claim after the holder ended the run leaves the run as it is") {
  // The race: resume reads the run (interrupted), then waits for the store's write lock to
  // claim it, while the process holding the run finishes it. Here a second connection
  // holds the lock and ends the run meanwhile; resume must see that once it has the claim
  // and only replay (it set the run back to "running" and rewrote its times).
  const std::string path = stored_toy_run("claim_after_end", 12);
  Store(path).set_status(1, "interrupted");
  Store resumer_store(path);  // opened first: opening writes too
  sqlite3* holder = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &holder) == SQLITE_OK);
  REQUIRE(sqlite3_exec(holder, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  std::string status;
  std::thread resumer([&] { status = Runner::resume(resumer_store, 1, 1, false).status; });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // resume is waiting for the lock
  REQUIRE(sqlite3_exec(holder,
                       "UPDATE runs SET status = 'finished', finished_at = '2000-01-01T00:00:00.000Z', "
                       "updated_at = '2000-01-01T00:00:00.000Z' WHERE id = 1; COMMIT",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(holder);
  resumer.join();
  CHECK(status == "finished");
  Store store(path);
  const RunRecord after = store.require_run(1);
  CHECK(after.status == "finished");
  CHECK(after.finished_at == "2000-01-01T00:00:00.000Z");
  CHECK(after.updated_at == "2000-01-01T00:00:00.000Z");
  CHECK(store.evaluations(1).size() == 12);
  CHECK_FALSE(store.run_claim(1));
}

TEST_CASE("a stop request after the last batch leaves the run finished") {
  Store store(temp_store("stop_at_end"));
  auto spec = toy_spec();
  spec.budget = 8;  // two batches of four
  const StopAfter stop{3};
  const RunResult r = Runner::run(spec, &store, stop);
  CHECK(*stop.polls == 2);  // the budget ended the loop before the third poll
  CHECK(r.status == "finished");
  CHECK(store.run(r.run_id)->status == "finished");
  CHECK(store.evaluations(r.run_id).size() == 8);
}

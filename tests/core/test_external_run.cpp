// A search outside archgym's agents logs every evaluation it reports as a run of the
// store: rows, rewards and record as the runner writes them, closed with a status, never
// resumed by archgym.
#include "tests/catch.h"
#include "tests/core/temp_store.h"
#include "tests/core/toy_env.h"

#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include "core/external_run.h"
#include "core/gym_view.h"
#include "core/process_identity.h"
#include "core/registry.h"
#include "core/runner.h"

using namespace archgym;

namespace {

ExternalRunSpec toy_spec() {
  ExternalRunSpec spec;
  spec.env = "toy_bowl";
  spec.seed = 42;
  spec.driver = "hand-written sweep";
  return spec;
}

Design toy_design(DesignSpace const& space, int x, const std::string& shape = "round", int size = 8) {
  return space.from_strings({{"x", std::to_string(x)}, {"size", std::to_string(size)}, {"shape", shape}, {"scale", "1"}});
}


const std::string kDiskFull =
    "CREATE TRIGGER full BEFORE INSERT ON evaluations BEGIN SELECT RAISE(ABORT, 'disk full (simulated)'); END";

}  // namespace

TEST_CASE("an external run stores each evaluation as the runner would, numbered in order") {
  auto store = std::make_shared<Store>(temp_store("external_rows"));
  ExternalRun run(store, toy_spec());
  const auto& space = run.env().space();
  const Step first = run.evaluate(toy_design(space, 3));
  const Step second = run.evaluate(toy_design(space, 7));
  CHECK(first.index == 0);
  CHECK(second.index == 1);
  // The reward is the objective's score: the toy's default (normalised cost, target 0.5).
  CHECK(first.reward == toy::Bowl().default_objective().score(first.evaluation).reward);
  CHECK(first.evaluation.metric("cost_u") == 16.0);
  CHECK(second.evaluation.metric("cost_u") == 0.0);
  CHECK(run.evaluations() == 2);

  const auto rows = store->evaluations(run.run_id());
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].design == space.to_json(first.design));
  CHECK(rows[0].reward == first.reward);
  CHECK(rows[1].reward == second.reward);
  CHECK(rows[1].metrics == R"({"cost_u":0.0,"latency_ns":18.0})");
  // The same row the runner writes for this evaluation.
  const EvaluationRecord expected =
      evaluation_record(run.run_id(), 1, space, second.design, second.evaluation, second.reward);
  CHECK(rows[1].design == expected.design);
  CHECK(rows[1].metrics == expected.metrics);
}

TEST_CASE("an external run's record names the driver, seed, env config, objective and build") {
  auto store = std::make_shared<Store>(temp_store("external_record"));
  ExternalRunSpec spec = toy_spec();
  spec.env_options = {{"fail_x", "4"}};
  spec.targets = {{"latency_ns", 20}};
  std::int64_t id = 0;
  {
    ExternalRun run(store, spec);
    id = run.run_id();
    const RunRecord r = store->require_run(id);
    CHECK(r.agent == "external");
    CHECK(r.agent_config == R"({"driver":"hand-written sweep"})");
    CHECK(external_driver(r) == "hand-written sweep");
    CHECK(r.seed == 42);
    CHECK(r.budget == 0);
    CHECK(r.batch == 1);
    CHECK(r.status == "running");
    CHECK(r.env == "toy_bowl");
    CHECK(r.env_config == env_options("toy_bowl", {{"fail_x", "4"}}).to_json());
    CHECK(r.objective == run.objective().to_json());
    CHECK(r.objective.find("latency_ns") != std::string::npos);
    CHECK_FALSE(r.version.empty());
    // Claimed by this process while it is open, as archgym's own runs are.
    REQUIRE(store->run_claim(id));
    CHECK(store->run_claim(id)->owner.pid == this_process().pid);
    // An env failure is an invalid evaluation, stored with its message; the run goes on.
    const Step crashed = run.evaluate(toy_design(run.env().space(), 4));
    CHECK_FALSE(crashed.evaluation.valid);
    CHECK(crashed.reward == run.objective().invalid_reward());
    CHECK(store->evaluations(id).at(0).invalid_reason.find("crashed at x=4") != std::string::npos);
  }
  // Destroyed while open: finished, claim released.
  CHECK(store->require_run(id).status == "finished");
  CHECK_FALSE(store->run_claim(id));
}

TEST_CASE("an external run answers a design it evaluated before without simulating it") {
  auto store = std::make_shared<Store>(temp_store("external_repeat"));
  ExternalRun run(store, toy_spec());
  const long before = toy::evaluations_seen;
  const Step a = run.evaluate(toy_design(run.env().space(), 5));
  const Step b = run.evaluate(toy_design(run.env().space(), 5));
  CHECK(toy::evaluations_seen == before + 1);
  CHECK(b.index == 1);
  CHECK(b.evaluation.metrics == a.evaluation.metrics);
  CHECK(b.reward == a.reward);
  CHECK(b.evaluation.sim_seconds == 0);
  CHECK(store->evaluations(run.run_id()).size() == 2);
}

TEST_CASE("an external run's design outside the space is an invalid evaluation") {
  auto store = std::make_shared<Store>(temp_store("external_constraint"));
  ExternalRun run(store, toy_spec());
  const Step star = run.evaluate(toy_design(run.env().space(), 7, "star", 64));
  CHECK_FALSE(star.evaluation.valid);
  CHECK(star.evaluation.invalid_reason.find("size <= 32 for a star") != std::string::npos);
  CHECK(store->evaluations(run.run_id()).at(0).valid == false);
}

TEST_CASE("evaluations from several threads get distinct consecutive indices") {
  auto store = std::make_shared<Store>(temp_store("external_threads"));
  ExternalRun run(store, toy_spec());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&run, t] {
      for (int x = 0; x < 5; ++x) run.evaluate(toy_design(run.env().space(), t * 5 + x));
    });
  for (auto& t : threads) t.join();
  const auto rows = store->evaluations(run.run_id());
  REQUIRE(rows.size() == 20);
  for (std::size_t i = 0; i < rows.size(); ++i) CHECK(rows[i].index == static_cast<std::int64_t>(i));
}

TEST_CASE("an external run ends once, with the status its driver gives") {
  auto store = std::make_shared<Store>(temp_store("external_finish"));
  ExternalRun failed(store, toy_spec());
  failed.evaluate(toy_design(failed.env().space(), 1));
  CHECK_THROWS_WITH(failed.finish("target_met"),
                    Catch::Contains("status must be finished, interrupted or failed, got 'target_met'"));
  failed.finish("failed", "the study raised ValueError");
  const RunRecord r = store->require_run(failed.run_id());
  CHECK(r.status == "failed");
  CHECK(r.message == "the study raised ValueError");
  CHECK_FALSE(r.finished_at.empty());
  CHECK_FALSE(store->run_claim(failed.run_id()));
  CHECK_THROWS_WITH(failed.evaluate(toy_design(failed.env().space(), 2)), Catch::Contains("has ended"));
  CHECK_THROWS_WITH(failed.finish(), Catch::Contains("has ended already"));
  CHECK(store->evaluations(failed.run_id()).size() == 1);

  ExternalRun interrupted(store, toy_spec());
  interrupted.finish("interrupted");
  CHECK(store->require_run(interrupted.run_id()).status == "interrupted");
}

TEST_CASE("archgym does not resume an external run, and says why") {
  auto store = std::make_shared<Store>(temp_store("external_resume"));
  std::int64_t id = 0;
  {
    ExternalRun run(store, toy_spec());
    id = run.run_id();
    run.evaluate(toy_design(run.env().space(), 1));
    run.finish("interrupted");
  }
  CHECK_THROWS_WITH(Runner::resume(*store, id, 1, false),
                    Catch::Contains("run " + std::to_string(id) + " is an external run (its designs were picked by "
                                    "'hand-written sweep', outside archgym), so archgym cannot continue it; its 1 "
                                    "evaluations stay in the store"));
  CHECK(store->require_run(id).status == "interrupted");  // untouched
}

TEST_CASE("bad input to an external run is refused before the store holds anything") {
  auto store = std::make_shared<Store>(temp_store("external_refused"));
  ExternalRunSpec spec = toy_spec();
  spec.env_options = {{"fail", "3"}};
  CHECK_THROWS_WITH(ExternalRun(store, spec), Catch::Contains("env 'toy_bowl': unknown option 'fail'"));
  spec = toy_spec();
  spec.targets = {{"latency", 3}};
  CHECK_THROWS_WITH(ExternalRun(store, spec),
                    Catch::Contains("target: env 'toy_bowl' has no metric 'latency' (did you mean 'latency_ns'?)"));
  spec = toy_spec();
  spec.driver = "";
  CHECK_THROWS_WITH(ExternalRun(store, spec), Catch::Contains("driver must name what picks the designs"));
  spec.driver = "two\nlines";
  CHECK_THROWS_WITH(ExternalRun(store, spec), Catch::Contains("one line without control characters"));
  CHECK_THROWS_WITH(ExternalRun(nullptr, toy_spec()), Catch::Contains("no store given"));
  CHECK(store->runs().empty());
}

TEST_CASE("no agent may be registered under the external runs' name") {
  check_registrations();  // the program is under way: a registrar now throws its mistake
  CHECK_THROWS_WITH(AgentRegistrar("external", "x", Schema(),
                                   [](const AgentContext&) -> std::unique_ptr<Agent> { return nullptr; }),
                    Catch::Contains("'external' is reserved"));
}

TEST_CASE("a gym view recording to an external run stores the reset and every step with its reward") {
  auto store = std::make_shared<Store>(temp_store("external_gym"));
  std::shared_ptr<const Env> env(make_env("toy_bowl"));
  const Objective objective = env->default_objective();
  GymView view(env, objective, 4);
  auto run = std::make_shared<ExternalRun>(store, "toy_bowl", env_options("toy_bowl", {}), env, objective, "gymnasium",
                                           ExternalRun::Deferred{});
  view.record_to(run);
  CHECK(run->run_id() == 0);  // stored with its first evaluation
  CHECK(store->runs().empty());
  run->set_seed(9);
  view.reset(9);
  REQUIRE(run->run_id() > 0);
  CHECK_THROWS_WITH(run->set_seed(10), Catch::Contains("its seed is recorded already"));
  const StepOutcome s1 = view.step(toy_design(env->space(), 2));
  const StepOutcome s2 = view.step(toy_design(env->space(), 7));
  const auto rows = store->evaluations(run->run_id());
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].design == env->space().to_json(env->default_design()));
  CHECK(rows[1].reward == s1.reward);
  CHECK(rows[2].reward == s2.reward);
  CHECK(s2.terminated);
  CHECK(store->require_run(run->run_id()).seed == 9);

  // Another env or objective would store rewards the view does not hand out.
  std::shared_ptr<const Env> other(make_env("toy_bowl"));
  auto elsewhere = std::make_shared<ExternalRun>(store, "toy_bowl", env_options("toy_bowl", {}), other, objective, "gym",
                                                 ExternalRun::Deferred{});
  CHECK_THROWS_WITH(view.record_to(elsewhere), Catch::Contains("made on the view's env and objective"));
  // A deferred run that stored nothing ends without appearing in the store.
  elsewhere->finish();
  CHECK(store->runs().size() == 1);
}

TEST_CASE("a gym step or reset whose evaluation cannot be stored does not happen") {
  // A step whose store write failed still counted: the episode ran out of steps early, and
  // its last step was never truncated.
  const auto path = temp_store("external_gym_full");
  auto store = std::make_shared<Store>(path);
  std::shared_ptr<const Env> env(make_env("toy_bowl"));
  const Objective objective = env->default_objective();
  GymView view(env, objective, 2);
  auto run = std::make_shared<ExternalRun>(store, "toy_bowl", env_options("toy_bowl", {}), env, objective, "gymnasium",
                                           ExternalRun::Deferred{});
  view.record_to(run);
  view.reset(3);
  CHECK_FALSE(view.step(toy_design(env->space(), 1)).truncated);
  edit(path, kDiskFull);
  for (int attempt = 0; attempt < 3; ++attempt)
    CHECK_THROWS_WITH(view.step(toy_design(env->space(), 2)),
                      Catch::Contains("gym view: the step's evaluation could not be stored (store " + path) &&
                          Catch::Contains("disk full (simulated)), so the step did not count: the episode is as it "
                                          "was before it; take the step again, or close"));
  CHECK(view.steps() == 1);
  edit(path, "DROP TRIGGER full");
  CHECK(view.step(toy_design(env->space(), 2)).truncated);  // the episode's second step, as if none had failed

  // A reset: the episode that ended stays ended, and the default design is stored once.
  edit(path, kDiskFull);
  CHECK_THROWS_WITH(view.reset(4), Catch::Contains("gym view: the reset's evaluation could not be stored") &&
                                       Catch::Contains("so no episode started"));
  CHECK_THROWS_WITH(view.step(toy_design(env->space(), 3)), Catch::Contains("the episode ended after 2 steps"));
  edit(path, "DROP TRIGGER full");
  view.reset(4);
  CHECK_FALSE(view.step(toy_design(env->space(), 3)).truncated);

  // Ending the run when the store cannot take its status: it stays open, and ends when tried again.
  edit(path, "CREATE TRIGGER full BEFORE UPDATE ON runs BEGIN SELECT RAISE(ABORT, 'disk full (simulated)'); END");
  CHECK_THROWS_WITH(run->finish(), Catch::Contains("its status 'finished' could not be stored") &&
                                       Catch::Contains("the run is still open: close it again"));
  CHECK(run->open());
  edit(path, "DROP TRIGGER full");
  run->finish();
  CHECK_FALSE(run->open());

  // Nothing stored before a failure was lost, and no index was skipped.
  const auto rows = store->evaluations(run->run_id());
  REQUIRE(rows.size() == 5);  // reset, 2 steps, reset, 1 step
  for (std::size_t i = 0; i < rows.size(); ++i) CHECK(rows[i].index == static_cast<std::int64_t>(i));
  CHECK(store->require_run(run->run_id()).status == "finished");
}

TEST_CASE("a deferred run records the input files its env read, wherever the process is when it is stored") {
  namespace fs = std::filesystem;
  auto store = std::make_shared<Store>(temp_store("external_deferred_inputs"));
  const fs::path dir = fs::path(ARCHGYM_TEST_BINARY_DIR) / "external_inputs";
  fs::create_directories(dir / "a" / "tr");
  fs::create_directories(dir / "b" / "tr");
  const std::string trace = "0:\tread\t0x0\n4:\tread\t0x40\n";
  std::ofstream(dir / "a" / "tr" / "t.stl") << trace;
  std::ofstream(dir / "b" / "tr" / "t.stl") << trace << "8:\tread\t0x80\n";  // another file, same name
  const fs::path before = fs::current_path();
  fs::current_path(dir / "a");
  std::shared_ptr<const Env> env(make_env("dram", {{"workload", "tr/t.stl"}}));
  const Options options = env_options("dram", {{"workload", "tr/t.stl"}});
  const Objective objective = env->default_objective();
  auto run = std::make_shared<ExternalRun>(store, "dram", options, env, objective, "gym", ExternalRun::Deferred{});
  const std::string inputs_in_a = inputs_json(env->input_files());
  fs::current_path(dir / "b");  // as a framework that changes directory would
  run->record(env->default_design(), evaluate_checked(*env, env->default_design()));
  fs::current_path(before);
  const RunRecord r = store->require_run(run->run_id());
  CHECK(r.env_config.find((dir / "a" / "tr" / "t.stl").string()) != std::string::npos);
  CHECK(r.inputs == inputs_in_a);
}

TEST_CASE("an external run refuses knob values outside its space and stores nothing") {
  auto store = std::make_shared<Store>(temp_store("external_bad_value"));
  ExternalRun run(store, toy_spec());
  Design bad = toy_design(run.env().space(), 3);
  bad.values[0] = std::int64_t{1000};
  CHECK_THROWS_AS(run.evaluate(bad), std::invalid_argument);
  CHECK(run.evaluations() == 0);
  CHECK(store->evaluations(run.run_id()).empty());
}

TEST_CASE("a forked child cannot add to or end its parent's external run") {
  auto store = std::make_shared<Store>(temp_store("external_fork"));
  auto run = std::make_unique<ExternalRun>(store, toy_spec());
  run->evaluate(toy_design(run->env().space(), 1));
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    int code = 0;
    try {
      run->evaluate(toy_design(run->env().space(), 2));
      code = 1;  // must have been refused
    } catch (const std::logic_error& e) {
      code = std::string(e.what()).find("forked child") != std::string::npos ? 0 : 2;
    } catch (...) {
      code = 3;
    }
    if (code == 0) {
      try {
        run->finish("failed", "the child's copy");  // ends only the child's copy
      } catch (...) {
        code = 4;
      }
    }
    run.reset();  // the destructor leaves the parent's run open
    _exit(code);
  }
  int status = 0;
  waitpid(child, &status, 0);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(store->require_run(run->run_id()).status == "running");
  run->evaluate(toy_design(run->env().space(), 3));  // the parent goes on
  CHECK(store->evaluations(run->run_id()).size() == 2);
}

TEST_CASE("drivers are one printable line") {
  for (const std::string bad : {std::string("   "), std::string("a\xE2\x80\xA8" "b"), std::string("a\xC2\x85" "b"),
                                std::string("\xE2\x80\xAE" "evil"), std::string("tab\there"),
                                std::string("a\xD8\x9C" "b"),                      // U+061C, a bidi mark
                                std::string("\xC2\xA0\xC2\xA0"), std::string("\xE3\x80\x80")})  // only spaces
    CHECK_THROWS_AS(check_external_driver(bad), std::invalid_argument);
  CHECK_THROWS_WITH(check_external_driver(std::string(201, 'x')), Catch::Contains("at most 200 bytes"));
  CHECK_NOTHROW(check_external_driver("optuna tpe (seed 3), \xE6\x90\x9C"));
}

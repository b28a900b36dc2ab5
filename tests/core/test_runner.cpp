#include "tests/catch.h"
#include "tests/core/temp_store.h"
#include "tests/core/toy_env.h"
#include "tests/core/trajectory_checks.h"

#include <filesystem>

#include "archgym_version.h"
#include "core/registry.h"
#include "core/runner.h"

using namespace archgym;

namespace {

// Asks a fixed list of designs, `batch` at a time, and records what it was told.
class Script final : public Agent {
 public:
  Script(std::vector<Design> designs, std::size_t batch) : designs_(std::move(designs)), batch_(batch) {}
  std::vector<Design> ask(std::size_t n) override {
    std::vector<Design> out;
    while (out.size() < n && next_ < designs_.size()) out.push_back(designs_[next_++]);
    return out;
  }
  void tell(const std::vector<Feedback>& results) override {
    for (const auto& f : results) told.push_back(f);
  }
  bool finished() const override { return next_ == designs_.size(); }
  std::size_t preferred_batch() const override { return batch_; }
  std::vector<Feedback> told;

 private:
  std::vector<Design> designs_;
  std::size_t batch_, next_ = 0;
};

Design bowl(const std::string& x, const std::string& size = "8", const std::string& shape = "round",
            const std::string& scale = "1") {
  return toy::bowl_space().from_strings({{"x", x}, {"size", size}, {"shape", shape}, {"scale", scale}});
}

}  // namespace

TEST_CASE("the trajectory does not depend on the worker count") {
  toy::Bowl env(/*fail_x=*/-1, /*delay_us=*/50);  // design-dependent delays shuffle completion
  const Objective objective = env.default_objective();
  RunResult results[2];
  const unsigned workers[2] = {1, 4};
  for (int k = 0; k < 2; ++k) {
    toy::Search agent(env.space(), 8, 0, 2024);
    results[k] = Runner::run(env, agent, objective, 60, 8, workers[k], /*stop_on_target=*/false);
  }
  CHECK(results[0].trajectory.size() == 60);
  CHECK(results[0].knobs == std::vector<std::string>{"x", "size", "shape", "scale"});  // the space's order
  require_same_trajectory(results[0], results[1]);
  for (std::size_t i = 0; i < 60; ++i) CHECK(results[0].trajectory[i].index == static_cast<std::int64_t>(i));
  // The best is the highest valid reward.
  const Step* best = results[0].best();
  REQUIRE(best);
  for (const auto& s : results[0].trajectory) CHECK(s.reward <= best->reward);
}

TEST_CASE("a design evaluated before in the run is answered again without simulating it") {
  // Keeping the trajectory or not (a long run then reads earlier rows back from the store)
  // answers a repeat the same way.
  const bool keep = GENERATE(true, false);
  INFO("keep_trajectory " << keep);
  toy::Bowl env;
  const Objective objective = env.default_objective();
  // Repeats within a batch (x=3 twice in the first), across batches (x=5, x=3 again), and
  // an invalid design repeated (a star of size 64 breaks the space's constraint).
  const Design star64 = bowl("4", "64", "star");
  Script agent({bowl("3"), bowl("5"), bowl("3"), star64, bowl("5"), bowl("3"), star64, bowl("6")}, 4);
  Store store(temp_store(keep ? "runner_repeats" : "runner_repeats_unkept"));
  RunRecord record;
  record.env = "toy_bowl";
  const auto id = store.create_run(record);
  const long before = toy::evaluations_seen;
  const RunResult r = Runner::run(env, agent, objective, 8, 4, 2, false, &store, id, nullptr, {}, {}, keep);
  // Only 3, 5 and 6 reach the simulator (star64 is refused before it).
  CHECK(toy::evaluations_seen - before == 3);
  CHECK(r.evaluations == 8);
  REQUIRE(r.trajectory.size() == (keep ? 8 : 0));
  const auto rows = store.evaluations(id);
  REQUIRE(rows.size() == 8);
  for (std::size_t i : {2u, 4u, 5u}) {  // repeats of rows 0, 1, 0
    const std::size_t first = i == 4 ? 1 : 0;
    INFO("row " << i);
    CHECK(rows[i].metrics == rows[first].metrics);
    CHECK(rows[i].reward == rows[first].reward);
    CHECK(rows[i].sim_seconds == 0);
    if (keep) CHECK(r.trajectory[i].evaluation.metrics == r.trajectory[first].evaluation.metrics);
  }
  CHECK_FALSE(rows[6].valid);
  CHECK(rows[6].invalid_reason == rows[3].invalid_reason);
  CHECK(agent.told[5].reward == agent.told[0].reward);

  // Killed after storing row 0 but before its repeat, row 2 (repeats are stored after the
  // batch's simulations): resumed, row 2 repeats the stored row 0 as it did uninterrupted,
  // instead of being simulated again (review finding).
  std::vector<EvaluationRecord> kept;
  for (const auto& row : rows)
    if (row.index != 2) kept.push_back(row);
  Store resumed(temp_store(keep ? "runner_repeats_resumed" : "runner_repeats_resumed_unkept"));
  const auto again = resumed.create_run(record);
  for (auto row : kept) {
    row.run_id = again;
    resumed.record(row);
  }
  Script same({bowl("3"), bowl("5"), bowl("3"), star64, bowl("5"), bowl("3"), star64, bowl("6")}, 4);
  const long before_resume = toy::evaluations_seen;
  const RowsInMemory replay(kept);
  Runner::run(env, same, objective, 8, 4, 2, false, &resumed, again, &replay, {}, {}, keep);
  CHECK(toy::evaluations_seen == before_resume);
  const auto after = resumed.evaluations(again);
  REQUIRE(after.size() == 8);
  for (std::size_t i = 0; i < 8; ++i) {
    INFO("row " << i);
    CHECK(after[i].metrics == rows[i].metrics);
    CHECK(after[i].sim_seconds == rows[i].sim_seconds);
  }
}

TEST_CASE("budget is honoured when the batch does not divide it") {
  toy::Bowl env;
  toy::Search agent(env.space(), 4, 0, 1);
  std::vector<std::uint64_t> progress;
  auto r = Runner::run(env, agent, env.default_objective(), 10, 4, 2, false, nullptr, 0, nullptr,
                       [&](std::uint64_t done, std::uint64_t budget, double) {
                         CHECK(budget == 10);
                         progress.push_back(done);
                       });
  CHECK(r.trajectory.size() == 10);
  CHECK(progress == std::vector<std::uint64_t>{4, 8, 10});
  CHECK(r.status == "finished");
}

TEST_CASE("a met target stops the run after the current batch") {
  toy::Bowl env;
  const std::vector<Design> script = {bowl("1"), bowl("2"), bowl("7"), bowl("3"), bowl("4"), bowl("5")};
  Script agent(script, 2);
  auto r = Runner::run(env, agent, env.default_objective(), 100, 2, 2, /*stop_on_target=*/true);
  CHECK(r.trajectory.size() == 4);  // the optimum is index 2; its batch (2, 3) completes
  CHECK(r.target_met);
  CHECK(r.status == "target_met");
  CHECK(r.best_index() == 2);
  CHECK(agent.told.size() == 4);

  Script again(script, 2);
  auto all = Runner::run(env, again, env.default_objective(), 100, 2, 2, /*stop_on_target=*/false);
  CHECK(all.trajectory.size() == 6);  // then the agent finishes
  CHECK(all.target_met);
  CHECK(all.status == "finished");
}

TEST_CASE("throwing and out-of-space evaluations are recorded as invalid and the run goes on") {
  toy::Bowl env(/*fail_x=*/7);
  const Objective objective = env.default_objective();
  Script agent({bowl("6"), bowl("7"), bowl("1", "64", "star"), bowl("8")}, 2);
  Store store(temp_store("invalid"));
  RunRecord record;
  record.env = "toy_bowl";
  record.agent = "script";
  const auto id = store.create_run(record);
  auto r = Runner::run(env, agent, objective, 4, 2, 2, true, &store, id);
  REQUIRE(r.trajectory.size() == 4);
  CHECK(r.trajectory[1].evaluation.invalid_reason == "evaluation failed: toy simulator crashed at x=7");
  CHECK(r.trajectory[2].evaluation.invalid_reason == "design outside the space: constraint violated: size <= 32 for a star");
  CHECK(agent.told[1].reward == objective.invalid_reward());
  CHECK_FALSE(agent.told[1].evaluation.valid);
  CHECK(r.trajectory[3].evaluation.valid);
  CHECK(r.best_index() == 0);  // x=6 and x=8 tie at cost 1: the first one stays best
  const auto rows = store.evaluations(id);
  REQUIRE(rows.size() == 4);
  CHECK_FALSE(rows[1].valid);
  CHECK(rows[1].invalid_reason == "evaluation failed: toy simulator crashed at x=7");
  CHECK(rows[1].reward == objective.invalid_reward());
  CHECK(rows[1].metrics == "{}");
}

TEST_CASE("an agent that misbehaves is reported") {
  toy::Bowl env;
  class Greedy final : public Agent {
    std::vector<Design> ask(std::size_t n) override { return std::vector<Design>(n + 1, bowl("1")); }
    void tell(const std::vector<Feedback>&) override {}
  } greedy;
  CHECK_THROWS_WITH(Runner::run(env, greedy, env.default_objective(), 10, 2, 1, true),
                    "runner: the agent returned 3 designs when asked for at most 2");
  // It had ended the run as "finished" after no evaluation at all.
  class Silent final : public Agent {
    std::vector<Design> ask(std::size_t) override { return {}; }
    void tell(const std::vector<Feedback>&) override {}
  } silent;
  CHECK_THROWS_WITH(Runner::run(env, silent, env.default_objective(), 10, 2, 1, true),
                    "runner: the agent returned no designs when asked for 2 but is not finished() (an agent with "
                    "nothing more to propose says so there)");
  toy::Search finishing(env.space(), 3, /*max_evaluations=*/5, 1);
  CHECK(Runner::run(env, finishing, env.default_objective(), 100, 3, 1, false).trajectory.size() == 6);
}

TEST_CASE("a run from the registry is recorded with its configuration") {
  Store store(temp_store("spec"));
  RunSpec spec;
  spec.env = "toy_bowl";
  spec.env_options = {{"fail_x", "3"}};
  spec.agent = "toy_search";
  spec.agent_options = {{"batch", "5"}};
  spec.seed = 77;
  spec.budget = 23;
  spec.workers = 2;
  spec.progress = false;
  spec.stop_on_target = false;
  spec.targets = {{"latency_ns", 12.0}};  // adds a second objective metric
  auto r = Runner::run(spec, &store);
  CHECK(r.run_id == 1);
  const auto run = store.run(1);
  REQUIRE(run);
  CHECK(run->env_config == R"({"delay_us":0,"fail_x":3})");
  CHECK(run->agent_config == R"({"batch":5,"max_evaluations":0})");
  CHECK(run->batch == 5);
  CHECK(run->seed == 77);
  CHECK(run->version == kVersion);
  CHECK(run->git_commit == kGitCommit);
  CHECK(run->status == "finished");
  CHECK(run->evaluations == 23);
  const Objective stored = Objective::from_json(run->objective);
  REQUIRE(stored.targets().size() == 2);
  CHECK(stored.targets()[1].metric == "latency_ns");

  // Same spec without a store gives the same trajectory.
  auto again = Runner::run(spec, nullptr);
  require_same_trajectory(r, again);
  CHECK(again.run_id == 0);
}

TEST_CASE("bad run input is refused before the store is touched") {
  Store store(temp_store("refused"));
  RunSpec good;
  good.env = "toy_bowl";
  good.agent = "toy_search";
  good.progress = false;
  auto bad = good;
  bad.env_options = {{"fail_x", "99"}};
  CHECK_THROWS_WITH(Runner::run(bad, &store), Catch::StartsWith("env 'toy_bowl': option 'fail_x'"));
  bad = good;
  bad.agent_options = {{"bach", "2"}};
  CHECK_THROWS_WITH(Runner::run(bad, &store), Catch::StartsWith("agent 'toy_search': unknown option 'bach' (did you mean 'batch'?)"));
  // An option given to the other side says where it belongs.
  bad = good;
  bad.env_options = {{"batch", "2"}};
  CHECK_THROWS_WITH(Runner::run(bad, &store), "env 'toy_bowl': unknown option 'batch'; it is an option of agent "
                                              "'toy_search', so give it with the agent's options");
  bad = good;
  bad.agent_options = {{"fail_x", "2"}};
  CHECK_THROWS_WITH(Runner::run(bad, &store), "agent 'toy_search': unknown option 'fail_x'; it is an option of env "
                                              "'toy_bowl', so give it with the env's options");
  bad = good;
  bad.targets = {{"cost", 1.0}};
  CHECK_THROWS_WITH(Runner::run(bad, &store),
                    "target: env 'toy_bowl' has no metric 'cost' (did you mean 'cost_u'?); its metrics: cost_u, latency_ns");
  bad = good;
  bad.targets = {{"cost_u", -1.0}};
  CHECK_THROWS_WITH(Runner::run(bad, &store), Catch::Contains("must be a finite number > 0 (at least 2.2"));
  bad = good;
  bad.formulation = "ratio";
  CHECK_THROWS_WITH(Runner::run(bad, &store), Catch::Contains("unknown reward formulation 'ratio'"));
  bad = good;
  bad.agent = "nope";
  CHECK_THROWS_WITH(Runner::run(bad, &store), Catch::Contains("unknown agent 'nope'"));
  bad = good;
  bad.budget = 0;
  CHECK_THROWS_WITH(Runner::run(bad, &store), Catch::Contains("budget must be at least 1"));
  CHECK(store.runs().empty());
}

TEST_CASE("a target turned off leaves the env's other targets, and one must stay") {
  // ArchGym's power-only DRAM reward is the default objective with latency turned off.
  toy::Bowl env;  // default objective: cost_u at 0.5
  const Objective both = run_objective(env, "", {{"latency_ns", 12.0}});
  REQUIRE(both.targets().size() == 2);
  const Objective latency_only = run_objective(env, "", {{"latency_ns", 12.0}, {"cost_u", kTargetOff}});
  REQUIRE(latency_only.targets().size() == 1);
  CHECK(latency_only.targets()[0].metric == "latency_ns");
  CHECK(latency_only.targets()[0].value == 12.0);
  // The formulation, tolerance and caps of the env's objective are kept.
  CHECK(latency_only.formulation() == env.default_objective().formulation());
  CHECK(latency_only.tolerance == env.default_objective().tolerance);
  CHECK(latency_only.cost_cap == env.default_objective().cost_cap);
  CHECK_THROWS_WITH(run_objective(env, "", {{"cost_u", kTargetOff}}),
                    "target: every target is turned off; keep at least one");
  CHECK_THROWS_WITH(run_objective(env, "", {{"latency_ns", kTargetOff}}),
                    "target: 'latency_ns' is turned off, but has no target to turn off; targets: cost_u");
}

TEST_CASE("rows given to replay in memory must be sorted by index, each once") {
  auto row = [](std::int64_t index) {
    EvaluationRecord r;
    r.run_id = 1;
    r.index = index;
    return r;
  };
  CHECK_THROWS_WITH(RowsInMemory({row(0), row(2), row(1)}), "RowsInMemory: rows must be sorted by index, each index once");
  CHECK_THROWS_WITH(RowsInMemory({row(0), row(0)}), "RowsInMemory: rows must be sorted by index, each index once");
  const RowsInMemory rows({row(1), row(3), row(4)});
  CHECK(rows.span().count == 3);
  CHECK(rows.span().first == 1);
  CHECK(rows.span().last == 4);
  CHECK(rows.rows(2, 4).size() == 1);
  CHECK(rows.rows(2, 4).front().index == 3);
  CHECK(rows.rows(5, 9).empty());
}

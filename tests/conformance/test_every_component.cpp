// Every registered env, agent and proxy model against the contract the runner, the store and
// the proxies rely on. A component added in its own file is checked here with no test of
// its own: nothing below names one, except the options an env needs that have no default
// (example_options: the proxy env's model file; a new such env adds its entry there, or is
// skipped with a warning naming it).
#include "tests/catch.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/proxy_dataset.h"
#include "core/registry.h"
#include "core/rng.h"
#include "core/runner.h"
#include "core/trained_proxy.h"
#include "tests/core/temp_store.h"
#include "tests/core/trajectory_checks.h"

using namespace archgym;

namespace {

// The dram env on a short generated trace: cheap enough for a few hundred evaluations.
const std::map<std::string, std::string> kSmallDram = {{"generator", "random"}, {"requests", "200"}};

std::string scratch(const std::string& name) {
  const auto dir = std::filesystem::path(ARCHGYM_TEST_BINARY_DIR) / "conformance";
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

RunSpec random_walk_on_small_dram(std::uint64_t budget) {
  RunSpec spec;
  spec.env = "dram";
  spec.env_options = kSmallDram;
  spec.agent = "random_walk";
  spec.seed = 3;
  spec.budget = budget;
  spec.workers = 2;
  spec.stop_on_target = false;
  spec.progress = false;
  return spec;
}

// The rows of a small dram run, for the proxy models to learn from.
const ProxyDataset& dram_dataset() {
  static const ProxyDataset data = [] {
    // One store per test case: CTest runs the cases as parallel processes, and temp_store
    // removes what another one may have open.
    std::string test = Catch::getResultCapture().getCurrentTestName().substr(0, 24);
    std::replace_if(test.begin(), test.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
    Store store(temp_store("conformance_dram_rows_" + test));
    const auto id = Runner::run(random_walk_on_small_dram(120), &store).run_id;
    return load_proxy_dataset(store, {id});
  }();
  return data;
}

// A kNN proxy model file of the small dram env (for the proxy env).
const std::string& dram_proxy_file() {
  static const std::string path = [] {
    ProxyTrainingOptions options;
    options.model = "knn";
    const std::string p = scratch("dram_knn.proxy.json");
    TrainedProxy::train(dram_dataset(), options).save(p);
    return p;
  }();
  return path;
}

// The options an env is checked with: none beyond its defaults, unless it needs them (the
// proxy env's model) or its defaults are slow (the dram env's 10,000-request trace).
std::map<std::string, std::string> example_options(const std::string& env) {
  if (env == "dram") return kSmallDram;
  if (env == "proxy") return {{"model", dram_proxy_file()}};
  return {};
}

// The env `name` built for these checks, or null (with a warning) when its defaults do not
// build. One given example options must build from them.
std::unique_ptr<Env> example_env(const std::string& name) {
  if (!example_options(name).empty()) return make_env(name, example_options(name));
  try {
    return make_env(name, example_options(name));
  } catch (const std::exception& e) {
    WARN("env '" << name << "' is not checked: it does not build from its defaults (" << e.what()
                 << "); give it example options in tests/conformance/test_every_component.cpp");
    return nullptr;
  }
}

std::vector<std::string> names_of(const auto& registry) {
  std::vector<std::string> names;
  for (const auto& [name, entry] : registry.entries()) names.push_back(name);
  return names;
}

}  // namespace

TEST_CASE("the conformance checks see the shipped components") {
  // Registered by linking them in: a component dropped from the build would leave the
  // checks below passing over nothing.
  const auto envs = names_of(EnvRegistry::instance());
  const auto agents = names_of(AgentRegistry::instance());
  const auto models = names_of(ProxyRegistry::instance());
  for (const char* env : {"dram", "proxy"}) CHECK(std::count(envs.begin(), envs.end(), env) == 1);
  for (const char* agent : {"ga", "random_walk"}) CHECK(std::count(agents.begin(), agents.end(), agent) == 1);
  for (const char* model : {"knn", "random_forest"}) CHECK(std::count(models.begin(), models.end(), model) == 1);
}

TEST_CASE("every env evaluates its default design, deterministically and alike from two threads") {
  for (const std::string& name : names_of(EnvRegistry::instance())) {
    INFO("env " << name);
    const auto env = example_env(name);
    if (!env) continue;
    const DesignSpace& space = env->space();
    REQUIRE(space.dimension() > 0);
    CHECK_FALSE(space.check(env->default_design()));
    const Evaluation first = evaluate_checked(*env, env->default_design());
    REQUIRE(first.valid);
    std::vector<std::string> metrics;
    for (const auto& [metric, value] : first.metrics) metrics.push_back(metric);
    auto sorted = env->metric_names();
    std::sort(sorted.begin(), sorted.end());
    CHECK(metrics == sorted);
    // Its default objective scores it (a target on a metric it has).
    CHECK_NOTHROW(env->default_objective().check_metrics(env->metric_names()));

    // Sampled designs: the same metrics again, and from two threads at once (the runner
    // evaluates a batch on a pool sharing one env).
    Rng rng(11);
    std::vector<Design> designs{env->default_design()};
    for (int i = 0; i < 7; ++i) designs.push_back(space.sample(rng));
    std::vector<Evaluation> sequential;
    for (const auto& d : designs) sequential.push_back(evaluate_checked(*env, d));
    CHECK(sequential.front().metrics == first.metrics);
    std::vector<Evaluation> parallel(designs.size());
    {
      std::vector<std::thread> threads;
      for (std::size_t t = 0; t < 2; ++t)
        threads.emplace_back([&, t] {
          for (std::size_t i = t; i < designs.size(); i += 2) parallel[i] = evaluate_checked(*env, designs[i]);
        });
      for (auto& thread : threads) thread.join();
    }
    for (std::size_t i = 0; i < designs.size(); ++i) {
      INFO("design " << space.to_json(designs[i]));
      CHECK(parallel[i].valid == sequential[i].valid);
      CHECK(parallel[i].metrics == sequential[i].metrics);
      CHECK(parallel[i].invalid_reason == sequential[i].invalid_reason);
    }

    // The options a run records build the same env, and are their own canonical form.
    const Options given = env_options(name, example_options(name));
    const Options recorded = env->canonical_options(given);
    CHECK(env->canonical_options(recorded).to_json() == recorded.to_json());
    const auto rebuilt = build_env(name, recorded);
    CHECK(rebuilt->space().names() == space.names());
    CHECK(evaluate_checked(*rebuilt, designs.back()).metrics == sequential.back().metrics);
  }
}

TEST_CASE("every agent searches reproducibly: any workers, and a resume from a partial store, give the same run") {
  const auto env = make_env("dram", kSmallDram);
  const Objective objective = env->default_objective();
  constexpr std::uint64_t kBudget = 48;
  for (const std::string& name : names_of(AgentRegistry::instance())) {
    INFO("agent " << name);
    auto agent = [&] { return make_agent(name, env->space(), {}, 7); };
    const auto a = agent();
    const std::uint64_t batch = std::max<std::size_t>(1, a->preferred_batch());
    Store store(temp_store("conformance_agent_" + name));
    RunRecord record;
    record.env = "dram";
    const auto id = store.create_run(record);
    const RunResult reference = Runner::run(*env, *a, objective, kBudget, batch, 1, false, &store, id);
    REQUIRE(reference.evaluations > 0);
    // Every design it proposed is in the space.
    for (const Step& step : reference.trajectory) {
      INFO("evaluation " << step.index);
      CHECK_FALSE(env->space().check(step.design));
    }
    const auto more_workers = agent();
    require_same_trajectory(Runner::run(*env, *more_workers, objective, kBudget, batch, 3, false), reference);

    // Killed with a middle row lost: a fresh agent of the same seed replays what is stored
    // and continues to the same run.
    auto rows = store.evaluations(id);
    rows.resize(rows.size() / 2);
    if (rows.size() > 2) rows.erase(rows.begin() + static_cast<std::ptrdiff_t>(rows.size() / 2));
    Store resumed_store(temp_store("conformance_agent_resumed_" + name));
    const auto resumed_id = resumed_store.create_run(record);
    for (auto row : rows) {
      row.run_id = resumed_id;
      resumed_store.record(row);
    }
    const RowsInMemory replay(rows);
    const auto resumed = agent();
    require_same_trajectory(
        Runner::run(*env, *resumed, objective, kBudget, batch, 2, false, &resumed_store, resumed_id, &replay),
        reference);
  }
}

TEST_CASE("every proxy model fits the same model for a seed with any workers, and saves and loads it exactly") {
  const ProxyDataset& data = dram_dataset();
  for (const std::string& name : names_of(ProxyRegistry::instance())) {
    INFO("proxy model " << name);
    ProxyTrainingOptions options;
    options.model = name;
    options.seed = 5;
    options.workers = 1;
    const TrainedProxy one = TrainedProxy::train(data, options);
    options.workers = 2;
    const TrainedProxy two = TrainedProxy::train(data, options);
    CHECK(one.to_json() == two.to_json());
    const std::string path = scratch(name + ".proxy.json");
    one.save(path);
    const TrainedProxy loaded = TrainedProxy::load(path);
    CHECK(loaded.to_json() == one.to_json());
    for (std::size_t r = 0; r < data.rows(); r += 5) {
      const auto predicted = one.predict(data.designs[r]);
      CHECK(loaded.predict(data.designs[r]) == predicted);
      CHECK(predicted.size() == data.metric_names.size());
    }
  }
}

// Registers the toy env and agent (test-only names) and checks the toy itself, since
// the runner, store and resume tests rely on its known optimum.
#include "tests/catch.h"
#include "tests/core/toy_env.h"

#include "core/registry.h"

namespace {

const archgym::EnvRegistrar toy_env{
    "toy_bowl", "Test-only quadratic bowl (minimum at x=7, size=8, round, scale=1)",
    archgym::Schema()
        .integer("fail_x", -1, -1, 20, "x at which the simulator throws (-1 = never)")
        .integer("delay_us", 0, 0, 10000, "per-evaluation sleep unit, to shuffle completion order"),
    [](const archgym::Options& o) { return std::make_unique<toy::Bowl>(o.integer("fail_x"), o.integer("delay_us")); }};

const archgym::AgentRegistrar toy_agent{
    "toy_search", "Test-only search: half uniform samples, half neighbours of the best",
    archgym::Schema()
        .integer("batch", 4, 1, 64, "designs per ask")
        .integer("max_evaluations", 0, 0, std::nullopt, "finished after this many (0 = never)"),
    [](const archgym::AgentContext& c) {
      return std::make_unique<toy::Search>(*c.space, static_cast<std::size_t>(c.hyperparameters.integer("batch")),
                                           static_cast<std::size_t>(c.hyperparameters.integer("max_evaluations")),
                                           c.seed);
    }};

}  // namespace

TEST_CASE("toy bowl has its documented minimum and metrics") {
  toy::Bowl env;
  const auto best = env.space().from_strings({{"x", "7"}, {"size", "8"}, {"shape", "round"}, {"scale", "1"}});
  const auto e = env.evaluate(best);
  CHECK(e.metric("cost_u") == 0.0);
  CHECK(e.metric("latency_ns") == 18.0);
  CHECK(env.default_objective().score(e).target_met);
  const auto other = env.space().from_strings({{"x", "8"}, {"size", "8"}, {"shape", "round"}, {"scale", "1"}});
  CHECK(env.evaluate(other).metric("cost_u") == 1.0);
  CHECK_FALSE(env.default_objective().score(env.evaluate(other)).target_met);
  CHECK(archgym::EnvRegistry::instance().contains("toy_bowl"));
  CHECK(archgym::AgentRegistry::instance().contains("toy_search"));
}

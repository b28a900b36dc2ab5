// Random walk: uniform, legal, seeded, memoryless.
#include <cmath>

#include "tests/agents/agent_harness.h"
#include "tests/catch.h"

using namespace archgym;
using archgym::test::grid_space;
using archgym::test::mixed_space;
using archgym::test::run_agent;

TEST_CASE("random_walk: bad hyperparameters throw naming the key", "[random_walk]") {
  const DesignSpace space = grid_space(2, 2);
  for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"batch", "0"}, {"batch", "lots"}, {"steps", "10000"}}) {
    try {
      make_agent("random_walk", space, {{key, value}}, 1);
      FAIL("accepted " << key << "=" << value);
    } catch (const std::invalid_argument& e) {
      CHECK(std::string(e.what()).find(key) != std::string::npos);
    }
  }
}

TEST_CASE("random_walk: asks exactly n, prefers its batch, never finishes", "[random_walk]") {
  const DesignSpace space = grid_space(2, 3);
  auto agent = make_agent("random_walk", space, {{"batch", "5"}}, 1);
  CHECK(agent->preferred_batch() == 5);
  CHECK(agent->ask(13).size() == 13);
  CHECK_FALSE(agent->finished());
  CHECK(make_agent("random_walk", space, {}, 1)->preferred_batch() == 8);
}

TEST_CASE("random_walk: same seed same designs, other seed other designs, batch irrelevant", "[random_walk]") {
  const DesignSpace space = mixed_space();
  auto zero = [](const Design&) { return 0.0; };
  const auto a = run_agent("random_walk", space, {}, 4, zero, 200, 8);
  const auto b = run_agent("random_walk", space, {}, 4, zero, 200, 3);
  const auto c = run_agent("random_walk", space, {}, 5, zero, 200, 8);
  CHECK(a.designs == b.designs);
  CHECK(a.designs != c.designs);
}

TEST_CASE("random_walk: legal and uniform over each knob", "[random_walk]") {
  const DesignSpace legal = mixed_space();
  auto zero = [](const Design&) { return 0.0; };
  for (const auto& d : run_agent("random_walk", legal, {}, 9, zero, 500).designs)
    REQUIRE_NOTHROW(legal.validate(d));

  // 8000 draws of an 8-valued knob: each count ~ 1000 +- 30 (sd); allow 5 sd.
  const DesignSpace space = grid_space(1, 8);
  std::vector<int> counts(8, 0);
  for (const auto& d : run_agent("random_walk", space, {}, 9, zero, 8000).designs)
    ++counts[static_cast<std::size_t>(std::get<std::int64_t>(d.values[0]))];
  for (int n : counts) CHECK(std::abs(n - 1000) < 150);
}

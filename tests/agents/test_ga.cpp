// The genetic algorithm against pagmo2's per-algorithm checklist: bad parameters
// throw naming the key, seeds reproduce, the stop criterion stops, non-finite
// rewards survive, values stay legal, and it actually optimises.
#include <cmath>
#include <limits>
#include <numeric>

#include "tests/agents/agent_harness.h"
#include "tests/catch.h"

using namespace archgym;
using archgym::test::count_matches;
using archgym::test::grid_space;
using archgym::test::mixed_space;
using archgym::test::run_agent;

namespace {

void require_rejected(const std::map<std::string, std::string>& hp, const std::string& key) {
  const DesignSpace space = grid_space(3, 4);
  try {
    make_agent("ga", space, hp, 1);
    FAIL("accepted bad hyperparameters; expected a complaint about " << key);
  } catch (const std::invalid_argument& e) {
    INFO(e.what());
    CHECK(std::string(e.what()).find(key) != std::string::npos);
  }
}

double constant(const Design&) { return 1.0; }

}  // namespace

TEST_CASE("ga: bad hyperparameters throw naming the key", "[ga]") {
  require_rejected({{"population", "1"}}, "population");
  require_rejected({{"population", "2000"}}, "population");
  require_rejected({{"population", "many"}}, "population");
  require_rejected({{"generations", "0"}}, "generations");
  require_rejected({{"mutation_prob", "1.5"}}, "mutation_prob");
  require_rejected({{"crossover_prob", "-0.1"}}, "crossover_prob");
  require_rejected({{"tournament_size", "0"}}, "tournament_size");
  require_rejected({{"population", "8"}, {"tournament_size", "9"}}, "tournament_size");
  require_rejected({{"population", "8"}, {"elitism", "8"}}, "elitism");
  require_rejected({{"mutation", "flip"}}, "mutation");
  require_rejected({{"popsize", "8"}}, "popsize");
}

TEST_CASE("ga: the same seed asks the same designs, another seed others", "[ga]") {
  const DesignSpace space = grid_space(6, 5);
  const auto reward = count_matches(space.from_indices({1, 2, 3, 4, 0, 1}));
  const std::map<std::string, std::string> hp{{"population", "8"}, {"generations", "6"}};
  const auto a = run_agent("ga", space, hp, 7, reward, 1000);
  const auto b = run_agent("ga", space, hp, 7, reward, 1000);
  const auto c = run_agent("ga", space, hp, 8, reward, 1000);
  REQUIRE(a.designs.size() == 8 + 5 * 7);
  CHECK(a.designs == b.designs);
  CHECK(a.designs != c.designs);
}

TEST_CASE("ga: the batch size cuts generations but never changes them", "[ga]") {
  // The runner may ask fewer than a population (budget, --batch); the sequence of
  // designs must not depend on how it is cut.
  const DesignSpace space = grid_space(5, 6);
  const auto reward = count_matches(space.from_indices({5, 4, 3, 2, 1}));
  const std::map<std::string, std::string> hp{{"population", "10"}, {"generations", "5"}};
  const auto whole = run_agent("ga", space, hp, 3, reward, 1000, 10);
  for (std::size_t batch : {1u, 3u, 7u, 64u}) {
    INFO("batch " << batch);
    const auto cut = run_agent("ga", space, hp, 3, reward, 1000, batch);
    CHECK(cut.designs == whole.designs);
  }
  // A budget ending mid-generation gives a prefix of the same trajectory.
  const auto short_run = run_agent("ga", space, hp, 3, reward, 23, 10);
  REQUIRE(short_run.designs.size() == 23);
  CHECK(std::equal(short_run.designs.begin(), short_run.designs.end(), whole.designs.begin()));
}

TEST_CASE("ga: stops after its generations, elites are not re-evaluated", "[ga]") {
  const DesignSpace space = grid_space(4, 4);
  auto agent = make_agent("ga", space, {{"population", "6"}, {"generations", "3"}, {"elitism", "2"}}, 1);
  CHECK(agent->preferred_batch() == 6);
  std::vector<std::size_t> sizes;
  while (!agent->finished()) {
    const auto designs = agent->ask(100);
    REQUIRE(!designs.empty());
    sizes.push_back(designs.size());
    std::vector<Feedback> fb;
    for (const auto& d : designs) fb.push_back({d, Evaluation{}, constant(d)});
    agent->tell(fb);
  }
  CHECK(sizes == std::vector<std::size_t>{6, 4, 4});
  CHECK(agent->ask(5).empty());
}

TEST_CASE("ga: tell without a matching ask is refused", "[ga]") {
  const DesignSpace space = grid_space(3, 3);
  auto agent = make_agent("ga", space, {{"population", "4"}}, 1);
  const Design d = space.from_indices({0, 0, 0});
  CHECK_THROWS_AS(agent->tell({{d, Evaluation{}, 1.0}}), std::logic_error);
  const auto asked = agent->ask(2);
  REQUIRE(asked.size() == 2);
  CHECK_THROWS_AS(agent->tell({{d, Evaluation{}, 1.0}, {d, Evaluation{}, 1.0}, {d, Evaluation{}, 1.0}}),
                  std::logic_error);
  // Two asks before one tell, or a tell of part of an ask: the results would be matched
  // to the wrong individuals (the first ask's), so both are refused.
  CHECK_THROWS_WITH(agent->ask(2), "agent 'ga': ask() called while 2 designs of the last ask await tell()");
  CHECK_THROWS_WITH(agent->tell({{d, Evaluation{}, 1.0}}),
                    "agent 'ga': tell() got 1 results for the 2 designs of the last ask");
  agent->tell({{asked[0], Evaluation{}, 1.0}, {asked[1], Evaluation{}, 2.0}});
  CHECK(agent->ask(2).size() == 2);  // told in full: the next ask goes on
}

TEST_CASE("ga: NaN and infinite rewards survive and never win", "[ga]") {
  // Half the space reports garbage; the GA must keep going and still climb on the rest.
  const DesignSpace space = grid_space(8, 4);
  const auto matches = count_matches(space.from_indices({3, 3, 3, 3, 3, 3, 3, 3}));
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  auto reward = [&](const Design& d) {
    const auto x0 = std::get<std::int64_t>(d.values[0]);
    if (x0 == 0) return nan;
    if (x0 == 1) return inf;  // an uncapped "perfect" score is a bug, not a winner
    if (x0 == 2) return -inf;
    return matches(d);
  };
  const auto t = run_agent("ga", space, {{"population", "16"}, {"generations", "20"}}, 5, reward, 10000);
  REQUIRE(t.designs.size() == 16 + 19 * 15);
  for (const auto& d : t.designs) REQUIRE_FALSE(space.check(d).has_value());
  // If infinity won tournaments the population would collapse onto x0 == 1.
  std::size_t last_gen_garbage = 0, last_gen_best = 0;
  for (std::size_t i = t.designs.size() - 15; i < t.designs.size(); ++i) {
    last_gen_garbage += !std::isfinite(t.rewards[i]);
    last_gen_best = std::max(last_gen_best, static_cast<std::size_t>(std::isfinite(t.rewards[i]) ? t.rewards[i] : 0));
  }
  CHECK(last_gen_garbage < 8);
  CHECK(last_gen_best >= 6);
}

TEST_CASE("ga: every asked design is legal, for every kind and both mutations", "[ga]") {
  const DesignSpace space = mixed_space();
  auto reward = [](const Design& d) { return std::get<double>(d.values[4]); };
  for (const std::string mutation : {"redraw", "neighbour"}) {
    INFO(mutation);
    const auto t = run_agent("ga", space,
                             {{"population", "12"}, {"generations", "15"}, {"mutation_prob", "1"},
                              {"mutation", mutation}},
                             11, reward, 10000);
    REQUIRE(t.designs.size() == 12 + 14 * 11);
    for (const auto& d : t.designs) {
      INFO(space.to_json(d));
      REQUIRE_NOTHROW(space.validate(d));
      CHECK(std::holds_alternative<std::int64_t>(d.values[0]));
      CHECK(std::holds_alternative<std::int64_t>(d.values[1]));
    }
  }
}

TEST_CASE("ga: neighbour mutation moves ordered knobs by one step", "[ga]") {
  // With crossover off, tournaments of one and elitism 0, each child is a parent with
  // every gene mutated: each integer gene must be exactly one step from some parent's.
  const DesignSpace space = grid_space(1, 10);
  auto agent = make_agent("ga", space,
                          {{"population", "4"}, {"generations", "2"}, {"elitism", "0"}, {"tournament_size", "1"},
                           {"crossover_prob", "0"}, {"mutation_prob", "1"}, {"mutation", "neighbour"}},
                          2);
  auto first = agent->ask(4);
  std::vector<Feedback> fb;
  for (const auto& d : first) fb.push_back({d, Evaluation{}, 0.0});
  agent->tell(fb);
  for (const auto& child : agent->ask(4)) {
    const auto c = std::get<std::int64_t>(child.values[0]);
    bool adjacent = false;
    for (const auto& p : first) adjacent |= std::llabs(std::get<std::int64_t>(p.values[0]) - c) == 1;
    CHECK(adjacent);
  }
}

TEST_CASE("ga: beats random walk at equal budget on a separable toy problem", "[ga]") {
  // 10 knobs x 8 values (~1e9 designs); reward = number of knobs matching a hidden answer.
  const DesignSpace space = grid_space(10, 8);
  const std::size_t budget = 400;
  double ga_total = 0, rw_total = 0;
  int ga_wins = 0;
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    Rng rng(1000 + seed);
    const auto reward = count_matches(space.sample(rng));
    const double ga = run_agent("ga", space, {}, seed, reward, budget).best();
    const double rw = run_agent("random_walk", space, {}, seed, reward, budget).best();
    ga_total += ga;
    rw_total += rw;
    ga_wins += ga > rw;
  }
  INFO("mean best: ga " << ga_total / 5 << ", random walk " << rw_total / 5);
  CHECK(ga_total / 5 >= rw_total / 5 + 2);
  CHECK(ga_wins >= 4);
}

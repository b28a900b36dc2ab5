#include "tests/catch.h"

#include <cmath>
#include <limits>

#include "core/objective.h"

using namespace archgym;

namespace {
Evaluation eval(std::map<std::string, double> metrics) {
  Evaluation e;
  e.metrics = std::move(metrics);
  return e;
}
}  // namespace

TEST_CASE("target ratio: ArchGym's DRAM reward") {
  // ArchGym DRAM defaults: power target 1 W, latency target 0.1.
  Objective o(Formulation::TargetRatio, {{"power_W", 1.0}, {"latency", 0.1}});
  // power 0.5 -> 1 / |0.5 - 1| = 2; latency 0.2 -> 0.1 / 0.1 = 1; joint = product = 2.
  Score s = o.score(eval({{"power_W", 0.5}, {"latency", 0.2}}));
  CHECK(s.raw == Approx(2.0));
  CHECK(s.reward == s.raw);
  CHECK_FALSE(s.target_met);
  // Overshooting is penalised like undershooting: power 1.5 -> 2 as well.
  CHECK(o.score(eval({{"power_W", 1.5}, {"latency", 0.2}})).reward == Approx(2.0));
  // An exact hit is capped, not infinite.
  s = o.score(eval({{"power_W", 1.0}, {"latency", 0.1}}));
  CHECK(s.reward == o.ratio_cap * o.ratio_cap);
  CHECK(s.target_met);
  // Met = every metric within 5% of its target.
  CHECK(o.score(eval({{"power_W", 1.04}, {"latency", 0.1}})).target_met);
  CHECK_FALSE(o.score(eval({{"power_W", 1.06}, {"latency", 0.1}})).target_met);
}

TEST_CASE("normalised cost: ArchGym's Timeloop reward") {
  Objective o(Formulation::NormalisedCost, {{"energy_uJ", 100.0}, {"area_mm2", 2.0}});
  // (150 - 100)/100 = 0.5; area under target counts 0.
  Score s = o.score(eval({{"energy_uJ", 150.0}, {"area_mm2", 1.0}}));
  CHECK(s.raw == Approx(0.5));
  CHECK(s.reward == Approx(-0.5));
  CHECK_FALSE(s.target_met);
  s = o.score(eval({{"energy_uJ", 100.0}, {"area_mm2", 2.0}}));
  CHECK(s.raw == 0.0);
  CHECK(s.target_met);
}

TEST_CASE("budget distance: ArchGym's FARSI reward, sign fixed") {
  Objective o(Formulation::BudgetDistance, {{"latency_ms", 34.0}, {"power_mW", 8.737}});
  Score s = o.score(eval({{"latency_ms", 40.0}, {"power_mW", 5.0}}));
  CHECK(s.raw == Approx(6.0 / 34.0));
  CHECK(s.reward == Approx(-6.0 / 34.0));  // agents maximise reward = -distance
  CHECK(o.score(eval({{"latency_ms", 30.0}, {"power_mW", 5.0}})).target_met);
}

TEST_CASE("weighted sum") {
  Objective o(Formulation::WeightedSum, {{"a", 10.0, 2.0}, {"b", 4.0, 1.0}});
  Score s = o.score(eval({{"a", 5.0}, {"b", 8.0}}));
  CHECK(s.raw == Approx(2 * 0.5 + 1 * 2.0));
  CHECK(s.reward == Approx(-3.0));
  CHECK_FALSE(s.target_met);
}

TEST_CASE("invalid designs are strictly the worst, and finite") {
  Objective ratio(Formulation::TargetRatio, {{"m", 1.0}});
  Objective cost(Formulation::NormalisedCost, {{"m", 1.0}});
  const Evaluation bad = Evaluation::invalid("no mapping");
  CHECK(ratio.score(bad).reward == -1.0);
  CHECK(cost.score(bad).reward == -1e7);
  CHECK_FALSE(ratio.score(bad).target_met);
  // A terrible but valid design still beats an invalid one.
  CHECK(ratio.score(eval({{"m", 1e300}})).reward > ratio.invalid_reward());
  CHECK(cost.score(eval({{"m", 1e300}})).reward == -cost.cost_cap);
  // A NaN metric is a failed simulation, never a good score.
  CHECK(cost.score(eval({{"m", std::nan("")}})).reward == cost.invalid_reward());
  CHECK_THROWS_WITH(ratio.score(eval({{"n", 1.0}})), "the evaluation has no metric 'm' (did you mean 'n'?); its metrics: n");
}

TEST_CASE("objective validation, names and JSON round trip") {
  CHECK_THROWS_WITH(Objective(Formulation::TargetRatio, {{"m", 0.0}}), Catch::Contains("target for 'm' must be a finite number > 0 (at least 2.2250738585072014e-308), got 0"));
  CHECK_THROWS_WITH(Objective(Formulation::TargetRatio, {{"m", 1.0}, {"m", 2.0}}), Catch::Contains("'m' has two targets"));
  Objective o(Formulation::BudgetDistance, {{"latency_ms", 34.0}, {"power_mW", 8.737, 0.5}});
  o.tolerance = 0.01;
  o.set_target("latency_ms", 21.0);
  CHECK_THROWS_WITH(o.set_target("area", 1.0), Catch::Contains("'area' is not an objective metric"));
  const Objective back = Objective::from_json(o.to_json());
  CHECK(back.to_json() == o.to_json());
  CHECK(back.formulation() == Formulation::BudgetDistance);
  CHECK(back.targets()[0].value == 21.0);
  CHECK(back.targets()[1].weight == 0.5);
  CHECK(back.tolerance == 0.01);
  CHECK(Objective::parse_formulation("Normalized-Cost") == Formulation::NormalisedCost);
  CHECK(Objective::parse_formulation("TargetRatio") == Formulation::TargetRatio);
  CHECK(Objective::parse_formulation("budget_distance") == Formulation::BudgetDistance);
  CHECK_THROWS_WITH(Objective::parse_formulation("ratio"),
                    Catch::Contains("known formulations: target_ratio, normalised_cost, budget_distance, weighted_sum"));
  CHECK_THROWS_WITH(o.check_metrics({"latency_ms", "energy_nJ"}),
                    "objective: unknown metric 'power_mW'; available metrics: latency_ms, energy_nJ");
}

TEST_CASE("objective from_json checks every setting as the constructor and setters do") {
  const std::string head = R"({"formulation":"target_ratio","targets":[{"metric":"power_W","value":1.0)";
  CHECK_THROWS_WITH(Objective::from_json(head + R"(}],"tolerance":-5})"),
                    "objective: tolerance must be a finite number >= 0, got -5");
  CHECK_THROWS_WITH(Objective::from_json(head + R"(}],"ratio_cap":0})"),
                    "objective: ratio_cap must be a finite number > 0, got 0");
  CHECK_THROWS_WITH(Objective::from_json(head + R"(}],"cost_cap":1e308})"),
                    Catch::StartsWith("objective: cost_cap must be a number > 0 and at most"));
  CHECK_THROWS_WITH(Objective::from_json(R"({"formulation":"target_ratio","targets":[{"metric":"power_W","value":-1}]})"),
                    Catch::Contains("target for 'power_W' must be a finite number"));
  CHECK(Objective::from_json(head + R"(}],"tolerance":0})").tolerance == 0);
}

TEST_CASE("a subnormal target is refused, and an overflowing cost still gets its capped reward") {
  CHECK_THROWS_WITH(Objective(Formulation::WeightedSum, {{"m", 1e-310}}), Catch::Contains("target for 'm'"));
  // Largest-magnitude metric over the smallest normal target: the raw cost overflows to
  // infinity, the reward is the cap (a valid, very bad design, not an unscorable one).
  const Objective o(Formulation::NormalisedCost, {{"m", 1e-300}});
  Evaluation e;
  e.metrics["m"] = 1e10;
  const Score s = o.score(e);
  CHECK(std::isinf(s.raw));
  CHECK(s.reward == -o.cost_cap);
}

TEST_CASE("extreme targets keep target-ratio rewards finite and positive, and never make a sum NaN") {
  // Every metric on target with a huge cap: the product overflowed to inf.
  Objective hit(Formulation::TargetRatio, {{"a", 1.0}, {"b", 2.0}});
  hit.ratio_cap = 1e200;
  const Score top = hit.score(eval({{"a", 1.0}, {"b", 2.0}}));
  CHECK(top.reward == std::numeric_limits<double>::max());
  CHECK(top.target_met);
  // Tiny targets: the product underflowed to exactly 0, below the invalid reward's "> 0".
  const Objective tiny(Formulation::TargetRatio, {{"a", 1e-200}, {"b", 1e-200}});
  const Score low = tiny.score(eval({{"a", 1.0}, {"b", 1.0}}));
  CHECK(low.reward > 0);
  CHECK(std::isfinite(low.raw));
  CHECK(low.reward > tiny.invalid_reward());
  // One ratio overflowing, the next 0 (a distance of inf): inf x 0 was NaN.
  Objective mixed(Formulation::TargetRatio, {{"a", 1.0}, {"b", 1.0}, {"c", 1e308}});
  mixed.ratio_cap = 1e300;
  const Score nan_free = mixed.score(eval({{"a", 1.0}, {"b", 1.0}, {"c", -1e308}}));
  CHECK(nan_free.reward > 0);
  CHECK(std::isfinite(nan_free.reward));
  // Unchanged where the product is in range: the plain product, bit for bit.
  CHECK(hit.score(eval({{"a", 0.5}, {"b", 1.0}})).raw == 2.0 * 2.0);
  // A weighted sum of +inf and -inf has no value: scored as invalid, not NaN.
  const Objective sum(Formulation::WeightedSum, {{"a", 1e-307, 1.0}, {"b", 1e-307, -100.0}});
  const Score undefined = sum.score(eval({{"a", 1e10}, {"b", 1e10}}));
  CHECK(undefined.reward == sum.invalid_reward());
  CHECK_FALSE(undefined.target_met);
}

TEST_CASE("a cost of zero (every budget met) is reward 0, not -0") {
  // -0 printed as "reward -0" in the run summary.
  Objective o(Formulation::NormalisedCost, {{"energy_uJ", 100.0}});
  const Score s = o.score(eval({{"energy_uJ", 90.0}}));
  CHECK(s.raw == 0);
  CHECK(s.reward == 0);
  CHECK_FALSE(std::signbit(s.reward));
}

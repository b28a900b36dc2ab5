#include <cmath>
#include <limits>

#include "tests/catch.h"

#include "core/env.h"
#include "core/evaluation.h"
#include "tests/core/toy_env.h"

using namespace archgym;

TEST_CASE("metric lookup names the available metrics") {
  Evaluation e;
  e.metrics = {{"energy_uJ", 1.0}, {"latency_ms", 2.0}};
  CHECK(e.metric("latency_ms") == 2.0);
  CHECK_THROWS_WITH(e.metric("latency"),
                    "the evaluation has no metric 'latency' (did you mean 'latency_ms'?); its metrics: energy_uJ, latency_ms");
  CHECK_THROWS_WITH(Evaluation::invalid("no mapping").metric("energy_uJ"),
                    "metric 'energy_uJ' is not available: the design is invalid (no mapping)");
}

TEST_CASE("evaluate_checked turns throws and out-of-space designs into invalid evaluations") {
  toy::Bowl env(/*fail_x=*/3);
  const DesignSpace& s = env.space();
  auto crashed = evaluate_checked(env, s.from_strings({{"x", "3"}, {"size", "8"}, {"shape", "round"}, {"scale", "1"}}));
  CHECK_FALSE(crashed.valid);
  CHECK(crashed.invalid_reason == "evaluation failed: toy simulator crashed at x=3");
  auto outside = evaluate_checked(env, Design{{std::int64_t{99}, std::int64_t{8}, std::string("round"), 1.0}});
  CHECK(outside.invalid_reason == "design outside the space: x: 99 is not allowed; allowed: integer 0..20");
  auto fine = evaluate_checked(env, env.default_design());
  CHECK(fine.valid);
  CHECK(fine.sim_seconds > 0);  // measured when the env does not report it
}

TEST_CASE("evaluate_checked refuses metrics other than the env's metric_names") {
  // A plugin env reporting a metric under another name would be stored as valid, and
  // fail later at a target or in proxy training, far from the cause.
  struct Misnamed : Env {  // the bowl, declaring one metric it never reports
    toy::Bowl bowl;
    const DesignSpace& space() const override { return bowl.space(); }
    std::vector<std::string> metric_names() const override { return {"latency_ns", "area_mm2", "cost_u"}; }
    Evaluation evaluate(const Design& d) const override { return bowl.evaluate(d); }
    Objective default_objective() const override { return bowl.default_objective(); }
  } env;
  const auto e = evaluate_checked(env, env.default_design());
  CHECK_FALSE(e.valid);
  CHECK(e.invalid_reason ==
        "the env reported the metrics {cost_u, latency_ns} but declares {area_mm2, cost_u, latency_ns} "
        "(metric_names()): a bug in the env");
  CHECK(e.sim_seconds > 0);
  toy::Bowl right;  // the same names in another order are fine
  CHECK(evaluate_checked(right, right.default_design()).valid);
}

TEST_CASE("evaluate_checked makes an evaluation with a non-finite metric invalid") {
  // Stored as JSON null, an infinite metric gave a "valid" row without it (a proxy model
  // whose leaf values overflowed when its trees were averaged).
  struct Overflowing : Env {  // the bowl, whose cost overflows
    toy::Bowl bowl;
    double cost;
    explicit Overflowing(double c) : cost(c) {}
    const DesignSpace& space() const override { return bowl.space(); }
    std::vector<std::string> metric_names() const override { return bowl.metric_names(); }
    Evaluation evaluate(const Design& d) const override {
      Evaluation e = bowl.evaluate(d);
      e.metrics["cost_u"] = cost;
      return e;
    }
    Objective default_objective() const override { return bowl.default_objective(); }
  };
  const Overflowing inf(std::numeric_limits<double>::infinity()), nan(std::nan(""));
  CHECK(evaluate_checked(inf, inf.default_design()).invalid_reason == "the env reported cost_u = inf, not a finite number");
  CHECK_FALSE(evaluate_checked(nan, nan.default_design()).valid);
  const Overflowing large(1e308);
  CHECK(evaluate_checked(large, large.default_design()).valid);
}

// The learned feature scales are part of every saved kNN model: any change to how they
// are computed changes model files. These pins are the exact values the first (serial)
// implementation learned; a faster objective must reproduce them bit for bit.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/registry.h"
#include "proxies/feature_scaling.h"
#include "tests/catch.h"
#include "tests/proxies/synthetic_data.h"

using namespace archgym;

namespace {

struct PinnedCase {
  const char* name;
  ProxyTrainingSet data;
  FeatureScalingOptions options;
  std::vector<double> scales;  // as learned by the serial implementation (hex floats: exact)
};

std::vector<PinnedCase> pinned_cases() {
  std::vector<PinnedCase> cases;
  // One feature decides the metric: its scale grows until most kernel weights underflow.
  const std::vector<testdata::Target> first{
      {"y", [](const std::vector<double>& x) { return std::sin(2.0 * testdata::kPi * x[0]); }}};
  cases.push_back({"one relevant feature", testdata::make_set(300, 6, first, 21), {},
                   {0x1.67ec04cd394ap+16, 0x1.1da2df7ff9181p+0, 0x1.ef63fd6c9f2f2p-1, 0x1.e1f9a4919e3cp-1,
                    0x1.e299f23ae28cdp-1, 0x1.fe9e4f746880fp-1}});
  // Three metrics (one constant, left out) on a seeded sample of the rows.
  FeatureScalingOptions sampled;
  sampled.max_rows = 120;
  sampled.seed = 9;
  cases.push_back({"sampled rows, three metrics", testdata::make_set(250, 5, testdata::reference_targets(), 3),
                   sampled,
                   {0x1.7f3f7def3ef86p+7, 0x1.5b93f381f3c73p+3, 0x1.331ec549f7c68p+4, 0x1.4a097d088c67fp-4,
                    0x1.425b8b0408e76p-10}});
  // Features on a grid of {0, 0.5, 1}, like one-hot and few-valued knobs: many rows repeat
  // a design, so many distances are 0.
  ProxyTrainingSet grid = testdata::make_set(200, 4, testdata::reference_targets(), 4);
  for (std::size_t r = 0; r < grid.rows(); ++r) {
    for (double& v : grid.features[r]) v = std::round(v * 2.0) / 2.0;
    grid.targets[r] = {testdata::smooth(grid.features[r]), testdata::step(grid.features[r])};
  }
  cases.push_back({"repeated designs", grid, {},
                   {0x1.ceb31f609737fp+22, 0x1.c6ae8fcfa8424p+5, 0x1.0182d8c2fd3cfp+8, 0x1.78d343237f1afp-1}});
  // More rows than the objective handles in one block (it holds at most 2^18 gradient
  // coefficients at once); a few iterations are enough to compare every bit.
  FeatureScalingOptions short_run;
  short_run.max_rows = 1500;
  short_run.max_iterations = 4;
  cases.push_back({"rows in several blocks", testdata::make_set(1500, 3, testdata::reference_targets(), 31),
                   short_run, {0x1.c5741b79e3253p+9, 0x1.26c882fec5ac7p+1, 0x1.0d0898dde6033p+2}});
  return cases;
}

}  // namespace

TEST_CASE("learned feature scales are bit-identical to the pinned values with any number of threads",
          "[proxy][knn][scaling]") {
  for (const PinnedCase& c : pinned_cases()) {
    for (unsigned threads : {1u, 2u, 3u}) {
      INFO(c.name << ", " << threads << " thread(s)");
      FeatureScalingOptions options = c.options;
      options.threads = threads;
      CHECK(learn_feature_scales(c.data.features, c.data.targets, options) == c.scales);
    }
  }
}

TEST_CASE("learning feature scales reports each iteration and its loss", "[proxy][knn][scaling]") {
  const PinnedCase c = pinned_cases().front();
  std::vector<int> iterations;
  std::vector<double> losses;
  FeatureScalingOptions options = c.options;
  options.progress = [&](int iteration, int max_iterations, double loss) {
    CHECK(max_iterations == options.max_iterations);
    iterations.push_back(iteration);
    losses.push_back(loss);
  };
  // Watching does not change what is learned.
  CHECK(learn_feature_scales(c.data.features, c.data.targets, options) == c.scales);
  REQUIRE(iterations.size() >= 2);
  for (std::size_t k = 0; k < iterations.size(); ++k) CHECK(iterations[k] == static_cast<int>(k));  // 0 = the start
  CHECK(iterations.back() <= options.max_iterations);
  for (double loss : losses) CHECK((std::isfinite(loss) && loss >= 0.0));
  CHECK(losses.back() < losses.front());

  // Nothing to learn from (a constant metric): no iteration to report.
  iterations.clear();
  const std::vector<std::vector<double>> constant(c.data.rows(), {3.5});
  CHECK(learn_feature_scales(c.data.features, constant, options) == std::vector<double>(6, 1.0));
  CHECK(iterations.empty());
}

TEST_CASE("the knn model reports learning its scales through the proxy context", "[proxy][knn][scaling]") {
  const PinnedCase c = pinned_cases().front();
  ProxyTrainingSet set = c.data;
  std::vector<std::string> stages;
  std::uint64_t last = 0, total = 0;
  ProxyContext context;
  context.seed = 1;
  context.workers = 2;
  context.progress = [&](const std::string& stage, std::uint64_t done, std::uint64_t of, double) {
    stages.push_back(stage);
    last = done;
    total = of;
  };
  context.hyperparameters = proxy_options("knn", {{"scaling_rows", "500"}});
  auto model = build_proxy("knn", context);
  model->fit(set);
  REQUIRE_FALSE(stages.empty());
  CHECK(stages.front() == "learning feature scales");
  CHECK(std::count(stages.begin(), stages.end(), stages.front()) == static_cast<long>(stages.size()));
  CHECK(total == 100);
  CHECK(last == total);  // complete, also when L-BFGS converged sooner
  CHECK(model->feature_weights() == c.scales);  // 2 workers, a callback: the same scales

  // Equal scales are not learned, so there is nothing to report.
  stages.clear();
  context.hyperparameters = proxy_options("knn", {{"scaling", "none"}});
  build_proxy("knn", context)->fit(set);
  CHECK(stages.empty());
}

TEST_CASE("feature scales stay within their bounds when the rows lie a hair apart", "[proxy][knn][scaling]") {
  // Mean squared distance ~1e-20: the kernel width that makes it 1 is beyond exp(40), where
  // the error function refuses to evaluate; a kNN model refuses to load such scales.
  ProxyTrainingSet data = testdata::make_set(60, 2, testdata::reference_targets(), 5);
  for (auto& row : data.features)
    for (double& v : row) v = 0.5 + (v - 0.5) * 1e-10;
  for (unsigned threads : {1u, 2u}) {
    FeatureScalingOptions options;
    options.threads = threads;
    for (const double s : learn_feature_scales(data.features, data.targets, options)) {
      CHECK(std::isfinite(s));
      CHECK(s <= std::exp(kMaxLogFeatureScale));
      CHECK(s >= std::exp(-kMaxLogFeatureScale));
    }
  }
}

#pragma once
// Training sets drawn from known functions, so a proxy model's answers can be checked
// against the truth: features uniform in [0, 1) (the range proxy_features() produces),
// targets from the functions below. Deterministic: archgym::Rng only.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "core/proxy_model.h"
#include "core/rng.h"

namespace archgym::testdata {

constexpr double kPi = 3.14159265358979323846;

struct Target {
  std::string name;
  std::function<double(const std::vector<double>&)> f;
};

// Smooth in every input: a sum of sine terms over the first three features (the rest
// are inputs a model must learn to ignore). Values roughly in [-2, 2].
inline double smooth(const std::vector<double>& x) {
  double s = std::sin(2.0 * kPi * x[0]);
  if (x.size() > 1) s += 0.7 * std::sin(kPi * x[1]);
  if (x.size() > 2) s += 0.5 * std::cos(1.5 * kPi * x[2]);
  return s;
}
// A step at x0 = 0.5, on a different scale (like a metric in nJ next to one in ms).
inline double step(const std::vector<double>& x) { return x[0] > 0.5 ? 900.0 : 100.0; }
inline double constant(const std::vector<double>&) { return 42.25; }

inline std::vector<Target> reference_targets() {
  return {{"smooth", smooth}, {"step", step}, {"constant", constant}};
}

inline ProxyTrainingSet make_set(std::size_t rows, std::size_t features, const std::vector<Target>& targets,
                                 std::uint64_t seed) {
  Rng rng(seed);
  ProxyTrainingSet set;
  for (std::size_t f = 0; f < features; ++f) set.feature_names.push_back("x" + std::to_string(f));
  for (const Target& t : targets) set.metric_names.push_back(t.name);
  for (std::size_t r = 0; r < rows; ++r) {
    std::vector<double> x(features);
    for (double& v : x) v = rng.uniform();
    std::vector<double> y;
    for (const Target& t : targets) y.push_back(t.f(x));
    set.features.push_back(std::move(x));
    set.targets.push_back(std::move(y));
  }
  return set;
}

// Same functions, fresh points (a different seed stream): the held-out set.
inline ProxyTrainingSet make_held_out(std::size_t rows, std::size_t features, const std::vector<Target>& targets,
                                      std::uint64_t seed) {
  return make_set(rows, features, targets, seed ^ 0xA5A5A5A5DEADBEEFull);
}

struct Score {
  double r2 = 0.0;             // 1 - SSE/SST on the set
  double max_abs_error = 0.0;
};

// How well `model` predicts metric `metric` of `set`.
inline Score score(const ProxyModel& model, const ProxyTrainingSet& set, std::size_t metric) {
  double mean = 0.0;
  for (const auto& y : set.targets) mean += y[metric];
  mean /= static_cast<double>(set.rows());
  double sse = 0.0, sst = 0.0;
  Score s;
  for (std::size_t r = 0; r < set.rows(); ++r) {
    const double truth = set.targets[r][metric];
    const double err = model.predict(set.features[r])[metric] - truth;
    sse += err * err;
    sst += (truth - mean) * (truth - mean);
    s.max_abs_error = std::max(s.max_abs_error, std::abs(err));
  }
  s.r2 = sst > 0.0 ? 1.0 - sse / sst : (sse == 0.0 ? 1.0 : -std::numeric_limits<double>::infinity());
  return s;
}

}  // namespace archgym::testdata

#pragma once
// Learned feature scales for distance-based proxy models: metric learning for kernel
// regression (MLKR, Weinberger & Tesauro, AISTATS 2007), restricted to one non-negative
// scale per feature.
//
// Why: proxy_features() puts every parameter in [0, 1] (one-hot for categorical ones), so
// a plain Euclidean distance weighs a knob that changes nothing as much as the one that
// decides the metric. On ArchGym's DRAM space most knobs barely matter, and an unscaled
// kNN cannot tell (held-out R^2 0.07-0.69). Scaling feature f by s_f makes the distance
// sum_f s_f (x_f - x'_f)^2; the scales are chosen to minimise the leave-one-out error of
// a Gaussian-kernel regression over the training rows, which has a smooth gradient in
// log s_f (Ceres' L-BFGS). Irrelevant features end with scales near zero.
#include <cstdint>
#include <functional>
#include <vector>

namespace archgym {

// The learned scales lie in [exp(-40), exp(40)] (4e-18 .. 2e17): with features in [0, 1],
// a distance stays far from overflow.
inline constexpr double kMaxLogFeatureScale = 40.0;

// Called after each L-BFGS iteration (0 = the starting point) with the loss there: the
// leave-one-out mean squared error of the standardised metrics. It may stop short of
// max_iterations when the loss stops improving.
using FeatureScalingProgress = std::function<void(int iteration, int max_iterations, double loss)>;

struct FeatureScalingOptions {
  std::size_t max_rows = 400;      // rows the objective sees (a seeded sample beyond): O(rows^2)
  int max_iterations = 100;        // L-BFGS iterations
  std::uint64_t seed = 1;          // which rows, when there are more than max_rows
  // Threads evaluating the objective (0 = hardware concurrency, 1 = the caller alone).
  // The scales are bit-identical for any number.
  unsigned threads = 0;
  FeatureScalingProgress progress;  // empty = none
};

// One scale per feature (>= 0; multiply squared feature differences by it).
// features: [row][feature]; targets: [row][metric], each metric standardised inside.
// Returns all ones when there is nothing to learn from (fewer than 3 rows, or every
// target constant); then `progress` is never called. Deterministic: the same inputs give
// bit-identical scales, whatever options.threads.
std::vector<double> learn_feature_scales(const std::vector<std::vector<double>>& features,
                                         const std::vector<std::vector<double>>& targets,
                                         const FeatureScalingOptions& options);

}  // namespace archgym

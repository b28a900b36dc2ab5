#include "proxies/feature_scaling.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <ceres/gradient_problem.h>
#include <ceres/gradient_problem_solver.h>

#include "core/rng.h"

namespace archgym {
namespace {

// Leave-one-out squared error of Nadaraya-Watson regression with the Gaussian kernel
// exp(-sum_f s_f (x_if - x_jf)^2), s_f = exp(theta_f), averaged over rows and metrics.
// With w_ij = K_ij / sum_j K_ij (j != i), prediction p_i = sum_j w_ij z_j and residual
// r_i = p_i - z_i, the gradient is
//   dL/dtheta_f = s_f * (2 / (n m)) * sum_i sum_j -w_ij <r_i, z_j - p_i> (x_if - x_jf)^2.
// Kernel values are shifted by each row's smallest distance before exp(), which cancels
// in w_ij and keeps them finite however large the scales grow.
class LeaveOneOutKernelError final : public ceres::FirstOrderFunction {
 public:
  LeaveOneOutKernelError(std::vector<double> x, std::vector<double> z, std::size_t n, std::size_t d,
                         std::size_t m)
      : x_(std::move(x)), z_(std::move(z)), n_(n), d_(d), m_(m) {}

  int NumParameters() const override { return static_cast<int>(d_); }

  bool Evaluate(const double* theta, double* cost, double* gradient) const override {
    std::vector<double> s(d_);
    for (std::size_t f = 0; f < d_; ++f) {
      if (!(std::abs(theta[f]) <= kMaxLogScale)) return false;  // Ceres backs off the step
      s[f] = std::exp(theta[f]);
    }
    std::vector<double> dist(n_), w(n_), p(m_), r(m_), g(d_, 0.0);
    double total = 0.0;
    for (std::size_t i = 0; i < n_; ++i) {
      const double* xi = &x_[i * d_];
      double nearest = INFINITY;
      for (std::size_t j = 0; j < n_; ++j) {
        if (j == i) continue;
        const double* xj = &x_[j * d_];
        double sum = 0.0;
        for (std::size_t f = 0; f < d_; ++f) {
          const double delta = xi[f] - xj[f];
          sum += s[f] * delta * delta;
        }
        dist[j] = sum;
        nearest = std::min(nearest, sum);
      }
      double weight_sum = 0.0;
      for (std::size_t j = 0; j < n_; ++j) {
        w[j] = j == i ? 0.0 : std::exp(nearest - dist[j]);
        weight_sum += w[j];
      }
      std::fill(p.begin(), p.end(), 0.0);
      for (std::size_t j = 0; j < n_; ++j) {
        w[j] /= weight_sum;
        const double* zj = &z_[j * m_];
        for (std::size_t k = 0; k < m_; ++k) p[k] += w[j] * zj[k];
      }
      const double* zi = &z_[i * m_];
      for (std::size_t k = 0; k < m_; ++k) {
        r[k] = p[k] - zi[k];
        total += r[k] * r[k];
      }
      if (gradient == nullptr) continue;
      for (std::size_t j = 0; j < n_; ++j) {
        if (j == i) continue;
        const double* zj = &z_[j * m_];
        double agreement = 0.0;
        for (std::size_t k = 0; k < m_; ++k) agreement += r[k] * (zj[k] - p[k]);
        const double a = -w[j] * agreement;
        const double* xj = &x_[j * d_];
        for (std::size_t f = 0; f < d_; ++f) {
          const double delta = xi[f] - xj[f];
          g[f] += a * delta * delta;
        }
      }
    }
    const double norm = 1.0 / static_cast<double>(n_ * m_);
    *cost = total * norm;
    if (gradient != nullptr)
      for (std::size_t f = 0; f < d_; ++f) gradient[f] = 2.0 * norm * s[f] * g[f];
    return true;
  }

 private:
  static constexpr double kMaxLogScale = kMaxLogFeatureScale;
  std::vector<double> x_, z_;  // [row * d + feature], [row * m + metric] (standardised)
  std::size_t n_, d_, m_;
};

// Up to `count` distinct row indices in increasing order: all rows, or a seeded sample.
std::vector<std::size_t> chosen_rows(std::size_t rows, std::size_t count, std::uint64_t seed) {
  std::vector<std::size_t> index(rows);
  std::iota(index.begin(), index.end(), 0);
  if (rows <= count) return index;
  Rng rng(seed);
  for (std::size_t i = 0; i < count; ++i) std::swap(index[i], index[i + rng.below(rows - i)]);
  index.resize(count);
  std::sort(index.begin(), index.end());
  return index;
}

}  // namespace

std::vector<double> learn_feature_scales(const std::vector<std::vector<double>>& features,
                                         const std::vector<std::vector<double>>& targets,
                                         const FeatureScalingOptions& options) {
  const std::size_t d = features.empty() ? 0 : features.front().size();
  std::vector<double> ones(d, 1.0);
  const std::vector<std::size_t> rows = chosen_rows(features.size(), options.max_rows, options.seed);
  const std::size_t n = rows.size();
  if (n < 3 || d == 0 || targets.empty()) return ones;

  // Standardise each metric over the chosen rows; constant metrics carry no signal.
  std::vector<std::size_t> informative;
  std::vector<double> mean, sd;
  for (std::size_t k = 0; k < targets.front().size(); ++k) {
    double sum = 0.0;
    for (std::size_t r : rows) sum += targets[r][k];
    const double mu = sum / static_cast<double>(n);
    double var = 0.0;
    for (std::size_t r : rows) var += (targets[r][k] - mu) * (targets[r][k] - mu);
    const double sigma = std::sqrt(var / static_cast<double>(n));
    if (sigma > 1e-12 * std::max(1.0, std::abs(mu))) {
      informative.push_back(k);
      mean.push_back(mu);
      sd.push_back(sigma);
    }
  }
  const std::size_t m = informative.size();
  if (m == 0) return ones;

  std::vector<double> x, z;
  x.reserve(n * d);
  z.reserve(n * m);
  for (std::size_t r : rows) {
    x.insert(x.end(), features[r].begin(), features[r].end());
    for (std::size_t k = 0; k < m; ++k) z.push_back((targets[r][informative[k]] - mean[k]) / sd[k]);
  }

  // Start from equal scales that make the mean squared distance between rows 1, a kernel
  // wide enough that every row sees many neighbours.
  double mean_distance = 0.0;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i + 1; j < n; ++j)
      for (std::size_t f = 0; f < d; ++f) mean_distance += (x[i * d + f] - x[j * d + f]) * (x[i * d + f] - x[j * d + f]);
  mean_distance /= static_cast<double>(n * (n - 1) / 2);
  if (!(mean_distance > 0.0)) return ones;  // every row has the same features
  std::vector<double> theta(d, -std::log(mean_distance));

  ceres::GradientProblem problem(new LeaveOneOutKernelError(std::move(x), std::move(z), n, d, m));
  ceres::GradientProblemSolver::Options solver;
  solver.max_num_iterations = options.max_iterations;
  solver.logging_type = ceres::SILENT;
  solver.minimizer_progress_to_stdout = false;
  ceres::GradientProblemSolver::Summary summary;
  ceres::Solve(solver, problem, theta.data(), &summary);

  std::vector<double> scales(d);
  for (std::size_t f = 0; f < d; ++f) scales[f] = std::exp(theta[f]);
  return scales;
}

}  // namespace archgym

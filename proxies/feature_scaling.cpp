#include "proxies/feature_scaling.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <ceres/gradient_problem.h>
#include <ceres/gradient_problem_solver.h>

#include "core/rng.h"
#include "core/thread_pool.h"

namespace archgym {
namespace {

// Leave-one-out squared error of Nadaraya-Watson regression with the Gaussian kernel
// exp(-sum_f s_f (x_if - x_jf)^2), s_f = exp(theta_f), averaged over rows and metrics.
// With w_ij = K_ij / sum_j K_ij (j != i), prediction p_i = sum_j w_ij z_j and residual
// r_i = p_i - z_i, the gradient is
//   dL/dtheta_f = s_f * (2 / (n m)) * sum_i sum_j -w_ij <r_i, z_j - p_i> (x_if - x_jf)^2.
// Kernel values are shifted by each row's smallest distance before exp(), which cancels
// in w_ij and keeps them finite however large the scales grow.
//
// Every saved kNN model holds the scales this learns, so each evaluation must give the
// same bits as the original serial loop (tests/proxies/test_feature_scaling.cpp pins
// them): every sum below adds the same terms in the same order as that loop did. What
// is parallel is what was independent there: rows i compute their residuals and their
// gradient coefficients a_ij = -w_ij <r_i, z_j - p_i> on any thread; the cost is then
// summed in row order, and each gradient component, a running sum over (i, j) in order,
// is accumulated on its own thread.
class LeaveOneOutKernelError final : public ceres::FirstOrderFunction {
 public:
  LeaveOneOutKernelError(std::vector<double> x, std::vector<double> z, std::size_t n, std::size_t d,
                         std::size_t m, ThreadPool& pool)
      : x_(std::move(x)), z_(std::move(z)), xt_(n * d), n_(n), d_(d), m_(m), pool_(pool) {
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t f = 0; f < d; ++f) xt_[f * n + i] = x_[i * d + f];
  }

  int NumParameters() const override { return static_cast<int>(d_); }

  bool Evaluate(const double* theta, double* cost, double* gradient) const override {
    std::vector<double> s(d_);
    for (std::size_t f = 0; f < d_; ++f) {
      if (!(std::abs(theta[f]) <= kMaxLogScale)) return false;  // Ceres backs off the step
      s[f] = std::exp(theta[f]);
    }
    std::vector<double> squares(n_ * m_), g(d_, 0.0);
    // Rows go in blocks so that the gradient coefficients held at once stay bounded.
    const std::size_t block = std::max<std::size_t>(1, kMaxTermsHeld / n_);
    std::vector<std::vector<Term>> terms(std::min(block, n_));
    const std::size_t row_jobs = std::min<std::size_t>(terms.size(), 4 * pool_.size());
    const std::size_t feature_jobs = std::min<std::size_t>(d_, pool_.size());
    for (std::size_t first = 0; first < n_; first += block) {
      const std::size_t rows = std::min(block, n_ - first);
      pool_.for_each(row_jobs, [&](std::size_t job) {
        RowScratch scratch(n_, m_);
        for (std::size_t r = job * rows / row_jobs; r < (job + 1) * rows / row_jobs; ++r)
          row(first + r, s.data(), scratch, &squares[(first + r) * m_], gradient ? &terms[r] : nullptr);
      });
      if (gradient == nullptr) continue;
      pool_.for_each(feature_jobs, [&](std::size_t job) {
        accumulate_gradient(first, rows, terms, job * d_ / feature_jobs, (job + 1) * d_ / feature_jobs, g);
      });
    }
    double total = 0.0;
    for (double sq : squares) total += sq;  // in (row, metric) order, as the serial loop added them
    const double norm = 1.0 / static_cast<double>(n_ * m_);
    *cost = total * norm;
    if (gradient != nullptr)
      for (std::size_t f = 0; f < d_; ++f) gradient[f] = 2.0 * norm * s[f] * g[f];
    return true;
  }

 private:
  static constexpr double kMaxLogScale = kMaxLogFeatureScale;
  // exp() of anything below this is +0 (it underflows at -745.13): those weights are
  // set to 0 without calling it. Adding 0 * anything to a sum leaves it as it is, so
  // such rows j are then skipped altogether.
  static constexpr double kExpUnderflow = -750.0;
  static constexpr std::size_t kMaxTermsHeld = std::size_t{1} << 20;  // 16 MB of Terms

  struct Term {
    std::size_t j;
    double a;  // -w_ij <r_i, z_j - p_i>
  };
  struct RowScratch {
    RowScratch(std::size_t n, std::size_t m) : dist(n), w(n), p(m), r(m) { near.reserve(n); }
    std::vector<double> dist, w, p, r;
    std::vector<std::size_t> near;  // rows j with w_ij > 0, in order
  };

  // Row i's squared residuals (m of them) and, when `terms` is given, its gradient
  // coefficients for the rows j with a non-zero weight, in order of j.
  void row(std::size_t i, const double* s, RowScratch& sc, double* squares, std::vector<Term>* terms) const {
    // Distances feature by feature over all rows at once (contiguous, so vectorised);
    // each dist[j] still adds its features in order. dist[i] (0) is never read.
    std::fill(sc.dist.begin(), sc.dist.end(), 0.0);
    for (std::size_t f = 0; f < d_; ++f) {
      const double sf = s[f], xif = x_[i * d_ + f];
      const double* col = &xt_[f * n_];
      double* dist = sc.dist.data();
      for (std::size_t j = 0; j < n_; ++j) {
        const double delta = xif - col[j];
        dist[j] += sf * delta * delta;
      }
    }
    double nearest = INFINITY;
    for (std::size_t j = 0; j < n_; ++j)
      if (j != i) nearest = std::min(nearest, sc.dist[j]);
    double weight_sum = 0.0;
    sc.near.clear();
    for (std::size_t j = 0; j < n_; ++j) {
      const double e = nearest - sc.dist[j];
      if (j == i || e < kExpUnderflow) continue;
      sc.w[j] = std::exp(e);
      if (sc.w[j] == 0.0) continue;
      weight_sum += sc.w[j];
      sc.near.push_back(j);
    }
    std::fill(sc.p.begin(), sc.p.end(), 0.0);
    for (std::size_t j : sc.near) {
      sc.w[j] /= weight_sum;
      const double* zj = &z_[j * m_];
      for (std::size_t k = 0; k < m_; ++k) sc.p[k] += sc.w[j] * zj[k];
    }
    const double* zi = &z_[i * m_];
    for (std::size_t k = 0; k < m_; ++k) {
      sc.r[k] = sc.p[k] - zi[k];
      squares[k] = sc.r[k] * sc.r[k];
    }
    if (terms == nullptr) return;
    terms->clear();
    for (std::size_t j : sc.near) {
      const double* zj = &z_[j * m_];
      double agreement = 0.0;
      for (std::size_t k = 0; k < m_; ++k) agreement += sc.r[k] * (zj[k] - sc.p[k]);
      terms->push_back({j, -sc.w[j] * agreement});
    }
  }

  // Adds the terms of rows first..first+rows-1 to g[f] for f in [f_begin, f_end), in
  // (i, j) order. Each thread owns its features' sums (a local copy: threads writing
  // neighbouring elements of g would fight over the cache line).
  void accumulate_gradient(std::size_t first, std::size_t rows, const std::vector<std::vector<Term>>& terms,
                           std::size_t f_begin, std::size_t f_end, std::vector<double>& g) const {
    std::vector<double> sum(g.begin() + f_begin, g.begin() + f_end);
    const std::size_t width = f_end - f_begin;
    for (std::size_t r = 0; r < rows; ++r) {
      const double* xi = &x_[(first + r) * d_ + f_begin];
      for (const Term& t : terms[r]) {
        const double* xj = &x_[t.j * d_ + f_begin];
        for (std::size_t f = 0; f < width; ++f) {
          const double delta = xi[f] - xj[f];
          sum[f] += t.a * delta * delta;
        }
      }
    }
    std::copy(sum.begin(), sum.end(), g.begin() + f_begin);
  }

  std::vector<double> x_, z_;  // [row * d + feature], [row * m + metric] (standardised)
  std::vector<double> xt_;     // x_ transposed: [feature * n + row]
  std::size_t n_, d_, m_;
  ThreadPool& pool_;
};

// Reports each L-BFGS iteration to FeatureScalingOptions::progress.
class ReportIterations final : public ceres::IterationCallback {
 public:
  ReportIterations(const FeatureScalingProgress& report, int max_iterations)
      : report_(report), max_iterations_(max_iterations) {}
  ceres::CallbackReturnType operator()(const ceres::IterationSummary& summary) override {
    report_(summary.iteration, max_iterations_, summary.cost);
    return ceres::SOLVER_CONTINUE;
  }

 private:
  const FeatureScalingProgress& report_;
  int max_iterations_;
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

  ThreadPool pool(options.threads);  // before the problem, which uses it until destroyed
  ceres::GradientProblem problem(new LeaveOneOutKernelError(std::move(x), std::move(z), n, d, m, pool));
  ceres::GradientProblemSolver::Options solver;
  solver.max_num_iterations = options.max_iterations;
  solver.logging_type = ceres::SILENT;
  solver.minimizer_progress_to_stdout = false;
  ReportIterations reporter(options.progress, options.max_iterations);
  if (options.progress) solver.callbacks.push_back(&reporter);
  ceres::GradientProblemSolver::Summary summary;
  ceres::Solve(solver, problem, theta.data(), &summary);

  std::vector<double> scales(d);
  for (std::size_t f = 0; f < d; ++f) scales[f] = std::exp(theta[f]);
  return scales;
}

}  // namespace archgym

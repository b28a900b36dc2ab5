#include "proxies/feature_scaling.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <span>
#include <type_traits>

#include <ceres/gradient_problem.h>
#include <ceres/gradient_problem_solver.h>

#include "core/rng.h"
#include "core/thread_pool.h"

namespace archgym {
namespace {

// The loops that take the time (O(rows^2 x features) per evaluation) run on the widest
// vector unit the CPU has. Each lane is a sum of its own that adds the same terms in the
// same order whichever unit runs it (or a minimum, which is exact), so every clone gives
// the same bits. This file is compiled with -ffp-contract=off (proxies/CMakeLists.txt):
// no clone may fuse a multiply and an add into one rounding (the AVX-512 one would).
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define ARCHGYM_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define ARCHGYM_VECTOR_CLONES
#endif

// Four doubles as one vector (GCC's and clang's vector extension): element-wise
// arithmetic, each lane its own IEEE double, so the same bits as four scalar sums.
constexpr std::size_t kChunk = 4;
typedef double Chunk __attribute__((vector_size(kChunk * sizeof(double))));

constexpr std::size_t round_up(std::size_t n, std::size_t multiple) { return (n + multiple - 1) / multiple * multiple; }

// Rows whose distances are summed at once: four vectors of sums held in registers, so
// that each waits for its previous addition only every fourth addition.
constexpr std::size_t kDistanceRows = 4 * kChunk;

// dist[j] = sum over features f in order of s[f] * (xi[f] - xt[f * rows + j])^2, for
// j < rows (a multiple of kDistanceRows). (Four named vectors: GCC keeps those in
// registers, an array of them on the stack.)
ARCHGYM_VECTOR_CLONES void scaled_distances(double* dist, const double* xt, std::size_t rows, std::size_t d,
                                            const double* xi, const double* s) {
  for (std::size_t j = 0; j < rows; j += kDistanceRows) {
    Chunk sum0 = {}, sum1 = {}, sum2 = {}, sum3 = {};
    for (std::size_t f = 0; f < d; ++f) {
      Chunk x0, x1, x2, x3;
      const double* column = xt + f * rows + j;
      std::memcpy(&x0, column, sizeof x0);
      std::memcpy(&x1, column + kChunk, sizeof x1);
      std::memcpy(&x2, column + 2 * kChunk, sizeof x2);
      std::memcpy(&x3, column + 3 * kChunk, sizeof x3);
      const Chunk d0 = xi[f] - x0, d1 = xi[f] - x1, d2 = xi[f] - x2, d3 = xi[f] - x3;
      sum0 += s[f] * d0 * d0;
      sum1 += s[f] * d1 * d1;
      sum2 += s[f] * d2 * d2;
      sum3 += s[f] * d3 * d3;
    }
    std::memcpy(dist + j, &sum0, sizeof sum0);
    std::memcpy(dist + j + kChunk, &sum1, sizeof sum1);
    std::memcpy(dist + j + 2 * kChunk, &sum2, sizeof sum2);
    std::memcpy(dist + j + 3 * kChunk, &sum3, sizeof sum3);
  }
}

// The smallest of v[0..n).
ARCHGYM_VECTOR_CLONES double smallest(const double* v, std::size_t n) {
  double m[4] = {INFINITY, INFINITY, INFINITY, INFINITY};  // four at once: no chain of waits
  std::size_t j = 0;
  for (; j + 4 <= n; j += 4)
    for (std::size_t l = 0; l < 4; ++l) m[l] = std::min(m[l], v[j + l]);
  for (; j < n; ++j) m[0] = std::min(m[0], v[j]);
  return std::min(std::min(m[0], m[1]), std::min(m[2], m[3]));
}

// A row j's coefficient in row i's part of the gradient.
struct Term {
  std::size_t j;
  double a;  // -w_ij <r_i, z_j - p_i>
};

// For each term in order, sum[l] += a * (xi[l] - x[j * stride + l])^2 for the first
// Chunks * 4 features. The sums stay in registers, Chunks independent vectors, so one
// term's additions do not wait for the previous term's.
template <std::size_t Chunks>
ARCHGYM_VECTOR_CLONES void add_weighted_squares(double* sum, const double* xi, const double* x, std::size_t stride,
                                                const Term* terms, std::size_t count) {
  Chunk acc[Chunks], own[Chunks];
  std::memcpy(acc, sum, sizeof acc);  // (memcpy: the rows need not be aligned)
  std::memcpy(own, xi, sizeof own);
  for (std::size_t t = 0; t < count; ++t) {
    Chunk other[Chunks];
    std::memcpy(other, x + terms[t].j * stride, sizeof other);
    const double a = terms[t].a;
    for (std::size_t c = 0; c < Chunks; ++c) {
      const Chunk delta = own[c] - other[c];
      acc[c] += a * delta * delta;
    }
  }
  std::memcpy(sum, acc, sizeof acc);
}

// For each row j of `rows` in order, sum[l] += w[j] * z[j * stride + l] for the first
// Chunks * 4 metrics: a row's weighted mean of the others' metrics, sums in registers.
template <std::size_t Chunks>
ARCHGYM_VECTOR_CLONES void add_weighted_rows(double* sum, const double* z, std::size_t stride,
                                             const std::size_t* rows, std::size_t count, const double* w) {
  Chunk acc[Chunks];
  std::memcpy(acc, sum, sizeof acc);
  for (std::size_t t = 0; t < count; ++t) {
    Chunk zj[Chunks];
    std::memcpy(zj, z + rows[t] * stride, sizeof zj);
    const double wj = w[rows[t]];
    for (std::size_t c = 0; c < Chunks; ++c) acc[c] += wj * zj[c];
  }
  std::memcpy(sum, acc, sizeof acc);
}

// Calls kernel(std::integral_constant<std::size_t, C>(), first) for chunks [first, first +
// C) of `chunks`, C at most 4 (the sums of four vectors fit in registers alongside what
// they add).
template <class Kernel>
void in_passes(std::size_t chunks, Kernel&& kernel) {
  for (std::size_t first = 0; first < chunks; first += 4) {
    switch (std::min<std::size_t>(4, chunks - first)) {
      case 1: kernel(std::integral_constant<std::size_t, 1>(), first); break;
      case 2: kernel(std::integral_constant<std::size_t, 2>(), first); break;
      case 3: kernel(std::integral_constant<std::size_t, 3>(), first); break;
      default: kernel(std::integral_constant<std::size_t, 4>(), first); break;
    }
  }
}

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
  LeaveOneOutKernelError(const std::vector<double>& x, const std::vector<double>& z, std::size_t n,
                         std::size_t d, std::size_t m, ThreadPool& pool)
      : n_(n),
        d_(d),
        m_(m),
        stride_(round_up(d, kChunk)),
        metric_stride_(round_up(m, kChunk)),
        padded_rows_(round_up(n, kDistanceRows)),
        pool_(pool) {
    // The copies are padded with zeros to whole vectors. A padded feature's delta is 0 and
    // a padded metric is 0, so they only add zeros to sums nobody reads; a padded row's
    // distance is never read.
    x_.assign(n * stride_, 0.0);
    xt_.assign(d * padded_rows_, 0.0);
    z_.assign(n * metric_stride_, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t f = 0; f < d; ++f) x_[i * stride_ + f] = xt_[f * padded_rows_ + i] = x[i * d + f];
      for (std::size_t k = 0; k < m; ++k) z_[i * metric_stride_ + k] = z[i * m + k];
    }
  }

  int NumParameters() const override { return static_cast<int>(d_); }

  bool Evaluate(const double* theta, double* cost, double* gradient) const override {
    std::vector<double> s(d_);
    for (std::size_t f = 0; f < d_; ++f) {
      if (!(std::abs(theta[f]) <= kMaxLogScale)) return false;  // Ceres backs off the step
      s[f] = std::exp(theta[f]);
    }
    std::vector<double> squares(n_ * m_), g(stride_, 0.0);
    // Rows go in blocks so that the gradient coefficients held at once stay bounded.
    const std::size_t block = std::max<std::size_t>(1, kMaxTermsHeld / n_);
    std::vector<std::vector<Term>> terms(std::min(block, n_));
    // Rows' costs differ (how many weights underflow): several jobs per thread even out
    // the threads' shares before each wait for the slowest.
    const std::size_t row_jobs = std::min<std::size_t>(terms.size(), 8 * pool_.size());
    std::vector<RowScratch> scratch(row_jobs, RowScratch(padded_rows_, metric_stride_));  // one per job index
    const std::size_t chunks = stride_ / kChunk;
    const std::size_t feature_jobs = std::min<std::size_t>(chunks, pool_.size());
    for (std::size_t first = 0; first < n_; first += block) {
      const std::size_t rows = std::min(block, n_ - first);
      pool_.for_each(row_jobs, [&](std::size_t job) {
        for (std::size_t r = job * rows / row_jobs; r < (job + 1) * rows / row_jobs; ++r)
          row(first + r, s.data(), scratch[job], &squares[(first + r) * m_], gradient ? &terms[r] : nullptr);
      });
      if (gradient == nullptr) continue;
      pool_.for_each(feature_jobs, [&](std::size_t job) {
        accumulate_gradient(first, rows, terms, job * chunks / feature_jobs, (job + 1) * chunks / feature_jobs, g);
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
  static constexpr std::size_t kMaxTermsHeld = std::size_t{1} << 18;  // 4 MB of Terms: a few times L2
  struct RowScratch {
    RowScratch(std::size_t n, std::size_t m) : dist(n), w(n), p(m), r(m), near(n) {}
    std::vector<double> dist, w, p, r;
    std::vector<std::size_t> near;  // rows j with w_ij > 0, in order (the first `count`)
  };

  // Row i's squared residuals (m of them) and, when `terms` is given, its gradient
  // coefficients for the rows j with a non-zero weight, in order of j.
  void row(std::size_t i, const double* s, RowScratch& sc, double* squares, std::vector<Term>* terms) const {
    std::vector<double>& dist = sc.dist;
    scaled_distances(dist.data(), xt_.data(), padded_rows_, d_, &x_[i * stride_], s);
    dist[i] = INFINITY;  // not its own neighbour: no weight, not the nearest
    const double nearest = smallest(dist.data(), n_);
    // The rows whose weight exp(nearest - dist) does not underflow, found without
    // branching (when the scales are large, most are not), then weighed in order.
    std::size_t candidates = 0;
    for (std::size_t j = 0; j < n_; ++j) {
      sc.near[candidates] = j;
      candidates += !(nearest - dist[j] < kExpUnderflow);
    }
    double weight_sum = 0.0;
    std::size_t count = 0;
    for (std::size_t c = 0; c < candidates; ++c) {
      const std::size_t j = sc.near[c];
      const double w = std::exp(nearest - dist[j]);
      if (w == 0.0) continue;
      sc.w[j] = w;
      weight_sum += w;
      sc.near[count++] = j;
    }
    const auto near = std::span(sc.near).first(count);
    for (std::size_t j : near) sc.w[j] /= weight_sum;
    std::fill(sc.p.begin(), sc.p.end(), 0.0);
    in_passes(metric_stride_ / kChunk, [&](auto chunks, std::size_t first) {
      add_weighted_rows<chunks>(&sc.p[first * kChunk], &z_[first * kChunk], metric_stride_, near.data(), count,
                                sc.w.data());
    });
    const double* zi = &z_[i * metric_stride_];
    for (std::size_t k = 0; k < m_; ++k) {
      sc.r[k] = sc.p[k] - zi[k];
      squares[k] = sc.r[k] * sc.r[k];
    }
    if (terms == nullptr) return;
    terms->clear();
    for (std::size_t j : near) {
      const double* zj = &z_[j * metric_stride_];
      double agreement = 0.0;
      for (std::size_t k = 0; k < m_; ++k) agreement += sc.r[k] * (zj[k] - sc.p[k]);
      terms->push_back({j, -sc.w[j] * agreement});
    }
  }

  // Adds the terms of rows first..first+rows-1 to g for the features of chunks
  // [chunk_begin, chunk_end), in (i, j) order. Each thread owns its features' sums (a local
  // copy: threads writing neighbouring elements of g would fight over the cache line).
  void accumulate_gradient(std::size_t first_row, std::size_t rows, const std::vector<std::vector<Term>>& terms,
                           std::size_t chunk_begin, std::size_t chunk_end, std::vector<double>& g) const {
    const std::size_t begin = chunk_begin * kChunk, end = chunk_end * kChunk;
    std::vector<double> sum(g.begin() + begin, g.begin() + end);
    in_passes(chunk_end - chunk_begin, [&](auto chunks, std::size_t first) {
      const std::size_t offset = begin + first * kChunk;
      for (std::size_t r = 0; r < rows; ++r)
        add_weighted_squares<chunks>(&sum[first * kChunk], &x_[(first_row + r) * stride_ + offset], &x_[offset],
                                     stride_, terms[r].data(), terms[r].size());
    });
    std::copy(sum.begin(), sum.end(), g.begin() + begin);
  }

  std::vector<double> x_;   // [row * stride + feature], zero beyond d
  std::vector<double> xt_;  // [feature * padded_rows + row]
  std::vector<double> z_;   // [row * metric_stride + metric] (standardised), zero beyond m
  std::size_t n_, d_, m_;
  std::size_t stride_;         // features per row of x_
  std::size_t metric_stride_;  // metrics per row of z_
  std::size_t padded_rows_;    // rows per feature of xt_
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
  // Within the bounds the error function accepts (rows a hair apart would start beyond them,
  // and Ceres would stop at its first evaluation).
  std::vector<double> theta(d, std::clamp(-std::log(mean_distance), -kMaxLogFeatureScale, kMaxLogFeatureScale));

  ThreadPool pool(options.threads);  // before the problem, which uses it until destroyed
  ceres::GradientProblem problem(new LeaveOneOutKernelError(x, z, n, d, m, pool));
  ceres::GradientProblemSolver::Options solver;
  solver.max_num_iterations = options.max_iterations;
  solver.logging_type = ceres::SILENT;
  solver.minimizer_progress_to_stdout = false;
  ReportIterations reporter(options.progress, options.max_iterations);
  if (options.progress) solver.callbacks.push_back(&reporter);
  ceres::GradientProblemSolver::Summary summary;
  ceres::Solve(solver, problem, theta.data(), &summary);
  if (!summary.IsSolutionUsable()) return ones;

  std::vector<double> scales(d);
  for (std::size_t f = 0; f < d; ++f) scales[f] = std::exp(theta[f]);
  return scales;
}

}  // namespace archgym

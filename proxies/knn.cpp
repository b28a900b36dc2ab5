// k-nearest-neighbour regression: a design's metrics are estimated from the k stored
// designs closest to it in feature space. proxy_features() puts every ordered parameter in
// [0, 1] and one-hot encodes categorical ones, so plain Euclidean distance weighs all
// parameters alike; by default each feature is scaled by a weight learned from the
// training set (feature_scaling.h), so knobs that do not move the metrics stop deciding
// who is a neighbour. The fitted state is the training data and the scales; a kd-tree
// (nanoflann) over the scaled rows answers queries in microseconds.
//
// Rules that make predictions well defined and reproducible:
// - neighbours are ranked by (distance, row index), so ties are always broken the same
//   way, towards the row that came first in the training set;
// - k larger than the number of rows uses every row;
// - with distance weighting, a query that coincides with training rows (distance 0)
//   returns the mean of exactly those rows, however many there are (a design measured
//   several times is one point whose value is the mean of its measurements);
// - with uniform weighting the prediction is always the plain mean of the k nearest.
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nanoflann.hpp>
#include <nlohmann/json.hpp>

#include "core/proxy_model.h"
#include "core/registry.h"
#include "proxies/feature_scaling.h"
#include "proxies/state_json.h"

namespace archgym {
namespace {

const std::string kModel = "knn";
const std::string kWhere = "proxy model 'knn': ";

enum class Weighting { Distance, Uniform };
enum class Scaling { Learned, None };

// Row-major feature matrix in the shape nanoflann's dataset adaptor expects.
struct FeatureRows {
  std::size_t dim = 0;
  std::size_t count = 0;
  std::vector<double> values;  // [row * dim + feature]

  std::size_t kdtree_get_point_count() const { return count; }
  double kdtree_get_pt(std::size_t row, std::size_t feature) const { return values[row * dim + feature]; }
  template <class BoundingBox>
  bool kdtree_get_bbox(BoundingBox&) const { return false; }  // let nanoflann compute it
};

using Metric = nanoflann::L2_Simple_Adaptor<double, FeatureRows, double, std::size_t>;
using KdTree = nanoflann::KDTreeSingleIndexAdaptor<Metric, FeatureRows, -1, std::size_t>;

// Everything fit() or load_state() produces. The kd-tree keeps a reference to `rows`,
// so a Fitted is built in place behind a unique_ptr and never moved.
struct Fitted {
  std::vector<std::string> feature_names, metric_names;
  std::vector<double> features;  // [row * dim + feature], as trained on (saved)
  std::vector<double> scales;    // per feature: weight of its squared difference (saved)
  std::vector<double> stretch;   // per feature: sqrt(scale), applied to rows and queries
  FeatureRows rows;              // the scaled features the tree indexes
  std::vector<double> targets;   // [row * metrics + metric]
  std::unique_ptr<KdTree> tree;

  std::size_t metrics() const { return metric_names.size(); }
  // Scales `features` into `rows` and indexes them.
  void build_tree() {
    stretch.resize(scales.size());
    for (std::size_t f = 0; f < scales.size(); ++f) stretch[f] = std::sqrt(scales[f]);
    rows.values.resize(features.size());
    for (std::size_t i = 0; i < features.size(); ++i) rows.values[i] = features[i] * stretch[i % rows.dim];
    tree = std::make_unique<KdTree>(rows.dim, rows, nanoflann::KDTreeSingleIndexAdaptorParams(10));
  }
  std::vector<double> scaled(const std::vector<double>& query) const {
    std::vector<double> q(query.size());
    for (std::size_t f = 0; f < q.size(); ++f) q[f] = query[f] * stretch[f];
    return q;
  }
};

struct Neighbour {
  double distance2;  // squared Euclidean distance, as nanoflann computes it
  std::size_t row;
  bool operator<(const Neighbour& o) const {
    return distance2 != o.distance2 ? distance2 < o.distance2 : row < o.row;
  }
};

std::vector<Neighbour> rows_within(const Fitted& f, const double* query, double radius2) {
  std::vector<std::pair<std::size_t, double>> found;
  f.tree->radiusSearch(query, radius2, found, nanoflann::SearchParams(32, 0.0f, false));
  std::vector<Neighbour> out;
  out.reserve(found.size());
  for (const auto& [row, d2] : found) out.push_back({d2, row});
  std::sort(out.begin(), out.end());
  return out;
}

// The `k` nearest rows ranked by (distance, row index).
std::vector<Neighbour> nearest(const Fitted& f, const double* query, std::size_t k) {
  const std::size_t want = std::min(k, f.rows.count);
  // One extra neighbour shows whether the k-th distance is shared by a row beyond the
  // k-th place; nanoflann alone would then keep whichever it met first.
  const std::size_t ask = std::min(want + 1, f.rows.count);
  std::vector<std::size_t> index(ask);
  std::vector<double> d2(ask);
  nanoflann::KNNResultSet<double, std::size_t, std::size_t> result(ask);
  result.init(index.data(), d2.data());
  f.tree->findNeighbors(result, query, nanoflann::SearchParams());
  std::vector<Neighbour> out;
  out.reserve(result.size());
  for (std::size_t i = 0; i < result.size(); ++i) out.push_back({d2[i], index[i]});
  std::sort(out.begin(), out.end());
  if (out.size() > want && out[want].distance2 == out[want - 1].distance2) {
    // A tie across the k-th place: gather every row at that distance and rank them all.
    const double kth = out[want - 1].distance2;
    auto tied = rows_within(f, query, std::nextafter(kth, std::numeric_limits<double>::infinity()));
    if (tied.size() >= want) out = std::move(tied);  // (always, unless rounding fooled the search)
  }
  if (out.size() > want) out.resize(want);
  return out;
}

class Knn final : public ProxyModel {
 public:
  Knn(std::size_t k, Weighting weighting, Scaling scaling, FeatureScalingOptions scaling_options)
      : k_(k), weighting_(weighting), scaling_(scaling), scaling_options_(scaling_options) {}

  void fit(const ProxyTrainingSet& data) override {
    check_training_set(data, 1, kModel);
    if (data.feature_names.empty()) throw std::invalid_argument(kWhere + "the training set has no feature column");
    auto f = std::make_unique<Fitted>();
    f->feature_names = data.feature_names;
    f->metric_names = data.metric_names;
    f->rows.dim = data.feature_names.size();
    f->rows.count = data.rows();
    f->features.reserve(f->rows.count * f->rows.dim);
    f->targets.reserve(f->rows.count * f->metrics());
    for (std::size_t r = 0; r < data.rows(); ++r) {
      f->features.insert(f->features.end(), data.features[r].begin(), data.features[r].end());
      f->targets.insert(f->targets.end(), data.targets[r].begin(), data.targets[r].end());
    }
    f->scales = scaling_ == Scaling::Learned ? learned_scales(data) : std::vector<double>(f->rows.dim, 1.0);
    f->build_tree();
    fitted_ = std::move(f);
  }

  // L-BFGS may stop before max_iterations when the loss stops improving: the progress then
  // ends at its last loss as if complete, so a bar does not stop short of its end.
  std::vector<double> learned_scales(const ProxyTrainingSet& data) const {
    const FeatureScalingProgress& report = scaling_options_.progress;
    if (!report) return learn_feature_scales(data.features, data.targets, scaling_options_);
    FeatureScalingOptions options = scaling_options_;
    int last_iteration = -1;
    double last_loss = 0.0;
    options.progress = [&](int iteration, int max_iterations, double loss) {
      last_iteration = iteration;
      last_loss = loss;
      report(iteration, max_iterations, loss);
    };
    std::vector<double> scales = learn_feature_scales(data.features, data.targets, options);
    if (last_iteration >= 0 && last_iteration < options.max_iterations)
      report(options.max_iterations, options.max_iterations, last_loss);
    return scales;
  }

  std::vector<double> predict(const std::vector<double>& features) const override {
    if (!fitted_) throw std::logic_error(kWhere + "predict() before fit()");
    const Fitted& f = *fitted_;
    if (features.size() != f.rows.dim)
      throw std::invalid_argument(kWhere + "expected " + std::to_string(f.rows.dim) + " features, got " +
                                  std::to_string(features.size()));
    for (std::size_t i = 0; i < features.size(); ++i)
      if (!std::isfinite(features[i]))
        throw std::invalid_argument(kWhere + "feature '" + f.feature_names[i] + "' is not finite");

    const std::vector<double> query = f.scaled(features);
    std::vector<Neighbour> chosen = nearest(f, query.data(), k_);
    std::vector<double> weights(chosen.size(), 1.0);
    if (weighting_ == Weighting::Distance) {
      if (chosen.front().distance2 == 0.0) {
        // 1/d weights are infinite here: the coincident rows alone decide, equally.
        chosen = rows_within(f, query.data(), std::numeric_limits<double>::denorm_min());
        weights.assign(chosen.size(), 1.0);
      } else {
        for (std::size_t i = 0; i < chosen.size(); ++i) weights[i] = 1.0 / std::sqrt(chosen[i].distance2);
      }
    }
    const std::size_t m = f.metrics();
    std::vector<double> sum(m, 0.0);
    double total = 0.0;
    for (std::size_t i = 0; i < chosen.size(); ++i) {
      const double* y = &f.targets[chosen[i].row * m];
      for (std::size_t j = 0; j < m; ++j) sum[j] += weights[i] * y[j];
      total += weights[i];
    }
    for (double& s : sum) s /= total;
    return sum;
  }

  // The learned scales (all ones with scaling=none): the weight of each feature's squared
  // difference in the distance.
  std::vector<double> feature_weights() const override {
    if (!fitted_) throw std::logic_error(kWhere + "feature_weights() before fit()");
    return fitted_->scales;
  }

  std::string state_json() const override {
    if (!fitted_) throw std::logic_error(kWhere + "state_json() before fit()");
    const Fitted& f = *fitted_;
    nlohmann::json j;
    j["model"] = kModel;
    j["feature_names"] = f.feature_names;
    j["metric_names"] = f.metric_names;
    j["feature_scales"] = f.scales;
    nlohmann::json features = nlohmann::json::array(), targets = nlohmann::json::array();
    for (std::size_t r = 0; r < f.rows.count; ++r) {
      features.push_back(std::vector<double>(f.features.begin() + r * f.rows.dim,
                                             f.features.begin() + (r + 1) * f.rows.dim));
      targets.push_back(std::vector<double>(f.targets.begin() + r * f.metrics(),
                                            f.targets.begin() + (r + 1) * f.metrics()));
    }
    j["features"] = std::move(features);
    j["targets"] = std::move(targets);
    return j.dump();  // nlohmann writes doubles with 17 significant digits: exact round trip
  }

  void load_state(const std::string& text) override {
    const nlohmann::json j = state_json::parse_object(text, kWhere);
    state_json::require_model(j, kModel, kWhere);

    auto f = std::make_unique<Fitted>();
    f->feature_names = state_json::names_field(j, "feature_names", kWhere);
    f->metric_names = state_json::names_field(j, "metric_names", kWhere);
    const nlohmann::json& features = state_json::array_field(j, "features", kWhere);
    const nlohmann::json& targets = state_json::array_field(j, "targets", kWhere);
    if (features.empty()) throw std::invalid_argument(kWhere + "field 'features' has no row");
    if (targets.size() != features.size())
      throw std::invalid_argument(kWhere + "field 'targets' has " + std::to_string(targets.size()) +
                                  " rows but field 'features' has " + std::to_string(features.size()));
    f->rows.dim = f->feature_names.size();
    f->rows.count = features.size();
    for (std::size_t r = 0; r < features.size(); ++r) {
      read_row(features[r], f->rows.dim, "features", r, f->features);
      read_row(targets[r], f->metrics(), "targets", r, f->targets);
    }
    // Features are unit positions and one-hot values, and scales what learning can give:
    // anything else could overflow a distance and predict NaN for every new design.
    for (double x : f->features)
      if (!(x >= 0 && x <= 1)) throw std::invalid_argument(kWhere + "field 'features' holds a value outside [0, 1]");
    if (j.contains("feature_scales")) {  // absent in models saved before scales were learned
      read_row(state_json::array_field(j, "feature_scales", kWhere), f->rows.dim, "feature_scales", 0, f->scales);
      const double max_scale = std::exp(kMaxLogFeatureScale) * (1 + 1e-9);
      for (double s : f->scales)
        if (!(s >= 0 && s <= max_scale))
          throw std::invalid_argument(kWhere + "field 'feature_scales' holds a scale outside [0, exp(" +
                                      std::to_string(static_cast<int>(kMaxLogFeatureScale)) + ")]");
    } else {
      f->scales.assign(f->rows.dim, 1.0);
    }
    f->build_tree();
    fitted_ = std::move(f);
  }

 private:
  std::size_t k_;
  Weighting weighting_;
  Scaling scaling_;
  FeatureScalingOptions scaling_options_;
  std::unique_ptr<const Fitted> fitted_;

  static void read_row(const nlohmann::json& row, std::size_t width, const std::string& name, std::size_t r,
                       std::vector<double>& out) {
    const std::string where = kWhere + "field '" + name + "' row " + std::to_string(r);
    if (!row.is_array() || row.size() != width)
      throw std::invalid_argument(where + " must be an array of " + std::to_string(width) + " numbers");
    for (const auto& v : row) {
      if (!v.is_number()) throw std::invalid_argument(where + " must hold numbers only, got " + v.dump());
      const double x = v.get<double>();
      if (!std::isfinite(x)) throw std::invalid_argument(where + " holds a non-finite value");
      out.push_back(x);
    }
  }
};

Schema knn_schema() {
  Schema s;
  // 5 is scikit-learn's default; the upper bound only catches typos, far beyond any use.
  s.integer("k", 5, 1, 1024, "neighbours averaged per prediction (all rows when fewer)");
  // Distance weighting lets the model reproduce measured designs exactly, which a
  // surrogate of a deterministic simulator should.
  s.choice("weights", "distance", {"distance", "uniform"},
           "neighbour weights: 1/distance (exact at measured designs) or equal");
  s.choice("scaling", "learned", {"learned", "none"},
           "feature scales: learned from the training set (MLKR, Ceres L-BFGS) or all equal");
  // Learning costs O(rows^2) per step; a seeded sample of this many rows is plenty.
  s.integer("scaling_rows", static_cast<std::int64_t>(FeatureScalingOptions{}.max_rows), 3, 5000, "training rows the feature scales are learned from (a seeded sample)");
  return s;
}

const ProxyRegistrar knn_registrar{
    kModel, "k-nearest-neighbour regression over the design features (nanoflann kd-tree)", knn_schema(),
    [](const ProxyContext& ctx) -> std::unique_ptr<ProxyModel> {
      const std::int64_t k = ctx.hyperparameters.integer("k");
      if (k < 1) throw std::invalid_argument(kWhere + "option 'k' must be at least 1, got " + std::to_string(k));
      const std::string& w = ctx.hyperparameters.string("weights");
      if (w != "distance" && w != "uniform")
        throw std::invalid_argument(kWhere + "option 'weights' must be one of {distance, uniform}, got '" + w + "'");
      const std::string& scaling = ctx.hyperparameters.string("scaling");
      if (scaling != "learned" && scaling != "none")
        throw std::invalid_argument(kWhere + "option 'scaling' must be one of {learned, none}, got '" + scaling + "'");
      FeatureScalingOptions scaling_options;
      scaling_options.max_rows = static_cast<std::size_t>(ctx.hyperparameters.integer("scaling_rows"));
      scaling_options.seed = ctx.seed;
      scaling_options.threads = ctx.workers;
      if (ctx.progress)
        scaling_options.progress = [report = ctx.progress](int iteration, int max_iterations, double loss) {
          report("learning feature scales", static_cast<std::uint64_t>(iteration),
                 static_cast<std::uint64_t>(max_iterations), loss);
        };
      return std::make_unique<Knn>(static_cast<std::size_t>(k),
                                   w == "uniform" ? Weighting::Uniform : Weighting::Distance,
                                   scaling == "learned" ? Scaling::Learned : Scaling::None, scaling_options);
    }};

}  // namespace
}  // namespace archgym

// Random forest of regression trees: ArchGym's proxy cost model (scikit-learn's
// RandomForestRegressor), written here because Debian packages no C++ random-forest
// regression library that fits this stack.
//
// It mirrors scikit-learn's semantics with a 2-D target: one multi-output tree per
// estimator, each grown on a bootstrap sample (rows drawn with replacement, a row's
// draw count is its weight), trying a random subset of the features at every split,
// candidate thresholds midway between consecutive distinct values, splitting until a
// node is pure or a size/depth limit stops it. The prediction is the mean over trees
// of the leaf values.
//
// One deliberate difference: the split criterion sums the variance reduction of every
// metric after dividing it by its standard deviation on the training set, so a metric
// in nJ does not drown one in ms; a constant metric contributes nothing. Leaf values
// are plain means in the metrics' own units.
//
// Determinism: each tree draws from its own Rng, split from a master Rng seeded with the
// context seed in tree order, so a tree depends only on (seed, its index, the data). That
// lets the trees grow on any number of threads (ProxyContext::workers) into a forest that
// is bit-identical to one grown tree after tree.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/proxy_model.h"
#include "core/registry.h"
#include "core/rng.h"
#include "core/text.h"
#include "core/thread_pool.h"
#include "proxies/state_json.h"

namespace archgym {
namespace {

const std::string kModel = "random_forest";
const std::string kWhere = "proxy model 'random_forest': ";

struct Hyperparameters {
  std::int64_t trees = 100;
  std::int64_t max_depth = 0;  // 0 = unlimited
  std::int64_t min_samples_leaf = 1;
  std::int64_t min_samples_split = 2;
  double max_features = 1.0;  // fraction of the features tried per split
  bool bootstrap = true;

  // Options may reach a factory without the schema (build_proxy), and state files may be
  // edited by hand: both paths end here.
  void validate() const {
    auto need = [](bool ok, const std::string& what) {
      if (!ok) throw std::invalid_argument(kWhere + what);
    };
    need(trees >= 1, "hyperparameter 'trees' must be at least 1, got " + std::to_string(trees));
    need(max_depth >= 0, "hyperparameter 'max_depth' must be 0 (unlimited) or more, got " + std::to_string(max_depth));
    need(min_samples_leaf >= 1, "hyperparameter 'min_samples_leaf' must be at least 1, got " + std::to_string(min_samples_leaf));
    need(min_samples_split >= 2, "hyperparameter 'min_samples_split' must be at least 2, got " + std::to_string(min_samples_split));
    need(max_features > 0.0 && max_features <= 1.0,
         "hyperparameter 'max_features' must be a fraction in (0, 1], got " + format_double(max_features));
  }
};

// One node of a tree. A node's fields sit together (one cache line per visited node)
// because prediction time is dominated by memory access.
struct Node {
  double threshold = 0.0;    // go left when x[feature] <= threshold
  std::int32_t feature = -1;  // split feature; -1 marks a leaf
  std::int32_t left = -1, right = -1;  // child nodes; -1 for a leaf
  std::int32_t leaf = -1;     // leaf: offset of its values in leaf_values; -1 for a split
};

// One tree as a flat node array; node 0 is the root and every child index is greater
// than its parent's, so a walk always ends (load_state checks this).
struct Tree {
  std::vector<Node> nodes;
  std::vector<double> leaf_values;  // one value per metric per leaf, raw units

  std::int32_t add_node() {
    nodes.emplace_back();
    return static_cast<std::int32_t>(nodes.size() - 1);
  }
};

// Walks several trees side by side: a deep forest does not fit in cache, and walking one
// tree at a time would wait for each node's memory in turn, while independent walks let
// those waits overlap (about 3x faster here). Leaf values are added in tree order, so the
// sum is the same as tree-by-tree.
void add_leaf_values(const std::vector<Tree>& trees, const double* x, std::vector<double>& sum) {
  constexpr std::size_t kLanes = 16;
  const Node* at[kLanes];
  for (std::size_t first = 0; first < trees.size(); first += kLanes) {
    const std::size_t lanes = std::min(kLanes, trees.size() - first);
    for (std::size_t l = 0; l < lanes; ++l) at[l] = trees[first + l].nodes.data();
    for (bool moving = true; moving;) {
      moving = false;
      for (std::size_t l = 0; l < lanes; ++l) {
        const Node* n = at[l];
        if (n->feature < 0) continue;
        at[l] = &trees[first + l].nodes[x[n->feature] <= n->threshold ? n->left : n->right];
        moving = true;
      }
    }
    for (std::size_t l = 0; l < lanes; ++l) {
      const double* v = &trees[first + l].leaf_values[at[l]->leaf];
      for (std::size_t j = 0; j < sum.size(); ++j) sum[j] += v[j];
    }
  }
}

// The training set laid out for fast split search, shared read-only by every tree.
struct TrainingData {
  std::size_t rows = 0, features = 0, metrics = 0;
  std::vector<double> x;       // [feature * rows + row]: one feature's column is contiguous
  std::vector<double> y;       // [row * metrics + metric], raw units (leaf values)
  std::vector<double> z;       // y standardised per metric (split criterion)
  std::vector<std::uint32_t> sorted;  // [feature * rows + i]: rows in increasing feature value

  explicit TrainingData(const ProxyTrainingSet& data)
      : rows(data.rows()), features(data.feature_names.size()), metrics(data.metric_names.size()) {
    x.resize(features * rows);
    y.resize(rows * metrics);
    for (std::size_t r = 0; r < rows; ++r) {
      for (std::size_t f = 0; f < features; ++f) x[f * rows + r] = data.features[r][f];
      for (std::size_t j = 0; j < metrics; ++j) y[r * metrics + j] = data.targets[r][j];
    }
    z.resize(rows * metrics);
    for (std::size_t j = 0; j < metrics; ++j) {
      bool constant = true;
      double mean = 0.0;
      for (std::size_t r = 0; r < rows; ++r) {
        mean += y[r * metrics + j];
        constant = constant && y[r * metrics + j] == y[j];
      }
      mean /= static_cast<double>(rows);
      double var = 0.0;
      for (std::size_t r = 0; r < rows; ++r) var += (y[r * metrics + j] - mean) * (y[r * metrics + j] - mean);
      var /= static_cast<double>(rows);
      // A constant metric has no say in splits (tested exactly: its rounded variance
      // need not be 0); neither has one whose variance overflows.
      const double scale = constant || !(var > 0.0 && std::isfinite(var)) ? 0.0 : 1.0 / std::sqrt(var);
      for (std::size_t r = 0; r < rows; ++r) z[r * metrics + j] = (y[r * metrics + j] - mean) * scale;
    }
    // Sorting once here lets every node of every tree find its splits in linear time.
    sorted.resize(features * rows);
    for (std::size_t f = 0; f < features; ++f) {
      auto begin = sorted.begin() + static_cast<std::ptrdiff_t>(f * rows);
      std::iota(begin, begin + static_cast<std::ptrdiff_t>(rows), 0u);
      const double* col = &x[f * rows];
      std::stable_sort(begin, begin + static_cast<std::ptrdiff_t>(rows),
                       [col](std::uint32_t a, std::uint32_t b) { return col[a] < col[b]; });
    }
  }
};

// Grows one tree. Each node owns a range [begin, end) of `order_`, which holds, per
// feature, the node's rows sorted by that feature; a split partitions every feature's
// range stably into left then right, so children stay sorted without re-sorting.
class TreeGrower {
 public:
  TreeGrower(const TrainingData& data, const Hyperparameters& hp, Rng rng) : d_(data), hp_(hp), rng_(rng) {}

  Tree grow() {
    const std::size_t n = d_.rows;
    importance_.assign(d_.features, 0.0);
    weight_.assign(n, 0.0);
    if (hp_.bootstrap) {
      for (std::size_t i = 0; i < n; ++i) weight_[rng_.below(n)] += 1.0;
    } else {
      weight_.assign(n, 1.0);
    }
    in_bag_ = 0;
    for (double w : weight_) in_bag_ += w > 0.0 ? 1 : 0;
    // What the split scan adds up per row, side by side: its weight, then weight * z.
    const std::size_t m = d_.metrics;
    weighted_.resize(n * (m + 1));
    for (std::size_t r = 0; r < n; ++r) {
      weighted_[r * (m + 1)] = weight_[r];
      for (std::size_t j = 0; j < m; ++j) weighted_[r * (m + 1) + 1 + j] = weight_[r] * d_.z[r * m + j];
    }
    order_.resize(d_.features * in_bag_);
    for (std::size_t f = 0; f < d_.features; ++f) {
      std::size_t k = 0;
      for (std::size_t i = 0; i < n; ++i) {
        const std::uint32_t r = d_.sorted[f * n + i];
        if (weight_[r] > 0.0) order_[f * in_bag_ + k++] = r;
      }
    }
    goes_left_.assign(n, 0);
    scratch_.resize(in_bag_);
    permutation_.resize(d_.features);
    tries_ = std::max<std::size_t>(
        1, static_cast<std::size_t>(hp_.max_features * static_cast<double>(d_.features)));

    struct Pending {
      std::int32_t node;
      std::size_t begin, end, depth;
    };
    std::vector<Pending> stack{{tree_.add_node(), 0, in_bag_, 0}};
    while (!stack.empty()) {
      const Pending p = stack.back();
      stack.pop_back();
      Split s;
      if (!worth_splitting(p.begin, p.end, p.depth) || !(s = best_split(p.begin, p.end)).found) {
        make_leaf(p.node, p.begin, p.end);
        continue;
      }
      importance_[s.feature] += s.gain;
      const std::size_t mid = partition(s, p.begin, p.end);
      const std::int32_t l = tree_.add_node(), r = tree_.add_node();
      Node& split = tree_.nodes[p.node];
      split.feature = static_cast<std::int32_t>(s.feature);
      split.threshold = s.threshold;
      split.left = l;
      split.right = r;
      stack.push_back({r, mid, p.end, p.depth + 1});
      stack.push_back({l, p.begin, mid, p.depth + 1});
    }
    return std::move(tree_);
  }

  // After grow(): per feature, the weighted variance of the standardised targets (summed
  // over metrics) that the tree's splits on it removed.
  std::vector<double> take_importance() { return std::move(importance_); }

 private:
  struct Split {
    bool found = false;
    std::size_t feature = 0;
    std::size_t left_count = 0;  // rows [begin, begin + left_count) of the feature's order go left
    double threshold = 0.0;
    double gain = 0.0;           // weighted variance removed (the score minus the node's S^2/W)
  };

  const TrainingData& d_;
  const Hyperparameters& hp_;
  Rng rng_;
  Tree tree_;
  std::vector<double> weight_;    // bootstrap draw count per row (0 = out of bag)
  std::vector<double> weighted_;  // [row * (metrics + 1)]: weight, then weight * z per metric
  std::size_t in_bag_ = 0;
  std::vector<std::uint32_t> order_, scratch_;
  std::vector<std::uint8_t> goes_left_;
  std::vector<std::size_t> permutation_;
  std::size_t tries_ = 1;
  std::vector<double> importance_;

  const std::uint32_t* order(std::size_t f, std::size_t begin) const { return &order_[f * in_bag_ + begin]; }

  bool worth_splitting(std::size_t begin, std::size_t end, std::size_t depth) const {
    const std::size_t count = end - begin;
    if (hp_.max_depth > 0 && depth >= static_cast<std::size_t>(hp_.max_depth)) return false;
    if (count < static_cast<std::size_t>(hp_.min_samples_split)) return false;
    if (count < 2 * static_cast<std::size_t>(hp_.min_samples_leaf)) return false;
    // A pure node (every row has the same targets) has nothing left to explain. Compared
    // exactly in raw units: the variance from running sums is never exactly zero.
    const std::uint32_t* rows = order(0, begin);
    const double* first = &d_.y[rows[0] * d_.metrics];
    for (std::size_t i = 1; i < count; ++i)
      if (!std::equal(first, first + d_.metrics, &d_.y[rows[i] * d_.metrics])) return true;
    return false;
  }

  // scikit-learn's "best" splitter: draw features without replacement until `tries_`
  // non-constant ones were evaluated (constant ones do not count), keep the split with
  // the largest sum over metrics of S_left^2/W_left + S_right^2/W_right, which ranks
  // splits exactly like the weighted variance reduction.
  Split best_split(std::size_t begin, std::size_t end) {
    const std::size_t count = end - begin, m = d_.metrics;
    const std::size_t leaf_min = static_cast<std::size_t>(hp_.min_samples_leaf);
    const std::size_t stride = m + 1;
    double total_w = 0.0;
    std::vector<double> total(m, 0.0), left(m);
    for (const std::uint32_t* r = order(0, begin); r != order(0, end); ++r) {
      const double* p = &weighted_[*r * stride];
      total_w += p[0];
      for (std::size_t j = 0; j < m; ++j) total[j] += p[1 + j];
    }
    Split best;
    double best_score = -std::numeric_limits<double>::infinity();
    std::iota(permutation_.begin(), permutation_.end(), std::size_t{0});
    std::size_t tried = 0;
    for (std::size_t t = 0; t < d_.features && tried < tries_; ++t) {
      std::swap(permutation_[t], permutation_[t + rng_.below(d_.features - t)]);
      const std::size_t f = permutation_[t];
      const std::uint32_t* rows = order(f, begin);
      const double* col = &d_.x[f * d_.rows];
      if (col[rows[0]] == col[rows[count - 1]]) continue;  // constant in this node
      ++tried;
      double left_w = 0.0;
      std::fill(left.begin(), left.end(), 0.0);
      double next = col[rows[0]];
      for (std::size_t i = 0; i + 1 < count; ++i) {
        const double* p = &weighted_[rows[i] * stride];
        left_w += p[0];
        for (std::size_t j = 0; j < m; ++j) left[j] += p[1 + j];
        const double here = next;
        next = col[rows[i + 1]];
        if (here == next) continue;  // no threshold separates equal values
        if (i + 1 < leaf_min || count - (i + 1) < leaf_min) continue;
        double left_sq = 0.0, right_sq = 0.0;
        for (std::size_t j = 0; j < m; ++j) {
          const double right = total[j] - left[j];
          left_sq += left[j] * left[j];
          right_sq += right * right;
        }
        const double score = left_sq / left_w + right_sq / (total_w - left_w);
        if (score > best_score) {
          best_score = score;
          best.found = true;
          best.feature = f;
          best.left_count = i + 1;
          // Midway, as scikit-learn; rounding may land on `next`, which must go right.
          double mid = here / 2.0 + next / 2.0;
          if (mid == next || !std::isfinite(mid)) mid = here;
          best.threshold = mid;
        }
      }
    }
    if (best.found) {
      // W * var = sum(w z^2) - S^2 / W per node, so the split removes score - S^2 / W (the
      // sums of w z^2 cancel). Rounding may leave a tiny negative for a useless split.
      double total_sq = 0.0;
      for (std::size_t j = 0; j < m; ++j) total_sq += total[j] * total[j];
      best.gain = std::max(0.0, best_score - total_sq / total_w);
    }
    return best;
  }

  // Reorders every feature's range of the node into [left rows | right rows], each part
  // still sorted; returns where the right part starts.
  std::size_t partition(const Split& s, std::size_t begin, std::size_t end) {
    const std::uint32_t* split_rows = order(s.feature, begin);
    for (std::size_t i = 0; i < end - begin; ++i) goes_left_[split_rows[i]] = i < s.left_count ? 1 : 0;
    const std::size_t mid = begin + s.left_count;
    for (std::size_t f = 0; f < d_.features; ++f) {
      if (f == s.feature) continue;  // already in that shape
      std::uint32_t* rows = &order_[f * in_bag_ + begin];
      std::size_t l = 0, r = 0;
      std::uint32_t* right_part = scratch_.data();
      for (std::size_t i = 0; i < end - begin; ++i) {
        if (goes_left_[rows[i]]) rows[l++] = rows[i];
        else right_part[r++] = rows[i];
      }
      std::copy(right_part, right_part + r, rows + l);
    }
    return mid;
  }

  void make_leaf(std::int32_t node, std::size_t begin, std::size_t end) {
    const std::size_t m = d_.metrics;
    std::vector<double> sum(m, 0.0);
    double w = 0.0;
    for (const std::uint32_t* r = order(0, begin); r != order(0, end); ++r) {
      w += weight_[*r];
      for (std::size_t j = 0; j < m; ++j) sum[j] += weight_[*r] * d_.y[*r * m + j];
    }
    tree_.nodes[node].leaf = static_cast<std::int32_t>(tree_.leaf_values.size());
    for (std::size_t j = 0; j < m; ++j) tree_.leaf_values.push_back(sum[j] / w);
  }
};

// --- state (JSON) values: every failure names the field (fields: proxies/state_json.h) ---

std::int64_t integer_value(const nlohmann::json& v, const std::string& what, std::int64_t lo, std::int64_t hi) {
  if (v.is_number_integer()) {
    const bool too_big = v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(hi);
    if (!too_big) {
      const std::int64_t i = v.get<std::int64_t>();
      if (i >= lo && i <= hi) return i;
    }
  }
  throw std::invalid_argument(kWhere + what + " must be an integer in [" + std::to_string(lo) + ", " +
                              std::to_string(hi) + "], got " + v.dump());
}

double number_value(const nlohmann::json& v, const std::string& what) {
  if (!v.is_number()) throw std::invalid_argument(kWhere + what + " must be a number, got " + v.dump());
  const double x = v.get<double>();
  if (!std::isfinite(x)) throw std::invalid_argument(kWhere + what + " must be finite");
  return x;
}

// Reads and checks one tree so that predict() can never index out of bounds or loop.
Tree read_tree(const nlohmann::json& j, std::size_t index, std::size_t features, std::size_t metrics) {
  const std::string where = "tree " + std::to_string(index);
  const auto& feature = state_json::array_field(j, "feature", kWhere, where);
  const auto& threshold = state_json::array_field(j, "threshold", kWhere, where);
  const auto& left = state_json::array_field(j, "left", kWhere, where);
  const auto& right = state_json::array_field(j, "right", kWhere, where);
  const auto& leaf = state_json::array_field(j, "leaf", kWhere, where);
  const auto& leaf_values = state_json::array_field(j, "leaf_values", kWhere, where);
  const std::size_t n = feature.size();
  if (n == 0) throw std::invalid_argument(kWhere + where + " has no node");
  if (n > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
    throw std::invalid_argument(kWhere + where + " has too many nodes");
  for (const auto& [name, a] : {std::pair{"threshold", &threshold}, {"left", &left}, {"right", &right}, {"leaf", &leaf}})
    if (a->size() != n)
      throw std::invalid_argument(kWhere + where + ": field '" + name + "' has " + std::to_string(a->size()) +
                                  " entries but field 'feature' has " + std::to_string(n) + " (one per node)");
  Tree t;
  for (std::size_t v = 0; v < leaf_values.size(); ++v)
    t.leaf_values.push_back(number_value(leaf_values[v], where + " leaf_values[" + std::to_string(v) + "]"));
  const auto last = static_cast<std::int64_t>(n) - 1;
  for (std::size_t i = 0; i < n; ++i) {
    const std::string node = where + " node " + std::to_string(i);
    const auto f = integer_value(feature[i], node + " 'feature'", -1, static_cast<std::int64_t>(features) - 1);
    Node parsed;
    parsed.feature = static_cast<std::int32_t>(f);
    parsed.threshold = number_value(threshold[i], node + " 'threshold'");
    if (f < 0) {
      const auto max_offset = static_cast<std::int64_t>(t.leaf_values.size()) - static_cast<std::int64_t>(metrics);
      if (max_offset < 0)
        throw std::invalid_argument(kWhere + where + ": 'leaf_values' is too short for a leaf of " +
                                    std::to_string(metrics) + " metrics");
      parsed.leaf = static_cast<std::int32_t>(integer_value(leaf[i], node + " 'leaf'", 0, max_offset));
      integer_value(left[i], node + " 'left' (a leaf)", -1, -1);
      integer_value(right[i], node + " 'right' (a leaf)", -1, -1);
    } else {
      // Children after their parent: no cycle, so a walk from the root always ends.
      const auto self = static_cast<std::int64_t>(i);
      if (self == last) throw std::invalid_argument(kWhere + node + " splits but is the last node (no room for children)");
      integer_value(leaf[i], node + " 'leaf' (a split)", -1, -1);
      parsed.left = static_cast<std::int32_t>(integer_value(left[i], node + " 'left' child index", self + 1, last));
      parsed.right = static_cast<std::int32_t>(integer_value(right[i], node + " 'right' child index", self + 1, last));
    }
    t.nodes.push_back(parsed);
  }
  return t;
}

// Mean decrease in impurity, as scikit-learn's feature_importances_: each tree's
// importances normalised to sum 1, averaged over the trees that split at all, and
// normalised again. Added up in tree order, so the sums do not depend on which tree
// finished first.
std::vector<double> mean_decrease_in_impurity(const std::vector<Tree>& trees,
                                              const std::vector<std::vector<double>>& tree_importances,
                                              std::size_t features) {
  std::vector<double> importances(features, 0.0);
  std::size_t splitting_trees = 0;
  for (std::size_t t = 0; t < trees.size(); ++t) {
    const std::vector<double>& tree_importance = tree_importances[t];
    const double sum = std::accumulate(tree_importance.begin(), tree_importance.end(), 0.0);
    if (trees[t].nodes.size() <= 1 || !(sum > 0.0)) continue;
    ++splitting_trees;
    for (std::size_t f = 0; f < features; ++f) importances[f] += tree_importance[f] / sum;
  }
  const double total = std::accumulate(importances.begin(), importances.end(), 0.0);
  if (splitting_trees > 0 && total > 0.0)
    for (double& v : importances) v /= total;
  return importances;
}

class RandomForest final : public ProxyModel {
 public:
  RandomForest(const Hyperparameters& hp, std::uint64_t seed, unsigned workers, ProxyFitProgress progress)
      : hp_(hp), seed_(seed), workers_(workers), progress_(std::move(progress)) {
    hp_.validate();
  }

  void fit(const ProxyTrainingSet& data) override {
    check_training_set(data, 2, kModel);
    if (data.feature_names.empty()) throw std::invalid_argument(kWhere + "the training set has no feature column");
    if (data.rows() > std::numeric_limits<std::int32_t>::max() / 2)
      throw std::invalid_argument(kWhere + "too many training rows (" + std::to_string(data.rows()) + ")");
    const TrainingData prepared(data);
    const auto count = static_cast<std::size_t>(hp_.trees);
    // Every tree's stream is split off in tree order before any tree grows, so a tree is
    // the same whichever thread grows it, and whenever.
    Rng master(seed_);
    std::vector<Rng> streams;
    streams.reserve(count);
    for (std::size_t t = 0; t < count; ++t) streams.push_back(master.split());
    std::vector<Tree> trees(count);
    std::vector<std::vector<double>> tree_importances(count);
    const auto report = [this, count](std::size_t done) {
      // A forest drives down no loss as it grows: NaN (a progress bar shows the count alone).
      if (progress_) progress_("growing trees", done, count, std::numeric_limits<double>::quiet_NaN());
    };
    report(0);
    ThreadPool pool(workers_);
    pool.for_each(
        count,
        [&](std::size_t t) {
          TreeGrower grower(prepared, hp_, std::move(streams[t]));
          trees[t] = grower.grow();
          tree_importances[t] = grower.take_importance();
        },
        report);  // on this thread, as ProxyContext promises
    std::vector<double> importances = mean_decrease_in_impurity(trees, tree_importances, data.feature_names.size());
    trees_ = std::move(trees);
    importances_ = std::move(importances);
    feature_names_ = data.feature_names;
    metric_names_ = data.metric_names;
  }

  std::vector<double> predict(const std::vector<double>& features) const override {
    if (trees_.empty()) throw std::logic_error(kWhere + "predict() before fit()");
    if (features.size() != feature_names_.size())
      throw std::invalid_argument(kWhere + "expected " + std::to_string(feature_names_.size()) +
                                  " features, got " + std::to_string(features.size()));
    for (std::size_t i = 0; i < features.size(); ++i)
      if (!std::isfinite(features[i]))
        throw std::invalid_argument(kWhere + "feature '" + feature_names_[i] + "' is not finite");
    const std::size_t m = metric_names_.size();
    std::vector<double> sum(m, 0.0);
    add_leaf_values(trees_, features.data(), sum);
    for (double& s : sum) s /= static_cast<double>(trees_.size());
    return sum;
  }

  std::vector<double> feature_weights() const override {
    if (trees_.empty()) throw std::logic_error(kWhere + "feature_weights() before fit()");
    return importances_;  // empty for a state saved before they were recorded
  }

  std::string state_json() const override {
    if (trees_.empty()) throw std::logic_error(kWhere + "state_json() before fit()");
    nlohmann::json j;
    j["model"] = kModel;
    j["hyperparameters"] = {{"trees", hp_.trees},
                            {"max_depth", hp_.max_depth},
                            {"min_samples_leaf", hp_.min_samples_leaf},
                            {"min_samples_split", hp_.min_samples_split},
                            {"max_features", hp_.max_features},
                            {"bootstrap", hp_.bootstrap}};
    j["seed"] = seed_;
    j["feature_names"] = feature_names_;
    j["metric_names"] = metric_names_;
    nlohmann::json trees = nlohmann::json::array();
    for (const Tree& t : trees_) {
      // Stored as one array per field: compact, and easy to read from other tools.
      std::vector<std::int32_t> feature, left, right, leaf;
      std::vector<double> threshold;
      for (const Node& n : t.nodes) {
        feature.push_back(n.feature);
        threshold.push_back(n.threshold);
        left.push_back(n.left);
        right.push_back(n.right);
        leaf.push_back(n.leaf);
      }
      trees.push_back({{"feature", feature},
                       {"threshold", threshold},
                       {"left", left},
                       {"right", right},
                       {"leaf", leaf},
                       {"leaf_values", t.leaf_values}});
    }
    j["trees"] = std::move(trees);
    if (!importances_.empty()) j["feature_importances"] = importances_;
    return j.dump();  // nlohmann writes doubles with 17 significant digits: exact round trip
  }

  void load_state(const std::string& text) override {
    const nlohmann::json j = state_json::parse_object(text, kWhere);
    state_json::require_model(j, kModel, kWhere);
    const auto& h = state_json::field(j, "hyperparameters", kWhere, "the state");
    constexpr auto kMax = std::numeric_limits<std::int32_t>::max();
    Hyperparameters hp;
    hp.trees = integer_value(state_json::field(h, "trees", kWhere, "'hyperparameters'"), "hyperparameter 'trees'", 1, kMax);
    hp.max_depth = integer_value(state_json::field(h, "max_depth", kWhere, "'hyperparameters'"), "hyperparameter 'max_depth'", 0, kMax);
    hp.min_samples_leaf =
        integer_value(state_json::field(h, "min_samples_leaf", kWhere, "'hyperparameters'"), "hyperparameter 'min_samples_leaf'", 1, kMax);
    hp.min_samples_split =
        integer_value(state_json::field(h, "min_samples_split", kWhere, "'hyperparameters'"), "hyperparameter 'min_samples_split'", 2, kMax);
    hp.max_features = number_value(state_json::field(h, "max_features", kWhere, "'hyperparameters'"), "hyperparameter 'max_features'");
    const auto& bootstrap = state_json::field(h, "bootstrap", kWhere, "'hyperparameters'");
    if (!bootstrap.is_boolean())
      throw std::invalid_argument(kWhere + "hyperparameter 'bootstrap' must be true or false, got " + bootstrap.dump());
    hp.bootstrap = bootstrap.get<bool>();
    hp.validate();
    const auto& seed = state_json::field(j, "seed", kWhere, "the state");
    if (!seed.is_number_unsigned() && !(seed.is_number_integer() && seed.get<std::int64_t>() >= 0))
      throw std::invalid_argument(kWhere + "field 'seed' must be a non-negative integer, got " + seed.dump());
    std::vector<std::string> feature_names = state_json::names_field(j, "feature_names", kWhere);
    std::vector<std::string> metric_names = state_json::names_field(j, "metric_names", kWhere);
    const auto& trees_json = state_json::array_field(j, "trees", kWhere, "the state");
    if (trees_json.size() != static_cast<std::size_t>(hp.trees))
      throw std::invalid_argument(kWhere + "field 'trees' holds " + std::to_string(trees_json.size()) +
                                  " trees but hyperparameter 'trees' says " + std::to_string(hp.trees));
    std::vector<Tree> trees;
    for (std::size_t t = 0; t < trees_json.size(); ++t)
      trees.push_back(read_tree(trees_json[t], t, feature_names.size(), metric_names.size()));
    // Optional: states saved before importances were recorded have none.
    std::vector<double> importances;
    if (j.contains("feature_importances")) {
      const auto& imp = state_json::array_field(j, "feature_importances", kWhere, "the state");
      if (imp.size() != feature_names.size())
        throw std::invalid_argument(kWhere + "field 'feature_importances' has " + std::to_string(imp.size()) +
                                    " values for " + std::to_string(feature_names.size()) + " features");
      for (std::size_t f = 0; f < imp.size(); ++f) {
        const double v = number_value(imp[f], "feature_importances[" + std::to_string(f) + "]");
        if (!(v >= 0.0 && v <= 1.0))
          throw std::invalid_argument(kWhere + "feature_importances[" + std::to_string(f) +
                                      "] must be in [0, 1], got " + format_double(v));
        importances.push_back(v);
      }
    }
    // Only now, with everything checked, replace the current model.
    hp_ = hp;
    seed_ = seed.get<std::uint64_t>();
    feature_names_ = std::move(feature_names);
    metric_names_ = std::move(metric_names);
    trees_ = std::move(trees);
    importances_ = std::move(importances);
  }

 private:
  Hyperparameters hp_;
  std::uint64_t seed_;
  unsigned workers_;  // threads growing trees (ThreadPool: 0 = all cores); not saved
  ProxyFitProgress progress_;
  std::vector<std::string> feature_names_, metric_names_;
  std::vector<Tree> trees_;
  std::vector<double> importances_;  // mean decrease in impurity per feature, sums to 1
};

Schema random_forest_schema() {
  Schema s;
  // Defaults are scikit-learn's RandomForestRegressor defaults, which ArchGym used.
  s.integer("trees", 100, 1, 5000, "trees in the forest (scikit-learn's n_estimators)");
  s.integer("max_depth", 0, 0, 256, "deepest level a tree may grow to; 0 = until leaves are pure");
  // Capped as load_state() caps them, so every model that trains also loads back.
  constexpr std::int64_t kMaxRows = std::numeric_limits<std::int32_t>::max();
  s.integer("min_samples_leaf", 1, 1, kMaxRows, "fewest distinct training rows in a leaf");
  s.integer("min_samples_split", 2, 2, kMaxRows, "fewest distinct training rows a node needs to be split");
  // A fraction, not a count, so one setting serves design spaces of any width; the
  // lower bound only excludes 0 (at least one feature is always tried).
  s.real("max_features", 1.0, 1e-9, 1.0, "fraction of the features tried per split, in (0, 1] (at least one)");
  s.boolean("bootstrap", true, "grow each tree on a bootstrap sample of the rows (else on all rows)");
  return s;
}

const ProxyRegistrar random_forest_registrar{
    kModel, "random forest of regression trees (ArchGym's proxy model; multi-output)", random_forest_schema(),
    [](const ProxyContext& ctx) -> std::unique_ptr<ProxyModel> {
      const Options& o = ctx.hyperparameters;
      Hyperparameters hp;
      hp.trees = o.integer("trees");
      hp.max_depth = o.integer("max_depth");
      hp.min_samples_leaf = o.integer("min_samples_leaf");
      hp.min_samples_split = o.integer("min_samples_split");
      hp.max_features = o.real("max_features");
      hp.bootstrap = o.boolean("bootstrap");
      return std::make_unique<RandomForest>(hp, ctx.seed, ctx.workers, ctx.progress);
    }};

}  // namespace
}  // namespace archgym

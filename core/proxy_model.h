#pragma once
// A proxy cost model: learns an env's metrics as a function of the design from
// evaluations the store already holds, then predicts them in microseconds instead of
// simulating. Implementations live one per file in proxies/ and register by name
// (ProxyRegistrar in registry.h), like envs and agents.
//
// Contract for an implementation:
// - fit() learns every metric of the training set at once; the same data, hyperparameters
//   and seed give a bit-identical model.
// - predict() returns one value per metric, in the training set's metric order, and is
//   safe to call from several threads at once after fit().
// - state_json() / load_state() round-trip the fitted state exactly (doubles written
//   with enough digits), so a loaded model predicts bit-identically.
// Designs reach a model as numbers through proxy_features() (one column per ordered
// parameter, one-hot columns for a categorical one), so models never see Values.
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/design_space.h"
#include "core/options.h"

namespace archgym {

// Rows of (design features, metric values) a model learns from.
struct ProxyTrainingSet {
  std::vector<std::string> feature_names;    // proxy_feature_names(space)
  std::vector<std::string> metric_names;     // one target column per metric
  std::vector<std::vector<double>> features; // [row][feature]
  std::vector<std::vector<double>> targets;  // [row][metric]
  std::size_t rows() const { return features.size(); }
};

// How far a long fit is: `done` of `total` steps of `stage` and the loss it is driving
// down (the kNN: "learning feature scales", L-BFGS iterations, the leave-one-out error),
// NaN for a stage without one (the random forest: "growing trees", trees grown).
// Called on the thread that called fit().
using ProxyFitProgress =
    std::function<void(const std::string& stage, std::uint64_t done, std::uint64_t total, double loss)>;

// What every proxy factory receives. Neither `workers` nor `progress` may change the
// fitted model: they are not saved with it.
struct ProxyContext {
  Options hyperparameters;
  std::uint64_t seed = 1;
  unsigned workers = 0;       // threads fit() may use; 0 = hardware concurrency, 1 = the caller alone
  ProxyFitProgress progress;  // empty = none
};

class ProxyModel {
 public:
  virtual ~ProxyModel() = default;
  // Throws std::invalid_argument for a set it cannot learn from (no rows, ragged rows,
  // non-finite values), naming the problem; TooFewTrainingRows (below) for fewer rows than
  // the model needs.
  virtual void fit(const ProxyTrainingSet& data) = 0;
  // One value per metric. Throws std::logic_error before fit() and std::invalid_argument
  // when `features` has the wrong length.
  virtual std::vector<double> predict(const std::vector<double>& features) const = 0;
  // The fitted state (JSON object) and back; load_state() throws std::invalid_argument
  // naming the field on malformed input.
  virtual std::string state_json() const = 0;
  virtual void load_state(const std::string& json) = 0;
  // How much each feature counts in the model, one value per feature in training order,
  // larger = matters more; empty when the model has no such notion (the default).
  // Shown by `archgym proxy show`: it says which knobs move the metrics.
  virtual std::vector<double> feature_weights() const { return {}; }
};

// Numeric encoding of a design for the models: an ordered parameter (integer, power of
// two, ordered list, real) becomes its position in [0, 1] (DesignSpace::to_unit); a
// categorical parameter with k labels becomes k one-hot columns, so no model reads an
// order into labels.
std::vector<double> proxy_features(const DesignSpace& space, const Design& d);
// "PagePolicy=Open" for one-hot columns, the parameter name otherwise.
std::vector<std::string> proxy_feature_names(const DesignSpace& space);

// Shared input checks for fit(): at least `min_rows` rows (else TooFewTrainingRows), every
// row as wide as the names, every value finite. `model` prefixes the message.
void check_training_set(const ProxyTrainingSet& data, std::size_t min_rows, const std::string& model);

// fit() was given fewer rows than the model needs: training adds how the split of the
// store's designs left so few (a model with its own minimum throws this too).
struct TooFewTrainingRows : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

}  // namespace archgym

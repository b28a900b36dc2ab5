#pragma once
// A proxy model trained on stored evaluations, with everything needed to trust and
// reuse it: which env configuration and runs it learned from, its hyperparameters and
// seed, its error on held-out designs, and the archgym version and commit that made it.
// Saved as one JSON file; the same inputs give a byte-identical file.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/env.h"
#include "core/proxy_dataset.h"
#include "core/proxy_error.h"
#include "core/proxy_model.h"

namespace archgym {

struct ProxyTrainingOptions {
  std::string model = "random_forest";                 // registry name
  std::map<std::string, std::string> hyperparameters;  // validated by the model's schema
  double test_fraction = 0.2;                          // held out to measure the error
  std::uint64_t seed = 1;                              // split and model
  // Neither changes the model (ProxyContext): threads fitting it (0 = all cores), and a
  // progress bar on stderr while a model reports progress (the kNN's feature scales, the
  // forest's trees).
  unsigned workers = 0;
  bool progress = false;
};

class TrainedProxy {
 public:
  // Splits `data` (split_proxy_dataset), fits the model on the training rows and
  // measures its error on the held-out ones.
  static TrainedProxy train(const ProxyDataset& data, const ProxyTrainingOptions& options);
  // Throws std::invalid_argument naming the file and the field for a malformed file, or
  // when the env it was trained on no longer has the same design space.
  static TrainedProxy load(const std::string& path);
  void save(const std::string& path) const;  // throws naming the path when it cannot write
  std::string to_json() const;

  // Metric values in metric_names() order. Thread-safe. Throws std::invalid_argument
  // for a design that is not in the space's shape.
  std::vector<double> predict(const Design& d) const;
  // The valid rows of `runs` to measure this proxy on; with no runs given, every run of
  // the env configuration it learned that read the same input files, except runs with the
  // ids of its training runs (runs()): in the store it learned from, its error on those
  // would be optimistic. Their ids go to `left_out`. Throws std::invalid_argument when
  // there is none (naming the training runs left out, which must then be named to be
  // measured), or when a run has another configuration or read other contents of its
  // input files (its predictions would mean nothing there).
  ProxyDataset comparison_data(const Store& store, std::vector<std::int64_t> runs,
                               std::vector<std::int64_t>* left_out = nullptr) const;
  // Error on a dataset of the same env configuration (throws when it differs).
  std::vector<ProxyError> errors_on(const ProxyDataset& data) const;
  // Whether each design of `data` is one the model was fitted on (its training rows, not
  // the held-out ones): its error there is optimistic, whichever run evaluated it (another
  // agent with the same seed proposes the same first designs). All false when the model
  // file does not say (knows_training_designs(): files of older builds).
  std::vector<bool> fitted_on(const ProxyDataset& data) const;
  bool knows_training_designs() const { return knows_training_designs_; }
  // errors_on(data) and the error on the designs it was not fitted on, each row predicted
  // once: what a comparison reports, so that an optimistic figure comes with the other.
  struct SplitErrors {
    std::size_t fitted = 0;          // evaluations of designs it was fitted on (fitted_on)
    std::vector<ProxyError> all;     // on every evaluation
    std::vector<ProxyError> unseen;  // on the others; empty when there are none
  };
  SplitErrors split_errors_on(const ProxyDataset& data) const;

  const Env& source_env() const { return *source_; }
  const std::string& env() const { return env_; }
  const std::string& env_config() const { return env_config_; }
  const std::string& model() const { return model_name_; }
  const Options& hyperparameters() const { return hyperparameters_; }
  std::uint64_t seed() const { return seed_; }
  const std::vector<std::string>& metric_names() const { return metric_names_; }
  const std::vector<std::int64_t>& runs() const { return runs_; }
  // Those of `ids` that are ids of the runs it trained on (in their order).
  std::vector<std::int64_t> trained_on(const std::vector<std::int64_t>& ids) const;
  // Where the training rows came from: the store's absolute path and each run as it stood
  // (status, evaluations, budget, build); empty for a file of an older build, which did
  // not record them.
  const std::string& store() const { return store_; }
  const std::vector<ProxySourceRun>& source_runs() const { return source_runs_; }
  // The same as the model file writes it: {"store": ..., "runs": [{"id", "status",
  // "evaluations", "budget", "made_by"}]}; "" when not recorded.
  std::string trained_from_json() const;
  // inputs_json() of the files the training runs read; "" when unknown (the runs' store,
  // or the model file, came from an older build).
  const std::string& inputs() const { return inputs_; }
  std::size_t train_rows() const { return train_rows_; }
  std::size_t test_rows() const { return test_rows_; }
  // Held-out error measured at training (empty when test_fraction was 0).
  const std::vector<ProxyError>& test_errors() const { return test_errors_; }
  // The model's feature weights (ProxyModel::feature_weights) by feature name ("PagePolicy=Open"
  // for a one-hot column), largest first; empty when the model has none.
  std::vector<std::pair<std::string, double>> feature_weights() const;
  // The same summed per knob (a categorical knob's one-hot columns together), largest
  // first: which knobs move the metrics. Empty when the model has no feature weights.
  std::vector<std::pair<std::string, double>> knob_weights() const;
  const std::string& archgym_version() const { return version_; }
  // ContentDigest::text() of the file load() read this from; "" for a proxy just trained.
  const std::string& loaded_digest() const { return loaded_digest_; }
  const std::string& git_commit() const { return git_commit_; }

 private:
  // Throws when the data's env, options or input files (a trace, a memspec) differ.
  void check_same_config(const ProxyDataset& data) const;
  std::string env_, env_config_;
  std::string loaded_digest_;
  std::shared_ptr<const Env> source_;
  std::string model_name_;
  Options hyperparameters_;
  std::uint64_t seed_ = 1;
  std::vector<std::string> metric_names_, feature_names_;
  std::vector<std::int64_t> runs_;
  std::string store_;
  std::vector<ProxySourceRun> source_runs_;
  std::string inputs_;
  std::size_t train_rows_ = 0, test_rows_ = 0;
  std::vector<std::uint64_t> training_designs_;  // design_key() of each, sorted, distinct
  bool knows_training_designs_ = false;
  double test_fraction_ = 0;
  std::vector<ProxyError> test_errors_;
  std::string version_, git_commit_;
  std::shared_ptr<const ProxyModel> model_;
};

}  // namespace archgym

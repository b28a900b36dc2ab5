// Training a proxy model on a dataset of evaluations, and what it predicts and how well.
// The model file it is saved to and loaded from: trained_proxy_file.cpp.
#include "core/trained_proxy.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <set>
#include <stdexcept>

#include "archgym_version.h"
#include "core/input_files.h"
#include "core/progress_bar.h"
#include "core/registry.h"
#include "core/text.h"

namespace archgym {
namespace {

// A progress bar on stderr for each stage a fit reports: the kNN's "learning feature
// scales" counts L-BFGS iterations and shows their loss; the forest's "growing trees"
// has no loss (NaN), and its title already says what the count counts. Destroying it
// ends its line, so that an error message starts on a line of its own.
class FitProgressBar {
 public:
  ~FitProgressBar() { finish(); }
  void operator()(const std::string& stage, std::uint64_t done, std::uint64_t total, double loss) {
    if (!bar_ || stage != stage_) {
      finish();
      const bool optimising = !std::isnan(loss);  // a stage has a loss from its first report on
      bar_ = std::make_unique<ProgressBar>(
          stderr, ProgressLabels{stage, optimising ? "iterations" : "", false, optimising ? "loss" : ""});
      stage_ = stage;
    }
    bar_->update(done, total, loss);
  }
  void finish() {
    if (bar_) bar_->finish();
    bar_.reset();
  }

 private:
  std::unique_ptr<ProgressBar> bar_;
  std::string stage_;
};


std::vector<std::vector<double>> features_of(const DesignSpace& space, const std::vector<Design>& designs,
                                             const std::vector<std::size_t>& rows) {
  std::vector<std::vector<double>> out;
  out.reserve(rows.size());
  for (std::size_t r : rows) out.push_back(proxy_features(space, designs[r]));
  return out;
}

// A design's identity in a model file (DesignSpace::key; the same in every build whose space
// load() accepts).
std::uint64_t design_key(const DesignSpace& space, const Design& d) { return DesignSpace::key(space.to_json(d)); }

}  // namespace

TrainedProxy TrainedProxy::train(const ProxyDataset& data, const ProxyTrainingOptions& options) {
  if (!data.source) throw std::invalid_argument("proxy training: the dataset has no source env");
  if (data.rows() == 0)
    throw std::invalid_argument("proxy training: no valid evaluations to learn from (" +
                                std::to_string(data.skipped_invalid) + " invalid ones skipped, " +
                                std::to_string(data.skipped_unmeasured) + " with a metric that is not a finite number)");
  TrainedProxy t;
  t.env_ = data.env;
  t.env_config_ = data.env_config;
  t.source_ = data.source;
  t.model_name_ = options.model;
  t.hyperparameters_ = proxy_options(options.model, options.hyperparameters);
  t.seed_ = options.seed;
  t.metric_names_ = data.metric_names;
  const DesignSpace& space = data.source->space();
  t.feature_names_ = proxy_feature_names(space);
  t.runs_ = data.runs;
  t.store_ = data.store;
  t.source_runs_ = data.source_runs;
  t.inputs_ = data.inputs;
  t.test_fraction_ = options.test_fraction;
  t.version_ = kVersion;
  t.git_commit_ = kGitCommit;

  const ProxySplit split = split_proxy_dataset(data, options.test_fraction, options.seed);
  ProxyTrainingSet set;
  set.feature_names = t.feature_names_;
  set.metric_names = t.metric_names_;
  set.features = features_of(space, data.designs, split.train);
  for (std::size_t r : split.train) set.targets.push_back(data.targets[r]);
  ProxyContext context{t.hyperparameters_, options.seed, options.workers, {}};
  // Shared with the callback, which the model may keep beyond this function.
  const auto bar = std::make_shared<FitProgressBar>();
  if (options.progress)
    context.progress = [bar](const std::string& stage, std::uint64_t done, std::uint64_t total, double loss) {
      (*bar)(stage, done, total, loss);
    };
  auto model = build_proxy(options.model, context);
  try {
    model->fit(set);
    bar->finish();
  } catch (const TooFewTrainingRows& e) {
    // Whole designs go to one side of the split, so a run that repeats few designs can
    // hold out far more rows than the test fraction: say so next to the model's complaint
    // (only this one: the split has nothing to do with, say, a singular system).
    std::set<std::vector<Value>> distinct;
    for (const Design& d : data.designs) distinct.insert(d.values);
    throw std::invalid_argument(std::string(e.what()) + " (the split of " + std::to_string(data.rows()) +
                                " rows over " + std::to_string(distinct.size()) + " distinct designs, test fraction " +
                                format_double(options.test_fraction) + ", kept " + std::to_string(split.train.size()) +
                                " for training: whole designs go to one side; lower the test fraction or learn "
                                "from runs with more distinct designs)");
  }
  t.model_ = std::move(model);
  for (std::size_t r : split.train) t.training_designs_.push_back(design_key(space, data.designs[r]));
  std::sort(t.training_designs_.begin(), t.training_designs_.end());
  t.training_designs_.erase(std::unique(t.training_designs_.begin(), t.training_designs_.end()),
                            t.training_designs_.end());
  t.knows_training_designs_ = true;
  t.train_rows_ = split.train.size();
  t.test_rows_ = split.test.size();

  if (!split.test.empty()) {
    std::vector<std::vector<double>> predicted, truth;
    for (std::size_t r : split.test) {
      predicted.push_back(t.model_->predict(proxy_features(space, data.designs[r])));
      truth.push_back(data.targets[r]);
    }
    t.test_errors_ = proxy_errors(t.metric_names_, predicted, truth);
  }
  return t;
}

namespace {

// Largest first; ties in feature (knob) order, so the listing is reproducible.
std::vector<std::pair<std::string, double>> largest_first(std::vector<std::pair<std::string, double>> named) {
  std::stable_sort(named.begin(), named.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  return named;
}

}  // namespace

std::vector<std::pair<std::string, double>> TrainedProxy::feature_weights() const {
  const std::vector<double> w = model_->feature_weights();
  std::vector<std::pair<std::string, double>> named;
  if (w.size() != feature_names_.size()) return named;
  for (std::size_t f = 0; f < w.size(); ++f) named.emplace_back(feature_names_[f], w[f]);
  return largest_first(std::move(named));
}

std::vector<std::pair<std::string, double>> TrainedProxy::knob_weights() const {
  const std::vector<double> w = model_->feature_weights();
  std::vector<std::pair<std::string, double>> named;
  if (w.size() != feature_names_.size()) return named;
  std::size_t column = 0;  // proxy_features' layout: a knob's columns are adjacent
  for (const Parameter& p : source_->space().parameters()) {
    const std::size_t width = p.kind() == Parameter::Kind::Categorical ? p.values().size() : 1;
    double sum = 0.0;
    for (std::size_t c = 0; c < width; ++c) sum += w[column + c];
    column += width;
    named.emplace_back(p.name(), sum);
  }
  return largest_first(std::move(named));
}

std::vector<double> TrainedProxy::predict(const Design& d) const {
  return model_->predict(proxy_features(source_->space(), d));
}

std::vector<std::int64_t> TrainedProxy::trained_on(const std::vector<std::int64_t>& ids) const {
  std::vector<std::int64_t> out;
  for (const std::int64_t id : ids)
    if (std::find(runs_.begin(), runs_.end(), id) != runs_.end()) out.push_back(id);
  return out;
}

ProxyDataset TrainedProxy::comparison_data(const Store& store, std::vector<std::int64_t> runs,
                                           std::vector<std::int64_t>* left_out) const {
  if (runs.empty()) {
    // Every run of the configuration, but not those that read other contents of its input
    // files (check_same_config would refuse them), nor those it trained on. A run id names
    // a run of one store only; a store other than the training one loses a few runs of the
    // same configuration that happen to share an id, which the message names.
    const std::vector<std::int64_t> same_config = runs_with_config(store, env_, env_config_, inputs_);
    const std::vector<std::int64_t> trained = trained_on(same_config);
    for (const std::int64_t id : same_config)
      if (std::find(trained.begin(), trained.end(), id) == trained.end()) runs.push_back(id);
    if (left_out) *left_out = trained;
    if (runs.empty() && !trained.empty())
      throw std::invalid_argument(store.path() + ": every run of env '" + env_ + "' with " + env_config_ +
                                  " in it has the id of a run the proxy trained on (" + join_ids(trained) +
                                  "): its error there would be optimistic; name them to measure it anyway, "
                                  "or compare with runs it did not see");
    if (runs.empty())
      throw std::invalid_argument(store.path() + ": no run of env '" + env_ + "' with " + env_config_ +
                                  (inputs_.empty() ? "" : " reading the input files it learned from") +
                                  " to compare the proxy with");
  }
  ProxyDataset data = load_proxy_dataset(store, runs);
  check_same_config(data);
  return data;
}

void TrainedProxy::check_same_config(const ProxyDataset& data) const {
  if (data.env != env_ || !same_options_besides_inputs(data.env_config, data.inputs, env_config_, inputs_))
    throw std::invalid_argument("the proxy learned env '" + env_ + "' with " + env_config_ +
                                " but the data is env '" + data.env + "' with " + data.env_config +
                                "; its predictions would not mean anything there");
  // Same options but another trace or memspec under the same path: the metrics of the
  // same design differ, and the errors would measure the files, not the proxy.
  if (!inputs_.empty() && !data.inputs.empty()) {
    const std::string changed = changed_inputs(inputs_, data.inputs, "when the proxy learned", "in the data");
    if (!changed.empty())
      throw std::invalid_argument("the proxy learned from runs that read other input files than the data's (" +
                                  changed + "); its predictions would not mean anything there");
  }
}

std::vector<ProxyError> TrainedProxy::errors_on(const ProxyDataset& data) const {
  check_same_config(data);
  if (data.rows() == 0) throw std::invalid_argument("no valid evaluations to compare the proxy with");
  std::vector<std::vector<double>> predicted;
  for (const Design& d : data.designs) predicted.push_back(predict(d));
  return proxy_errors(metric_names_, predicted, data.targets);
}

std::vector<bool> TrainedProxy::fitted_on(const ProxyDataset& data) const {
  std::vector<bool> out(data.rows(), false);
  if (training_designs_.empty()) return out;
  for (std::size_t r = 0; r < data.rows(); ++r)
    out[r] = std::binary_search(training_designs_.begin(), training_designs_.end(),
                                design_key(source_->space(), data.designs[r]));
  return out;
}

TrainedProxy::SplitErrors TrainedProxy::split_errors_on(const ProxyDataset& data) const {
  check_same_config(data);
  if (data.rows() == 0) throw std::invalid_argument("no valid evaluations to compare the proxy with");
  const std::vector<bool> fitted = fitted_on(data);
  std::vector<std::vector<double>> predicted, unseen_predicted, unseen_truth;
  for (std::size_t r = 0; r < data.rows(); ++r) {
    predicted.push_back(predict(data.designs[r]));
    if (!fitted[r]) {
      unseen_predicted.push_back(predicted.back());
      unseen_truth.push_back(data.targets[r]);
    }
  }
  SplitErrors out;
  out.fitted = data.rows() - unseen_truth.size();
  out.all = proxy_errors(metric_names_, predicted, data.targets);
  if (!unseen_truth.empty()) out.unseen = proxy_errors(metric_names_, unseen_predicted, unseen_truth);
  return out;
}

}  // namespace archgym

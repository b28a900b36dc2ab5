#include "core/trained_proxy.h"

#include "core/file_output.h"

#include <algorithm>
#include <charconv>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <set>
#include <sstream>
#include <stdexcept>

#include "archgym_version.h"
#include "core/input_files.h"
#include "core/json_util.h"
#include "core/progress_bar.h"
#include "core/registry.h"
#include "core/text.h"

namespace archgym {
namespace {

using detail::ojson;

constexpr const char* kFormat = "archgym-proxy";
constexpr int kFormatVersion = 1;

// Each parameter with its domain ("RequestBufferSize: integer 1..8"): feature names alone
// stay the same when a domain changes (the dram env's rl space, or a proxy env whose model
// file was retrained under the same name), and the model would read positions as other values.
std::vector<std::string> space_signature(const DesignSpace& space) {
  std::vector<std::string> out;
  for (const Parameter& p : space.parameters()) out.push_back(p.name() + ": " + p.allowed());
  return out;
}

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

// JSON has no NaN: an undefined error (R^2 of a constant metric) is written as null.
ojson number_or_null(double x) { return std::isfinite(x) ? ojson(x) : ojson(nullptr); }

std::vector<std::vector<double>> features_of(const DesignSpace& space, const std::vector<Design>& designs,
                                             const std::vector<std::size_t>& rows) {
  std::vector<std::vector<double>> out;
  out.reserve(rows.size());
  for (std::size_t r : rows) out.push_back(proxy_features(space, designs[r]));
  return out;
}

// Field access for load(): every problem names the file and the field.
class Reader {
 public:
  Reader(const ojson& root, std::string path) : root_(root), path_(std::move(path)) {}
  const ojson& field(const ojson& obj, const std::string& key, ojson::value_t type, const char* type_name) const {
    if (!obj.is_object() || !obj.contains(key))
      throw std::invalid_argument(path_ + ": field '" + key + "' is missing");
    const ojson& v = obj[key];
    const bool ok = v.type() == type || (type == ojson::value_t::number_unsigned && v.is_number_integer() &&
                                         v.get<std::int64_t>() >= 0) ||
                    (type == ojson::value_t::number_float && v.is_number());
    if (!ok) throw std::invalid_argument(path_ + ": field '" + key + "' must be " + type_name + ", got " + v.dump());
    return v;
  }
  std::string string(const ojson& obj, const std::string& key) const {
    return field(obj, key, ojson::value_t::string, "a string").get<std::string>();
  }
  std::uint64_t unsigned_integer(const ojson& obj, const std::string& key) const {
    return field(obj, key, ojson::value_t::number_unsigned, "a non-negative integer").get<std::uint64_t>();
  }
  double number(const ojson& obj, const std::string& key) const {
    return field(obj, key, ojson::value_t::number_float, "a number").get<double>();
  }
  std::vector<std::string> strings(const ojson& obj, const std::string& key) const {
    std::vector<std::string> out;
    for (const ojson& v : field(obj, key, ojson::value_t::array, "a list")) {
      if (!v.is_string()) throw std::invalid_argument(path_ + ": field '" + key + "' must list strings");
      out.push_back(v.get<std::string>());
    }
    return out;
  }
  const ojson& root() const { return root_; }
  const std::string& path() const { return path_; }

 private:
  const ojson& root_;
  std::string path_;
};

}  // namespace

namespace {

// A design's identity in a model file (DesignSpace::key; the same in every build whose space
// load() accepts).
std::uint64_t design_key(const DesignSpace& space, const Design& d) { return DesignSpace::key(space.to_json(d)); }

std::string hex_key(std::uint64_t key) {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(key));
  return hex;
}

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

std::string TrainedProxy::to_json() const {
  ojson j;
  j["format"] = kFormat;
  j["format_version"] = kFormatVersion;
  j["archgym_version"] = version_;
  j["git_commit"] = git_commit_;
  j["model"] = model_name_;
  j["hyperparameters"] = detail::parse_json(hyperparameters_.to_json(), "hyperparameters");
  j["seed"] = seed_;
  j["env"] = env_;
  j["env_config"] = detail::parse_json(env_config_, "env config");
  j["metrics"] = metric_names_;
  j["features"] = feature_names_;
  j["space"] = space_signature(source_->space());
  j["runs"] = runs_;
  // Absent (not null) when unknown, as in files of older builds, which load the same way.
  if (!inputs_.empty()) j["inputs"] = detail::parse_json(inputs_, "proxy inputs");
  if (knows_training_designs_) {
    ojson keys = ojson::array();
    for (const std::uint64_t k : training_designs_) keys.push_back(hex_key(k));
    j["training_designs"] = std::move(keys);
  }
  j["train_rows"] = train_rows_;
  j["test_rows"] = test_rows_;
  j["test_fraction"] = test_fraction_;
  ojson errors = ojson::object();
  for (const ProxyError& e : test_errors_)
    errors[e.metric] = {{"rows", e.rows}, {"mae", number_or_null(e.mae)}, {"rmse", number_or_null(e.rmse)},
                        {"r2", number_or_null(e.r2)}, {"mape", number_or_null(e.mape)}};
  j["test_errors"] = errors;
  // The metadata is indented for people; the fitted state (thousands of numbers for a
  // forest) stays on one line so the file does not grow a line per number.
  std::string text = j.dump(1);
  text.resize(text.rfind('}'));
  while (!text.empty() && text.back() == '\n') text.pop_back();
  text += ",\n \"state\": " + detail::parse_json(model_->state_json(), "proxy model state").dump() + "\n}\n";
  return text;
}

namespace {

// What a model file says it learned from: every string it gives as its "env" and as its
// env_config's "model". All of them where a key is given twice, and those before the point
// where a broken file stops parsing: loading refuses such a file, but it may still be the
// model another proxy learned from, and whichever value was meant, the model it names
// must not be written over. (Parsed strictly, as loading does, such a file named
// nothing, and the guard stopped there.)
struct SourceLinks {
  std::vector<std::string> envs, models;
};

SourceLinks source_links(const std::string& text) {
  using Event = ojson::parse_event_t;
  struct Open {
    bool object;
    std::string key;  // an object's latest key: the value being parsed is its
  };
  std::vector<Open> open;
  SourceLinks links;
  const ojson::parser_callback_t collect = [&](int, Event event, ojson& parsed) {
    if (event == Event::object_start || event == Event::array_start) {
      if (open.size() >= detail::kMaxJsonDepth) throw std::invalid_argument("nested too deep");  // as parse_strict
      open.push_back({event == Event::object_start, ""});
    } else if (event == Event::object_end || event == Event::array_end) {
      open.pop_back();
    } else if (event == Event::key) {
      open.back().key = parsed.get<std::string>();
    } else if (event == Event::value && parsed.is_string() && !open.empty() && open[0].object) {
      if (open.size() == 1 && open[0].key == "env") links.envs.push_back(parsed.get<std::string>());
      if (open.size() == 2 && open[0].key == "env_config" && open[1].object && open[1].key == "model")
        links.models.push_back(parsed.get<std::string>());
    }
    return event != Event::value;  // no document of the numbers (a forest's thousands)
  };
  try {
    [[maybe_unused]] const ojson skeleton = ojson::parse(text, collect);
  } catch (const std::exception&) {  // what came before the error still counts
  }
  return links;
}

// The model files a proxy learned from runs on, nearest first: its env's model, the
// model that one learned from, and so on (source_links; a file that names no model, or
// is no regular file, ends its branch: nothing to write over beyond it).
std::vector<std::string> source_model_files(const std::string& env, const std::string& env_config) {
  std::vector<std::string> files;
  const auto add = [&files](const std::string& model) {
    if (!model.empty() && std::find(files.begin(), files.end(), model) == files.end()) files.push_back(model);
  };
  if (env != "proxy") return files;
  try {  // the proxy's own record, which loaded
    const ojson config = detail::parse_strict<ojson>(env_config);
    if (config.is_object() && config.contains("model") && config["model"].is_string())
      add(config["model"].get<std::string>());
  } catch (const std::exception&) {
    return files;
  }
  // Each file once: a cycle (which loading refuses) ends too.
  for (std::size_t i = 0; i < files.size() && i < 64; ++i) {
    std::error_code ec;  // a pipe or device would be read for ever (loading refuses them)
    if (!std::filesystem::is_regular_file(files[i], ec)) continue;
    std::ifstream in(files[i], std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    const SourceLinks links = source_links(text.str());
    if (std::find(links.envs.begin(), links.envs.end(), "proxy") == links.envs.end()) continue;
    for (const std::string& model : links.models) add(model);
  }
  return files;
}

}  // namespace

void TrainedProxy::save(const std::string& path) const {
  // Learned from runs on another proxy: never write over that one, nor over any model it
  // learned from in turn (the chain would lead back to this file and no longer load).
  for (const std::string& source : source_model_files(env_, env_config_)) {
    std::error_code ec;
    if (source == path || std::filesystem::equivalent(source, path, ec))
      throw std::invalid_argument(path + ": the proxy learned from runs on a proxy of this very model file (env "
                                  "'proxy' with model=" + source + "); writing over it would make it refer to itself");
  }
  write_file_atomically(path, to_json(), "the proxy model file");
}

namespace {

// The model files being loaded on this thread: a proxy learned from runs on a proxy loads
// that one too, and a file that refers back to itself would recurse until the stack ran out.
thread_local std::vector<std::string> loading;

struct LoadingGuard {
  explicit LoadingGuard(const std::string& path) {
    std::error_code ec;
    const auto canonical = std::filesystem::weakly_canonical(path, ec);
    key = ec ? path : canonical.string();
    for (const auto& p : loading)
      if (p == key)
        throw std::invalid_argument(path + ": the proxy model refers to itself (its env is a proxy of a model file "
                                    "that leads back to this one); retrain it from runs of a simulator env");
    loading.push_back(key);
  }
  ~LoadingGuard() { loading.pop_back(); }
  LoadingGuard(const LoadingGuard&) = delete;
  LoadingGuard& operator=(const LoadingGuard&) = delete;
  std::string key;
};

}  // namespace

TrainedProxy TrainedProxy::load(const std::string& path) {
  const LoadingGuard guard(path);
  std::error_code ec;  // a directory opens as an empty stream ("invalid JSON ... end of input")
  if (std::filesystem::is_directory(path, ec))
    throw std::invalid_argument(path + ": is a directory, not a proxy model file");
  // A device or pipe: /dev/zero would be read until memory runs out. (As the envs' inputs.)
  if (std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec))
    throw std::invalid_argument(path + ": must be a regular file (a pipe or device is not a proxy model file)");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument(path + ": cannot open the proxy model file (" + std::strerror(errno) + ")");
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  const ojson root = detail::parse_json(text, path);
  const Reader read(root, path);
  if (!root.is_object() || read.string(root, "format") != kFormat)
    throw std::invalid_argument(path + ": not an archgym proxy model file (field 'format' must be \"" +
                                std::string(kFormat) + "\")");
  if (read.unsigned_integer(root, "format_version") != kFormatVersion)
    throw std::invalid_argument(path + ": format_version " + root["format_version"].dump() +
                                " is not supported (this archgym reads " + std::to_string(kFormatVersion) + ")");
  TrainedProxy t;
  t.version_ = read.string(root, "archgym_version");
  t.git_commit_ = read.string(root, "git_commit");
  t.model_name_ = read.string(root, "model");
  t.seed_ = read.unsigned_integer(root, "seed");
  t.env_ = read.string(root, "env");
  t.env_config_ = read.field(root, "env_config", ojson::value_t::object, "an object").dump();
  t.metric_names_ = read.strings(root, "metrics");
  t.feature_names_ = read.strings(root, "features");
  for (const ojson& v : read.field(root, "runs", ojson::value_t::array, "a list")) {
    if (!v.is_number_integer()) throw std::invalid_argument(path + ": field 'runs' must list run ids");
    t.runs_.push_back(v.get<std::int64_t>());
  }
  if (root.contains("inputs")) {  // optional: files of older builds lack it
    const ojson& inputs = read.field(root, "inputs", ojson::value_t::object, "an object");
    for (const auto& [role, entry] : inputs.items())
      if (!entry.is_object() || !entry.contains("digest") || !entry["digest"].is_string())
        throw std::invalid_argument(path + ": field 'inputs': '" + role + "' must be an object with a 'digest' string");
    t.inputs_ = inputs.dump();
  }
  if (root.contains("training_designs")) {  // optional: files of older builds lack it
    for (const ojson& v : read.field(root, "training_designs", ojson::value_t::array, "a list")) {
      const std::string text = v.is_string() ? v.get<std::string>() : "";
      std::uint64_t key = 0;
      const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), key, 16);
      if (text.size() != 16 || error != std::errc() || end != text.data() + text.size())
        throw std::invalid_argument(path + ": field 'training_designs' must list 16-digit hex design keys, got " +
                                    v.dump());
      t.training_designs_.push_back(key);
    }
    if (!std::is_sorted(t.training_designs_.begin(), t.training_designs_.end()) ||
        std::adjacent_find(t.training_designs_.begin(), t.training_designs_.end()) != t.training_designs_.end())
      throw std::invalid_argument(path + ": field 'training_designs' must be sorted and without repeats");
    t.knows_training_designs_ = true;
  }
  t.train_rows_ = read.unsigned_integer(root, "train_rows");
  t.test_rows_ = read.unsigned_integer(root, "test_rows");
  t.test_fraction_ = read.number(root, "test_fraction");
  const ojson& errors = read.field(root, "test_errors", ojson::value_t::object, "an object");
  for (const std::string& m : t.metric_names_) {
    if (!errors.contains(m)) continue;
    auto value = [&](const char* key) {
      const ojson& v = read.field(errors[m], key, errors[m].contains(key) && errors[m][key].is_null()
                                                     ? ojson::value_t::null : ojson::value_t::number_float,
                                  "a number or null");
      return v.is_null() ? std::numeric_limits<double>::quiet_NaN() : v.get<double>();
    };
    ProxyError e;
    e.metric = m;
    e.rows = read.unsigned_integer(errors[m], "rows");
    e.mae = value("mae");
    e.rmse = value("rmse");
    e.r2 = value("r2");
    e.mape = value("mape");
    t.test_errors_.push_back(e);
  }

  // The env and model it names must be registered in this build (a model file of a build with
  // another env or model, a user's own, is read by one without it): said of the file.
  auto registered = [&](const char* field, const std::string& name, bool known, const std::vector<std::string>& all) {
    if (!known)
      throw std::invalid_argument(path + ": field '" + field + "' names " + field + " '" + name +
                                  "', which this build does not have (its " + field + "s: " + join(all) +
                                  "); was the model trained by a build with more components?");
  };
  registered("env", t.env_, EnvRegistry::instance().contains(t.env_), EnvRegistry::instance().names());
  registered("model", t.model_name_, ProxyRegistry::instance().contains(t.model_name_),
             ProxyRegistry::instance().names());
  // The env must still be the one the proxy learned: same options, same space, same metrics.
  const Options env_options = EnvRegistry::instance().get(t.env_).schema.parse_json(t.env_config_, path);
  try {
    t.source_ = build_env(t.env_, env_options);
  } catch (const std::invalid_argument& e) {  // e.g. its trace, or the model it learned from, is gone
    throw std::invalid_argument(path + ": cannot rebuild the env the proxy learned (env '" + t.env_ + "' with " +
                                t.env_config_ + "): " + e.what() +
                                (names_input_relatively(t.env_config_, t.inputs_)
                                     ? " (a relative path there resolves against the working directory)"
                                     : ""));
  }
  const auto features_now = proxy_feature_names(t.source_->space());
  if (features_now != t.feature_names_)
    throw std::invalid_argument(path + ": env '" + t.env_ + "' has a different design space than when this proxy "
                                "was trained (features now: " + join(features_now) + "; in the file: " +
                                join(t.feature_names_) + "); retrain it");
  if (root.contains("space")) {  // optional: files of older builds lack it
    const auto recorded = read.strings(root, "space");
    const auto now = space_signature(t.source_->space());
    if (recorded != now) {
      std::vector<std::string> differ;  // the parameters whose domain changed, or every one
      for (std::size_t i = 0; i < now.size() && recorded.size() == now.size(); ++i)
        if (now[i] != recorded[i]) differ.push_back(recorded[i] + " when trained, " + now[i] + " now");
      if (differ.empty()) differ = {"when trained: " + join(recorded) + "; now: " + join(now)};
      throw std::invalid_argument(path + ": env '" + t.env_ + "' has a different design space than when this proxy "
                                  "was trained (" + join(differ) + "); something it reads changed (e.g. a proxy "
                                  "model file it learned from was retrained under the same name): retrain it");
    }
  }
  if (t.source_->metric_names() != t.metric_names_)
    throw std::invalid_argument(path + ": env '" + t.env_ + "' reports different metrics than when this proxy "
                                "was trained (now: " + join(t.source_->metric_names()) + "; in the file: " +
                                join(t.metric_names_) + "); retrain it");

  const Schema& schema = ProxyRegistry::instance().get(t.model_name_).schema;
  t.hyperparameters_ =
      schema.parse_json(read.field(root, "hyperparameters", ojson::value_t::object, "an object").dump(), path);
  auto model = build_proxy(t.model_name_, ProxyContext{t.hyperparameters_, t.seed_});
  const ojson& state = read.field(root, "state", ojson::value_t::object, "an object");
  // A state that records the hyperparameters it was fitted with (the forest's) must agree
  // with the file's: `proxy show` prints those, and the fitted state is what predicts.
  if (state.contains("hyperparameters") && state["hyperparameters"].is_object()) {
    const ojson file_hp = detail::parse_json(t.hyperparameters_.to_json(), "hyperparameters");
    // Options write a boolean as 1 or 0, states as true or false: compare as numbers.
    const auto number = [](const ojson& v) {
      return v.is_boolean() ? (v.get<bool>() ? 1.0 : 0.0) : v.is_number() ? v.get<double>() : std::nan("");
    };
    for (const auto& [name, value] : state["hyperparameters"].items())
      if (file_hp.contains(name) && file_hp[name] != value && !(number(file_hp[name]) == number(value)))
        throw std::invalid_argument(path + ": field 'hyperparameters' says " + name + " = " + file_hp[name].dump() +
                                    " but the fitted state was made with " + value.dump() + "; retrain the model");
  }
  try {
    model->load_state(state.dump());
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(path + ": field 'state': " + e.what());
  }
  // A state that parses but predicts another number of metrics would give rows with
  // metrics missing.
  const std::size_t outputs = model->predict(proxy_features(t.source_->space(), t.source_->default_design())).size();
  if (outputs != t.metric_names_.size())
    throw std::invalid_argument(path + ": field 'state': the model predicts " + std::to_string(outputs) +
                                " metrics but the file names " + std::to_string(t.metric_names_.size()) + " (" +
                                join(t.metric_names_) + ")");
  t.model_ = std::move(model);
  ContentDigest digest;
  digest.add(text);
  t.loaded_digest_ = digest.text();
  return t;
}

}  // namespace archgym

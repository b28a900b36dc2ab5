// The proxy model file: what TrainedProxy writes (to_json, save) and reads back (load), with
// every check that a file still describes the env it learned from.
#include "core/trained_proxy.h"

#include <algorithm>
#include <charconv>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "core/file_output.h"
#include "core/input_files.h"
#include "core/json_util.h"
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

// JSON has no NaN: an undefined error (R^2 of a constant metric) is written as null.
ojson number_or_null(double x) { return std::isfinite(x) ? ojson(x) : ojson(nullptr); }

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

// A training design's key as the file lists it: 16 hex digits (read back by training_design_keys).
std::string hex_key(std::uint64_t key) {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(key));
  return hex;
}

}  // namespace

std::string TrainedProxy::trained_from_json() const {
  if (store_.empty()) return "";
  ojson runs = ojson::array();
  for (const ProxySourceRun& r : source_runs_)
    runs.push_back({{"id", r.id}, {"status", r.status}, {"evaluations", r.evaluations}, {"budget", r.budget},
                    {"made_by", r.made_by}});
  ojson j;
  j["store"] = store_;
  j["runs"] = std::move(runs);
  return j.dump();
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
  if (!store_.empty()) j["trained_from"] = detail::parse_json(trained_from_json(), "trained_from");
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

std::string model_file_text(const std::string& path) {
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
  return buffer.str();
}

void check_format(const Reader& read) {
  const ojson& root = read.root();
  if (!root.is_object() || read.string(root, "format") != kFormat)
    throw std::invalid_argument(read.path() + ": not an archgym proxy model file (field 'format' must be \"" +
                                std::string(kFormat) + "\")");
  if (read.unsigned_integer(root, "format_version") != kFormatVersion)
    throw std::invalid_argument(read.path() + ": format_version " + root["format_version"].dump() +
                                " is not supported (this archgym reads " + std::to_string(kFormatVersion) + ")");
}

std::vector<std::int64_t> run_ids(const Reader& read) {
  std::vector<std::int64_t> runs;
  for (const ojson& v : read.field(read.root(), "runs", ojson::value_t::array, "a list")) {
    if (!v.is_number_integer()) throw std::invalid_argument(read.path() + ": field 'runs' must list run ids");
    runs.push_back(v.get<std::int64_t>());
  }
  return runs;
}

// The "inputs" object (role -> {"digest": ...}) as text.
std::string input_digests(const Reader& read) {
  const ojson& inputs = read.field(read.root(), "inputs", ojson::value_t::object, "an object");
  for (const auto& [role, entry] : inputs.items())
    if (!entry.is_object() || !entry.contains("digest") || !entry["digest"].is_string())
      throw std::invalid_argument(read.path() + ": field 'inputs': '" + role + "' must be an object with a 'digest' string");
  return inputs.dump();
}

// "trained_from": the store and each training run as it stood; its runs must be the file's
// "runs", in order.
void read_trained_from(const Reader& read, const std::vector<std::int64_t>& run_ids, std::string& store,
                       std::vector<ProxySourceRun>& runs) {
  const ojson& from = read.field(read.root(), "trained_from", ojson::value_t::object, "an object");
  store = read.string(from, "store");
  for (const ojson& r : read.field(from, "runs", ojson::value_t::array, "a list")) {
    ProxySourceRun run;
    const ojson& id = read.field(r, "id", ojson::value_t::number_unsigned, "a run id");
    run.id = id.get<std::int64_t>();
    run.status = read.string(r, "status");
    run.evaluations = read.unsigned_integer(r, "evaluations");
    run.budget = read.unsigned_integer(r, "budget");
    run.made_by = read.string(r, "made_by");
    runs.push_back(std::move(run));
  }
  std::vector<std::int64_t> ids;
  for (const ProxySourceRun& r : runs) ids.push_back(r.id);
  if (ids != run_ids)
    throw std::invalid_argument(read.path() + ": field 'trained_from': its runs (" + join_ids(ids) +
                                ") must be the field 'runs' (" + join_ids(run_ids) + ")");
}

std::vector<std::uint64_t> training_design_keys(const Reader& read) {
  std::vector<std::uint64_t> keys;
  for (const ojson& v : read.field(read.root(), "training_designs", ojson::value_t::array, "a list")) {
    const std::string text = v.is_string() ? v.get<std::string>() : "";
    std::uint64_t key = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), key, 16);
    if (text.size() != 16 || error != std::errc() || end != text.data() + text.size())
      throw std::invalid_argument(read.path() + ": field 'training_designs' must list 16-digit hex design keys, got " +
                                  v.dump());
    keys.push_back(key);
  }
  if (!std::is_sorted(keys.begin(), keys.end()) || std::adjacent_find(keys.begin(), keys.end()) != keys.end())
    throw std::invalid_argument(read.path() + ": field 'training_designs' must be sorted and without repeats");
  return keys;
}

// The held-out errors of the metrics the file lists them for (null: undefined, NaN).
std::vector<ProxyError> held_out_errors(const Reader& read, const std::vector<std::string>& metrics) {
  const ojson& errors = read.field(read.root(), "test_errors", ojson::value_t::object, "an object");
  std::vector<ProxyError> out;
  for (const std::string& m : metrics) {
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
    out.push_back(e);
  }
  return out;
}

// The env and model a file names must be registered in this build (a model file of a build
// with another env or model, a user's own, is read by one without it): said of the file.
void check_registered(const std::string& path, const char* field, const std::string& name, bool known,
                      const std::vector<std::string>& all) {
  if (!known)
    throw std::invalid_argument(path + ": field '" + field + "' names " + field + " '" + name +
                                "', which this build does not have (its " + field + "s: " + join(all) +
                                "); was the model trained by a build with more components?");
}

// The env must still be the one the proxy learned: same space (features and, where the
// file records them, domains) and same metrics.
void check_same_env(const Reader& read, const std::string& env_name, const Env& env,
                    const std::vector<std::string>& features, const std::vector<std::string>& metrics) {
  const std::string& path = read.path();
  const auto features_now = proxy_feature_names(env.space());
  if (features_now != features)
    throw std::invalid_argument(path + ": env '" + env_name + "' has a different design space than when this proxy "
                                "was trained (features now: " + join(features_now) + "; in the file: " +
                                join(features) + "); retrain it");
  if (read.root().contains("space")) {  // optional: files of older builds lack it
    const auto recorded = read.strings(read.root(), "space");
    const auto now = space_signature(env.space());
    if (recorded != now) {
      std::vector<std::string> differ;  // the parameters whose domain changed, or every one
      for (std::size_t i = 0; i < now.size() && recorded.size() == now.size(); ++i)
        if (now[i] != recorded[i]) differ.push_back(recorded[i] + " when trained, " + now[i] + " now");
      if (differ.empty()) differ = {"when trained: " + join(recorded) + "; now: " + join(now)};
      throw std::invalid_argument(path + ": env '" + env_name + "' has a different design space than when this proxy "
                                  "was trained (" + join(differ) + "); something it reads changed (e.g. a proxy "
                                  "model file it learned from was retrained under the same name): retrain it");
    }
  }
  if (env.metric_names() != metrics)
    throw std::invalid_argument(path + ": env '" + env_name + "' reports different metrics than when this proxy "
                                "was trained (now: " + join(env.metric_names()) + "; in the file: " +
                                join(metrics) + "); retrain it");
}

// A state that records the hyperparameters it was fitted with (the forest's) must agree
// with the file's: `proxy show` prints those, and the fitted state is what predicts.
void check_state_hyperparameters(const std::string& path, const ojson& state, const Options& hyperparameters) {
  if (!state.contains("hyperparameters") || !state["hyperparameters"].is_object()) return;
  const ojson file_hp = detail::parse_json(hyperparameters.to_json(), "hyperparameters");
  // Options write a boolean as 1 or 0, states as true or false: compare as numbers.
  const auto number = [](const ojson& v) {
    return v.is_boolean() ? (v.get<bool>() ? 1.0 : 0.0) : v.is_number() ? v.get<double>() : std::nan("");
  };
  for (const auto& [name, value] : state["hyperparameters"].items())
    if (file_hp.contains(name) && file_hp[name] != value && !(number(file_hp[name]) == number(value)))
      throw std::invalid_argument(path + ": field 'hyperparameters' says " + name + " = " + file_hp[name].dump() +
                                  " but the fitted state was made with " + value.dump() + "; retrain the model");
}

}  // namespace

TrainedProxy TrainedProxy::load(const std::string& path) {
  const LoadingGuard guard(path);
  const std::string text = model_file_text(path);
  const ojson root = detail::parse_json(text, path);
  const Reader read(root, path);
  check_format(read);

  TrainedProxy t;
  t.version_ = read.string(root, "archgym_version");
  t.git_commit_ = read.string(root, "git_commit");
  t.model_name_ = read.string(root, "model");
  t.seed_ = read.unsigned_integer(root, "seed");
  t.env_ = read.string(root, "env");
  t.env_config_ = read.field(root, "env_config", ojson::value_t::object, "an object").dump();
  t.metric_names_ = read.strings(root, "metrics");
  t.feature_names_ = read.strings(root, "features");
  t.runs_ = run_ids(read);
  // Optional fields: files of older builds lack them.
  if (root.contains("inputs")) t.inputs_ = input_digests(read);
  if (root.contains("trained_from")) read_trained_from(read, t.runs_, t.store_, t.source_runs_);
  if (root.contains("training_designs")) {
    t.training_designs_ = training_design_keys(read);
    t.knows_training_designs_ = true;
  }
  t.train_rows_ = read.unsigned_integer(root, "train_rows");
  t.test_rows_ = read.unsigned_integer(root, "test_rows");
  t.test_fraction_ = read.number(root, "test_fraction");
  t.test_errors_ = held_out_errors(read, t.metric_names_);

  const EnvRegistry& envs = EnvRegistry::instance();
  const ProxyRegistry& models = ProxyRegistry::instance();
  check_registered(path, "env", t.env_, envs.contains(t.env_), envs.names());
  check_registered(path, "model", t.model_name_, models.contains(t.model_name_), models.names());
  const Options env_options = envs.get(t.env_).schema.parse_json(t.env_config_, path);
  try {
    t.source_ = build_env(t.env_, env_options);
  } catch (const std::invalid_argument& e) {  // e.g. its trace, or the model it learned from, is gone
    throw std::invalid_argument(path + ": cannot rebuild the env the proxy learned (env '" + t.env_ + "' with " +
                                t.env_config_ + "): " + e.what() +
                                (names_input_relatively(t.env_config_, t.inputs_)
                                     ? " (a relative path there resolves against the working directory)"
                                     : ""));
  }
  check_same_env(read, t.env_, *t.source_, t.feature_names_, t.metric_names_);

  t.hyperparameters_ = models.get(t.model_name_).schema.parse_json(
      read.field(root, "hyperparameters", ojson::value_t::object, "an object").dump(), path);
  auto model = build_proxy(t.model_name_, ProxyContext{t.hyperparameters_, t.seed_});
  const ojson& state = read.field(root, "state", ojson::value_t::object, "an object");
  check_state_hyperparameters(path, state, t.hyperparameters_);
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

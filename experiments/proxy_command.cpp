// `archgym proxy train|eval|show`: fit a proxy cost model on stored evaluations, measure
// it against other stored runs, and describe a model file. A trained model is then an
// env like any other: `archgym run --env proxy --set model=FILE ...`.
#include <chrono>
#include <cmath>
#include <iomanip>
#include <map>
#include <sstream>

#include "core/build_label.h"
#include "core/file_output.h"
#include "core/registry.h"
#include "core/text.h"
#include "core/trained_proxy.h"
#include "experiments/cli_error.h"
#include "experiments/commands.h"
#include "experiments/interrupt.h"

namespace archgym::cli {
namespace {

std::string fixed(double x, int digits) {
  if (!std::isfinite(x)) return "-";
  std::ostringstream s;
  s << std::setprecision(digits) << x;
  return s.str();
}

void print_errors(std::ostream& out, const std::vector<ProxyError>& errors) {
  std::size_t w = 6;
  for (const auto& e : errors) w = std::max(w, e.metric.size());
  out << "  " << std::left << std::setw(static_cast<int>(w)) << "metric" << std::right << std::setw(12) << "R^2"
      << std::setw(12) << "MAPE %" << std::setw(14) << "MAE" << std::setw(14) << "RMSE" << "\n";
  for (const auto& e : errors)
    out << "  " << std::left << std::setw(static_cast<int>(w)) << e.metric << std::right << std::setw(12)
        << fixed(e.r2, 4) << std::setw(12) << fixed(e.mape, 3) << std::setw(14) << fixed(e.mae, 5)
        << std::setw(14) << fixed(e.rmse, 5) << "\n";
}

ProxyDataset dataset(const Store& store, const std::vector<std::int64_t>& runs) {
  try {
    return load_proxy_dataset(store, runs);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
}

TrainedProxy load_model(const std::string& path) {
  try {
    return TrainedProxy::load(path);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
}

}  // namespace

void proxy_train_command(const ProxyTrainRequest& request, std::ostream& out) {
  if (request.out_path.empty()) throw UsageError("proxy train: --out FILE is required (where to write the model)");
  refuse_store_as_output(request.store, request.out_path);
  // Everything that can be checked without the data is, before loading and fitting it.
  try {
    check_output_target(request.out_path, "the proxy model file");
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  try {
    check_test_fraction(request.test_fraction);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--test-fraction: ") + e.what());
  }
  ProxyTrainingOptions options;
  options.model = request.model;
  options.test_fraction = request.test_fraction;
  options.seed = request.seed;
  options.workers = request.workers;
  options.progress = request.progress;
  for (const std::string& text : request.sets) {
    const auto eq = text.find('=');
    if (eq == std::string::npos || eq == 0)
      throw UsageError("--set " + text + ": expected key=value (e.g. --set trees=50)");
    const std::string key = text.substr(0, eq);
    if (options.hyperparameters.count(key))
      throw UsageError("--set " + text + ": a second value for '" + key + "' (first: --set " + key + "=" +
                       options.hyperparameters[key] + ")");
    options.hyperparameters[key] = text.substr(eq + 1);
  }
  try {
    proxy_options(options.model, options.hyperparameters);  // bad names fail before any work
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  const auto store = open_existing_store(request.store);
  const ProxyDataset data = dataset(*store, request.runs);
  out << "learning env '" << data.env << "' " << data.env_config << "\n  from " << request.store << " run(s) "
      << join_ids(data.runs) << ": " << data.rows() << " valid evaluations (" << data.skipped_invalid
      << " invalid skipped";
  if (data.skipped_unmeasured > 0)
    out << "; " << data.skipped_unmeasured << " valid ones skipped for a metric that is not a finite number";
  out << ")\n";
  // Runs of several builds may differ because their simulators did.
  {
    std::map<std::string, std::vector<std::int64_t>> builds;
    for (const ProxySourceRun& r : data.source_runs) builds[r.made_by].push_back(r.id);
    if (builds.size() > 1) {
      std::string listed;
      for (const auto& [build, ids] : builds) listed += (listed.empty() ? "" : "; ") + build + ": run(s) " + join_ids(ids);
      out << "  note: these runs were made by different builds, whose simulators may differ: " << listed << "\n";
    }
  }
  // A run still under way, killed or interrupted gives fewer rows than it will: the model
  // file records how many, but retraining once the run is complete learns another model.
  {
    std::vector<std::string> unfinished;
    for (const ProxySourceRun& r : data.source_runs)
      if (r.status != "finished" && r.status != "target_met")
        unfinished.push_back("run " + std::to_string(r.id) + " is " + r.status + " (" + std::to_string(r.evaluations) +
                             " of a budget of " + std::to_string(r.budget) + " evaluations)");
    if (!unfinished.empty())
      out << "  note: " << join(unfinished, "; ") << ": the model learns the rows stored so far (the file records "
          << "how many); trained again after " << (unfinished.size() > 1 ? "they are" : "it is")
          << " resumed, it learns more\n";
  }
  // Allowed on purpose (a cheaper model distilled from another), but easy to do by mistake.
  if (data.env == "proxy")
    out << "  note: these runs searched a proxy, so their metrics are its predictions: this model learns that "
           "model, not the simulator\n";
  out.flush();  // before any progress on stderr (a log holding both keeps their order)
  const auto start = std::chrono::steady_clock::now();
  TrainedProxy proxy;
  try {
    BrokenPipeIgnored progress_pipe;  // a gone reader of the progress does not lose the model
    proxy = TrainedProxy::train(data, options);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out << "fitted '" << proxy.model() << "' " << proxy.hyperparameters().to_json() << " seed " << proxy.seed()
      << " on " << proxy.train_rows() << " rows in " << fixed(seconds, 3) << " s\n";
  if (proxy.test_rows() > 0) {
    out << "error on " << proxy.test_rows() << " held-out rows (designs never seen in training):\n";
    print_errors(out, proxy.test_errors());
  } else {
    out << "no rows held out (test fraction " << request.test_fraction << " of " << data.rows()
        << " rows leaves none): error not measured\n";
  }
  try {
    proxy.save(request.out_path);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  out << "saved " << request.out_path << "\nsearch it like any env: archgym run --env proxy --set model="
      << request.out_path << " --agent ga --budget 1000 --set generations=70\n";
}

void proxy_eval_command(const std::string& model_path, const std::string& store_path,
                        const std::vector<std::int64_t>& runs, std::ostream& out) {
  const TrainedProxy proxy = load_model(model_path);
  auto store = open_existing_store(store_path);
  ProxyDataset data;
  TrainedProxy::SplitErrors errors;
  std::vector<std::int64_t> left_out;
  try {
    data = proxy.comparison_data(*store, runs, &left_out);
    errors = proxy.split_errors_on(data);
  } catch (const std::invalid_argument& e) {
    // Nothing was selected because every run of the configuration trained it: how to name them.
    const bool all_trained = data.runs.empty() && !left_out.empty();
    throw UsageError(model_path + ": " + e.what() + (all_trained ? " (--runs " + join_ids(left_out, ",") + ")" : ""));
  }
  out << model_path << " ('" << proxy.model() << "') against " << store_path << " run(s) " << join_ids(data.runs)
      << ": " << data.rows() << " valid evaluations\n";
  if (!left_out.empty())
    out << "  left out run(s) " << join_ids(left_out) << ": the ids of the runs it trained on (name them with "
        << "--runs to include them)\n";
  // Which rows it was fitted on is known by design (any run may repeat a design: another
  // agent with the same seed starts with the same ones); files of older builds only have
  // the run ids to go by.
  const std::size_t seen = errors.fitted;
  if (seen > 0)
    out << "  " << seen << " of the " << data.rows() << " evaluations are of designs it was fitted on: the error "
        << "on them is optimistic\n";
  else if (const auto ids = proxy.trained_on(data.runs); !ids.empty() && !proxy.knows_training_designs())
    out << "  run(s) " << join_ids(ids) << " have the ids of runs it trained on: if this is the store it learned "
        << "from, most of their rows were its training data and the error there is optimistic\n";
  print_errors(out, errors.all);
  if (seen > 0 && !errors.unseen.empty()) {
    out << "on the " << data.rows() - seen << " evaluations of designs it was not fitted on:\n";
    print_errors(out, errors.unseen);
  } else if (seen > 0) {
    out << "every evaluation is of a design it was fitted on: compare with runs it did not see for its error\n";
  }
}

namespace {

// Weights largest first, each relative to the largest; nothing when the model has none.
void print_weights(std::ostream& out, const std::string& heading,
                   const std::vector<std::pair<std::string, double>>& weights) {
  if (weights.empty()) return;
  const double top = weights.front().second;
  out << heading << " (largest first; relative to the largest):\n";
  for (const auto& [name, w] : weights) {
    std::ostringstream line;
    line << "  " << std::left << std::setw(32) << name << std::right << std::setw(10) << std::setprecision(3)
         << (top > 0 ? w / top : 0.0) << '\n';
    out << line.str();
  }
}

}  // namespace

void proxy_show_command(const std::string& model_path, std::ostream& out) {
  const TrainedProxy p = load_model(model_path);
  out << model_path << "\n  model: " << p.model() << " " << p.hyperparameters().to_json() << " seed " << p.seed()
      << "\n  env: " << p.env() << " " << p.env_config() << "\n  metrics: " << join(p.metric_names())
      << "\n  trained on runs " << join_ids(p.runs()) << ": " << p.train_rows() << " rows, " << p.test_rows()
      << " held out\n";
  if (!p.store().empty()) {
    std::string runs;
    for (const ProxySourceRun& r : p.source_runs())
      runs += (runs.empty() ? "" : ", ") + ("run " + std::to_string(r.id) + " " + r.status + " with " +
                                            std::to_string(r.evaluations) + " of " + std::to_string(r.budget) +
                                            " evaluations");
    out << "  from " << printable_line(p.store()) << ": " << printable_line(runs) << "\n";
  }
  out << "  made by " << build_label(p.archgym_version(), p.git_commit()) << "\n";
  if (!p.test_errors().empty()) {
    out << "held-out error:\n";
    print_errors(out, p.test_errors());
  }
  print_weights(out, "knob weights, each knob's feature weights summed", p.knob_weights());
  print_weights(out, "feature weights", p.feature_weights());
}

}  // namespace archgym::cli

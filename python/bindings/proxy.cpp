// Proxy cost models: train on a store, predict, save/load, measure. Every model comes
// from the registry (list_proxy_models); the `proxy` env serves a saved model to
// gymnasium like any other env.
#include <pybind11/stl.h>

#include <cmath>
#include <limits>

#include "core/registry.h"
#include "core/runner.h"
#include "core/store.h"
#include "core/trained_proxy.h"
#include "python/bindings/bindings.h"
#include "python/bindings/convert.h"
#include "python/bindings/gil_guards.h"

namespace archgym::python {
namespace {

py::object number_or_none(double x) { return std::isfinite(x) ? py::object(py::float_(x)) : py::object(py::none()); }

py::dict errors_to_dict(const std::vector<ProxyError>& errors) {
  py::dict out;
  for (const ProxyError& e : errors) {
    py::dict d;
    d["rows"] = e.rows;
    d["r2"] = number_or_none(e.r2);
    d["mape"] = number_or_none(e.mape);
    d["mae"] = number_or_none(e.mae);
    d["rmse"] = number_or_none(e.rmse);
    out[py::str(e.metric)] = d;
  }
  return out;
}

py::dict metrics_to_dict(const TrainedProxy& p, const std::vector<double>& values) {
  py::dict d;
  for (std::size_t m = 0; m < values.size(); ++m) d[py::str(p.metric_names()[m])] = values[m];
  return d;
}

ProxyDataset dataset(const Store& store, const std::vector<std::int64_t>& runs) {
  ReleaseGil release;
  return load_proxy_dataset(store, runs);
}

ProxyDataset comparison_data(const TrainedProxy& p, const Store& store, const std::vector<std::int64_t>& runs) {
  ReleaseGil release;
  return p.comparison_data(store, runs);
}

// Store run ids: any sequence of integers 1..2**63-1 (as archgym._checks.run_id); empty or
// None (as in archgym.Proxy.compare) for every run.
std::vector<std::int64_t> to_run_ids(const py::object& runs, const std::string& what) {
  std::vector<std::int64_t> out;
  if (runs.is_none()) return out;
  for (const auto& r : to_items(runs, what))
    out.push_back(static_cast<std::int64_t>(
        to_unsigned(r, what + "[" + std::to_string(out.size()) + "]", 1, INT64_MAX)));
  return out;
}

const Store& to_store(const py::object& store, const std::string& what) {
  return to_instance<Store>(store, what, "an archgym Store");
}

}  // namespace

void bind_proxy(py::module_& m) {
  m.def(
      "list_proxy_models", [] { return registry_to_list(ProxyRegistry::instance()); },
      "Every registered proxy model: [{name, description, options}] (options = hyperparameters).");

  py::class_<TrainedProxy, std::shared_ptr<TrainedProxy>>(
      m, "Proxy", "A proxy cost model trained on stored evaluations of one env configuration.")
      .def_property_readonly("model", &TrainedProxy::model, "Registry name of the model.")
      .def_property_readonly(
          "hyperparameters",
          [](const TrainedProxy& p) {
            // Booleans come back as bool, as list_proxy_models shows them (held as 0/1).
            const Schema& schema = ProxyRegistry::instance().get(p.model()).schema;
            py::dict d;
            for (const auto& [k, v] : p.hyperparameters().all()) {
              const OptionSpec* spec = schema.find(k);
              d[py::str(k)] = spec ? option_to_python(*spec, v) : from_value(v);
            }
            return d;
          },
          "Hyperparameters used (defaults filled in).")
      .def_property_readonly("seed", &TrainedProxy::seed, "Seed of the train/test split and the model.")
      .def_property_readonly("env", &TrainedProxy::env, "Registry name of the env it learned.")
      .def_property_readonly("env_config", &TrainedProxy::env_config, "That env's options as JSON.")
      .def_property_readonly("metric_names", &TrainedProxy::metric_names, "Metrics it predicts, in order.")
      .def_property_readonly("runs", &TrainedProxy::runs, "Store runs it learned from.")
      .def_property_readonly("trained_from", &TrainedProxy::trained_from_json,
                             "JSON of the store and each training run as it stood ({store, runs: [{id, status, "
                             "evaluations, budget, made_by}]}); '' if unknown.")
      .def_property_readonly("inputs", &TrainedProxy::inputs,
                             "JSON of the input files its runs read ({role: {path, digest}}); '' if unknown.")
      .def_property_readonly("train_rows", &TrainedProxy::train_rows, "Rows it was fitted on.")
      .def_property_readonly("test_rows", &TrainedProxy::test_rows, "Rows held out to measure the error.")
      .def_property_readonly(
          "test_errors", [](const TrainedProxy& p) { return errors_to_dict(p.test_errors()); },
          "Held-out error per metric: {metric: {rows, r2, mape (%), mae, rmse}} (None = undefined).")
      .def_property_readonly(
          "feature_weights", &TrainedProxy::feature_weights,
          "The model's weight per feature [(feature, weight)], largest first (a knob's name, or\n"
          "'Knob=Choice' for a one-hot column); empty when the model reports none.")
      .def_property_readonly("knob_weights", &TrainedProxy::knob_weights,
                             "feature_weights summed per knob [(knob, weight)], largest first.")
      .def_property_readonly("archgym_version", &TrainedProxy::archgym_version, "archgym version that trained it.")
      .def_property_readonly("git_commit", &TrainedProxy::git_commit, "archgym commit that trained it.")
      .def_property_readonly(
          "space", [](const TrainedProxy& p) { return p.source_env().space(); },
          "The design space of the env it learned (a copy).")
      .def(
          "predict",
          [](const TrainedProxy& p, const py::handle& design) {
            const Design defaults = p.source_env().default_design();
            const Design d = dict_to_design(p.source_env().space(), design, &defaults);
            return metrics_to_dict(p, p.predict(d));
          },
          py::arg("design"), "Predicted metrics {metric: value} of one design (dict; missing knobs default).")
      .def(
          "predict_many",
          [](const TrainedProxy& p, const py::object& designs) {
            const Design defaults = p.source_env().default_design();
            std::vector<Design> ds;
            for (const auto& d : to_items(designs, "predict_many: designs")) ds.push_back(dict_to_design(p.source_env().space(), d, &defaults));
            std::vector<std::vector<double>> out(ds.size());
            {
              ReleaseGil release;
              for (std::size_t i = 0; i < ds.size(); ++i) out[i] = p.predict(ds[i]);
            }
            return out;
          },
          py::arg("designs"), "Predicted metric rows (metric_names order) for a list of design dicts.")
      .def(
          "compare",
          [](const TrainedProxy& p, const py::object& store, const py::object& runs) {
            const ProxyDataset data = comparison_data(p, to_store(store, "compare: store"), to_run_ids(runs, "compare: runs"));
            py::list designs;
            for (const Design& d : data.designs) designs.append(design_to_dict(data.source->space(), d));
            std::vector<std::vector<double>> predicted;
            {
              ReleaseGil release;
              for (const Design& d : data.designs) predicted.push_back(p.predict(d));
            }
            py::dict out;
            out["designs"] = designs;
            out["actual"] = data.targets;
            out["predicted"] = predicted;
            return out;
          },
          py::arg("store"), py::arg("runs") = py::tuple(),
          "Simulated and predicted metrics of the valid evaluations of `runs` (when empty: every run of\n"
          "the env configuration the proxy learned):\n"
          "{'designs': [...], 'actual': [[...]], 'predicted': [[...]]}.")
      .def(
          "errors_on",
          [](const TrainedProxy& p, const py::object& store, const py::object& runs) {
            const ProxyDataset data = comparison_data(p, to_store(store, "errors_on: store"), to_run_ids(runs, "errors_on: runs"));
            return errors_to_dict(p.errors_on(data));
          },
          py::arg("store"), py::arg("runs") = py::tuple(),
          "Error per metric on stored runs of the same env configuration (all of them when `runs` is empty).")
      .def(
          "split_errors_on",
          [](const TrainedProxy& p, const py::object& store, const py::object& runs) {
            const ProxyDataset data =
                comparison_data(p, to_store(store, "errors_on: store"), to_run_ids(runs, "errors_on: runs"));
            const TrainedProxy::SplitErrors e = p.split_errors_on(data);
            py::dict out;
            out["rows"] = data.rows();
            out["fitted"] = e.fitted;
            out["all"] = errors_to_dict(e.all);
            out["unseen"] = errors_to_dict(e.unseen);
            return out;
          },
          py::arg("store"), py::arg("runs") = py::tuple(),
          "errors_on, and the error on the evaluations of designs it was not fitted on:\n"
          "{'rows': n, 'fitted': k, 'all': {...}, 'unseen': {...} (empty when k == n)}.")
      .def_property_readonly("knows_training_designs", &TrainedProxy::knows_training_designs,
                             "Whether the model file lists the designs it was fitted on (older files do not).")
      .def(
          "save", [](const TrainedProxy& p, const py::object& path) { p.save(to_text(path, "save: path")); },
          py::arg("path"), "Writes the model file (JSON).")
      .def("to_json", &TrainedProxy::to_json, "The model file's text.")
      .def("__repr__", [](const TrainedProxy& p) {
        return "<archgym Proxy '" + p.model() + "' of env '" + p.env() + "', " + std::to_string(p.train_rows()) +
               " training rows>";
      });

  m.def(
      "train_proxy",
      [](const py::object& store, const py::object& runs, const py::object& model, const py::object& test_fraction,
         const py::object& seed, const py::object& workers, const py::object& progress,
         const py::kwargs& hyperparameters) {
        ProxyTrainingOptions options;
        options.model = to_text(model, "train_proxy: model");
        options.hyperparameters = to_option_text(hyperparameters);
        options.test_fraction = to_number(test_fraction, "train_proxy: test_fraction");
        options.seed = to_unsigned(seed, "train_proxy: seed", 0, UINT64_MAX);
        options.workers = static_cast<unsigned>(to_unsigned(workers, "train_proxy: workers", 0, kMaxWorkers));
        options.progress = to_bool(progress, "train_proxy: progress");
        proxy_options(options.model, options.hyperparameters);  // bad names fail before reading the store
        const ProxyDataset data =
            dataset(to_store(store, "train_proxy: store"), to_run_ids(runs, "train_proxy: runs"));
        ReleaseGil release;
        return std::make_shared<TrainedProxy>(TrainedProxy::train(data, options));
      },
      py::arg("store"), py::arg("runs") = py::tuple(), py::arg("model") = "random_forest",
      py::arg("test_fraction") = 0.2, py::arg("seed") = 1, py::arg("workers") = 0, py::arg("progress") = false,
      "Fits proxy `model` on the valid evaluations of `runs` (all runs when empty; they must share env\n"
      "and env options), holding out `test_fraction` of the designs to measure the error. `workers`\n"
      "threads fit it (0 = all cores; the model is the same for any number); `progress` draws a bar on\n"
      "stderr while the model reports progress (the forest's trees, the kNN's feature scales).");

  m.def(
      "load_proxy",
      [](const py::object& path_object) {
        const auto path = to_text(path_object, "load_proxy: path");
        ReleaseGil release;
        return std::make_shared<TrainedProxy>(TrainedProxy::load(path));
      },
      py::arg("path"), "Loads a model file written by Proxy.save or `archgym proxy train`.");
}

}  // namespace archgym::python

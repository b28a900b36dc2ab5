// The experiment store (SQLite) as plain records; archgym.store turns them into DataFrames.
#include <pybind11/stl.h>

#include <sstream>

#include "core/external_run.h"
#include "core/file_output.h"
#include "core/reserved_columns.h"
#include "core/run_columns.h"
#include "core/store.h"
#include "python/bindings/bindings.h"
#include "python/bindings/convert.h"
#include "python/bindings/gil_guards.h"

namespace archgym::python {

namespace {

py::dict run_to_dict(const Store& store, const RunRecord& r) {
  py::dict d;
  d["run_id"] = r.id;
  d["env"] = stored_text(r.env);
  d["env_config"] = stored_text(r.env_config);
  d["agent"] = stored_text(r.agent);
  d["agent_config"] = stored_text(r.agent_config);
  d["objective"] = stored_text(r.objective);
  d["seed"] = r.seed;
  d["budget"] = r.budget;
  d["batch"] = r.batch;
  d["stop_on_target"] = r.stop_on_target;
  d["version"] = stored_text(r.version);
  d["git_commit"] = stored_text(r.git_commit);
  d["inputs"] = stored_text(r.inputs);
  d["status"] = stored_text(r.status);
  d["state"] = stored_text(store.observed_status(r));  // as `archgym runs` shows it
  d["message"] = stored_text(r.message);
  d["driver"] = stored_text(external_driver(r));  // an external run's ("" for other runs)
  d["started_at"] = stored_text(r.started_at);
  d["updated_at"] = stored_text(r.updated_at);
  d["finished_at"] = stored_text(r.finished_at);
  d["evaluations"] = r.evaluations;
  return d;
}

// Any 64-bit run id (the store names the ids it has when one is unknown), else TypeError.
std::int64_t run_id(const py::object& id) { return to_signed(id, "run_id"); }

}  // namespace

void bind_store(py::module_& m) {
  // The columns the frames put beside knobs and metrics, as the core names them (and
  // refuses as knob or metric names): archgym.store and archgym.proxy build their frames with them.
  auto names = [](const auto& columns) {
    py::tuple out(columns.size());
    for (std::size_t i = 0; i < columns.size(); ++i) out[i] = py::str(columns[i].data(), columns[i].size());
    return out;
  };
  m.attr("EVALUATION_COLUMNS") = names(kEvaluationColumns);
  m.attr("SEARCH_COLUMNS") = names(kSearchColumns);
  m.attr("PREDICTED_SUFFIX") = py::str(kPredictedSuffix.data(), kPredictedSuffix.size());
  py::class_<Store, std::shared_ptr<Store>>(m, "Store",
                                            "The experiment database: one SQLite file (WAL).")
      .def(py::init([](const py::object& path, bool read_only) {
             return std::make_shared<Store>(to_text(path, "Store: path"),
                                            read_only ? StoreAccess::ReadOnly : StoreAccess::ReadWrite);
           }),
           py::arg("path"), py::arg("read_only") = false,
           "Opens or creates the store at `path`; with read_only, opens an existing store without writing to it.")
      .def_property_readonly("path", &Store::path, "The database file.")
      .def(
          "runs",
          [](const Store& s) {
            py::list out;
            for (const auto& r : s.runs()) out.append(run_to_dict(s, r));
            return out;
          },
          "Every run as a dict (env, agent, configs as JSON, seed, budget, status, ...).")
      .def(
          "run",
          [](const Store& s, const py::object& id) -> py::object {
            auto r = s.run(run_id(id));
            return r ? py::object(run_to_dict(s, *r)) : py::object(py::none());
          },
          py::arg("run_id"), "One run as a dict, or None.")
      .def(
          "require_run",
          [](const Store& s, const py::object& id) { return run_to_dict(s, s.require_run(run_id(id))); },
          py::arg("run_id"), "One run as a dict; ValueError naming the store's runs if unknown.")
      .def(
          "evaluations",
          [](const Store& s, const py::object& id) {
            // One run: Store::evaluations(0) reads every run's rows (export's "all runs"),
            // which a caller naming a run never means.
            const std::int64_t run = run_id(id);
            if (run < 1) throw py::value_error("run_id must be at least 1, got " + std::to_string(run));
            py::list out;
            for (const auto& e : s.evaluations(run)) {
              py::dict d;
              d["run_id"] = e.run_id;
              d["index"] = e.index;
              d["design"] = stored_text(e.design);
              d["metrics"] = stored_text(e.metrics);
              d["reward"] = e.reward;
              d["valid"] = e.valid;
              d["reason"] = stored_text(e.invalid_reason);
              d["sim_seconds"] = e.sim_seconds;
              out.append(d);
            }
            return out;
          },
          py::arg("run_id"), "A run's evaluations in index order (design/metrics as JSON text).")
      .def(
          "export_csv",
          [](const Store& s, const py::object& id) {
            std::ostringstream out;
            s.export_csv(out, run_id(id), [&](std::int64_t r) { return run_columns(s.require_run(r)); });
            return out.str();
          },
          py::arg("run_id") = 0, "CSV text, one row per evaluation (run_id 0 = all runs).")
      .def(
          "write_csv",
          [](const Store& s, const py::object& path, const py::object& id) {
            const std::string file = to_text(path, "write_csv: path");
            const std::int64_t run = run_id(id);
            ReleaseGil release;  // a big run streams for a while
            write_file_atomically(
                file,
                [&](std::ostream& out) {
                  s.export_csv(out, run, [&](std::int64_t r) { return run_columns(s.require_run(r)); });
                },
                "the CSV file");
          },
          py::arg("path"), py::arg("run_id") = 0,
          "export_csv streamed into a file, one row in memory at a time (as write_file writes).");

  m.def(
      "write_file",
      [](const py::object& path, const py::object& content, const py::object& what) {
        // Text (a CSV, a model file) or bytes (an image).
        const std::string bytes = py::isinstance<py::bytes>(content) ? content.cast<std::string>()
                                                                    : to_text(content, "write_file: content");
        write_file_atomically(to_text(path, "write_file: path"), bytes, to_text(what, "write_file: what"));
      },
      py::arg("path"), py::arg("content"), py::arg("what"),
      "Writes an output file (str or bytes) whole (temporary file, then rename), never over a store.");
}

}  // namespace archgym::python

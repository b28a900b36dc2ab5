// The experiment store (SQLite) as plain records; archgym.store turns them into DataFrames.
#include <pybind11/stl.h>

#include <sstream>

#include "core/file_output.h"
#include "core/store.h"
#include "python/bindings/bindings.h"

namespace archgym::python {

namespace {

py::dict run_to_dict(const RunRecord& r) {
  py::dict d;
  d["run_id"] = r.id;
  d["env"] = r.env;
  d["env_config"] = r.env_config;
  d["agent"] = r.agent;
  d["agent_config"] = r.agent_config;
  d["objective"] = r.objective;
  d["seed"] = r.seed;
  d["budget"] = r.budget;
  d["batch"] = r.batch;
  d["stop_on_target"] = r.stop_on_target;
  d["version"] = r.version;
  d["git_commit"] = r.git_commit;
  d["inputs"] = r.inputs;
  d["status"] = r.status;
  d["started_at"] = r.started_at;
  d["updated_at"] = r.updated_at;
  d["finished_at"] = r.finished_at;
  d["evaluations"] = r.evaluations;
  return d;
}

}  // namespace

void bind_store(py::module_& m) {
  py::class_<Store, std::shared_ptr<Store>>(m, "Store",
                                            "The experiment database: one SQLite file (WAL).")
      .def(py::init<const std::string&>(), py::arg("path"),
           "Opens or creates the store at `path`.")
      .def_property_readonly("path", &Store::path, "The database file.")
      .def(
          "runs",
          [](const Store& s) {
            py::list out;
            for (const auto& r : s.runs()) out.append(run_to_dict(r));
            return out;
          },
          "Every run as a dict (env, agent, configs as JSON, seed, budget, status, ...).")
      .def(
          "run",
          [](const Store& s, std::int64_t id) -> py::object {
            auto r = s.run(id);
            return r ? py::object(run_to_dict(*r)) : py::object(py::none());
          },
          py::arg("run_id"), "One run as a dict, or None.")
      .def(
          "require_run",
          [](const Store& s, std::int64_t id) { return run_to_dict(s.require_run(id)); },
          py::arg("run_id"), "One run as a dict; ValueError naming the store's runs if unknown.")
      .def(
          "evaluations",
          [](const Store& s, std::int64_t id) {
            py::list out;
            for (const auto& e : s.evaluations(id)) {
              py::dict d;
              d["run_id"] = e.run_id;
              d["index"] = e.index;
              d["design"] = e.design;
              d["metrics"] = e.metrics;
              d["reward"] = e.reward;
              d["valid"] = e.valid;
              d["reason"] = e.invalid_reason;
              d["sim_seconds"] = e.sim_seconds;
              out.append(d);
            }
            return out;
          },
          py::arg("run_id"), "A run's evaluations in index order (design/metrics as JSON text).")
      .def(
          "export_csv",
          [](const Store& s, std::int64_t id) {
            std::ostringstream out;
            s.export_csv(out, id);
            return out.str();
          },
          py::arg("run_id") = 0, "CSV text, one row per evaluation (run_id 0 = all runs).");

  m.def(
      "write_file",
      [](const std::string& path, const std::string& text, const std::string& what) {
        write_file_atomically(path, text, what);
      },
      py::arg("path"), py::arg("text"), py::arg("what"),
      "Writes an output file whole (temporary file, then rename), never over a store.");
}

}  // namespace archgym::python

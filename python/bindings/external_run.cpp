// ExternalRun: a search outside archgym's agents (an Optuna study, an RL library through
// the gymnasium env) logging every evaluation to the store. archgym.ExternalRun wraps it.
#include <pybind11/stl.h>

#include "core/external_run.h"
#include "core/gym_view.h"
#include "core/registry.h"
#include "python/bindings/bindings.h"
#include "python/bindings/convert.h"
#include "python/bindings/gil_guards.h"

namespace archgym::python {

namespace {

ExternalRunSpec to_spec(const py::object& env, const py::object& env_options, const py::object& targets,
                        const py::object& formulation, const py::object& seed, const py::object& driver) {
  ExternalRunSpec spec;
  spec.env = to_text(env, "env");
  spec.env_options = to_option_text(to_dict(env_options, "env_options"));
  spec.targets = to_target_values(targets);
  spec.formulation = formulation.is_none() ? "" : to_text(formulation, "formulation");
  spec.seed = to_unsigned(seed, "seed", 0, UINT64_MAX);
  spec.driver = to_text(driver, "driver");
  return spec;
}

py::dict step_to_dict(const DesignSpace& space, const Step& s) {
  py::dict d = evaluation_to_dict(s.evaluation);
  d["index"] = s.index;
  d["reward"] = s.reward;
  d["design"] = design_to_dict(space, s.design);
  return d;
}

}  // namespace

void bind_external_run(py::module_& m) {
  m.attr("EXTERNAL_AGENT") = kExternalAgent;  // the agent an external run records
  py::class_<ExternalRun, std::shared_ptr<ExternalRun>>(
      m, "ExternalRun", "A run of the store whose designs a search outside archgym picks.")
      .def(py::init([](const py::object& store, const py::object& env, const py::object& env_options,
                       const py::object& targets, const py::object& formulation, const py::object& seed,
                       const py::object& driver) {
             const ExternalRunSpec spec = to_spec(env, env_options, targets, formulation, seed, driver);
             auto s = to_store(store);
             ReleaseGil release;  // building the env may read a trace
             return std::make_shared<ExternalRun>(std::move(s), spec);
           }),
           py::arg("store"), py::arg("env"), py::arg("env_options"), py::arg("targets"), py::arg("formulation"),
           py::arg("seed"), py::arg("driver"),
           "Builds the env and objective (checked as archgym.run checks them), then creates the run.")
      .def_static(
          "check",
          [](const py::object& env, const py::object& env_options, const py::object& targets,
             const py::object& formulation, const py::object& seed, const py::object& driver) {
            const ExternalRunSpec spec = to_spec(env, env_options, targets, formulation, seed, driver);
            ReleaseGil release;
            ExternalRun::check(spec);
          },
          py::arg("env"), py::arg("env_options"), py::arg("targets"), py::arg("formulation"), py::arg("seed"),
          py::arg("driver"), "Raises what the constructor would refuse, without creating a run.")
      .def_static(
          "check_driver", [](const py::object& driver) { check_external_driver(to_text(driver, "driver")); },
          py::arg("driver"), "Raises ValueError unless `driver` is one line of text, 1-200 bytes.")
      .def_static(
          "on_view",
          [](const py::object& store, GymView& view, const py::object& env_object, const py::object& driver) {
            const auto& env = to_instance<EnvHandle>(env_object, "env", "an archgym Env (archgym.make_env)");
            auto run = std::make_shared<ExternalRun>(to_store(store), env.name, env_options(env.name, env.options),
                                                     env.env, view.objective(), to_text(driver, "driver"),
                                                     ExternalRun::Deferred{});
            view.record_to(run);
            return run;
          },
          py::arg("store"), py::arg("view"), py::arg("env"), py::arg("driver"),
          "A run on a gym view's env and objective, to which the view then records every evaluation;\n"
          "its record is taken now, the run is stored with its first evaluation.")
      .def(
          "set_seed",
          [](ExternalRun& r, const py::object& seed) { r.set_seed(to_unsigned(seed, "seed", 0, UINT64_MAX)); },
          py::arg("seed"), "The seed to record, before the run is stored.")
      .def(
          "evaluate",
          [](ExternalRun& r, const py::handle& design) {
            const Design defaults = r.env().default_design();
            const Design d = dict_to_design(r.env().space(), design, &defaults);
            Step s;
            {
              ReleaseGil release;
              s = r.evaluate(d);
            }
            return step_to_dict(r.env().space(), s);
          },
          py::arg("design"),
          "Simulates a design dict (missing knobs take the default design's values), stores it\n"
          "as the run's next evaluation -> {'metrics', 'valid', 'reason', 'sim_seconds', 'index',\n"
          "'reward', 'design'}.")
      .def("finish", &ExternalRun::finish, py::arg("status") = "finished", py::arg("message") = "",
           "Ends the run: 'finished', 'interrupted' or 'failed' (with a message).")
      .def_property_readonly("run_id", &ExternalRun::run_id, "The run's id in the store.")
      .def_property_readonly("open", &ExternalRun::open, "Whether the run takes more evaluations.")
      .def_property_readonly("evaluations", &ExternalRun::evaluations, "Evaluations stored so far.")
      .def_property_readonly("objective", &ExternalRun::objective, "The objective giving the stored rewards.")
      .def_property_readonly(
          "space", [](const ExternalRun& r) { return r.env().space(); }, "The env's design space (a copy).")
      .def_property_readonly(
          "metric_names", [](const ExternalRun& r) { return r.env().metric_names(); }, "The env's metrics.");
}

}  // namespace archgym::python

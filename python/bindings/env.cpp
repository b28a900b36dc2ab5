// Envs from the registry: listing, construction with keyword options, evaluation.
#include <pybind11/stl.h>

#include "core/registry.h"
#include "python/bindings/bindings.h"
#include "python/bindings/convert.h"
#include "python/bindings/gil_guards.h"

namespace archgym::python {

void bind_env(py::module_& m) {
  m.def(
      "list_envs",
      [] { return registry_to_list(EnvRegistry::instance()); },
      "Every registered env: [{name, description, options: [{name, kind, default, ...}]}].");
  m.def(
      "gym_name", [](const py::object& name) { return archgym::gym_name(to_text(name, "gym_name: name")); },
      py::arg("name"), "The gymnasium name of a registry env name ('dram' -> 'DRAM').");
  m.def(
      "gym_id", [](const py::object& name) { return archgym::gym_id(to_text(name, "gym_id: name")); },
      py::arg("name"), "The gymnasium id of a registry env name ('dram' -> 'archgym/DRAM-v0').");

  py::class_<EnvHandle, std::shared_ptr<EnvHandle>>(
      m, "Env", "A simulator seen as a design space, metrics and a default objective.")
      .def_readonly("name", &EnvHandle::name, "The registry name the env was made from.")
      .def_property_readonly(
          "options", [](const EnvHandle& h) { return h.options; },
          "The options given at construction, as text.")
      .def_property_readonly(
          "space", [](const EnvHandle& h) { return h.env->space(); },
          "The design space (a copy: constraining it leaves the env's own unchanged).")
      .def_property_readonly("metric_names", [](const EnvHandle& h) { return h.env->metric_names(); },
                             "Every metric evaluate() reports, units in the names.")
      .def_property_readonly("default_objective",
                             [](const EnvHandle& h) { return h.env->default_objective(); },
                             "The reward ArchGym used for this env.")
      .def_property_readonly(
          "default_design",
          [](const EnvHandle& h) { return design_to_dict(h.env->space(), h.env->default_design()); },
          "A design a user would start from (the simulator's defaults).")
      .def(
          "evaluate",
          [](const EnvHandle& h, const py::handle& design) {
            const Design defaults = h.env->default_design();
            Design d = dict_to_design(h.env->space(), design, &defaults);
            Evaluation e;
            {
              ReleaseGil release;  // simulate while other Python threads run
              // Knob values were validated above (ValueError); a broken constraint or a
              // simulator failure is an invalid design, so a search loop keeps going.
              e = evaluate_checked(*h.env, d);
            }
            return evaluation_to_dict(e);
          },
          py::arg("design"),
          "Simulates one design (dict {knob: value}; missing knobs take the default design).\n"
          "Returns {'metrics': {...}, 'valid': bool, 'reason': str, 'sim_seconds': float}.\n"
          "Knobs outside the space raise ValueError; constraint violations return valid=False.")
      .def("__repr__", [](const EnvHandle& h) { return "<archgym Env '" + h.name + "'>"; });

  m.def(
      "make_env",
      [](const py::object& name, const py::kwargs& options) {
        auto h = std::make_shared<EnvHandle>();
        h->name = to_text(name, "make_env: name");
        h->options = to_option_text(options);
        {
          ReleaseGil release;  // construction may load a trace
          h->env = std::shared_ptr<const Env>(archgym::make_env(h->name, h->options));
        }
        return h;
      },
      py::arg("name"),
      "Builds a registered env; keyword options are validated against its schema.");

  m.def(
      "make_env_from_config",
      [](const py::object& name_object, const py::object& config_object) {
        auto h = std::make_shared<EnvHandle>();
        h->name = to_text(name_object, "make_env_from_config: name");
        const std::string config = to_text(config_object, "make_env_from_config: config");
        {
          ReleaseGil release;
          // A stored config holds every option, defaults too: as Runner::resume reads it,
          // none counts as given, so a generated workload's workload=stream is no conflict.
          const Schema& schema = EnvRegistry::instance().get(h->name).schema;
          const Options options = schema.parse_json(config, "env '" + h->name + "' config");
          // env.options lists what differs from the defaults, so make_env(name, **env.options)
          // rebuilds this env (a stored generator run's workload=stream, given, is refused).
          for (const auto& [key, value] : options.all())
            if (value != schema.find(key)->default_value) h->options[key] = to_string(value);
          h->env = std::shared_ptr<const Env>(archgym::build_env(h->name, options));
        }
        return h;
      },
      py::arg("name"), py::arg("config"),
      "Rebuilds a registered env from a run's stored options (the store's env_config JSON).");
}

}  // namespace archgym::python

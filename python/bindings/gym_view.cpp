// GymView: the step/reset view the gymnasium wrapper (archgym.gym) is built on.
#include <pybind11/stl.h>

#include "core/gym_view.h"
#include "python/bindings/bindings.h"
#include "python/bindings/convert.h"
#include "python/bindings/gil_guards.h"

namespace archgym::python {

namespace {

py::tuple outcome_to_tuple(const Env& env, const StepOutcome& o) {
  return py::make_tuple(py::cast(o.observation), o.reward, o.terminated, o.truncated,
                        evaluation_to_dict(o.evaluation), design_to_dict(env.space(), o.design));
}

}  // namespace

void bind_gym_view(py::module_& m) {
  py::class_<GymView>(m, "GymView",
                      "One step evaluates one design (the action) and observes its metrics.")
      .def(py::init([](const py::object& env_object, const py::object& objective,
                       const py::object& episode_length) {
             const auto& env = to_instance<EnvHandle>(env_object, "GymView: env", "an archgym Env (archgym.make_env)");
             return std::make_unique<GymView>(
                 env.env,
                 objective.is_none() ? env.env->default_objective()
                                     : to_instance<Objective>(objective, "GymView: objective",
                                                              "an archgym Objective or None"),
                 to_unsigned(episode_length, "episode_length", 1, UINT64_MAX));
           }),
           py::arg("env"), py::arg("objective") = py::none(), py::arg("episode_length") = 1,
           "objective defaults to the env's; truncated after `episode_length` steps.")
      .def(
          "reset",
          [](GymView& g, const py::object& seed) {
            const std::uint64_t s = to_unsigned(seed, "seed", 0, UINT64_MAX);
            StepOutcome o;
            {
              ReleaseGil release;
              o = g.reset(s);
            }
            return py::make_tuple(py::cast(o.observation), evaluation_to_dict(o.evaluation),
                                  design_to_dict(g.env().space(), o.design));
          },
          py::arg("seed"),
          "Starts an episode by evaluating the default design -> (observation, evaluation, design).")
      .def(
          "step",
          [](GymView& g, const py::handle& action) {
            Design d = dict_to_design(g.env().space(), action);
            StepOutcome o;
            {
              ReleaseGil release;
              o = g.step(d);
            }
            return outcome_to_tuple(g.env(), o);
          },
          py::arg("design"),
          "Evaluates a design dict -> (observation, reward, terminated, truncated, evaluation, design).")
      .def(
          "step_indices",
          [](GymView& g, const py::object& indices) {
            const auto action = to_indices(indices, "step_indices: indices");
            StepOutcome o;
            {
              ReleaseGil release;
              o = g.step_indices(action);
            }
            return outcome_to_tuple(g.env(), o);
          },
          py::arg("indices"), "As step(), with per-knob value indices.")
      .def_property_readonly("objective", &GymView::objective, "The objective giving rewards.")
      .def_property_readonly("steps", &GymView::steps, "Steps taken in this episode.");
}

}  // namespace archgym::python

// Objective: how an evaluation becomes a reward (ArchGym's formulations).
#include <pybind11/stl.h>

#include <cmath>

#include "core/objective.h"
#include "python/bindings/bindings.h"
#include "python/bindings/convert.h"

namespace archgym::python {

namespace {

std::vector<Target> to_targets(const py::handle& obj) {
  std::vector<Target> out;
  if (obj.is_none()) return out;
  if (py::isinstance<py::dict>(obj)) {
    for (auto [k, v] : obj.cast<py::dict>()) {
      Target t;
      t.metric = py::str(k).cast<std::string>();
      t.value = v.cast<double>();
      out.push_back(t);
    }
    return out;
  }
  for (auto item : obj) {  // (metric, value[, weight]) tuples
    auto tup = item.cast<py::tuple>();
    Target t;
    t.metric = tup[0].cast<std::string>();
    t.value = tup[1].cast<double>();
    if (tup.size() > 2) t.weight = tup[2].cast<double>();
    out.push_back(t);
  }
  return out;
}

}  // namespace

void bind_objective(py::module_& m) {
  py::class_<Objective>(m, "Objective",
                        "Turns an evaluation into a reward; agents always maximise the reward.")
      .def(py::init([](const std::string& formulation, const py::object& targets) {
             return Objective(Objective::parse_formulation(formulation), to_targets(targets));
           }),
           py::arg("formulation"), py::arg("targets") = py::none(),
           "formulation: target_ratio | normalised_cost | budget_distance | weighted_sum;\n"
           "targets: {metric: value} or [(metric, value, weight)].")
      .def_property_readonly("formulation",
                             [](const Objective& o) { return Objective::formulation_name(o.formulation()); },
                             "The formulation's name.")
      .def_property_readonly(
          "targets",
          [](const Objective& o) {
            py::dict out;
            for (const auto& t : o.targets()) out[py::str(t.metric)] = t.value;
            return out;
          },
          "{metric: target value}.")
      .def_property_readonly(
          "weights",
          [](const Objective& o) {
            py::dict out;
            for (const auto& t : o.targets()) out[py::str(t.metric)] = t.weight;
            return out;
          },
          "{metric: weight} (WeightedSum only).")
      .def("set_target", &Objective::set_target, py::arg("metric"), py::arg("value"),
           "Replaces the target of an objective metric.")
      .def(
          "score",
          [](const Objective& o, const py::handle& evaluation) {
            Score s = o.score(dict_to_evaluation(evaluation));
            py::dict out;
            out["reward"] = s.reward;
            out["raw"] = s.raw;
            out["target_met"] = s.target_met;
            return out;
          },
          py::arg("evaluation"),
          "Scores an evaluation dict (as Env.evaluate returns) -> {reward, raw, target_met}.")
      .def("invalid_reward", &Objective::invalid_reward,
           "The finite reward given to invalid designs (worse than any valid one).")
      .def_property(
          "tolerance", [](const Objective& o) { return o.tolerance; },
          [](Objective& o, double v) {
            Objective::check_tolerance(v);
            o.tolerance = v;
          },
          "TargetRatio: relative tolerance for 'target met' (finite, >= 0).")
      .def_property(
          "ratio_cap", [](const Objective& o) { return o.ratio_cap; },
          [](Objective& o, double v) {
            Objective::check_ratio_cap(v);
            o.ratio_cap = v;
          },
          "TargetRatio: per-metric cap (finite, > 0).")
      .def("check_metrics", &Objective::check_metrics, py::arg("available"),
           "Raises ValueError if a target names a metric not in `available`.")
      .def("to_json", &Objective::to_json, "The objective as JSON.")
      .def_static("from_json", &Objective::from_json, py::arg("json"), "An objective from JSON.")
      .def("__repr__", [](const Objective& o) { return "<Objective " + o.to_json() + ">"; });
}

}  // namespace archgym::python

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
      t.metric = to_text(py::str(k), "targets metric");
      t.value = to_number(v, "targets['" + t.metric + "']");  // worded as archgym._checks.targets
      out.push_back(t);
    }
    return out;
  }
  if (py::isinstance<py::str>(obj) || !PySequence_Check(obj.ptr()))
    throw py::type_error("targets must be {metric: value} or [(metric, value[, weight])], got " +
                         py::repr(obj).cast<std::string>());
  for (auto item : obj) {  // (metric, value[, weight]) tuples
    const bool pair_or_triple = (py::isinstance<py::tuple>(item) || py::isinstance<py::list>(item)) &&
                                (py::len(item) == 2 || py::len(item) == 3);
    if (!pair_or_triple)
      throw py::type_error("targets entry must be (metric, value[, weight]), got " +
                           py::repr(item).cast<std::string>());
    Target t;
    t.metric = to_text(item[py::int_(0)], "targets metric");
    t.value = to_number(item[py::int_(1)], "targets['" + t.metric + "']");
    if (py::len(item) > 2) t.weight = to_number(item[py::int_(2)], "weight of target '" + t.metric + "'");
    out.push_back(t);
  }
  return out;
}

}  // namespace

void bind_objective(py::module_& m) {
  py::class_<Objective>(m, "Objective",
                        "Turns an evaluation into a reward; agents always maximise the reward.")
      // No env here for None to stand for the default formulation of (as in archgym.run): refused.
      .def(py::init([](const py::object& formulation, const py::object& targets) {
             return Objective(Objective::parse_formulation(to_text(formulation, "Objective: formulation")),
                              to_targets(targets));
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
      .def(
          "set_target",
          [](Objective& o, const py::object& metric, const py::object& value) {
            const auto name = to_text(metric, "set_target: metric");
            o.set_target(name, to_number(value, "set_target: value"));
          },
          py::arg("metric"), py::arg("value"),
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
          [](Objective& o, const py::object& value) {
            const double v = to_number(value, "tolerance");
            Objective::check_tolerance(v);
            o.tolerance = v;
          },
          "TargetRatio: relative tolerance for 'target met' (finite, >= 0).")
      .def_property(
          "ratio_cap", [](const Objective& o) { return o.ratio_cap; },
          [](Objective& o, const py::object& value) {
            const double v = to_number(value, "ratio_cap");
            Objective::check_ratio_cap(v);
            o.ratio_cap = v;
          },
          "TargetRatio: per-metric cap (finite, > 0).")
      .def(
          "check_metrics",
          [](const Objective& o, const py::object& available) {
            std::vector<std::string> names;
            for (const auto& n : to_items(available, "check_metrics: available"))
              names.push_back(to_text(n, "check_metrics: available[" + std::to_string(names.size()) + "]"));
            o.check_metrics(names);
          },
          py::arg("available"),
           "Raises ValueError if a target names a metric not in `available`.")
      .def("to_json", &Objective::to_json, "The objective as JSON.")
      .def_static(
          "from_json", [](const py::object& json) { return Objective::from_json(to_text(json, "from_json: json")); },
          py::arg("json"), "An objective from JSON.")
      .def("__repr__", [](const Objective& o) { return "<Objective " + o.to_json() + ">"; });
}

}  // namespace archgym::python

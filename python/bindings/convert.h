#pragma once
// Conversions between the core's vocabulary and plain Python objects. Python users
// see designs as dicts (knob -> value, in the space's order), evaluations as dicts,
// and options as keyword arguments; nothing of the C++ types leaks beyond that.
#include <pybind11/pybind11.h>

#include <map>
#include <string>

#include "core/design_space.h"
#include "core/evaluation.h"
#include "core/options.h"
#include "core/value.h"

namespace archgym::python {

namespace py = pybind11;

// int (incl. numpy integers and bool) -> int64, float -> double, str -> string;
// anything else raises TypeError naming `what` and the Python type.
Value to_value(const py::handle& obj, const std::string& what);
py::object from_value(const Value& v);

// A dict {knob: value}, in the space's order.
py::dict design_to_dict(const DesignSpace& space, const Design& d);
// Every knob must be given unless `defaults` fills the rest; unknown knobs and
// values outside a knob's range raise ValueError naming the knob and what is allowed.
Design dict_to_design(const DesignSpace& space, const py::handle& obj,
                      const Design* defaults = nullptr);

// {"metrics": {...}, "valid": bool, "reason": str, "sim_seconds": float}
py::dict evaluation_to_dict(const Evaluation& e);
// Accepts the dict above, or a plain {metric: value} dict (then valid).
Evaluation dict_to_evaluation(const py::handle& obj);

// Keyword arguments -> the text the option schemas parse (True -> "true", 0.5 -> "0.5").
std::map<std::string, std::string> to_option_text(const py::dict& kwargs);
// A schema as a list of dicts {name, kind, default, min, max, choices, description, allowed}.
py::list schema_to_list(const Schema& schema);

// [{name, description, options}] for every entry of a registry (envs, agents, ...).
template <class Registry>
py::list registry_to_list(const Registry& registry) {
  py::list out;
  for (const auto& [name, entry] : registry.entries()) {
    py::dict d;
    d["name"] = name;
    d["description"] = entry.description;
    d["options"] = schema_to_list(entry.schema);
    out.append(d);
  }
  return out;
}

}  // namespace archgym::python

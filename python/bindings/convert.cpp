#include "python/bindings/convert.h"

#include <pybind11/stl.h>

#include <stdexcept>

namespace archgym::python {

Value to_value(const py::handle& obj, const std::string& what) {
  if (PyBool_Check(obj.ptr())) return std::int64_t{obj.ptr() == Py_True ? 1 : 0};
  if (py::isinstance<py::str>(obj)) return obj.cast<std::string>();
  if (PyFloat_Check(obj.ptr())) return obj.cast<double>();
  // PyIndex_Check accepts Python ints and numpy integer scalars alike.
  if (PyIndex_Check(obj.ptr())) return obj.cast<std::int64_t>();
  if (PyNumber_Check(obj.ptr()) && py::hasattr(obj, "__float__")) return obj.cast<double>();
  throw py::type_error(what + ": expected int, float or str, got " +
                       std::string(py::str(py::type::handle_of(obj).attr("__name__"))));
}

py::object from_value(const Value& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return py::int_(*i);
  if (const auto* d = std::get_if<double>(&v)) return py::float_(*d);
  return py::str(std::get<std::string>(v));
}

py::dict design_to_dict(const DesignSpace& space, const Design& d) {
  py::dict out;
  for (const auto& [name, value] : space.to_map(d)) out[py::str(name)] = from_value(value);
  return out;
}

Design dict_to_design(const DesignSpace& space, const py::handle& obj, const Design* defaults) {
  if (!py::isinstance<py::dict>(obj) && !py::hasattr(obj, "items"))
    throw py::type_error("a design is a dict {knob: value}, got " +
                         std::string(py::str(py::type::handle_of(obj).attr("__name__"))));
  NamedValues values;
  for (auto item : obj.attr("items")()) {
    auto pair = item.cast<py::tuple>();
    auto name = py::str(pair[0]).cast<std::string>();
    // Index the name first so an unknown knob is reported with the known ones.
    const Parameter& p = space.parameter(name);
    Value v = to_value(pair[1], "knob '" + name + "'");
    // Python has no int/float distinction a user should care about: 8.0 means 8
    // for an integer knob, and 2 means 2.0 for a real one.
    if (p.kind() == Parameter::Kind::Real && std::holds_alternative<std::int64_t>(v))
      v = static_cast<double>(std::get<std::int64_t>(v));
    if (p.is_discrete() && std::holds_alternative<double>(v) && !p.contains(v)) {
      double x = std::get<double>(v);
      if (x == static_cast<double>(static_cast<std::int64_t>(x)))
        v = static_cast<std::int64_t>(x);
    }
    p.validate(v);
    values.emplace_back(std::move(name), std::move(v));
  }
  return space.from_map(values, defaults);
}

py::dict evaluation_to_dict(const Evaluation& e) {
  py::dict metrics;
  for (const auto& [name, value] : e.metrics) metrics[py::str(name)] = value;
  py::dict out;
  out["metrics"] = metrics;
  out["valid"] = e.valid;
  out["reason"] = e.invalid_reason;
  out["sim_seconds"] = e.sim_seconds;
  return out;
}

Evaluation dict_to_evaluation(const py::handle& obj) {
  auto d = obj.cast<py::dict>();
  Evaluation e;
  py::dict metrics = d.contains("metrics") ? d["metrics"].cast<py::dict>() : d;
  for (auto [k, v] : metrics) e.metrics[py::str(k).cast<std::string>()] = v.cast<double>();
  if (d.contains("metrics")) {
    if (d.contains("valid")) e.valid = d["valid"].cast<bool>();
    if (d.contains("reason")) e.invalid_reason = d["reason"].cast<std::string>();
    if (d.contains("sim_seconds")) e.sim_seconds = d["sim_seconds"].cast<double>();
  }
  return e;
}

std::map<std::string, std::string> to_option_text(const py::dict& kwargs) {
  std::map<std::string, std::string> out;
  for (auto [k, object] : kwargs) {
    const auto name = py::str(k).cast<std::string>();
    // As _checks.option_text: the text "None" would read as a file or preset name.
    if (object.is_none())
      throw py::type_error("option " + name + ": None is not a value (leave the option out for its default)");
    // A numpy scalar as its Python value: repr(np.float64(0.5)) is "np.float64(0.5)".
    const bool numpy_scalar = py::hasattr(object, "dtype") && py::hasattr(object, "item") &&
                              py::getattr(object, "ndim", py::int_(1)).cast<int>() == 0;
    const py::object v = numpy_scalar ? object.attr("item")() : py::reinterpret_borrow<py::object>(object);
    std::string text;
    if (PyBool_Check(v.ptr())) text = v.ptr() == Py_True ? "true" : "false";
    else if (PyFloat_Check(v.ptr())) text = py::repr(py::float_(PyFloat_AsDouble(v.ptr()))).cast<std::string>();  // shortest round trip
    else text = py::str(v).cast<std::string>();
    out[name] = text;
  }
  return out;
}

namespace {
const char* kind_name(OptionSpec::Kind k) {
  switch (k) {
    case OptionSpec::Kind::Integer: return "integer";
    case OptionSpec::Kind::Real: return "real";
    case OptionSpec::Kind::Choice: return "choice";
    case OptionSpec::Kind::String: return "string";
    case OptionSpec::Kind::Bool: return "bool";
  }
  return "unknown";
}
// However the schema stores a boolean default (0/1 or "true"/"false"), Python sees a bool.
bool bool_default(const OptionSpec& s) {
  if (const auto* text = std::get_if<std::string>(&s.default_value))
    return *text == "true" || *text == "1" || *text == "yes" || *text == "on";
  return as_double(s.default_value) != 0;
}
}  // namespace

py::list schema_to_list(const Schema& schema) {
  py::list out;
  for (const auto& s : schema.specs()) {
    py::dict d;
    d["name"] = s.name;
    d["kind"] = kind_name(s.kind);
    d["default"] = s.kind == OptionSpec::Kind::Bool ? py::object(py::bool_(bool_default(s)))
                                                    : from_value(s.default_value);
    d["min"] = s.min ? py::object(py::float_(*s.min)) : py::object(py::none());
    d["max"] = s.max ? py::object(py::float_(*s.max)) : py::object(py::none());
    d["choices"] = py::cast(s.choices);
    d["description"] = s.description;
    d["allowed"] = s.allowed();
    out.append(d);
  }
  return out;
}

}  // namespace archgym::python

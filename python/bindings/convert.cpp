#include "python/bindings/convert.h"

#include <pybind11/stl.h>

#include "core/runner.h"

#include <cmath>
#include <stdexcept>

namespace archgym::python {

namespace {

std::string type_name(const py::handle& obj) {
  return py::str(py::type::handle_of(obj).attr("__name__")).cast<std::string>();
}

// A numpy array of one or more dimensions: [8] is a list of values, never one value.
bool has_dimensions(const py::handle& obj) {
  return !py::getattr(obj, "ndim", py::int_(0)).equal(py::int_(0));
}

}  // namespace

py::str stored_text(const std::string& text) {
  PyObject* str = PyUnicode_DecodeUTF8(text.data(), static_cast<Py_ssize_t>(text.size()), "replace");
  if (str == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::str>(str);
}

std::string described(const py::handle& obj) {
  return py::repr(obj).cast<std::string>() + " (" + type_name(obj) + ")";
}

bool is_bool(const py::handle& obj) {
  if (PyBool_Check(obj.ptr())) return true;
  const py::handle type = py::type::handle_of(obj);
  const auto name = type_name(obj);
  return py::str(type.attr("__module__")).cast<std::string>() == "numpy" && (name == "bool" || name == "bool_");
}

std::string to_text(const py::handle& obj, const std::string& what) {
  if (!py::isinstance<py::str>(obj)) throw py::type_error(what + " must be text (str), got " + described(obj));
  Py_ssize_t size = 0;
  const char* utf8 = PyUnicode_AsUTF8AndSize(obj.ptr(), &size);
  if (utf8 == nullptr) {
    PyErr_Clear();
    // ValueError as the core's own refusals (std::invalid_argument), so that DesignSpace.check
    // reports such a knob value as text like any other bad value.
    throw std::invalid_argument(what + ": " + py::repr(obj).cast<std::string>() +
                          " is not valid text (a lone surrogate, as Python gives an undecodable "
                          "file-name byte); allowed: text UTF-8 can encode");
  }
  return {utf8, static_cast<std::size_t>(size)};
}

double to_number(const py::handle& obj, const std::string& what) {
  if (!is_bool(obj) && !has_dimensions(obj) && (PyIndex_Check(obj.ptr()) || py::hasattr(obj, "__float__"))) {
    const double x = PyFloat_AsDouble(obj.ptr());
    if (x == -1.0 && PyErr_Occurred()) throw py::error_already_set();  // e.g. an int too large
    return x;
  }
  throw py::type_error(what + " must be a number, got " + described(obj));
}

py::int_ to_int(const py::handle& obj, const std::string& what) {
  const auto index = is_bool(obj) || has_dimensions(obj) || !PyIndex_Check(obj.ptr())
                         ? py::object()
                         : py::reinterpret_steal<py::object>(PyNumber_Index(obj.ptr()));
  if (!index) {
    PyErr_Clear();  // a 0-d float array passes PyIndex_Check, then fails operator.index
    throw py::type_error(what + " must be an integer, got " + described(obj));
  }
  return py::reinterpret_borrow<py::int_>(index);
}

namespace {
// `what` must be within min..max (Python ints, so no C++ overflow on the way), as _checks.integer.
template <class Int>
Int checked(const py::int_& x, const std::string& what, Int min, Int max) {
  const auto got = ", got " + py::str(x).cast<std::string>();
  if (x < py::int_(min)) throw py::value_error(what + " must be at least " + std::to_string(min) + got);
  if (x > py::int_(max)) throw py::value_error(what + " must be at most " + std::to_string(max) + got);
  return x.cast<Int>();
}
}  // namespace

std::uint64_t to_unsigned(const py::handle& obj, const std::string& what, std::uint64_t min,
                          std::uint64_t max) {
  return checked(to_int(obj, what), what, min, max);
}

std::int64_t to_signed(const py::handle& obj, const std::string& what) {
  return checked(to_int(obj, what), what, INT64_MIN, INT64_MAX);
}

bool to_bool(const py::handle& obj, const std::string& what) {
  // bool("no") is True, and pybind11 would take None as False.
  if (!is_bool(obj)) throw py::type_error(what + " must be True or False, got " + described(obj));
  return PyObject_IsTrue(obj.ptr()) == 1;
}

std::vector<py::object> to_items(const py::handle& obj, const std::string& what) {
  if (py::isinstance<py::str>(obj) || py::isinstance<py::bytes>(obj) || !PySequence_Check(obj.ptr()))
    throw py::type_error(what + " must be a list, got " + described(obj));
  std::vector<py::object> out;
  for (auto item : obj) out.push_back(py::reinterpret_borrow<py::object>(item));
  return out;
}

std::vector<std::size_t> to_indices(const py::handle& obj, const std::string& what) {
  std::vector<std::size_t> out;
  for (const auto& i : to_items(obj, what))
    out.push_back(to_unsigned(i, what + "[" + std::to_string(out.size()) + "]", 0, SIZE_MAX));
  return out;
}

Value to_value(const py::handle& obj, const std::string& what, const Parameter* knob) {
  if (py::isinstance<py::str>(obj)) return to_text(obj, what);
  if (PyFloat_Check(obj.ptr())) return PyFloat_AsDouble(obj.ptr());
  // Bools are refused (True is no knob value, as in archgym._checks.integer), and so are
  // arrays with dimensions, whose one element would otherwise pass as the value.
  if (!is_bool(obj) && !has_dimensions(obj)) {
    // operator.index: Python ints and numpy integer scalars (a 0-d float array fails it).
    if (PyIndex_Check(obj.ptr())) {
      const auto index = py::reinterpret_steal<py::object>(PyNumber_Index(obj.ptr()));
      if (!index) PyErr_Clear();
      else {
        int overflow = 0;
        const long long x = PyLong_AsLongLongAndOverflow(index.ptr(), &overflow);
        if (overflow == 0) return std::int64_t{x};
        // No knob holds an int beyond int64: refused as Parameter::validate refuses values
        // (the same exception, so DesignSpace.check reports it as it reports 9 for 1..8).
        const auto digits = py::str(index).cast<std::string>();
        if (knob != nullptr)
          throw std::invalid_argument(knob->name() + ": " + digits + " is not allowed; allowed: " + knob->allowed());
        throw std::invalid_argument(what + ": " + digits + " is outside the 64-bit integer range");
      }
    }
    if (py::hasattr(obj, "__float__")) return to_number(obj, what);
  }
  throw py::type_error(what + ": expected int, float or str, got " + type_name(obj));
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
    auto name = to_text(py::str(pair[0]), "knob name");
    // Index the name first so an unknown knob is reported with the known ones.
    const Parameter& p = space.parameter(name);
    Value v = to_value(pair[1], "knob '" + name + "'", &p);
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
  if (!py::isinstance<py::dict>(obj))
    throw py::type_error("an evaluation is a dict {'metrics': {metric: value}, 'valid': bool, ...} or "
                         "{metric: value}, got " + described(obj));
  const auto d = py::reinterpret_borrow<py::dict>(obj);
  const bool full = d.contains("metrics");
  const py::object metrics = full ? py::object(d["metrics"]) : py::object(d);
  if (!py::isinstance<py::dict>(metrics))
    throw py::type_error("evaluation 'metrics' must be a dict {metric: value}, got " + described(metrics));
  Evaluation e;
  for (auto [k, v] : py::reinterpret_borrow<py::dict>(metrics)) {
    auto name = to_text(py::str(k), "metric name");
    e.metrics[name] = to_number(v, "metric '" + name + "'");
  }
  if (full) {
    if (d.contains("valid")) {
      if (!is_bool(d["valid"])) throw py::type_error("evaluation 'valid' must be a bool, got " + described(d["valid"]));
      e.valid = py::cast<bool>(d["valid"]);
    }
    if (d.contains("reason")) e.invalid_reason = to_text(d["reason"], "evaluation 'reason'");
    if (d.contains("sim_seconds")) e.sim_seconds = to_number(d["sim_seconds"], "evaluation 'sim_seconds'");
  }
  return e;
}

std::map<std::string, std::string> to_option_text(const py::dict& kwargs) {
  std::map<std::string, std::string> out;
  for (auto [k, object] : kwargs) {
    const auto name = to_text(py::str(k), "option name");  // a lone surrogate: ValueError, not a cast dump
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
    else text = to_text(py::str(v), "option " + name);
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
}  // namespace

py::object option_to_python(const OptionSpec& s, const Value& v) {
  if (s.kind != OptionSpec::Kind::Bool) return from_value(v);
  // However a boolean is held (0/1, or "true"/"false" in a schema default), Python sees a bool.
  if (const auto* text = std::get_if<std::string>(&v))
    return py::bool_(*text == "true" || *text == "1" || *text == "yes" || *text == "on");
  return py::bool_(as_double(v) != 0);
}

py::list schema_to_list(const Schema& schema) {
  py::list out;
  for (const auto& s : schema.specs()) {
    py::dict d;
    d["name"] = s.name;
    d["kind"] = kind_name(s.kind);
    d["default"] = option_to_python(s, s.default_value);
    d["min"] = s.min ? py::object(py::float_(*s.min)) : py::object(py::none());
    d["max"] = s.max ? py::object(py::float_(*s.max)) : py::object(py::none());
    d["choices"] = py::cast(s.choices);
    d["description"] = s.description;
    d["allowed"] = s.allowed();
    out.append(d);
  }
  return out;
}

py::dict to_dict(const py::object& obj, const std::string& what) {
  if (obj.is_none()) return {};
  if (!py::isinstance<py::dict>(obj)) throw py::type_error(what + " must be a dict, got " + described(obj));
  return py::reinterpret_borrow<py::dict>(obj);
}

std::map<std::string, double> to_target_values(const py::object& obj) {
  std::map<std::string, double> out;
  for (auto [k, v] : to_dict(obj, "targets")) {
    const auto metric = to_text(py::str(k), "targets metric");
    if (v.is_none()) {  // turned off (run_objective)
      out[metric] = kTargetOff;
      continue;
    }
    out[metric] = to_number(v, "targets['" + metric + "']");
    if (std::isnan(out[metric]))
      throw py::value_error("targets['" + metric + "'] must be a number, or None to turn the target off; got nan");
  }
  return out;
}

std::shared_ptr<Store> to_store(const py::object& obj) {
  to_instance<Store>(obj, "store", "an archgym Store");
  return obj.cast<std::shared_ptr<Store>>();
}

}  // namespace archgym::python

#pragma once
// Conversions between the core's vocabulary and plain Python objects. Python users
// see designs as dicts (knob -> value, in the space's order), evaluations as dicts,
// and options as keyword arguments; nothing of the C++ types leaks beyond that.
#include <pybind11/pybind11.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/design_space.h"
#include "core/evaluation.h"
#include "core/options.h"
#include "core/store.h"
#include "core/value.h"

namespace archgym::python {

namespace py = pybind11;

// int (incl. numpy integers) -> int64, float -> double, str -> string; anything else
// (bools and arrays included) raises TypeError naming `what` and the Python type. An int
// beyond int64 raises ValueError: with `knob`, in the knob's words (what is allowed).
Value to_value(const py::handle& obj, const std::string& what, const Parameter* knob = nullptr);
py::object from_value(const Value& v);

// Text the store holds, which anyone with the file may have edited: bytes that are not
// UTF-8 show as U+FFFD instead of a bare UnicodeDecodeError from every read of the store.
py::str stored_text(const std::string& text);

// "'x' (str)": a value as the user wrote it, then its type, for error messages.
std::string described(const py::handle& obj);

// `obj` as the bound C++ class T, else TypeError naming `what`, what is `expected` and the
// value (worded as archgym.running._instance), where pybind11 would dump signatures.
template <class T>
T& to_instance(const py::handle& obj, const std::string& what, const std::string& expected) {
  if (!py::isinstance<T>(obj)) throw py::type_error(what + " must be " + expected + ", got " + described(obj));
  return obj.cast<T&>();
}

// Python and numpy bools (which C++ and numpy would otherwise take as 1 and 0).
bool is_bool(const py::handle& obj);
// A str as UTF-8: TypeError naming `what` for anything else, ValueError for text UTF-8
// cannot hold (a lone surrogate, e.g. an undecodable file-name byte).
std::string to_text(const py::handle& obj, const std::string& what);
// A real number (Python or numpy int or float; not a bool or text), else TypeError
// worded as archgym._checks.real.
double to_number(const py::handle& obj, const std::string& what);
// An integer min..max (Python or numpy int; not a bool, float or text), else TypeError or
// ValueError naming `what`, worded as archgym._checks.integer.
std::uint64_t to_unsigned(const py::handle& obj, const std::string& what, std::uint64_t min,
                          std::uint64_t max);
// Any 64-bit integer, checked as to_unsigned (ValueError naming the bounds beyond them).
std::int64_t to_signed(const py::handle& obj, const std::string& what);
// A Python or numpy integer of any size, unchecked (TypeError naming `what` otherwise).
py::int_ to_int(const py::handle& obj, const std::string& what);
// True or False (Python or numpy), else TypeError worded as archgym._checks.boolean.
bool to_bool(const py::handle& obj, const std::string& what);
// The items of a list, tuple or other sequence (not text or a dict), else TypeError.
std::vector<py::object> to_items(const py::handle& obj, const std::string& what);
// Per-knob value indices (a sequence of integers >= 0), for from_indices and step_indices.
std::vector<std::size_t> to_indices(const py::handle& obj, const std::string& what);

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

// A dict (None: empty) of options as text, or of metric targets; checked as archgym._checks
// checks them for archgym.run.
py::dict to_dict(const py::object& obj, const std::string& what);
// {metric: target value} from such a dict (the targets of a run).
std::map<std::string, double> to_target_values(const py::object& obj);
// A bound Store (None would reach the runner as a null store: a crash in resume).
std::shared_ptr<Store> to_store(const py::object& obj);

// Keyword arguments -> the text the option schemas parse (True -> "true", 0.5 -> "0.5").
std::map<std::string, std::string> to_option_text(const py::dict& kwargs);
// A schema as a list of dicts {name, kind, default, min, max, choices, description, allowed}.
py::list schema_to_list(const Schema& schema);
// An option's value (e.g. a default or a trained model's hyperparameter) as Python sees
// it: from_value(), except that a Bool option's 0/1 (or "true"/"false") is a bool.
py::object option_to_python(const OptionSpec& spec, const Value& value);

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

// Parameter and DesignSpace: introspection, and building spaces in Python so the
// C++ agents can search a user's own Python objective through ask/tell.
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include "python/bindings/bindings.h"
#include "python/bindings/convert.h"
#include "python/bindings/gil_guards.h"

namespace archgym::python {

namespace {

// Most designs one sample() call returns: a million DRAM-space dicts take 1.7 GB and 4 s,
// and 2**62 of them would only exhaust memory, holding the GIL all along.
constexpr std::uint64_t kMaxSample = 1'000'000;

const char* kind_name(Parameter::Kind k) {
  switch (k) {
    case Parameter::Kind::Integer: return "integer";
    case Parameter::Kind::PowerOfTwo: return "power_of_two";
    case Parameter::Kind::Ordered: return "ordered";
    case Parameter::Kind::Categorical: return "categorical";
    case Parameter::Kind::Real: return "real";
  }
  return "unknown";
}

// A Parameter factory's arguments, checked in the knob's words ("parameter 'x' lo must be an
// integer, got 1.5 (float)") where pybind11 would dump the factory's signature.
struct FactoryArgs {
  std::string name;
  FactoryArgs(const py::object& name_object, const std::string& factory)
      : name(to_text(name_object, "Parameter." + factory + ": name")) {}
  std::string what(const std::string& argument) const { return "parameter '" + name + "' " + argument; }
  std::int64_t integer(const py::object& v, const std::string& argument) const { return to_signed(v, what(argument)); }
  std::string description(const py::object& v) const { return to_text(v, what("description")); }
  std::vector<Value> values(const py::object& v) const {
    std::vector<Value> out;
    for (const auto& x : to_items(v, what("values"))) out.push_back(to_value(x, "parameter '" + name + "'"));
    return out;
  }
};


}  // namespace

void bind_space(py::module_& m) {
  py::class_<Parameter>(m, "Parameter", "One named axis (knob) of a design space.")
      .def_static(
          "integer",
          [](const py::object& name, const py::object& lo, const py::object& hi, const py::object& step,
             const py::object& description) {
            const FactoryArgs a(name, "integer");
            return Parameter::integer(a.name, a.integer(lo, "lo"), a.integer(hi, "hi"), a.integer(step, "step"),
                                      a.description(description));
          },
          py::arg("name"), py::arg("lo"), py::arg("hi"), py::arg("step") = 1, py::arg("description") = "",
          "Integers lo..hi inclusive in steps of `step`.")
      .def_static(
          "power_of_two",
          [](const py::object& name, const py::object& lo, const py::object& hi, const py::object& description) {
            const FactoryArgs a(name, "power_of_two");
            return Parameter::power_of_two(a.name, a.integer(lo, "lo"), a.integer(hi, "hi"), a.description(description));
          },
          py::arg("name"), py::arg("lo"), py::arg("hi"), py::arg("description") = "",
          "Powers of two lo..hi inclusive (both powers of two).")
      .def_static(
          "ordered",
          [](const py::object& name, const py::object& values, const py::object& description) {
            const FactoryArgs a(name, "ordered");
            return Parameter::ordered(a.name, a.values(values), a.description(description));
          },
          py::arg("name"), py::arg("values"), py::arg("description") = "",
          "An ordered list of numbers or strings (neighbours are adjacent entries).")
      .def_static(
          "categorical",
          [](const py::object& name, const py::object& values, const py::object& description) {
            const FactoryArgs a(name, "categorical");
            std::vector<std::string> labels;
            for (const auto& v : to_items(values, a.what("values"))) labels.push_back(to_text(v, a.what("label")));
            return Parameter::categorical(a.name, std::move(labels), a.description(description));
          },
          py::arg("name"), py::arg("values"), py::arg("description") = "", "Unordered labels.")
      .def_static(
          "real",
          [](const py::object& name, const py::object& lo, const py::object& hi, const py::object& log_scale,
             const py::object& description) {
            const FactoryArgs a(name, "real");
            return Parameter::real(a.name, to_number(lo, a.what("lo")), to_number(hi, a.what("hi")),
                                   to_bool(log_scale, a.what("log_scale")), a.description(description));
          },
          py::arg("name"), py::arg("lo"), py::arg("hi"), py::arg("log_scale") = false, py::arg("description") = "",
          "A continuous range, optionally log-scaled (lo > 0 then).")
      .def_property_readonly("name", &Parameter::name, "The knob's name.")
      .def_property_readonly("description", &Parameter::description, "What the knob means.")
      .def_property_readonly("kind", [](const Parameter& p) { return kind_name(p.kind()); },
                             "integer | power_of_two | ordered | categorical | real")
      .def_property_readonly("is_discrete", &Parameter::is_discrete,
                             "False only for real ranges.")
      .def_property_readonly("cardinality", &Parameter::cardinality,
                             "Number of values (0 for real ranges).")
      .def_property_readonly(
          "values",
          [](const Parameter& p) {
            py::list out;
            for (const auto& v : p.values()) out.append(from_value(v));
            return out;
          },
          "Every value in order (empty for real ranges).")
      .def(
          "value_at",
          [](const Parameter& p, const py::object& index) {
            const py::int_ i = to_int(index, "value_at: index");
            if (!p.is_discrete()) return from_value(p.value_at(0));  // throws: a real knob has no indices
            // A negative index (or one beyond size_t) is out of range as 5 is for 0..1: IndexError,
            // in the core's words, where a size_t argument would make it a signature dump.
            if (i < py::int_(0) || i >= py::int_(p.cardinality()))
              throw std::out_of_range(p.name() + ": index " + py::str(i).cast<std::string>() +
                                      " is out of range; allowed: 0.." + std::to_string(p.cardinality() - 1));
            return from_value(p.value_at(i.cast<std::size_t>()));
          },
          py::arg("index"), "The value at `index` (discrete kinds).")
      .def("index_of",
           [](const Parameter& p, const py::handle& v) { return p.index_of(to_value(v, p.name(), &p)); },
           py::arg("value"), "The index of `value`; ValueError listing the allowed values.")
      .def("contains",
           [](const Parameter& p, const py::handle& v) { return p.contains(to_value(v, p.name(), &p)); },
           py::arg("value"), "Whether `value` is one of the knob's values.")
      .def("parse", [](const Parameter& p, const py::object& text) { return from_value(p.parse(to_text(text, "parse: text"))); },
           py::arg("text"), "Parses user text ('8', 'Open') into a valid value.")
      .def("to_unit",
           [](const Parameter& p, const py::handle& v) { return p.to_unit(to_value(v, p.name(), &p)); },
           py::arg("value"), "Maps a value to [0, 1].")
      .def("from_unit", [](const Parameter& p, const py::object& u) { return from_value(p.from_unit(to_number(u, "from_unit: u"))); },
           py::arg("u"), "Maps u in [0, 1] back to a value.")
      .def("allowed", &Parameter::allowed, "Human-readable description of the allowed values.")
      .def("__repr__", [](const Parameter& p) {
        return "<Parameter " + p.name() + ": " + p.allowed() + ">";
      });

  py::class_<DesignSpace>(m, "DesignSpace",
                          "Ordered knobs plus constraints. Designs are dicts {knob: value}.")
      .def(py::init([](const py::object& parameters) {
             std::vector<Parameter> ps;
             for (const auto& p : to_items(parameters, "DesignSpace: parameters"))
               ps.push_back(to_instance<Parameter>(p, "DesignSpace: parameters[" + std::to_string(ps.size()) + "]",
                                                   "a Parameter (Parameter.integer, .categorical, ...)"));
             return DesignSpace(ps);
           }),
           py::arg("parameters"), "A space from a list of Parameter objects.")
      .def(
          "constrain",
          [](DesignSpace& s, const py::object& message_text, const py::object& holds) -> DesignSpace& {
            const auto message = to_text(message_text, "constrain: message");
            if (!PyCallable_Check(holds.ptr()))
              throw py::type_error("constrain: holds must be a function design -> bool, got " + described(holds));
            // The predicate sees the design as a dict; it runs with the GIL held.
            const DesignSpace* self = &s;
            s.constrain(message, [self, holds, message](const Design& d) {
              AcquireGil gil;
              const py::object result = holds(design_to_dict(*self, d));
              // A truthy 'yes' or a whole array is a bug in the predicate, not an answer.
              if (!is_bool(result))
                throw py::type_error("constraint '" + message + "': holds must return a bool, got " +
                                     py::repr(result).cast<std::string>());
              return PyObject_IsTrue(result.ptr()) == 1;
            });
            return s;
          },
          py::arg("message"), py::arg("holds"), py::return_value_policy::reference_internal,
          "Adds a constraint: holds(design_dict) -> bool; `message` is shown when violated.\n"
          "A `holds` that refers to its own DesignSpace keeps both alive until the program ends\n"
          "(the reference cycle passes through C++, which Python's garbage collector cannot see).")
      .def_property_readonly("dimension", &DesignSpace::dimension, "Number of knobs.")
      .def_property_readonly(
          "names",
          [](const DesignSpace& s) {
            std::vector<std::string> out;
            for (const auto& p : s.parameters()) out.push_back(p.name());
            return out;
          },
          "Knob names in order.")
      .def_property_readonly("parameters", &DesignSpace::parameters,
                             py::return_value_policy::reference_internal, "The knobs in order.")
      .def_property_readonly(
          "cardinalities",
          [](const DesignSpace& s) {
            std::vector<std::size_t> out;
            for (const auto& p : s.parameters()) out.push_back(p.cardinality());
            return out;
          },
          "Number of values per knob (0 for real knobs).")
      .def(
          "parameter",
          [](const DesignSpace& s, const py::object& name) -> const Parameter& {
            return s.parameter(to_text(name, "parameter: name"));
          },
          py::arg("name"), py::return_value_policy::reference_internal,
           "The knob called `name`; ValueError listing the names.")
      .def_property_readonly("size", &DesignSpace::size,
                             "Number of points ignoring constraints (inf with real knobs).")
      .def_property_readonly("all_discrete", &DesignSpace::all_discrete,
                             "True when every knob is discrete.")
      .def(
          "check",
          [](const DesignSpace& s, const py::handle& d) -> std::optional<std::string> {
            try {
              return s.check(dict_to_design(s, d));
            } catch (const std::invalid_argument& e) {
              return std::string(e.what());
            }
          },
          py::arg("design"), "None when the design is valid, else the first problem.")
      .def("validate", [](const DesignSpace& s, const py::handle& d) { s.validate(dict_to_design(s, d)); },
           py::arg("design"), "Raises ValueError describing the first problem, if any.")
      .def(
          "sample",
          [](const DesignSpace& s, const py::object& seed, const py::object& n) {
            Rng rng(to_unsigned(seed, "sample: seed", 0, UINT64_MAX));
            const std::size_t count = to_unsigned(n, "sample: n", 0, kMaxSample);
            py::list out;
            for (std::size_t i = 0; i < count; ++i) out.append(design_to_dict(s, s.sample(rng)));
            return out;
          },
          py::arg("seed"), py::arg("n") = 1,
          "`n` uniform designs (constraints respected); n at most 1,000,000.")
      .def("to_indices",
           [](const DesignSpace& s, const py::handle& d) { return s.to_indices(dict_to_design(s, d)); },
           py::arg("design"), "Per-knob value indices (discrete spaces).")
      .def("from_indices",
           [](const DesignSpace& s, const py::object& indices) {
             return design_to_dict(s, s.from_indices(to_indices(indices, "from_indices: indices")));
           },
           py::arg("indices"), "The design with these per-knob value indices.")
      .def("to_unit",
           [](const DesignSpace& s, const py::handle& d) { return s.to_unit(dict_to_design(s, d)); },
           py::arg("design"), "The design as a vector in [0, 1]^dimension.")
      .def("from_unit",
           [](const DesignSpace& s, const py::object& u) {
            std::vector<double> unit;
            for (const auto& x : to_items(u, "from_unit: u"))
              unit.push_back(to_number(x, "from_unit: u[" + std::to_string(unit.size()) + "]"));
            return design_to_dict(s, s.from_unit(unit));
          },
           py::arg("u"), "The design nearest to a vector in [0, 1]^dimension.")
      .def("to_json", [](const DesignSpace& s, const py::handle& d) { return s.to_json(dict_to_design(s, d)); },
           py::arg("design"), "The design as a JSON object in knob order.")
      .def("from_json",
           [](const DesignSpace& s, const py::object& j) {
            return design_to_dict(s, s.from_json(to_text(j, "from_json: json")));
          },
           py::arg("json"), "A design from a JSON object.")
      .def("__len__", &DesignSpace::dimension)
      .def("__repr__", [](const DesignSpace& s) {
        std::string out = "<DesignSpace";
        for (const auto& p : s.parameters()) out += "\n  " + p.name() + ": " + p.allowed();
        return out + ">";
      });
}

}  // namespace archgym::python

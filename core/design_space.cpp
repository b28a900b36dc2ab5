#include "core/design_space.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/input_files.h"
#include "core/json_util.h"
#include "core/text.h"

namespace archgym {

namespace {
constexpr int kSampleTries = 10000;    // rejection sampling against constraints
constexpr int kNeighbourTries = 1000;  // neighbour moves that must keep constraints
}  // namespace

DesignSpace::DesignSpace(std::vector<Parameter> parameters) {
  for (auto& p : parameters) add(std::move(p));
}

DesignSpace& DesignSpace::add(Parameter p) {
  for (const auto& q : parameters_)
    if (q.name() == p.name())
      throw std::invalid_argument("design space: parameter '" + p.name() + "' is defined twice");
  parameters_.push_back(std::move(p));
  return *this;
}

DesignSpace& DesignSpace::constrain(std::string message, std::function<bool(const Design&)> holds) {
  if (!holds) throw std::invalid_argument("design space: constraint '" + message + "' has no predicate");
  constraints_.push_back({std::move(message), std::move(holds)});
  return *this;
}

std::vector<std::string> DesignSpace::names() const {
  std::vector<std::string> out;
  for (const auto& p : parameters_) out.push_back(p.name());
  return out;
}

std::size_t DesignSpace::index_of(const std::string& name) const {
  for (std::size_t i = 0; i < parameters_.size(); ++i)
    if (parameters_[i].name() == name) return i;
  throw std::invalid_argument("unknown parameter '" + name + "'" + did_you_mean(name, names()) +
                              "; known parameters: " + join(names()));
}

bool DesignSpace::has(const std::string& name) const {
  return std::any_of(parameters_.begin(), parameters_.end(), [&](const Parameter& p) { return p.name() == name; });
}

const Parameter& DesignSpace::parameter(const std::string& name) const {
  return parameters_[index_of(name)];
}

double DesignSpace::size() const {
  double n = 1;
  for (const auto& p : parameters_) {
    if (!p.is_discrete()) return std::numeric_limits<double>::infinity();
    n *= static_cast<double>(p.cardinality());
  }
  return n;
}

bool DesignSpace::all_discrete() const {
  return std::all_of(parameters_.begin(), parameters_.end(),
                     [](const Parameter& p) { return p.is_discrete(); });
}

void DesignSpace::check_dimension(const Design& d) const {
  if (d.values.size() != parameters_.size())
    throw std::invalid_argument("design has " + std::to_string(d.values.size()) +
                                " values but the space has " + std::to_string(parameters_.size()) +
                                " parameters (" + join(names()) + ")");
}

std::optional<std::string> DesignSpace::check(const Design& d) const {
  if (d.values.size() != parameters_.size())
    return "design has " + std::to_string(d.values.size()) + " values but the space has " +
           std::to_string(parameters_.size()) + " parameters (" + join(names()) + ")";
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    try {
      parameters_[i].validate(d.values[i]);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
  }
  if (auto violated = violated_constraint(d)) return "constraint violated: " + *violated;
  return std::nullopt;
}

std::optional<std::string> DesignSpace::violated_constraint(const Design& d) const {
  // By index, not by iterator: a predicate (a Python function) may add constraints to this
  // very space, which a range-for over a vector read after its reallocation (a use after
  // free). Not copied either: copying a Python predicate without the GIL raced on its
  // reference count.
  for (std::size_t i = 0; i < constraints_.size(); ++i)
    if (!constraints_[i].holds(d)) return constraints_[i].message;
  return std::nullopt;
}

void DesignSpace::validate(const Design& d) const {
  if (auto problem = check(d)) throw std::invalid_argument(*problem);
}

Design DesignSpace::sample(Rng& rng) const {
  for (int attempt = 0; attempt < kSampleTries; ++attempt) {
    Design d;
    d.values.reserve(parameters_.size());
    for (const auto& p : parameters_) d.values.push_back(p.sample(rng));
    if (!violated_constraint(d)) return d;
  }
  std::vector<std::string> messages;
  for (const auto& c : constraints_) messages.push_back(c.message);
  throw std::runtime_error("design space: no design satisfying the constraints was found in " +
                           std::to_string(kSampleTries) + " uniform samples (constraints: " +
                           join(messages, "; ") + "); the constraints may be unsatisfiable");
}

Design DesignSpace::neighbour(const Design& d, Rng& rng) const {
  check_dimension(d);
  std::vector<std::size_t> movable;  // parameters with more than one value
  for (std::size_t i = 0; i < parameters_.size(); ++i)
    if (!parameters_[i].is_discrete() || parameters_[i].cardinality() > 1) movable.push_back(i);
  if (movable.empty()) return d;
  for (int attempt = 0; attempt < kNeighbourTries; ++attempt) {
    Design next = d;
    const std::size_t i = movable[rng.below(movable.size())];
    const Parameter& p = parameters_[i];
    switch (p.kind()) {
      case Parameter::Kind::Real: {
        // A Gaussian step of 0.1 in unit space, clamped to the range.
        next.values[i] = p.from_unit(p.to_unit(d.values[i]) + 0.1 * rng.normal());
        break;
      }
      case Parameter::Kind::Categorical: {
        // Any other label: categories have no notion of "adjacent".
        const std::size_t current = p.index_of(d.values[i]);
        std::size_t other = rng.below(p.cardinality() - 1);
        if (other >= current) ++other;
        next.values[i] = p.values()[other];
        break;
      }
      default: {
        const std::size_t current = p.index_of(d.values[i]);
        std::size_t other;
        if (current == 0) other = 1;
        else if (current + 1 == p.cardinality()) other = current - 1;
        else other = rng.bernoulli(0.5) ? current + 1 : current - 1;
        next.values[i] = p.values()[other];
        break;
      }
    }
    if (!violated_constraint(next)) return next;
  }
  return d;  // every move tried broke a constraint: the design is its own neighbour
}

NamedValues DesignSpace::to_map(const Design& d) const {
  check_dimension(d);
  NamedValues out;
  for (std::size_t i = 0; i < parameters_.size(); ++i) out.emplace_back(parameters_[i].name(), d.values[i]);
  return out;
}

Design DesignSpace::from_map(const NamedValues& values, const Design* defaults) const {
  if (defaults) check_dimension(*defaults);
  std::vector<std::optional<Value>> given(parameters_.size());
  for (const auto& [name, value] : values) {
    const std::size_t i = index_of(name);
    if (given[i]) throw std::invalid_argument("parameter '" + name + "' is given twice");
    given[i] = parameters_[i].canonical(value);
  }
  Design d;
  std::vector<std::string> missing;
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    if (given[i]) d.values.push_back(*given[i]);
    else if (defaults) d.values.push_back(defaults->values[i]);
    else missing.push_back(parameters_[i].name());
  }
  if (!missing.empty())
    throw std::invalid_argument("design is missing parameter" + std::string(missing.size() > 1 ? "s " : " ") +
                                join(missing));
  return d;
}

Design DesignSpace::from_strings(const std::vector<std::pair<std::string, std::string>>& values,
                                 const Design* defaults) const {
  NamedValues parsed;
  for (const auto& [name, text] : values) parsed.emplace_back(name, parameter(name).parse(text));
  return from_map(parsed, defaults);
}

std::vector<std::size_t> DesignSpace::to_indices(const Design& d) const {
  check_dimension(d);
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    if (!parameters_[i].is_discrete())
      throw std::invalid_argument("to_indices: parameter '" + parameters_[i].name() +
                                  "' is real-valued; use to_unit for mixed spaces");
    out.push_back(parameters_[i].index_of(d.values[i]));
  }
  return out;
}

Design DesignSpace::from_indices(const std::vector<std::size_t>& indices) const {
  if (indices.size() != parameters_.size())
    throw std::invalid_argument("from_indices: got " + std::to_string(indices.size()) +
                                " indices but the space has " + std::to_string(parameters_.size()) +
                                " parameters (" + join(names()) + ")");
  Design d;
  for (std::size_t i = 0; i < parameters_.size(); ++i) d.values.push_back(parameters_[i].value_at(indices[i]));
  return d;
}

std::vector<double> DesignSpace::to_unit(const Design& d) const {
  check_dimension(d);
  std::vector<double> out;
  for (std::size_t i = 0; i < parameters_.size(); ++i) out.push_back(parameters_[i].to_unit(d.values[i]));
  return out;
}

Design DesignSpace::from_unit(const std::vector<double>& u) const {
  if (u.size() != parameters_.size())
    throw std::invalid_argument("from_unit: got " + std::to_string(u.size()) +
                                " values but the space has " + std::to_string(parameters_.size()) +
                                " parameters (" + join(names()) + ")");
  Design d;
  for (std::size_t i = 0; i < parameters_.size(); ++i) d.values.push_back(parameters_[i].from_unit(u[i]));
  return d;
}

std::string DesignSpace::to_json(const Design& d) const {
  check_dimension(d);
  detail::ojson j = detail::ojson::object();
  for (std::size_t i = 0; i < parameters_.size(); ++i)
    j[parameters_[i].name()] = detail::to_json_value(d.values[i]);
  return j.dump();
}

Design DesignSpace::from_json(const std::string& json) const {
  // A parameter named twice would keep only its last value, unseen: the strict parse
  // refuses it, as it refuses nesting too deep to handle.
  detail::ojson j;
  try {
    j = detail::parse_strict<detail::ojson>(json);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("design: ") + e.what());
  } catch (const detail::ojson::exception& e) {
    throw std::invalid_argument(std::string("design: invalid JSON (") + e.what() + ")");
  }
  if (!j.is_object()) throw std::invalid_argument("design: expected a JSON object, got " + j.dump());
  NamedValues values;
  for (const auto& [name, value] : j.items()) {
    if (value.is_boolean())  // not a knob value (from_json_value reads it as 1/0 for options)
      throw std::invalid_argument("design: parameter '" + name + "' must be a number or a string, got " + value.dump());
    values.emplace_back(name, detail::from_json_value(value, name));
  }
  return from_map(values);
}

std::uint64_t DesignSpace::key(const std::string& design_json) {
  ContentDigest digest;
  digest.add(design_json);
  return digest.value();
}

}  // namespace archgym

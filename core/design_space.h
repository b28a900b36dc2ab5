#pragma once
// Ordered parameters plus constraints; one point of the space is a Design.
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/parameter.h"
#include "core/rng.h"
#include "core/value.h"

namespace archgym {

// One point: values in the order of the space's parameters.
struct Design {
  std::vector<Value> values;
  bool operator==(const Design&) const = default;
};

// Named values as users write them in YAML, Python and the store (ordered by the
// space, not alphabetically, when produced by DesignSpace::to_map).
using NamedValues = std::vector<std::pair<std::string, Value>>;

struct Constraint {
  std::string message;  // shown when violated, e.g. "MaxActiveTransactions >= RequestBufferSize"
  std::function<bool(const Design&)> holds;
};

class DesignSpace {
 public:
  DesignSpace() = default;
  explicit DesignSpace(std::vector<Parameter> parameters);

  DesignSpace& add(Parameter p);                        // throws on a duplicate name
  DesignSpace& constrain(std::string message, std::function<bool(const Design&)> holds);

  std::size_t dimension() const { return parameters_.size(); }
  const std::vector<Parameter>& parameters() const { return parameters_; }
  const Parameter& parameter(std::size_t i) const { return parameters_.at(i); }
  const std::deque<Constraint>& constraints() const { return constraints_; }
  const Parameter& parameter(const std::string& name) const;  // throws listing names
  std::size_t index_of(const std::string& name) const;        // throws listing names
  std::vector<std::string> names() const;                     // parameter names in order
  bool has(const std::string& name) const;                     // a parameter of that name
  // Number of points ignoring constraints (as double: spaces can be astronomically large);
  // infinity when a Real parameter is present.
  double size() const;
  bool all_discrete() const;

  // Empty when valid, else the first problem (bad value or violated constraint).
  std::optional<std::string> check(const Design& d) const;
  void validate(const Design& d) const;  // throws std::invalid_argument with check()'s text

  // Uniform over the parameters, resampled until constraints hold (throws after many tries).
  Design sample(Rng& rng) const;
  // Moves one randomly chosen parameter to an adjacent value (ordered kinds) or another
  // value (categorical); keeps constraints.
  Design neighbour(const Design& d, Rng& rng) const;

  NamedValues to_map(const Design& d) const;
  // Every parameter must be given exactly once unless `defaults` fills the rest;
  // unknown names throw listing the known ones. Values are checked and put in their
  // parameter's canonical form (8.0 -> 8); constraints are NOT checked here (use
  // validate()), so a stored or user-given design that breaks one can still be
  // represented and reported as invalid.
  Design from_map(const NamedValues& values, const Design* defaults = nullptr) const;
  // From text values ("PagePolicy" -> "Open"), each parsed by its parameter.
  Design from_strings(const std::vector<std::pair<std::string, std::string>>& values,
                      const Design* defaults = nullptr) const;

  std::vector<std::size_t> to_indices(const Design& d) const;       // discrete spaces only
  Design from_indices(const std::vector<std::size_t>& indices) const;
  std::vector<double> to_unit(const Design& d) const;
  Design from_unit(const std::vector<double>& u) const;

  // JSON object {"name": value, ...} in parameter order (used by the store).
  std::string to_json(const Design& d) const;
  Design from_json(const std::string& json) const;
  // A design's identity: FNV-1a (64 bit) of its to_json() text, so the same in every build
  // whose space writes the same JSON. A model file lists the designs it was fitted on by
  // it; a run finds the designs it evaluated before by it.
  static std::uint64_t key(const std::string& design_json);

 private:
  void check_dimension(const Design& d) const;  // throws when the sizes differ
  std::optional<std::string> violated_constraint(const Design& d) const;  // its message
  std::vector<Parameter> parameters_;
  // A deque: adding a constraint moves none of the others, so a check may run while a
  // predicate (a Python function) adds constraints to this very space.
  std::deque<Constraint> constraints_;
};

}  // namespace archgym

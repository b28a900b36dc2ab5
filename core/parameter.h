#pragma once
// One named axis of a design space.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/rng.h"
#include "core/value.h"

namespace archgym {

class Parameter {
 public:
  enum class Kind { Integer, PowerOfTwo, Ordered, Categorical, Real };

  // lo..hi inclusive in steps of `step` (hi need not be on the grid; the last value is).
  static Parameter integer(std::string name, std::int64_t lo, std::int64_t hi,
                           std::int64_t step = 1, std::string description = "");
  // Powers of two lo..hi inclusive (both must be powers of two).
  static Parameter power_of_two(std::string name, std::int64_t lo, std::int64_t hi,
                                std::string description = "");
  // An ordered list (neighbours are adjacent entries), numbers or strings.
  static Parameter ordered(std::string name, std::vector<Value> values,
                           std::string description = "");
  // Unordered labels.
  static Parameter categorical(std::string name, std::vector<std::string> values,
                               std::string description = "");
  // Continuous range, optionally log-scaled (lo > 0 then).
  static Parameter real(std::string name, double lo, double hi, bool log_scale = false,
                        std::string description = "");

  const std::string& name() const { return name_; }
  const std::string& description() const { return description_; }
  Kind kind() const { return kind_; }
  bool is_discrete() const { return kind_ != Kind::Real; }
  // Number of values; 0 for Real.
  std::size_t cardinality() const { return values_.size(); }
  const std::vector<Value>& values() const { return values_; }

  Value value_at(std::size_t index) const;         // discrete only; throws when out of range
  std::size_t index_of(const Value& v) const;      // throws naming the parameter and allowed values
  std::optional<std::size_t> find_index(const Value& v) const;  // discrete: nullopt when absent
  bool contains(const Value& v) const;
  void validate(const Value& v) const;             // throws std::invalid_argument with allowed values
  // The parameter's own representation of an allowed value (8.0 -> 8 for integer kinds,
  // 2 -> 2.0 for reals); throws like validate().
  Value canonical(const Value& v) const;
  // Parses user text ("8", "Open", "0.5") into a valid value; throws with allowed values.
  Value parse(const std::string& text) const;
  // Map to and from [0, 1] (discrete: index / (n-1); log-scaled reals in log space).
  double to_unit(const Value& v) const;
  Value from_unit(double u) const;
  Value sample(Rng& rng) const;
  // "one of {Open, Closed}", "integer 1..8", "power of two 1..128", "real [0.1, 10] (log)".
  std::string allowed() const;

  // Real: the range; Integer: the first value and the requested upper bound.
  double lo() const { return lo_; }
  double hi() const { return hi_; }
  bool log_scale() const { return log_; }
  std::int64_t step() const { return step_; }  // Integer only; 1 otherwise

 private:
  Parameter() = default;
  std::string rejection(const Value& v) const;  // "<name>: <v> is not allowed; allowed: ..."
  std::string name_, description_;
  Kind kind_ = Kind::Integer;
  std::vector<Value> values_;  // discrete kinds: every value in order
  double lo_ = 0, hi_ = 0;     // Real
  bool log_ = false;
  std::int64_t step_ = 1;      // Integer
};

}  // namespace archgym

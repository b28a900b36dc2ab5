#include "core/parameter.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>

#include "core/text.h"

namespace archgym {

namespace {

// Discrete kinds keep every value; beyond this a Real parameter is the right tool.
constexpr std::size_t kMaxDiscreteValues = 10'000'000;

bool is_power_of_two(std::int64_t x) { return x > 0 && (x & (x - 1)) == 0; }

std::string quoted(const Value& v) {
  return std::holds_alternative<std::string>(v) ? "'" + to_string(v) + "'" : to_string(v);
}

// Numbers compare by value whatever their type (8 == 8.0: JSON and Python blur the
// two); strings compare exactly.
bool same_value(const Value& a, const Value& b) {
  if (is_number(a) != is_number(b)) return false;
  if (!is_number(a)) return std::get<std::string>(a) == std::get<std::string>(b);
  if (std::holds_alternative<std::int64_t>(a) && std::holds_alternative<std::int64_t>(b))
    return std::get<std::int64_t>(a) == std::get<std::int64_t>(b);
  return as_double(a) == as_double(b);
}

void check_name(const std::string& name) {
  if (name.empty()) throw std::invalid_argument("a parameter needs a non-empty name");
}

}  // namespace

Parameter Parameter::integer(std::string name, std::int64_t lo, std::int64_t hi, std::int64_t step,
                             std::string description) {
  check_name(name);
  if (lo > hi)
    throw std::invalid_argument(name + ": integer range " + std::to_string(lo) + ".." +
                                std::to_string(hi) + " is empty (lo > hi)");
  if (step <= 0)
    throw std::invalid_argument(name + ": step must be positive, got " + std::to_string(step));
  const double count = std::floor((static_cast<double>(hi) - static_cast<double>(lo)) / step) + 1;
  if (count > static_cast<double>(kMaxDiscreteValues))
    throw std::invalid_argument(name + ": integer range has " + format_double(count) +
                                " values; use a real parameter for ranges this large");
  Parameter p;
  p.name_ = std::move(name);
  p.description_ = std::move(description);
  p.kind_ = Kind::Integer;
  p.lo_ = static_cast<double>(lo);
  p.hi_ = static_cast<double>(hi);
  for (std::int64_t v = lo;; v += step) {
    p.values_.push_back(v);
    // Written this way round so v + step cannot overflow, and unsigned: hi - v may exceed
    // INT64_MAX (a range from -2^62 to 2^62).
    if (static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(v) < static_cast<std::uint64_t>(step)) break;
  }
  if (step != 1) p.step_ = step;
  return p;
}

Parameter Parameter::power_of_two(std::string name, std::int64_t lo, std::int64_t hi,
                                  std::string description) {
  check_name(name);
  if (!is_power_of_two(lo) || !is_power_of_two(hi))
    throw std::invalid_argument(name + ": power-of-two range " + std::to_string(lo) + ".." +
                                std::to_string(hi) + " needs both ends to be powers of two");
  if (lo > hi)
    throw std::invalid_argument(name + ": power-of-two range " + std::to_string(lo) + ".." +
                                std::to_string(hi) + " is empty (lo > hi)");
  Parameter p;
  p.name_ = std::move(name);
  p.description_ = std::move(description);
  p.kind_ = Kind::PowerOfTwo;
  for (std::int64_t v = lo;; v *= 2) {
    p.values_.push_back(v);
    if (v == hi) break;
  }
  return p;
}

Parameter Parameter::ordered(std::string name, std::vector<Value> values, std::string description) {
  check_name(name);
  if (values.empty()) throw std::invalid_argument(name + ": an ordered parameter needs values");
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (auto d = std::get_if<double>(&values[i]); d && !std::isfinite(*d))
      throw std::invalid_argument(name + ": value " + format_double(*d) + " is not finite");
    for (std::size_t j = 0; j < i; ++j)
      if (same_value(values[i], values[j]))
        throw std::invalid_argument(name + ": value " + quoted(values[i]) + " is listed twice");
  }
  Parameter p;
  p.name_ = std::move(name);
  p.description_ = std::move(description);
  p.kind_ = Kind::Ordered;
  p.values_ = std::move(values);
  return p;
}

Parameter Parameter::categorical(std::string name, std::vector<std::string> values,
                                 std::string description) {
  check_name(name);
  if (values.empty()) throw std::invalid_argument(name + ": a categorical parameter needs values");
  Parameter p;
  p.name_ = std::move(name);
  p.description_ = std::move(description);
  p.kind_ = Kind::Categorical;
  for (auto& v : values) {
    if (std::find(p.values_.begin(), p.values_.end(), Value(v)) != p.values_.end())
      throw std::invalid_argument(p.name_ + ": value '" + v + "' is listed twice");
    p.values_.push_back(std::move(v));
  }
  return p;
}

Parameter Parameter::real(std::string name, double lo, double hi, bool log_scale,
                          std::string description) {
  check_name(name);
  // The width too: sampling and unit positions compute hi - lo.
  if (!std::isfinite(lo) || !std::isfinite(hi) || !(lo < hi) || !std::isfinite(hi - lo))
    throw std::invalid_argument(name + ": real range [" + format_double(lo) + ", " +
                                format_double(hi) + "] must be finite with lo < hi, and its width hi - lo finite");
  if (log_scale && lo <= 0)
    throw std::invalid_argument(name + ": a log-scaled range needs lo > 0, got " +
                                format_double(lo));
  Parameter p;
  p.name_ = std::move(name);
  p.description_ = std::move(description);
  p.kind_ = Kind::Real;
  p.lo_ = lo;
  p.hi_ = hi;
  p.log_ = log_scale;
  return p;
}

Value Parameter::value_at(std::size_t index) const {
  if (kind_ == Kind::Real)
    throw std::invalid_argument(name_ + ": a real parameter has no indexed values");
  if (index >= values_.size())
    throw std::out_of_range(name_ + ": index " + std::to_string(index) + " is out of range; " +
                            "allowed: 0.." + std::to_string(values_.size() - 1));
  return values_[index];
}

std::optional<std::size_t> Parameter::find_index(const Value& v) const {
  switch (kind_) {
    case Kind::Real:
      return std::nullopt;
    case Kind::Integer: {
      // Arithmetic instead of a search: integer ranges can hold millions of values.
      // In integers, not doubles: beyond 2^53 neighbouring integers share a double.
      std::int64_t i = 0;
      if (const auto* n = std::get_if<std::int64_t>(&v)) {
        i = *n;
      } else if (const auto* d = std::get_if<double>(&v)) {
        // 2^63 and beyond (and NaN) have no int64: converting them is undefined.
        if (std::trunc(*d) != *d || !(*d >= -0x1p63 && *d < 0x1p63)) return std::nullopt;
        i = static_cast<std::int64_t>(*d);
      } else {
        return std::nullopt;
      }
      const std::int64_t lo = std::get<std::int64_t>(values_.front());
      const std::int64_t hi = std::get<std::int64_t>(values_.back());
      if (i < lo || i > hi) return std::nullopt;
      // Unsigned: i - lo may exceed INT64_MAX.
      const std::uint64_t offset = static_cast<std::uint64_t>(i) - static_cast<std::uint64_t>(lo);
      const auto step = static_cast<std::uint64_t>(step_);
      if (offset % step != 0) return std::nullopt;
      return static_cast<std::size_t>(offset / step);
    }
    default:
      for (std::size_t i = 0; i < values_.size(); ++i)
        if (same_value(values_[i], v)) return i;
      return std::nullopt;
  }
}

bool Parameter::contains(const Value& v) const {
  if (kind_ == Kind::Real) {
    if (!is_number(v)) return false;
    const double x = as_double(v);
    return x >= lo_ && x <= hi_;
  }
  return find_index(v).has_value();
}

std::string Parameter::rejection(const Value& v) const {
  std::string message = name_ + ": " + quoted(v) + " is not allowed; allowed: " + allowed();
  if (kind_ == Kind::Categorical || (kind_ == Kind::Ordered && !is_number(v))) {
    std::vector<std::string> names;
    for (const auto& x : values_) names.push_back(to_string(x));
    message += did_you_mean(to_string(v), names);
  }
  return message;
}

std::size_t Parameter::index_of(const Value& v) const {
  if (kind_ == Kind::Real)
    throw std::invalid_argument(name_ + ": a real parameter has no indexed values");
  if (auto i = find_index(v)) return *i;
  throw std::invalid_argument(rejection(v));
}

void Parameter::validate(const Value& v) const {
  if (!contains(v)) throw std::invalid_argument(rejection(v));
}

Value Parameter::canonical(const Value& v) const {
  if (kind_ == Kind::Real) {
    validate(v);
    return as_double(v);
  }
  return values_[index_of(v)];
}

Value Parameter::parse(const std::string& text) const {
  switch (kind_) {
    case Kind::Integer:
    case Kind::PowerOfTwo: {
      auto i = parse_integer(text);
      if (!i) throw std::invalid_argument(name_ + ": '" + text + "' is not an integer; allowed: " +
                                          allowed());
      return canonical(static_cast<std::int64_t>(*i));
    }
    case Kind::Real: {
      auto d = parse_real(text);
      if (!d) throw std::invalid_argument(name_ + ": '" + text + "' is not a number; allowed: " +
                                          allowed());
      return canonical(*d);
    }
    case Kind::Ordered:
      // The text as the value prints ("0.5", "Open"), else a number equal in value ("0.50").
      for (const auto& v : values_)
        if (to_string(v) == text) return v;
      if (auto d = parse_real(text))
        if (auto i = find_index(*d)) return values_[*i];
      throw std::invalid_argument(rejection(text));
    case Kind::Categorical:
      return canonical(text);
  }
  throw std::logic_error("unreachable");
}

double Parameter::to_unit(const Value& v) const {
  if (kind_ == Kind::Real) {
    validate(v);
    const double x = as_double(v);
    if (log_) return (std::log(x) - std::log(lo_)) / (std::log(hi_) - std::log(lo_));
    return (x - lo_) / (hi_ - lo_);
  }
  const std::size_t i = index_of(v);
  return values_.size() == 1 ? 0.0 : static_cast<double>(i) / static_cast<double>(values_.size() - 1);
}

Value Parameter::from_unit(double u) const {
  if (std::isnan(u)) throw std::invalid_argument(name_ + ": unit value is NaN");
  u = std::clamp(u, 0.0, 1.0);
  if (kind_ == Kind::Real) {
    if (u == 0.0) return lo_;  // exactly, whatever exp(log(lo)) rounds to
    if (u == 1.0) return hi_;
    double x = log_ ? std::exp(std::log(lo_) + u * (std::log(hi_) - std::log(lo_)))
                    : lo_ + u * (hi_ - lo_);
    return std::clamp(x, lo_, hi_);  // exp/log rounding must not leave the range
  }
  // Rounding to the nearest index makes from_unit(to_unit(v)) == v.
  const auto i = static_cast<std::size_t>(std::llround(u * static_cast<double>(values_.size() - 1)));
  return values_[i];
}

Value Parameter::sample(Rng& rng) const {
  if (kind_ == Kind::Real) {
    if (log_) return std::clamp(std::exp(rng.uniform(std::log(lo_), std::log(hi_))), lo_, hi_);
    return rng.uniform(lo_, hi_);
  }
  return values_[rng.below(values_.size())];
}

std::string Parameter::allowed() const {
  switch (kind_) {
    case Kind::Integer: {
      std::string s = "integer " + to_string(values_.front()) + ".." + to_string(values_.back());
      if (step_ != 1) s += " step " + std::to_string(step_);
      return s;
    }
    case Kind::PowerOfTwo:
      return "power of two " + to_string(values_.front()) + ".." + to_string(values_.back());
    case Kind::Real:
      return "real [" + format_double(lo_) + ", " + format_double(hi_) + "]" + (log_ ? " (log)" : "");
    case Kind::Ordered:
    case Kind::Categorical: {
      std::vector<std::string> names;
      for (const auto& v : values_) names.push_back(to_string(v));
      return "one of {" + join(names) + "}";
    }
  }
  return "";
}

}  // namespace archgym

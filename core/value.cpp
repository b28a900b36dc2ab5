#include "core/value.h"

#include <cmath>
#include <stdexcept>

#include "core/text.h"

namespace archgym {

std::string to_string(const Value& v) {
  if (auto i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  if (auto d = std::get_if<double>(&v)) return format_double(*d);
  return std::get<std::string>(v);
}

bool is_number(const Value& v) { return !std::holds_alternative<std::string>(v); }

double as_double(const Value& v) {
  if (auto i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  if (auto d = std::get_if<double>(&v)) return *d;
  throw std::invalid_argument("expected a number, got '" + std::get<std::string>(v) + "'");
}

std::int64_t as_int(const Value& v) {
  if (auto i = std::get_if<std::int64_t>(&v)) return *i;
  if (auto d = std::get_if<double>(&v)) {
    // Exactly integral and inside the int64 range (2^63 is exactly representable).
    if (std::isfinite(*d) && std::trunc(*d) == *d && *d >= -9223372036854775808.0 &&
        *d < 9223372036854775808.0)
      return static_cast<std::int64_t>(*d);
    throw std::invalid_argument("expected an integer, got " + format_double(*d));
  }
  throw std::invalid_argument("expected an integer, got '" + std::get<std::string>(v) + "'");
}

}  // namespace archgym

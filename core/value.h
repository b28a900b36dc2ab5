#pragma once
// A parameter or option value: integer, real or string.
#include <cstdint>
#include <string>
#include <variant>

namespace archgym {

using Value = std::variant<std::int64_t, double, std::string>;

std::string to_string(const Value& v);  // 8 -> "8", 0.5 -> "0.5", "Open" -> "Open"
bool is_number(const Value& v);
double as_double(const Value& v);        // throws std::invalid_argument for strings
std::int64_t as_int(const Value& v);     // throws for strings and non-integral reals

}  // namespace archgym

#pragma once
// Private to the core (nlohmann::json is linked PRIVATE): Value <-> JSON.
#include <nlohmann/json.hpp>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "core/strict_json.h"
#include "core/value.h"

namespace archgym::detail {

using ojson = nlohmann::ordered_json;  // keeps parameter order in stored designs

inline ojson to_json_value(const Value& v) {
  if (auto i = std::get_if<std::int64_t>(&v)) return *i;
  if (auto d = std::get_if<double>(&v)) return *d;
  return std::get<std::string>(v);
}

// `what` names the field for the error message.
inline Value from_json_value(const ojson& j, const std::string& what) {
  // Above INT64_MAX, an unsigned number would wrap around to a negative one.
  if (j.is_number_unsigned() && j.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
    throw std::invalid_argument(what + ": " + j.dump() + " is out of range (integers go up to " +
                                std::to_string(INT64_MAX) + ")");
  if (j.is_number_integer()) return static_cast<std::int64_t>(j.get<std::int64_t>());
  if (j.is_number_float()) return j.get<double>();
  if (j.is_string()) return j.get<std::string>();
  if (j.is_boolean()) return static_cast<std::int64_t>(j.get<bool>() ? 1 : 0);
  throw std::invalid_argument(what + ": expected a number or a string, got " + j.dump());
}

inline ojson parse_json(const std::string& text, const std::string& what) {
  try {
    return parse_strict<ojson>(text);
  } catch (const std::invalid_argument& e) {  // nested too deep, a key given twice
    throw std::invalid_argument(what + ": " + e.what());
  } catch (const std::exception& e) {
    throw std::invalid_argument(what + ": invalid JSON (" + e.what() + ")");
  }
}

}  // namespace archgym::detail

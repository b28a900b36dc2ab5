#pragma once
// A bound on how deep a JSON text read from outside (a proxy model file, a store's record)
// may nest. nlohmann parses any depth, but copying, dumping and comparing a value recurse
// once per level: a file nested 300,000 deep overflowed the stack (a crash, not an error).
// Files archgym writes nest at most 6 levels. (The DRAM simulator, which depends on nothing
// of the core, applies the same bound to memspecs and address maps in json_document.cpp.)
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace archgym::detail {

inline constexpr int kMaxJsonDepth = 100;

inline std::string too_deep_message() {
  return "JSON nested more than " + std::to_string(kMaxJsonDepth) + " levels deep; archgym's files nest a few levels";
}

// For a parser callback: throws std::invalid_argument(too_deep_message()) when an array or
// object opens beyond kMaxJsonDepth levels (nlohmann passes the levels already open).
template <class Json>
void refuse_deep_nesting(int depth, typename Json::parse_event_t event) {
  using Event = typename Json::parse_event_t;
  if ((event == Event::object_start || event == Event::array_start) && depth >= kMaxJsonDepth)
    throw std::invalid_argument(too_deep_message());
}

// json::parse(text) with the bound: throws std::invalid_argument(too_deep_message()) beyond
// it, and the parser's own errors (Json::exception) as before.
template <class Json>
Json parse_bounded(const std::string& text) {
  const typename Json::parser_callback_t guard = [](int depth, typename Json::parse_event_t event, Json&) {
    refuse_deep_nesting<Json>(depth, event);
    return true;
  };
  return Json::parse(text, guard);
}

}  // namespace archgym::detail

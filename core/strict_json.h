#pragma once
// Parsing JSON read from outside (a proxy model file, a store's record) strictly:
// - nesting is bounded: nlohmann parses any depth, but copying, dumping and comparing a
//   value recurse once per level, so a file nested 300,000 deep overflowed the stack (a
//   crash, not an error). Files archgym writes nest at most 6 levels.
// - a key given twice in one object is refused: nlohmann keeps the last one silently, so a
//   hand-edited model file with a second "workload" described another trace than the one
//   its model learned.
// (The DRAM simulator, which depends on nothing of the core, applies the same rules to
// memspecs and address maps in json_document.cpp.)
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace archgym::detail {

inline constexpr int kMaxJsonDepth = 100;

// json::parse(text) under the rules above: throws std::invalid_argument ("JSON nested more
// than 100 levels deep; ...", "model.seed: key given twice in one object; ...") for a
// broken rule, and the parser's own errors (Json::exception) as before.
template <class Json>
Json parse_strict(const std::string& text) {
  using Event = typename Json::parse_event_t;
  struct Object {
    std::set<std::string> keys;
    std::string key;  // the latest, which names the path into a value inside it
  };
  std::vector<Object> open;
  const typename Json::parser_callback_t check = [&open](int depth, Event event, Json& parsed) {
    if ((event == Event::object_start || event == Event::array_start) && depth >= kMaxJsonDepth)
      throw std::invalid_argument("JSON nested more than " + std::to_string(kMaxJsonDepth) +
                                  " levels deep; archgym's files nest a few levels");
    if (event == Event::object_start) open.emplace_back();
    if (event == Event::object_end) open.pop_back();
    if (event == Event::key) {
      const auto& key = parsed.template get_ref<const std::string&>();
      if (!open.back().keys.insert(key).second) {
        std::string path;
        for (std::size_t i = 0; i + 1 < open.size(); ++i) path += open[i].key + ".";
        throw std::invalid_argument(path + key + ": key given twice in one object (JSON keys must be unique; "
                                    "keep one)");
      }
      open.back().key = key;
    }
    return true;
  };
  return Json::parse(text, check);
}

}  // namespace archgym::detail

#include "simulators/dram/json_document.h"

#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace archgym::dram {

using nlohmann::json;

json parse_json_document(const std::string& text, const std::string& origin) {
  // The parser's callback sees every object open and close and every key in document
  // order: one set of keys per open object finds a repeat.
  struct Level {
    std::set<std::string> keys;
    std::string key;  // the latest key of this object (names the path into it)
  };
  std::vector<Level> open;
  auto path_to = [&open](const std::string& key) {
    std::string path;
    for (std::size_t i = 0; i + 1 < open.size(); ++i) path += open[i].key + ".";
    return path + key;
  };
  const json::parser_callback_t check = [&](int depth, json::parse_event_t event, json& parsed) {
    // nlohmann parses any depth, but copying and dumping a value recurse once per level: a
    // file nested 300,000 deep overflowed the stack. Memspecs nest 3 levels. (The same bound
    // as the core's, core/strict_json.h, which this library does not depend on.)
    constexpr int kMaxDepth = 100;
    if ((event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) &&
        depth >= kMaxDepth)
      throw std::invalid_argument(origin + ": " + path_to(open.empty() ? "" : open.back().key) +
                                  (open.empty() ? "" : ": ") + "nested more than " + std::to_string(kMaxDepth) +
                                  " levels deep (memspecs and address maps nest a few levels)");
    switch (event) {
      case json::parse_event_t::object_start: open.emplace_back(); break;
      case json::parse_event_t::object_end: open.pop_back(); break;
      case json::parse_event_t::key: {
        const std::string& key = parsed.get_ref<const std::string&>();
        if (!open.back().keys.insert(key).second)
          throw std::invalid_argument(origin + ": " + path_to(key) +
                                      ": key given twice in one object (JSON keys must be unique; "
                                      "keep one)");
        open.back().key = key;
        break;
      }
      default: break;
    }
    return true;
  };
  try {
    return json::parse(text, check);
  } catch (const json::exception& e) {
    // Not only parse_error: a number beyond double range ("1e400") is out_of_range
    // (found by fuzzing), and every such failure must name the file.
    throw std::invalid_argument(origin + ": invalid JSON: " + e.what());
  }
}

}  // namespace archgym::dram

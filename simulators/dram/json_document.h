#pragma once
// Reading the simulator's JSON inputs (memspecs, address mappings). nlohmann::json keeps
// the last of two equal keys in one object; in a hand-edited memspec that is almost surely
// a mistake (a timing given twice, the first value silently ignored), so it is an error
// here, naming the file and the key path. Private to the simulator's sources.
#include <string>

#include <nlohmann/json.hpp>

namespace archgym::dram {

// Parses `text`; `origin` (a file name) starts every error message. Throws
// std::invalid_argument on malformed JSON and on a key repeated within one object.
nlohmann::json parse_json_document(const std::string& text, const std::string& origin);

}  // namespace archgym::dram

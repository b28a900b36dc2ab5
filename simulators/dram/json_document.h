#pragma once
// Reading the simulator's JSON inputs (memspecs, address mappings). nlohmann::json keeps
// the last of two equal keys in one object; in a hand-edited memspec that is almost surely
// a mistake (a timing given twice, the first value silently ignored), so it is an error
// here, naming the file and the key path. Private to the simulator's sources.
#include <cstddef>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "simulators/dram/byte_observer.h"

namespace archgym::dram {

// Memspecs and address maps are a few kB; a larger file is not one (/dev/zero never ends).
inline constexpr std::size_t kMaxJsonFileBytes = std::size_t{16} << 20;

// The whole text of a memspec or address-map file (`kind` names it in messages, e.g.
// "memspec"), whose bytes `on_read`, if given, sees. Throws std::invalid_argument for a
// directory or a file beyond kMaxJsonFileBytes, std::runtime_error with the system's reason
// when it cannot be opened.
std::string read_json_file(const std::string& path, const char* kind, const ByteObserver& on_read);

// A JSON value as a message quotes it ("expected an integer, got ..."): compact, ASCII
// (escapes as JSON writes them), at most 120 bytes of it.
std::string shown_json(const nlohmann::json& value);

// The line (from 1) of each key of a document, by its path: "memspec.memtimingspec.RCD",
// "CONGEN.SOLUTION[0].ROW_BIT" (array elements by index).
using KeyLines = std::map<std::string, std::size_t>;

// Parses `text`; `origin` (a file name) starts every error message. Throws
// std::invalid_argument on malformed JSON and on a key repeated within one object. Fills
// `lines`, if given.
nlohmann::json parse_json_document(const std::string& text, const std::string& origin, KeyLines* lines = nullptr);

// A parsed document for messages about its values: its name and where its keys are.
struct JsonSource {
  std::string name;
  KeyLines lines;
  // "<name>:<line>: <key path>", with the line of the key or, for one that is missing, of
  // the nearest enclosing key (the object that lacks it); without a line if none has one.
  std::string at(const std::string& key_path) const;
};

// Throws std::invalid_argument "<name>:<line>: <key path>: <what>".
[[noreturn]] void fail(const JsonSource& source, const std::string& key_path, const std::string& what);

}  // namespace archgym::dram

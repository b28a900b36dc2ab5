#include "simulators/dram/json_document.h"

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <iterator>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "simulators/dram/message_text.h"

namespace archgym::dram {

using nlohmann::json;

namespace {

// Hands nlohmann's parser the text one byte at a time, noting how far it has read: at a key
// event the parser has read just past the key's closing quote (it reads no further ahead
// in a string), so the newlines before that give the key's line.
struct TrackingIterator {
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;
  const char* at;
  const char** read_to;
  reference operator*() const { return *at; }
  TrackingIterator& operator++() {
    *read_to = ++at;
    return *this;
  }
  TrackingIterator operator++(int) {
    TrackingIterator before = *this;
    ++*this;
    return before;
  }
  bool operator==(const TrackingIterator& other) const { return at == other.at; }
  bool operator!=(const TrackingIterator& other) const { return at != other.at; }
};

}  // namespace

json parse_json_document(const std::string& text, const std::string& origin, KeyLines* lines) {
  // The parser's callback sees every object and array open and close, every key and every
  // other value in document order: one set of keys per open object finds a repeat.
  struct Level {
    bool array = false;
    std::size_t elements = 0;  // of an array, so far
    std::set<std::string> keys;
    std::string key;  // the latest key of an object (names the path into it)
  };
  std::vector<Level> open;
  // The path into the first `levels` open levels: "a.b[2].c", or without array indices.
  auto path_into = [&open](std::size_t levels, bool indices) {
    std::string path;
    for (std::size_t i = 0; i < levels; ++i) {
      if (!open[i].array) path += (path.empty() ? "" : ".") + open[i].key;
      else if (indices) path += "[" + std::to_string(open[i].elements - 1) + "]";
    }
    return path;
  };
  // The path of `key` in the innermost object. (Keys are the file's text: a message shows
  // them escaped and cut.)
  auto path_of = [&](const std::string& key, bool indices) {
    const std::string path = open.empty() ? "" : path_into(open.size() - 1, indices);
    return path + (path.empty() || key.empty() ? "" : ".") + key;
  };
  const std::string shown = printable_name(origin);
  const char* read_to = text.data();
  const char* counted = text.data();
  std::size_t line = 1;
  auto line_read_to = [&] {  // the line the parser has read to
    line += static_cast<std::size_t>(std::count(counted, read_to, '\n'));
    counted = read_to;
    return std::to_string(line);
  };
  const json::parser_callback_t check = [&](int depth, json::parse_event_t event, json& parsed) {
    // nlohmann parses any depth, but copying and dumping a value recurse once per level: a
    // file nested 300,000 deep overflowed the stack. Memspecs nest 3 levels. (The same bound
    // as the core's, core/strict_json.h, which this library does not depend on.)
    constexpr int kMaxDepth = 100;
    const bool opens = event == json::parse_event_t::object_start || event == json::parse_event_t::array_start;
    if (opens && depth >= kMaxDepth) {
      std::string innermost;  // the key of the innermost object, arrays left out (they are many)
      for (auto it = open.rbegin(); it != open.rend() && innermost.empty(); ++it)
        if (!it->array) innermost = it->key;
      while (!open.empty() && open.back().array) open.pop_back();
      const std::string path = printable(path_of(innermost, false), 200);
      throw std::invalid_argument(shown + ":" + line_read_to() + ": " + path + (path.empty() ? "" : ": ") +
                                  "nested more than " + std::to_string(kMaxDepth) +
                                  " levels deep (memspecs and address maps nest a few levels)");
    }
    if ((opens || event == json::parse_event_t::value) && !open.empty() && open.back().array) {
      ++open.back().elements;
      // An object or a list in a list has the line of its bracket (a number's line is not
      // known exactly: the parser reads one byte past it).
      if (opens && lines != nullptr) {
        line_read_to();
        lines->emplace(path_into(open.size(), true), line);
      }
    }
    switch (event) {
      case json::parse_event_t::object_start: open.emplace_back(); break;
      case json::parse_event_t::array_start: open.emplace_back().array = true; break;
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end: open.pop_back(); break;
      case json::parse_event_t::key: {
        const std::string& key = parsed.get_ref<const std::string&>();
        const std::string key_line = line_read_to();
        if (!open.back().keys.insert(key).second)
          throw std::invalid_argument(shown + ":" + key_line + ": " + printable(path_of(key, true), 200) +
                                      ": key given twice in one object (JSON keys must be unique; "
                                      "keep one)");
        open.back().key = key;
        if (lines != nullptr) lines->emplace(path_of(key, true), line);
        break;
      }
      default: break;
    }
    return true;
  };
  try {
    return json::parse(TrackingIterator{text.data(), &read_to}, TrackingIterator{text.data() + text.size(), &read_to},
                       check);
  } catch (const json::exception& e) {
    // Not only parse_error: a number beyond double range ("1e400") is out_of_range
    // (found by fuzzing), and every such failure must name the file.
    // nlohmann quotes the token it stopped at: an unterminated string runs to the end of
    // the file, and its bytes need not be UTF-8.
    throw std::invalid_argument(shown + ": invalid JSON: " + printable(e.what(), 300));
  }
}

std::string read_json_file(const std::string& path, const char* kind, const ByteObserver& on_read) {
  const std::string shown = printable_name(path);
  std::error_code ec;  // a directory opens, then reads as empty: "invalid JSON"
  if (std::filesystem::is_directory(path, ec))
    throw std::invalid_argument(shown + ": is a directory, not " + (kind[0] == 'a' ? "an " : "a ") + kind + " file");
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(shown + ": cannot open " + kind + " file" + errno_reason(errno));
  std::string text;
  char block[1 << 14];
  while (in.read(block, sizeof block) || in.gcount() > 0) {
    text.append(block, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxJsonFileBytes)
      throw std::invalid_argument(shown + ": larger than " + std::to_string(kMaxJsonFileBytes >> 20) + " MiB; is it " +
                                  (kind[0] == 'a' ? "an " : "a ") + kind + " file? (they are a few kB)");
  }
  if (in.bad()) throw std::runtime_error(shown + ": read error" + errno_reason(errno));
  if (on_read) on_read(text);
  return text;
}

std::string JsonSource::at(const std::string& key_path) const {
  // The key's own line, else that of the nearest enclosing key: "a.b[2].c" -> "a.b[2]" -> "a.b" -> "a".
  std::string path = key_path;
  for (;;) {
    if (const auto it = lines.find(path); it != lines.end())
      return printable_name(name) + ":" + std::to_string(it->second) + ": " + printable(key_path, 200);
    const auto cut = path.find_last_of(".[");
    if (cut == std::string::npos || cut == 0) return printable_name(name) + ": " + printable(key_path, 200);
    path.resize(cut);
  }
}

void fail(const JsonSource& source, const std::string& key_path, const std::string& what) {
  throw std::invalid_argument(source.at(key_path) + ": " + what);
}

std::string shown_json(const nlohmann::json& value) { return printable(value.dump(-1, ' ', true), 120); }

}  // namespace archgym::dram

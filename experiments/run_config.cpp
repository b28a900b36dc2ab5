// YAML run files: a flat map of settings plus three nested maps (env_options,
// agent_options, targets). Every error names the file and the line of the key.
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <yaml-cpp/depthguard.h>  // YAML::DeepRecursion (yaml.h does not include it)
#include <yaml-cpp/yaml.h>

#include "experiments/cli_error.h"
#include "experiments/run_request.h"

namespace archgym::cli {

std::string RunRequest::where(const std::string& key) const {
  auto it = origin.find(key);
  return it == origin.end() ? std::string() : it->second + ": ";
}

const std::vector<std::string>& run_config_keys() {
  static const std::vector<std::string> keys = {
      "env",   "agent",          "budget",      "seed",          "workers",       "batch",
      "store", "stop_on_target", "formulation", "env_options",   "agent_options", "targets"};
  return keys;
}

namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null: return "nothing";
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Sequence: return "a list";
    default: return "'" + node.Scalar() + "'";
  }
}

// The line of the `---` that starts a second document (one at the very top, before any
// content, starts the first).
int second_document_line(const std::string& text) {
  std::istringstream lines(text);
  std::string line;
  bool content = false;
  for (int n = 1; std::getline(lines, line); ++n) {
    const bool marker = line.rfind("---", 0) == 0 && (line.size() == 3 || line[3] == ' ' || line[3] == '\t' ||
                                                     line[3] == '\r');
    if (marker && content) return n;
    if (marker || line.rfind("...", 0) == 0) continue;
    const auto first = line.find_first_not_of(" \t\r");
    if (first != std::string::npos && line[first] != '#' && line[first] != '%') content = true;
  }
  return 1;
}

constexpr std::uintmax_t kMaxConfigBytes = std::uintmax_t{1} << 20;

// YAML allows no control characters but tab, line feed and carriage return; yaml-cpp
// reports a NUL as an "unknown escape character" with a raw control byte in the message.
// (A UTF-16 or UTF-32 file, which yaml-cpp decodes, holds NUL bytes by design: it starts
// with a byte-order mark or a NUL byte, and is left to yaml-cpp.)
void refuse_control_bytes(const std::string& path, const std::string& text) {
  const bool wide = text.size() >= 2 && (text[0] == '\0' || text[1] == '\0' || text.rfind("\xFF\xFE", 0) == 0 ||
                                         text.rfind("\xFE\xFF", 0) == 0);
  if (wide) return;
  std::size_t line = 1, column = 1;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\t' && c != '\n' && c != '\r') || byte == 0x7F) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02X", byte);
      throw UsageError(path + ":" + std::to_string(line) + ":" + std::to_string(column) + ": a control character (byte " +
                       hex + "); a YAML config file is text");
    }
    if (c == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
}

class ConfigReader {
 public:
  ConfigReader(std::string path, RunRequest& request) : path_(std::move(path)), r_(request) {}

  void read() {
    if (path_.empty()) throw UsageError("--config: no file given");
    std::error_code ec;
    if (std::filesystem::is_directory(path_, ec))
      throw UsageError(path_ + ": is a directory, not a YAML config file");
    // A device or pipe (/dev/urandom, /dev/zero) would be read forever.
    if (std::filesystem::exists(path_, ec) && !std::filesystem::is_regular_file(path_, ec))
      throw UsageError(path_ + ": not a regular file (a device or pipe?); give a YAML config file");
    std::ifstream in(path_);
    if (!in) throw UsageError(path_ + ": cannot read the config file (" + std::strerror(errno) + ")");
    const auto size = std::filesystem::file_size(path_, ec);
    if (!ec && size > kMaxConfigBytes)
      throw UsageError(path_ + ": " + std::to_string(size) + " bytes; a config file holds a few settings (at most " +
                       std::to_string(kMaxConfigBytes >> 20) + " MiB), is this the right file?");
    std::stringstream text;
    text << in.rdbuf();
    refuse_control_bytes(path_, text.str());
    std::vector<YAML::Node> documents;
    try {
      documents = YAML::LoadAll(text.str());
    } catch (const YAML::DeepRecursion& e) {  // yaml-cpp says only "bad file"
      throw UsageError(path_ + ":" + std::to_string(e.mark.line + 1) + ":" +
                       std::to_string(e.mark.column + 1) + ": invalid YAML: nested " +
                       std::to_string(e.depth()) +
                       " levels deep, past the parser's limit; a config file holds a map of settings");
    } catch (const YAML::ParserException& e) {
      throw UsageError(path_ + ":" + std::to_string(e.mark.line + 1) + ":" +
                       std::to_string(e.mark.column + 1) + ": invalid YAML: " + e.msg);
    }
    // Only the first document would be read: settings after a `---` would be lost silently.
    if (documents.size() > 1)
      throw UsageError(path_ + ":" + std::to_string(second_document_line(text.str())) +
                       ": a second YAML document ('---'); a config file holds one map of settings");
    // A file that sets nothing is most likely a mistake (wrong or truncated file).
    if (documents.empty() || documents[0].IsNull())
      throw UsageError(path_ + ": the config file sets nothing (empty, or only comments); allowed keys: " +
                       join(run_config_keys()));
    const YAML::Node root = documents[0];
    if (!root.IsMap())
      throw UsageError(at(root) + "expected a map of settings (key: value), got " + describe(root));

    std::set<std::string> seen;
    const auto& keys = run_config_keys();
    for (const auto& entry : root) {
      // Copies: yaml-cpp's iterator hands out a temporary pair.
      const YAML::Node key = entry.first;
      const YAML::Node value = entry.second;
      const std::string name = key.IsScalar() ? key.Scalar() : describe(key);
      refuse_merge_key(location(key), key);
      if (std::find(keys.begin(), keys.end(), name) == keys.end())
        throw UsageError(at(key) + "unknown key '" + name + "'; allowed: " + join(keys));
      if (!seen.insert(name).second) throw UsageError(at(key) + "duplicate key '" + name + "'");
      const std::string origin = location(key);
      if (name == "env") r_.spec.env = text_of(key, value);
      else if (name == "agent") r_.spec.agent = text_of(key, value);
      else if (name == "formulation") r_.spec.formulation = text_of(key, value);
      else if (name == "store") r_.store = text_of(key, value);
      else if (name == "budget") r_.spec.budget = unsigned_of(key, value);
      else if (name == "seed") r_.spec.seed = unsigned_of(key, value);
      else if (name == "batch") r_.spec.batch = unsigned_of(key, value, archgym::kMaxBatch);
      else if (name == "workers") r_.spec.workers = static_cast<unsigned>(unsigned_of(key, value, archgym::kMaxWorkers));
      else if (name == "stop_on_target") r_.spec.stop_on_target = bool_of(key, value);
      else if (name == "env_options") read_options(key, value, "env_options", r_.spec.env_options);
      else if (name == "agent_options") read_options(key, value, "agent_options", r_.spec.agent_options);
      else if (name == "targets") read_targets(key, value);
      if (name != "env_options" && name != "agent_options" && name != "targets") r_.origin[name] = origin;
    }
  }

 private:
  std::string location(const YAML::Node& node) const {
    const YAML::Mark m = node.Mark();
    return m.is_null() ? path_ : path_ + ":" + std::to_string(m.line + 1);
  }
  std::string at(const YAML::Node& node) const { return location(node) + ": "; }

  // yaml-cpp reads YAML 1.1's merge key (`<<: *defaults`) as a plain key named "<<", which
  // would be refused as an unknown key or option without saying why.
  static void refuse_merge_key(const std::string& where, const YAML::Node& key) {
    if (key.IsScalar() && key.Scalar() == "<<")
      throw UsageError(where + ": YAML merge keys ('<<: *anchor') are not supported; write the keys out "
                               "(a whole section may still be an alias, e.g. 'env_options: *defaults')");
  }

  // Where an entry of a section map was given. `agent_options: *e` is the map anchored
  // (`&e`) earlier, and yaml-cpp marks its entries with the anchor's lines, in another
  // section: so name the alias's line and section, then the entry's line.
  // An entry key that is itself an alias (`*k: 4`, `&k` on a key of another section) is
  // named the same way.
  std::string entry_location(const YAML::Node& key, const YAML::Node& map, const YAML::Node& entry,
                             const std::string& section) const {
    const YAML::Mark k = key.Mark(), m = map.Mark(), e = entry.Mark();
    if (k.is_null() || m.is_null() || e.is_null()) return location(entry);
    // A section's own map follows its key, and its entries follow the map; only an alias
    // points back.
    if (m.pos < k.pos) return location(key) + " (" + section + ": alias of line " + std::to_string(e.line + 1) + ")";
    if (e.pos < m.pos)
      return location(key) + " (" + section + ": a key aliased from line " + std::to_string(e.line + 1) + ")";
    return location(entry);
  }

  std::string text_of(const YAML::Node& key, const YAML::Node& value) const {
    if (!value.IsScalar())
      throw UsageError(at(key) + "'" + key.Scalar() + "' must be a text value, got " + describe(value));
    return value.Scalar();
  }

  std::uint64_t unsigned_of(const YAML::Node& key, const YAML::Node& value,
                            std::uint64_t max = UINT64_MAX) const {
    std::uint64_t v = 0;
    if (value.IsScalar()) {
      const std::string& s = value.Scalar();
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (ec == std::errc() && end == s.data() + s.size() && v <= max) return v;
    }
    throw UsageError(at(key) + "'" + key.Scalar() + "' must be a non-negative integer" +
                     (max == UINT64_MAX ? "" : " up to " + std::to_string(max)) + ", got " +
                     describe(value));
  }

  // As every boolean option (--set, env_options): YAML's spellings (true, yes, on, ...) and 1/0.
  bool bool_of(const YAML::Node& key, const YAML::Node& value) const {
    bool b = false;
    if (value.IsScalar() && YAML::convert<bool>::decode(value, b)) return b;
    if (value.IsScalar() && (value.Scalar() == "1" || value.Scalar() == "0")) return value.Scalar() == "1";
    throw UsageError(at(key) + "'" + key.Scalar() + "' must be true or false (also yes/no, on/off, 1/0), got " +
                     describe(value));
  }

  // A map of option name -> scalar; values stay text, the schema parses them later.
  void read_options(const YAML::Node& key, const YAML::Node& value, const std::string& section,
                    std::map<std::string, std::string>& out) {
    if (value.IsNull()) return;
    if (!value.IsMap())
      throw UsageError(at(key) + "'" + section + "' must be a map of option: value, got " +
                       describe(value));
    for (const auto& entry : value) {
      const YAML::Node name_node = entry.first, option = entry.second;
      const std::string where = entry_location(key, value, name_node, section);
      refuse_merge_key(where, name_node);
      if (!name_node.IsScalar())
        throw UsageError(where + ": option names in '" + section + "' must be text");
      const std::string name = name_node.Scalar();
      if (out.count(name) && r_.origin.count(section + "." + name))
        throw UsageError(where + ": duplicate key '" + section + "." + name + "' (first at " +
                         r_.origin[section + "." + name] + ")");
      if (!option.IsScalar())
        throw UsageError(where + ": '" + section + "." + name + "' must be a single value, got " +
                         describe(option));
      out[name] = option.Scalar();
      r_.origin[section + "." + name] = where;
    }
  }

  void read_targets(const YAML::Node& key, const YAML::Node& value) {
    if (value.IsNull()) return;
    if (!value.IsMap())
      throw UsageError(at(key) + "'targets' must be a map of metric: target value, got " +
                       describe(value));
    for (const auto& entry : value) {
      const YAML::Node metric_node = entry.first, target = entry.second;
      const std::string where = entry_location(key, value, metric_node, "targets");
      refuse_merge_key(where, metric_node);
      if (!metric_node.IsScalar()) throw UsageError(where + ": metric names in 'targets' must be text");
      const std::string metric = metric_node.Scalar();
      if (r_.origin.count("targets." + metric))
        throw UsageError(where + ": duplicate key 'targets." + metric + "' (first at " +
                         r_.origin["targets." + metric] + ")");
      // As --target reads it (a leading '+' too, as YAML does).
      const auto v = target.IsScalar() ? parse_target(target.Scalar()) : std::nullopt;
      if (!v)
        throw UsageError(where + ": target '" + metric + "' must be " + kTargetAllowed + ", got " +
                         describe(target));
      r_.spec.targets[metric] = *v;
      r_.origin["targets." + metric] = where;
    }
  }

  std::string path_;
  RunRequest& r_;
};

}  // namespace

void load_run_config(const std::string& path, RunRequest& request) {
  ConfigReader(path, request).read();
}

}  // namespace archgym::cli

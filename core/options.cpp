#include "core/options.h"

#include <algorithm>
#include <cstdio>
#include <cmath>
#include <stdexcept>

#include "core/json_util.h"
#include "core/text.h"

namespace archgym {

namespace {

std::string range_text(const char* what, const std::optional<double>& min, const std::optional<double>& max) {
  if (min && max) return std::string(what) + " in [" + format_double(*min) + ", " + format_double(*max) + "]";
  if (min) return std::string(what) + " >= " + format_double(*min);
  if (max) return std::string(what) + " <= " + format_double(*max);
  return std::string("any ") + what;
}

std::optional<bool> parse_bool(const std::string& text) {
  const std::string t = to_lower(text);
  if (t == "true" || t == "1" || t == "yes" || t == "on") return true;
  if (t == "false" || t == "0" || t == "no" || t == "off") return false;
  return std::nullopt;
}

}  // namespace

std::string OptionSpec::allowed() const {
  switch (kind) {
    case Kind::Integer: return range_text("integer", min, max);
    case Kind::Real: return range_text("real", min, max);
    case Kind::Choice: return "one of {" + join(choices) + "}";
    case Kind::String: return "any text";
    case Kind::Bool: return "true or false (also yes/no, 1/0, on/off)";
  }
  return "";
}

Value OptionSpec::parse(const std::string& text, const std::string& where) const {
  const std::string prefix = where.empty() ? "" : where + ": ";
  auto bad = [&](const std::string& extra = "") {
    return std::invalid_argument(prefix + "option '" + name + "' must be " + allowed() + ", got '" +
                                 text + "'" + extra);
  };
  auto in_range = [&](double x) { return (!min || x >= *min) && (!max || x <= *max); };
  switch (kind) {
    case Kind::Integer: {
      auto i = parse_integer(text);
      // A whole number that does not parse is beyond int64: say so, or "integer >= 0, got
      // '9223372036854775808'" reads as a contradiction.
      const bool digits = text.find_first_not_of("0123456789", text.starts_with('-') ? 1 : 0) == std::string::npos;
      if (!i && digits && text.size() > 1) throw bad(" (beyond the 64-bit integer range)");
      if (!i || !in_range(static_cast<double>(*i))) throw bad();
      return static_cast<std::int64_t>(*i);
    }
    case Kind::Real: {
      auto d = parse_real(text);
      if (!d || !in_range(*d)) throw bad();
      return *d;
    }
    case Kind::Choice: {
      if (std::find(choices.begin(), choices.end(), text) != choices.end()) return text;
      throw bad(did_you_mean(text, choices));
    }
    case Kind::String:
      if (const auto at = invalid_utf8_offset(text)) {
        char byte[8];
        std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(text[*at]));
        throw std::invalid_argument(prefix + "option '" + name + "' is not UTF-8 text (byte " + byte + " at offset " +
                                    std::to_string(*at) + "); runs record their options as JSON text: for a "
                                    "path, rename the file or directory");
      }
      // A file name ends at a NUL for the C library: "t.stl\0x" (a YAML escape, a Python
      // string) opened t.stl while the run recorded the whole text.
      if (const auto nul = text.find('\0'); nul != std::string::npos)
        throw std::invalid_argument(prefix + "option '" + name + "' contains a NUL character (at offset " +
                                    std::to_string(nul) + "); text options cannot contain one");
      return text;
    case Kind::Bool: {
      auto b = parse_bool(text);
      if (!b) throw bad();
      return static_cast<std::int64_t>(*b ? 1 : 0);
    }
  }
  throw std::logic_error("unreachable");
}

Schema& Schema::add(OptionSpec spec) {
  if (!declaration_error_.empty()) return *this;  // the first mistake is the one to fix
  try {
    if (spec.name.empty()) throw std::invalid_argument("schema: an option needs a name");
    if (has(spec.name)) throw std::invalid_argument("schema: option '" + spec.name + "' is declared twice");
    // The default must itself be allowed: a schema that contradicts itself is a bug.
    spec.parse(to_string(spec.default_value), "schema default");
  } catch (const std::invalid_argument& e) {
    declaration_error_ = e.what();
    return *this;
  }
  specs_.push_back(std::move(spec));
  return *this;
}

void Schema::throw_if_misdeclared() const {
  if (!declaration_error_.empty()) throw std::logic_error(declaration_error_);
}

Schema& Schema::integer(std::string name, std::int64_t def, std::optional<std::int64_t> min,
                        std::optional<std::int64_t> max, std::string description) {
  OptionSpec s;
  s.name = std::move(name);
  s.kind = OptionSpec::Kind::Integer;
  s.default_value = def;
  if (min) s.min = static_cast<double>(*min);
  if (max) s.max = static_cast<double>(*max);
  s.description = std::move(description);
  return add(std::move(s));
}

Schema& Schema::real(std::string name, double def, std::optional<double> min, std::optional<double> max,
                     std::string description) {
  OptionSpec s;
  s.name = std::move(name);
  s.kind = OptionSpec::Kind::Real;
  s.default_value = def;
  s.min = min;
  s.max = max;
  s.description = std::move(description);
  return add(std::move(s));
}

Schema& Schema::choice(std::string name, std::string def, std::vector<std::string> choices,
                       std::string description) {
  OptionSpec s;
  s.name = std::move(name);
  s.kind = OptionSpec::Kind::Choice;
  s.default_value = std::move(def);
  s.choices = std::move(choices);
  s.description = std::move(description);
  return add(std::move(s));
}

Schema& Schema::string(std::string name, std::string def, std::string description) {
  OptionSpec s;
  s.name = std::move(name);
  s.kind = OptionSpec::Kind::String;
  s.default_value = std::move(def);
  s.description = std::move(description);
  return add(std::move(s));
}

Schema& Schema::boolean(std::string name, bool def, std::string description) {
  OptionSpec s;
  s.name = std::move(name);
  s.kind = OptionSpec::Kind::Bool;
  s.default_value = static_cast<std::int64_t>(def ? 1 : 0);
  s.description = std::move(description);
  return add(std::move(s));
}

const OptionSpec* Schema::find(const std::string& name) const {
  for (const auto& s : specs_)
    if (s.name == name) return &s;
  return nullptr;
}

std::vector<std::string> Schema::names() const {
  std::vector<std::string> out;
  for (const auto& s : specs_) out.push_back(s.name);
  std::sort(out.begin(), out.end());
  return out;
}

Options Schema::defaults() const {
  throw_if_misdeclared();
  Options o;
  for (const auto& s : specs_) o.set(s.name, s.default_value);
  return o;
}

Options Schema::parse(const std::map<std::string, std::string>& given, const std::string& where) const {
  const std::string prefix = where.empty() ? "" : where + ": ";
  Options o = defaults();
  for (const auto& [key, text] : given) {
    const OptionSpec* spec = find(key);
    if (!spec) {
      const auto known = names();
      throw std::invalid_argument(prefix + "unknown option '" + key + "'" + did_you_mean(key, known) +
                                  "; known options: " + (known.empty() ? "(none)" : join(known)));
    }
    o.set(key, spec->parse(text, where));
    o.mark_given(key);
  }
  return o;
}

Options Schema::parse_json(const std::string& json, const std::string& where) const {
  const auto j = detail::parse_json(json, where.empty() ? "options" : where);
  if (!j.is_object()) throw std::invalid_argument(where + ": options must be a JSON object, got " + j.dump());
  std::map<std::string, std::string> given;
  for (const auto& [key, value] : j.items()) given[key] = to_string(detail::from_json_value(value, where + ": " + key));
  const Options parsed = parse(given, where);
  Options o;  // the same values, none marked as given
  for (const auto& [key, value] : parsed.all()) o.set(key, value);
  return o;
}

namespace {
[[noreturn]] void unknown_key(const std::map<std::string, Value>& values, const std::string& name) {
  std::vector<std::string> known;
  for (const auto& [k, v] : values) known.push_back(k);
  throw std::invalid_argument("unknown option '" + name + "'" + did_you_mean(name, known) +
                              "; known options: " + (known.empty() ? "(none)" : join(known)));
}
}  // namespace

const Value& Options::get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) unknown_key(values_, name);
  return it->second;
}

std::int64_t Options::integer(const std::string& name) const {
  const Value& v = get(name);
  if (auto i = std::get_if<std::int64_t>(&v)) return *i;
  throw std::invalid_argument("option '" + name + "' is not an integer (it is '" + to_string(v) + "')");
}

double Options::real(const std::string& name) const {
  const Value& v = get(name);
  if (!is_number(v)) throw std::invalid_argument("option '" + name + "' is not a number (it is '" + to_string(v) + "')");
  return as_double(v);
}

const std::string& Options::string(const std::string& name) const {
  const Value& v = get(name);
  if (auto s = std::get_if<std::string>(&v)) return *s;
  throw std::invalid_argument("option '" + name + "' is not text (it is " + to_string(v) + ")");
}

bool Options::boolean(const std::string& name) const {
  const Value& v = get(name);
  if (auto i = std::get_if<std::int64_t>(&v)) return *i != 0;
  throw std::invalid_argument("option '" + name + "' is not a boolean (it is '" + to_string(v) + "')");
}

std::string Options::to_json() const {
  nlohmann::json j = nlohmann::json::object();  // std::map: sorted by name
  for (const auto& [k, v] : values_) j[k] = detail::to_json_value(v);
  return j.dump();
}

}  // namespace archgym

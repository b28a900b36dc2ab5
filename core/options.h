#pragma once
// Declared, validated options: env settings and agent hyperparameters share one
// mechanism. A Schema lists each option (name, kind, default, allowed range or
// choices, description); parse() turns user text into typed values and rejects
// unknown keys and bad values with a message naming the key and what is allowed.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/value.h"

namespace archgym {

struct OptionSpec {
  enum class Kind { Integer, Real, Choice, String, Bool };
  std::string name;
  Kind kind = Kind::String;
  Value default_value;               // every option has a default
  std::optional<double> min, max;    // Integer / Real
  std::vector<std::string> choices;  // Choice
  std::string description;

  std::string allowed() const;       // "integer in [1, 128]", "one of {stream, random}"
  // User text -> typed value (Bool -> integer 1/0); throws "<where>: option 'x' must be ...".
  Value parse(const std::string& text, const std::string& where) const;
};

class Options;

// An env or agent refusing its options names those involved, so that a caller that knows
// where each was given (a YAML line, a --set flag) points at those alone.
struct OptionError : std::invalid_argument {
  OptionError(std::vector<std::string> option_names, const std::string& message)
      : std::invalid_argument(message), options(std::move(option_names)) {}
  std::vector<std::string> options;
};

class Schema {
 public:
  Schema& integer(std::string name, std::int64_t def, std::optional<std::int64_t> min,
                  std::optional<std::int64_t> max, std::string description);
  Schema& real(std::string name, double def, std::optional<double> min,
               std::optional<double> max, std::string description);
  Schema& choice(std::string name, std::string def, std::vector<std::string> choices,
                 std::string description);
  Schema& string(std::string name, std::string def, std::string description);
  Schema& boolean(std::string name, bool def, std::string description);

  const std::vector<OptionSpec>& specs() const { return specs_; }
  // Declaring an option never throws: a duplicate name or a default that is not allowed is
  // kept as the schema's declaration_error() (the first one), which the registry reports
  // naming the env, agent or model whose schema it is (the chain of declarations runs
  // before the registrar that knows the name); parse() and defaults() throw it.
  Schema& add(OptionSpec spec);
  const std::string& declaration_error() const { return declaration_error_; }
  const OptionSpec* find(const std::string& name) const;
  std::vector<std::string> names() const;  // sorted
  bool has(const std::string& name) const { return find(name) != nullptr; }

  // Text values ("population" -> "16") -> validated Options (defaults filled in); the
  // keys of `given` are marked as given (Options::given).
  // `where` prefixes messages, e.g. "agent 'ga'" or "config.yaml:12".
  Options parse(const std::map<std::string, std::string>& given, const std::string& where) const;
  Options defaults() const;
  // Options stored as JSON (Options::to_json) re-validated against this schema, e.g. to
  // rebuild a stored run; an option the schema no longer has is an error. None is marked
  // as given: stored options hold every value, defaults included.
  Options parse_json(const std::string& json, const std::string& where) const;

 private:
  void throw_if_misdeclared() const;
  std::vector<OptionSpec> specs_;
  std::string declaration_error_;
};

class Options {
 public:
  std::int64_t integer(const std::string& name) const;
  double real(const std::string& name) const;  // integers are widened
  const std::string& string(const std::string& name) const;
  bool boolean(const std::string& name) const;  // booleans are stored as integers 1/0
  const Value& get(const std::string& name) const;  // throws naming the key
  const std::map<std::string, Value>& all() const { return values_; }
  void set(const std::string& name, Value v) { values_[name] = std::move(v); }
  std::string to_json() const;  // {"name": value} sorted by name

  // Whether the user gave `name` (Schema::parse), even with its default value, so an
  // env can refuse an option that has no effect in its combination. Not part of the
  // values: to_json() and all() leave it out.
  bool given(const std::string& name) const { return given_.count(name) > 0; }
  void mark_given(const std::string& name) { given_.insert(name); }

 private:
  std::map<std::string, Value> values_;
  std::set<std::string> given_;
};

}  // namespace archgym

// `archgym list`: what can be run, straight from the registry.
#include <algorithm>
#include <iomanip>

#include "core/registry.h"
#include "experiments/commands.h"

namespace archgym::cli {
namespace {

// A default as a user would type it (a boolean as true/false, not 1/0).
std::string default_text(const OptionSpec& s) {
  if (s.kind == OptionSpec::Kind::Bool) return as_double(s.default_value) != 0 ? "true" : "false";
  return to_string(s.default_value);
}

void print_schema(std::ostream& out, const Schema& schema) {
  if (schema.specs().empty()) {
    out << "      (no options)\n";
    return;
  }
  std::size_t name_w = 0, def_w = 0, allowed_w = 0;
  for (const auto& s : schema.specs()) {
    name_w = std::max(name_w, s.name.size());
    def_w = std::max(def_w, default_text(s).size());
    allowed_w = std::max(allowed_w, s.allowed().size());
  }
  for (const auto& s : schema.specs())
    out << "      " << std::left << std::setw(static_cast<int>(name_w)) << s.name << " = "
        << std::setw(static_cast<int>(def_w)) << default_text(s) << "  "
        << std::setw(static_cast<int>(allowed_w)) << s.allowed() << "  " << s.description << "\n";
}

template <class Entries>
void print_entries(std::ostream& out, const Entries& entries) {
  for (const auto& [name, entry] : entries) {
    out << "  " << name << ": " << entry.description << "\n";
    print_schema(out, entry.schema);
  }
  if (entries.empty()) out << "  (none registered)\n";
}

}  // namespace

void list_command(std::ostream& out) {
  out << "Environments (--env NAME; options via --set key=value, shown as name = default, allowed):\n";
  print_entries(out, EnvRegistry::instance().entries());
  out << "\nAgents (--agent NAME; hyperparameters via --set key=value):\n";
  print_entries(out, AgentRegistry::instance().entries());
  out << "\nProxy models (archgym proxy train --model NAME; hyperparameters via --set key=value):\n";
  print_entries(out, ProxyRegistry::instance().entries());
}

}  // namespace archgym::cli

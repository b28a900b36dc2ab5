// --set and --target: the command line's way to give options and targets.
#include <limits>

#include "core/registry.h"
#include "core/text.h"
#include "experiments/cli_error.h"
#include "experiments/run_request.h"

namespace archgym::cli {
namespace {

// " (did you mean 'population'?)" over the options of the schemas given, or "".
std::string suggestion(const std::string& key, std::initializer_list<const Schema*> schemas) {
  std::vector<std::string> names;
  for (const Schema* schema : schemas)
    for (const auto& spec : schema->specs()) names.push_back(spec.name);
  return did_you_mean(key, names);
}

std::string keys_of(const Schema& schema) {
  std::string out;
  for (const auto& spec : schema.specs()) out += (out.empty() ? "" : ", ") + spec.name;
  return out.empty() ? "(none)" : out;
}

std::string trim(std::string s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

}  // namespace

void apply_set(const std::string& text, RunRequest& r) {
  const std::string flag = "--set " + text;
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw UsageError(flag + ": expected key=value (e.g. --set workload=stream)");
  std::string key = trim(text.substr(0, eq));
  const std::string value = trim(text.substr(eq + 1));
  const Schema& env = EnvRegistry::instance().get(r.spec.env).schema;
  const Schema& agent = AgentRegistry::instance().get(r.spec.agent).schema;

  enum class To { Either, Env, Agent } to = To::Either;
  if (key.rfind("env.", 0) == 0) { to = To::Env; key = key.substr(4); }
  else if (key.rfind("agent.", 0) == 0) { to = To::Agent; key = key.substr(6); }

  // Given twice on the command line is a mistake (as for --target); a --set still
  // overrides the config file.
  auto refuse_second = [&](const std::string& section) {
    if (const auto earlier = r.origin.find(section + "." + key);
        earlier != r.origin.end() && earlier->second.rfind("--set", 0) == 0)
      throw UsageError(flag + ": a second value for '" + key + "' (first: " + earlier->second + ")");
  };
  // Sets `key` in `section`'s options. Over the config file's value, the option's default
  // restores the default, as if the file had not set it: the env counts a given option as
  // given even at its default, so `--set workload=stream` could not otherwise switch a
  // file's trace workload to a `--set generator=...`.
  auto set_in = [&](const Schema& schema, std::map<std::string, std::string>& options, const std::string& section) {
    refuse_second(section);
    const std::string origin_key = section + "." + key;
    bool restores_default = false;
    if (r.origin.count(origin_key) && options.count(key)) {  // from the file (a second --set was refused)
      try {
        restores_default = schema.find(key)->parse(value, flag) == schema.find(key)->default_value;
      } catch (const std::exception&) {  // a bad value: refused with the other options later
      }
    }
    if (restores_default) options.erase(key);
    else options[key] = value;
    r.origin[origin_key] = flag;
  };
  const bool env_has = env.has(key), agent_has = agent.has(key);
  // Both have it: sending it to one of them silently would leave the other at its default.
  if (to == To::Either && env_has && agent_has)
    throw UsageError(flag + ": both env '" + r.spec.env + "' and agent '" + r.spec.agent + "' have an option '" +
                     key + "'; say which: --set env." + text.substr(text.find_first_not_of(" \t")) +
                     " or --set agent." + text.substr(text.find_first_not_of(" \t")));
  if (to == To::Env || (to == To::Either && env_has)) {
    if (!env_has)
      throw UsageError(flag + ": env '" + r.spec.env + "' has no option '" + key + "'" +
                       (agent_has ? "" : suggestion(key, {&env})) + (agent_has ? " (it is an option of agent '" + r.spec.agent + "': --set agent." + key + "=...)"
                                  : "") +
                       "; its options: " + keys_of(env));
    set_in(env, r.spec.env_options, "env_options");
  } else if (to == To::Agent || agent_has) {
    if (!agent_has)
      throw UsageError(flag + ": agent '" + r.spec.agent + "' has no option '" + key + "'" +
                       (env_has ? "" : suggestion(key, {&agent})) + (env_has ? " (it is an option of env '" + r.spec.env + "': --set env." + key + "=...)" : "") +
                       "; its options: " + keys_of(agent));
    set_in(agent, r.spec.agent_options, "agent_options");
  } else {
    throw UsageError(flag + ": unknown option '" + key + "'" + suggestion(key, {&env, &agent}) + "; env '" + r.spec.env +
                     "' options: " + keys_of(env) + "; agent '" + r.spec.agent +
                     "' options: " + keys_of(agent));
  }
}

const char* const kTargetAllowed = "a finite positive number of at least 2.2e-308, or off (no target on it)";

std::optional<double> parse_target(const std::string& text) {
  if (trim(text) == "off") return kTargetOff;
  const auto v = parse_real(text);  // "+1" is 1, as in YAML and --set
  if (!v || *v < std::numeric_limits<double>::min()) return std::nullopt;  // subnormal: metric / target overflows
  return v;
}

void apply_targets(const std::string& text, RunRequest& r) {
  std::size_t start = 0, items = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const std::string item = trim(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    start = comma == std::string::npos ? text.size() + 1 : comma + 1;
    if (item.empty()) continue;
    ++items;
    const std::string flag = "--target " + item;
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0)
      throw UsageError(flag + ": expected metric=value (e.g. --target power_W=1,latency_ms=0.1)");
    const std::string metric = trim(item.substr(0, eq));
    const std::string number = trim(item.substr(eq + 1));
    const auto v = parse_target(number);
    if (!v)
      throw UsageError(flag + ": the target of '" + metric + "' must be " + kTargetAllowed + ", got '" + number +
                       "'");
    if (const auto earlier = r.origin.find("targets." + metric);
        earlier != r.origin.end() && earlier->second.rfind("--target", 0) == 0)
      throw UsageError(flag + ": a second target for '" + metric + "' (first: " + earlier->second + ")");
    r.spec.targets[metric] = *v;
    r.origin["targets." + metric] = flag;
  }
  // `--target ''` (e.g. an unset shell variable) would set nothing and run on the env's
  // default targets as if it had.
  if (items == 0)
    throw UsageError("--target '" + text + "': no metric=value given (e.g. --target power_W=1,latency_ms=0.1); "
                     "leave --target out to use the env's default targets");
}

}  // namespace archgym::cli

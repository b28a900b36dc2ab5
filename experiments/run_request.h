#pragma once
// Everything `archgym run` was asked to do, gathered from the YAML config file and
// the command line (which overrides the file), with where each setting came from so
// an error can point at the file line or the flag that caused it.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/runner.h"

namespace archgym::cli {

struct RunRequest {
  RunSpec spec;
  std::string store = "archgym.db";
  // Setting -> where it was given: "run.yaml:3", "--set population=8", "--env".
  // Keys: "env", "agent", "budget", ..., "env_options.<k>", "agent_options.<k>", "targets.<m>".
  std::map<std::string, std::string> origin;

  // "run.yaml:3: " or "--budget: " (empty when the value is a default), for message prefixes.
  std::string where(const std::string& key) const;
};

// Reads a YAML run file into `request`: every key in the file overrides the value
// already in `request`. Throws UsageError naming file and line for a missing or
// malformed file, an unknown key or a value of the wrong type.
void load_run_config(const std::string& path, RunRequest& request);

// "--set key=value": goes to the env when the env's schema has the key, else to the
// agent; "env.key=value" / "agent.key=value" force one. Needs known env and agent names
// (check_names first). Throws UsageError listing both schemas' keys for an unknown key.
void apply_set(const std::string& text, RunRequest& request);
// "--target power_W=1,latency_ms=0.1": comma-separated metric=value pairs (value > 0).
// Throws UsageError for a malformed pair, a bad value or a list that names no target.
void apply_targets(const std::string& text, RunRequest& request);
// A target value as --target and a config's `targets` both read it: a number (a leading
// '+' allowed, as YAML reads numbers) of at least the smallest normal double, 2.2e-308
// (below it, metric / target would overflow); kTargetOff for "off"; nothing otherwise.
std::optional<double> parse_target(const std::string& text);
// What parse_target accepts, for messages: "a finite positive number ..., or off (...)".
extern const char* const kTargetAllowed;

// Throws UsageError when the env or agent name is not registered, listing the known ones.
void check_names(const RunRequest& request);
// Checks every setting against the registry by building the env and the agent once,
// so nothing touches the store before all input is known to be good.
void validate(const RunRequest& request);

// Top-level keys a run file may contain, in the order the messages list them.
const std::vector<std::string>& run_config_keys();

}  // namespace archgym::cli

// Validates a run request completely before anything touches the store: a bad
// name, option, target or budget must leave an existing store byte-identical.
#include <algorithm>
#include <filesystem>
#include <memory>
#include <new>

#include "core/objective.h"
#include "core/registry.h"
#include "core/runner.h"
#include "core/text.h"
#include "experiments/cli_error.h"
#include "experiments/run_request.h"

namespace archgym::cli {
namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out.empty() ? "(none registered)" : out;
}

// Each option alone, so the message carries the file line or flag that gave it.
void check_options(const Schema& schema, const std::map<std::string, std::string>& options,
                   const std::string& section, const std::string& owner, const RunRequest& r) {
  for (const auto& [key, value] : options) {
    const auto it = r.origin.find(section + "." + key);
    const std::string where = it == r.origin.end() ? owner : it->second;
    // E.g. a YAML env_options: {population: 8} for ga.
    const bool to_env = section == "env_options";
    const bool other_sets_it = (to_env ? r.spec.agent_options : r.spec.env_options).count(key) > 0;
    if (const std::string hint = other_side_hint(key, r.spec.env, r.spec.agent, to_env, other_sets_it); !hint.empty())
      throw UsageError(where + ": unknown option '" + key + "'" + hint +
                       (other_sets_it ? "" : to_env ? " (agent_options)" : " (env_options)"));
    try {
      schema.parse({{key, value}}, where);
    } catch (const std::exception& e) {
      // A file's options for its own env or agent, which a flag then replaced.
      const std::string component = to_env ? "env" : "agent";
      const auto chosen = r.origin.find(component);
      const bool replaced = it != r.origin.end() && it->second.rfind("--", 0) != 0 && chosen != r.origin.end() &&
                            chosen->second.rfind("--", 0) == 0;
      throw UsageError(std::string(e.what()) +
                       (replaced ? " (this file's " + section + " are for the " + component + " it names, which --" +
                                       component + " replaced: use a file for " + component + " '" +
                                       (to_env ? r.spec.env : r.spec.agent) + "', or give its options with --set)"
                                 : ""));
    }
  }
}

// Where a section's options were given ("run.yaml:7, run.yaml:8, --set"), for errors
// about several options at once (e.g. elitism must be below population); "" if none was.
// With `only`, where those options were given (all of the section's, if none of them was).
std::string given_at(const RunRequest& r, const std::string& section, const std::vector<std::string>& only = {}) {
  std::vector<std::string> places;
  for (const auto& [key, place] : r.origin) {
    if (key.rfind(section + ".", 0) != 0) continue;
    const bool named = only.empty() || std::find(only.begin(), only.end(), key.substr(section.size() + 1)) != only.end();
    if (named && std::find(places.begin(), places.end(), place) == places.end()) places.push_back(place);
  }
  if (places.empty() && !only.empty()) return given_at(r, section);
  // File lines in order (shorter first puts "f.yaml:9" before "f.yaml:10").
  std::sort(places.begin(), places.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  });
  std::string out;
  for (const auto& p : places) out += (out.empty() ? "" : ", ") + p;
  return out.empty() ? "" : out + ": ";
}

}  // namespace

void check_names(const RunRequest& r) {
  if (!EnvRegistry::instance().contains(r.spec.env))
    throw UsageError(r.where("env") + "unknown env '" + r.spec.env + "'" +
                     did_you_mean(r.spec.env, EnvRegistry::instance().names()) + "; known envs: " +
                     join(EnvRegistry::instance().names()));
  if (!AgentRegistry::instance().contains(r.spec.agent))
    throw UsageError(r.where("agent") + "unknown agent '" + r.spec.agent + "'" +
                     did_you_mean(r.spec.agent, AgentRegistry::instance().names()) + "; known agents: " +
                     join(AgentRegistry::instance().names()));
}

void validate(const RunRequest& r) {
  check_names(r);
  const auto& env_entry = EnvRegistry::instance().get(r.spec.env);
  const auto& agent_entry = AgentRegistry::instance().get(r.spec.agent);
  check_options(env_entry.schema, r.spec.env_options, "env_options", "env '" + r.spec.env + "'", r);
  check_options(agent_entry.schema, r.spec.agent_options, "agent_options",
                "agent '" + r.spec.agent + "'", r);

  if (r.spec.budget < 1) throw UsageError(r.where("budget") + "the budget must be at least 1 evaluation");
  // SQLite would open a device (and write a journal beside it, e.g. /dev/null-journal).
  std::error_code ec;
  if (std::filesystem::exists(r.store, ec) && !std::filesystem::is_regular_file(r.store, ec))
    throw UsageError(r.where("store") + "store " + r.store +
                     ": not a regular file (a directory, device or pipe); give the path of a store file");

  std::unique_ptr<Env> env;
  try {
    env = make_env(r.spec.env, r.spec.env_options);
  } catch (const std::bad_alloc&) {  // its what() is the bare "std::bad_alloc"
    throw UsageError(given_at(r, "env_options") +
                     "out of memory building the env: its inputs (a workload, a model) need more memory than "
                     "this process may use");
  } catch (const ComponentError&) {  // the env's code is at fault (a knob named 'seed'), not the options given
    throw;
  } catch (const OptionError& e) {
    throw UsageError(given_at(r, "env_options", e.options) + e.what());
  } catch (const std::exception& e) {
    throw UsageError(given_at(r, "env_options") + e.what());
  }

  if (!r.spec.formulation.empty()) {
    try {
      Objective::parse_formulation(r.spec.formulation);
    } catch (const std::exception& e) {
      throw UsageError(r.where("formulation") + e.what());
    }
  }
  const std::vector<std::string> metrics = env->metric_names();
  for (const auto& [metric, value] : r.spec.targets) {
    if (std::find(metrics.begin(), metrics.end(), metric) == metrics.end())
      throw UsageError(r.where("targets." + metric) + "env '" + r.spec.env + "' has no metric '" +
                       metric + "'; its metrics: " + join(metrics));
  }
  try {  // target values, and which ones are turned off
    run_objective(*env, r.spec.formulation, r.spec.targets);
  } catch (const TargetError& e) {  // where its metric's target was given
    throw UsageError(given_at(r, "targets", {e.metric}) + e.what());
  } catch (const std::exception& e) {  // e.g. every target turned off: where the targets were
    throw UsageError(given_at(r, "targets") + e.what());
  }

  try {
    make_agent(r.spec.agent, env->space(), r.spec.agent_options, r.spec.seed);
  } catch (const std::exception& e) {
    throw UsageError(given_at(r, "agent_options") + e.what());
  }
  try {
    check_agent_batch(r.spec.batch, r.spec.agent, agent_entry.schema.parse(r.spec.agent_options, ""));
  } catch (const std::invalid_argument& e) {
    throw UsageError(r.where("batch") + e.what());
  }
}

}  // namespace archgym::cli

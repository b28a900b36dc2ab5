// `archgym runs`: one line per run in the store.
#include <algorithm>
#include <cmath>
#include <iomanip>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "core/build_label.h"
#include "core/external_run.h"
#include "core/objective.h"
#include "core/process_identity.h"
#include "core/registry.h"
#include "core/runner.h"
#include "core/text.h"
#include "experiments/commands.h"
#include "experiments/shell_quote.h"

namespace archgym::cli {

namespace {

// The options a stored configuration sets away from their defaults, as name and value
// text; nothing when the schema does not read it (an option this build does not know).
std::optional<std::vector<std::pair<std::string, std::string>>> changed_options(const Schema& schema,
                                                                               const std::string& stored) {
  Options options;
  try {
    options = schema.parse_json(stored, "");
  } catch (const std::exception&) {
    return std::nullopt;
  }
  const Options defaults = schema.defaults();
  std::vector<std::pair<std::string, std::string>> changed;
  for (const auto& [name, value] : options.all())
    if (value != defaults.get(name)) changed.emplace_back(name, to_string(value));
  return changed;
}

// The options a run set away from their defaults, as `--set` takes them
// ("generator=random requests=200 population=6"; a value with spaces or quotes in single
// quotes, as a shell reads it), so that runs of one env and agent can be told apart; env
// options first. Options this build does not know are shown as stored.
std::string settings(const Schema& schema, const std::string& stored) {
  const auto changed = changed_options(schema, stored);
  if (!changed) return stored;
  std::string text;
  for (const auto& [name, value] : *changed) text += (text.empty() ? "" : " ") + name + "=" + shell_quote(value);
  return text;
}

// The same for a component of `registry` (an env or agent this build may not have).
template <class Registry>
std::string settings(const Registry& registry, const std::string& name, const std::string& stored) {
  return registry.contains(name) ? settings(registry.get(name).schema, stored) : stored;
}

std::string settings(const RunRecord& run) {
  const std::string env = settings(EnvRegistry::instance(), run.env, run.env_config);
  const std::string driver = external_driver(run);  // an external run: what picked its designs
  const std::string agent = driver.empty() ? settings(AgentRegistry::instance(), run.agent, run.agent_config)
                                           : "driver=" + shell_quote(driver);
  return env + (env.empty() || agent.empty() ? "" : " ") + agent;
}

// A run's targets as the flag gives them ("--target power_W=1,latency_ms=0.1"), and its
// formulation when `formulation_varies`. Shown only for runs of an env whose runs in the
// store do not all share one objective: only then does it tell them apart (a power-only run
// looked like the power-and-latency ones beside it).
std::string objective_setting(const std::string& stored, bool formulation_varies) {
  try {
    const Objective o = Objective::from_json(stored);
    std::string targets;
    for (const auto& t : o.targets()) targets += (targets.empty() ? "" : ",") + t.metric + "=" + format_double(t.value);
    return (formulation_varies ? "--formulation " + Objective::formulation_name(o.formulation()) + " " : "") +
           "--target " + shell_quote(targets);
  } catch (const std::exception&) {
    return "objective " + shell_quote(stored);
  }
}

// The run's best reward as shown ("-" before any valid evaluation); "?" with `why` set
// when its evaluations do not read (a damaged store), so that the other runs still show.
std::string shown_best_reward(const Store& store, std::int64_t run_id, std::string& why) {
  try {
    std::ostringstream text;
    if (const auto best = store.best_reward(run_id)) text << std::setprecision(6) << *best; else text << "-";
    return text.str();
  } catch (const std::runtime_error& e) {
    why = printable_line(e.what());
    return "?";
  }
}

// The `archgym run` command that repeats a run (without --store: the caller names one):
// the same env and agent options, reward, seed, budget, batch and stop rule give the same
// trajectory with the build that made it. Empty, with `why` set, when the command line
// cannot say so (an external run, a component or option this build lacks, a reward the
// flags cannot express).
std::string repeat_command(const RunRecord& run, std::string& why) {
  if (!external_driver(run).empty()) {
    why = "its designs were picked outside archgym (driver " + external_driver(run) + "): rerun that";
    return "";
  }
  const EnvRegistry& envs = EnvRegistry::instance();
  const AgentRegistry& agents = AgentRegistry::instance();
  if (!envs.contains(run.env) || !agents.contains(run.agent)) {
    why = "this build has no " + std::string(envs.contains(run.env) ? "agent '" + run.agent : "env '" + run.env) + "'";
    return "";
  }
  const auto env_set = changed_options(envs.get(run.env).schema, run.env_config);
  const auto agent_set = changed_options(agents.get(run.agent).schema, run.agent_config);
  if (!env_set || !agent_set) {
    why = "this build does not read the run's " + std::string(env_set ? "agent" : "env") + " options";
    return "";
  }
  // The reward as overrides of the env's default (which building the env gives), checked
  // by building it again from them.
  std::string formulation, targets;
  try {
    const Objective recorded = Objective::from_json(run.objective);
    const auto env = rebuild_env(run.env, run.env_config, "");
    const Objective base = env->default_objective();
    std::map<std::string, double> overrides;
    for (const Target& t : base.targets()) overrides[t.metric] = kTargetOff;
    for (const Target& t : recorded.targets()) overrides[t.metric] = t.value;
    for (const Target& t : base.targets())
      if (overrides[t.metric] == t.value) overrides.erase(t.metric);
    if (recorded.formulation() != base.formulation())
      formulation = Objective::formulation_name(recorded.formulation());
    if (run_objective(*env, formulation, overrides).to_json() != run.objective) {
      why = "its reward (" + run.objective + ") is not one the command line's --target and --formulation give";
      return "";
    }
    for (const auto& [metric, value] : overrides)
      targets += (targets.empty() ? "" : ",") + metric + "=" + (std::isnan(value) ? "off" : format_double(value));
  } catch (const std::exception& e) {
    why = "its env cannot be built here to check the reward (" + std::string(e.what()) + ")";
    return "";
  }
  std::string command = "archgym run --env " + shell_quote(run.env) + " --agent " + shell_quote(run.agent) +
                        " --budget " + std::to_string(run.budget) + " --seed " + std::to_string(run.seed);
  for (const auto& [name, value] : *env_set) command += " --set " + shell_quote("env." + name + "=" + value);
  for (const auto& [name, value] : *agent_set) command += " --set " + shell_quote("agent." + name + "=" + value);
  if (!formulation.empty()) command += " --formulation " + formulation;
  if (!targets.empty()) command += " --target " + shell_quote(targets);
  command += " --batch " + std::to_string(run.batch);
  if (!run.stop_on_target) command += " --no-stop-on-target";
  return command;
}

}  // namespace

void runs_command(const std::string& store_path, std::ostream& out) {
  auto store = open_existing_store(store_path);
  const std::vector<std::string> header = {"id",          "env",         "agent",   "seed", "status",
                                           "evaluations", "best_reward", "settings"};
  std::vector<std::vector<std::string>> rows;
  const std::vector<RunRecord> runs = store->runs();
  std::map<std::string, std::set<std::string>> objectives, formulations;  // by env
  for (const RunRecord& run : runs) {
    objectives[run.env].insert(run.objective);
    try {
      formulations[run.env].insert(Objective::formulation_name(Objective::from_json(run.objective).formulation()));
    } catch (const std::exception&) {  // shown as stored (objective_setting)
    }
  }
  std::vector<std::string> unreadable;  // runs whose rows a damaged store cannot give
  for (const RunRecord& run : runs) {
    std::string why;
    const std::string reward = shown_best_reward(*store, run.id, why);
    if (!why.empty()) unreadable.push_back("run " + std::to_string(run.id) + ": " + why);
    std::string shown_settings = settings(run);
    if (objectives[run.env].size() > 1)
      shown_settings += (shown_settings.empty() ? "" : " ") +
                        objective_setting(run.objective, formulations[run.env].size() > 1);
    // Every text cell as one safe line: anyone who could write the store wrote them (a
    // newline split the row, an escape sequence coloured the terminal).
    rows.push_back({std::to_string(run.id), printable(run.env), printable(run.agent), std::to_string(run.seed),
                    printable(store->observed_status(run)), std::to_string(run.evaluations), reward,
                    printable(shown_settings)});
  }
  std::vector<std::size_t> width(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) {
    width[c] = header[c].size();
    for (const auto& r : rows) width[c] = std::max(width[c], r[c].size());
  }
  auto print = [&](const std::vector<std::string>& r) {
    std::ostringstream line;
    for (std::size_t c = 0; c < r.size(); ++c)
      if (c + 1 < r.size()) line << std::left << std::setw(static_cast<int>(width[c])) << r[c] << "  ";
      else line << r[c];
    std::string text = line.str();
    text.erase(text.find_last_not_of(' ') + 1);  // no padding after an empty last column
    out << text << "\n";
  };
  print(header);
  for (const auto& r : rows) print(r);
  if (rows.empty()) out << "(no runs in " << store_path << ")\n";
  // Why a run failed does not fit a column.
  for (const RunRecord& run : runs)
    if (run.status == "failed" && !run.message.empty())
      out << "run " << run.id << " failed: " << printable_line(run.message) << "\n";  // may come from anyone
  for (const std::string& line : unreadable) out << line << "\n";
  if (!unreadable.empty())
    out << "the evaluations of " << unreadable.size() << " run(s) do not read (a damaged store?): export the others "
        << "(archgym export --store " << printable_line(store_path) << " --run N), or recover what reads into a new "
        << "store (" << store_recovery_command(printable_line(store_path)) << ")\n";
}

void run_record_command(const std::string& store_path, std::int64_t run_id, std::ostream& out) {
  auto store = open_existing_store(store_path);
  const RunRecord run = require_run(*store, run_id);
  std::string why;
  std::string best = shown_best_reward(*store, run.id, why);
  if (!why.empty()) best += " (its evaluations do not read: " + why + ")";
  const std::string driver = external_driver(run);
  // Every field as one safe line (anyone who could write the store wrote them).
  auto line = [&](const std::string& name, const std::string& value) {
    out << "  " << std::left << std::setw(15) << name << printable_line(value) << "\n";
  };
  out << "run " << run.id << " of " << printable_line(store_path) << "\n";
  line("status", store->observed_status(run) + (run.message.empty() ? "" : ": " + run.message));
  line("evaluations", std::to_string(run.evaluations) + " of a budget of " + std::to_string(run.budget) +
                          ", best reward " + best);
  line("env", run.env + " " + run.env_config);
  line("agent", driver.empty() ? run.agent + " " + run.agent_config
                               : run.agent + " (driver " + driver + ", designs picked outside archgym)");
  const std::string set = settings(run);
  line("settings", set.empty() ? "(all defaults)" : set);
  line("reward", run.objective);
  line("seed", std::to_string(run.seed));
  line("batch", std::to_string(run.batch) + " designs per ask");
  line("stop on target", run.stop_on_target ? "yes" : "no");
  line("input files", run.inputs.empty() ? "(not recorded: an older build)" : run.inputs);
  line("made by", build_label(run.version, run.git_commit));
  std::string why_not;
  const std::string repeat = repeat_command(run, why_not);
  // A new store of the user's choosing: a repeat appended to this one would be a second
  // run that any listing mixes with the first.
  line("to repeat", repeat.empty() ? "(no command: " + why_not + ")" : repeat + " --store NEW.db");
  line("started", run.started_at);
  line("updated", run.updated_at);
  if (!run.finished_at.empty()) line("finished", run.finished_at);
  if (const auto claim = store->run_claim(run.id)) line("claimed by", describe(claim->owner) + " since " + claim->claimed_at);
}

}  // namespace archgym::cli

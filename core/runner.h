#pragma once
// Drives an agent against an env for a budget: asks a batch, evaluates it on a
// thread pool, scores it, logs every evaluation to the store as it completes,
// tells the agent, and stops on budget, when the agent is finished, or when the
// target is met. The batch size is fixed per run (not the worker count), so the
// same seed gives the same trajectory with any number of workers.
//
// Failures: an env that throws, or a design outside the space (bad value, broken
// constraint), is recorded as an invalid evaluation with the message and scored
// Objective::invalid_reward(); the agent is told and the run goes on.
//
// Signal safety: each evaluation is committed to the store (its own transaction,
// WAL journal) the moment it completes, so SIGKILL or Ctrl-C at any point loses at
// most the evaluations in flight; resume() redoes exactly those. No signal handler
// is installed: a killed run simply stays "running" in the store until resumed.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/agent.h"
#include "core/env.h"
#include "core/objective.h"
#include "core/store.h"

namespace archgym {

// Everything needed to (re)create a run from the registry.
struct RunSpec {
  std::string env = "dram";
  std::map<std::string, std::string> env_options;
  std::string agent = "random_walk";
  std::map<std::string, std::string> agent_options;
  std::map<std::string, double> targets;   // overrides of the env's default targets
  std::string formulation;                  // empty = the env's default
  std::uint64_t seed = 1;
  std::uint64_t budget = 100;
  std::uint64_t batch = 0;                  // 0 = the agent's preferred batch
  unsigned workers = 0;                     // 0 = hardware concurrency
  bool stop_on_target = true;
  bool progress = true;                     // progress bar on stderr
};

struct Step {
  std::int64_t index = 0;
  Design design;
  Evaluation evaluation;
  double reward = 0;
};

struct RunResult {
  std::int64_t run_id = 0;                  // 0 when run without a store
  std::vector<Step> trajectory;             // in index order
  std::int64_t best_index = -1;             // -1 when nothing valid was found
  bool target_met = false;
  std::string status;
  double wall_seconds = 0;
  const Step* best() const { return best_index < 0 ? nullptr : &trajectory[best_index]; }
};

// Called after each batch: evaluations done, budget, best reward so far.
using ProgressCallback = std::function<void(std::uint64_t done, std::uint64_t budget, double best_reward)>;

class Runner {
 public:
  // Low level: any env, agent, objective; store optional (run_id 0 if none). batch 0 =
  // the agent's preferred batch; workers 0 = hardware concurrency. With `replay`, rows
  // already stored for an index are used instead of evaluating; a design that differs
  // from the stored one throws ("cannot be resumed ... the agent diverged").
  // Status: "target_met" when stop_on_target stopped it, else "finished".
  static RunResult run(const Env& env, Agent& agent, const Objective& objective,
                       std::uint64_t budget, std::uint64_t batch, unsigned workers,
                       bool stop_on_target, Store* store = nullptr, std::int64_t run_id = 0,
                       const std::vector<EvaluationRecord>* replay = nullptr,
                       ProgressCallback progress = {});

  // From the registry: validates everything before touching the store (bad input leaves
  // it untouched), records the run (seed, configs, version, commit) and runs it. Targets
  // override the env's default ones or add metrics to them (an unknown metric throws
  // listing the env's metrics). A run that throws is marked "failed" with the message.
  static RunResult run(const RunSpec& spec, Store* store);
  // Continues a killed or interrupted run: replays the stored evaluations through a
  // freshly seeded agent (no re-simulation) and evaluates only what is missing.
  static RunResult resume(Store& store, std::int64_t run_id, unsigned workers = 0,
                          bool progress = true);
};

}  // namespace archgym

#pragma once
// Drives an agent against an env for a budget: asks a batch, evaluates it on a
// thread pool, scores it, logs every evaluation to the store as it completes,
// tells the agent, and stops on budget, when the agent is finished, or when the
// target is met. The batch size is fixed per run (not the worker count), so the
// same seed gives the same trajectory with any number of workers. Envs are
// deterministic, so a design the run already evaluated is not simulated again: its
// row repeats the earlier metrics and reward with sim_seconds 0.
//
// Failures: an env that throws, or a design outside the space (bad value, broken
// constraint), is recorded as an invalid evaluation with the message and scored
// Objective::invalid_reward(); the agent is told and the run goes on.
//
// Signal safety: each evaluation is committed to the store (its own transaction,
// WAL journal) the moment it completes, so SIGKILL at any point loses at most the
// evaluations in flight; resume() redoes exactly those, and a killed run stays
// "running" in the store until resumed. No signal handler lives here: a caller that
// wants a graceful stop (the CLI on Ctrl-C, the Python binding on KeyboardInterrupt)
// passes a StopRequested check, polled between batches. When it says stop, the batch
// in flight is finished, stored and told to the agent, no new batch is asked, and the
// run ends with status "interrupted"; resume() continues it to the same trajectory.
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/agent.h"
#include "core/env.h"
#include "core/objective.h"
#include "core/store.h"

namespace archgym {

// A target value that drops the env's default target on that metric (CLI and YAML `off`,
// Python None): ArchGym's power-only reward on the DRAM env is latency_ms off.
inline constexpr double kTargetOff = std::numeric_limits<double>::quiet_NaN();

// The objective a run of `env` scores with: the env's default one (its weights, tolerance
// and caps kept), under `formulation` unless empty, with `targets` replacing its target
// values or adding metrics at weight 1, and dropping those given kTargetOff. Throws for a
// metric the env does not have (Objective::check_metrics), for an invalid target value, for
// turning off a metric with no target and for turning off every target. The gymnasium envs
// use it too, so a run and a gym episode score alike.
Objective run_objective(const Env& env, const std::string& formulation, const std::map<std::string, double>& targets);
// The same for a run of registry env `env_name`: a target naming a metric the env lacks
// throws naming the env and the closest metric.
Objective run_objective(const Env& env, const std::string& env_name, const std::string& formulation,
                        const std::map<std::string, double>& targets);

// The row a run stores for one evaluation; the second form takes the design as its JSON
// (DesignSpace::to_json), for a caller that has it already.
EvaluationRecord evaluation_record(std::int64_t run_id, std::int64_t index, const DesignSpace& space,
                                   const Design& design, const Evaluation& evaluation, double reward);
EvaluationRecord evaluation_record(std::int64_t run_id, std::int64_t index, std::string design_json,
                                   const Evaluation& evaluation, double reward);
// The part of a new run's record that comes from its env: name, options, objective, input
// files' digests, version and commit (the caller adds agent, seed, budget). An option that
// names an input file by a relative path (its value is the file's path, see InputFile::role)
// is recorded as the absolute path it named, so the run resumes, exports and trains proxies
// from any directory.
RunRecord env_run_record(const std::string& env_name, const Options& env_options, const Env& env,
                         const Objective& objective);

// An agent option named batch is its designs per ask, which a run's batch (when not 0)
// overrides: throws std::invalid_argument when both were given and differ, since the run
// would record an agent setting that did nothing.
void check_agent_batch(std::uint64_t batch, const std::string& agent, const Options& agent_options);

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
  std::uint64_t batch = 0;                  // 0 = the agent's preferred batch; at most kMaxBatch
  unsigned workers = 0;                     // 0 = hardware concurrency; at most kMaxWorkers
  bool stop_on_target = true;
  bool progress = true;                     // progress bar on stderr
  bool keep_trajectory = true;              // see RunResult::trajectory
};

struct Step {
  std::int64_t index = 0;
  Design design;
  Evaluation evaluation;
  double reward = 0;
};

struct RunResult {
  std::int64_t run_id = 0;                  // 0 when run without a store
  std::vector<std::string> knobs;           // the env's knob names, in its space's order
  std::uint64_t evaluations = 0;            // steps of the run, replayed ones included
  // Every step in index order, unless the run was asked not to keep them (keep_trajectory
  // false): a long run that a store records row by row then holds only the few steps below
  // and one hash per design in memory, however many evaluations it makes.
  std::vector<Step> trajectory;
  std::optional<Step> best_step;            // the first of the highest reward among valid steps
  std::optional<Step> first_target_met;     // the first valid step whose design met the target
  bool target_met = false;
  std::string status;
  double wall_seconds = 0;
  const Step* best() const { return best_step ? &*best_step : nullptr; }
  std::int64_t best_index() const { return best_step ? best_step->index : -1; }  // -1: nothing valid
};

// The stored rows a resumed run replays, read a batch at a time: a run of millions of rows
// is never held whole.
class StoredRows {
 public:
  virtual ~StoredRows() = default;
  virtual Store::EvaluationSpan span() const = 0;
  // The rows with an index in [first, end), by index.
  virtual std::vector<EvaluationRecord> rows(std::int64_t first, std::int64_t end) const = 0;
};

// A run's rows in a store. The span is read once, when first asked: a resume asks three
// times before it adds rows, and each count walks the run's index (millions of rows).
class RowsInStore : public StoredRows {
 public:
  RowsInStore(const Store& store, std::int64_t run_id) : store_(store), run_id_(run_id) {}
  Store::EvaluationSpan span() const override {
    if (!span_) span_ = store_.evaluation_span(run_id_);
    return *span_;
  }
  std::vector<EvaluationRecord> rows(std::int64_t first, std::int64_t end) const override {
    return store_.evaluations(run_id_, first, end);
  }

 private:
  const Store& store_;
  std::int64_t run_id_;
  mutable std::optional<Store::EvaluationSpan> span_;
};

// Rows held in memory (sorted by index, distinct indices), e.g. some of a store's.
class RowsInMemory : public StoredRows {
 public:
  explicit RowsInMemory(std::vector<EvaluationRecord> rows);
  Store::EvaluationSpan span() const override;
  std::vector<EvaluationRecord> rows(std::int64_t first, std::int64_t end) const override;

 private:
  std::vector<EvaluationRecord> rows_;
};

// Largest batch: the runner allocates a batch's designs up front, so a huge one would
// fail with out-of-memory after the run was created; even the GA's largest population
// (1024) is far below it. Runner::run refuses more (every front end: CLI, YAML, Python).
inline constexpr std::uint64_t kMaxBatch = 65536;
// Most parallel evaluations (threads) a run may ask for; far above any core count.
inline constexpr unsigned kMaxWorkers = 4096;

// Called after each batch: evaluations done, budget, best reward so far.
using ProgressCallback = std::function<void(std::uint64_t done, std::uint64_t budget, double best_reward)>;
// Polled on the calling thread before each batch is asked; true ends the run
// ("interrupted"). Must be cheap; a signal handler should only set a flag it reads.
using StopRequested = std::function<bool()>;

class Runner {
 public:
  // Low level: any env, agent, objective; store optional (without one, run_id only names
  // the run in messages); claims nothing. batch 0 = the agent's preferred batch; workers
  // 0 = hardware concurrency. With `replay`, rows
  // already stored for an index are used instead of evaluating; a design that differs
  // from the stored one throws ("cannot be resumed ... the agent diverged").
  // keep_trajectory false: the result has no trajectory (see RunResult); a repeated design
  // is then answered from its row in `store`, else in `replay`, else from memory.
  // Status: "target_met" when stop_on_target stopped it, "interrupted" when
  // stop_requested did before the run was complete, else "finished".
  static RunResult run(const Env& env, Agent& agent, const Objective& objective,
                       std::uint64_t budget, std::uint64_t batch, unsigned workers,
                       bool stop_on_target, Store* store = nullptr, std::int64_t run_id = 0,
                       const StoredRows* replay = nullptr, ProgressCallback progress = {},
                       StopRequested stop_requested = {}, bool keep_trajectory = true);

  // From the registry: validates everything before touching the store (bad input leaves
  // it untouched), records the run (seed, configs, version, commit) and runs it, holding
  // the store's claim on it (Store::claim_run) until it ends. Targets
  // override the env's default ones or add metrics to them (an unknown metric throws
  // listing the env's metrics). A run that throws is marked "failed" with the message.
  // An interrupted run is marked "interrupted" in the store.
  static RunResult run(const RunSpec& spec, Store* store, StopRequested stop_requested = {});
  // Throws what run(spec, ...) would refuse before storing the run (bad names, options,
  // targets, budget); nothing else. A caller that creates the store file for the run
  // checks first, so that a refused run leaves no file behind.
  static void check(const RunSpec& spec);
  // Continues a killed ("running") or interrupted run: replays the stored evaluations
  // through a freshly seeded agent (no re-simulation) and evaluates only what is missing.
  // An interrupt takes effect after the stored rows are replayed. A run that has ended
  // ("finished", "target_met") is replayed only, and the store is not written at all.
  // Refuses, before touching the run, a run another live process is running (see
  // Store::claim_run); `force` takes it over anyway (for a process on another host that
  // is known to be gone). The stored rows are read a batch at a time, as they are replayed.
  static RunResult resume(Store& store, std::int64_t run_id, unsigned workers = 0,
                          bool progress = true, StopRequested stop_requested = {}, bool force = false,
                          bool keep_trajectory = true);
};

}  // namespace archgym

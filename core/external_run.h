#pragma once
// A run whose designs a search outside archgym's agents picks: a Python loop (an Optuna
// study, a hand-written sweep) or an RL library stepping the gymnasium env. Every
// evaluation it reports is stored as the runner stores its own (design, metrics, reward
// under the run's objective, validity, simulator time), one transaction each, so the run
// is listed, exported, plotted and used to train proxy models like any other, and a killed
// process loses nothing already reported.
//
// In the store its agent is "external" and its agent_config names the driver
// ({"driver": "optuna-tpe"}); seed is the driver's own, for the record; budget 0 (open
// ended); batch 1. archgym cannot continue such a run (the search lives elsewhere), so
// Runner::resume refuses it and says so; start another external run to go on.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/env.h"
#include "core/objective.h"
#include "core/runner.h"
#include "core/store.h"

namespace archgym {

// The agent name of external runs; no registered agent may take it.
inline constexpr const char* kExternalAgent = "external";

// The driver an external run's record names ("" if the record is not one, or names none).
std::string external_driver(const RunRecord& run);
// Throws std::invalid_argument unless `driver` is one line of UTF-8 text, 1-200 bytes.
void check_external_driver(const std::string& driver);
// Why Runner::resume refuses an external run, for its message.
std::string external_run_cannot_resume(const RunRecord& run);

struct ExternalRunSpec {
  std::string env = "dram";
  std::map<std::string, std::string> env_options;
  std::map<std::string, double> targets;  // overrides of the env's default targets
  std::string formulation;                // empty = the env's default
  std::uint64_t seed = 0;                 // the driver's seed, recorded as given
  std::string driver = "python";          // what picks the designs (non-empty, one line)
};

class ExternalRun {
 public:
  // Builds and checks the env and objective as Runner::run does (bad input leaves the store
  // untouched), then creates the run, status "running", claimed by this process.
  ExternalRun(std::shared_ptr<Store> store, const ExternalRunSpec& spec);
  // Throws what the constructor would refuse before creating the run; nothing else. A
  // caller that creates the store file for the run checks first, so that a refused run
  // leaves no file behind.
  static void check(const ExternalRunSpec& spec);
  // On an env already built (the gymnasium env's) from `env_options` of registry env
  // `env_name`, scoring with `objective`. The record (options with input files' absolute
  // paths, their digests) is taken now, from the files the env read; the run is created in
  // the store by the first evaluation stored, with the seed set_seed() gave (0 if none).
  struct Deferred {};
  ExternalRun(std::shared_ptr<Store> store, const std::string& env_name, const Options& env_options,
              std::shared_ptr<const Env> env, Objective objective, const std::string& driver, Deferred);
  // Ends a run still open as "finished" (every evaluation was stored as it came); never
  // throws. In a forked child (see evaluate) it leaves the parent's run alone.
  ~ExternalRun();
  ExternalRun(const ExternalRun&) = delete;
  ExternalRun& operator=(const ExternalRun&) = delete;

  // The seed to record, before the run is created (std::logic_error after).
  void set_seed(std::uint64_t seed);

  // Simulates `design` (evaluate_checked: a broken constraint or a simulator failure is an
  // invalid evaluation), scores it and stores it as the run's next evaluation. A design the
  // run evaluated before is not simulated again: its row repeats the first evaluation with
  // sim_seconds 0, as in archgym's own runs (memory: well under 1 kB per distinct design).
  // Thread-safe; rows are numbered in the order evaluations complete. A knob value outside
  // the space throws std::invalid_argument and stores nothing. Only the process that made
  // the run may add to it: a forked child gets std::logic_error (one run per process).
  Step evaluate(const Design& design);
  // Stores an evaluation made elsewhere (the gymnasium view simulates itself), scored by
  // the run's objective.
  Step record(const Design& design, const Evaluation& evaluation);
  // Ends the run: "finished" (the driver is done), "interrupted" (stopped on request) or
  // "failed" (with `message`). Then evaluate() and record() throw std::logic_error. A
  // deferred run that stored nothing ends without ever appearing in the store; in a forked
  // child only the child's copy ends (the run stays its parent's). If the status cannot be
  // stored (disk full), throws and the run stays open: finish() can be called again.
  void finish(const std::string& status = "finished", const std::string& message = "");

  // 0 until the run exists in the store (a deferred run before its first evaluation).
  std::int64_t run_id() const;
  const Env& env() const { return *env_; }
  const Objective& objective() const { return objective_; }
  bool open() const;
  std::uint64_t evaluations() const;

 private:
  struct Prepared;
  // What evaluate() remembers of a design's first evaluation: metric values in
  // metric_names() order (a valid evaluation has exactly those), not a map per design.
  struct Remembered {
    std::vector<double> metrics;
    bool valid = true;
    std::string invalid_reason;
  };
  static Prepared prepare(const ExternalRunSpec& spec);
  void take_record(const std::string& env_name, const Options& env_options, const std::string& driver);
  std::unique_lock<std::mutex> lock() const;  // mutex_, except in a forked child (not held)
  void create();  // holds mutex_
  void check_usable(const char* what) const;  // holds mutex_
  Step store_next(const Design& design, Evaluation evaluation);  // holds mutex_

  std::shared_ptr<Store> store_;
  std::shared_ptr<const Env> env_;
  Objective objective_;
  std::vector<std::string> metric_names_;
  RunRecord record_;        // written by create()
  long creator_pid_ = 0;    // the process that may add to the run
  std::int64_t run_id_ = 0;
  mutable std::mutex mutex_;
  bool open_ = true;
  std::int64_t next_index_ = 0;
  std::map<std::vector<Value>, Remembered> evaluated_;  // evaluate()'s designs -> their first evaluation
};

}  // namespace archgym

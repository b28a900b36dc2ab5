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
  // `env_name`, scoring with `objective`.
  ExternalRun(std::shared_ptr<Store> store, const std::string& env_name, const Options& env_options,
              std::shared_ptr<const Env> env, Objective objective, std::uint64_t seed, const std::string& driver);
  // Ends a run still open as "finished" (every evaluation was stored as it came); never throws.
  ~ExternalRun();
  ExternalRun(const ExternalRun&) = delete;
  ExternalRun& operator=(const ExternalRun&) = delete;

  // Simulates `design` (evaluate_checked: a broken constraint or a simulator failure is an
  // invalid evaluation), scores it and stores it as the run's next evaluation. A design the
  // run evaluated before is not simulated again: its row repeats the first evaluation with
  // sim_seconds 0, as in archgym's own runs. Thread-safe; rows are numbered in the order
  // evaluations complete.
  Step evaluate(const Design& design);
  // Stores an evaluation made elsewhere (the gymnasium view simulates itself), scored by
  // the run's objective.
  Step record(const Design& design, const Evaluation& evaluation);
  // Ends the run: "finished" (the driver is done), "interrupted" (stopped on request) or
  // "failed" (with `message`). Then evaluate() and record() throw std::logic_error.
  void finish(const std::string& status = "finished", const std::string& message = "");

  std::int64_t run_id() const { return run_id_; }
  const Env& env() const { return *env_; }
  const Objective& objective() const { return objective_; }
  bool open() const;
  std::uint64_t evaluations() const;

 private:
  struct Prepared;
  static Prepared prepare(const ExternalRunSpec& spec);
  void start(const std::string& env_name, const Options& env_options, std::uint64_t seed, const std::string& driver);
  Step store_next(const Design& design, Evaluation evaluation);  // holds mutex_

  std::shared_ptr<Store> store_;
  std::shared_ptr<const Env> env_;
  Objective objective_;
  std::int64_t run_id_ = 0;
  mutable std::mutex mutex_;
  bool open_ = false;
  std::int64_t next_index_ = 0;
  std::map<std::vector<Value>, Evaluation> evaluated_;  // design -> its first evaluation
};

}  // namespace archgym

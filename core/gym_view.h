#pragma once
// The gymnasium view of an env: one step evaluates one design (the action) and
// observes its metrics. Terminated when the objective's target is met, truncated
// after `episode_length` steps.
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/env.h"
#include "core/external_run.h"
#include "core/objective.h"
#include "core/rng.h"

namespace archgym {

struct StepOutcome {
  std::vector<double> observation;  // metrics in metric_names() order (0 for invalid designs)
  double reward = 0;
  bool terminated = false;
  bool truncated = false;
  Evaluation evaluation;            // raw metrics and validity (gym's info)
  Design design;
};

// Safe to use from several threads (steps then simulate side by side, each counted once).
class GymView {
 public:
  GymView(std::shared_ptr<const Env> env, Objective objective, std::uint64_t episode_length = 1);
  GymView(const GymView&) = delete;
  GymView& operator=(const GymView&) = delete;
  // Starts an episode by evaluating the env's default design (not counted as a step): the
  // outcome's observation, evaluation and design are the default design's; reward and flags
  // are not set. The design is simulated at the first reset only (envs are deterministic;
  // again if that reset could not be stored); later ones repeat its evaluation with
  // sim_seconds 0.
  StepOutcome reset(std::uint64_t seed);
  // Throws std::logic_error before reset() and after the episode was truncated.
  // With record_to, a reset or step whose evaluation cannot be stored (disk full, an I/O
  // error) throws, and the view is as before it: no step counted, no episode started, so
  // it can be taken again. Steps count when stored; the one that completes the episode is
  // truncated.
  StepOutcome step(const Design& action);
  StepOutcome step_indices(const std::vector<std::size_t>& action);
  // A uniform random action from the generator reset(seed) seeded.
  Design sample_action();
  // From now on every evaluation (reset's default design, each step) is also stored as
  // the next evaluation of `run` (made on this view's env and objective).
  void record_to(std::shared_ptr<ExternalRun> run);
  const Env& env() const { return *env_; }
  const Objective& objective() const { return objective_; }
  std::uint64_t steps() const;  // steps of this episode taken and stored

 private:
  std::shared_ptr<const Env> env_;
  Objective objective_;
  std::uint64_t episode_length_;
  std::uint64_t steps_ = 0;      // of this episode, done (stored)
  std::uint64_t in_flight_ = 0;  // of this episode, being simulated or stored
  std::uint64_t episode_ = 0;    // resets so far: a step tells whether its episode is still on
  bool started_ = false;
  Rng rng_;
  std::shared_ptr<ExternalRun> run_;
  std::optional<Evaluation> default_evaluation_;  // reset()'s, after the first
  // Guards the episode's state (steps_, in_flight_, episode_, started_, rng_,
  // default_evaluation_): threads stepping one view got more steps than the episode length
  // and several truncations.
  // Never held while simulating or storing, so a forked child never inherits it held.
  mutable std::mutex mutex_;
  std::vector<double> observe(const Evaluation& e) const;
};

}  // namespace archgym

#include "core/gym_view.h"

#include <stdexcept>

namespace archgym {

GymView::GymView(std::shared_ptr<const Env> env, Objective objective, std::uint64_t episode_length)
    : env_(std::move(env)), objective_(std::move(objective)), episode_length_(episode_length) {
  if (!env_) throw std::invalid_argument("gym view: no env given");
  if (episode_length_ == 0) throw std::invalid_argument("gym view: episode_length must be at least 1");
  objective_.check_metrics(env_->metric_names());
}

std::vector<double> GymView::observe(const Evaluation& e) const {
  std::vector<double> out;
  for (const auto& name : env_->metric_names()) {
    auto it = e.metrics.find(name);
    out.push_back(e.valid && it != e.metrics.end() ? it->second : 0.0);
  }
  return out;
}

namespace {

// Stores an evaluation of the view through `run`. A store that fails (disk full, an I/O
// error) throws saying what became of the reset or step: nothing.
void store(ExternalRun& run, const StepOutcome& out, bool step) {
  try {
    run.record(out.design, out.evaluation);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(
        std::string("gym view: the ") + (step ? "step" : "reset") + "'s evaluation could not be stored (" + e.what() +
        (step ? "), so the step did not count: the episode is as it was before it"
              : "), so no episode started: the view is as it was before it") +
        "; take the " + (step ? "step" : "reset") + " again, or close");
  }
}

}  // namespace

StepOutcome GymView::reset(std::uint64_t seed) {
  StepOutcome out;
  out.design = env_->default_design();
  // Simulating and storing happen outside the lock, as in step(): a process forked
  // meanwhile (a multiprocessing worker) would inherit the mutex held and wait forever.
  std::optional<Evaluation> known;
  std::shared_ptr<ExternalRun> run;
  {
    const std::lock_guard lock(mutex_);
    known = default_evaluation_;
    run = run_;
  }
  if (known) {
    out.evaluation = *known;
    out.evaluation.sim_seconds = 0;  // envs are deterministic: nothing was simulated this time
  } else {
    out.evaluation = evaluate_checked(*env_, out.design);
  }
  // Stored before the episode starts: a reset that cannot be stored leaves the previous
  // episode (or none) as it was.
  if (run) store(*run, out, false);
  {
    const std::lock_guard lock(mutex_);
    if (!default_evaluation_) default_evaluation_ = out.evaluation;
    rng_ = Rng(seed);
    steps_ = 0;
    in_flight_ = 0;
    ++episode_;
    started_ = true;
  }
  out.observation = observe(out.evaluation);
  return out;
}

StepOutcome GymView::step(const Design& action) {
  std::uint64_t episode;
  std::shared_ptr<ExternalRun> run;
  {
    const std::lock_guard lock(mutex_);
    if (!started_) throw std::logic_error("gym view: call reset() before step()");
    if (steps_ >= episode_length_)
      throw std::logic_error("gym view: the episode ended after " + std::to_string(episode_length_) +
                             " steps; call reset() to start another");
    // Steps on other threads may still fail and not count: until then the episode is full.
    if (steps_ + in_flight_ >= episode_length_)
      throw std::logic_error("gym view: the episode's remaining " + std::to_string(in_flight_) +
                             " step(s) are being taken by other threads (" + std::to_string(steps_) + " of " +
                             std::to_string(episode_length_) + " done)");
    ++in_flight_;  // reserved before simulating: threads never take more steps than the episode has
    episode = episode_;
    run = run_;
  }
  StepOutcome out;
  out.design = action;
  try {
    out.evaluation = evaluate_checked(*env_, action);
    if (run) store(*run, out, true);
  } catch (...) {
    const std::lock_guard lock(mutex_);
    if (episode_ == episode) --in_flight_;  // the step never happened
    throw;
  }
  // A step counts once stored; the one completing the episode is truncated. A step whose
  // episode a reset ended meanwhile counts in none.
  std::uint64_t step_number = 0;
  {
    const std::lock_guard lock(mutex_);
    if (episode_ == episode) {
      --in_flight_;
      step_number = ++steps_;
    }
  }
  const Score s = objective_.score(out.evaluation);
  out.observation = observe(out.evaluation);
  out.reward = s.reward;
  out.terminated = s.target_met;
  out.truncated = step_number >= episode_length_;
  return out;
}

StepOutcome GymView::step_indices(const std::vector<std::size_t>& action) {
  return step(env_->space().from_indices(action));
}

void GymView::record_to(std::shared_ptr<ExternalRun> run) {
  // Same env and objective: the stored rewards are the ones the view hands out.
  if (run && (&run->env() != env_.get() || run->objective().to_json() != objective_.to_json()))
    throw std::invalid_argument("gym view: the external run must be made on the view's env and objective");
  const std::lock_guard lock(mutex_);
  run_ = std::move(run);
}

Design GymView::sample_action() {
  const std::lock_guard lock(mutex_);
  return env_->space().sample(rng_);
}

std::uint64_t GymView::steps() const {
  const std::lock_guard lock(mutex_);
  return steps_;
}

}  // namespace archgym

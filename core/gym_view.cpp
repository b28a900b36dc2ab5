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

StepOutcome GymView::reset(std::uint64_t seed) {
  StepOutcome out;
  out.design = env_->default_design();
  // Simulating and storing happen outside the lock, as in step(): a process forked
  // meanwhile (a multiprocessing worker) would inherit the mutex held and wait forever.
  std::optional<Evaluation> known;
  {
    const std::lock_guard lock(mutex_);
    known = default_evaluation_;
  }
  if (known) {
    out.evaluation = *known;
    out.evaluation.sim_seconds = 0;  // envs are deterministic: nothing was simulated this time
  } else {
    out.evaluation = evaluate_checked(*env_, out.design);
  }
  std::shared_ptr<ExternalRun> run;
  {
    const std::lock_guard lock(mutex_);
    if (!default_evaluation_) default_evaluation_ = out.evaluation;
    rng_ = Rng(seed);
    steps_ = 0;
    started_ = true;
    run = run_;
  }
  if (run) run->record(out.design, out.evaluation);
  out.observation = observe(out.evaluation);
  return out;
}

StepOutcome GymView::step(const Design& action) {
  std::uint64_t step_number;  // taken before simulating: each step counts once, in order taken
  std::shared_ptr<ExternalRun> run;
  {
    const std::lock_guard lock(mutex_);
    if (!started_) throw std::logic_error("gym view: call reset() before step()");
    if (steps_ >= episode_length_)
      throw std::logic_error("gym view: the episode ended after " + std::to_string(episode_length_) +
                             " steps; call reset() to start another");
    step_number = ++steps_;
    run = run_;
  }
  StepOutcome out;
  out.design = action;
  out.evaluation = evaluate_checked(*env_, action);
  if (run) run->record(out.design, out.evaluation);
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

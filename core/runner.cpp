// Determinism: the agent sees batches of a size fixed per run and results told in
// ask order, so the trajectory is the same whatever the number of workers or the
// order in which evaluations complete.
//
// Crash safety: each evaluation is committed to the store the moment it completes
// (one transaction each, WAL journal), so SIGKILL or a power cut loses at most the
// evaluations still in flight; resume() replays the stored ones through a freshly
// seeded agent (no re-simulation) and evaluates only what is missing.
//
// Envs are deterministic, so a design the run has already evaluated (a GA re-breeds many:
// ~40% of a 500-evaluation DRAM run) is not simulated again: its row repeats the first
// evaluation's metrics with sim_seconds 0. The trajectory is the same either way.
//
// A stop request is honoured only between batches: the agent is always told whole
// batches, so the stored rows of an interrupted run are exactly what an uninterrupted
// run would have stored first, and resume() continues it to the same trajectory.
#include "core/runner.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <utility>

#include "archgym_version.h"
#include "core/build_label.h"
#include "core/external_run.h"
#include "core/json_util.h"
#include "core/process_identity.h"
#include "core/progress_bar.h"
#include "core/registry.h"
#include "core/text.h"
#include "core/thread_pool.h"

namespace archgym {

namespace {

void check_batch(std::uint64_t batch) {
  if (batch > kMaxBatch)
    throw std::invalid_argument("run: batch must be at most " + std::to_string(kMaxBatch) + " designs, got " +
                                std::to_string(batch));
}
void check_workers(unsigned workers) {
  if (workers > kMaxWorkers)
    throw std::invalid_argument("run: workers must be at most " + std::to_string(kMaxWorkers) + ", got " +
                                std::to_string(workers));
}

std::string metrics_json(const Evaluation& e) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& [name, value] : e.metrics) j[name] = value;  // NaN/inf are stored as null
  return j.dump();
}

}  // namespace

EvaluationRecord evaluation_record(std::int64_t run_id, std::int64_t index, const DesignSpace& space,
                                   const Design& design, const Evaluation& evaluation, double reward) {
  return evaluation_record(run_id, index, space.to_json(design), evaluation, reward);
}

EvaluationRecord evaluation_record(std::int64_t run_id, std::int64_t index, std::string design_json,
                                   const Evaluation& evaluation, double reward) {
  EvaluationRecord r;
  r.run_id = run_id;
  r.index = index;
  r.design = std::move(design_json);
  r.metrics = metrics_json(evaluation);
  r.reward = reward;
  r.valid = evaluation.valid;
  r.invalid_reason = evaluation.invalid_reason;
  r.sim_seconds = evaluation.sim_seconds;
  return r;
}

namespace {

Evaluation evaluation_from_record(const EvaluationRecord& r) {
  Evaluation e;
  const auto metrics = detail::parse_json(r.metrics, "stored evaluation " + std::to_string(r.index) + " metrics");
  for (const auto& [name, value] : metrics.items())
    e.metrics[name] = value.is_number() ? value.get<double>() : std::nan("");
  e.valid = r.valid;
  e.invalid_reason = r.invalid_reason;
  e.sim_seconds = r.sim_seconds;
  return e;
}

struct Slot {
  Design design;
  Evaluation evaluation;
  Score score;
};

}  // namespace

RowsInMemory::RowsInMemory(std::vector<EvaluationRecord> rows) : rows_(std::move(rows)) {
  for (std::size_t i = 1; i < rows_.size(); ++i)
    if (rows_[i].index <= rows_[i - 1].index)
      throw std::invalid_argument("RowsInMemory: rows must be sorted by index, each index once");
}

Store::EvaluationSpan RowsInMemory::span() const {
  Store::EvaluationSpan s;
  s.count = static_cast<std::int64_t>(rows_.size());
  if (!rows_.empty()) {
    s.first = rows_.front().index;
    s.last = rows_.back().index;
  }
  return s;
}

std::vector<EvaluationRecord> RowsInMemory::rows(std::int64_t first, std::int64_t end) const {
  auto by_index = [](const EvaluationRecord& r, std::int64_t i) { return r.index < i; };
  const auto from = std::lower_bound(rows_.begin(), rows_.end(), first, by_index);
  const auto to = std::lower_bound(from, rows_.end(), end, by_index);
  return {from, to};
}

namespace {

// The designs a run has evaluated, for answering a repeat from its first evaluation. Keyed by
// a hash of the design's JSON (as stored), each entry holds only the step's index: the step
// itself is read from the trajectory when the run keeps it, else from the store the run
// records to (or, replaying without one, the stored rows), so a long run's memory grows by
// one small entry per distinct design. A hash match is confirmed on the design's JSON.
class EvaluatedDesigns {
 public:
  EvaluatedDesigns(const DesignSpace& space, const std::vector<Step>& trajectory, bool trajectory_kept,
                   const Store* store, std::int64_t run_id, const StoredRows* replay)
      : space_(space), trajectory_(trajectory), trajectory_kept_(trajectory_kept), store_(store), run_id_(run_id),
        replay_(replay) {}

  // The first evaluation of the design whose JSON is `design_json`, if the run made one.
  std::optional<Evaluation> find(const std::string& design_json) const {
    const auto [from, to] = index_.equal_range(DesignSpace::key(design_json));
    for (auto it = from; it != to; ++it)
      if (auto e = evaluation_at(it->second, design_json)) return e;
    return std::nullopt;
  }

  // Called for each step in index order that may be a design's first evaluation (`known_new`:
  // it is, no need to look); `recorded`: its row is in the store or the replay.
  void add(const std::string& design_json, const Step& step, bool known_new, bool recorded) {
    if (!known_new && find(design_json)) return;  // a repeat: its first evaluation answers
    index_.emplace(DesignSpace::key(design_json), step.index);
    if (!trajectory_kept_ && !recorded) unrecorded_.emplace(step.index, step);
  }

 private:
  std::optional<Evaluation> evaluation_at(std::int64_t index, const std::string& design_json) const {
    const auto of_step = [&](const Step& step) -> std::optional<Evaluation> {
      if (space_.to_json(step.design) != design_json) return std::nullopt;
      return step.evaluation;
    };
    if (trajectory_kept_) return of_step(trajectory_.at(static_cast<std::size_t>(index)));
    if (const auto it = unrecorded_.find(index); it != unrecorded_.end()) return of_step(it->second);
    const auto rows = store_ ? store_->evaluations(run_id_, index, index + 1) : replay_->rows(index, index + 1);
    if (rows.size() != 1)
      throw std::runtime_error("run " + std::to_string(run_id_) + ": evaluation " + std::to_string(index) +
                               " is no longer stored (was the store edited while the run ran?)");
    if (rows.front().design != design_json) return std::nullopt;
    return evaluation_from_record(rows.front());
  }

  const DesignSpace& space_;
  const std::vector<Step>& trajectory_;
  bool trajectory_kept_;
  const Store* store_;
  std::int64_t run_id_;
  const StoredRows* replay_;
  std::unordered_multimap<std::uint64_t, std::int64_t> index_;  // design hash -> first step's index
  std::map<std::int64_t, Step> unrecorded_;                      // steps neither stored nor kept
};

// The agent's answer to ask(n), refused when it breaks the Agent contract (core/agent.h).
std::vector<Design> ask_checked(Agent& agent, std::uint64_t n, const DesignSpace& space) {
  std::vector<Design> designs = agent.ask(static_cast<std::size_t>(n));
  // An agent with nothing more to propose says so with finished(): an empty answer
  // otherwise is a bug in it, which would end the run as "finished" short of its budget.
  if (designs.empty())
    throw std::logic_error("runner: the agent returned no designs when asked for " + std::to_string(n) +
                           " but is not finished() (an agent with nothing more to propose says so there)");
  if (designs.size() > n)
    throw std::logic_error("runner: the agent returned " + std::to_string(designs.size()) +
                           " designs when asked for at most " + std::to_string(n));
  for (const auto& d : designs)
    if (d.values.size() != space.dimension())
      throw std::logic_error("runner: the agent returned a design with " + std::to_string(d.values.size()) +
                             " values; the space has " + std::to_string(space.dimension()) + " parameters");
  return designs;
}

// One batch's designs, sorted by where each one's evaluation comes from: the store (a
// replayed row, answered here), an earlier batch, an earlier slot of this batch, or the env.
struct BatchPlan {
  std::vector<Slot> slots;
  std::vector<std::string> jsons;                            // each design as stored
  std::vector<std::size_t> to_evaluate;                      // new to the run: simulated
  std::vector<bool> first_of_design;                         // exactly the slots in to_evaluate
  std::vector<std::pair<std::size_t, std::size_t>> repeats;  // (slot, earlier slot of this batch)
  std::vector<std::pair<std::size_t, Evaluation>> known;     // slots answered by an earlier batch
};

// `stored`: the batch's rows the store already holds (a resume), by index; a design other
// than the stored one means the agent diverged.
BatchPlan plan_batch(std::vector<Design> designs, std::int64_t first,
                     const std::map<std::int64_t, const EvaluationRecord*>& stored, const EvaluatedDesigns& evaluated,
                     const DesignSpace& space, const Objective& objective, std::int64_t run_id) {
  BatchPlan plan;
  plan.slots.resize(designs.size());
  plan.jsons.resize(designs.size());
  plan.first_of_design.assign(designs.size(), false);
  std::map<std::string, std::size_t> first_in_batch;
  for (std::size_t i = 0; i < designs.size(); ++i) {
    const std::int64_t index = first + static_cast<std::int64_t>(i);
    Slot& slot = plan.slots[i];
    slot.design = std::move(designs[i]);
    plan.jsons[i] = space.to_json(slot.design);
    const auto it = stored.find(index);
    if (it == stored.end()) {
      if (auto earlier = evaluated.find(plan.jsons[i])) {
        plan.known.emplace_back(i, std::move(*earlier));
      } else if (auto [at, fresh] = first_in_batch.emplace(plan.jsons[i], i); fresh) {
        plan.to_evaluate.push_back(i);
        plan.first_of_design[i] = true;
      } else {
        plan.repeats.emplace_back(i, at->second);
      }
      continue;
    }
    if (plan.jsons[i] != it->second->design)
      throw std::runtime_error("run " + std::to_string(run_id) + " cannot be resumed: at evaluation " +
                               std::to_string(index) + " the agent proposed " + plan.jsons[i] +
                               " but the store has " + it->second->design +
                               " (the agent diverged: a different build, agent code or configuration)");
    slot.evaluation = evaluation_from_record(*it->second);
    slot.score = objective.score(slot.evaluation);
    // A later slot of this batch with the same design repeats this stored one, as it did
    // in the uninterrupted run (a kill can keep this row and lose the repeat's).
    first_in_batch.emplace(plan.jsons[i], i);
  }
  return plan;
}

}  // namespace

RunResult Runner::run(const Env& env, Agent& agent, const Objective& objective, std::uint64_t budget,
                      std::uint64_t batch, unsigned workers, bool stop_on_target, Store* store,
                      std::int64_t run_id, const StoredRows* replay, ProgressCallback progress,
                      StopRequested stop_requested, bool keep_trajectory) {
  const auto start = std::chrono::steady_clock::now();
  const DesignSpace& space = env.space();
  objective.check_metrics(env.metric_names());
  if (batch == 0) batch = std::max<std::size_t>(1, agent.preferred_batch());
  check_batch(batch);
  check_workers(workers);
  if (store && run_id == 0) throw std::invalid_argument("runner: a store needs the run id to record under");

  // The replayed rows are read a batch at a time; only their extent is known up front.
  const std::int64_t last_stored = replay ? replay->span().last : -1;

  RunResult result;
  result.run_id = run_id;
  result.knobs = space.names();
  EvaluatedDesigns evaluated(space, result.trajectory, keep_trajectory, store, run_id, replay);
  const auto best_reward = [&] {
    return result.best_step ? result.best_step->reward : -std::numeric_limits<double>::infinity();
  };
  // More threads than designs per batch would only idle.
  const unsigned threads = workers == 0 ? std::max(1u, std::thread::hardware_concurrency()) : workers;
  ThreadPool pool(static_cast<unsigned>(std::min<std::uint64_t>(threads, batch)));
  std::uint64_t done = 0;
  bool interrupted = false;

  while (done < budget && !agent.finished() && !(stop_on_target && result.target_met)) {
    const std::uint64_t n = std::min<std::uint64_t>(batch, budget - done);
    const auto first = static_cast<std::int64_t>(done);
    std::vector<EvaluationRecord> batch_rows;
    if (replay && first <= last_stored) batch_rows = replay->rows(first, first + static_cast<std::int64_t>(n));
    std::map<std::int64_t, const EvaluationRecord*> stored;
    for (const auto& r : batch_rows) stored[r.index] = &r;
    // Stored evaluations are replayed whatever is asked (no simulation, so quick): an
    // interrupt stops the run before its next new evaluation, never part-way through what
    // the store already holds, so the result always covers it.
    const bool replaying = stored.count(first) > 0;
    if (!replaying && stop_requested && stop_requested()) {
      interrupted = true;
      break;
    }
    BatchPlan plan = plan_batch(ask_checked(agent, n, space), first, stored, evaluated, space, objective, run_id);
    std::vector<Slot>& slots = plan.slots;

    // Evaluate what is new, answer the rest; each row is stored as it completes.
    auto record = [&](std::size_t i) {
      if (!store) return;
      store->record(evaluation_record(run_id, first + static_cast<std::int64_t>(i), plan.jsons[i],
                                      slots[i].evaluation, slots[i].score.reward));
    };
    auto answer_again = [&](std::size_t i, const Evaluation& earlier) {
      slots[i].evaluation = earlier;
      slots[i].evaluation.sim_seconds = 0;  // nothing was simulated for this row
      slots[i].score = objective.score(slots[i].evaluation);
      record(i);
    };
    for (const auto& [i, earlier] : plan.known) answer_again(i, earlier);
    // Completion order may differ from ask order; each row carries its own index.
    pool.for_each(plan.to_evaluate.size(), [&](std::size_t k) {
      Slot& slot = slots[plan.to_evaluate[k]];
      slot.evaluation = evaluate_checked(env, slot.design);
      slot.score = objective.score(slot.evaluation);
      record(plan.to_evaluate[k]);
    });
    for (const auto& [i, earlier] : plan.repeats) answer_again(i, slots[earlier].evaluation);

    // Fold the batch into the result, in ask order, and tell the agent.
    std::vector<Feedback> feedback;
    feedback.reserve(slots.size());
    for (std::size_t i = 0; i < slots.size(); ++i) {
      Slot& slot = slots[i];
      feedback.push_back({slot.design, slot.evaluation, slot.score.reward});
      Step step{first + static_cast<std::int64_t>(i), std::move(slot.design), std::move(slot.evaluation),
                slot.score.reward};
      // NaN: the simulator reported a non-finite metric. An infinite raw cost (a metric
      // over a tiny target) still has its capped, finite reward.
      const bool scorable = step.evaluation.valid && !std::isnan(slot.score.raw);
      if (scorable && step.reward > best_reward()) {
        result.best_step = step;
      }
      if (scorable && slot.score.target_met) {
        result.target_met = true;
        if (!result.first_target_met) result.first_target_met = step;
      }
      const bool replayed = stored.count(step.index) > 0;  // a replayed row may repeat an earlier one
      if (plan.first_of_design[i] || replayed)
        evaluated.add(plan.jsons[i], step, plan.first_of_design[i], store || replayed);
      if (keep_trajectory) result.trajectory.push_back(std::move(step));
    }
    done += slots.size();
    result.evaluations = done;
    agent.tell(feedback);
    if (progress) progress(done, budget, best_reward());
  }

  // An interrupted resume may stop before reaching the stored rows; that is no divergence.
  if (replay && !interrupted && last_stored >= static_cast<std::int64_t>(done))
    throw std::runtime_error("run " + std::to_string(run_id) + " cannot be resumed: the store has evaluation " +
                             std::to_string(last_stored) + " but the agent stopped after " +
                             std::to_string(done) + " (the agent diverged)");

  result.status = interrupted ? "interrupted" : result.target_met && stop_on_target ? "target_met" : "finished";
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

Objective run_objective(const Env& env, const std::string& formulation, const std::map<std::string, double>& targets) {
  Objective base = env.default_objective();
  Objective o = formulation.empty() ? base : Objective(Objective::parse_formulation(formulation), base.targets());
  o.tolerance = base.tolerance;
  o.ratio_cap = base.ratio_cap;
  o.cost_cap = base.cost_cap;
  std::string off_without_target;  // the first metric turned off that had no target
  for (const auto& [metric, value] : targets) {
    bool present = false;
    for (const auto& t : o.targets()) present = present || t.metric == metric;
    if (std::isnan(value)) {  // kTargetOff
      if (!o.remove_target(metric) && off_without_target.empty()) off_without_target = metric;
    } else if (present) {
      o.set_target(metric, value);
    } else {
      o.add_target({metric, value, 1.0});
    }
  }
  std::vector<std::string> on;
  for (const auto& t : o.targets()) on.push_back(t.metric);
  if (!off_without_target.empty())
    throw TargetError(off_without_target, "target: '" + off_without_target +
                                              "' is turned off, but has no target to turn off; targets: " +
                                              (on.empty() ? std::string("(none left)") : join(on)));
  if (on.empty()) throw std::invalid_argument("target: every target is turned off; keep at least one");
  o.check_metrics(env.metric_names());
  return o;
}

Objective run_objective(const Env& env, const std::string& env_name, const std::string& formulation,
                        const std::map<std::string, double>& targets) {
  // A run names its env in the message (the other overload's own check would not).
  const auto metrics = env.metric_names();
  for (const auto& [metric, value] : targets)
    if (std::find(metrics.begin(), metrics.end(), metric) == metrics.end())
      throw TargetError(metric, "target: env '" + env_name + "' has no metric '" + metric + "'" +
                                    did_you_mean(metric, metrics) + "; its metrics: " + join(metrics));
  return run_objective(env, formulation, targets);
}

namespace {

// Everything a run needs, built and validated before the store is touched.
struct Prepared {
  std::unique_ptr<Env> env;
  std::unique_ptr<Agent> agent;
  Objective objective;
  Options env_options, agent_options;
};

// The store's claim on a run (Store::claim_run), held while this process runs it.
class ClaimedRun {
 public:
  ClaimedRun(Store* store, std::int64_t run_id, bool force) : store_(store), run_id_(run_id) {
    if (store_) replaced_ = store_->claim_run(run_id_, this_process(), force);
  }
  // A new run, claimed by Store::create_run as it was created: only released here.
  struct Created {};
  ClaimedRun(Store* store, std::int64_t run_id, Created) : store_(store), run_id_(run_id) {}
  // After a forced take-over collided with the holder still writing the run: the claim
  // goes back to it, so the next plain resume is refused again while it runs.
  void give_back() {
    if (store_ && replaced_ && liveness(replaced_->owner) != Liveness::Gone)
      store_->claim_run(run_id_, replaced_->owner, /*force=*/true);
  }
  ~ClaimedRun() {
    if (!store_) return;
    try {
      store_->release_run(run_id_, this_process());
    } catch (...) {  // a claim left behind is taken over by the next resume: never worse
    }
  }
  ClaimedRun(const ClaimedRun&) = delete;
  ClaimedRun& operator=(const ClaimedRun&) = delete;

 private:
  Store* store_;
  std::int64_t run_id_;
  std::optional<RunClaim> replaced_;
};

RunResult run_and_record(const Env& env, Agent& agent, const Objective& objective, const RunRecord& record,
                         unsigned workers, bool show_progress, Store* store, std::int64_t run_id,
                         const StoredRows* replay, StopRequested stop_requested, bool keep_trajectory) {
  std::unique_ptr<ProgressBar> bar;
  if (show_progress) bar = std::make_unique<ProgressBar>();
  if (bar && replay) bar->count_replayed(static_cast<std::uint64_t>(replay->span().count));
  ProgressCallback callback;
  if (bar) callback = [&](std::uint64_t done, std::uint64_t budget, double best) { bar->update(done, budget, best); };
  try {
    RunResult r = Runner::run(env, agent, objective, record.budget, record.batch, workers, record.stop_on_target,
                              store, run_id, replay, callback, std::move(stop_requested), keep_trajectory);
    if (bar) bar->finish();
    if (store) store->set_status(run_id, r.status);
    return r;
  } catch (const StoreConflict& e) {
    // Another process wrote this run's next evaluation: it is running the run, so it
    // keeps the status; marking the run failed under it would be wrong.
    if (bar) bar->finish();
    throw StoreConflict(std::string(e.what()) + ": another process is running run " + std::to_string(run_id) +
                        " (taken over with force while it was still running?); this one stopped and left "
                        "the run to it");
  } catch (const std::exception& e) {
    if (bar) bar->finish();
    if (store) {
      try {
        store->set_status(run_id, "failed", e.what());
      } catch (...) {  // keep the original error
      }
    }
    throw;
  }
}

}  // namespace

void check_agent_batch(std::uint64_t batch, const std::string& agent, const Options& agent_options) {
  if (batch != 0 && agent_options.given("batch") &&
      agent_options.get("batch") != Value(static_cast<std::int64_t>(batch)))
    throw std::invalid_argument("run: batch " + std::to_string(batch) + " (designs per ask) and agent '" + agent +
                                "' option batch=" + to_string(agent_options.get("batch")) +
                                " disagree; the run's batch overrides the agent's, so give one of them");
}

namespace {

// Everything a run needs, checked: what throws here is bad input, found before the run is stored.
Prepared prepare(const RunSpec& spec) {
  if (spec.budget == 0) throw std::invalid_argument("run: budget must be at least 1");
  check_batch(spec.batch);
  check_workers(spec.workers);
  // An option given to the wrong side (e.g. env_options {population: 8} for ga) would only
  // be "unknown": say where it belongs.
  check_option_sides(spec.env, spec.env_options, spec.agent, spec.agent_options);
  Prepared p;
  p.env_options = env_options(spec.env, spec.env_options);
  p.agent_options = agent_options(spec.agent, spec.agent_options);
  p.env = build_env(spec.env, p.env_options);
  p.objective = run_objective(*p.env, spec.env, spec.formulation, spec.targets);
  AgentContext context;
  context.space = &p.env->space();
  context.hyperparameters = p.agent_options;
  context.seed = spec.seed;
  p.agent = build_agent(spec.agent, context);
  check_agent_batch(spec.batch, spec.agent, p.agent_options);
  return p;
}

// The env's options as a run records them (see env_run_record). Not where the absolute path
// is not UTF-8 (a directory named in another encoding): options are text, so that run keeps
// the relative path and resumes from its directory.
Options recorded_options(Options options, const std::vector<InputFile>& files) {
  for (const auto& f : files) {
    const auto it = options.all().find(f.role);
    if (it == options.all().end() || it->second != Value(f.path) || std::filesystem::path(f.path).is_absolute())
      continue;
    if (const std::string absolute = absolute_path(f.path); !invalid_utf8_offset(absolute))
      options.set(f.role, absolute);
  }
  return options;
}

}  // namespace

RunRecord env_run_record(const std::string& env_name, const Options& env_options, const Env& env,
                         const Objective& objective) {
  RunRecord record;
  record.env = env_name;
  record.env_config = recorded_options(env.canonical_options(env_options), env.input_files()).to_json();
  record.objective = objective.to_json();
  record.version = kVersion;
  record.git_commit = kGitCommit;
  record.inputs = inputs_json(env.input_files());
  return record;
}

void Runner::check(const RunSpec& spec) { prepare(spec); }

RunResult Runner::run(const RunSpec& spec, Store* store, StopRequested stop_requested) {
  const Prepared p = prepare(spec);

  RunRecord record = env_run_record(spec.env, p.env_options, *p.env, p.objective);
  record.agent = spec.agent;
  record.agent_config = p.agent_options.to_json();
  record.seed = spec.seed;
  record.budget = spec.budget;
  record.batch = spec.batch ? spec.batch : std::max<std::size_t>(1, p.agent->preferred_batch());
  record.stop_on_target = spec.stop_on_target;
  const std::int64_t run_id = store ? store->create_run(record, &this_process()) : 0;
  const ClaimedRun claim(store, run_id, ClaimedRun::Created{});
  return run_and_record(*p.env, *p.agent, p.objective, record, spec.workers, spec.progress, store, run_id, nullptr,
                        std::move(stop_requested), spec.keep_trajectory);
}

namespace {

// A run whose designs have other knobs than its env now has (recorded by a build whose env
// had another space, e.g. the dram env's default before it became ArchGym's own) cannot be
// replayed. Said before the run's status is changed: as a divergence mid-replay it would
// read as an agent fault and mark the run failed.
void require_same_knobs(const DesignSpace& space, const StoredRows& replay, const RunRecord& record,
                        const std::string& where) {
  const Store::EvaluationSpan span = replay.span();
  if (span.count == 0) return;
  const auto rows = replay.rows(span.first, span.first + 1);
  if (rows.empty()) return;
  const detail::ojson design =
      detail::parse_json(rows.front().design, where + ", evaluation " + std::to_string(rows.front().index) + "'s design");
  if (!design.is_object()) return;  // the replay names it
  std::vector<std::string> stored, now = space.names(), gone, added;
  for (const auto& item : design.items()) stored.push_back(item.key());
  for (const auto& knob : stored)
    if (std::find(now.begin(), now.end(), knob) == now.end()) gone.push_back(knob);
  for (const auto& knob : now)
    if (std::find(stored.begin(), stored.end(), knob) == stored.end()) added.push_back(knob);
  if (gone.empty() && added.empty()) return;
  throw std::runtime_error(where + " cannot be resumed: env '" + record.env + "' with the run's options has other knobs "
                           "than its designs (" + (gone.empty() ? "" : "no longer: " + join(gone)) +
                           (gone.empty() || added.empty() ? "" : "; ") + (added.empty() ? "" : "new: " + join(added)) +
                           "): its design space changed since " + build_label(record.version, record.git_commit) +
                           " recorded the run. Resume it with that build, or start a new run; its rows stay "
                           "readable (archgym export)");
}

// A run continued by another build than the one that started it would hold evaluations
// of two simulators (or agents) that may differ: refused, as changed input files are.
void require_same_build(const RunRecord& record, const std::string& where) {
  if (record.version == kVersion && record.git_commit == kGitCommit) return;
  throw std::runtime_error(where + " cannot be resumed by this build: it was started by " +
                           build_label(record.version, record.git_commit) + ", this is " +
                           build_label(kVersion, kGitCommit) +
                           ", and the run would mix evaluations of two builds whose simulators may differ. "
                           "Resume it with the build that started it, or start a new run with the same settings "
                           "(the same seed gives the same search); its rows stay readable (archgym export)");
}

}  // namespace

RunResult Runner::resume(Store& store, std::int64_t run_id, unsigned workers, bool progress,
                         StopRequested stop_requested, bool force, bool keep_trajectory) {
  const auto record = store.run(run_id);
  if (!record) {
    std::vector<std::string> ids;
    for (const auto& r : store.runs()) ids.push_back(std::to_string(r.id));
    throw std::invalid_argument("store " + store.path() + ": no run " + std::to_string(run_id) +
                                "; runs: " + (ids.empty() ? "(none)" : join(ids)));
  }
  if (record->agent == kExternalAgent) throw std::invalid_argument(external_run_cannot_resume(*record));
  const std::string where = "run " + std::to_string(run_id);
  const Options env_opts = EnvRegistry::instance().get(record->env).schema.parse_json(
      record->env_config, where + ", env '" + record->env + "'");
  const Options agent_opts = AgentRegistry::instance().get(record->agent).schema.parse_json(
      record->agent_config, where + ", agent '" + record->agent + "'");
  // A run recorded with a relative path to an input (see names_input_relatively) opens
  // whatever that path names in the working directory.
  const bool relative = names_input_relatively(record->env_config, record->inputs);
  std::unique_ptr<Env> env;
  try {
    env = build_env(record->env, env_opts);
  } catch (const ComponentError&) {  // the env's code is at fault, whatever files the run read
    throw;
  } catch (const std::exception& e) {
    // E.g. its trace is gone: say which files it read.
    if (record->inputs.empty() || record->inputs == "{}") throw;
    throw std::invalid_argument(std::string(e.what()) + " (" + where + " read " + record->inputs + "; " +
                                (relative ? "resume it from the directory it was started in, or " : "") +
                                "restore those files)");
  }
  if (!record->inputs.empty()) {  // older stores did not record them
    const std::string changed = changed_inputs(record->inputs, inputs_json(env->input_files()));
    if (!changed.empty())
      throw std::runtime_error(where + " cannot be resumed: an input file of env '" + record->env +
                               "' changed since the run started, so its evaluations would mix two "
                               "experiments:\n" + changed + "\nRestore the file, or start a new run." +
                               (relative ? " (Where the paths differ: a relative path in the run's options is "
                                           "resolved against the working directory, so resume from the "
                                           "directory the run was started in.)"
                                         : ""));
  }
  const Objective objective = Objective::from_json(record->objective);
  objective.check_metrics(env->metric_names());
  AgentContext context;
  context.space = &env->space();
  context.hyperparameters = agent_opts;
  context.seed = record->seed;
  auto agent = build_agent(record->agent, context);
  // An ended run is only replayed from its rows; the store is left exactly as it is (no
  // claim, status or timestamps written, so neither an interrupt nor the replay itself
  // changes when or how it ended).
  auto ended = [](const RunRecord& r) { return r.status == "finished" || r.status == "target_met"; };
  const RowsInStore rows(store, run_id);
  auto replay = [&](const RunRecord& r) {
    require_same_knobs(env->space(), rows, r, where);
    return run_and_record(*env, *agent, objective, r, workers, progress, nullptr, run_id, &rows, {}, keep_trajectory);
  };
  if (ended(*record)) return replay(*record);
  ClaimedRun claim(&store, run_id, force);  // before anything is read or changed
  // The process that held the run may have ended it between the read above and the claim.
  if (const RunRecord now = store.require_run(run_id); ended(now)) return replay(now);
  require_same_knobs(env->space(), rows, *record, where);  // the claim is released on the way out
  require_same_build(*record, where);
  store.set_status(run_id, "running");
  try {
    return run_and_record(*env, *agent, objective, *record, workers, progress, &store, run_id, &rows,
                          std::move(stop_requested), keep_trajectory);
  } catch (const StoreConflict&) {
    claim.give_back();
    throw;
  }
}

}  // namespace archgym

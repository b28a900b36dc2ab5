#include "core/external_run.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <vector>

#include "core/json_util.h"
#include "core/process_identity.h"
#include "core/registry.h"
#include "core/text.h"

namespace archgym {

// The driver is shown in `archgym runs` and stored as JSON text: one printable line of UTF-8.
void check_external_driver(const std::string& driver) {
  if (invalid_utf8_offset(driver)) throw std::invalid_argument("external run: driver must be UTF-8 text");
  const std::vector<char32_t> characters = code_points(driver);
  if (std::all_of(characters.begin(), characters.end(), is_space))
    throw std::invalid_argument("external run: driver must name what picks the designs, e.g. 'optuna'");
  if (driver.size() > 200)
    throw std::invalid_argument("external run: driver must be at most 200 bytes of UTF-8, got " +
                                std::to_string(driver.size()));
  for (const char32_t c : characters)
    if (breaks_line_or_reorders(c)) {
      char hex[16];
      std::snprintf(hex, sizeof hex, "U+%04X", static_cast<unsigned>(c));
      throw std::invalid_argument(std::string("external run: driver must be one line without control characters (") +
                                  hex + ")");
    }
}

std::string external_driver(const RunRecord& run) {
  if (run.agent != kExternalAgent) return "";
  try {
    const auto config = detail::parse_json(run.agent_config, "agent config");
    if (config.is_object() && config.contains("driver") && config["driver"].is_string())
      return config["driver"].get<std::string>();
  } catch (const std::invalid_argument&) {  // a hand-edited record: no driver to name
  }
  return "";
}

std::string external_run_cannot_resume(const RunRecord& run) {
  const std::string driver = external_driver(run);
  return "run " + std::to_string(run.id) + " is an external run (its designs were picked " +
         (driver.empty() ? std::string("outside archgym") : "by '" + driver + "', outside archgym") +
         "), so archgym cannot continue it; its " + std::to_string(run.evaluations) +
         " evaluations stay in the store for export, plots and proxy training. To evaluate more, start "
         "another external run (archgym.ExternalRun, or a gymnasium env made with store=...)";
}

// The env, its options and the objective of a spec, checked.
struct ExternalRun::Prepared {
  Options options;
  std::shared_ptr<const Env> env;
  Objective objective;
};

ExternalRun::Prepared ExternalRun::prepare(const ExternalRunSpec& spec) {
  check_external_driver(spec.driver);
  Prepared p;
  p.options = env_options(spec.env, spec.env_options);
  p.env = std::shared_ptr<const Env>(build_env(spec.env, p.options));
  p.objective = run_objective(*p.env, spec.env, spec.formulation, spec.targets);
  return p;
}

void ExternalRun::check(const ExternalRunSpec& spec) { prepare(spec); }

ExternalRun::ExternalRun(std::shared_ptr<Store> store, const ExternalRunSpec& spec) : store_(std::move(store)) {
  if (!store_) throw std::invalid_argument("external run: no store given");
  Prepared p = prepare(spec);
  env_ = std::move(p.env);
  objective_ = std::move(p.objective);
  take_record(spec.env, p.options, spec.driver);
  record_.seed = spec.seed;
  create();
}

ExternalRun::ExternalRun(std::shared_ptr<Store> store, const std::string& env_name, const Options& env_options,
                         std::shared_ptr<const Env> env, Objective objective, const std::string& driver, Deferred)
    : store_(std::move(store)), env_(std::move(env)), objective_(std::move(objective)) {
  if (!store_) throw std::invalid_argument("external run: no store given");
  if (!env_) throw std::invalid_argument("external run: no env given");
  check_external_driver(driver);
  objective_.check_metrics(env_->metric_names());
  take_record(env_name, env_options, driver);
}

void ExternalRun::take_record(const std::string& env_name, const Options& env_options, const std::string& driver) {
  metric_names_ = env_->metric_names();
  record_ = env_run_record(env_name, env_options, *env_, objective_);
  record_.agent = kExternalAgent;
  record_.agent_config = nlohmann::ordered_json{{"driver", driver}}.dump();
  record_.budget = 0;  // open ended: the driver decides when it is done
  record_.batch = 1;
  record_.stop_on_target = false;
  creator_pid_ = static_cast<long>(getpid());
}

void ExternalRun::create() {
  run_id_ = store_->create_run(record_, &this_process());
}

ExternalRun::~ExternalRun() {
  try {
    if (static_cast<long>(getpid()) == creator_pid_ && open()) finish("finished");
  } catch (...) {  // the rows are stored; only the status stays "running" (shown as killed)
  }
}

std::unique_lock<std::mutex> ExternalRun::lock() const {
  // In a forked child the mutex may have been held by a thread of the parent that the child
  // does not have: locking would wait forever. The child's copy only refuses to evaluate and
  // closes, on the child's own thread.
  if (static_cast<long>(getpid()) != creator_pid_) return {};
  return std::unique_lock(mutex_);
}

void ExternalRun::set_seed(std::uint64_t seed) {
  const auto held = lock();
  if (run_id_ != 0) throw std::logic_error("external run " + std::to_string(run_id_) + ": its seed is recorded already");
  record_.seed = seed;
}

std::int64_t ExternalRun::run_id() const {
  const auto held = lock();
  return run_id_;
}

bool ExternalRun::open() const {
  const auto held = lock();
  return open_;
}

std::uint64_t ExternalRun::evaluations() const {
  const auto held = lock();
  return static_cast<std::uint64_t>(next_index_);
}

void ExternalRun::check_usable(const char* what) const {
  const std::string name = run_id_ ? "external run " + std::to_string(run_id_) : std::string("this external run");
  if (!open_) throw std::logic_error(name + " has ended; start another external run to " + what);
  if (static_cast<long>(getpid()) != creator_pid_)
    throw std::logic_error(name + " belongs to process " + std::to_string(creator_pid_) +
                           "; this is a forked child (e.g. a multiprocessing worker): start one external run "
                           "per worker process, or evaluate in threads");
}

Step ExternalRun::evaluate(const Design& design) {
  const DesignSpace& space = env_->space();
  // A value outside the space would be stored as a design the store cannot read back.
  const Design canonical = space.from_map(space.to_map(design));
  {
    const auto held = lock();
    check_usable("evaluate more");
    if (const auto it = evaluated_.find(canonical.values); it != evaluated_.end()) {
      Evaluation again;  // sim_seconds 0: nothing was simulated for this row
      again.valid = it->second.valid;
      again.invalid_reason = it->second.invalid_reason;
      for (std::size_t k = 0; k < it->second.metrics.size(); ++k) again.metrics[metric_names_[k]] = it->second.metrics[k];
      return store_next(canonical, std::move(again));
    }
  }
  // Outside the lock, so that callers on several threads simulate side by side.
  Evaluation e = evaluate_checked(*env_, canonical);
  const auto held = lock();
  Remembered remembered{{}, e.valid, e.invalid_reason};
  if (e.valid)  // exactly metric_names() (evaluate_checked makes any other evaluation invalid)
    for (const auto& name : metric_names_) remembered.metrics.push_back(e.metrics.at(name));
  Step step = store_next(canonical, std::move(e));
  evaluated_.emplace(canonical.values, std::move(remembered));  // keeps the first evaluation of a design
  return step;
}

Step ExternalRun::record(const Design& design, const Evaluation& evaluation) {
  const auto held = lock();
  return store_next(design, evaluation);
}

Step ExternalRun::store_next(const Design& design, Evaluation evaluation) {
  check_usable("store more");
  if (design.values.size() != env_->space().dimension())
    throw std::invalid_argument("external run: the design has " + std::to_string(design.values.size()) +
                                " values; the space has " + std::to_string(env_->space().dimension()) +
                                " parameters");
  if (run_id_ == 0) create();  // a deferred run appears with its first evaluation
  const double reward = objective_.score(evaluation).reward;
  store_->record(evaluation_record(run_id_, next_index_, env_->space(), design, evaluation, reward));
  return Step{next_index_++, design, std::move(evaluation), reward};
}

void ExternalRun::finish(const std::string& status, const std::string& message) {
  if (status != "finished" && status != "interrupted" && status != "failed")
    throw std::invalid_argument("external run: status must be finished, interrupted or failed, got '" + status + "'");
  const auto held = lock();
  if (static_cast<long>(getpid()) != creator_pid_) {  // a forked child's copy: the run is the parent's
    open_ = false;
    return;
  }
  if (!open_)
    throw std::logic_error((run_id_ ? "external run " + std::to_string(run_id_) : std::string("this external run")) +
                           " has ended already");
  if (run_id_ != 0) {
    try {
      store_->set_status(run_id_, status, message);
    } catch (const std::invalid_argument&) {  // the run is gone from the store (a hand edit): nothing to end
      open_ = false;
      throw;
    } catch (const std::runtime_error& e) {
      // The store failed (disk full): the run stays open, so that ending it can be tried
      // again; meanwhile it takes evaluations as before.
      throw std::runtime_error("external run " + std::to_string(run_id_) + ": its status '" + status +
                               "' could not be stored (" + e.what() + "); the run is still open: close it again");
    }
  }
  open_ = false;
  if (run_id_ == 0) return;  // deferred, nothing stored: no run to end
  try {
    store_->release_run(run_id_, this_process());
  } catch (...) {  // a claim left behind is taken over by the next claim: never worse
  }
}

}  // namespace archgym

#include "core/external_run.h"

#include <stdexcept>

#include "core/json_util.h"
#include "core/process_identity.h"
#include "core/registry.h"
#include "core/text.h"

namespace archgym {

// The driver is shown in `archgym runs` and stored as JSON text: one line of UTF-8.
void check_external_driver(const std::string& driver) {
  if (driver.empty()) throw std::invalid_argument("external run: driver must name what picks the designs, e.g. 'optuna'");
  if (driver.size() > 200)
    throw std::invalid_argument("external run: driver must be at most 200 characters, got " +
                                std::to_string(driver.size()));
  for (const char c : driver)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      throw std::invalid_argument("external run: driver must be one line without control characters");
  if (invalid_utf8_offset(driver)) throw std::invalid_argument("external run: driver must be UTF-8 text");
}

std::string external_driver(const RunRecord& run) {
  if (run.agent != kExternalAgent) return "";
  try {
    const auto config = nlohmann::json::parse(run.agent_config);
    if (config.is_object() && config.contains("driver") && config["driver"].is_string())
      return config["driver"].get<std::string>();
  } catch (const nlohmann::json::exception&) {  // a hand-edited record: no driver to name
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
  start(spec.env, p.options, spec.seed, spec.driver);
}

ExternalRun::ExternalRun(std::shared_ptr<Store> store, const std::string& env_name, const Options& env_options,
                         std::shared_ptr<const Env> env, Objective objective, std::uint64_t seed,
                         const std::string& driver)
    : store_(std::move(store)), env_(std::move(env)), objective_(std::move(objective)) {
  if (!store_) throw std::invalid_argument("external run: no store given");
  if (!env_) throw std::invalid_argument("external run: no env given");
  check_external_driver(driver);
  objective_.check_metrics(env_->metric_names());
  start(env_name, env_options, seed, driver);
}

void ExternalRun::start(const std::string& env_name, const Options& env_options, std::uint64_t seed,
                        const std::string& driver) {
  RunRecord record = env_run_record(env_name, env_options, *env_, objective_);
  record.agent = kExternalAgent;
  record.agent_config = nlohmann::ordered_json{{"driver", driver}}.dump();
  record.seed = seed;
  record.budget = 0;  // open ended: the driver decides when it is done
  record.batch = 1;
  record.stop_on_target = false;
  run_id_ = store_->create_run(record, &this_process());
  open_ = true;
}

ExternalRun::~ExternalRun() {
  try {
    if (open()) finish("finished");
  } catch (...) {  // the rows are stored; only the status stays "running" (shown as killed)
  }
}

bool ExternalRun::open() const {
  const std::lock_guard lock(mutex_);
  return open_;
}

std::uint64_t ExternalRun::evaluations() const {
  const std::lock_guard lock(mutex_);
  return static_cast<std::uint64_t>(next_index_);
}

Step ExternalRun::evaluate(const Design& design) {
  {
    const std::lock_guard lock(mutex_);
    if (const auto it = evaluated_.find(design.values); it != evaluated_.end()) {
      Evaluation again = it->second;
      again.sim_seconds = 0;  // nothing was simulated for this row
      return store_next(design, std::move(again));
    }
  }
  // Outside the lock, so that callers on several threads simulate side by side.
  Evaluation e = evaluate_checked(*env_, design);
  const std::lock_guard lock(mutex_);
  return store_next(design, std::move(e));
}

Step ExternalRun::record(const Design& design, const Evaluation& evaluation) {
  const std::lock_guard lock(mutex_);
  return store_next(design, evaluation);
}

Step ExternalRun::store_next(const Design& design, Evaluation evaluation) {
  if (!open_)
    throw std::logic_error("external run " + std::to_string(run_id_) +
                           " has ended; start another external run to evaluate more");
  if (design.values.size() != env_->space().dimension())
    throw std::invalid_argument("external run: the design has " + std::to_string(design.values.size()) +
                                " values; the space has " + std::to_string(env_->space().dimension()) +
                                " parameters");
  const double reward = objective_.score(evaluation).reward;
  store_->record(evaluation_record(run_id_, next_index_, env_->space(), design, evaluation, reward));
  evaluated_.emplace(design.values, evaluation);  // keeps the first evaluation of a design
  return Step{next_index_++, design, std::move(evaluation), reward};
}

void ExternalRun::finish(const std::string& status, const std::string& message) {
  if (status != "finished" && status != "interrupted" && status != "failed")
    throw std::invalid_argument("external run: status must be finished, interrupted or failed, got '" + status + "'");
  const std::lock_guard lock(mutex_);
  if (!open_) throw std::logic_error("external run " + std::to_string(run_id_) + " has ended already");
  store_->set_status(run_id_, status, message);
  open_ = false;
  try {
    store_->release_run(run_id_, this_process());
  } catch (...) {  // a claim left behind is taken over by the next claim: never worse
  }
}

}  // namespace archgym

// `archgym run` and `archgym run --resume`: run, then report the best design found.
#include <algorithm>
#include <cstdio>
#include <iomanip>

#include <nlohmann/json.hpp>

#include "core/external_run.h"
#include "core/objective.h"
#include "core/runner.h"
#include "core/text.h"
#include "experiments/cli_error.h"
#include "experiments/commands.h"
#include "experiments/interrupt.h"
#include "experiments/shell_quote.h"

namespace archgym::cli {
namespace {

std::string json_text(const nlohmann::ordered_json& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

// What "target met" means for `objective`: "power_W = 1, latency_ms = 0.1, each within 5%"
// or, for the cost formulations, "power_W <= 1, latency_ms <= 0.1".
std::string target_text(const Objective& objective) {
  std::string text;
  for (const Target& t : objective.targets())
    text += (text.empty() ? "" : ", ") + t.metric + (objective.is_cost() ? " <= " : " = ") + format_double(t.value);
  if (objective.is_cost()) return text;
  char percent[32];  // %g: 0.07 * 100 is 7.000000000000001
  std::snprintf(percent, sizeof percent, "%g", objective.tolerance * 100);
  return text + ", each within " + percent + "%";
}

void print_result(const Store& store, const RunResult& result, std::ostream& out) {
  const RunRecord run = require_run(store, result.run_id);
  out << "run " << run.id << ": env " << run.env << ", agent " << run.agent << ", seed " << run.seed
      << ", status " << result.status << "\n"
      << "evaluations: " << result.evaluations << " (budget " << run.budget << ")"
      << (result.status == "finished" && result.evaluations < run.budget
              ? "; agent '" + run.agent + "' stopped by its own rule (see its options in `archgym list`)"
              : std::string())
      << "\n"
      << "wall time: " << std::fixed << std::setprecision(2) << result.wall_seconds << " s\n"
      << std::defaultfloat << std::setprecision(6);
  const Step* best = result.best();
  if (best == nullptr) {
    out << "no valid design found\n";
    return;
  }
  // The highest reward need not meet the target (a design close on one metric can outscore
  // one within tolerance on all): say "target met" of the design printed only, and name the
  // first design that met it when that is another one.
  const Objective objective = Objective::from_json(run.objective);
  // A proxy's metrics, and so its rewards and targets met, are a model's predictions: say
  // so, or they read as simulated.
  const bool predicted = run.env == "proxy";
  if (!result.target_met) out << "no evaluated design met the target (" << target_text(objective) << ")\n";
  const bool best_meets = objective.score(best->evaluation).target_met;
  out << "best design (evaluation " << best->index << "), " << (predicted ? "predicted reward " : "reward ")
      << best->reward << (best_meets ? (predicted ? ", target met by the prediction" : ", target met") : "")
      << ":\n";
  if (const auto& first = result.first_target_met; first && !best_meets)
    out << "(the target was met first by evaluation " << first->index << ", reward " << first->reward
        << "; `archgym export` lists every evaluation)\n";
  // Knob names and values as stored, in the design space's order.
  if (const auto rows = store.evaluations(result.run_id, best->index, best->index + 1); !rows.empty()) {
    const auto design = nlohmann::ordered_json::parse(rows.front().design);
    for (const auto& [name, value] : design.items()) out << "  " << name << " = " << json_text(value) << "\n";
  }
  out << (predicted ? "metrics (predicted by the proxy model, not simulated):\n" : "metrics:\n");
  for (const auto& [name, value] : best->evaluation.metrics) out << "  " << name << " = " << value << "\n";
}

}  // namespace

RunResult run_command(const RunRequest& request, std::ostream& out) {
  validate(request);
  std::unique_ptr<Store> store;
  try {
    store = std::make_unique<Store>(request.store);
  } catch (const StoreBusy&) {  // the store's state, not bad input: exit code 1
    throw;
  } catch (const StoreDamaged&) {  // as StoreBusy
    throw;
  } catch (const std::exception& e) {
    throw UsageError(e.what());
  }
  RunResult result;
  {
    InterruptHandler interrupts;  // from here on the store holds the run: stop it cleanly
    BrokenPipeIgnored progress_pipe;
    // The store records every evaluation; memory holds only what is printed (a run of
    // millions of evaluations stays small).
    RunSpec spec = request.spec;
    spec.keep_trajectory = false;
    result = Runner::run(spec, store.get(), [&] { return interrupts.requested(); });
  }
  print_result(*store, result, out);
  return result;
}

RunResult resume_command(const std::string& store_path, std::int64_t run_id, unsigned workers,
                         bool progress, bool force, std::ostream& out) {
  const RunRecord before = require_run(*open_existing_store(store_path), run_id);  // a refused resume changes nothing
  if (before.agent == kExternalAgent) throw UsageError(external_run_cannot_resume(before));
  auto store = open_existing_store(store_path, StoreAccess::ReadWrite);  // refuses a damaged store
  if (before.status == "finished" || before.status == "target_met")
    out << "run " << run_id << " had already ended (" << before.status
        << "): replaying it from the store, nothing is evaluated\n";
  RunResult result;
  {
    InterruptHandler interrupts;
    BrokenPipeIgnored progress_pipe;
    result = Runner::resume(*store, run_id, workers, progress, [&] { return interrupts.requested(); }, force,
                            /*keep_trajectory=*/false);
  }
  print_result(*store, result, out);
  return result;
}

std::string interrupted_message(const std::string& program, const std::string& store_path, std::int64_t run_id) {
  // Only reads: read-only spares a big store the whole-file check of an open for writing.
  const RunRecord run = require_run(Store(store_path, StoreAccess::ReadOnly), run_id);  // counts replayed rows too
  return "run " + std::to_string(run_id) + " interrupted with " + std::to_string(run.evaluations) + " of " +
         std::to_string(run.budget) + " evaluations stored; continue it with: " + shell_quote(program) +
         " run --resume " + std::to_string(run_id) + " --store " + shell_quote(store_path);
}

}  // namespace archgym::cli

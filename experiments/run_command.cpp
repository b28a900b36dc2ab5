// `archgym run` and `archgym run --resume`: run, then report the best design found.
#include <algorithm>
#include <iomanip>

#include <nlohmann/json.hpp>

#include "core/runner.h"
#include "experiments/cli_error.h"
#include "experiments/commands.h"

namespace archgym::cli {
namespace {

std::string json_text(const nlohmann::ordered_json& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

void print_result(const Store& store, const RunResult& result, std::ostream& out) {
  const RunRecord run = require_run(store, result.run_id);
  out << "run " << run.id << ": env " << run.env << ", agent " << run.agent << ", seed " << run.seed
      << ", status " << result.status << "\n"
      << "evaluations: " << result.trajectory.size() << " (budget " << run.budget << ")\n"
      << "wall time: " << std::fixed << std::setprecision(2) << result.wall_seconds << " s\n"
      << std::defaultfloat << std::setprecision(6);
  const Step* best = result.best();
  if (best == nullptr) {
    out << "no valid design found\n";
    return;
  }
  out << "best design (evaluation " << best->index << "), reward " << best->reward
      << (result.target_met ? ", target met" : "") << ":\n";
  // Knob names and values as stored, in the design space's order.
  const auto rows = store.evaluations(result.run_id);
  const auto row = std::find_if(rows.begin(), rows.end(),
                                [&](const EvaluationRecord& e) { return e.index == best->index; });
  if (row != rows.end()) {
    const auto design = nlohmann::ordered_json::parse(row->design);
    for (const auto& [name, value] : design.items()) out << "  " << name << " = " << json_text(value) << "\n";
  }
  out << "metrics:\n";
  for (const auto& [name, value] : best->evaluation.metrics) out << "  " << name << " = " << value << "\n";
}

}  // namespace

void run_command(const RunRequest& request, std::ostream& out) {
  validate(request);
  std::unique_ptr<Store> store;
  try {
    store = std::make_unique<Store>(request.store);
  } catch (const std::exception& e) {
    throw UsageError(e.what());
  }
  const RunResult result = Runner::run(request.spec, store.get());
  print_result(*store, result, out);
}

void resume_command(const std::string& store_path, std::int64_t run_id, unsigned workers,
                    bool progress, std::ostream& out) {
  auto store = open_existing_store(store_path);
  require_run(*store, run_id);
  const RunResult result = Runner::resume(*store, run_id, workers, progress);
  print_result(*store, result, out);
}

}  // namespace archgym::cli

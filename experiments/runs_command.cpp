// `archgym runs`: one line per run in the store.
#include <algorithm>
#include <iomanip>
#include <sstream>

#include "core/process_identity.h"
#include "experiments/commands.h"

namespace archgym::cli {

namespace {

// The stored status, except that a "running" run whose process is gone shows as "killed"
// (it stays "running" in the store until resumed) and one of another host names it.
std::string shown_status(const Store& store, const RunRecord& run) {
  if (run.status != "running") return run.status;
  const auto claim = store.run_claim(run.id);
  if (!claim) return "killed";  // or run by a build that kept no claims
  switch (liveness(claim->owner)) {
    case Liveness::Alive: return "running";
    case Liveness::Gone: return "killed";
    case Liveness::Unknown: return "running on " + claim->owner.host;
  }
  return run.status;
}

}  // namespace

void runs_command(const std::string& store_path, std::ostream& out) {
  auto store = open_existing_store(store_path);
  const std::vector<std::string> header = {"id", "env", "agent", "seed", "status", "evaluations", "best_reward"};
  std::vector<std::vector<std::string>> rows;
  for (const RunRecord& run : store->runs()) {
    bool any = false;
    double best = 0;
    for (const auto& e : store->evaluations(run.id))
      if (e.valid && (!any || e.reward > best)) best = e.reward, any = true;
    std::ostringstream reward;
    if (any) reward << std::setprecision(6) << best; else reward << "-";
    rows.push_back({std::to_string(run.id), run.env, run.agent, std::to_string(run.seed), shown_status(*store, run),
                    std::to_string(run.evaluations), reward.str()});
  }
  std::vector<std::size_t> width(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) {
    width[c] = header[c].size();
    for (const auto& r : rows) width[c] = std::max(width[c], r[c].size());
  }
  auto print = [&](const std::vector<std::string>& r) {
    for (std::size_t c = 0; c < r.size(); ++c)
      if (c + 1 < r.size()) out << std::left << std::setw(static_cast<int>(width[c])) << r[c] << "  ";
      else out << r[c] << "\n";
  };
  print(header);
  for (const auto& r : rows) print(r);
  if (rows.empty()) out << "(no runs in " << store_path << ")\n";
}

}  // namespace archgym::cli

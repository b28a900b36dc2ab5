// Commands that read a store refuse a path that does not exist instead of
// silently creating an empty database there.
#include <filesystem>

#include "experiments/cli_error.h"
#include "experiments/commands.h"

namespace archgym::cli {

std::unique_ptr<Store> open_existing_store(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw UsageError(path + ": no such store (give an existing file with --store; `archgym run` creates one)");
  try {
    return std::make_unique<Store>(path);
  } catch (const std::exception& e) {
    throw UsageError(e.what());
  }
}

RunRecord require_run(const Store& store, std::int64_t run_id) {
  if (auto run = store.run(run_id)) return *run;
  std::string ids;
  for (const auto& r : store.runs()) ids += (ids.empty() ? "" : ", ") + std::to_string(r.id);
  throw UsageError(store.path() + ": no run with id " + std::to_string(run_id) +
                   "; runs in this store: " + (ids.empty() ? "(none)" : ids));
}

}  // namespace archgym::cli

// Commands that read a store refuse a path that does not exist instead of
// silently creating an empty database there.
#include <filesystem>
#include <stdexcept>

#include "experiments/cli_error.h"
#include "experiments/commands.h"

namespace archgym::cli {

std::unique_ptr<Store> open_existing_store(const std::string& path, StoreAccess access) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec))
    throw UsageError(path + ": not a regular file (a directory, device or pipe); give the path of a store file");
  if (!std::filesystem::is_regular_file(path, ec))
    throw UsageError(path + ": no such store (give an existing file with --store; `archgym run` creates one)");
  try {
    return std::make_unique<Store>(path, access);
  } catch (const StoreBusy&) {  // the store's state, not bad input: exit code 1
    throw;
  } catch (const StoreDamaged&) {  // as StoreBusy
    throw;
  } catch (const std::exception& e) {
    throw UsageError(e.what());
  }
}

void refuse_store_as_output(const std::string& store_path, const std::string& out_path) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::error_code ec;
    const std::string file = store_path + suffix;
    const bool same = out_path == file || std::filesystem::equivalent(out_path, file, ec);
    if (same)
      throw UsageError("--out " + out_path + " is the store" + (*suffix ? std::string(" file ") + file : "") +
                       ": writing there would destroy it; choose another file");
  }
}

RunRecord require_run(const Store& store, std::int64_t run_id) {
  try {
    return store.require_run(run_id);
  } catch (const std::invalid_argument& e) {  // a wrong --run is bad input: exit code 2
    throw UsageError(e.what());
  }
}

}  // namespace archgym::cli

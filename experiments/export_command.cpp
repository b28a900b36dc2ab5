// `archgym export`: evaluations as CSV, written whole so a failure leaves no half file.
#include <fstream>
#include <iostream>
#include <sstream>

#include "experiments/cli_error.h"
#include "experiments/commands.h"

namespace archgym::cli {

void export_command(const std::string& store_path, std::int64_t run_id, const std::string& out_path) {
  auto store = open_existing_store(store_path);
  if (run_id != 0) require_run(*store, run_id);
  std::ostringstream csv;
  store->export_csv(csv, run_id);
  if (out_path == "-") {
    std::cout << csv.str() << std::flush;
    return;
  }
  std::ofstream file(out_path, std::ios::binary);
  if (!file) throw UsageError(out_path + ": cannot write the CSV file");
  file << csv.str();
  file.close();
  if (!file) throw std::runtime_error(out_path + ": writing the CSV file failed");
}

}  // namespace archgym::cli

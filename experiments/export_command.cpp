// `archgym export`: evaluations as CSV, written whole (a failure leaves no half file) and
// never over the store itself.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "core/file_output.h"
#include "core/run_columns.h"
#include "experiments/cli_error.h"
#include "experiments/commands.h"

namespace archgym::cli {

void export_command(const std::string& store_path, std::int64_t run_id, const std::string& out_path) {
  auto store = open_existing_store(store_path);
  if (run_id != 0) require_run(*store, run_id);
  std::ostringstream csv;
  store->export_csv(csv, run_id, [&](std::int64_t id) { return run_columns(store->require_run(id)); });
  if (out_path == "-") {
    std::cout << csv.str() << std::flush;
    if (!std::cout)
      throw std::runtime_error(std::string("writing the CSV to standard output failed (") + std::strerror(errno) + ")");
    return;
  }
  refuse_store_as_output(store_path, out_path);
  try {
    write_file_atomically(out_path, csv.str(), "the CSV file");
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
}

}  // namespace archgym::cli

// `archgym export`: evaluations as CSV, streamed row by row into a file that appears only
// when complete (a failure leaves no half file), and never over the store itself.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>

#include "core/file_output.h"
#include "core/run_columns.h"
#include "experiments/cli_error.h"
#include "experiments/commands.h"

namespace archgym::cli {

void export_command(const std::string& store_path, std::int64_t run_id, const std::string& out_path) {
  auto store = open_existing_store(store_path);
  if (run_id != 0) require_run(*store, run_id);
  // Streamed, one row in memory at a time: a damaged row is found before anything is written.
  auto write_csv = [&](std::ostream& out) {
    store->export_csv(out, run_id, [&](std::int64_t id) { return run_columns(store->require_run(id)); });
  };
  if (out_path == "-") {
    write_csv(std::cout);
    std::cout << std::flush;
    if (!std::cout)
      throw std::runtime_error(std::string("writing the CSV to standard output failed (") + std::strerror(errno) + ")");
    return;
  }
  refuse_store_as_output(store_path, out_path);
  try {
    check_output_target(out_path, "the CSV file");
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  write_file_atomically(out_path, write_csv, "the CSV file");
}

}  // namespace archgym::cli

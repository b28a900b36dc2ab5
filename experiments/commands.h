#pragma once
// The subcommands of `archgym`. Each throws UsageError for bad input (exit code 2)
// and any other exception for a failure while working (exit code 1).
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>

#include "core/store.h"
#include "experiments/run_request.h"

namespace archgym::cli {

// `archgym list`: every registered env and agent, with its options.
void list_command(std::ostream& out);

// `archgym run`: validates the request, then runs it into the store and prints the result.
void run_command(const RunRequest& request, std::ostream& out);
// `archgym run --resume ID`: continues a stored run with its stored settings.
void resume_command(const std::string& store_path, std::int64_t run_id, unsigned workers,
                    bool progress, std::ostream& out);

// `archgym export`: CSV of one run (run_id > 0) or all runs to `out_path` ("-" = stdout).
void export_command(const std::string& store_path, std::int64_t run_id, const std::string& out_path);

// `archgym runs`: a table of the runs in the store.
void runs_command(const std::string& store_path, std::ostream& out);

// Opens a store that must already exist (reading commands never create one).
std::unique_ptr<Store> open_existing_store(const std::string& path);
// Throws UsageError listing the store's run ids when `run_id` is not one of them.
RunRecord require_run(const Store& store, std::int64_t run_id);

}  // namespace archgym::cli

#pragma once
// The subcommands of `archgym`. Each throws UsageError for bad input (exit code 2)
// and any other exception for a failure while working (exit code 1).
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "core/runner.h"
#include "core/store.h"
#include "experiments/run_request.h"

namespace archgym::cli {

// `archgym list`: every registered env and agent, with its options.
void list_command(std::ostream& out);

// `archgym run`: validates the request, then runs it into the store and prints the result.
// Ctrl-C or SIGTERM stops it after the batch in flight: the result then has status
// "interrupted" (see interrupt.h) and the caller tells how to resume.
RunResult run_command(const RunRequest& request, std::ostream& out);
// `archgym run --resume ID`: continues a stored run (killed, interrupted or even finished)
// with its stored settings; interruptible like run_command. Refused while another live
// process runs it, unless `force` (`--force`).
RunResult resume_command(const std::string& store_path, std::int64_t run_id, unsigned workers,
                         bool progress, bool force, std::ostream& out);
// The line printed when a run was interrupted: what the store holds and the exact command
// that continues it ("run 3 interrupted with 48 of 300 evaluations stored; continue it
// with: archgym run --resume 3 --store archgym.db"), `program` being how archgym was invoked.
std::string interrupted_message(const std::string& program, const std::string& store_path, std::int64_t run_id);

// `archgym export`: CSV of one run (run_id > 0) or all runs to `out_path` ("-" = stdout).
void export_command(const std::string& store_path, std::int64_t run_id, const std::string& out_path);

// `archgym runs`: a table of the runs in the store.
void runs_command(const std::string& store_path, std::ostream& out);
// `archgym runs --run ID`: everything the store records about one run.
void run_record_command(const std::string& store_path, std::int64_t run_id, std::ostream& out);

// `archgym proxy train`: fits a proxy model on stored runs, prints its held-out error, saves it.
struct ProxyTrainRequest {
  std::string store = "archgym.db";
  std::vector<std::int64_t> runs;     // empty = every run in the store (they must share env and config)
  std::string model = "random_forest";
  std::vector<std::string> sets;      // key=value hyperparameters
  double test_fraction = 0.2;
  std::uint64_t seed = 1;
  std::string out_path;
  unsigned workers = 0;  // threads fitting the model (0 = all cores); the model is the same for any
  bool progress = true;  // progress bar on stderr while the model reports progress
};
void proxy_train_command(const ProxyTrainRequest& request, std::ostream& out);
// `archgym proxy eval`: a saved model's error on stored runs of the same env configuration.
void proxy_eval_command(const std::string& model_path, const std::string& store_path,
                        const std::vector<std::int64_t>& runs, std::ostream& out);
// `archgym proxy show`: what a model file holds (model, env, data, held-out error).
void proxy_show_command(const std::string& model_path, std::ostream& out);

// Opens a store that must already exist (reading commands never create one, and open it
// read-only so they never change it either).
std::unique_ptr<Store> open_existing_store(const std::string& path, StoreAccess access = StoreAccess::ReadOnly);
// Throws UsageError when `out_path` is the store file or one of its -wal/-shm files
// (writing there would destroy the store).
void refuse_store_as_output(const std::string& store_path, const std::string& out_path);
// Throws UsageError listing the store's run ids when `run_id` is not one of them.
RunRecord require_run(const Store& store, std::int64_t run_id);

}  // namespace archgym::cli

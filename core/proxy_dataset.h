#pragma once
// The rows a proxy model learns from: valid evaluations of stored runs, all of one env
// with one configuration (a proxy trained on the "stream" workload knows nothing of
// "random"), decoded back into designs of that env's space.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/env.h"
#include "core/store.h"

namespace archgym {

// A run the rows came from, as it stood when they were read: a model trained on a killed
// run learned from fewer rows than one trained after the run was resumed.
struct ProxySourceRun {
  std::int64_t id = 0;
  std::string status;             // Store::observed_status: finished, target_met, killed, ...
  std::uint64_t evaluations = 0;  // its stored evaluations, valid or not
  std::uint64_t budget = 0;
  std::string made_by;            // build_label() of the build that ran it
};

struct ProxyDataset {
  std::string env;                      // registry name of the env that produced the rows
  std::string env_config;               // its options as JSON (Options::to_json)
  std::shared_ptr<const Env> source;    // that env rebuilt from the registry (space, objective)
  std::vector<std::int64_t> runs;       // runs the rows came from
  std::string store;                    // the store they were read from, as an absolute path
  std::vector<ProxySourceRun> source_runs;  // those runs, in runs' order
  // inputs_json() of the files the runs read (a trace, a memspec): the same for all of
  // them; "" when no run recorded it (stores of older builds).
  std::string inputs;
  std::vector<std::string> metric_names;  // the env's metrics, in its order
  std::vector<Design> designs;
  std::vector<std::vector<double>> targets;  // [row][metric]
  std::size_t skipped_invalid = 0;      // invalid evaluations left out (they have no metrics)
  // Valid evaluations left out because a metric was not a finite number (the store keeps
  // NaN and infinity as null): a model cannot learn from them, and one should not stop
  // the others from being learned.
  std::size_t skipped_unmeasured = 0;
  std::size_t rows() const { return designs.size(); }
};

// Rows of `run_ids` (every run in the store when empty). Throws std::invalid_argument
// naming the run when a run is missing, when runs differ in env or env configuration,
// or when a stored design no longer fits the env's space or lacks a metric (a metric
// stored as null, NaN or infinity, only leaves its row out).
ProxyDataset load_proxy_dataset(const Store& store, const std::vector<std::int64_t>& run_ids);

// Ids of the store's runs of env `env` with the options `env_config` that read the input
// files `inputs` (inputs_json; by contents, whatever path named them): the runs a proxy of
// that configuration can be measured against (empty when there are none). A run, or
// `inputs`, without a record (older stores) is compared by its options alone.
std::vector<std::int64_t> runs_with_config(const Store& store, const std::string& env, const std::string& env_config,
                                           const std::string& inputs);

// Rows for training and for testing, split so that a design evaluated twice never lands
// on both sides (that would hide over-fitting). Deterministic for a seed; test_fraction
// in [0, 0.9]; 0 puts everything in `train`.
struct ProxySplit {
  std::vector<std::size_t> train, test;
};
ProxySplit split_proxy_dataset(const ProxyDataset& data, double test_fraction, std::uint64_t seed);
// The split's check of test_fraction, for front ends that refuse it before loading data.
// Throws std::invalid_argument ("test fraction must be in [0, 0.9], got X").
void check_test_fraction(double test_fraction);

}  // namespace archgym

// Proxy speed and accuracy benchmark: how much faster a trained proxy answers than the
// DRAM simulator it learned, and how well, in one process.
//
// 1. Simulate N random designs of the DRAM env (ArchGym's setup, one trace) into a
//    temporary store, timing the simulator (one thread).
// 2. Train each registered proxy model on them (20% of the designs held out).
// 3. Time the proxy env on the same kind of designs; print evaluations/s, the ratio to our
//    simulator and to DRAMSys 4.0 as ArchGym ran it (a process per evaluation, 15 ms at
//    best for a 10,000-request trace: ARCHITECTURE.md), and the held-out error of the
//    metrics ArchGym's reward uses.
// 4. Time the random forest's fit (100 trees, grown in parallel) on all cores and on one.
// 5. Time the kNN's fit at each --knn-scaling-rows setting (how many training rows its
//    feature scales are learned from; O(rows^2) per L-BFGS step), on all cores and on one.
//    5000 rows need at least 6250 designs (20% are held out).
//
// Usage: proxy_bench [designs=1000] [workload=stream] [--knn-scaling-rows 400,5000]
//        (--help for the ranges)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <map>
#include <unistd.h>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/registry.h"
#include "core/rng.h"
#include "core/runner.h"
#include "core/trained_proxy.h"

using Clock = std::chrono::steady_clock;

static double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

namespace fs = std::filesystem;

// Seconds TrainedProxy::train takes (the fit, then predicting the held-out rows) on
// `workers` threads (0 = all cores); `train_rows` gets how many rows it trained on.
static double train_seconds(const archgym::ProxyDataset& data, const std::string& model,
                            const std::map<std::string, std::string>& hyperparameters, unsigned workers,
                            std::size_t* train_rows = nullptr) {
  archgym::ProxyTrainingOptions options;
  options.model = model;
  options.hyperparameters = hyperparameters;
  options.workers = workers;
  const auto start = Clock::now();
  const std::size_t rows = archgym::TrainedProxy::train(data, options).train_rows();
  if (train_rows) *train_rows = rows;
  return seconds_since(start);
}

// The benchmark's scratch directory, removed however the benchmark ends.
struct ScratchDir {
  fs::path path = fs::temp_directory_path() / ("archgym_proxy_bench_" + std::to_string(::getpid()));
  ScratchDir() { fs::create_directories(path); }
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

int main(int argc, char** argv) try {
  CLI::App app{"Proxy models against the DRAM simulator they learned: speed ratio and held-out error"};
  std::uint64_t designs = 1000;
  std::string workload = "stream";
  app.add_option("designs", designs, "designs to simulate and train on (20% held out)")
      ->check(CLI::Number)
      ->check(CLI::Range(std::uint64_t{10}, std::uint64_t{1000000}));
  app.add_option("workload", workload, "the DRAM env's workload")
      ->check(CLI::IsMember({"stream", "random", "cloud-1", "cloud-2"}));
  std::vector<std::uint64_t> scaling_rows{400, 5000};
  app.add_option("--knn-scaling-rows", scaling_rows, "kNN scaling_rows settings to time the fit at")
      ->delimiter(',')
      ->check(CLI::Range(std::uint64_t{3}, std::uint64_t{5000}));
  CLI11_PARSE(app, argc, argv);
  const ScratchDir scratch;
  const fs::path& dir = scratch.path;
  const std::string store_path = (dir / "bench.db").string();

  double sim_rate = 0;
  {
    archgym::Store store(store_path);
    archgym::RunSpec spec;
    spec.env = "dram";
    spec.env_options = {{"workload", workload}};
    spec.agent = "random_walk";
    spec.budget = designs;
    spec.workers = 1;
    spec.stop_on_target = false;
    spec.progress = false;
    const auto start = Clock::now();
    archgym::Runner::run(spec, &store);
    sim_rate = static_cast<double>(designs) / seconds_since(start);
  }
  archgym::Store store(store_path);
  const archgym::ProxyDataset data = archgym::load_proxy_dataset(store, {});
  std::printf("DRAM env, workload %s: %zu designs simulated at %.1f evals/s (one thread, incl. store)\n\n",
              workload.c_str(), data.rows(), sim_rate);
  constexpr double kDramsysBestSecondsPerEval = 0.015;
  std::printf("%-14s %7s %10s %8s %9s %9s %10s %10s %10s\n", "proxy", "fit s", "evals/s", "x ours",
              "x DRAMSys", "R2 power", "R2 latency", "MAPE% pow", "MAPE% lat");

  for (const std::string& model : archgym::ProxyRegistry::instance().names()) {
    archgym::ProxyTrainingOptions options;
    options.model = model;
    const auto fit_start = Clock::now();
    const archgym::TrainedProxy proxy = archgym::TrainedProxy::train(data, options);
    const double fit_seconds = seconds_since(fit_start);
    const std::string path = (dir / (model + ".json")).string();
    proxy.save(path);
    auto env = archgym::make_env("proxy", {{"model", path}});

    archgym::Rng rng(7);
    std::vector<archgym::Design> probe;
    for (int i = 0; i < 256; ++i) probe.push_back(env->space().sample(rng));
    std::size_t n = 0;
    double sink = 0;
    const auto start = Clock::now();
    while (seconds_since(start) < 1.0)
      for (const auto& d : probe) sink += env->evaluate(d).metrics.begin()->second, ++n;
    const double rate = static_cast<double>(n) / seconds_since(start);
    auto error = [&](const char* metric) {
      for (const auto& e : proxy.test_errors())
        if (e.metric == metric) return e;
      return archgym::ProxyError{};
    };
    std::printf("%-14s %7.2f %10.0f %8.0f %9.0f %9.3f %10.3f %10.2f %10.2f%s\n", model.c_str(), fit_seconds, rate,
                rate / sim_rate, rate * kDramsysBestSecondsPerEval, error("power_W").r2, error("latency_ms").r2,
                error("power_W").mape, error("latency_ms").mape, sink == -1 ? " " : "");
  }

  {
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    const std::string all_cores = "fit s " + std::to_string(cores) + " threads";
    std::size_t train_rows = 0;
    std::printf("\nrandom_forest fit (100 trees, spread over the threads):\n");
    std::printf("%9s  %16s  %14s\n", "rows", all_cores.c_str(), "fit s 1 thread");
    const double forest_all = train_seconds(data, "random_forest", {}, 0, &train_rows);
    const double forest_one = train_seconds(data, "random_forest", {}, 1);
    std::printf("%9zu  %16.2f  %14.2f\n", train_rows, forest_all, forest_one);

    std::printf("\nkNN fit by scaling_rows (its feature scales learn from that many training rows):\n");
    std::printf("%12s  %9s  %16s  %14s\n", "scaling_rows", "rows used", all_cores.c_str(), "fit s 1 thread");
    for (std::uint64_t rows : scaling_rows) {
      const std::map<std::string, std::string> hyperparameters{{"scaling_rows", std::to_string(rows)}};
      const double all = train_seconds(data, "knn", hyperparameters, 0, &train_rows);
      const double one = train_seconds(data, "knn", hyperparameters, 1);
      std::printf("%12llu  %9zu  %16.2f  %14.2f\n", static_cast<unsigned long long>(rows),
                  std::min<std::size_t>(rows, train_rows), all, one);
    }
  }
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "proxy_bench: %s\n", e.what());
  return 1;
}

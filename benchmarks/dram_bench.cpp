// DRAM speed benchmark: env evaluations per second on ArchGym's four traces and
// simulator requests per second on a 100k-request trace. Single thread.
//
// Reference point: ArchGym ran DRAMSys 4.0 as a separate process per evaluation,
// 15-40 ms for one 10,000-request trace (ARCHITECTURE.md); the ratio column divides
// our evaluation rate by DRAMSys's best case (1 / 15 ms = 66.7 evaluations/s).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/registry.h"
#include "core/rng.h"
#include "simulators/dram/simulator.h"

using Clock = std::chrono::steady_clock;

static double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

int main(int argc, char** argv) try {
  CLI::App app{"DRAM speed benchmark: env evaluations/s on ArchGym's traces, simulator requests/s"};
  double min_seconds = 2.0;
  app.add_option("seconds", min_seconds, "minimum seconds of evaluations per trace")
      ->check(CLI::Number)
      ->check(CLI::Range(0.01, 3600.0));
  bool per_design = false;
  app.add_flag("--per-design", per_design,
               "also print each design of the mix: its best time of 20 evaluations (finds slow outliers)");
  // The mix is drawn from this space: archgym (the env's default since 2026-11-29) or
  // extended (the default before; the speed rounds in docs/validation.md used its mix).
  std::string space = "archgym";
  app.add_option("--space", space, "design space the mix is drawn from (the env's space option)")
      ->check(CLI::IsMember({"archgym", "extended", "rl"}));
  CLI11_PARSE(app, argc, argv);
  if (std::isnan(min_seconds)) {  // passes CLI11's range check (every comparison is false)
    std::fprintf(stderr, "seconds: must be a number in [0.01, 3600], got nan\n");
    return 2;
  }
  constexpr double kDramsysBestEvalsPerSecond = 1.0 / 0.015;

  std::printf("%-10s %12s %14s %10s\n", "trace", "evals/s", "ms/eval", "x DRAMSys");
  for (const char* trace : {"stream", "random", "cloud-1", "cloud-2"}) {
    auto env = archgym::make_env("dram", {{"workload", trace}, {"space", space}});
    archgym::Rng rng(1);
    // A fixed mix of designs (the default plus random ones) so every knob path is exercised.
    std::vector<archgym::Design> designs{env->default_design()};
    for (int i = 0; i < 15; ++i) designs.push_back(env->space().sample(rng));
    std::size_t n = 0;
    const auto start = Clock::now();
    while (seconds_since(start) < min_seconds) {
      const auto e = env->evaluate(designs[n % designs.size()]);
      if (!e.valid) { std::fprintf(stderr, "invalid: %s\n", e.invalid_reason.c_str()); return 1; }
      ++n;
    }
    const double rate = n / seconds_since(start);
    std::printf("%-10s %12.1f %14.3f %10.1f\n", trace, rate, 1000.0 / rate,
                rate / kDramsysBestEvalsPerSecond);
    if (per_design)
      for (std::size_t i = 0; i < designs.size(); ++i) {
        double best = INFINITY;
        for (int k = 0; k < 20; ++k) {
          const auto t = Clock::now();
          env->evaluate(designs[i]);
          best = std::min(best, seconds_since(t));
        }
        std::printf("  design %2zu %8.3f ms  %s\n", i, best * 1e3, env->space().to_json(designs[i]).c_str());
      }
  }

  using namespace archgym::dram;
  std::printf("\n%-28s %14s %16s\n", "100k-request trace", "requests/s", "sim cycles/s");
  struct Case { const char* name; Pattern pattern; double read_ratio; double rate; };
  for (const Case c : {Case{"stream reads, DDR4-2400", Pattern::Stream, 1.0, 1.0},
                       Case{"random reads, DDR4-2400", Pattern::Random, 1.0, 1.0},
                       Case{"mixed 2:1 r/w, DDR4-2400", Pattern::Mixed, 2.0 / 3, 1.0},
                       Case{"random light load (1/50)", Pattern::Random, 1.0, 0.02}}) {
    GeneratorConfig g;
    g.pattern = c.pattern;
    g.requests = 100000;
    g.read_ratio = c.read_ratio;
    g.injection_rate = c.rate;
    GeneratedTrace trace(g);
    SimConfig config;
    config.memspec = ddr4_2400_jedec_4Gb_x8();
    config.mapping = bank_group_interleaved_mapping(config.memspec);
    config.controller.trace_clock_mhz = 1200;
    const auto start = Clock::now();
    const SimStats s = simulate(config, trace);
    const double t = seconds_since(start);
    std::printf("%-28s %14.0f %16.0f\n", c.name, s.requests / t, s.end_cycle / t);
  }
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "dram_bench: %s\n", e.what());
  return 1;
}

// Prints a digest of every command, response and statistic of the simulator over random
// controller configurations, devices and traces, one line per simulation. Two tests use it:
// - dram_fast_paths_change_nothing builds it a second time with the controller's fast paths
//   compiled out (ARCHGYM_DRAM_NO_FAST_PATH, Controller::pass) and requires the same output:
//   that is what makes the fast paths exact rather than approximately right;
// - dram_simulation_digests_unchanged compares the commands, responses, cycles, counts and
//   the energy to 8 digits (the floating-point figures' last bits may differ on other
//   compilers or CPUs, so their digest is left out) with
//   tests/dram/data/simulation_digests.txt, so that a refactoring or speed-up that changes
//   any command or the energy fails. A deliberate change of behaviour regenerates the file:
//     build/tests/dram/dram_digest_fast | sed 's/ figures .*//' > tests/dram/data/simulation_digests.txt
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <exception>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "simulators/dram/address_mapping.h"
#include "simulators/dram/controller_config.h"
#include "simulators/dram/memspec.h"
#include "simulators/dram/simulator.h"
#include "simulators/dram/trace.h"
#include "tests/dram/dram_sim_fixtures.h"

using namespace archgym::dram;

namespace {

// std::mt19937_64 is fully specified, so every build draws the same simulations.
int below(std::mt19937_64& rng, int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); }

// FNV-1a over 64-bit words.
struct Digest {
  std::uint64_t h = 1469598103934665603ull;
  void add(std::uint64_t x) {
    for (int i = 0; i < 8; ++i) {
      h ^= (x >> (8 * i)) & 255;
      h *= 1099511628211ull;
    }
  }
  void add(double d) {
    std::uint64_t u;
    std::memcpy(&u, &d, sizeof u);
    add(u);
  }
};

struct Commands final : CommandObserver {
  Digest d;
  void on_command(const IssuedCommand& c) override {
    d.add(c.cycle);
    d.add(static_cast<std::uint64_t>(c.command));
    d.add(static_cast<std::uint64_t>(c.rank * 1000000 + c.bank_group * 1000 + c.bank));
    d.add(static_cast<std::uint64_t>(static_cast<std::int64_t>(c.row)));
    d.add(static_cast<std::uint64_t>(static_cast<std::int64_t>(c.column)));
  }
  void on_finish(std::uint64_t end_cycle) override { d.add(end_cycle); }
};

struct Responses final : ResponseObserver {
  Digest d;
  void on_response(std::uint64_t index, bool is_write, std::uint64_t cycle) override {
    d.add(index);
    d.add(static_cast<std::uint64_t>(is_write));
    d.add(cycle);
  }
};

using Requests = std::shared_ptr<const std::vector<Request>>;

Requests load(TraceSource& source) {
  return std::make_shared<const std::vector<Request>>(testing::read_requests(source));
}

// A generated trace over 256 MiB.
Requests generated(Pattern pattern, std::uint64_t requests, double read_ratio, double rate,
                   std::uint64_t seed) {
  GeneratorConfig g = testing::gen(pattern, requests, rate, read_ratio, seed);
  g.footprint_bytes = std::uint64_t{1} << 28;
  GeneratedTrace t(g);
  return load(t);
}

ControllerConfig random_config(std::mt19937_64& s) {
  ControllerConfig c;
  c.page_policy = static_cast<PagePolicy>(below(s, 4));
  c.scheduler = static_cast<SchedulerPolicy>(below(s, 3));
  c.scheduler_buffer = static_cast<SchedulerBuffer>(below(s, 3));
  c.request_buffer_size = 1 + below(s, 64);
  c.resp_queue = static_cast<RespQueuePolicy>(below(s, 2));
  c.refresh_policy = static_cast<RefreshPolicy>(below(s, 3));
  c.refresh_max_postponed = below(s, 9);
  c.refresh_max_pulledin = below(s, 9);
  c.arbiter = static_cast<ArbiterPolicy>(below(s, 3));
  c.max_active_transactions = 1 << below(s, 8);
  c.power_down = static_cast<PowerDownPolicy>(below(s, 2));
  c.write_drain = static_cast<WriteDrainPolicy>(below(s, 3));
  c.write_high_watermark = 1 + below(s, 40);
  c.write_low_watermark = below(s, c.write_high_watermark);
  c.command_queue_depth = 1 + below(s, 16);
  return c;
}

// The corners where a pass that is skipped could matter: tiny buffers and watermarks,
// power-down on mostly, refresh postponed or not.
ControllerConfig stress_config(std::mt19937_64& s) {
  ControllerConfig c = random_config(s);
  if (below(s, 2) == 0) {
    c.request_buffer_size = 1 + below(s, 4);
    c.write_high_watermark = 1 + below(s, 6);
    c.write_low_watermark = below(s, c.write_high_watermark);
  }
  if (below(s, 2) == 0) c.refresh_max_postponed = 0;
  c.power_down = below(s, 3) != 0 ? PowerDownPolicy::Staggered : PowerDownPolicy::NoPowerDown;
  return c;
}

// One line: what the simulation did, as digests; the floating-point figures last (the
// golden comparison drops them).
void print_digest(const std::string& label, const SimConfig& config, const Requests& requests) {
  VectorTrace trace(requests);
  Commands commands;
  Responses responses;
  const SimStats s = simulate(config, trace, &commands, &responses);
  Digest counts, figures;
  for (const std::uint64_t x : {s.requests, s.reads, s.writes, s.end_cycle, s.refreshes}) counts.add(x);
  for (const std::uint64_t n : s.command_counts) counts.add(n);
  for (const double x : {s.bandwidth_GBps, s.read_latency_avg_ns, s.read_latency_p50_ns,
                         s.read_latency_p99_ns, s.read_latency_max_ns, s.read_latency_from_trace_avg_ns,
                         s.row_hit_rate, s.energy.total_pJ, s.energy.average_power_mW})
    figures.add(x);
  // The energy to 8 significant digits: the one figure summed over thousands of commands, so
  // the golden comparison notices a change in the power model, while the last bits, which
  // another compiler's operation order may move, stay out of it.
  std::printf("%s: end %llu counts %016llx commands %016llx responses %016llx energy %.8g figures %016llx\n",
              label.c_str(), static_cast<unsigned long long>(s.end_cycle),
              static_cast<unsigned long long>(counts.h), static_cast<unsigned long long>(commands.d.h),
              static_cast<unsigned long long>(responses.d.h), s.energy.total_pJ,
              static_cast<unsigned long long>(figures.h));
}

}  // namespace

int main() try {
  std::vector<std::pair<std::string, Requests>> traces;
  for (const std::string& name : default_trace_names()) {
    StlTraceReader reader(default_trace_path(name));
    traces.emplace_back(name, load(reader));
  }
  traces.emplace_back("mixed", generated(Pattern::Mixed, 4000, 0.6, 1.0, 5));
  traces.emplace_back("sparse", generated(Pattern::Random, 1500, 0.5, 0.001, 6));

  struct Device { std::string name; MemSpec spec; AddressMapping mapping; };
  const MemSpec ddr3 = ddr3_1600_micron_1Gb_x8(), ddr4 = ddr4_2400_jedec_4Gb_x8();
  MemSpec ddr3_2r = ddr3, ddr4_2r = ddr4;
  ddr3_2r.ranks = ddr4_2r.ranks = 2;
  const std::vector<Device> devices{{"ddr3", ddr3, ddr3_rbc_mapping()},
                                    {"ddr4", ddr4, bank_group_interleaved_mapping(ddr4)},
                                    {"ddr3x2", ddr3_2r, row_bank_column_mapping(ddr3_2r)},
                                    {"ddr4x2", ddr4_2r, bank_group_interleaved_mapping(ddr4_2r)}};

  std::mt19937_64 rng(20261128);
  int simulated = 0;
  for (int i = 0; simulated < 300; ++i) {
    const ControllerConfig config = random_config(rng);
    const Device& device = devices[static_cast<std::size_t>(below(rng, 4))];
    try {
      validate(config, device.spec);
    } catch (const std::invalid_argument&) {
      continue;  // e.g. a write drain with ClosedAdaptive pages; drawn again
    }
    for (const auto& [name, requests] : traces) {
      print_digest("config " + std::to_string(i) + " " + device.name + " " + name,
                   SimConfig{device.spec, device.mapping, config}, requests);
      ++simulated;
    }
  }

  // Stress: short refresh intervals (so that refreshes, postponed or forced, meet every
  // other event), sparse to saturating generated traces, stress_config()'s corners. A
  // fast path that skipped a pass in which a refresh manager blocked banks, or moved its
  // schedule, was found here and not above.
  std::vector<std::pair<std::string, Requests>> stress_traces;
  const double rates[] = {0.002, 0.01, 0.03, 0.08, 0.2, 0.5, 1.0};
  for (int k = 0; k < 12; ++k) {
    const auto pattern = static_cast<Pattern>(below(rng, 4));
    const double rate = rates[below(rng, 7)];
    const double read_ratio = below(rng, 5) / 4.0;
    const std::uint64_t seed = rng();
    const auto requests = static_cast<std::uint64_t>(600 + below(rng, 1500));
    stress_traces.emplace_back("generated " + std::to_string(k),
                               generated(pattern, requests, read_ratio, rate, seed));
  }
  for (const auto& [name, requests] : traces)
    if (name == "random" || name == "cloud-1")  // their first 3000 requests
      stress_traces.emplace_back(name, std::make_shared<const std::vector<Request>>(
                                           requests->begin(), requests->begin() + 3000));
  for (int i = 0, stressed = 0; stressed < 600; ++i) {
    const ControllerConfig config = stress_config(rng);
    MemSpec spec = below(rng, 2) != 0 ? ddr3 : ddr4;
    spec.ranks = 1 + below(rng, 2);
    if (below(rng, 3) != 0) {
      spec.REFI = 600 + below(rng, 2500);
      spec.REFIpb = spec.RFCpb = 0;  // derived again from the new REFI
      derive_per_bank_refresh(spec);
    }
    const AddressMapping mapping =
        spec.bank_groups > 1 ? bank_group_interleaved_mapping(spec) : row_bank_column_mapping(spec);
    try {
      validate(config, spec);
    } catch (const std::invalid_argument&) {
      continue;
    }
    const auto& [name, requests] = stress_traces[static_cast<std::size_t>(below(rng, static_cast<int>(stress_traces.size())))];
    print_digest("stress " + std::to_string(i) + " " + name, SimConfig{spec, mapping, config}, requests);
    ++stressed;
  }
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "simulation_digest: %s\n", e.what());
  return 1;
}

// Random controller configurations x workloads through simulate(), every issued command
// watched by the independent ProtocolChecker: the controller must never break a JEDEC
// rule, whatever the knobs. Seeded and deterministic; on failure it prints the
// configuration, the checker's first violations and the commands leading up to the first.
#include <array>
#include <cstdint>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "simulators/dram/address_mapping.h"
#include "simulators/dram/controller_config.h"
#include "simulators/dram/memspec.h"
#include "simulators/dram/protocol_checker.h"
#include "simulators/dram/simulator.h"
#include "simulators/dram/trace.h"
#include "tests/dram/dram_sim_fixtures.h"
#include "tests/catch.h"

using namespace archgym::dram;
using archgym::dram::testing::read_requests;

namespace {

constexpr std::size_t kRequestsPerTrace = 2000;
constexpr int kConfigurations = 352;  // 8 per (device, workload)

// SplitMix64: fully specified, so the configuration list is the same everywhere.
struct SplitMix {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  int below(int n) { return static_cast<int>(next() % static_cast<std::uint64_t>(n)); }
};

struct Workload {
  std::string name;
  std::shared_ptr<const std::vector<Request>> requests;
};

const std::vector<Workload>& workloads() {
  static const std::vector<Workload> all = [] {
    std::vector<Workload> w;
    for (const char* name : {"stream", "random", "cloud-1", "cloud-2"}) {
      StlTraceReader reader(default_trace_path(name));
      w.push_back({name, std::make_shared<const std::vector<Request>>(
                             read_requests(reader, kRequestsPerTrace))});
    }
    struct Gen {
      const char* name;
      Pattern pattern;
      double read_ratio, rate;
      std::uint64_t stride;
      std::uint64_t requests;
    };
    const Gen gens[] = {
        {"gen-random-r0.5", Pattern::Random, 0.5, 1.0, 64, kRequestsPerTrace},
        {"gen-strided4K-r0.7", Pattern::Strided, 0.7, 1.0, 4096, kRequestsPerTrace},
        {"gen-mixed-r0.5", Pattern::Mixed, 0.5, 1.0, 64, kRequestsPerTrace},
        {"gen-mixed-r0.7", Pattern::Mixed, 0.7, 0.5, 64, kRequestsPerTrace},
        {"gen-light-mixed-r0.7-rate0.02", Pattern::Mixed, 0.7, 0.02, 64, kRequestsPerTrace},
        {"gen-light-random-r0.5-rate0.02", Pattern::Random, 0.5, 0.02, 64, kRequestsPerTrace},
        // Gaps longer than tREFI: refresh falls due while the rank sleeps (self-refresh).
        {"gen-sparse-mixed-r0.5-rate0.0001", Pattern::Mixed, 0.5, 0.0001, 64, 200},
    };
    std::uint64_t seed = 11;
    for (const Gen& g : gens) {
      GeneratorConfig cfg;
      cfg.pattern = g.pattern;
      cfg.requests = g.requests;
      cfg.read_ratio = g.read_ratio;
      cfg.injection_rate = g.rate;
      cfg.stride_bytes = g.stride;
      cfg.footprint_bytes = 1ull << 28;  // inside both devices
      cfg.seed = seed++;
      GeneratedTrace trace(cfg);
      w.push_back({g.name, std::make_shared<const std::vector<Request>>(
                               read_requests(trace, g.requests))});
    }
    return w;
  }();
  return all;
}

ControllerConfig random_config(SplitMix& rng) {
  ControllerConfig c;
  c.page_policy = static_cast<PagePolicy>(rng.below(4));
  c.scheduler = static_cast<SchedulerPolicy>(rng.below(3));
  c.scheduler_buffer = static_cast<SchedulerBuffer>(rng.below(3));
  c.request_buffer_size = 1 + rng.below(8);
  c.resp_queue = static_cast<RespQueuePolicy>(rng.below(2));
  c.refresh_policy = static_cast<RefreshPolicy>(rng.below(3));
  c.refresh_max_postponed = 1 + rng.below(8);
  c.refresh_max_pulledin = 1 + rng.below(8);
  c.arbiter = static_cast<ArbiterPolicy>(rng.below(3));
  c.max_active_transactions = 1 << rng.below(8);  // 1..128
  c.power_down = static_cast<PowerDownPolicy>(rng.below(2));
  return c;
}

// The write-drain knobs come from their own generator, so the other knobs of every
// configuration stay what they were before the knob existed.
void random_write_drain(ControllerConfig& c, SplitMix& rng) {
  c.write_drain = static_cast<WriteDrainPolicy>(rng.below(3));  // None, Watermark, CommandQueue
  c.write_high_watermark = 1 + rng.below(40);
  c.write_low_watermark = rng.below(c.write_high_watermark);
  c.command_queue_depth = 1 + rng.below(16);
}

std::string command_line(const IssuedCommand& c) {
  std::ostringstream os;
  os << c.cycle << " " << command_name(c.command) << " r" << c.rank;
  if (!is_rank_command(c.command))
    os << " bg" << c.bank_group << " b" << c.bank << " row " << c.row << " col " << c.column;
  return os.str();
}

// Forwards to the checker and keeps the commands leading up to the first violation.
class RecordingChecker final : public CommandObserver {
 public:
  explicit RecordingChecker(ProtocolChecker& checker) : checker_(checker) {}
  void on_command(const IssuedCommand& c) override {
    last_[next_ % last_.size()] = c;
    ++next_;
    ++per_command_[static_cast<int>(c.command)];
    checker_.on_command(c);
    if (window_.empty() && !checker_.ok()) {
      const std::size_t n = std::min<std::size_t>(next_, last_.size());
      for (std::size_t i = next_ - n; i < next_; ++i) window_.push_back(last_[i % last_.size()]);
    }
  }
  void on_finish(std::uint64_t end_cycle) override { checker_.on_finish(end_cycle); }
  std::string window() const {
    std::string out;
    for (const IssuedCommand& c : window_) out += "    " + command_line(c) + "\n";
    return out;
  }
  std::uint64_t count(Command c) const { return per_command_[static_cast<int>(c)]; }

 private:
  ProtocolChecker& checker_;
  std::array<IssuedCommand, 24> last_{};
  std::uint64_t next_ = 0;
  std::vector<IssuedCommand> window_;
  std::array<std::uint64_t, kCommandCount> per_command_{};
};

struct Device {
  const char* name;
  MemSpec spec;
  AddressMapping mapping;
};

}  // namespace

TEST_CASE("protocol fuzz: random controller configurations never break JEDEC timing",
          "[dram][checker][fuzz]") {
  const MemSpec ddr3 = ddr3_1600_micron_1Gb_x8();
  const MemSpec ddr4 = ddr4_2400_jedec_4Gb_x8();
  // Two-rank variants exercise rank switching (tRTRS) and per-rank refresh staggering.
  MemSpec ddr3_2r = ddr3, ddr4_2r = ddr4;
  ddr3_2r.ranks = ddr4_2r.ranks = 2;
  const std::array<Device, 4> devices{{
      {"DDR3-1600/rbc", ddr3, ddr3_rbc_mapping()},
      {"DDR4-2400/bank-group-interleaved", ddr4, bank_group_interleaved_mapping(ddr4)},
      {"DDR3-1600x2ranks/row-rank-bank-column", ddr3_2r, row_bank_column_mapping(ddr3_2r)},
      {"DDR4-2400x2ranks/bank-group-interleaved", ddr4_2r, bank_group_interleaved_mapping(ddr4_2r)},
  }};
  const auto& loads = workloads();
  REQUIRE(loads.size() == 11);
  for (const Workload& w : loads) REQUIRE(w.requests->size() >= 200);

  SplitMix rng{20260527};
  SplitMix drain_rng{20261127};
  int failures = 0;
  std::uint64_t commands = 0, refreshes = 0, power_downs = 0, self_refreshes = 0;
  int watermark_configs = 0, command_queue_configs = 0;
  for (int i = 0; i < kConfigurations; ++i) {
    const Device& dev = devices[static_cast<std::size_t>(i % 4)];
    const Workload& load = loads[static_cast<std::size_t>((i / 4) % loads.size())];
    SimConfig cfg{dev.spec, dev.mapping, random_config(rng)};
    random_write_drain(cfg.controller, drain_rng);

    ProtocolChecker checker(dev.spec);
    const ControllerConfig& cc = cfg.controller;
    checker.set_refresh_check(cc);  // the gap its refresh knobs allow, plus time to drain
    RecordingChecker observer(checker);

    VectorTrace trace(load.requests);
    std::uint64_t reads = 0;
    for (const Request& r : *load.requests) reads += r.is_write ? 0 : 1;

    std::string error;
    SimStats stats;
    try {
      stats = simulate(cfg, trace, &observer);
    } catch (const std::exception& e) {
      error = e.what();
    }
    const std::uint64_t cas = observer.count(Command::RD) + observer.count(Command::RDA) +
                              observer.count(Command::WR) + observer.count(Command::WRA);
    std::uint64_t counted = 0;  // the statistics must count exactly the observed commands
    for (std::uint64_t n : stats.command_counts) counted += n;
    const bool served_all = error.empty() && stats.requests == load.requests->size() &&
                            cas == load.requests->size() && stats.reads == reads &&
                            counted == checker.commands_checked();
    if (!error.empty() || !checker.ok() || !served_all) {
      ++failures;
      if (failures <= 5) {
        std::ostringstream os;
        os << "configuration " << i << " on " << dev.name << ", workload " << load.name << " ("
           << load.requests->size() << " requests)\n  " << knob_text(cc) << "\n";
        if (!error.empty()) os << "  simulate() threw: " << error << "\n";
        if (error.empty() && !served_all)
          os << "  served " << stats.requests << " requests (" << stats.reads << " reads) with "
             << cas << " CAS commands; expected " << load.requests->size() << " (" << reads
             << " reads); statistics count " << counted << " commands, the observer saw "
             << checker.commands_checked() << "\n";
        os << "  " << checker.summary(8) << "\n";
        if (!checker.ok()) os << "  commands up to the first violation:\n" << observer.window();
        UNSCOPED_INFO(os.str());
      } else {
        // One line each for the rest: enough to find the pattern.
        UNSCOPED_INFO("configuration " << i << " on " << dev.name << ", " << load.name << ": "
                      << knob_text(cc) << ": " << checker.summary(1));
      }
    }
    commands += checker.commands_checked();
    refreshes += observer.count(Command::REFA) + observer.count(Command::REFB);
    power_downs += observer.count(Command::PDEA) + observer.count(Command::PDEP);
    self_refreshes += observer.count(Command::SREFEN);
    if (cc.write_drain == WriteDrainPolicy::Watermark) ++watermark_configs;
    if (cc.write_drain == WriteDrainPolicy::CommandQueue) ++command_queue_configs;
  }
  INFO(failures << " of " << kConfigurations << " configurations failed");
  CHECK(failures == 0);
  // The fuzz must reach the interesting corners, or it proves little.
  CHECK(commands > 100000);
  CHECK(refreshes > 0);
  CHECK(power_downs > 0);
  CHECK(self_refreshes > 0);
  CHECK(watermark_configs > kConfigurations / 5);
  CHECK(command_queue_configs > kConfigurations / 5);
}

namespace {

class Recorder final : public CommandObserver {
 public:
  void on_command(const IssuedCommand& c) override { commands.push_back(c); }
  std::vector<IssuedCommand> commands;
};

std::vector<IssuedCommand> record(const SimConfig& cfg, const Workload& load) {
  Recorder rec;
  VectorTrace trace(load.requests);
  simulate(cfg, trace, &rec);
  return rec.commands;
}

ProtocolChecker replay(const MemSpec& spec, const std::vector<IssuedCommand>& commands) {
  ProtocolChecker checker(spec);
  for (const IssuedCommand& c : commands) checker.on_command(c);
  return checker;
}

const Workload& workload_named(const std::string& name) {
  for (const Workload& w : workloads())
    if (w.name == name) return w;
  throw std::invalid_argument("no workload " + name);
}

}  // namespace

// The controller schedules greedily, so in a busy stream the main constraints are met
// exactly (zero slack) somewhere. Replaying the stream against a device one cycle slower
// in one timing must then trip exactly that rule: the checker and the controller agree on
// where each constraint binds, and the checker misses none of them.
TEST_CASE("protocol fuzz: real command streams replayed against a slower device",
          "[dram][checker][fuzz]") {
  struct Case {
    const char* what;
    ProtocolRule rule;
    void (*slow_down)(MemSpec&);
  };
  const Case cases[] = {
      {"tRCD", ProtocolRule::tRCD, [](MemSpec& m) { ++m.RCD; }},
      {"tRP", ProtocolRule::tRP, [](MemSpec& m) { ++m.RP; }},
      {"tRAS", ProtocolRule::tRAS, [](MemSpec& m) { ++m.RAS; }},
      {"tRRD_S", ProtocolRule::tRRD_S, [](MemSpec& m) { ++m.RRD_S; }},
      {"tRRD_L", ProtocolRule::tRRD_L, [](MemSpec& m) { ++m.RRD_L; }},
      {"tFAW", ProtocolRule::tFAW, [](MemSpec& m) { ++m.FAW; }},
      {"tCCD_S", ProtocolRule::tCCD_S, [](MemSpec& m) { ++m.CCD_S; }},
      {"tCCD_L", ProtocolRule::tCCD_L, [](MemSpec& m) { ++m.CCD_L; }},
      {"tWTR_S", ProtocolRule::tWTR_S, [](MemSpec& m) { ++m.WTR_S; }},
      {"tWTR_L", ProtocolRule::tWTR_L, [](MemSpec& m) { ++m.WTR_L; }},
      {"tRTW via RL", ProtocolRule::tRTW, [](MemSpec& m) { ++m.RL; }},
      {"tRTP", ProtocolRule::tRTP, [](MemSpec& m) { ++m.RTP; }},
      {"tWR", ProtocolRule::tWR, [](MemSpec& m) { ++m.WR; }},
      {"tRFC", ProtocolRule::tRFC, [](MemSpec& m) { ++m.RFC; }},
  };
  const MemSpec ddr4 = ddr4_2400_jedec_4Gb_x8();
  ControllerConfig open;
  open.page_policy = PagePolicy::Open;
  open.scheduler = SchedulerPolicy::FrFcfsGrp;
  open.scheduler_buffer = SchedulerBuffer::Shared;
  open.refresh_policy = RefreshPolicy::AllBank;
  const std::vector<IssuedCommand> stream =
      record(SimConfig{ddr4, bank_group_interleaved_mapping(ddr4), open},
             workload_named("gen-mixed-r0.5"));
  REQUIRE(stream.size() > 4000);
  {
    const ProtocolChecker clean = replay(ddr4, stream);
    INFO(clean.summary());
    REQUIRE(clean.ok());
  }
  for (const Case& c : cases) {
    MemSpec slower = ddr4;
    c.slow_down(slower);
    const ProtocolChecker checker = replay(slower, stream);
    INFO(c.what << ": " << checker.summary(3));
    CHECK(checker.count(c.rule) > 0);
  }

  // Two ranks: the data-bus rank switch binds too.
  MemSpec two = ddr4;
  two.ranks = 2;
  const std::vector<IssuedCommand> two_rank_stream =
      record(SimConfig{two, bank_group_interleaved_mapping(two), open},
             workload_named("gen-random-r0.5"));
  REQUIRE(replay(two, two_rank_stream).ok());
  MemSpec slower_switch = two;
  ++slower_switch.RTRS;
  const ProtocolChecker checker = replay(slower_switch, two_rank_stream);
  INFO("tRTRS: " << checker.summary(3));
  CHECK(checker.count(ProtocolRule::tRTRS) > 0);
}

// Faults injected into a real command stream are caught with the right rule.
TEST_CASE("protocol fuzz: faults injected into a real command stream are caught",
          "[dram][checker][fuzz]") {
  const MemSpec ddr3 = ddr3_1600_micron_1Gb_x8();
  ControllerConfig cfg;
  cfg.page_policy = PagePolicy::Open;
  cfg.refresh_policy = RefreshPolicy::AllBank;
  const std::vector<IssuedCommand> stream =
      record(SimConfig{ddr3, ddr3_rbc_mapping(), cfg}, workload_named("random"));
  REQUIRE(replay(ddr3, stream).ok());

  SplitMix rng{7};
  auto pick = [&](auto wanted) {
    for (;;) {
      const std::size_t i = static_cast<std::size_t>(rng.below(static_cast<int>(stream.size())));
      if (wanted(i)) return i;
    }
  };
  for (int trial = 0; trial < 20; ++trial) {
    // A CAS to another row than the open one.
    {
      std::vector<IssuedCommand> s = stream;
      const std::size_t i = pick([&](std::size_t k) { return is_cas(s[k].command); });
      s[i].row = (s[i].row + 1) % ddr3.rows;
      const ProtocolChecker checker = replay(ddr3, s);
      INFO(checker.summary(3));
      CHECK(checker.count(ProtocolRule::CasWrongRow) == 1);
      CHECK(checker.violation_count() == 1);
    }
    // A lost PRE: the bank is still open when it is next activated (or refreshed).
    {
      std::vector<IssuedCommand> s = stream;
      const std::size_t i = pick([&](std::size_t k) {
        if (s[k].command != Command::PRE) return false;
        for (std::size_t j = k + 1; j < s.size(); ++j)
          if (s[j].command == Command::ACT && s[j].bank == s[k].bank) return true;
        return false;
      });
      s.erase(s.begin() + static_cast<std::ptrdiff_t>(i));
      const ProtocolChecker checker = replay(ddr3, s);
      INFO(checker.summary(3));
      CHECK(checker.count(ProtocolRule::ActToOpenBank) + checker.count(ProtocolRule::RefaWithOpenBank) +
                checker.count(ProtocolRule::CasWrongRow) >= 1);
    }
    // Two commands squeezed into one cycle.
    {
      std::vector<IssuedCommand> s = stream;
      const std::size_t i = pick([&](std::size_t k) { return k > 0; });
      s[i].cycle = s[i - 1].cycle;
      const ProtocolChecker checker = replay(ddr3, s);
      INFO(checker.summary(3));
      CHECK(checker.count(ProtocolRule::CommandBus) == 1);
    }
  }
}

// Known answers: peak bandwidth, bandwidth ceilings of streams and random traffic,
// unloaded latencies and refresh counts, on the DDR3-1600 and DDR4-2400 presets.
#include <cmath>
#include <vector>

#include "tests/catch.h"
#include "tests/dram/dram_sim_fixtures.h"

using namespace archgym::dram;
using namespace archgym::dram::testing;

TEST_CASE("DDR4-2400 x64 peak bandwidth is 19.2 GB/s", "[dram][simulator]") {
  SimConfig c = ddr4_config();
  const SimStats s = run(c, std::vector<Request>{{0, 0, false}});
  CHECK(s.peak_bandwidth_GBps == Approx(19.2).epsilon(1e-3));  // 1200 MHz x 2 x 8 B
  CHECK(ddr3_config().memspec.peak_bandwidth_Bps() / 1e9 == Approx(12.8).epsilon(1e-3));
}

TEST_CASE("a sequential read stream over bank groups reaches >= 94 % of peak with refresh",
          "[dram][simulator]") {
  // One request per memory cycle, consecutive bursts in different bank groups, so reads
  // go every tCCD_S = BL/2 = 4 cycles: the data bus is the only limit. Refresh then costs
  // tRFC per tREFI: ceiling 1 - 312/9360 = 96.7 % (the 95.5 % quoted in the issue
  // assumed a different tRFC). We measure 96.3 %: the rest is the PREA/ACT refills
  // around each refresh.
  SimConfig c = ddr4_config();
  c.controller.refresh_policy = RefreshPolicy::AllBank;
  ProtocolChecker checker(c.memspec);
  const SimStats s = run(c, gen(Pattern::Stream, 100000), &checker);
  INFO("utilisation " << s.utilisation << " refreshes " << s.refreshes);
  CHECK(s.utilisation >= 0.94);
  CHECK(s.utilisation <= 1.0 - 312.0 / 9360.0 + 1e-3);
  CHECK(s.refreshes > 0);
  CHECK(s.row_hit_rate > 0.98);
  CHECK(checker.ok());
}

TEST_CASE("utilisation is the data bus's busy fraction, at most 1, on a clock rounded to 1 ps",
          "[dram][simulator]") {
  // Without refresh, a bank-group-interleaved stream keeps the data bus busy from the first
  // burst on. DDR4-2400's tCK is 833 ps (DRAMSys rounds it so), so the bandwidth exceeds the
  // nominal 19.2 GB/s by 0.04%, and bandwidth / nominal peak had read 1.0004.
  SimConfig c = ddr4_config();
  c.controller.refresh_policy = RefreshPolicy::NoRefresh;
  const SimStats s = run(c, gen(Pattern::Stream, 20000));
  INFO("bandwidth " << s.bandwidth_GBps << " utilisation " << s.utilisation);
  CHECK(s.bandwidth_GBps > s.peak_bandwidth_GBps);
  CHECK(s.utilisation <= 1.0);
  CHECK(s.utilisation == Approx(20000.0 * c.memspec.burst_cycles() / static_cast<double>(s.end_cycle)).epsilon(1e-12));
  CHECK(s.utilisation > 0.99);
}

TEST_CASE("uniformly random reads are capped by tFAW near 59 % of peak", "[dram][simulator]") {
  // Every random read misses its row (32768 rows per bank), so each burst needs an ACT.
  // Four ACTs per tFAW = 26 cycles while four bursts need only 16 data cycles: at most
  // 16/26 = 61.5 % of peak, times the refresh factor 0.967 = 59.5 %.
  SimConfig c = ddr4_config();
  const SimStats s = run(c, gen(Pattern::Random, 20000));
  INFO("utilisation " << s.utilisation);
  CHECK(s.utilisation >= 0.55);
  CHECK(s.utilisation <= 0.62);
  CHECK(s.row_hit_rate < 0.01);
}

namespace {
// Two reads to one bank far apart: the first opens the bank, the second is the probe.
// Returns the probe's latency in cycles.
std::int64_t probe_latency(SimConfig c, int probe_row, int probe_column) {
  c.controller.refresh_policy = RefreshPolicy::NoRefresh;
  ResponseLog log;
  std::vector<Request> reqs{{0, addr(c, 0, 0, 5, 0), false},
                            {400, addr(c, 0, 0, probe_row, probe_column), false}};
  run(c, reqs, nullptr, &log);
  REQUIRE(log.cycles.size() == 2);
  // Trace clock = memory clock in both fixtures' DDR4 case; convert for DDR3 (800 MHz both).
  return static_cast<std::int64_t>(log.cycles[1]) - 400;
}
std::int64_t first_latency(SimConfig c) {
  c.controller.refresh_policy = RefreshPolicy::NoRefresh;
  ResponseLog log;
  run(c, std::vector<Request>{{0, addr(c, 0, 0, 5, 0), false}}, nullptr, &log);
  return static_cast<std::int64_t>(log.cycles.at(0));
}
}  // namespace

TEST_CASE("unloaded read latency: hit, closed bank and conflict", "[dram][simulator]") {
  // The controller adds no fixed delay of its own (DRAMSys with ArchGym's zero think,
  // phy and arbitration delays): the ACT goes in the cycle the request arrives and the
  // response leaves when its last data beat does.
  for (const SimConfig& c : {ddr3_config(), ddr4_config()}) {
    const MemSpec& m = c.memspec;
    const int burst = m.burst_length / m.data_rate;
    INFO(m.id);
    CHECK(first_latency(c) == m.RCD + m.RL + burst);
    CHECK(probe_latency(c, 5, 8) == m.RL + burst);                  // row hit
    CHECK(probe_latency(c, 6, 0) == m.RP + m.RCD + m.RL + burst);   // row conflict
  }
  // DRAMSys' idle closed-bank latency for ArchGym's DDR3-1600 is 24 tCK = 30 ns.
  SimConfig c = ddr3_config();
  c.controller.refresh_policy = RefreshPolicy::NoRefresh;
  const SimStats s = run(c, std::vector<Request>{{0, 0x12340, false}});
  CHECK(s.read_latency_avg_ns == Approx(30.0));
  CHECK(s.total_time_ns == Approx(30.0));
}

TEST_CASE("refresh count follows tREFI with AllBank and is zero with NoRefresh",
          "[dram][simulator]") {
  for (const SimConfig& base : {ddr3_config(), ddr4_config()}) {
    SimConfig c = base;
    INFO(c.memspec.id);
    const GeneratorConfig g = gen(Pattern::Stream, 20000, 0.05);  // ~400k cycles
    c.controller.refresh_policy = RefreshPolicy::AllBank;
    const SimStats s = run(c, g);
    const auto expected = static_cast<std::int64_t>(s.end_cycle / c.memspec.REFI);
    INFO("end cycle " << s.end_cycle << " refreshes " << s.refreshes);
    CHECK(expected >= 40);
    CHECK(std::llabs(static_cast<std::int64_t>(s.refreshes) - expected) <= 1);
    CHECK(count(s, Command::REFA) == s.refreshes);
    c.controller.refresh_policy = RefreshPolicy::NoRefresh;
    const SimStats n = run(c, g);
    CHECK(n.refreshes == 0);
    CHECK(count(n, Command::PREA) == 0);
  }
}

TEST_CASE("empty trace and trace with decreasing timestamps", "[dram][simulator]") {
  SimConfig c = ddr3_config();
  const SimStats s = run(c, std::vector<Request>{});
  CHECK(s.requests == 0);
  CHECK(s.end_cycle == 0);
  CHECK(s.bandwidth_GBps == 0);
  CHECK_THROWS_AS(run(c, std::vector<Request>{{10, 0, false}, {5, 64, false}}),
                  std::invalid_argument);
}

TEST_CASE("read latency from the trace time is each read's response time minus its line time",
          "[dram][simulator]") {
  // Known answer from the responses themselves: sum over reads of (response cycle x tCK -
  // trace cycle x trace clock period), over the reads. Writes do not count.
  SimConfig c = ddr3_config();  // tCK 1250 ps
  c.controller.trace_clock_mhz = 400.0;  // a trace clock of 2500 ps, slower than the memory's
  std::vector<Request> requests;
  for (int i = 0; i < 96; ++i) {
    // Bursts of 16 on one trace cycle: the player holds most of each burst while the
    // controller is busy, so those reads wait before they enter the memory system.
    const auto line = static_cast<std::uint64_t>(i / 16 * 40);
    requests.push_back({line, addr(c, 0, i % 8, (i * 7) % 5, (i % 4) * 8), i % 3 == 2});
  }
  ResponseLog log;
  const SimStats s = run(c, requests, nullptr, &log);
  REQUIRE(log.order.size() == requests.size());
  long double sum_ps = 0;
  int reads = 0;
  for (std::size_t k = 0; k < log.order.size(); ++k) {
    const Request& r = requests.at(log.order[k]);
    if (r.is_write) continue;
    sum_ps += static_cast<long double>(log.cycles[k]) * 1250 - static_cast<long double>(r.cycle) * 2500;
    ++reads;
  }
  REQUIRE(reads == 64);
  CHECK(s.read_latency_from_trace_avg_ns == Approx(static_cast<double>(sum_ps / reads / 1000)).epsilon(1e-12));
  // The bursts queue in the player: the wait is part of this latency only.
  CHECK(s.read_latency_from_trace_avg_ns > s.read_latency_avg_ns + 10.0);

  // Unloaded, with lines on memory clock edges, a request enters the memory system at its
  // line time: both latencies are the same.
  std::vector<Request> spaced;
  for (int i = 0; i < 20; ++i)
    spaced.push_back({static_cast<std::uint64_t>(i) * 400, addr(c, 0, i % 8, i % 3, 0), false});
  const SimStats u = run(c, spaced);
  CHECK(u.read_latency_from_trace_avg_ns == Approx(u.read_latency_avg_ns).epsilon(1e-12));
  CHECK(u.read_latency_avg_ns >= 30.0);
}

TEST_CASE("DDR4 fine-granularity refresh: REFM 2 and 4 refresh every tREFI/REFM for tRFC2/tRFC4, legally",
          "[dram][simulator]") {
  const GeneratorConfig g = gen(Pattern::Stream, 20000, 0.05);  // ~400k cycles
  std::uint64_t normal_refreshes = 0;
  for (const int refm : {1, 2, 4}) {
    SimConfig c = ddr4_config();
    c.memspec.REFM = refm;
    const MemSpec& m = c.memspec;
    INFO("REFM " << refm);
    ProtocolChecker checker(m);
    checker.set_refresh_check(RefreshCheckMode::AllBank,
                              ProtocolChecker::max_refresh_gap(m, RefreshCheckMode::AllBank, 0, 0, 2000));
    const SimStats s = run(c, g, &checker);
    INFO(checker.summary());
    CHECK(checker.ok());  // tRFC2/tRFC4 after each REF, and no gap longer than tREFI/REFM
    const auto expected = static_cast<std::int64_t>(s.end_cycle / static_cast<std::uint64_t>(m.REFI / refm));
    CHECK(std::llabs(static_cast<std::int64_t>(s.refreshes) - expected) <= 1);
    if (refm == 1) normal_refreshes = s.refreshes;
    else CHECK(std::llabs(static_cast<std::int64_t>(s.refreshes) - refm * static_cast<std::int64_t>(normal_refreshes)) <= refm);
    // Each refresh costs IDD5 over its own, shorter tRFC (DRAMPower, DRAMSys MemSpecDDR4).
    const int rfc = refm == 4 ? m.RFC4 : refm == 2 ? m.RFC2 : m.RFC;
    const double tck_ns = 1000.0 / m.clock_mhz;
    CHECK(s.energy.refresh_pJ ==
          Approx(static_cast<double>(s.refreshes) * rfc * tck_ns * (m.idd5 - m.idd3n) * m.vdd * m.devices));
  }
}

// Inputs at the edges of what the simulator can represent: each gets a clear error or an
// exact answer, never a hang, silent overflow or unbounded memory (found by a bug bash).
#include <chrono>
#include <string>

#include "tests/catch.h"
#include "tests/dram/dram_sim_fixtures.h"

using namespace archgym::dram;
using namespace archgym::dram::testing;
using Catch::Matchers::Contains;

TEST_CASE("limits: a timestamp whose time in ps would overflow is refused, naming the request") {
  const SimConfig c = ddr3_config();
  // 7.4e15 cycles of 1250 ps overflowed int64: it reported 30 ns and a negative latency.
  CHECK_THROWS_WITH(run(c, {{0, 0, false}, {7378697629483820ull, 64, false}}),
                    Contains("trace request 2 at cycle 7378697629483820 is beyond the simulator's time range") &&
                        Contains("800 MHz trace clock"));
  CHECK_THROWS_WITH(run(c, {{UINT64_MAX, 0, false}}), Contains("trace request 1"));
  // Far in the future but representable: simulated, refreshes and all.
  const SimStats s = run(c, {{1000000, 0, false}});
  CHECK(s.end_cycle > 1000000);
  CHECK(s.refreshes == 1000000 / 6240);
  // An idle gap longer than the progress guard's limit is not a stall.
  const std::uint64_t gap = 2 * static_cast<std::uint64_t>(cycles_without_progress_limit(c.memspec));
  const SimStats idle = run(c, {{0, 0, false}, {gap, 64, false}});
  CHECK(idle.end_cycle > gap);
  CHECK(idle.requests == 2);
}

TEST_CASE("limits: a request more than an hour of simulated time away is refused at once, not simulated") {
  const SimConfig c = ddr3_config();
  CHECK(max_trace_cycle(800) == 2'880'000'000'000ull);  // 3600 s / 1250 ps
  CHECK(max_trace_cycle(1000) == 3'600'000'000'000ull);
  // 1e15 cycles of idle time took hours, refresh by refresh.
  const auto start = std::chrono::steady_clock::now();
  CHECK_THROWS_WITH(run(c, {{0, 0, false}, {1'000'000'000'000'000ull, 64, false}}),
                    Contains("trace request 2 at cycle 1000000000000000 is beyond the simulator's time range") &&
                        Contains("at most cycle 2880000000000 of the 800 MHz trace clock") &&
                        Contains("1 hour of simulated time"));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
  // From 2^63 on a cycle is out of range, not "decreasing" (it was compared as signed).
  CHECK_THROWS_WITH(run(c, {{0, 0, false}, {UINT64_MAX, 64, false}}),
                    Contains("trace request 2 at cycle 18446744073709551615 is beyond"));
}

TEST_CASE("limits: addresses beyond the device are counted, and folded as DRAMSys folds them") {
  const SimConfig c = ddr3_config();  // 1 GiB: address bits 0..29
  CHECK(c.mapping.address_mask() == 0x3fffffffull);
  CHECK(c.mapping.device_bytes() == 0x40000000ull);
  const SimStats s = run(c, {{0, 0x0, false}, {0, 0x40000000ull, false}, {0, 0x8000000000000000ull, false}});
  CHECK(s.requests_beyond_capacity == 2);
  CHECK(s.first_beyond_capacity == 2);
  CHECK(count(s, Command::ACT) == 1);  // all three decode to row 0 of bank 0
  const SimStats inside = run(c, {{0, 0x0, false}, {0, 0x3fffffc0ull, false}});
  CHECK(inside.requests_beyond_capacity == 0);
  CHECK(inside.first_beyond_capacity == 0);
}

TEST_CASE("limits: latencies beyond the dense histogram keep exact statistics") {
  SimConfig c = ddr3_config();
  c.controller.refresh_policy = RefreshPolicy::NoRefresh;
  // One read to a closed bank takes tRCD plus a fixed part: measure it with the real tRCD.
  const double normal = run(c, {{0, 0, false}}).read_latency_max_ns;
  MemSpec& m = c.memspec;
  const double expected = normal + (70000 - m.RCD) * 1.25;  // a latency of ~70000 cycles
  m.RCD = 70000;
  m.RAS = 70000;
  m.RC = m.RAS + m.RP;
  m.REFI = 1 << 24;
  const SimStats one = run(c, {{0, 0, false}});
  CHECK(one.read_latency_avg_ns == Approx(expected));
  CHECK(one.read_latency_p50_ns == Approx(expected));
  CHECK(one.read_latency_max_ns == Approx(expected));
  // Two banks at once: the second ACT waits tRRD.
  const SimStats two = run(c, {{0, addr(c, 0, 0, 0, 0), false}, {0, addr(c, 0, 1, 0, 0), false}});
  CHECK(two.read_latency_p50_ns == Approx(expected));
  CHECK(two.read_latency_max_ns > two.read_latency_p50_ns);
  CHECK(two.read_latency_avg_ns == Approx((two.read_latency_p50_ns + two.read_latency_max_ns) / 2));
}

TEST_CASE("limits: timings that leave no time to serve a request stop with an error, not a hang") {
  SimConfig c = ddr3_config();
  c.memspec.REFI = 89;  // refresh (tRFC 88) pre-empts every activate; the parser refuses this
  const auto start = std::chrono::steady_clock::now();
  CHECK_THROWS_WITH(run(c, {{0, 0, false}, {200, 64, false}}),
                    Contains("made no progress") && Contains("requests outstanding") &&
                        Contains("leave no time to serve a request"));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(60));
  CHECK(cycles_without_progress_limit(c.memspec) == 1024 * 65536);
}

// WriteDrain=Watermark (DRAMsim3-style write batching): reads are served until the queued
// writes reach the high watermark, then the writes drain in a batch down to the low one.
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/catch.h"
#include "tests/dram/dram_sim_fixtures.h"

using namespace archgym::dram;
using namespace archgym::dram::testing;

namespace {

// The direction of every CAS, in issue order.
struct CasLog final : CommandObserver {
  std::vector<bool> writes;
  void on_command(const IssuedCommand& c) override {
    if (is_cas(c.command)) writes.push_back(c.command == Command::WR || c.command == Command::WRA);
  }
  void on_finish(std::uint64_t) override {}
  int turnarounds() const {
    int n = 0;
    for (std::size_t i = 1; i < writes.size(); ++i) n += writes[i] != writes[i - 1];
    return n;
  }
  // Lengths of the runs of consecutive writes.
  std::vector<int> write_runs() const {
    std::vector<int> runs;
    int run = 0;
    for (bool w : writes) {
      if (w) ++run;
      else if (run > 0) runs.push_back(run), run = 0;
    }
    if (run > 0) runs.push_back(run);
    return runs;
  }
};

SimConfig mixed_config(WriteDrainPolicy policy) {
  SimConfig c = ddr4_config();
  c.controller.scheduler_buffer = SchedulerBuffer::ReadWrite;
  c.controller.request_buffer_size = 32;
  c.controller.write_drain = policy;
  c.controller.write_high_watermark = 32;
  c.controller.write_low_watermark = 8;
  return c;
}

}  // namespace

TEST_CASE("WriteDrain=Watermark batches writes: fewer read/write turnarounds, same requests",
          "[dram][knobs][drain]") {
  const GeneratorConfig g = gen(Pattern::Random, 6000, 1.0, 0.5, 3);
  CasLog none_log, drain_log;
  const SimStats none = run(mixed_config(WriteDrainPolicy::None), g, &none_log);
  const SimStats drain = run(mixed_config(WriteDrainPolicy::Watermark), g, &drain_log);
  REQUIRE(drain.requests == 6000);
  REQUIRE(drain_log.writes.size() == 6000);
  CHECK(drain.writes == none.writes);
  // Batches of about high - low = 24 writes instead of interleaving (measured: 238
  // turnarounds against 653, and 118 of 119 write runs at least 16 long).
  CHECK(drain_log.turnarounds() * 2 < none_log.turnarounds());
  const auto runs = drain_log.write_runs();
  REQUIRE(runs.size() > 10);
  int long_runs = 0;
  for (std::size_t i = 0; i + 1 < runs.size(); ++i) long_runs += runs[i] >= 16;
  CHECK(long_runs * 10 >= static_cast<int>(runs.size() - 1) * 9);
  int long_runs_none = 0;
  for (int r : none_log.write_runs()) long_runs_none += r >= 16;
  CHECK(long_runs_none * 2 < long_runs);
}

TEST_CASE("WriteDrain=Watermark serves writes below the low watermark once nothing else comes",
          "[dram][knobs][drain]") {
  SimConfig c = mixed_config(WriteDrainPolicy::Watermark);
  // Three writes (below the low watermark of 8) and nothing after them.
  std::vector<Request> r;
  for (int i = 0; i < 3; ++i) r.push_back({static_cast<std::uint64_t>(i), addr(c, i, 0, 5, 0), true});
  const SimStats s = run(c, r);
  CHECK(s.requests == 3);
  CHECK(count(s, Command::WR) + count(s, Command::WRA) == 3);
  // A read-only trace is unaffected by the policy.
  const GeneratorConfig g = gen(Pattern::Random, 2000);
  const SimStats a = run(mixed_config(WriteDrainPolicy::None), g);
  const SimStats b = run(mixed_config(WriteDrainPolicy::Watermark), g);
  CHECK(a.end_cycle == b.end_cycle);
  CHECK(a.read_latency_avg_ns == b.read_latency_avg_ns);
}

TEST_CASE("WriteDrain knobs: names and ranges", "[dram][knobs][drain]") {
  ControllerConfig c;
  set_knob(c, "WriteDrain", "Watermark");
  set_knob(c, "WriteHighWatermark", "16");
  set_knob(c, "WriteLowWatermark", "4");
  CHECK(c.write_drain == WriteDrainPolicy::Watermark);
  CHECK(c.write_high_watermark == 16);
  CHECK(c.write_low_watermark == 4);
  CHECK_NOTHROW(validate(c, ddr3_1600_micron_1Gb_x8()));
  try {
    set_knob(c, "WriteDrain", "Always");
    FAIL("accepted WriteDrain=Always");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()).find("None, Watermark") != std::string::npos);
  }
  c.write_low_watermark = 16;
  try {
    validate(c, ddr3_1600_micron_1Gb_x8());
    FAIL("accepted WriteLowWatermark = WriteHighWatermark");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()) == "WriteLowWatermark = 16 is out of range (allowed: 0..15)");
  }
}

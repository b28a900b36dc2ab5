// WriteDrain=Watermark (DRAMsim3-style write batching): reads are served until the queued
// writes reach the high watermark, then the writes drain in a batch down to the low one.
// WriteDrain=CommandQueue (DRAMsim3's controller): requests are committed from the buffer
// into per-bank command queues (CommandQueueDepth, 8 as in DRAMsim3); writes only by a drain, which commits every write
// waiting at its trigger while no read is committed.
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

// "r"/"w" per CAS, in issue order.
struct CasString final : CommandObserver {
  std::string cas;
  void on_command(const IssuedCommand& c) override {
    if (is_cas(c.command)) cas += c.command == Command::WR || c.command == Command::WRA ? 'w' : 'r';
  }
  void on_finish(std::uint64_t) override {}
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

TEST_CASE("WriteDrain=CommandQueue commits a whole batch of writes, and later reads queue behind it",
          "[dram][knobs][drain]") {
  // 8 reads to bank group 1, then 12 writes to bank group 0 (a command queue takes 8 of
  // them at once), then 40 more reads to bank group 1; one request per cycle, high
  // watermark 12.
  auto trace = [](const SimConfig& c) {
    std::vector<Request> r;
    std::uint64_t t = 0;
    for (int i = 0; i < 8; ++i) r.push_back({t++, addr(c, 1, 0, 7, 100 + i), false});
    for (int i = 0; i < 12; ++i) r.push_back({t++, addr(c, 0, 0, 5, i), true});
    for (int i = 0; i < 40; ++i) r.push_back({t++, addr(c, 1, 0, 7, i), false});
    return r;
  };
  SimConfig c = mixed_config(WriteDrainPolicy::CommandQueue);
  c.controller.write_high_watermark = 12;
  CasString cq;
  const SimStats s = run(c, trace(c), &cq);
  CHECK(s.requests == 60);
  // The 12th write starts the drain; it commits all 12 (4 of them as the bank's queue makes
  // room), and the reads that arrived meanwhile are committed only after that.
  CHECK(cq.cas == std::string(8, 'r') + std::string(12, 'w') + std::string(40, 'r'));
  // Watermark serves the batch only down to the low watermark (8) and keeps the rest
  // hidden until the reads are done.
  c.controller.write_drain = WriteDrainPolicy::Watermark;
  CasString wm;
  run(c, trace(c), &wm);
  CHECK(wm.cas.substr(wm.cas.size() - 8) == std::string(8, 'w'));
}

TEST_CASE("WriteDrain=CommandQueue: the buffer holds waiting requests, the command queues 8 more per bank",
          "[dram][knobs][drain]") {
  // 16 reads to 16 banks, each to a closed row, through a buffer of 1. Without command
  // queues each read waits in the buffer until the previous one's CAS (one ACT-to-RD at a
  // time); with them every read is committed on arrival and the activates overlap.
  SimConfig c = mixed_config(WriteDrainPolicy::None);
  c.controller.request_buffer_size = 1;
  std::vector<Request> r;
  for (int i = 0; i < 16; ++i) r.push_back({static_cast<std::uint64_t>(i), addr(c, i % 4, i / 4, 10 + i, 0), false});
  const SimStats none = run(c, r);
  c.controller.write_drain = WriteDrainPolicy::CommandQueue;
  const SimStats cq = run(c, r);
  CHECK(none.requests == 16);
  CHECK(cq.requests == 16);
  CHECK(count(cq, Command::ACT) == 16);
  // Measured: 291 cycles against 126.
  CHECK(cq.end_cycle * 2 < none.end_cycle);
}

TEST_CASE("WriteDrain=CommandQueue serves writes below the low watermark once nothing else comes",
          "[dram][knobs][drain]") {
  SimConfig c = mixed_config(WriteDrainPolicy::CommandQueue);
  std::vector<Request> r;
  for (int i = 0; i < 3; ++i) r.push_back({static_cast<std::uint64_t>(i), addr(c, i, 0, 5, 0), true});
  const SimStats s = run(c, r);
  CHECK(s.requests == 3);
  CHECK(count(s, Command::WR) + count(s, Command::WRA) == 3);
  // A mixed random stream is served completely, with every knob of the drain in play.
  const GeneratorConfig g = gen(Pattern::Random, 6000, 1.0, 0.5, 3);
  const SimStats m = run(c, g);
  const SimStats none = run(mixed_config(WriteDrainPolicy::None), g);
  CHECK(m.requests == 6000);
  CHECK(m.writes == none.writes);
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
    CHECK(std::string(e.what()) ==
          "WriteDrain: unknown value 'Always' (allowed: None, Watermark, CommandQueue)");
  }
  set_knob(c, "WriteDrain", "CommandQueue");
  CHECK(c.write_drain == WriteDrainPolicy::CommandQueue);
  CHECK(enum_name(c.write_drain) == "CommandQueue");
  c.write_low_watermark = 16;  // the watermarks are checked for CommandQueue too
  try {
    validate(c, ddr3_1600_micron_1Gb_x8());
    FAIL("accepted WriteLowWatermark = WriteHighWatermark");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()) ==
          "WriteLowWatermark = 16 must be below WriteHighWatermark = 16 (the drain runs from the high "
          "watermark down to the low one)");
  }
  c.write_low_watermark = 8;
  CHECK(c.command_queue_depth == 8);  // DRAMsim3's cmd_queue_size
  set_knob(c, "CommandQueueDepth", "2");
  CHECK(c.command_queue_depth == 2);
  CHECK_NOTHROW(validate(c, ddr3_1600_micron_1Gb_x8()));
  c.command_queue_depth = 0;
  try {
    validate(c, ddr3_1600_micron_1Gb_x8());
    FAIL("accepted CommandQueueDepth = 0");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()) == "CommandQueueDepth = 0 is out of range (allowed: 1..65536)");
  }
  c.write_drain = WriteDrainPolicy::None;  // the depth matters only with CommandQueue
  CHECK_NOTHROW(validate(c, ddr3_1600_micron_1Gb_x8()));
}

TEST_CASE("CommandQueue: deeper command queues look further ahead", "[dram][drain]") {
  // Saturated sequential reads fill one row of one bank at a time; the next bank's row can
  // be opened early only if its requests are already committed, so the look-ahead (buffer
  // plus command queues) sets the bandwidth. Here 14.49 / 15.08 GB/s at depth 2 / 8; DRAMsim3
  // with cmd_queue_size 2 / 8 on its 100k-request seq_read: 14.47 / 15.02 (docs/validation.md).
  // DRAMsim3's device and row-major mapping (docs/validation.md), one request per cycle.
  const std::string dir = std::string(ARCHGYM_SOURCE_DATA_DIR) + "/dram/";
  SimConfig c = mixed_config(WriteDrainPolicy::CommandQueue);
  c.memspec = load_memspec(dir + "memspecs/DDR4-2400_8Gb_x8_dramsim3.json");
  c.mapping = load_address_mapping(dir + "addressmaps/am_ddr4_8Gbx8_dramsim3_rochrababgco.json");
  c.controller.trace_clock_mhz = 1200;
  const GeneratorConfig g = gen(Pattern::Stream, 20000);
  const SimStats default_depth = run(c, g);
  c.controller.command_queue_depth = 8;
  const SimStats depth8 = run(c, g);
  c.controller.command_queue_depth = 2;
  const SimStats depth2 = run(c, g);
  c.controller.command_queue_depth = 32;
  const SimStats depth32 = run(c, g);
  CHECK(depth8.end_cycle == default_depth.end_cycle);
  CHECK(depth2.bandwidth_GBps == Approx(14.49).margin(0.005));  // the figures docs/validation.md quotes
  CHECK(depth8.bandwidth_GBps == Approx(15.08).margin(0.005));
  CHECK(depth2.bandwidth_GBps < depth8.bandwidth_GBps);
  CHECK(depth8.bandwidth_GBps <= depth32.bandwidth_GBps);
  CHECK(depth2.requests == 20000);
  CHECK(depth32.requests == 20000);
}

TEST_CASE("CommandQueue with FrFcfsGrp: a read never passes an older write to its address", "[dram][drain]") {
  // FrFcfsGrp prefers row hits in the direction of the last CAS, but not past an older
  // request to the same address (DRAMSys' read-after-write hazard): with reads and
  // drained writes both committed, the read of column 8 must wait for the write before it.
  SimConfig c = mixed_config(WriteDrainPolicy::CommandQueue);
  c.controller.scheduler = SchedulerPolicy::FrFcfsGrp;
  c.controller.write_high_watermark = 1;  // the write is committed as it arrives
  c.controller.write_low_watermark = 0;
  const std::vector<Request> r = {{0, addr(c, 0, 0, 5, 0), false},
                                  {1, addr(c, 0, 0, 5, 8), true},
                                  {2, addr(c, 0, 0, 5, 8), false},
                                  {3, addr(c, 0, 0, 5, 16), false}};
  struct Cas final : CommandObserver {
    std::string order;  // "r0 w8 ..." per CAS
    void on_command(const IssuedCommand& cmd) override {
      if (!is_cas(cmd.command)) return;
      const bool w = cmd.command == Command::WR || cmd.command == Command::WRA;
      order += (order.empty() ? "" : " ") + std::string(w ? "w" : "r") + std::to_string(cmd.column);
    }
    void on_finish(std::uint64_t) override {}
  } cas;
  ProtocolChecker checker(c.memspec);
  struct Both final : CommandObserver {
    CommandObserver *a, *b;
    void on_command(const IssuedCommand& cmd) override { a->on_command(cmd), b->on_command(cmd); }
    void on_finish(std::uint64_t end) override { a->on_finish(end), b->on_finish(end); }
  } both;
  both.a = &cas;
  both.b = &checker;
  run(c, r, &both);
  INFO(checker.summary());
  CHECK(checker.ok());
  // The read of column 16 may pass the write (another address); the read of 8 may not.
  CHECK(cas.order == "r0 r16 w8 r8");
}

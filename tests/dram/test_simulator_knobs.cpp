// Each controller knob changes behaviour in the expected direction on a trace built to
// show it (DDR3-1600 preset with ArchGym's rbc mapping unless noted).
#include <algorithm>
#include <vector>

#include "tests/catch.h"
#include "tests/dram/dram_sim_fixtures.h"

using namespace archgym::dram;
using namespace archgym::dram::testing;

namespace {

// Alternating rows A, B in bank 0 (column advancing): every request conflicts with the
// previous one unless the scheduler groups the row hits.
std::vector<Request> bank_conflict_trace(const SimConfig& c, int n) {
  std::vector<Request> r;
  for (int i = 0; i < n; ++i)
    r.push_back({static_cast<std::uint64_t>(i), addr(c, 0, 0, i % 2 == 0 ? 10 : 20, (i / 2 % 128) * 8),
                 false});
  return r;
}

bool same_stats(const SimStats& a, const SimStats& b) {
  return a.end_cycle == b.end_cycle && a.read_latency_avg_ns == b.read_latency_avg_ns &&
         a.read_latency_p99_ns == b.read_latency_p99_ns && a.row_hit_rate == b.row_hit_rate &&
         std::equal(std::begin(a.command_counts), std::end(a.command_counts),
                    std::begin(b.command_counts)) &&
         a.energy.total_pJ == b.energy.total_pJ;
}

}  // namespace

TEST_CASE("PagePolicy: Closed opens a row per request on a stream, Open keeps it", "[dram][knobs]") {
  SimConfig c = ddr3_config();
  const GeneratorConfig g = gen(Pattern::Stream, 4000);
  c.controller.page_policy = PagePolicy::Open;
  const SimStats open = run(c, g);
  c.controller.page_policy = PagePolicy::Closed;
  const SimStats closed = run(c, g);
  CHECK(count(closed, Command::ACT) > 10 * count(open, Command::ACT));
  CHECK(count(closed, Command::RDA) == 4000);
  CHECK(count(closed, Command::RD) == 0);
  CHECK(closed.row_hit_rate < 0.01);
  CHECK(open.row_hit_rate > 0.95);
  // The adaptive policies sit in between on a stream: they keep rows open while more
  // hits are queued.
  c.controller.page_policy = PagePolicy::ClosedAdaptive;
  const SimStats ca = run(c, g);
  CHECK(count(ca, Command::ACT) < count(closed, Command::ACT));
  c.controller.page_policy = PagePolicy::OpenAdaptive;
  const SimStats oa = run(c, g);
  CHECK(oa.row_hit_rate > 0.9);
}

TEST_CASE("Scheduler: FrFcfs groups row hits on a bank-conflict trace, Fifo does not",
          "[dram][knobs]") {
  SimConfig c = ddr3_config();
  const auto trace = bank_conflict_trace(c, 2000);
  c.controller.scheduler = SchedulerPolicy::Fifo;
  const SimStats fifo = run(c, trace);
  c.controller.scheduler = SchedulerPolicy::FrFcfs;
  const SimStats fr = run(c, trace);
  c.controller.scheduler = SchedulerPolicy::FrFcfsGrp;
  const SimStats grp = run(c, trace);
  INFO("ACT fifo " << count(fifo, Command::ACT) << " frfcfs " << count(fr, Command::ACT));
  CHECK(count(fifo, Command::ACT) >= 1990);  // every request conflicts
  CHECK(count(fr, Command::ACT) < count(fifo, Command::ACT) / 2);
  CHECK(fr.end_cycle < fifo.end_cycle);
  CHECK(count(grp, Command::ACT) < count(fifo, Command::ACT) / 2);
}

TEST_CASE("RequestBufferSize 1 makes the scheduler and its buffer irrelevant", "[dram][knobs]") {
  // Every buffer then admits a request only when it holds none (Bankwise looks at the bank
  // of the last one stored, which is the one held), so each bank machine sees at most one
  // candidate. archgym-dram refuses Scheduler and SchedulerBuffer there (check_knobs_take_effect).
  SimConfig c = ddr3_config();
  c.controller.request_buffer_size = 1;
  const auto conflicts = bank_conflict_trace(c, 1000);
  const GeneratorConfig mixed = gen(Pattern::Mixed, 2000, 0.5, 0.5, 3);
  for (auto drain : {WriteDrainPolicy::None, WriteDrainPolicy::Watermark}) {
    c.controller.write_drain = drain;
    c.controller.write_high_watermark = 4;
    c.controller.write_low_watermark = 1;
    std::vector<SimStats> on_conflicts, on_mixed;
    for (auto s : {SchedulerPolicy::Fifo, SchedulerPolicy::FrFcfs, SchedulerPolicy::FrFcfsGrp})
      for (auto b : {SchedulerBuffer::Bankwise, SchedulerBuffer::ReadWrite, SchedulerBuffer::Shared}) {
        c.controller.scheduler = s;
        c.controller.scheduler_buffer = b;
        on_conflicts.push_back(run(c, conflicts));
        on_mixed.push_back(run(c, mixed));
      }
    INFO("write drain " << enum_name(drain));
    for (const SimStats& r : on_conflicts) CHECK(same_stats(r, on_conflicts.front()));
    for (const SimStats& r : on_mixed) CHECK(same_stats(r, on_mixed.front()));
    CHECK(count(on_mixed.front(), Command::WR) > 900);
  }
  // With a command-queue drain the buffer feeds per-bank command queues that hold several
  // requests, so the scheduler counts again (the buffer still does not).
  c.controller.write_drain = WriteDrainPolicy::CommandQueue;
  c.controller.scheduler = SchedulerPolicy::Fifo;
  const SimStats fifo = run(c, mixed);
  c.controller.scheduler = SchedulerPolicy::FrFcfsGrp;
  const SimStats grouped = run(c, mixed);
  CHECK_FALSE(same_stats(fifo, grouped));
  c.controller.scheduler_buffer = SchedulerBuffer::ReadWrite;
  CHECK(same_stats(run(c, mixed), grouped));
}

TEST_CASE("a larger request buffer gives more bandwidth on random traffic", "[dram][knobs]") {
  SimConfig c = ddr3_config();
  c.controller.scheduler_buffer = SchedulerBuffer::Shared;
  const GeneratorConfig g = gen(Pattern::Random, 3000);
  double previous = 0;
  for (int size : {1, 2, 4, 8, 16}) {
    c.controller.request_buffer_size = size;
    const SimStats s = run(c, g);
    INFO("size " << size << " bandwidth " << s.bandwidth_GBps);
    CHECK(s.bandwidth_GBps > previous);
    previous = s.bandwidth_GBps;
  }
}

TEST_CASE("SchedulerBuffer: ReadWrite admits up to N of each direction", "[dram][knobs]") {
  // Mixed reads and writes to random banks: ReadWrite holds up to 2N requests, Shared N.
  SimConfig c = ddr3_config();
  c.controller.request_buffer_size = 2;
  const GeneratorConfig g = gen(Pattern::Random, 3000, 1.0, 0.5);
  c.controller.scheduler_buffer = SchedulerBuffer::Shared;
  const SimStats shared = run(c, g);
  c.controller.scheduler_buffer = SchedulerBuffer::ReadWrite;
  const SimStats rw = run(c, g);
  CHECK(rw.end_cycle < shared.end_cycle);
}

TEST_CASE("RespQueue: Reorder returns responses in request order, Fifo may not",
          "[dram][knobs]") {
  // FrFcfs serves the row hits of the bank-conflict trace out of order.
  SimConfig c = ddr3_config();
  const auto trace = bank_conflict_trace(c, 400);
  c.controller.resp_queue = RespQueuePolicy::Fifo;
  ResponseLog fifo;
  run(c, trace, nullptr, &fifo);
  c.controller.resp_queue = RespQueuePolicy::Reorder;
  ResponseLog reorder;
  run(c, trace, nullptr, &reorder);
  REQUIRE(reorder.order.size() == trace.size());
  CHECK(std::is_sorted(reorder.order.begin(), reorder.order.end()));
  CHECK_FALSE(std::is_sorted(fifo.order.begin(), fifo.order.end()));
}

TEST_CASE("PowerDownPolicy: Staggered lowers the power of a sparse trace", "[dram][knobs]") {
  SimConfig c = ddr3_config();
  const GeneratorConfig g = gen(Pattern::Random, 300, 0.002);  // one request per 500 cycles
  ProtocolChecker checker(c.memspec);
  c.controller.power_down = PowerDownPolicy::NoPowerDown;
  const SimStats awake = run(c, g);
  c.controller.power_down = PowerDownPolicy::Staggered;
  const SimStats pd = run(c, g, &checker);
  INFO(checker.summary());
  CHECK(checker.ok());
  CHECK(count(pd, Command::PDEP) + count(pd, Command::PDEA) > 100);
  CHECK(pd.average_power_W() < 0.9 * awake.average_power_W());
  // Waking up costs latency (tXP), but only a little.
  CHECK(pd.read_latency_avg_ns > awake.read_latency_avg_ns);
  CHECK(pd.read_latency_avg_ns < awake.read_latency_avg_ns + 20);

  // Much sparser (one request per 20000 cycles, tREFI = 6240): refreshes fall into idle
  // precharge power-down, which DRAMSys turns into self-refresh (SREFEN ... SREFEX + REFA).
  const GeneratorConfig sparse = gen(Pattern::Random, 30, 1.0 / 20000);
  ProtocolChecker checker2(c.memspec);
  const SimStats sr = run(c, sparse, &checker2);
  INFO(checker2.summary());
  CHECK(checker2.ok());
  CHECK(count(sr, Command::SREFEN) > 0);
  CHECK(count(sr, Command::SREFEX) == count(sr, Command::SREFEN));
  c.controller.power_down = PowerDownPolicy::NoPowerDown;
  const SimStats sr_awake = run(c, sparse);
  CHECK(sr.average_power_W() < 0.6 * sr_awake.average_power_W());
}

TEST_CASE("RefreshPolicy: PerBank refreshes banks one at a time, AllBank the whole rank",
          "[dram][knobs]") {
  SimConfig c = ddr3_config();
  const GeneratorConfig g = gen(Pattern::Random, 8000, 0.05);  // ~160k cycles
  ProtocolChecker checker(c.memspec);
  c.controller.refresh_policy = RefreshPolicy::AllBank;
  const SimStats all = run(c, g);
  c.controller.refresh_policy = RefreshPolicy::PerBank;
  const SimStats per = run(c, g, &checker);
  INFO(checker.summary());
  CHECK(checker.ok());
  CHECK(count(per, Command::REFA) == 0);
  CHECK(count(all, Command::REFB) == 0);
  const double ratio = static_cast<double>(count(per, Command::REFB)) / count(all, Command::REFA);
  CHECK(ratio == Approx(c.memspec.banks).epsilon(0.1));
  // A per-bank refresh blocks one bank for tRFCpb, not all of them for tRFC.
  CHECK(per.read_latency_max_ns < all.read_latency_max_ns);
}

TEST_CASE("RefreshMaxPostponed lets busy periods postpone refreshes", "[dram][knobs]") {
  SimConfig c = ddr3_config();
  const GeneratorConfig g = gen(Pattern::Random, 20000);
  c.controller.refresh_max_postponed = 0;
  const SimStats forced = run(c, g);
  c.controller.refresh_max_postponed = 8;
  const SimStats flexible = run(c, g);
  // Saturated all the time: with postponement allowed, refreshes pile up to the limit
  // (then are forced), so the run ends with all 8 still owed.
  CHECK(forced.refreshes == 20);
  CHECK(forced.refreshes - flexible.refreshes == 8);
}

TEST_CASE("MaxActiveTransactions: ignored by the Simple arbiter, limits the Fifo arbiter",
          "[dram][knobs]") {
  SimConfig c = ddr3_config();
  const GeneratorConfig g = gen(Pattern::Random, 2000);
  c.controller.arbiter = ArbiterPolicy::Simple;
  c.controller.max_active_transactions = 1;
  const SimStats simple1 = run(c, g);
  c.controller.max_active_transactions = 128;
  const SimStats simple128 = run(c, g);
  CHECK(same_stats(simple1, simple128));
  for (auto arb : {ArbiterPolicy::Fifo, ArbiterPolicy::Reorder}) {
    c.controller.arbiter = arb;
    c.controller.max_active_transactions = 1;
    const SimStats one = run(c, g);
    c.controller.max_active_transactions = 64;
    const SimStats many = run(c, g);
    INFO("arbiter " << enum_name(arb));
    CHECK(one.end_cycle > 2 * many.end_cycle);
    // One transaction at a time: every read sees the unloaded latency or a refresh.
    CHECK(one.read_latency_p50_ns <= 45.0);
  }
}

TEST_CASE("same inputs give identical statistics", "[dram][knobs]") {
  SimConfig c = ddr3_config();
  c.controller.scheduler = SchedulerPolicy::FrFcfsGrp;
  c.controller.power_down = PowerDownPolicy::Staggered;
  const GeneratorConfig g = gen(Pattern::Mixed, 5000, 0.5, 0.7, 42);
  const SimStats a = run(c, g);
  const SimStats b = run(c, g);
  CHECK(same_stats(a, b));
  CHECK(a.read_latency_p50_ns == b.read_latency_p50_ns);
  CHECK(a.energy.average_power_mW == b.energy.average_power_mW);
}

// Every command the controller issues must obey every JEDEC rule: replay the command
// stream of many knob combinations (reads and writes mixed, DDR3 and DDR4) through the
// independent protocol checker, including its refresh-interval check.
#include <string>

#include "tests/catch.h"
#include "tests/dram/dram_sim_fixtures.h"

using namespace archgym::dram;
using namespace archgym::dram::testing;

namespace {

void check_clean(const SimConfig& c, const GeneratorConfig& g, const std::string& label) {
  ProtocolChecker checker(c.memspec);
  const ControllerConfig& k = c.controller;
  if (k.refresh_policy != RefreshPolicy::NoRefresh) {
    const RefreshCheckMode mode = k.refresh_policy == RefreshPolicy::AllBank
                                      ? RefreshCheckMode::AllBank
                                      : RefreshCheckMode::PerBank;
    checker.set_refresh_check(
        mode, ProtocolChecker::max_refresh_gap(c.memspec, mode, k.refresh_max_postponed,
                                               k.refresh_max_pulledin, 2000));
  }
  const SimStats s = run(c, g, &checker);
  INFO(label << "\n" << checker.summary());
  CHECK(checker.ok());
  CHECK(s.requests == g.requests);
  CHECK(s.reads + s.writes == s.requests);
  CHECK(count(s, Command::RD) + count(s, Command::RDA) == s.reads);
  CHECK(count(s, Command::WR) + count(s, Command::WRA) == s.writes);
}

std::string describe(const ControllerConfig& k) {
  return std::string(enum_name(k.page_policy)) + "/" + std::string(enum_name(k.scheduler)) + "/" +
         std::string(enum_name(k.scheduler_buffer)) + "/" + std::to_string(k.request_buffer_size) +
         "/" + std::string(enum_name(k.resp_queue)) + "/" + std::string(enum_name(k.refresh_policy)) +
         " P" + std::to_string(k.refresh_max_postponed) + " Q" +
         std::to_string(k.refresh_max_pulledin) + "/" + std::string(enum_name(k.arbiter)) + "/" +
         std::to_string(k.max_active_transactions) + "/" + std::string(enum_name(k.power_down));
}

}  // namespace

TEST_CASE("protocol: page policy x scheduler x buffer, mixed reads and writes",
          "[dram][protocol]") {
  for (const SimConfig& base : {ddr3_config(), ddr4_config()}) {
    SimConfig c = base;
    const GeneratorConfig g = gen(Pattern::Mixed, 1200, 0.5, 0.6, 7);
    for (auto p : {PagePolicy::Open, PagePolicy::OpenAdaptive, PagePolicy::Closed,
                   PagePolicy::ClosedAdaptive})
      for (auto s : {SchedulerPolicy::Fifo, SchedulerPolicy::FrFcfs, SchedulerPolicy::FrFcfsGrp})
        for (auto b : {SchedulerBuffer::Bankwise, SchedulerBuffer::ReadWrite, SchedulerBuffer::Shared}) {
          c.controller.page_policy = p;
          c.controller.scheduler = s;
          c.controller.scheduler_buffer = b;
          check_clean(c, g, c.memspec.id + " " + describe(c.controller));
        }
  }
}

TEST_CASE("protocol: refresh, power-down, arbiter and response queue", "[dram][protocol]") {
  for (const SimConfig& base : {ddr3_config(), ddr4_config()}) {
    SimConfig c = base;
    // Bursty: dense phases and long gaps, so refresh flexibility and power-down both act.
    const GeneratorConfig g = gen(Pattern::Mixed, 1500, 0.02, 0.7, 3);
    for (auto r : {RefreshPolicy::NoRefresh, RefreshPolicy::AllBank, RefreshPolicy::PerBank})
      for (int flex : {0, 4})
        for (auto pd : {PowerDownPolicy::NoPowerDown, PowerDownPolicy::Staggered})
          for (auto a : {ArbiterPolicy::Simple, ArbiterPolicy::Fifo, ArbiterPolicy::Reorder})
            for (auto q : {RespQueuePolicy::Fifo, RespQueuePolicy::Reorder}) {
              c.controller.refresh_policy = r;
              c.controller.refresh_max_postponed = flex;
              c.controller.refresh_max_pulledin = flex;
              c.controller.power_down = pd;
              c.controller.arbiter = a;
              c.controller.max_active_transactions = 4;
              c.controller.resp_queue = q;
              check_clean(c, g, c.memspec.id + " " + describe(c.controller));
            }
  }
}

TEST_CASE("protocol: saturated random traffic with deep buffers", "[dram][protocol]") {
  for (const SimConfig& base : {ddr3_config(), ddr4_config()}) {
    SimConfig c = base;
    c.controller.request_buffer_size = 64;
    c.controller.refresh_max_postponed = 8;
    c.controller.refresh_max_pulledin = 8;
    for (auto p : {PagePolicy::Open, PagePolicy::ClosedAdaptive})
      for (auto b : {SchedulerBuffer::Bankwise, SchedulerBuffer::Shared}) {
        c.controller.page_policy = p;
        c.controller.scheduler_buffer = b;
        check_clean(c, gen(Pattern::Random, 15000, 1.0, 0.5, 11),
                    c.memspec.id + " " + describe(c.controller));
      }
  }
}

TEST_CASE("protocol: power-down entries after the other kind's exit respect a long tCKE", "[dram][protocol]") {
  // With the shipped tCKE (3-6 cycles) tXP, tRP and tREFPDEN hide it; with 20-48 the
  // controller entered precharge power-down right after an active power-down exit (and the
  // reverse) before tCKE had passed.
  for (int cke : {20, 48})
    for (const SimConfig& base : {ddr3_config(), ddr4_config()}) {
      SimConfig c = base;
      c.memspec.CKE = cke;
      c.controller.power_down = PowerDownPolicy::Staggered;
      for (double read_ratio : {0.0, 0.5})
        check_clean(c, gen(Pattern::Random, 500, 0.01, read_ratio, 1),
                    c.memspec.id + " tCKE " + std::to_string(cke) + " reads " + std::to_string(read_ratio));
    }
}

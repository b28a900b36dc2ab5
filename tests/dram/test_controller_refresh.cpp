// Refresh postponement and pulling-in (KNOBS.md §5): the AllBank manager keeps a signed
// counter; a busy rank postpones (up to RefreshMaxPostponed), an idle one repays and
// then pulls refreshes in (up to RefreshMaxPulledin) back to back.
#include <algorithm>
#include <vector>

#include "tests/catch.h"
#include "tests/dram/dram_sim_fixtures.h"

using namespace archgym::dram;
using namespace archgym::dram::testing;

TEST_CASE("refresh: an idle rank pulls in RefreshMaxPulledin extra refreshes", "[dram][refresh]") {
  SimConfig c = ddr3_config();
  const GeneratorConfig sparse = gen(Pattern::Stream, 100, 1.0 / 2000);  // ~200k cycles
  for (int q : {0, 2, 4, 8}) {
    c.controller.refresh_max_pulledin = q;
    ProtocolChecker checker(c.memspec);
    const SimStats s = run(c, sparse, &checker);
    const auto intervals = static_cast<std::int64_t>(s.end_cycle / c.memspec.REFI);
    INFO("Q=" << q << " refreshes " << s.refreshes << " intervals " << intervals);
    CHECK(checker.ok());
    // Pulled-in refreshes are paid once, at the first due time; after that one per tREFI.
    // Exact: one more or fewer pulled in is the off-by-one this pins.
    CHECK(static_cast<std::int64_t>(s.refreshes) == intervals + q);
  }
}

TEST_CASE("refresh: a saturated rank postpones up to RefreshMaxPostponed refreshes",
          "[dram][refresh]") {
  SimConfig c = ddr3_config();
  const GeneratorConfig busy = gen(Pattern::Random, 25000);  // saturated, ~160k cycles
  for (int p : {0, 3, 8}) {
    c.controller.refresh_max_postponed = p;
    ProtocolChecker checker(c.memspec);
    checker.set_refresh_check(RefreshCheckMode::AllBank,
                              ProtocolChecker::max_refresh_gap(c.memspec, RefreshCheckMode::AllBank,
                                                               p, 0, 2000));
    const SimStats s = run(c, busy, &checker);
    const auto intervals = static_cast<std::int64_t>(s.end_cycle / c.memspec.REFI);
    INFO("P=" << p << " refreshes " << s.refreshes << " intervals " << intervals);
    CHECK(checker.ok());
    // The first p due refreshes are postponed, then every later one is forced on time.
    CHECK(static_cast<std::int64_t>(s.refreshes) == intervals - p);
  }
}

TEST_CASE("refresh: the first refresh of rank r is staggered by bit-reversed rank",
          "[dram][refresh]") {
  CHECK(first_refresh_time(6240, 0, 1) == 6240);
  CHECK(first_refresh_time(6240, 0, 2) == 6240);
  CHECK(first_refresh_time(6240, 1, 2) == 3120);
  CHECK(first_refresh_time(6240, 1, 4) == 3120);  // bitrev(01) = 10
  CHECK(first_refresh_time(6240, 2, 4) == 4680);  // bitrev(10) = 01
  CHECK(first_refresh_time(6240, 3, 4) == 1560);
}

TEST_CASE("refresh: every rank of the largest allowed rank count refreshes", "[dram][refresh]") {
  // The command mux told a rank's refresh from a power-down manager by source index; with
  // 999 ranks or more the two ranges overlapped, rank 1023's refresh issued rank 24's
  // power-down command instead, and the simulation never ended.
  SimConfig c = ddr3_config();
  c.memspec.ranks = 1024;  // the memspec parser's maximum
  c.mapping = row_bank_column_mapping(c.memspec);
  struct RankLog final : CommandObserver {
    std::vector<int> refreshed = std::vector<int>(1024, 0);
    int power_downs = 0;
    void on_command(const IssuedCommand& ic) override {
      if (ic.command == Command::REFA) ++refreshed[static_cast<std::size_t>(ic.rank)];
      if (ic.command == Command::PDEP || ic.command == Command::PDEA) ++power_downs;
    }
  } log;
  // The second request comes after every rank's first (staggered) refresh is due.
  const SimStats s = run(c, {{0, 0, false}, {6300, 64, false}}, &log);
  CHECK(s.requests == 2);
  CHECK(log.power_downs == 0);  // PowerDownPolicy is NoPowerDown
  // At least once each (the earliest staggered ranks are due again before the end).
  CHECK(*std::min_element(log.refreshed.begin(), log.refreshed.end()) >= 1);
}

TEST_CASE("refresh: per bank, the postponing and pulling-in limits count one refresh per bank",
          "[dram][refresh]") {
  // DRAMSys scales both limits by the rank's bank count for PerBank: P postponed refreshes
  // of the rank are P x banks REFBs. Per bank, a REFB is due every tREFIpb.
  SimConfig c = ddr3_config();
  c.controller.refresh_policy = RefreshPolicy::PerBank;
  const std::int64_t banks = c.memspec.banks;
  const std::int64_t refipb = c.memspec.REFIpb > 0 ? c.memspec.REFIpb : c.memspec.REFI / banks;
  const GeneratorConfig busy = gen(Pattern::Random, 25000);
  for (int p : {0, 3, 8}) {
    c.controller.refresh_max_postponed = p;
    const SimStats s = run(c, busy);
    const auto slots = static_cast<std::int64_t>(s.end_cycle / refipb);
    INFO("P=" << p << " REFBs " << s.refreshes << " slots " << slots);
    CHECK(static_cast<std::int64_t>(s.refreshes) == slots - p * banks);
  }
  const GeneratorConfig sparse = gen(Pattern::Stream, 100, 1.0 / 2000);
  for (int q : {0, 2}) {
    c.controller.refresh_max_pulledin = q;
    const SimStats s = run(c, sparse);
    const auto slots = static_cast<std::int64_t>(s.end_cycle / refipb);
    INFO("Q=" << q << " REFBs " << s.refreshes << " slots " << slots);
    CHECK(static_cast<std::int64_t>(s.refreshes) == slots + q * banks);
  }
}

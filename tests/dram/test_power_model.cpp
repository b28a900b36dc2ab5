// DRAMPower-style energy model: a hand-computed command sequence (KNOBS.md §12 formulas
// with the DDR3-1600 datasheet numbers typed in here), and properties: idle-only
// windows, power-down savings, implicit precharges, end marker, VPP terms, REFB.
#include <vector>

#include "simulators/dram/power_model.h"
#include "tests/catch.h"

using namespace archgym::dram;
using Catch::Matchers::Contains;

namespace {

IssuedCommand cmd(std::uint64_t cycle, Command c, int bank = 0, int rank = 0) {
  IssuedCommand ic;
  ic.cycle = cycle;
  ic.command = c;
  ic.bank = bank;
  ic.rank = rank;
  return ic;
}

EnergyReport run(const MemSpec& m, const std::vector<IssuedCommand>& commands, std::uint64_t end) {
  PowerModel pm(m);
  for (const auto& c : commands) pm.on_command(c);
  pm.on_finish(end);
  return pm.report();
}

// DDR3-1600 (MICRON_1Gb_DDR3-1600_8bit_G) numbers, written out independently of the preset.
constexpr double tCK = 1.25, VDD = 1.5, DEV = 8;
constexpr double IDD0 = 70, IDD2N = 45, IDD2P0 = 12, IDD3N = 45, IDD3P0 = 35, IDD4R = 140, IDD4W = 145,
                 IDD5 = 170, IDD6 = 8;
constexpr double RAS = 28, RC = 38, RFC = 88, RP = 10, BURST = 4;

// pJ for `cycles` at `mA` on VDD, whole DIMM.
double pj(double cycles, double mA) { return cycles * tCK * mA * VDD * DEV; }

}  // namespace

TEST_CASE("power model equals a hand computation of the §12 formulas", "[power_model]") {
  const MemSpec m = ddr3_1600_micron_1Gb_x8();
  const auto r = run(m,
                     {cmd(0, Command::ACT, 0), cmd(10, Command::RD, 0), cmd(15, Command::ACT, 1),
                      cmd(25, Command::WRA, 1),  // implicit PRE at max(25+WL+BL/2+WR, 15+tRAS) = max(49, 43) = 49
                      cmd(40, Command::PRE, 0), cmd(100, Command::REFA), cmd(300, Command::PDEP),
                      cmd(400, Command::PDXP), cmd(500, Command::SREFEN), cmd(700, Command::SREFEX)},
                     1000);
  // Timeline: active 0..49 and (tRFC - tRP) = 78 for the REF; precharged 49..100,
  // 178..300, 400..500, 700..1000; precharged power-down 300..400; self-refresh
  // 500..700 = 78 refresh-active + 10 refresh-precharged + 112 IDD6 cycles.
  const double act = 49 + 78, pre = 51 + 122 + 100 + 300, pd_pre = 100, sref = 112, sref_ref_act = 78,
               sref_ref_pre = 10;
  CHECK(r.active_cycles == 127);
  CHECK(r.precharged_cycles == 573);
  CHECK(r.power_down_precharged_cycles == 100);
  CHECK(r.power_down_active_cycles == 0);
  CHECK(r.self_refresh_cycles == 112);
  CHECK(r.self_refresh_refresh_cycles == 88);
  CHECK(r.window_cycles == 1000);
  CHECK((r.activates == 2 && r.precharges == 2 && r.reads == 1 && r.writes == 1 && r.refreshes == 1));

  const double e_act = 2 * pj(RAS, IDD0 - IDD3N);
  const double e_pre = 2 * pj(RC - RAS, IDD0 - IDD2N);
  const double e_rd = pj(BURST, IDD4R - IDD3N);
  const double e_wr = pj(BURST, IDD4W - IDD3N);
  const double e_ref = pj(RFC, IDD5 - IDD3N);
  const double e_act_bg = pj(act, IDD3N);
  const double e_pre_bg = pj(pre, IDD2N);
  const double e_pd = pj(pd_pre, IDD2P0);
  const double e_sref = pj(sref, IDD6) + pj(sref_ref_act + sref_ref_pre, IDD5 - IDD3N) +
                        pj(sref_ref_act, IDD3P0) + pj(sref_ref_pre, IDD2P0);
  const double total = e_act + e_pre + e_rd + e_wr + e_ref + e_act_bg + e_pre_bg + e_pd + e_sref;
  const auto eq = [](double v) { return Approx(v).epsilon(1e-9); };
  CHECK(r.act_pJ == eq(e_act));
  CHECK(r.pre_pJ == eq(e_pre));
  CHECK(r.read_pJ == eq(e_rd));
  CHECK(r.write_pJ == eq(e_wr));
  CHECK(r.refresh_pJ == eq(e_ref));
  CHECK(r.active_background_pJ == eq(e_act_bg));
  CHECK(r.precharged_background_pJ == eq(e_pre_bg));
  CHECK(r.power_down_pJ == eq(e_pd));
  CHECK(r.self_refresh_pJ == eq(e_sref));
  CHECK(r.total_pJ == eq(total));
  CHECK(r.average_power_mW == eq(total / (1000 * tCK)));
}

TEST_CASE("idle-only window costs IDD2N for every cycle", "[power_model]") {
  const auto r = run(ddr3_1600_micron_1Gb_x8(), {}, 5000);
  CHECK(r.window_cycles == 5000);
  CHECK(r.precharged_cycles == 5000);
  CHECK(r.total_pJ == Approx(IDD2N * VDD * 5000 * tCK * DEV).epsilon(1e-12));
  CHECK(r.average_power_mW == Approx(IDD2N * VDD * DEV).epsilon(1e-12));
}

TEST_CASE("a power-down stretch costs less than the same stretch idle", "[power_model]") {
  const MemSpec m = ddr3_1600_micron_1Gb_x8();
  const auto idle = run(m, {}, 1000);
  const auto pdn = run(m, {cmd(100, Command::PDEP), cmd(900, Command::PDXP)}, 1000);
  CHECK(pdn.power_down_precharged_cycles == 800);
  CHECK(pdn.window_cycles == 1000);
  CHECK(idle.total_pJ - pdn.total_pJ == Approx(pj(800, IDD2N - IDD2P0)).epsilon(1e-9));

  const auto open = run(m, {cmd(0, Command::ACT), cmd(950, Command::PRE)}, 1000);
  const auto open_pd = run(m, {cmd(0, Command::ACT), cmd(100, Command::PDEA), cmd(900, Command::PDXA),
                               cmd(950, Command::PRE)},
                           1000);
  CHECK(open_pd.power_down_active_cycles == 800);
  CHECK(open.total_pJ - open_pd.total_pJ == Approx(pj(800, IDD3N - IDD3P0)).epsilon(1e-9));
}

TEST_CASE("RDA/WRA precharge at max(t + offset, tACT + tRAS), and the end marker follows it", "[power_model]") {
  const MemSpec ddr3 = ddr3_1600_micron_1Gb_x8();
  // tRAS binds: PRE at max(10 + max(RTP,4) = 16, 0 + 28) = 28; end = 28 + tRP - 1 = 37.
  auto r = run(ddr3, {cmd(0, Command::ACT), cmd(10, Command::RDA)}, 0);
  CHECK(r.precharges == 1);
  CHECK(r.active_cycles == 28);
  CHECK(r.window_cycles == 37);
  // Offset binds: PRE at 30 + 6 = 36.
  r = run(ddr3, {cmd(0, Command::ACT), cmd(30, Command::RDA)}, 0);
  CHECK(r.active_cycles == 36);
  // DDR4 RDA offset is AL + RTP = 12: PRE at max(42, 39) = 42; end = 42 + 16 - 1 = 57.
  const MemSpec ddr4 = ddr4_2400_jedec_4Gb_x8();
  r = run(ddr4, {cmd(0, Command::ACT), cmd(30, Command::RDA)}, 0);
  CHECK(r.active_cycles == 42);
  CHECK(r.window_cycles == 57);
  // A pending precharge is applied before a later command (bank 1 closes at 49, then ACT at 60).
  r = run(ddr3, {cmd(0, Command::ACT, 1), cmd(25, Command::WRA, 1), cmd(60, Command::ACT, 1),
                 cmd(100, Command::PRE, 1)},
          0);
  CHECK(r.activates == 2);
  CHECK(r.precharges == 2);
  CHECK(r.active_cycles == 49 + 40);
  CHECK(r.precharged_cycles == 11 + 9);  // 49..60, 100..109 (end = 100 + tRP - 1)
}

TEST_CASE("end marker: last command time + completion - 1, or the given end if later", "[power_model]") {
  const MemSpec m = ddr3_1600_micron_1Gb_x8();
  // RD completion = RL + DQSCK + 1 + BL/2 = 15: end = 10 + 15 - 1 = 24.
  CHECK(run(m, {cmd(0, Command::ACT), cmd(10, Command::RD)}, 0).window_cycles == 24);
  // WR completion = WL + BL/2 + WR = 24.
  CHECK(run(m, {cmd(0, Command::ACT), cmd(10, Command::WR)}, 0).window_cycles == 33);
  // ACT completion = tRCD.
  CHECK(run(m, {cmd(5, Command::ACT)}, 0).window_cycles == 14);
  CHECK(run(m, {cmd(0, Command::ACT), cmd(10, Command::RD)}, 500).window_cycles == 500);
}

TEST_CASE("PREA counts one precharge per open bank", "[power_model]") {
  const auto r = run(ddr3_1600_micron_1Gb_x8(),
                     {cmd(0, Command::ACT, 0), cmd(5, Command::ACT, 1), cmd(10, Command::ACT, 2),
                      cmd(40, Command::PREA), cmd(60, Command::PREA)},
                     100);
  CHECK(r.activates == 3);
  CHECK(r.precharges == 3);
  CHECK(r.active_cycles == 40);
  CHECK(r.pre_pJ == Approx(3 * pj(RC - RAS, IDD0 - IDD2N)).epsilon(1e-12));
  // DRAMPower ignores an ACT to an open bank and a PRE to a closed one.
  const auto r2 = run(ddr3_1600_micron_1Gb_x8(),
                      {cmd(0, Command::ACT, 0), cmd(1, Command::ACT, 0), cmd(40, Command::PRE, 0),
                       cmd(50, Command::PRE, 0)},
                      100);
  CHECK((r2.activates == 1 && r2.precharges == 1));
}

TEST_CASE("an auto-precharge landing inside a power-down switches it to precharged", "[power_model]") {
  // WRA at 30 precharges at 54; the rank is in power-down from 40 to 200.
  const auto r = run(ddr3_1600_micron_1Gb_x8(),
                     {cmd(0, Command::ACT), cmd(30, Command::WRA), cmd(40, Command::PDEA),
                      cmd(200, Command::PDXP)},
                     300);
  CHECK(r.active_cycles == 40);
  CHECK(r.power_down_active_cycles == 14);
  CHECK(r.power_down_precharged_cycles == 146);
  CHECK(r.precharged_cycles == 100);
  CHECK(r.window_cycles == 300);
}

TEST_CASE("self-refresh shorter than tRFC finishes its refresh after exit", "[power_model]") {
  // Stay of 50 < tRFC - tRP = 78: 50 refresh-active inside, 28 active + 10 precharged after exit.
  const auto r = run(ddr3_1600_micron_1Gb_x8(), {cmd(100, Command::SREFEN), cmd(150, Command::SREFEX)}, 300);
  CHECK(r.self_refresh_cycles == 0);
  CHECK(r.self_refresh_refresh_cycles == 88);
  CHECK(r.precharged_cycles == 100 + 112);  // resumes at 150 + (88 - 50) = 188
  CHECK(r.window_cycles == 300);
  const double e_sref = pj(88, IDD5 - IDD3N) + pj(50, IDD3P0) + pj(28, IDD3N) + pj(10, IDD2N);
  CHECK(r.self_refresh_pJ == Approx(e_sref).epsilon(1e-9));
  // Still in self-refresh at the end: split up to the end marker.
  const auto open = run(ddr3_1600_micron_1Gb_x8(), {cmd(100, Command::SREFEN)}, 1000);
  CHECK(open.self_refresh_cycles == 900 - 88);
  CHECK(open.window_cycles == 1000);
}

TEST_CASE("DDR4 adds VPP (vdd2) terms for ACT/PRE and self-refresh", "[power_model]") {
  const MemSpec m = ddr4_2400_jedec_4Gb_x8();
  const double tck = 1000.0 / 1200;
  const auto r = run(m, {cmd(0, Command::ACT), cmd(50, Command::PRE), cmd(100, Command::SREFEN),
                         cmd(1000, Command::SREFEX)},
                     2000);
  CHECK(r.act_pJ == Approx(39 * tck * ((60.75 - 44.0) * 1.2 + 4.05 * 2.5) * 8).epsilon(1e-9));
  CHECK(r.pre_pJ == Approx(16 * tck * ((60.75 - 38.25) * 1.2 + 4.05 * 2.5) * 8).epsilon(1e-9));
  const double sref = 900 - 312;  // tRFC = 312 cycles at REFM 1
  CHECK(r.self_refresh_cycles == sref);
  const double e_sref = tck * 8 *
                        ((20.25 * sref + (118.0 - 44.0) * 312) * 1.2 + (296 * 22.5 + 16 * 17.0) * 1.2 +
                         2.6 * sref * 2.5);
  CHECK(r.self_refresh_pJ == Approx(e_sref).epsilon(1e-9));
}

TEST_CASE("per-bank refresh (archgym extension): 1/banks of a REFA, bank busy tRFCpb - tRP", "[power_model]") {
  const MemSpec m = ddr3_1600_micron_1Gb_x8();
  const auto r = run(m, {cmd(100, Command::REFB, 3)}, 1000);
  CHECK(r.per_bank_refreshes == 1);
  CHECK(r.refresh_pJ == Approx(pj(RFC, IDD5 - IDD3N) / 8).epsilon(1e-12));
  CHECK(r.active_cycles == static_cast<std::uint64_t>(m.RFCpb - m.RP));
  CHECK(r.activates == 0);
  CHECK(r.precharges == 0);
  CHECK(r.window_cycles == 1000);
}

TEST_CASE("power model: two ranks are tracked separately", "[power_model]") {
  MemSpec m = ddr3_1600_micron_1Gb_x8();
  m.ranks = 2;
  const auto r = run(m, {cmd(0, Command::ACT, 0, 0), cmd(50, Command::PDEP, 0, 1), cmd(60, Command::PRE, 0, 0)},
                     100);
  CHECK(r.active_cycles == 60);
  CHECK(r.precharged_cycles == 40 + 50);
  CHECK(r.power_down_precharged_cycles == 50);
  CHECK(r.window_cycles == 100);
}

TEST_CASE("power model rejects out-of-order and out-of-range commands, and finish is repeatable",
          "[power_model]") {
  PowerModel pm(ddr3_1600_micron_1Gb_x8());
  pm.on_command(cmd(10, Command::ACT));
  CHECK_THROWS_WITH(pm.on_command(cmd(5, Command::PRE)), Contains("cycle 5") && Contains("10"));
  CHECK_THROWS_WITH(pm.on_command(cmd(20, Command::ACT, 8)), Contains("bank 8"));
  CHECK_THROWS_WITH(pm.on_command(cmd(20, Command::REFA, 0, 1)), Contains("rank 1"));
  pm.on_finish(100);
  const double first = pm.report().total_pJ;
  pm.on_finish(100);
  CHECK(pm.report().total_pJ == first);
  pm.on_command(cmd(50, Command::PRE));
  pm.on_finish(100);
  CHECK(pm.report().active_cycles == 40);
}

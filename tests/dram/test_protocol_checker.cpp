// Hand-written command sequences for the independent JEDEC protocol checker. Each
// timing rule is probed at its boundary: the critical command at its earliest legal
// cycle passes, one cycle earlier it is flagged with exactly that rule.
#include <memory>
#include <string>

#include "simulators/dram/memspec.h"
#include "simulators/dram/protocol_checker.h"
#include "tests/catch.h"

using namespace archgym::dram;

namespace {

using C = Command;

// Feeds commands to a checker; the bank group is derived from the bank (within rank).
struct Seq {
  MemSpec m;
  ProtocolChecker pc;
  explicit Seq(const MemSpec& spec) : m(spec), pc(spec) {}
  Seq& at(long long cycle, Command c, int bank = 0, int row = 0, int rank = 0) {
    IssuedCommand ic;
    ic.cycle = static_cast<std::uint64_t>(cycle);
    ic.command = c;
    ic.rank = rank;
    ic.bank = bank;
    ic.bank_group = bank / m.banks_per_group();
    ic.row = row;
    ic.column = 0;
    pc.on_command(ic);
    return *this;
  }
};

// Builds the sequence with the critical command shifted by d (0 = earliest legal cycle).
template <class Build>
void check_boundary(const MemSpec& m, ProtocolRule rule, Build build) {
  {
    Seq s(m);
    build(s, 0);
    INFO("at the boundary: " << s.pc.summary());
    CHECK(s.pc.ok());
  }
  {
    Seq s(m);
    build(s, -1);
    INFO("one cycle early: " << s.pc.summary());
    CHECK(s.pc.count(rule) == 1);
    CHECK(s.pc.violation_count() == 1);
    REQUIRE(s.pc.violations().size() == 1);
    CHECK(s.pc.violations()[0].rule == rule);
    CHECK(s.pc.violations()[0].required_cycle ==
          static_cast<std::int64_t>(s.pc.violations()[0].actual_cycle) + 1);
  }
}

// Expects exactly one violation, of the given (state) rule.
void check_only(const Seq& s, ProtocolRule rule) {
  INFO(s.pc.summary());
  CHECK(s.pc.count(rule) == 1);
  CHECK(s.pc.violation_count() == 1);
}

MemSpec ddr4() { return ddr4_2400_jedec_4Gb_x8(); }
MemSpec ddr3() { return ddr3_1600_micron_1Gb_x8(); }
MemSpec two_ranks(MemSpec m) {
  m.ranks = 2;
  return m;
}

}  // namespace

TEST_CASE("protocol checker: a long legal DDR4 sequence passes", "[dram][checker]") {
  // DDR4-2400: RL=WL=16, CCD 4/6, RRD 4/6, WTR 3/9, FAW 26, RAS 39, RC 55, RCD=RP=16,
  // RTP 12, WR 18, RFC 312, CKE 6, CKESR 7, XP 8, XS 324, XSDLL 512; 4 banks per group.
  Seq s(ddr4());
  s.at(0, C::ACT, 0, 5)
      .at(4, C::ACT, 4, 7)      // other bank group: tRRD_S
      .at(10, C::ACT, 1, 9)     // same group as bank 0: tRRD_L
      .at(16, C::RD, 0, 5)      // tRCD
      .at(20, C::RD, 4, 7)      // tCCD_S
      .at(26, C::RD, 1, 9)      // tCCD_L after bank 0
      .at(32, C::WR, 4, 7)      // tRTW = RL + 4 + 2 - WL = 6
      .at(55, C::RD, 0, 5)      // WL + 4 + tWTR_S = 23
      .at(67, C::PRE, 0)        // tRTP after RD@55
      .at(70, C::PRE, 4)        // tWR: 32 + WL + 4 + WR = 70
      .at(83, C::ACT, 0, 6)     // tRP
      .at(122, C::PREA)         // tRAS of bank 0 (bank 1 open too)
      .at(138, C::REFA)         // tRP, and tRC since the ACT at 83
      .at(450, C::ACT, 2, 3)    // tRFC
      .at(466, C::RDA, 2, 3)
      .at(505, C::ACT, 2, 4)    // tRC (auto-precharge was done at 494)
      .at(521, C::WRA, 2, 4)
      .at(575, C::ACT, 2, 4)    // WRA + WL + 4 + WR + RP
      .at(577, C::PDEA)         // tACTPDEN
      .at(583, C::PDXA)         // tCKE
      .at(614, C::PRE, 2)       // tXP and tRAS
      .at(616, C::PDEP)         // tPRPDEN
      .at(622, C::PDXP)
      .at(630, C::SREFEN)       // tXP, tRP
      .at(637, C::SREFEX)       // tCKESR
      .at(961, C::ACT, 3, 1)    // tXS
      .at(1149, C::RD, 3, 1);   // tXSDLL
  s.pc.on_finish(1200);
  INFO(s.pc.summary());
  CHECK(s.pc.ok());
  CHECK(s.pc.commands_checked() == 27);
}

TEST_CASE("protocol checker: DDR4 bank timings at their boundary", "[dram][checker]") {
  const MemSpec m = ddr4();
  SECTION("tRCD") {
    check_boundary(m, ProtocolRule::tRCD, [](Seq& s, int d) {
      s.at(0, C::ACT, 0, 1).at(16 + d, C::RD, 0, 1);
    });
  }
  SECTION("tRP") {
    check_boundary(m, ProtocolRule::tRP, [](Seq& s, int d) {
      s.at(0, C::ACT, 0, 1).at(50, C::PRE, 0).at(66 + d, C::ACT, 0, 2);
    });
  }
  SECTION("tRAS") {
    check_boundary(m, ProtocolRule::tRAS, [](Seq& s, int d) {
      s.at(0, C::ACT, 0, 1).at(39 + d, C::PRE, 0);
    });
  }
  SECTION("tRAS applies to each open bank on PREA") {
    check_boundary(m, ProtocolRule::tRAS, [](Seq& s, int d) {
      s.at(0, C::ACT, 0, 1).at(20, C::ACT, 5, 1).at(59 + d, C::PREA);
    });
  }
  SECTION("tRC") {
    check_boundary(m, ProtocolRule::tRC, [](Seq& s, int d) {
      // RDA's auto-precharge is done at 16 + 12 + 16 = 44, so tRC binds.
      s.at(0, C::ACT, 0, 1).at(16, C::RDA, 0, 1).at(55 + d, C::ACT, 0, 2);
    });
  }
  SECTION("tRTP") {
    check_boundary(m, ProtocolRule::tRTP, [](Seq& s, int d) {
      s.at(0, C::ACT, 0, 1).at(30, C::RD, 0, 1).at(42 + d, C::PRE, 0);
    });
  }
  SECTION("tWR") {
    check_boundary(m, ProtocolRule::tWR, [](Seq& s, int d) {
      s.at(0, C::ACT, 0, 1).at(16, C::WR, 0, 1).at(54 + d, C::PRE, 0);  // WL + 4 + WR = 38
    });
  }
  SECTION("RDA auto-precharge before the next ACT") {
    check_boundary(m, ProtocolRule::RdaPrecharge, [](Seq& s, int d) {
      s.at(0, C::ACT, 0, 1).at(50, C::RDA, 0, 1).at(78 + d, C::ACT, 0, 2);  // AL + RTP + RP
    });
  }
  SECTION("WRA auto-precharge before the next ACT") {
    check_boundary(m, ProtocolRule::WraPrecharge, [](Seq& s, int d) {
      s.at(0, C::ACT, 0, 1).at(20, C::WRA, 0, 1).at(74 + d, C::ACT, 0, 2);  // 38 + RP
    });
  }
  SECTION("REFA waits for the precharge of every bank") {
    check_boundary(m, ProtocolRule::tRP, [](Seq& s, int d) {
      s.at(0, C::ACT, 3, 1).at(100, C::PREA).at(116 + d, C::REFA);
    });
  }
}

TEST_CASE("protocol checker: DDR4 rank and bus timings at their boundary", "[dram][checker]") {
  const MemSpec m = ddr4();
  SECTION("tRRD_S (different bank group)") {
    check_boundary(m, ProtocolRule::tRRD_S, [](Seq& s, int d) {
      s.at(0, C::ACT, 0, 1).at(4 + d, C::ACT, 4, 1);
    });
  }
  SECTION("tRRD_L (same bank group)") {
    check_boundary(m, ProtocolRule::tRRD_L, [](Seq& s, int d) {
      s.at(0, C::ACT, 0, 1).at(6 + d, C::ACT, 1, 1);
    });
  }
  SECTION("tFAW") {
    check_boundary(m, ProtocolRule::tFAW, [](Seq& s, int d) {
      s.at(0, C::ACT, 0, 1).at(4, C::ACT, 4, 1).at(8, C::ACT, 8, 1).at(12, C::ACT, 12, 1)
          .at(26 + d, C::ACT, 1, 1);
    });
  }
  SECTION("tFAW slides with the last four ACTs") {
    check_boundary(m, ProtocolRule::tFAW, [](Seq& s, int d) {
      // Four ACTs at 10..26 bound the sixth: 10 + tFAW = 36.
      s.at(0, C::ACT, 0, 1).at(10, C::ACT, 4, 1).at(14, C::ACT, 8, 1).at(18, C::ACT, 12, 1)
          .at(26, C::ACT, 1, 1).at(36 + d, C::ACT, 5, 1);
    });
  }
  SECTION("tCCD_S") {
    check_boundary(m, ProtocolRule::tCCD_S, [](Seq& s, int d) {
      s.at(0, C::ACT, 0, 1).at(4, C::ACT, 4, 1).at(20, C::RD, 0, 1).at(24 + d, C::RD, 4, 1);
    });
  }
  SECTION("tCCD_L") {
    check_boundary(m, ProtocolRule::tCCD_L, [](Seq& s, int d) {
      s.at(0, C::ACT, 0, 1).at(6, C::ACT, 1, 1).at(22, C::WR, 0, 1).at(28 + d, C::WR, 1, 1);
    });
  }
  SECTION("tWTR_S") {
    check_boundary(m, ProtocolRule::tWTR_S, [](Seq& s, int d) {
      s.at(0, C::ACT, 0, 1).at(4, C::ACT, 4, 1).at(20, C::WR, 0, 1).at(43 + d, C::RD, 4, 1);
    });
  }
  SECTION("tWTR_L") {
    check_boundary(m, ProtocolRule::tWTR_L, [](Seq& s, int d) {
      s.at(0, C::ACT, 0, 1).at(6, C::ACT, 1, 1).at(22, C::WR, 0, 1).at(51 + d, C::RD, 1, 1);
    });
  }
  SECTION("tRTW (read to write turnaround, RL + BL/2 + 2 - WL)") {
    check_boundary(m, ProtocolRule::tRTW, [](Seq& s, int d) {
      s.at(0, C::ACT, 0, 1).at(4, C::ACT, 4, 1).at(20, C::RD, 0, 1).at(26 + d, C::WR, 4, 1);
    });
  }
  SECTION("tRFC") {
    check_boundary(m, ProtocolRule::tRFC, [](Seq& s, int d) {
      s.at(0, C::REFA).at(312 + d, C::ACT, 0, 1);
    });
  }
  SECTION("tRFC between two REFAs") {
    check_boundary(m, ProtocolRule::tRFC, [](Seq& s, int d) {
      s.at(0, C::REFA).at(312 + d, C::REFA);
    });
  }
  SECTION("tRFCpb after a per-bank refresh") {
    const int rfcpb = m.RFCpb;
    check_boundary(m, ProtocolRule::tRFCpb, [rfcpb](Seq& s, int d) {
      s.at(0, C::REFB, 3).at(1, C::ACT, 4, 1).at(rfcpb + d, C::ACT, 3, 1);
    });
  }
  // A CAS on rank 1 after one on rank 0 (both rows open), `gap` cycles apart at the boundary.
  struct RankTurnaround {
    const char* name;
    C first, second;
    int gap;
  };
  for (const RankTurnaround t : {RankTurnaround{"read to read", C::RD, C::RD, 5},      // burst 4 + tRTRS 1
                                 RankTurnaround{"write to read", C::WR, C::RD, 6},     // WL + 4 + RTRS - RL + RPRE
                                 RankTurnaround{"write to write", C::WR, C::WR, 5},    // burst 4 + tRTRS 1
                                 RankTurnaround{"read to write", C::RD, C::WR, 6}}) {  // RL + 4 + RTRS - WL + WPRE
    DYNAMIC_SECTION("tRTRS between ranks (" << t.name << ")") {
      check_boundary(two_ranks(m), ProtocolRule::tRTRS, [t](Seq& s, int d) {
        s.at(0, C::ACT, 0, 1, 0).at(1, C::ACT, 0, 1, 1).at(16, t.first, 0, 1, 0)
            .at(16 + t.gap + d, t.second, 0, 1, 1);
      });
    }
  }
  SECTION("the command bus carries one command per cycle") {
    check_boundary(m, ProtocolRule::CommandBus, [](Seq& s, int d) {
      s.at(0, C::ACT, 0, 1).at(1 + d, C::PRE, 4);  // PRE to a precharged bank: a no-op
    });
  }
}

TEST_CASE("protocol checker: DDR4 power-down and self-refresh timings", "[dram][checker]") {
  const MemSpec m = ddr4();
  SECTION("tCKE: minimum power-down residency") {
    check_boundary(m, ProtocolRule::tCKE, [](Seq& s, int d) {
      s.at(0, C::PDEP).at(6 + d, C::PDXP);
    });
  }
  SECTION("tCKE: power-down re-entry after exit") {
    check_boundary(m, ProtocolRule::tCKE, [](Seq& s, int d) {
      s.at(0, C::PDEP).at(6, C::PDXP).at(12 + d, C::PDEP);
    });
  }
  SECTION("tXP") {
    check_boundary(m, ProtocolRule::tXP, [](Seq& s, int d) {
      s.at(0, C::PDEP).at(6, C::PDXP).at(14 + d, C::ACT, 0, 1);
    });
  }
  SECTION("tCKESR") {
    check_boundary(m, ProtocolRule::tCKESR, [](Seq& s, int d) {
      s.at(0, C::SREFEN).at(7 + d, C::SREFEX);
    });
  }
  SECTION("tXS") {
    check_boundary(m, ProtocolRule::tXS, [](Seq& s, int d) {
      s.at(0, C::SREFEN).at(7, C::SREFEX).at(331 + d, C::REFA);
    });
  }
  SECTION("tXSDLL for a read") {
    check_boundary(m, ProtocolRule::tXSDLL, [](Seq& s, int d) {
      s.at(0, C::SREFEN).at(7, C::SREFEX).at(331, C::ACT, 0, 1).at(519 + d, C::RD, 0, 1);
    });
  }
  SECTION("tACTPDEN") {
    check_boundary(m, ProtocolRule::tACTPDEN, [](Seq& s, int d) {
      s.at(0, C::ACT, 0, 1).at(2 + d, C::PDEA);
    });
  }
  SECTION("tPRPDEN") {
    check_boundary(m, ProtocolRule::tPRPDEN, [](Seq& s, int d) {
      s.at(0, C::ACT, 0, 1).at(39, C::PRE, 0).at(41 + d, C::PDEP);
    });
  }
  SECTION("tRDPDEN = RL + BL/2 + 1") {
    check_boundary(m, ProtocolRule::tRDPDEN, [](Seq& s, int d) {
      s.at(0, C::ACT, 0, 1).at(16, C::RD, 0, 1).at(37 + d, C::PDEA);
    });
  }
  SECTION("tWRPDEN = WL + BL/2 + WR") {
    check_boundary(m, ProtocolRule::tWRPDEN, [](Seq& s, int d) {
      s.at(0, C::ACT, 0, 1).at(16, C::WR, 0, 1).at(54 + d, C::PDEA);
    });
  }
  SECTION("tWRAPDEN = WL + BL/2 + WR + 1") {
    check_boundary(m, ProtocolRule::tWRAPDEN, [](Seq& s, int d) {
      s.at(0, C::ACT, 0, 1).at(16, C::WRA, 0, 1).at(55 + d, C::PDEP);
    });
  }
  SECTION("tREFPDEN: power-down may start during tRFC") {
    check_boundary(m, ProtocolRule::tREFPDEN, [](Seq& s, int d) {
      s.at(0, C::REFA).at(2 + d, C::PDEP);
    });
  }
}

TEST_CASE("protocol checker: bank and rank state rules", "[dram][checker]") {
  const MemSpec m = ddr4();
  SECTION("ACT to an open bank") {
    Seq s(m);
    s.at(0, C::ACT, 0, 1).at(55, C::ACT, 0, 2);
    check_only(s, ProtocolRule::ActToOpenBank);
  }
  SECTION("CAS to a closed bank") {
    Seq s(m);
    s.at(0, C::RD, 0, 1);
    check_only(s, ProtocolRule::CasToClosedBank);
  }
  SECTION("CAS to a closed bank after its RDA") {
    Seq s(m);
    s.at(0, C::ACT, 0, 1).at(16, C::RDA, 0, 1).at(22, C::RD, 0, 1);
    check_only(s, ProtocolRule::CasToClosedBank);
  }
  SECTION("CAS to the wrong row") {
    Seq s(m);
    s.at(0, C::ACT, 0, 1).at(16, C::WR, 0, 2);
    check_only(s, ProtocolRule::CasWrongRow);
  }
  SECTION("REFA with an open bank") {
    Seq s(m);
    s.at(0, C::ACT, 7, 1).at(400, C::REFA);
    check_only(s, ProtocolRule::RefaWithOpenBank);
  }
  SECTION("REFB to an open bank, but other banks may stay open") {
    Seq s(m);
    s.at(0, C::ACT, 7, 1).at(100, C::REFB, 6);
    CHECK(s.pc.ok());
    s.at(101, C::REFB, 7);
    check_only(s, ProtocolRule::RefbToOpenBank);
  }
  SECTION("PDEP with an open bank; PDEA is the legal choice") {
    Seq s(m);
    s.at(0, C::ACT, 0, 1).at(2, C::PDEP);
    check_only(s, ProtocolRule::PdepWithOpenBank);
    Seq legal(m);
    legal.at(0, C::ACT, 0, 1).at(2, C::PDEA).at(8, C::PDXA);
    CHECK(legal.pc.ok());
  }
  SECTION("PDEA with every bank precharged is accepted (DRAMSys quirk)") {
    Seq s(m);
    s.at(0, C::PDEA).at(6, C::PDXA).at(14, C::ACT, 0, 1);
    CHECK(s.pc.ok());
  }
  SECTION("SREFEN with an open bank") {
    Seq s(m);
    s.at(0, C::ACT, 0, 1).at(60, C::SREFEN);
    check_only(s, ProtocolRule::SrefenWithOpenBank);
  }
  SECTION("command during power-down") {
    Seq s(m);
    s.at(0, C::PDEP).at(10, C::ACT, 0, 1);
    check_only(s, ProtocolRule::CmdDuringPowerDown);
  }
  SECTION("PRE during active power-down") {
    Seq s(m);
    s.at(0, C::ACT, 0, 1).at(2, C::PDEA).at(100, C::PRE, 0);
    check_only(s, ProtocolRule::CmdDuringPowerDown);
  }
  SECTION("command during self-refresh") {
    Seq s(m);
    s.at(0, C::SREFEN).at(100, C::REFA);
    check_only(s, ProtocolRule::CmdDuringSelfRefresh);
  }
  SECTION("exit without entry, and the wrong exit") {
    Seq s(m);
    s.at(0, C::PDXA);
    check_only(s, ProtocolRule::ExitWithoutEntry);
    Seq t(m);
    t.at(0, C::PDEA).at(10, C::PDXP);
    check_only(t, ProtocolRule::ExitWithoutEntry);
  }
  SECTION("commands out of issue order") {
    Seq s(m);
    s.at(10, C::ACT, 0, 1).at(5, C::PRE, 4);
    check_only(s, ProtocolRule::OutOfOrder);
  }
  SECTION("addresses outside the device") {
    Seq s(m);
    s.at(0, C::ACT, 16, 1);  // 16 banks: 0..15
    check_only(s, ProtocolRule::BadAddress);
    Seq t(m);
    IssuedCommand ic;
    ic.command = C::ACT;
    ic.bank = 5;
    ic.bank_group = 0;  // bank 5 is in group 1
    t.pc.on_command(ic);
    check_only(t, ProtocolRule::BadAddress);
    Seq u(m);
    u.at(0, C::ACT, 0, m.rows);
    check_only(u, ProtocolRule::BadAddress);
    Seq v(m);
    v.at(0, C::REFA, 0, 0, 1);  // one rank only
    check_only(v, ProtocolRule::BadAddress);
  }
  SECTION("different ranks are independent for bank timings") {
    Seq s(two_ranks(m));
    s.at(0, C::ACT, 0, 1, 0).at(1, C::ACT, 0, 1, 1).at(2, C::PDEP, 0, 0, 0).at(3, C::ACT, 4, 1, 1);
    // Rank 0 is in power-down; rank 1 keeps working (tRRD_S 4 from its ACT at 1 -> 5).
    INFO(s.pc.summary());
    CHECK(s.pc.violation_count() == 2);  // PDEP with an open bank, and tRRD_S on rank 1
    CHECK(s.pc.count(ProtocolRule::PdepWithOpenBank) == 1);
    CHECK(s.pc.count(ProtocolRule::tRRD_S) == 1);
  }
}

TEST_CASE("protocol checker: DDR3 timings (one bank group, so _L rules)", "[dram][checker]") {
  // DDR3-1600: RL 10, WL 8, CCD 4, RRD 5, WTR 6, FAW 24, RAS 28, RC 38, RCD=RP 10,
  // RTP 6, WR 12, RFC 88, CKE 3, XP 6.
  const MemSpec m = ddr3();
  SECTION("tRCD") {
    check_boundary(m, ProtocolRule::tRCD, [](Seq& s, int d) {
      s.at(0, C::ACT, 2, 1).at(10 + d, C::WR, 2, 1);
    });
  }
  SECTION("tRRD") {
    check_boundary(m, ProtocolRule::tRRD_L, [](Seq& s, int d) {
      s.at(0, C::ACT, 0, 1).at(5 + d, C::ACT, 1, 1);
    });
  }
  SECTION("tFAW") {
    check_boundary(m, ProtocolRule::tFAW, [](Seq& s, int d) {
      s.at(0, C::ACT, 0, 1).at(5, C::ACT, 1, 1).at(10, C::ACT, 2, 1).at(15, C::ACT, 3, 1)
          .at(24 + d, C::ACT, 4, 1);
    });
  }
  SECTION("tCCD") {
    check_boundary(m, ProtocolRule::tCCD_L, [](Seq& s, int d) {
      s.at(0, C::ACT, 0, 1).at(5, C::ACT, 1, 1).at(15, C::RD, 0, 1).at(19 + d, C::RD, 1, 1);
    });
  }
  SECTION("tWTR") {
    check_boundary(m, ProtocolRule::tWTR_L, [](Seq& s, int d) {
      s.at(0, C::ACT, 0, 1).at(5, C::ACT, 1, 1).at(15, C::WR, 0, 1).at(33 + d, C::RD, 1, 1);
    });
  }
  SECTION("tRTW = RL + BL/2 + 2 - WL = 8") {
    check_boundary(m, ProtocolRule::tRTW, [](Seq& s, int d) {
      s.at(0, C::ACT, 0, 1).at(5, C::ACT, 1, 1).at(15, C::RD, 0, 1).at(23 + d, C::WR, 1, 1);
    });
  }
  SECTION("tRAS, tRP, tRC") {
    check_boundary(m, ProtocolRule::tRAS, [](Seq& s, int d) {
      s.at(0, C::ACT, 0, 1).at(28 + d, C::PRE, 0);
    });
    check_boundary(m, ProtocolRule::tRP, [](Seq& s, int d) {
      s.at(0, C::ACT, 0, 1).at(30, C::PRE, 0).at(40 + d, C::ACT, 0, 1);
    });
    check_boundary(m, ProtocolRule::tRC, [](Seq& s, int d) {
      s.at(0, C::ACT, 0, 1).at(10, C::RDA, 0, 1).at(38 + d, C::ACT, 0, 1);
    });
  }
  SECTION("tRTP and tWR") {
    check_boundary(m, ProtocolRule::tRTP, [](Seq& s, int d) {
      s.at(0, C::ACT, 0, 1).at(25, C::RD, 0, 1).at(31 + d, C::PRE, 0);
    });
    check_boundary(m, ProtocolRule::tWR, [](Seq& s, int d) {
      s.at(0, C::ACT, 0, 1).at(10, C::WR, 0, 1).at(34 + d, C::PRE, 0);  // 8 + 4 + 12
    });
  }
  SECTION("tWR for the implied precharge of an RDA after a write") {
    // With tWR = 16: WR->RD needs WL + 4 + WTR = 18, but RDA's precharge (at RDA + RTP)
    // needs WL + 4 + WR = 28 after the WR, so the RDA waits 28 - 6 = 22.
    MemSpec slow_wr = m;
    slow_wr.WR = 16;
    check_boundary(slow_wr, ProtocolRule::tWR, [](Seq& s, int d) {
      s.at(0, C::ACT, 0, 1).at(10, C::WR, 0, 1).at(32 + d, C::RDA, 0, 1);
    });
  }
  SECTION("tRFC and tXP") {
    check_boundary(m, ProtocolRule::tRFC, [](Seq& s, int d) {
      s.at(0, C::REFA).at(88 + d, C::ACT, 0, 1);
    });
    check_boundary(m, ProtocolRule::tXP, [](Seq& s, int d) {
      s.at(0, C::PDEP).at(3, C::PDXP).at(9 + d, C::REFA);
    });
  }
}

TEST_CASE("protocol checker: documented turnaround and refresh values", "[dram][checker]") {
  CHECK(ProtocolChecker(ddr4()).read_to_write_cycles() == 6);
  CHECK(ProtocolChecker(ddr3()).read_to_write_cycles() == 8);
  CHECK(ProtocolChecker(ddr4()).tRFC_cycles() == 312);
  MemSpec fgr = ddr4();
  fgr.REFM = 2;
  CHECK(ProtocolChecker(fgr).tRFC_cycles() == 192);
  CHECK(ProtocolChecker(fgr).tREFI_cycles() == 4680);
  CHECK(ProtocolChecker::max_refresh_gap(ddr3(), RefreshCheckMode::AllBank, 8, 0, 100) ==
        9 * 6240 + 100);
  CHECK(ProtocolChecker::max_refresh_gap(ddr3(), RefreshCheckMode::PerBank, 1, 1, 0) == 4 * 6240);
}

TEST_CASE("protocol checker: refresh interval check", "[dram][checker]") {
  const MemSpec m = ddr3();
  SECTION("AllBank: gaps up to the maximum pass, longer ones are flagged") {
    Seq s(m);
    s.pc.set_refresh_check(RefreshCheckMode::AllBank, 7000);
    s.at(7000, C::REFA).at(14000, C::REFA);
    s.pc.on_finish(21000);
    CHECK(s.pc.ok());
    s.at(21001, C::REFA);
    s.pc.on_finish(28002);
    INFO(s.pc.summary());
    CHECK(s.pc.count(ProtocolRule::RefreshInterval) == 2);  // 7001 to the REFA, 7001 to the end
    CHECK(s.pc.violations().back().detail.find("end of simulation") != std::string::npos);
  }
  SECTION("off by default (NoRefresh)") {
    Seq s(m);
    s.at(0, C::ACT, 0, 1);
    s.pc.on_finish(1'000'000);
    CHECK(s.pc.ok());
  }
  SECTION("self-refresh counts as refreshing") {
    Seq s(m);
    s.pc.set_refresh_check(RefreshCheckMode::AllBank, 7000);
    s.at(6000, C::SREFEN).at(50000, C::SREFEX).at(56000, C::REFA);
    s.pc.on_finish(60000);
    INFO(s.pc.summary());
    CHECK(s.pc.ok());
  }
  SECTION("PerBank: every bank needs its REFB (or a REFA)") {
    Seq s(m);
    s.pc.set_refresh_check(RefreshCheckMode::PerBank, 7000);
    for (int b = 0; b < m.banks; ++b) s.at(100 * (b + 1), C::REFB, b);
    s.at(6000, C::REFA);
    for (int b = 0; b < m.banks - 1; ++b) s.at(12000 + 100 * b, C::REFB, b);  // bank 7 left out
    s.pc.on_finish(13000);
    INFO(s.pc.summary());
    CHECK(s.pc.violation_count() == 0);
    s.pc.on_finish(13100);
    CHECK(s.pc.count(ProtocolRule::RefreshInterval) == 1);
    CHECK(s.pc.violations()[0].bank == 7);
  }
}

TEST_CASE("protocol checker: refresh rate, JEDEC's at most 8 owed and 8 pulled in", "[dram][checker]") {
  // Whatever the controller's knobs allow: the gap rule is set out of the way here.
  const MemSpec m = ddr4();
  const long long refi = 9360;                                  // DDR4-2400's tREFI
  const long long slack = 2 * 312 + m.RC + m.RAS + 200;         // a due refresh draining the banks
  REQUIRE(ProtocolChecker(m).tREFI_cycles() == refi);
  auto checker = [&] {
    auto s = std::make_unique<Seq>(m);
    s->pc.set_refresh_check(RefreshCheckMode::AllBank, 1'000'000'000);
    return s;
  };
  SECTION("refreshes a little too far apart fall behind, which no single gap shows") {
    auto s = checker();
    for (int k = 1; k <= 120; ++k) s->at(k * 10'270LL, C::REFA);  // 9.7% too few
    INFO(s->pc.summary());
    CHECK(s->pc.count(ProtocolRule::RefreshInterval) == 0);
    CHECK(s->pc.count(ProtocolRule::RefreshRate) > 0);
    REQUIRE_FALSE(s->pc.violations().empty());
    CHECK(s->pc.violations()[0].detail.find("owes 9 refreshes (at most 8 may be postponed") != std::string::npos);
  }
  SECTION("8 pulled in, then 8 postponed: 17 intervals without a refresh, and legal") {
    auto s = checker();
    s->at(refi, C::REFA);
    for (int i = 1; i <= 8; ++i) s->at(refi + 400 * i, C::REFA);  // pulled in: 9 done, 1 due
    s->at(18 * refi + 5, C::REFA);  // 17 intervals later: 8 owed just before it
    s->pc.on_finish(18 * refi + 10);
    INFO(s->pc.summary());
    CHECK(s->pc.ok());
  }
  SECTION("one interval more is a ninth postponed refresh") {
    auto s = checker();
    s->at(refi, C::REFA);
    for (int i = 1; i <= 8; ++i) s->at(refi + 400 * i, C::REFA);
    s->at(19 * refi + slack + 5, C::REFA);
    INFO(s->pc.summary());
    CHECK(s->pc.count(ProtocolRule::RefreshRate) == 1);
  }
  SECTION("pulled in beyond 8, a refresh does not lessen later ones") {
    auto s = checker();
    for (int i = 1; i <= 12; ++i) s->at(400LL * i, C::REFA);  // 12 early; 8 count
    s->at(17 * refi + slack + 5, C::REFA);                     // 17 due, 8 counted: 9 owed
    INFO(s->pc.summary());
    CHECK(s->pc.count(ProtocolRule::RefreshRate) == 1);
  }
  SECTION("per bank, a bank is due once per round of REFBs, as the memspec's REFIpb sets it") {
    MemSpec slow = ddr3();
    slow.REFIpb = 1000;  // a round of 8 banks every 8000 cycles, REFI 6240
    Seq s(slow);
    s.pc.set_refresh_check(RefreshCheckMode::PerBank, 1'000'000'000);
    long long t = 0;
    for (int round = 0; round < 40; ++round)
      for (int b = 0; b < slow.banks; ++b) s.at(t += 1000, C::REFB, b);
    s.pc.on_finish(static_cast<std::uint64_t>(t));
    INFO(s.pc.summary());
    CHECK(s.pc.ok());
    s.pc.on_finish(static_cast<std::uint64_t>(t + 10 * 8000 + 2000));  // ten rounds missed
    CHECK(s.pc.count(ProtocolRule::RefreshRate) == static_cast<std::uint64_t>(slow.banks));
  }
  SECTION("never refreshing is caught at the end, and self-refresh restarts the count") {
    auto s = checker();
    s->at(100, C::SREFEN).at(5'000'000, C::SREFEX);
    s->pc.on_finish(5'000'000 + 8 * refi + slack + 5);  // 8 owed since the exit
    CHECK(s->pc.ok());
    s->pc.on_finish(5'000'000 + 9 * refi + slack);
    INFO(s->pc.summary());
    CHECK(s->pc.count(ProtocolRule::RefreshRate) == 1);
    CHECK(s->pc.violations()[0].detail.find("at end of simulation") != std::string::npos);
  }
}

TEST_CASE("protocol checker: counts every violation, keeps the first 100 in detail",
          "[dram][checker]") {
  Seq s(ddr3());
  for (int i = 0; i < 150; ++i) s.at(10 * i, C::RD, 0, 1);  // all to a closed bank
  CHECK(s.pc.violation_count() == 150);
  CHECK(s.pc.count(ProtocolRule::CasToClosedBank) == 150);
  CHECK(s.pc.violations().size() == 100);
  CHECK_FALSE(s.pc.ok());
  const std::string line = s.pc.violations()[3].to_string();
  CHECK(line.find("cycle 30:") != std::string::npos);
  CHECK(line.find("RD") != std::string::npos);
  CHECK(line.find("CAS_to_closed_bank") != std::string::npos);
  const std::string summary = s.pc.summary(2);
  CHECK(summary.find("CAS_to_closed_bank=150") != std::string::npos);
  CHECK(summary.find("148 more") != std::string::npos);

  Seq t(ddr4());
  t.at(0, C::ACT, 0, 1).at(10, C::RD, 0, 1);
  REQUIRE(t.pc.violations().size() == 1);
  const std::string timing = t.pc.violations()[0].to_string();
  CHECK(timing.find("tRCD needs cycle >= 16 (6 too early)") != std::string::npos);
  CHECK(timing.find("after ACT@0") != std::string::npos);
}

TEST_CASE("protocol checker: every rule has a distinct name", "[dram][checker]") {
  for (int i = 0; i < kProtocolRuleCount; ++i)
    for (int j = i + 1; j < kProtocolRuleCount; ++j)
      CHECK(rule_name(static_cast<ProtocolRule>(i)) != rule_name(static_cast<ProtocolRule>(j)));
  CHECK(rule_name(ProtocolRule::tRCD) == "tRCD");
}

#include "simulators/dram/timing_checker.h"

#include <algorithm>

namespace archgym::dram {

RefreshTimings refresh_timings(const MemSpec& m) {
  RefreshTimings r;
  // DDR4 fine-granularity refresh (REFM 2/4) shortens both interval and cycle time,
  // exactly as MemSpecDDR4 does.
  if (m.type == MemoryType::DDR4 && m.REFM == 4) {
    r.tREFI = m.REFI / 4;
    r.tRFC = m.RFC4;
  } else if (m.type == MemoryType::DDR4 && m.REFM == 2) {
    r.tREFI = m.REFI / 2;
    r.tRFC = m.RFC2;
  } else {
    r.tREFI = m.REFI;
    r.tRFC = m.RFC;
  }
  r.tREFIpb = m.REFIpb;
  r.tRFCpb = m.RFCpb;
  return r;
}

TimingChecker::TimingChecker(const MemSpec& m)
    : ranks_(m.ranks), bank_groups_per_rank_(m.bank_groups), banks_per_rank_(m.banks) {
  AL_ = m.AL; RL_ = m.RL; WL_ = m.WL; RCD_ = m.RCD; RP_ = m.RP; RAS_ = m.RAS; RC_ = m.RC;
  RTP_ = m.RTP; CCD_S_ = m.CCD_S; CCD_L_ = m.CCD_L; RRD_S_ = m.RRD_S; RRD_L_ = m.RRD_L;
  RTRS_ = m.RTRS; XP_ = m.XP; XS_ = m.XS; XSDLL_ = m.XSDLL; CKE_ = m.CKE; CKESR_ = m.CKESR;
  ACTPDEN_ = m.ACTPDEN; PRPDEN_ = m.PRPDEN; REFPDEN_ = m.REFPDEN; tFAW_ = m.FAW;
  const RefreshTimings rt = refresh_timings(m);
  tRFC_ = rt.tRFC;
  tRFCpb_ = rt.tRFCpb;
  burst_ = m.burst_length / m.data_rate;
  // Derived delays as in CheckerDDR3/CheckerDDR4 (their constructors).
  if (m.type == MemoryType::DDR3) {
    tRDWR_ = RL_ + burst_ + 2 - WL_;
    tRDWR_R_ = RL_ + burst_ + RTRS_ - WL_;
    tWRRD_S_ = tWRRD_L_ = WL_ + burst_ + m.WTR_S;
    tWRRD_R_ = WL_ + burst_ + RTRS_ - RL_;
  } else {
    tRDWR_ = RL_ + burst_ + 1 - WL_ + m.WPRE;
    tRDWR_R_ = RL_ + burst_ + RTRS_ - WL_ + m.WPRE;
    tWRRD_S_ = WL_ + burst_ + m.WTR_S;
    tWRRD_L_ = WL_ + burst_ + m.WTR_L;
    tWRRD_R_ = WL_ + burst_ + RTRS_ - RL_ + m.RPRE;
  }
  tWRPRE_ = WL_ + burst_ + m.WR;
  tRDPDEN_ = RL_ + burst_ + 1;
  tWRPDEN_ = WL_ + burst_ + m.WR;
  tWRAPDEN_ = WL_ + burst_ + m.WR + 1;

  const int banks = m.banks * m.ranks;
  const int groups = m.bank_groups * m.ranks;
  bank_.assign(static_cast<std::size_t>(banks * kQ), 0);
  group_.assign(static_cast<std::size_t>(groups * kQ), 0);
  rank_.assign(static_cast<std::size_t>(m.ranks * kQ), 0);
  faw_.assign(static_cast<std::size_t>(m.ranks), Faw{});
  faw_bound_.assign(static_cast<std::size_t>(m.ranks), 0);
}

void TimingChecker::insert(Command c, int r, int g, int b, std::int64_t t) {
  using C = Command;
  bus_free_ = t + 1;
  // The rows of this bank, group and rank, resolved once.
  std::int64_t* const bank_row = &bank_[idx(b, 0)];
  std::int64_t* const group_row = &group_[idx(g, 0)];
  std::int64_t* const rank_row = &rank_[idx(r, 0)];
  auto at_least = [t](std::int64_t* row, C q, std::int64_t d) {
    std::int64_t& x = row[static_cast<int>(q)];
    x = std::max(x, t + d);
  };
  auto B = [&](C q, std::int64_t d) { at_least(bank_row, q, d); };
  auto G = [&](C q, std::int64_t d) { at_least(group_row, q, d); };
  auto R = [&](C q, std::int64_t d) { at_least(rank_row, q, d); };
  // Other ranks (data-bus turnaround between ranks); most devices have one rank.
  const bool other_ranks = ranks_ > 1;
  auto O = [&](C q, std::int64_t d) {
    if (!other_ranks) return;
    for (int o = 0; o < ranks_; ++o)
      if (o != r) at_least(&rank_[idx(o, 0)], q, d);
  };
  auto A = [&](C q, std::int64_t d) {
    R(q, d);
    O(q, d);
  };
  auto cas_reads = [&](std::int64_t same_group, std::int64_t same_rank, std::int64_t other) {
    G(C::RD, same_group); G(C::RDA, same_group);
    R(C::RD, same_rank); R(C::RDA, same_rank);
    O(C::RD, other); O(C::RDA, other);
  };
  auto cas_writes = [&](std::int64_t same_group, std::int64_t same_rank, std::int64_t other) {
    G(C::WR, same_group); G(C::WRA, same_group);
    R(C::WR, same_rank); R(C::WRA, same_rank);
    O(C::WR, other); O(C::WRA, other);
  };

  switch (c) {
    case C::ACT: {
      const int rcd = RCD_ - AL_;
      B(C::RD, rcd); B(C::RDA, rcd); B(C::WR, rcd); B(C::WRA, rcd);
      B(C::ACT, RC_); G(C::ACT, RRD_L_); R(C::ACT, RRD_S_);
      B(C::PRE, RAS_); R(C::PREA, RAS_);
      R(C::REFA, RC_); R(C::SREFEN, RC_); R(C::PDEA, ACTPDEN_);
      B(C::REFB, RC_); R(C::REFB, RRD_S_);
      Faw& f = faw_[static_cast<std::size_t>(r)];
      if (f.count < 4) {
        f.times[static_cast<std::size_t>(f.count++)] = t;
        f.next = 0;
      } else {
        f.times[static_cast<std::size_t>(f.next)] = t;
        f.next = (f.next + 1) & 3;
      }
      if (f.count == 4) faw_bound_[static_cast<std::size_t>(r)] = f.times[static_cast<std::size_t>(f.next)] + tFAW_;
      break;
    }
    case C::RD:
    case C::RDA: {
      cas_reads(CCD_L_, CCD_S_, burst_ + RTRS_);
      R(C::WR, tRDWR_); R(C::WRA, tRDWR_); O(C::WR, tRDWR_R_); O(C::WRA, tRDWR_R_);
      R(C::PREA, AL_ + RTP_);
      R(C::PDEA, tRDPDEN_); R(C::PDEP, tRDPDEN_);
      if (c == C::RD) {
        B(C::PRE, AL_ + RTP_);
      } else {
        const int rda_act = AL_ + RTP_ + RP_;
        B(C::ACT, rda_act); R(C::REFA, rda_act); B(C::REFB, rda_act);
        R(C::SREFEN, std::max(tRDPDEN_, rda_act));
      }
      break;
    }
    case C::WR:
    case C::WRA: {
      G(C::RD, tWRRD_L_); G(C::RDA, tWRRD_L_);
      R(C::RD, tWRRD_S_); R(C::RDA, tWRRD_S_);
      A(C::RD, tWRRD_R_); A(C::RDA, tWRRD_R_);
      cas_writes(CCD_L_, CCD_S_, burst_ + RTRS_);
      R(C::PREA, tWRPRE_);
      if (c == C::WR) {
        B(C::RDA, tWRPRE_ - RTP_);  // the RDA's implied precharge must respect tWR
        B(C::PRE, tWRPRE_);
        R(C::PDEA, tWRPDEN_);
      } else {
        const int wra_act = tWRPRE_ + RP_;
        B(C::ACT, wra_act); R(C::REFA, wra_act); B(C::REFB, wra_act);
        R(C::PDEA, tWRAPDEN_); R(C::PDEP, tWRAPDEN_);
        R(C::SREFEN, std::max(tWRAPDEN_, wra_act));
      }
      break;
    }
    case C::PRE:
      B(C::ACT, RP_); R(C::REFA, RP_); B(C::REFB, RP_);
      R(C::PDEA, PRPDEN_); R(C::PDEP, PRPDEN_); R(C::SREFEN, RP_);
      break;
    case C::PREA:
      R(C::ACT, RP_); R(C::REFA, RP_); R(C::REFB, RP_);
      R(C::PDEP, PRPDEN_); R(C::SREFEN, RP_);
      break;
    case C::REFA:
      R(C::ACT, tRFC_); R(C::REFA, tRFC_); R(C::REFB, tRFC_);
      // PDEA after REFA is unconstrained in DRAMSys' checker; JEDEC tREFPDEN applies.
      R(C::PDEP, REFPDEN_); R(C::PDEA, REFPDEN_); R(C::SREFEN, tRFC_);
      break;
    case C::REFB:
      B(C::ACT, tRFCpb_); R(C::ACT, RRD_S_);
      R(C::REFB, tRFCpb_); R(C::REFA, tRFCpb_); R(C::PREA, tRFCpb_);
      R(C::PDEA, REFPDEN_); R(C::PDEP, REFPDEN_); R(C::SREFEN, tRFCpb_);
      break;
    case C::PDEA:
      R(C::PDXA, CKE_);
      break;
    case C::PDXA:
      R(C::RD, XP_); R(C::RDA, XP_); R(C::WR, XP_); R(C::WRA, XP_);
      // tCKE holds CKE high before any power-down entry, not only the kind just left
      // (DRAMSys checks only PDXA->PDEA and PDXP->PDEP; with large tCKE the other pairs broke it).
      R(C::ACT, XP_); R(C::PRE, XP_); R(C::PREA, XP_); R(C::PDEA, CKE_); R(C::PDEP, CKE_);
      // Not in DRAMSys' checker: REFB (extension) and REFA can follow PDXA directly (REFA
      // does when the refresh manager counts no open bank, e.g. under Closed), JEDEC tXP.
      R(C::REFB, XP_); R(C::REFA, XP_);
      break;
    case C::PDEP:
      R(C::PDXP, CKE_);
      break;
    case C::PDXP:
      R(C::ACT, XP_); R(C::REFA, XP_); R(C::REFB, XP_); R(C::PDEP, CKE_); R(C::PDEA, CKE_); R(C::SREFEN, XP_);
      break;
    case C::SREFEN:
      R(C::SREFEX, CKESR_);
      break;
    case C::SREFEX:
      R(C::RD, XSDLL_); R(C::RDA, XSDLL_); R(C::WR, XSDLL_); R(C::WRA, XSDLL_);
      R(C::ACT, XS_); R(C::REFA, XS_); R(C::REFB, XS_); R(C::PDEP, XS_); R(C::SREFEN, XS_);
      break;
  }
}

}  // namespace archgym::dram

#pragma once
// An independent JEDEC DDR3/DDR4 protocol checker: a second opinion on the
// controller. It watches every issued command (CommandObserver), keeps its own
// model of each bank and rank, and records every state or timing rule a command
// breaks. It shares no code with the controller's timing logic on purpose.
//
// Timing formulas (all in memory clock cycles; B = BL / dataRate, the burst):
//   ACT->ACT same bank tRC; same rank tRRD_L (same bank group) / tRRD_S; tFAW.
//   ACT->RD/WR tRCD - AL; ACT->PRE tRAS; PRE/PREA->ACT/REF tRP.
//   RD->PRE AL + tRTP; WR->PRE WL + B + tWR.
//   RDA->ACT AL + tRTP + tRP; WRA->ACT WL + B + tWR + tRP (auto-precharge);
//   WR->RDA same bank: the implied precharge (RDA + AL + tRTP) obeys tWR.
//   RD->RD, WR->WR same rank tCCD_L (same bank group) / tCCD_S.
//   WR->RD same rank WL + B + tWTR_L/S - AL.
//   RD->WR same rank (tRTW): DDR3 RL + B + 2 - WL (JEDEC RL + tCCD + 2tCK - WL);
//                            DDR4 RL + B + 1 + tWPRE - WL (JEDEC, 1 or 2 tCK write preamble).
//   Rank switch (data bus): RD->RD and WR->WR B + tRTRS; RD->WR RL + B + tRTRS - WL
//   (DDR4 + tWPRE); WR->RD WL + B + tRTRS - RL (DDR4 + tRPRE).
//   REFA->any command of the rank tRFC (DDR4: RFC/RFC2/RFC4 by REFM), except
//   power-down entry/exit (JEDEC allows power-down during refresh: tREFPDEN).
//   REFB->ACT/REF of that bank tRFCpb.
//   Low-power entry (PDEA/PDEP/SREFEN) after RD/RDA RL + B + 1, after WR WL + B + tWR,
//   after WRA WL + B + tWR + 1, after ACT tACTPDEN, after PRE/PREA tPRPDEN,
//   after REFA/REFB tREFPDEN; PDE->PDX tCKE; SREFEN->SREFEX tCKESR;
//   PDX->next command tXP (next power-down entry tCKE);
//   SREFEX->next command tXS (RD/RDA: tXSDLL).
//   Command bus: at most one command per cycle, cycles non-decreasing.
//   REFA/REFB/SREFEN also need each bank's precharge complete and tRC since its ACT.
//   Refresh rate (when a refresh check is on): JEDEC lets at most 8 refreshes be owed at
//   any time (8 x REFM under DDR4 fine granularity) and counts at most 8 pulled in
//   towards later ones; owed = tREFI intervals since cycle 0 (or the last self-refresh
//   exit) minus refreshes issued, with slack for the refresh due to drain the banks. This
//   is the device's rule, whatever the controller's postpone and pull-in knobs say (a
//   second rule, refresh_interval, checks the gap those knobs allow).
// DDR3 has one bank group, so its tRRD/tCCD/tWTR violations are reported as the _L rules.
//
// State rules: ACT only to a precharged bank; RD/WR/RDA/WRA only to an open bank and its
// open row (IssuedCommand::row of a CAS is the request's row); PRE to a precharged bank is
// a legal no-op; REFA, PDEP and SREFEN need every bank of the rank precharged, REFB its
// bank; PDEA is accepted with or without open banks (DRAMSys issues it with all banks
// precharged, see data/dram/KNOBS.md §6); a rank in power-down or self-refresh accepts
// only its matching exit (PDXA after PDEA, PDXP after PDEP, SREFEX after SREFEN).
//
// Performance: O(banks) for PREA/REFA/SREFEN, O(ranks) for CAS, O(1) otherwise; no allocation
// unless a violation is kept in detail.
#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "simulators/dram/command.h"
#include "simulators/dram/controller_config.h"
#include "simulators/dram/memspec.h"

namespace archgym::dram {

enum class ProtocolRule : std::uint8_t {
  // Command bus and addressing.
  CommandBus,          // two commands in one cycle
  OutOfOrder,          // a command with a cycle earlier than the previous one
  BadAddress,          // rank/bank group/bank/row/column out of range or inconsistent
  // Bank and rank state.
  ActToOpenBank,
  CasToClosedBank,
  CasWrongRow,
  RefaWithOpenBank,
  RefbToOpenBank,
  PdepWithOpenBank,
  SrefenWithOpenBank,
  CmdDuringPowerDown,
  CmdDuringSelfRefresh,
  ExitWithoutEntry,    // PDXA/PDXP/SREFEX not matching the rank's low-power state
  // Timing.
  tRCD, tRP, tRAS, tRC, tRRD_S, tRRD_L, tFAW, tCCD_S, tCCD_L, tWTR_S, tWTR_L, tRTW,
  tRTRS, tRTP, tWR, RdaPrecharge, WraPrecharge, tRFC, tRFCpb,
  tRDPDEN, tWRPDEN, tWRAPDEN, tACTPDEN, tPRPDEN, tREFPDEN, tCKE, tCKESR, tXP, tXS, tXSDLL,
  RefreshInterval,     // optional: too long without refreshing a rank (or bank)
  RefreshRate,         // optional: more refreshes owed than JEDEC allows postponed
  Count
};
inline constexpr int kProtocolRuleCount = static_cast<int>(ProtocolRule::Count);
std::string_view rule_name(ProtocolRule r);

struct ProtocolViolation {
  std::uint64_t cycle = 0;   // cycle of the offending command (= actual cycle)
  Command command = Command::ACT;
  int rank = 0, bank_group = 0, bank = 0, row = 0;
  ProtocolRule rule = ProtocolRule::Count;
  // Earliest cycle at which the command would have been legal; -1 for state rules
  // (no waiting makes the command legal).
  std::int64_t required_cycle = -1;
  std::uint64_t actual_cycle = 0;
  std::string detail;        // short explanation, e.g. "open row 17" or "after RD@120"
  std::string to_string() const;
};

// Which refreshes the optional interval check expects.
enum class RefreshCheckMode { Off, AllBank, PerBank };

class ProtocolChecker final : public CommandObserver {
 public:
  explicit ProtocolChecker(const MemSpec& spec, std::size_t max_detailed = 100);

  void on_command(const IssuedCommand& c) override;
  // Closes the refresh-interval check at the end of simulation.
  void on_finish(std::uint64_t end_cycle) override;

  // Optional refresh check. AllBank: no rank may go longer than max_gap_cycles
  // without a REFA (or self-refresh), counted from cycle 0 and up to on_finish.
  // PerBank: the same per bank, where a REFB of the bank or a REFA of its rank counts.
  void set_refresh_check(RefreshCheckMode mode, std::uint64_t max_gap_cycles);
  // The largest gap a DRAMSys-style refresh manager may legitimately leave:
  // (postponed + pulled-in + 1) refresh intervals (a pulled-in refresh is credit
  // that a later postponement spends), plus slack for the forced refresh to drain
  // the banks; PerBank adds one interval for the round-robin order within a round.
  static std::uint64_t max_refresh_gap(const MemSpec& spec, RefreshCheckMode mode,
                                       int max_postponed, int max_pulled_in,
                                       std::uint64_t slack_cycles);
  // The refresh check a controller configuration allows (off for NoRefresh): its policy's
  // mode and max_refresh_gap() with its postpone and pull-in limits, with slack enough for
  // a forced refresh to drain the banks after the last allowed postponement.
  void set_refresh_check(const ControllerConfig& controller);

  bool ok() const { return total_violations_ == 0; }
  std::uint64_t violation_count() const { return total_violations_; }
  std::uint64_t count(ProtocolRule r) const { return per_rule_[static_cast<int>(r)]; }
  // The first max_detailed violations, in issue order.
  const std::vector<ProtocolViolation>& violations() const { return detailed_; }
  std::uint64_t commands_checked() const { return commands_; }
  // Counts per rule and the first max_lines violations, one per line.
  std::string summary(std::size_t max_lines = 10) const;

  // Effective timing values the checker enforces (cycles), for tests and reports.
  int tRFC_cycles() const { return t_rfc_; }
  int tREFI_cycles() const { return t_refi_; }
  int read_to_write_cycles() const { return rd_to_wr_; }

 private:
  static constexpr std::int64_t kNever = -(std::int64_t{1} << 40);
  enum class Power : std::uint8_t { Up, ActivePowerDown, PrechargePowerDown, SelfRefresh };
  // Refreshes a rank (or bank) was given since its refresh clock started, for the rate rule.
  struct RefreshAccount {
    std::int64_t origin = 0;         // cycle 0, or the last self-refresh exit
    std::int64_t counted = 0;        // refreshes since, pulled-in ones beyond the limit not counted
  };

  struct Bank {
    bool open = false;
    int row = 0;
    std::int64_t act = kNever;       // last ACT
    std::int64_t rd = kNever;        // last RD/RDA
    std::int64_t wr = kNever;        // last WR/WRA
    std::int64_t ready_act = kNever; // earliest ACT/REF allowed by precharge (PRE, RDA, WRA)
    ProtocolRule ready_rule = ProtocolRule::tRP;  // which rule set ready_act
    std::int64_t ready_from = kNever;             // the command that set it
    std::int64_t refb = kNever;      // last REFB
    std::int64_t last_refresh = 0;   // for the per-bank interval check
    RefreshAccount refreshes;        // for the per-bank rate check
  };
  struct Group {                     // one bank group of one rank
    std::int64_t act = kNever, rd = kNever, wr = kNever;
    int act_bank = -1;               // bank of the last ACT (tRC covers a repeat)
  };
  struct Rank {
    Power power = Power::Up;
    int open_banks = 0;
    std::array<std::int64_t, 4> faw{kNever, kNever, kNever, kNever};  // ring of ACT times
    int faw_next = 0;
    std::int64_t act = kNever, rd = kNever, wr = kNever, pre = kNever;
    std::int64_t wr_plain = kNever, wra = kNever;  // WR and WRA apart (tWRPDEN vs tWRAPDEN)
    int act_group = -1, rd_group = -1, wr_group = -1;  // bank group of the last ACT/RD/WR
    std::int64_t refa = kNever, refb = kNever, pde = kNever, pdx = kNever;
    std::int64_t srefen = kNever, srefex = kNever;
    Command pde_cmd = Command::PDEA, pdx_cmd = Command::PDXA;  // kinds, for the reports
    std::int64_t last_refresh = 0;   // for the all-bank interval check
    RefreshAccount refreshes;        // for the all-bank rate check
  };

  // Records a violation if actual < required.
  void need(const IssuedCommand& c, ProtocolRule rule, std::int64_t required,
            std::string_view what, std::int64_t from);
  void flag(const IssuedCommand& c, ProtocolRule rule, std::string detail);
  // Counts a violation; returns its detailed record (to fill in) unless the cap is reached.
  ProtocolViolation* count(const IssuedCommand& c, ProtocolRule rule);
  bool address_ok(const IssuedCommand& c);

  void check_rank_gates(const IssuedCommand& c, Rank& r);
  void check_act(const IssuedCommand& c, Rank& r, Bank& b, Group& g);
  void check_cas(const IssuedCommand& c, Rank& r, Bank& b, Group& g);
  void check_pre(const IssuedCommand& c, const Bank& b);
  void check_precharged(const IssuedCommand& c, const Bank& b);
  void check_low_power_entry(const IssuedCommand& c, const Rank& r);
  void update(const IssuedCommand& c, Rank& r, Bank& b, Group& g);
  // A refresh rule broken by a rank (bank -1) or bank at `now`: counted, and kept in detail
  // ("rank R bank B" and what `describe` says, built only then).
  void flag_refresh(ProtocolRule rule, Command cmd, std::int64_t now, int rank, int bank, bool at_end,
                    const std::function<std::string()>& describe);
  // bank -1: the whole rank. at_end: the gap runs to the end of simulation.
  void check_refresh_gap(Command cmd, std::int64_t now, std::int64_t last, int rank, int bank,
                         bool at_end);
  // The rate rule at `now` for a rank (bank -1) or bank; `refreshed`: a refresh is issued now
  // and is counted after the check.
  void check_refresh_rate(Command cmd, std::int64_t now, RefreshAccount& account, int rank, int bank,
                          bool at_end, bool refreshed);

  Bank& bank(int rank, int b) { return banks_[static_cast<std::size_t>(rank * spec_.banks + b)]; }
  Group& group(int rank, int g) {
    return groups_[static_cast<std::size_t>(rank * spec_.bank_groups + g)];
  }

  MemSpec spec_;
  std::size_t max_detailed_;
  // Derived timings (cycles).
  // Refresh: cycles a due refresh may take to drain the banks; refreshes JEDEC lets be owed.
  std::int64_t refresh_slack_ = 0, max_owed_refreshes_ = 8;
  int burst_, t_rfc_, t_refi_, rd_to_wr_, rd_to_wr_rank_, wr_to_rd_rank_, wr_to_pre_, rd_pden_,
      wr_pden_, wra_pden_;

  std::vector<Bank> banks_;
  std::vector<Group> groups_;
  std::vector<Rank> ranks_;
  std::int64_t last_cycle_ = kNever;

  RefreshCheckMode refresh_mode_ = RefreshCheckMode::Off;
  std::uint64_t max_refresh_gap_ = 0;      // allowed
  std::uint64_t longest_refresh_gap_ = 0;  // seen (up to the end of the run, from on_finish)

  std::uint64_t commands_ = 0;
  std::uint64_t total_violations_ = 0;
  std::array<std::uint64_t, kProtocolRuleCount> per_rule_{};
  std::vector<ProtocolViolation> detailed_;
};

}  // namespace archgym::dram

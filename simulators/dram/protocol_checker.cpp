#include "simulators/dram/protocol_checker.h"

#include <algorithm>
#include <functional>
#include <sstream>
#include <stdexcept>

namespace archgym::dram {

std::string_view rule_name(ProtocolRule r) {
  switch (r) {
    case ProtocolRule::CommandBus: return "command_bus";
    case ProtocolRule::OutOfOrder: return "out_of_order";
    case ProtocolRule::BadAddress: return "bad_address";
    case ProtocolRule::ActToOpenBank: return "ACT_to_open_bank";
    case ProtocolRule::CasToClosedBank: return "CAS_to_closed_bank";
    case ProtocolRule::CasWrongRow: return "CAS_wrong_row";
    case ProtocolRule::RefaWithOpenBank: return "REFA_with_open_bank";
    case ProtocolRule::RefbToOpenBank: return "REFB_to_open_bank";
    case ProtocolRule::PdepWithOpenBank: return "PDEP_with_open_bank";
    case ProtocolRule::SrefenWithOpenBank: return "SREFEN_with_open_bank";
    case ProtocolRule::CmdDuringPowerDown: return "command_during_power_down";
    case ProtocolRule::CmdDuringSelfRefresh: return "command_during_self_refresh";
    case ProtocolRule::ExitWithoutEntry: return "exit_without_entry";
    case ProtocolRule::tRCD: return "tRCD";
    case ProtocolRule::tRP: return "tRP";
    case ProtocolRule::tRAS: return "tRAS";
    case ProtocolRule::tRC: return "tRC";
    case ProtocolRule::tRRD_S: return "tRRD_S";
    case ProtocolRule::tRRD_L: return "tRRD_L";
    case ProtocolRule::tFAW: return "tFAW";
    case ProtocolRule::tCCD_S: return "tCCD_S";
    case ProtocolRule::tCCD_L: return "tCCD_L";
    case ProtocolRule::tWTR_S: return "tWTR_S";
    case ProtocolRule::tWTR_L: return "tWTR_L";
    case ProtocolRule::tRTW: return "tRTW";
    case ProtocolRule::tRTRS: return "tRTRS";
    case ProtocolRule::tRTP: return "tRTP";
    case ProtocolRule::tWR: return "tWR";
    case ProtocolRule::RdaPrecharge: return "RDA_auto_precharge";
    case ProtocolRule::WraPrecharge: return "WRA_auto_precharge";
    case ProtocolRule::tRFC: return "tRFC";
    case ProtocolRule::tRFCpb: return "tRFCpb";
    case ProtocolRule::tRDPDEN: return "tRDPDEN";
    case ProtocolRule::tWRPDEN: return "tWRPDEN";
    case ProtocolRule::tWRAPDEN: return "tWRAPDEN";
    case ProtocolRule::tACTPDEN: return "tACTPDEN";
    case ProtocolRule::tPRPDEN: return "tPRPDEN";
    case ProtocolRule::tREFPDEN: return "tREFPDEN";
    case ProtocolRule::tCKE: return "tCKE";
    case ProtocolRule::tCKESR: return "tCKESR";
    case ProtocolRule::tXP: return "tXP";
    case ProtocolRule::tXS: return "tXS";
    case ProtocolRule::tXSDLL: return "tXSDLL";
    case ProtocolRule::RefreshInterval: return "refresh_interval";
    case ProtocolRule::RefreshRate: return "refresh_rate";
    case ProtocolRule::Count: break;
  }
  return "unknown_rule";
}

std::string ProtocolViolation::to_string() const {
  std::ostringstream os;
  os << "cycle " << actual_cycle << ": " << command_name(command) << " rank " << rank;
  if (!is_rank_command(command)) os << " bg " << bank_group << " bank " << bank << " row " << row;
  os << ": " << rule_name(rule);
  if (required_cycle >= 0)
    os << " needs cycle >= " << required_cycle << " (" << (required_cycle - static_cast<std::int64_t>(actual_cycle))
       << " too early)";
  if (!detail.empty()) os << " [" << detail << "]";
  return os.str();
}

namespace {

bool is_power_down_entry(Command c) { return c == Command::PDEA || c == Command::PDEP; }
bool is_exit(Command c) {
  return c == Command::PDXA || c == Command::PDXP || c == Command::SREFEX;
}

}  // namespace

ProtocolChecker::ProtocolChecker(const MemSpec& spec, std::size_t max_detailed)
    : spec_(spec), max_detailed_(max_detailed) {
  if (spec_.ranks < 1 || spec_.banks < 1 || spec_.bank_groups < 1 ||
      spec_.banks % spec_.bank_groups != 0)
    throw std::invalid_argument("ProtocolChecker: memspec " + spec_.id +
                                " has an invalid organisation (ranks " +
                                std::to_string(spec_.ranks) + ", bank groups " +
                                std::to_string(spec_.bank_groups) + ", banks " +
                                std::to_string(spec_.banks) + ")");
  const bool ddr4 = spec_.type == MemoryType::DDR4;
  burst_ = spec_.burst_length / spec_.data_rate;
  t_rfc_ = spec_.RFC;
  t_refi_ = spec_.REFI;
  if (ddr4 && spec_.REFM == 2 && spec_.RFC2 > 0) t_rfc_ = spec_.RFC2;
  if (ddr4 && spec_.REFM == 4 && spec_.RFC4 > 0) t_rfc_ = spec_.RFC4;
  if (ddr4 && spec_.REFM > 1) t_refi_ = spec_.REFI / spec_.REFM;
  // JESD79-3/-4: at most 8 refresh commands postponed (DDR4 fine granularity: 16 in 2x, 32 in 4x).
  max_owed_refreshes_ = 8 * (ddr4 && spec_.REFM > 1 ? spec_.REFM : 1);
  refresh_slack_ = 2 * static_cast<std::int64_t>(t_rfc_) + spec_.RC + spec_.RAS + 200;
  // Read-to-write turnaround: the write data (WL after WR) must follow the read data
  // (RL + burst after RD) with a bubble for bus turnaround and the write preamble.
  rd_to_wr_ = ddr4 ? spec_.RL + burst_ + 1 + spec_.WPRE - spec_.WL
                   : spec_.RL + burst_ + 2 - spec_.WL;
  rd_to_wr_rank_ = spec_.RL + burst_ + spec_.RTRS - spec_.WL + (ddr4 ? spec_.WPRE : 0);
  wr_to_rd_rank_ = spec_.WL + burst_ + spec_.RTRS - spec_.RL + (ddr4 ? spec_.RPRE : 0);
  wr_to_pre_ = spec_.WL + burst_ + spec_.WR;
  rd_pden_ = spec_.RL + burst_ + 1;
  wr_pden_ = spec_.WL + burst_ + spec_.WR;
  wra_pden_ = spec_.WL + burst_ + spec_.WR + 1;

  banks_.assign(static_cast<std::size_t>(spec_.ranks * spec_.banks), Bank{});
  groups_.assign(static_cast<std::size_t>(spec_.ranks * spec_.bank_groups), Group{});
  ranks_.assign(static_cast<std::size_t>(spec_.ranks), Rank{});
}

void ProtocolChecker::set_refresh_check(RefreshCheckMode mode, std::uint64_t max_gap_cycles) {
  refresh_mode_ = mode;
  max_refresh_gap_ = max_gap_cycles;
}

void ProtocolChecker::set_refresh_check(const ControllerConfig& k) {
  if (k.refresh_policy == RefreshPolicy::NoRefresh) {
    set_refresh_check(RefreshCheckMode::Off, 0);
    return;
  }
  const RefreshCheckMode mode =
      k.refresh_policy == RefreshPolicy::AllBank ? RefreshCheckMode::AllBank : RefreshCheckMode::PerBank;
  set_refresh_check(mode, max_refresh_gap(spec_, mode, k.refresh_max_postponed, k.refresh_max_pulledin,
                                          static_cast<std::uint64_t>(refresh_slack_)));
}

std::uint64_t ProtocolChecker::max_refresh_gap(const MemSpec& spec, RefreshCheckMode mode,
                                               int max_postponed, int max_pulled_in,
                                               std::uint64_t slack_cycles) {
  std::uint64_t interval = static_cast<std::uint64_t>(spec.REFI);
  if (spec.type == MemoryType::DDR4 && spec.REFM > 1) interval /= static_cast<std::uint64_t>(spec.REFM);
  std::uint64_t intervals = static_cast<std::uint64_t>(std::max(0, max_postponed)) +
                            static_cast<std::uint64_t>(std::max(0, max_pulled_in)) + 1;
  if (mode == RefreshCheckMode::PerBank) intervals += 1;
  return intervals * interval + slack_cycles;
}

ProtocolViolation* ProtocolChecker::count(const IssuedCommand& c, ProtocolRule rule) {
  ++total_violations_;
  ++per_rule_[static_cast<int>(rule)];
  if (detailed_.size() >= max_detailed_) return nullptr;
  ProtocolViolation& v = detailed_.emplace_back();
  v.cycle = c.cycle;
  v.command = c.command;
  v.rank = c.rank;
  v.bank_group = c.bank_group;
  v.bank = c.bank;
  v.row = c.row;
  v.rule = rule;
  v.actual_cycle = c.cycle;
  return &v;
}

void ProtocolChecker::flag(const IssuedCommand& c, ProtocolRule rule, std::string detail) {
  if (ProtocolViolation* v = count(c, rule)) v->detail = std::move(detail);
}

void ProtocolChecker::need(const IssuedCommand& c, ProtocolRule rule, std::int64_t required,
                           std::string_view what, std::int64_t from) {
  if (static_cast<std::int64_t>(c.cycle) >= required) return;
  if (ProtocolViolation* v = count(c, rule)) {
    v->required_cycle = required;
    v->detail = "after " + std::string(what) + "@" + std::to_string(from);  // built only when kept
  }
}

bool ProtocolChecker::address_ok(const IssuedCommand& c) {
  if (c.rank < 0 || c.rank >= spec_.ranks) {
    flag(c, ProtocolRule::BadAddress,
         "rank " + std::to_string(c.rank) + " of " + std::to_string(spec_.ranks));
    return false;
  }
  if (is_rank_command(c.command)) return true;
  if (c.bank < 0 || c.bank >= spec_.banks || c.bank_group < 0 ||
      c.bank_group >= spec_.bank_groups || c.bank / spec_.banks_per_group() != c.bank_group) {
    flag(c, ProtocolRule::BadAddress,
         "bank " + std::to_string(c.bank) + " / bank group " + std::to_string(c.bank_group) +
             " with " + std::to_string(spec_.banks) + " banks in " +
             std::to_string(spec_.bank_groups) + " groups");
    return false;
  }
  if (c.command == Command::ACT || is_cas(c.command)) {
    if (c.row < 0 || c.row >= spec_.rows) {
      flag(c, ProtocolRule::BadAddress,
           "row " + std::to_string(c.row) + " of " + std::to_string(spec_.rows));
      return false;
    }
  }
  if (is_cas(c.command) && (c.column < 0 || c.column >= spec_.columns)) {
    flag(c, ProtocolRule::BadAddress,
         "column " + std::to_string(c.column) + " of " + std::to_string(spec_.columns));
    return false;
  }
  return true;
}

void ProtocolChecker::on_command(const IssuedCommand& c) {
  ++commands_;
  const auto now = static_cast<std::int64_t>(c.cycle);
  if (now == last_cycle_)
    need(c, ProtocolRule::CommandBus, last_cycle_ + 1, "a command", last_cycle_);
  else if (now < last_cycle_)
    flag(c, ProtocolRule::OutOfOrder, "previous command at " + std::to_string(last_cycle_));
  last_cycle_ = std::max(last_cycle_, now);
  if (!address_ok(c)) return;

  Rank& r = ranks_[static_cast<std::size_t>(c.rank)];
  // Rank commands carry no meaningful bank; bank 0 of group 0 stands in.
  const bool bank_cmd = !is_rank_command(c.command);
  Bank& b = bank(c.rank, bank_cmd ? c.bank : 0);
  Group& g = group(c.rank, bank_cmd ? c.bank_group : 0);

  check_rank_gates(c, r);
  switch (c.command) {
    case Command::ACT: check_act(c, r, b, g); break;
    case Command::RD: case Command::RDA: case Command::WR: case Command::WRA:
      check_cas(c, r, b, g);
      break;
    case Command::PRE: check_pre(c, b); break;
    case Command::PREA:
      for (int i = 0; i < spec_.banks; ++i) check_pre(c, bank(c.rank, i));
      break;
    case Command::REFA: {
      int first_open = -1;
      for (int i = 0; i < spec_.banks; ++i) {
        const Bank& bi = bank(c.rank, i);
        if (bi.open && first_open < 0) first_open = i;
        check_precharged(c, bi);
      }
      if (first_open >= 0)
        flag(c, ProtocolRule::RefaWithOpenBank,
             std::to_string(r.open_banks) + " bank(s) open, first bank " +
                 std::to_string(first_open));
      break;
    }
    case Command::REFB:
      if (b.open) flag(c, ProtocolRule::RefbToOpenBank, "open row " + std::to_string(b.row));
      check_precharged(c, b);
      break;
    case Command::PDEA: check_low_power_entry(c, r); break;
    case Command::PDEP:
      if (r.open_banks > 0)
        flag(c, ProtocolRule::PdepWithOpenBank, std::to_string(r.open_banks) + " bank(s) open");
      check_low_power_entry(c, r);
      break;
    case Command::SREFEN:
      if (r.open_banks > 0)
        flag(c, ProtocolRule::SrefenWithOpenBank, std::to_string(r.open_banks) + " bank(s) open");
      for (int i = 0; i < spec_.banks; ++i) check_precharged(c, bank(c.rank, i));
      check_low_power_entry(c, r);
      break;
    case Command::PDXA: case Command::PDXP:
      need(c, ProtocolRule::tCKE, r.pde + spec_.CKE, command_name(r.pde_cmd), r.pde);
      break;
    case Command::SREFEX:
      need(c, ProtocolRule::tCKESR, r.srefen + spec_.CKESR, "SREFEN", r.srefen);
      break;
  }
  update(c, r, b, g);
}

// Power state and the rank-wide waits after refresh, power-down and self-refresh exit.
void ProtocolChecker::check_rank_gates(const IssuedCommand& c, Rank& r) {
  const Command cmd = c.command;
  switch (r.power) {
    case Power::Up:
      if (is_exit(cmd)) flag(c, ProtocolRule::ExitWithoutEntry, "rank is not in a low-power state");
      break;
    case Power::ActivePowerDown:
    case Power::PrechargePowerDown: {
      const Command exit = r.power == Power::ActivePowerDown ? Command::PDXA : Command::PDXP;
      const char* state = r.power == Power::ActivePowerDown ? "active power-down (PDEA)"
                                                            : "precharge power-down (PDEP)";
      if (cmd == Command::PDXA || cmd == Command::PDXP || cmd == Command::SREFEX) {
        if (cmd != exit) flag(c, ProtocolRule::ExitWithoutEntry, std::string("rank is in ") + state);
      } else {
        flag(c, ProtocolRule::CmdDuringPowerDown, std::string("rank is in ") + state);
      }
      break;
    }
    case Power::SelfRefresh:
      if (cmd == Command::PDXA || cmd == Command::PDXP)
        flag(c, ProtocolRule::ExitWithoutEntry, "rank is in self-refresh");
      else if (cmd != Command::SREFEX)
        flag(c, ProtocolRule::CmdDuringSelfRefresh, "rank is in self-refresh");
      break;
  }
  if (is_exit(cmd)) return;  // exits have their own minimum residency checks

  if (is_power_down_entry(cmd))
    need(c, ProtocolRule::tCKE, r.pdx + spec_.CKE, command_name(r.pdx_cmd), r.pdx);
  else
    need(c, ProtocolRule::tXP, r.pdx + spec_.XP, command_name(r.pdx_cmd), r.pdx);

  if (is_read(cmd))
    need(c, ProtocolRule::tXSDLL, r.srefex + spec_.XSDLL, "SREFEX", r.srefex);
  else
    need(c, ProtocolRule::tXS, r.srefex + spec_.XS, "SREFEX", r.srefex);

  // During tRFC only power-down entry (tREFPDEN) may reach the rank.
  if (!is_power_down_entry(cmd)) need(c, ProtocolRule::tRFC, r.refa + t_rfc_, "REFA", r.refa);
}

void ProtocolChecker::check_act(const IssuedCommand& c, Rank& r, Bank& b, Group& g) {
  if (b.open) flag(c, ProtocolRule::ActToOpenBank, "open row " + std::to_string(b.row));
  need(c, ProtocolRule::tRC, b.act + spec_.RC, "ACT", b.act);
  need(c, b.ready_rule, b.ready_act, command_name(b.ready_rule == ProtocolRule::tRP ? Command::PRE
                                      : b.ready_rule == ProtocolRule::RdaPrecharge ? Command::RDA
                                                                                   : Command::WRA),
       b.ready_from);
  need(c, ProtocolRule::tRFCpb, b.refb + spec_.RFCpb, "REFB", b.refb);
  // A repeat ACT to the same bank is bounded by tRC (>= tRRD); the latest ACT of
  // the bank group (resp. rank) bounds every earlier one.
  if (g.act_bank != c.bank) need(c, ProtocolRule::tRRD_L, g.act + spec_.RRD_L, "ACT", g.act);
  if (r.act_group != c.bank_group) need(c, ProtocolRule::tRRD_S, r.act + spec_.RRD_S, "ACT", r.act);
  const std::int64_t oldest = r.faw[static_cast<std::size_t>(r.faw_next)];
  need(c, ProtocolRule::tFAW, oldest + spec_.FAW, "4th-last ACT", oldest);
}

void ProtocolChecker::check_cas(const IssuedCommand& c, Rank& r, Bank& b, Group& g) {
  if (!b.open) {
    flag(c, ProtocolRule::CasToClosedBank, "bank is precharged");
  } else {
    if (c.row != b.row)
      flag(c, ProtocolRule::CasWrongRow,
           "open row " + std::to_string(b.row) + ", request row " + std::to_string(c.row));
    need(c, ProtocolRule::tRCD, b.act + spec_.RCD - spec_.AL, "ACT", b.act);
  }
  const bool same_group_rd = r.rd_group == c.bank_group;
  const bool same_group_wr = r.wr_group == c.bank_group;
  if (is_read(c.command)) {
    need(c, ProtocolRule::tCCD_L, g.rd + spec_.CCD_L, "RD", g.rd);
    if (!same_group_rd) need(c, ProtocolRule::tCCD_S, r.rd + spec_.CCD_S, "RD", r.rd);
    need(c, ProtocolRule::tWTR_L, g.wr + spec_.WL + burst_ + spec_.WTR_L - spec_.AL, "WR", g.wr);
    if (!same_group_wr)
      need(c, ProtocolRule::tWTR_S, r.wr + spec_.WL + burst_ + spec_.WTR_S - spec_.AL, "WR", r.wr);
    for (int o = 0; o < spec_.ranks; ++o) {
      if (o == c.rank) continue;
      const Rank& other = ranks_[static_cast<std::size_t>(o)];
      need(c, ProtocolRule::tRTRS, other.rd + burst_ + spec_.RTRS, "RD(other rank)", other.rd);
      need(c, ProtocolRule::tRTRS, other.wr + wr_to_rd_rank_, "WR(other rank)", other.wr);
    }
    // The precharge implied by RDA (at RDA + AL + tRTP) must respect write recovery.
    if (c.command == Command::RDA && b.open && b.wr >= b.act)
      need(c, ProtocolRule::tWR, b.wr + wr_to_pre_ - spec_.AL - spec_.RTP, "WR", b.wr);
  } else {
    need(c, ProtocolRule::tCCD_L, g.wr + spec_.CCD_L, "WR", g.wr);
    if (!same_group_wr) need(c, ProtocolRule::tCCD_S, r.wr + spec_.CCD_S, "WR", r.wr);
    need(c, ProtocolRule::tRTW, r.rd + rd_to_wr_, "RD", r.rd);
    for (int o = 0; o < spec_.ranks; ++o) {
      if (o == c.rank) continue;
      const Rank& other = ranks_[static_cast<std::size_t>(o)];
      need(c, ProtocolRule::tRTRS, other.wr + burst_ + spec_.RTRS, "WR(other rank)", other.wr);
      need(c, ProtocolRule::tRTRS, other.rd + rd_to_wr_rank_, "RD(other rank)", other.rd);
    }
  }
}

// PRE (or PREA) of one bank: a no-op on a precharged bank, otherwise it must wait
// for tRAS and for the last read (tRTP) and write (tWR) of this activation.
void ProtocolChecker::check_pre(const IssuedCommand& c, const Bank& b) {
  if (!b.open) return;
  need(c, ProtocolRule::tRAS, b.act + spec_.RAS, "ACT", b.act);
  if (b.rd >= b.act) need(c, ProtocolRule::tRTP, b.rd + spec_.AL + spec_.RTP, "RD", b.rd);
  if (b.wr >= b.act) need(c, ProtocolRule::tWR, b.wr + wr_to_pre_, "WR", b.wr);
}

// REFA/REFB/SREFEN need the bank fully precharged: its precharge (explicit or
// automatic) complete, a full tRC since its last ACT, and any per-bank refresh done.
void ProtocolChecker::check_precharged(const IssuedCommand& c, const Bank& b) {
  need(c, b.ready_rule, b.ready_act,
       b.ready_rule == ProtocolRule::tRP ? "PRE"
       : b.ready_rule == ProtocolRule::RdaPrecharge ? "RDA" : "WRA",
       b.ready_from);
  need(c, ProtocolRule::tRC, b.act + spec_.RC, "ACT", b.act);
  need(c, ProtocolRule::tRFCpb, b.refb + spec_.RFCpb, "REFB", b.refb);
}

// PDEA/PDEP/SREFEN: the last burst and write recovery must be done, and ACT, PRE and
// REF need their JEDEC entry delays.
void ProtocolChecker::check_low_power_entry(const IssuedCommand& c, const Rank& r) {
  need(c, ProtocolRule::tRDPDEN, r.rd + rd_pden_, "RD", r.rd);
  need(c, ProtocolRule::tWRPDEN, r.wr_plain + wr_pden_, "WR", r.wr_plain);
  need(c, ProtocolRule::tWRAPDEN, r.wra + wra_pden_, "WRA", r.wra);
  need(c, ProtocolRule::tACTPDEN, r.act + spec_.ACTPDEN, "ACT", r.act);
  need(c, ProtocolRule::tPRPDEN, r.pre + spec_.PRPDEN, "PRE", r.pre);
  need(c, ProtocolRule::tREFPDEN, r.refa + spec_.REFPDEN, "REFA", r.refa);
  need(c, ProtocolRule::tREFPDEN, r.refb + spec_.REFPDEN, "REFB", r.refb);
}

void ProtocolChecker::flag_refresh(ProtocolRule rule, Command cmd, std::int64_t now, int rank, int bank_index,
                                   bool at_end, const std::function<std::string()>& describe) {
  ++total_violations_;
  ++per_rule_[static_cast<int>(rule)];
  if (detailed_.size() >= max_detailed_) return;
  ProtocolViolation v;
  v.cycle = static_cast<std::uint64_t>(now);
  v.command = cmd;
  v.rank = rank;
  v.bank = std::max(0, bank_index);
  v.rule = rule;
  v.required_cycle = -1;
  v.actual_cycle = static_cast<std::uint64_t>(now);
  v.detail = std::string(at_end ? "at end of simulation: " : "") + "rank " + std::to_string(rank) +
             (bank_index >= 0 ? " bank " + std::to_string(bank_index) : "") + describe();
  detailed_.push_back(std::move(v));
}

void ProtocolChecker::check_refresh_gap(Command cmd, std::int64_t now, std::int64_t last,
                                        int rank, int bank_index, bool at_end) {
  const std::int64_t gap = now - last;
  if (gap > 0) longest_refresh_gap_ = std::max(longest_refresh_gap_, static_cast<std::uint64_t>(gap));
  if (gap <= static_cast<std::int64_t>(max_refresh_gap_)) return;
  flag_refresh(ProtocolRule::RefreshInterval, cmd, now, rank, bank_index, at_end, [&] {
    return " not refreshed for " + std::to_string(gap) + " cycles (max " + std::to_string(max_refresh_gap_) +
           ", last at " + std::to_string(last) + ")";
  });
}

void ProtocolChecker::check_refresh_rate(Command cmd, std::int64_t now, RefreshAccount& account, int rank,
                                         int bank_index, bool at_end, bool refreshed) {
  // Per bank (the archgym extension, which JEDEC does not define for DDR3/DDR4): a bank is
  // due once per round of REFBs, banks x REFIpb (REFI by default), and its first refresh of a
  // round may come up to one interval later than a rank's would: one more may be owed.
  const std::int64_t interval =
      bank_index >= 0 && spec_.REFIpb > 0 ? std::max<std::int64_t>(t_refi_, std::int64_t{spec_.banks} * spec_.REFIpb)
                                          : t_refi_;
  const std::int64_t limit = max_owed_refreshes_ + (bank_index >= 0 ? 1 : 0);
  auto due = [&](std::int64_t t) { return t <= account.origin ? 0 : (t - account.origin) / interval; };
  const std::int64_t counted = account.counted;
  const std::int64_t owed = due(now - refresh_slack_) - counted;
  // Pulled in beyond the limit, a refresh does not lessen later ones (JEDEC).
  if (refreshed) account.counted = std::min(counted + 1, due(now) + max_owed_refreshes_);
  if (owed <= limit) return;
  flag_refresh(ProtocolRule::RefreshRate, cmd, now, rank, bank_index, at_end, [&] {
    return " owes " + std::to_string(owed) + " refreshes (at most " + std::to_string(limit) + " may be postponed; " +
           std::to_string(due(now - refresh_slack_)) + " due since cycle " + std::to_string(account.origin) + ", " +
           std::to_string(counted) + " counted)";
  });
}

void ProtocolChecker::update(const IssuedCommand& c, Rank& r, Bank& b, Group& g) {
  const auto now = static_cast<std::int64_t>(c.cycle);
  auto close = [&](Bank& bk, std::int64_t ready, ProtocolRule why) {
    if (!bk.open) return;
    bk.open = false;
    --r.open_banks;
    bk.ready_act = ready;
    bk.ready_rule = why;
    bk.ready_from = now;
  };
  switch (c.command) {
    case Command::ACT:
      if (!b.open) ++r.open_banks;
      b.open = true;
      b.row = c.row;
      b.act = g.act = r.act = now;
      g.act_bank = c.bank;
      r.act_group = c.bank_group;
      r.faw[static_cast<std::size_t>(r.faw_next)] = now;
      r.faw_next = (r.faw_next + 1) % 4;
      break;
    case Command::RD:
    case Command::RDA:
      b.rd = g.rd = r.rd = now;
      r.rd_group = c.bank_group;
      if (c.command == Command::RDA)
        close(b, now + spec_.AL + spec_.RTP + spec_.RP, ProtocolRule::RdaPrecharge);
      break;
    case Command::WR:
    case Command::WRA:
      b.wr = g.wr = r.wr = now;
      r.wr_group = c.bank_group;
      if (c.command == Command::WR) {
        r.wr_plain = now;
      } else {
        r.wra = now;
        close(b, now + wr_to_pre_ + spec_.RP, ProtocolRule::WraPrecharge);
      }
      break;
    case Command::PRE:
      close(b, now + spec_.RP, ProtocolRule::tRP);
      r.pre = now;
      break;
    case Command::PREA:
      for (int i = 0; i < spec_.banks; ++i) close(bank(c.rank, i), now + spec_.RP, ProtocolRule::tRP);
      r.pre = now;
      break;
    case Command::REFA:
      r.refa = now;
      if (refresh_mode_ == RefreshCheckMode::AllBank) {
        check_refresh_gap(c.command, now, r.last_refresh, c.rank, -1, false);
        check_refresh_rate(c.command, now, r.refreshes, c.rank, -1, false, true);
      } else if (refresh_mode_ == RefreshCheckMode::PerBank) {
        for (int i = 0; i < spec_.banks; ++i) {
          check_refresh_gap(c.command, now, bank(c.rank, i).last_refresh, c.rank, i, false);
          check_refresh_rate(c.command, now, bank(c.rank, i).refreshes, c.rank, i, false, true);
        }
      }
      r.last_refresh = now;
      for (int i = 0; i < spec_.banks; ++i) bank(c.rank, i).last_refresh = now;
      break;
    case Command::REFB:
      b.refb = r.refb = now;
      if (refresh_mode_ == RefreshCheckMode::PerBank) {
        check_refresh_gap(c.command, now, b.last_refresh, c.rank, c.bank, false);
        check_refresh_rate(c.command, now, b.refreshes, c.rank, c.bank, false, true);
      }
      b.last_refresh = now;
      break;
    case Command::PDEA:
    case Command::PDEP:
      r.power = c.command == Command::PDEA ? Power::ActivePowerDown : Power::PrechargePowerDown;
      r.pde = now;
      r.pde_cmd = c.command;
      break;
    case Command::PDXA:
    case Command::PDXP:
      r.power = Power::Up;
      r.pdx = now;
      r.pdx_cmd = c.command;
      break;
    case Command::SREFEN:
      r.power = Power::SelfRefresh;
      r.srefen = now;
      if (refresh_mode_ == RefreshCheckMode::AllBank) {
        check_refresh_gap(c.command, now, r.last_refresh, c.rank, -1, false);
        check_refresh_rate(c.command, now, r.refreshes, c.rank, -1, false, false);
      } else if (refresh_mode_ == RefreshCheckMode::PerBank) {
        for (int i = 0; i < spec_.banks; ++i) {
          check_refresh_gap(c.command, now, bank(c.rank, i).last_refresh, c.rank, i, false);
          check_refresh_rate(c.command, now, bank(c.rank, i).refreshes, c.rank, i, false, false);
        }
      }
      break;
    case Command::SREFEX:
      r.power = Power::Up;
      r.srefex = now;
      // The device refreshed itself meanwhile: the refresh clock restarts here.
      r.last_refresh = now;
      r.refreshes = RefreshAccount{now, 0};
      for (int i = 0; i < spec_.banks; ++i) {
        bank(c.rank, i).last_refresh = now;
        bank(c.rank, i).refreshes = RefreshAccount{now, 0};
      }
      break;
  }
}

void ProtocolChecker::on_finish(std::uint64_t end_cycle) {
  if (refresh_mode_ == RefreshCheckMode::Off) return;
  const auto end = static_cast<std::int64_t>(end_cycle);
  for (int ri = 0; ri < spec_.ranks; ++ri) {
    const Rank& r = ranks_[static_cast<std::size_t>(ri)];
    if (r.power == Power::SelfRefresh) continue;
    if (refresh_mode_ == RefreshCheckMode::AllBank) {
      check_refresh_gap(Command::REFA, end, r.last_refresh, ri, -1, true);
      check_refresh_rate(Command::REFA, end, ranks_[static_cast<std::size_t>(ri)].refreshes, ri, -1, true, false);
    } else {
      for (int i = 0; i < spec_.banks; ++i) {
        check_refresh_gap(Command::REFA, end, bank(ri, i).last_refresh, ri, i, true);
        check_refresh_rate(Command::REFA, end, bank(ri, i).refreshes, ri, i, true, false);
      }
    }
  }
}

std::string ProtocolChecker::summary(std::size_t max_lines) const {
  std::ostringstream os;
  os << commands_ << " commands checked";
  if (refresh_mode_ != RefreshCheckMode::Off)
    os << " (and refresh gaps: longest " << longest_refresh_gap_ << " cycles, allowed " << max_refresh_gap_ << ")";
  os << ", " << total_violations_ << " violation(s)";
  if (total_violations_ == 0) return os.str();
  os << ":";
  for (int i = 0; i < kProtocolRuleCount; ++i)
    if (per_rule_[static_cast<std::size_t>(i)] > 0)
      os << " " << rule_name(static_cast<ProtocolRule>(i)) << "=" << per_rule_[static_cast<std::size_t>(i)];
  const std::size_t n = std::min(max_lines, detailed_.size());
  for (std::size_t i = 0; i < n; ++i) os << "\n  " << detailed_[i].to_string();
  if (total_violations_ > n) os << "\n  ... " << (total_violations_ - n) << " more";
  return os.str();
}

}  // namespace archgym::dram

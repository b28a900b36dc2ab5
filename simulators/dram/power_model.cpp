#include "simulators/dram/power_model.h"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

// A DRAMPower-style energy model (data/dram/KNOBS.md §12). Background cycles are
// classified per rank between state changes, exactly like DRAMPower's CommandAnalysis:
//   act  : >= 1 bank open (plus tRFC - tRP per REF)
//   pre  : all banks closed, not powered down or in self-refresh
//   pd   : between power-down entry and exit (active or precharged by bank state)
//   sref : self-refresh; its first tRFC is the refresh it starts with
// Command energies are count x charge; everything is per device, times devices.
//
// Deliberate differences from DRAMPower (documented, both only for unusual sequences):
// - Several ranks are tracked separately and their background cycles summed; DRAMPower
//   keeps one state machine and multiplies the background by the number of ranks.
// - Power-down cycles are classified by the banks actually open (a PDEA with every bank
//   closed is precharged power-down), and an auto-precharge landing inside a power-down
//   switches the class instead of being counted again as active cycles.

namespace archgym::dram {

namespace {

// No precharge pending. The largest time, so the earliest pending one is a plain minimum.
constexpr std::int64_t kNoPending = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kNone = kNoPending;

// Counters of one rank's background cycles.
struct Cycles {
  std::int64_t act = 0, pre = 0, pd_act = 0, pd_pre = 0, sref = 0;
  // The refresh that starts a self-refresh: inside it (act/pre part) and after an early exit.
  std::int64_t sref_ref_act = 0, sref_ref_pre = 0, spup_ref_act = 0, spup_ref_pre = 0;
  std::int64_t total() const {
    return act + pre + pd_act + pd_pre + sref + sref_ref_act + sref_ref_pre + spup_ref_act + spup_ref_pre;
  }
};

std::int64_t refresh_cycles(const MemSpec& m) {
  // DDR4 fine-granularity refresh: REFM 2/4 refreshes use tRFC2/tRFC4 (DRAMSys MemSpecDDR4).
  if (m.type == MemoryType::DDR4 && m.REFM == 2) return m.RFC2;
  if (m.type == MemoryType::DDR4 && m.REFM == 4) return m.RFC4;
  return m.RFC;
}

}  // namespace

struct PowerModel::RankState {
  enum class Mode { Normal, PowerDown, SelfRefresh };

  std::vector<char> open;                  // per bank
  std::vector<std::int64_t> act_cycle;     // last ACT per bank (tRAS bound of auto-precharge)
  std::vector<std::int64_t> pending;       // cycle of a precharge still to happen, or kNone
  std::vector<char> pending_counts;        // true: a real PRE (RDA/WRA); false: end of a REFB
  // The earliest pending cycle and its bank (the lowest one on a tie), kept exact so that
  // apply_pending() needs no scan of the banks unless a precharge is due.
  std::int64_t earliest_pending = kNoPending;
  int earliest_bank = -1;
  int open_count = 0;
  Mode mode = Mode::Normal;
  std::int64_t since = 0;       // start of the current background segment
  std::int64_t sref_start = 0;  // SREFEN cycle
  Cycles cycles;

  explicit RankState(int banks)
      : open(banks, 0), act_cycle(banks, 0), pending(banks, kNone), pending_counts(banks, 0) {}

  // Ends the current background segment at t (zero if t is before its start, as after a REF
  // whose busy time extends past t).
  void close_segment(std::int64_t t) {
    const std::int64_t n = t > since ? t - since : 0;
    switch (mode) {
      case Mode::Normal: (open_count > 0 ? cycles.act : cycles.pre) += n; break;
      case Mode::PowerDown: (open_count > 0 ? cycles.pd_act : cycles.pd_pre) += n; break;
      case Mode::SelfRefresh: return;  // accounted at exit/finish
    }
    since = std::max(since, t);
  }

  void find_earliest() {
    // Branch-free: which bank holds the minimum is unpredictable.
    std::int64_t best = kNoPending;
    int bank = -1;
    for (int b = 0; b < static_cast<int>(pending.size()); ++b) {
      const bool earlier = pending[b] < best;
      best = earlier ? pending[b] : best;
      bank = earlier ? b : bank;
    }
    earliest_pending = best;
    earliest_bank = bank;
  }

  void set_pending(int b, std::int64_t when, bool counts) {
    pending[b] = when;
    pending_counts[b] = counts ? 1 : 0;
    if (b == earliest_bank) find_earliest();
    else if (when < earliest_pending || (when == earliest_pending && b < earliest_bank)) {
      earliest_pending = when;
      earliest_bank = b;
    }
  }

  void clear_pending(int b) {
    pending[b] = kNone;
    if (b == earliest_bank) find_earliest();
  }

  void open_bank(int b, std::int64_t t) {
    if (open_count == 0) close_segment(t);  // precharged -> active
    open[b] = 1;
    ++open_count;
  }

  void close_bank(int b, std::int64_t t) {
    if (open_count == 1) close_segment(t);  // active -> precharged
    open[b] = 0;
    --open_count;
  }

  void close_all(std::int64_t t) {
    if (open_count > 0) close_segment(t);
    std::fill(open.begin(), open.end(), 0);
    std::fill(pending.begin(), pending.end(), kNone);
    earliest_pending = kNoPending;
    earliest_bank = -1;
    open_count = 0;
  }

  // Applies every pending precharge at or before t, in time order (DRAMPower sorts
  // PRE before other commands of the same cycle). Returns the PREs counted.
  std::uint64_t apply_pending(std::int64_t t) {
    std::uint64_t counted = 0;
    while (earliest_bank >= 0 && earliest_pending <= t) {
      const int first = earliest_bank;
      const std::int64_t when = earliest_pending;
      clear_pending(first);
      if (open[first]) {
        close_bank(first, when);
        if (pending_counts[first]) ++counted;
      }
    }
    return counted;
  }

  // Self-refresh from sref_start to t, split like DRAMPower: the first tRFC - tRP cycles
  // are the refresh's active part, the next tRP its precharged part, the rest IDD6. On an
  // exit before the refresh is done, its remainder runs after the exit (spup_*), and the
  // returned cycle is when normal background counting resumes.
  std::int64_t account_self_refresh(std::int64_t t, std::int64_t rfc, std::int64_t rp, bool exiting) {
    const std::int64_t d = std::max<std::int64_t>(0, t - sref_start);
    const std::int64_t ref_act = std::max<std::int64_t>(0, rfc - rp);
    if (d >= rfc) {
      cycles.sref_ref_act += ref_act;
      cycles.sref_ref_pre += rfc - ref_act;
      cycles.sref += d - rfc;
      return t;
    }
    if (d >= ref_act) {
      cycles.sref_ref_act += ref_act;
      cycles.sref_ref_pre += d - ref_act;
      if (exiting) cycles.spup_ref_pre += rfc - d;
    } else {
      cycles.sref_ref_act += d;
      if (exiting) {
        cycles.spup_ref_act += ref_act - d;
        cycles.spup_ref_pre += rfc - ref_act;
      }
    }
    return exiting ? t + (rfc - d) : t;
  }
};

PowerModel::PowerModel(const MemSpec& spec)
    : spec_(spec),
      burst_cycles_(spec.burst_cycles()),
      refresh_cycles_(refresh_cycles(spec)),
      read_completion_(spec.RL + spec.DQSCK + 1 + burst_cycles_),
      write_completion_(spec.WL + burst_cycles_ + spec.WR),
      rda_precharge_(spec.type == MemoryType::DDR3 ? spec.AL + std::max(spec.RTP, 4) : spec.AL + spec.RTP),
      wra_precharge_(spec.WL + burst_cycles_ + spec.WR) {
  if (spec.ranks <= 0 || spec.banks <= 0)
    throw std::invalid_argument("PowerModel: memspec needs ranks > 0 and banks > 0");
  for (int r = 0; r < spec.ranks; ++r) ranks_.push_back(std::make_unique<RankState>(spec.banks));
}

PowerModel::~PowerModel() = default;  // here, where RankState is complete

inline void PowerModel::note_event(std::int64_t cycle, std::int64_t completion, bool is_pre) {
  // The last element of DRAMPower's time-sorted list: later cycle wins; on a tie a non-PRE
  // wins because PREs sort first.
  if (cycle > last_event_cycle_ || (cycle == last_event_cycle_ && (!is_pre || last_event_is_pre_))) {
    last_event_cycle_ = cycle;
    last_event_completion_ = completion;
    last_event_is_pre_ = is_pre;
  }
}

void PowerModel::on_command(const IssuedCommand& c) {
  const std::int64_t t = static_cast<std::int64_t>(c.cycle);
  if (t < last_cycle_)
    throw std::logic_error("PowerModel: command " + std::string(command_name(c.command)) + " at cycle " +
                           std::to_string(t) + " arrives after one at cycle " + std::to_string(last_cycle_) +
                           " (commands must be in issue order)");
  if (c.rank < 0 || c.rank >= spec_.ranks)
    throw std::out_of_range("PowerModel: rank " + std::to_string(c.rank) + " out of range 0.." +
                            std::to_string(spec_.ranks - 1));
  if (!is_rank_command(c.command) && (c.bank < 0 || c.bank >= spec_.banks))
    throw std::out_of_range("PowerModel: bank " + std::to_string(c.bank) + " out of range 0.." +
                            std::to_string(spec_.banks - 1));
  last_cycle_ = t;

  const MemSpec& m = spec_;
  const std::int64_t rfc = refresh_cycles_;
  RankState& r = *ranks_[c.rank];
  n_pre_ += r.apply_pending(t);
  const int b = c.bank;

  switch (c.command) {
    case Command::ACT:
      note_event(t, m.RCD, false);
      if (!r.open[b]) {  // DRAMPower ignores an ACT to an open bank
        ++n_act_;
        r.open_bank(b, t);
        r.act_cycle[b] = t;
      }
      break;
    case Command::PRE:
      note_event(t, m.RP, true);
      r.clear_pending(b);
      if (r.open[b]) {
        ++n_pre_;
        r.close_bank(b, t);
      }
      break;
    case Command::PREA:
      note_event(t, m.RP, true);
      n_pre_ += static_cast<std::uint64_t>(r.open_count);
      r.close_all(t);
      break;
    case Command::RD:
      ++n_rd_;
      note_event(t, read_completion_, false);
      return;
    case Command::WR:
      ++n_wr_;
      note_event(t, write_completion_, false);
      return;
    case Command::RDA:
    case Command::WRA: {
      const bool read = c.command == Command::RDA;
      ++(read ? n_rd_ : n_wr_);
      note_event(t, read ? read_completion_ : write_completion_, false);
      // The implicit precharge: after the read-to-precharge / write-recovery time, and
      // never before tRAS from the bank's ACT.
      const std::int64_t offset = read ? rda_precharge_ : wra_precharge_;
      const std::int64_t when = std::max(t + offset, r.act_cycle[b] + m.RAS);
      r.set_pending(b, when, true);
      note_event(when, m.RP, true);
      return;
    }
    default: break;
  }

  switch (c.command) {
    case Command::REFA:
      // All banks refresh for tRFC: tRFC - tRP active, then tRP precharged.
      ++n_ref_;
      note_event(t, 0, false);
      r.close_segment(t);
      r.close_all(t);
      r.cycles.act += rfc - m.RP;
      r.since = std::max(r.since, t + rfc - m.RP);
      break;
    case Command::REFB:
      // archgym extension (DDR3/DDR4 have no per-bank refresh): the bank is busy like an
      // open bank for tRFCpb - tRP (active background, as REF's tRFC - tRP), with no ACT
      // or PRE energy. Its refresh energy is 1/banks of a REFA (see report computation).
      ++n_refb_;
      note_event(t, 0, false);
      if (!r.open[b] && m.RFCpb > m.RP) {
        r.open_bank(b, t);
        r.set_pending(b, t + m.RFCpb - m.RP, false);
      }
      break;
    case Command::PDEA:
    case Command::PDEP:
      note_event(t, 0, false);
      r.close_segment(t);
      r.mode = RankState::Mode::PowerDown;
      break;
    case Command::PDXA:
    case Command::PDXP:
      note_event(t, 0, false);
      r.close_segment(t);
      r.mode = RankState::Mode::Normal;
      break;
    case Command::SREFEN:
      note_event(t, 0, false);
      r.close_segment(t);
      r.close_all(t);
      r.mode = RankState::Mode::SelfRefresh;
      r.sref_start = t;
      break;
    case Command::SREFEX:
      note_event(t, 0, false);
      if (r.mode == RankState::Mode::SelfRefresh) {
        r.since = r.account_self_refresh(t, rfc, m.RP, /*exiting=*/true);
        r.mode = RankState::Mode::Normal;
      }
      break;
    default: break;
  }
}

void PowerModel::on_finish(std::uint64_t end_cycle) {
  const MemSpec& m = spec_;
  // End marker: the completion of the last command (DRAMPower), or the simulator's end if later.
  std::int64_t end = static_cast<std::int64_t>(end_cycle);
  if (last_event_cycle_ >= 0) end = std::max(end, last_event_cycle_ + last_event_completion_ - 1);

  // Work on copies so on_finish can be called again (e.g. for a running report).
  std::uint64_t n_pre = n_pre_;
  Cycles sum;
  std::int64_t window = 0;
  for (const auto& original : ranks_) {
    RankState r = *original;
    n_pre += r.apply_pending(std::numeric_limits<std::int64_t>::max());
    if (r.mode == RankState::Mode::SelfRefresh)
      r.account_self_refresh(end, refresh_cycles(m), m.RP, /*exiting=*/false);
    else
      r.close_segment(end);
    const Cycles& c = r.cycles;
    sum.act += c.act; sum.pre += c.pre; sum.pd_act += c.pd_act; sum.pd_pre += c.pd_pre;
    sum.sref += c.sref; sum.sref_ref_act += c.sref_ref_act; sum.sref_ref_pre += c.sref_ref_pre;
    sum.spup_ref_act += c.spup_ref_act; sum.spup_ref_pre += c.spup_ref_pre;
    window = std::max(window, c.total());
  }

  // pJ = cycles x tCK[ns] x I[mA] x V. tCK from the nominal clock, as DRAMPower does.
  const double tck = 1000.0 / m.clock_mhz;
  const double v = m.vdd, v2 = m.vdd2;  // vdd2 (VPP) is 0 for DDR3, so its terms vanish
  const double ras = m.RAS, rc_ras = m.RC - m.RAS, burst = m.burst_cycles();
  const double rfc = static_cast<double>(refresh_cycles(m));
  const double dev = m.devices;

  EnergyReport e;
  e.act_pJ = n_act_ * ras * tck * ((m.idd0 - m.idd3n) * v + m.idd02 * v2) * dev;
  e.pre_pJ = n_pre * rc_ras * tck * ((m.idd0 - m.idd2n) * v + m.idd02 * v2) * dev;
  e.read_pJ = n_rd_ * burst * tck * (m.idd4r - m.idd3n) * v * dev;
  e.write_pJ = n_wr_ * burst * tck * (m.idd4w - m.idd3n) * v * dev;
  const double ref_pJ = rfc * tck * (m.idd5 - m.idd3n) * v * dev;
  // A REFB refreshes 1/banks of the rows of a REFA, so it costs 1/banks of its energy:
  // refreshing all banks one by one costs the same as one REFA.
  e.refresh_pJ = n_ref_ * ref_pJ + n_refb_ * ref_pJ / m.banks;
  e.active_background_pJ = sum.act * tck * m.idd3n * v * dev;
  e.precharged_background_pJ = sum.pre * tck * m.idd2n * v * dev;
  e.power_down_pJ = (sum.pd_act * m.idd3p0 + sum.pd_pre * m.idd2p0) * tck * v * dev;
  const double sref_refresh = static_cast<double>(sum.sref_ref_act + sum.sref_ref_pre + sum.spup_ref_act +
                                                  sum.spup_ref_pre);
  e.self_refresh_pJ = ((m.idd6 * sum.sref + (m.idd5 - m.idd3n) * sref_refresh) * v +
                       (sum.sref_ref_act * m.idd3p0 + sum.sref_ref_pre * m.idd2p0 +
                        sum.spup_ref_act * m.idd3n + sum.spup_ref_pre * m.idd2n) * v +
                       m.idd62 * sum.sref * v2) *
                      tck * dev;
  e.total_pJ = e.act_pJ + e.pre_pJ + e.read_pJ + e.write_pJ + e.refresh_pJ + e.active_background_pJ +
               e.precharged_background_pJ + e.power_down_pJ + e.self_refresh_pJ;
  e.window_cycles = static_cast<std::uint64_t>(window);
  e.average_power_mW = window > 0 ? e.total_pJ / (window * tck) : 0.0;
  e.active_cycles = sum.act;
  e.precharged_cycles = sum.pre;
  e.power_down_active_cycles = sum.pd_act;
  e.power_down_precharged_cycles = sum.pd_pre;
  e.self_refresh_cycles = sum.sref;
  e.self_refresh_refresh_cycles = static_cast<std::uint64_t>(sref_refresh);
  e.activates = n_act_;
  e.precharges = n_pre;
  e.reads = n_rd_;
  e.writes = n_wr_;
  e.refreshes = n_ref_;
  e.per_bank_refreshes = n_refb_;
  report_ = e;
}

}  // namespace archgym::dram

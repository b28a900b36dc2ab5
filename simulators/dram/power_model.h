#pragma once
// IDD-current energy model in the style of DRAMPower (see data/dram/KNOBS.md §12):
// command energies plus background energy per cycle class (active, precharged,
// power-down, self-refresh), for the whole DIMM (per-device x devices), IO excluded.
#include <cstdint>
#include <memory>
#include <vector>

#include "simulators/dram/command.h"
#include "simulators/dram/memspec.h"

namespace archgym::dram {

struct EnergyReport {
  // All in picojoules, whole DIMM.
  double act_pJ = 0, pre_pJ = 0, read_pJ = 0, write_pJ = 0, refresh_pJ = 0;
  double active_background_pJ = 0, precharged_background_pJ = 0;
  double power_down_pJ = 0, self_refresh_pJ = 0;
  double total_pJ = 0;
  std::uint64_t window_cycles = 0;   // cycles the average power is taken over
  double average_power_mW = 0;
  // Cycle classes (summed over ranks). self_refresh_cycles are the IDD6 cycles; the
  // first tRFC of each self-refresh (the refresh it starts with, partly after exit if
  // the stay was shorter) is in self_refresh_refresh_cycles.
  std::uint64_t active_cycles = 0, precharged_cycles = 0, power_down_active_cycles = 0,
                power_down_precharged_cycles = 0, self_refresh_cycles = 0,
                self_refresh_refresh_cycles = 0;
  // Command counts as DRAMPower sees them: RDA/WRA count as RD/WR plus a PRE, PREA as one
  // PRE per open bank; ACT to an open or PRE to a closed bank is ignored.
  std::uint64_t activates = 0, precharges = 0, reads = 0, writes = 0, refreshes = 0,
                per_bank_refreshes = 0;
};

// Feed every issued command (in issue order, non-decreasing cycles); on_finish() computes
// the report (it may be called again later, e.g. after more commands).
class PowerModel final : public CommandObserver {
 public:
  explicit PowerModel(const MemSpec& spec);
  void on_command(const IssuedCommand& c) override;
  void on_finish(std::uint64_t end_cycle) override;
  const EnergyReport& report() const { return report_; }
 private:
  struct RankState;
  const MemSpec spec_;
  const std::int64_t burst_cycles_, refresh_cycles_;  // per command: no division there
  // Completion of a RD / WR (for the end marker) and the delay of RDA's / WRA's implicit
  // precharge, in cycles after the command.
  const std::int64_t read_completion_, write_completion_, rda_precharge_, wra_precharge_;
  std::vector<std::unique_ptr<RankState>> ranks_;  // RankState is defined in the .cpp
  EnergyReport report_;
  // Command counts over all ranks (DRAMPower counts commands channel-wide).
  std::uint64_t n_act_ = 0, n_pre_ = 0, n_rd_ = 0, n_wr_ = 0, n_ref_ = 0, n_refb_ = 0;
  // Latest command cycle seen (commands must not go back in time).
  std::int64_t last_cycle_ = -1;
  // The last event in time order (commands and implicit precharges; a PRE sorts before
  // another command at the same cycle) and its completion time, for the end marker.
  std::int64_t last_event_cycle_ = -1, last_event_completion_ = 0;
  bool last_event_is_pre_ = false;
  void note_event(std::int64_t cycle, std::int64_t completion, bool is_pre);
 public:
  ~PowerModel() override;
  PowerModel(const PowerModel&) = delete;
  PowerModel& operator=(const PowerModel&) = delete;
};

}  // namespace archgym::dram

#pragma once
// IDD-current energy model in the style of DRAMPower (see reference KNOBS.md §12):
// command energies plus background energy per cycle class (active, precharged,
// power-down, self-refresh), for the whole DIMM (per-device x devices), IO excluded.
#include <cstdint>
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
  // Cycle classes (summed over ranks).
  std::uint64_t active_cycles = 0, precharged_cycles = 0, power_down_active_cycles = 0,
                power_down_precharged_cycles = 0, self_refresh_cycles = 0;
};

// Feed every issued command (in issue order); finish() computes the report.
class PowerModel final : public CommandObserver {
 public:
  explicit PowerModel(const MemSpec& spec);
  void on_command(const IssuedCommand& c) override;
  void on_finish(std::uint64_t end_cycle) override;
  const EnergyReport& report() const { return report_; }
 private:
  struct RankState;
  const MemSpec spec_;
  std::vector<RankState*> ranks_;  // owned; see .cpp
  EnergyReport report_;
 public:
  ~PowerModel() override;
  PowerModel(const PowerModel&) = delete;
  PowerModel& operator=(const PowerModel&) = delete;
};

}  // namespace archgym::dram

#pragma once
// Power-down manager of one rank, DRAMSys 4.0 semantics (PowerDownManagerStaggered,
// KNOBS.md §6). NoPowerDown never proposes anything.
//
// Staggered: enter power-down (PDEA if its own open-bank count is > 0, else PDEP) as soon
// as the rank has no outstanding requests; exit (PDXA/PDXP, or SREFEX + REFA) when a
// request arrives or a refresh is due; after PDXP with the rank still idle, enter
// self-refresh instead of refreshing. Quirk kept on purpose: the open-bank count only
// follows ACT, PRE and PREA (not RDA/WRA), so Closed-type page policies enter PDEA with
// all banks closed and never self-refresh.
#include <cstdint>

#include "simulators/dram/command.h"
#include "simulators/dram/controller_config.h"
#include "simulators/dram/timing_checker.h"

namespace archgym::dram {

class PowerDownManager {
 public:
  PowerDownManager(PowerDownPolicy policy, int rank, const TimingChecker& checker)
      : enabled_(policy == PowerDownPolicy::Staggered), rank_(rank), checker_(&checker) {}

  void trigger_entry();
  void trigger_exit();
  void trigger_interruption();
  // Recomputes the proposed command; returns its earliest time (kNever if none). Nothing
  // to propose (disabled, or no entry/exit pending: the common case) is answered inline.
  std::int64_t start(std::int64_t now) {
    if (idle()) {
      has_next_ = false;
      time_ = INT64_MAX;
      return time_;
    }
    return choose(now);
  }
  void update(Command c);
  // Disabled, or no entry or exit pending: start() changes nothing and proposes no command.
  bool idle() const { return !enabled_ || !(exit_triggered_ || entry_triggered_ || enter_self_refresh_); }

  bool has_command() const { return has_next_; }
  Command command() const { return next_; }
  std::int64_t time() const { return time_; }

 private:
  enum class State : std::uint8_t { Idle, ActivePdn, PrechargePdn, SelfRefresh, ExtraRefresh };
  std::int64_t choose(std::int64_t now);
  bool enabled_;
  int rank_;
  const TimingChecker* checker_;
  State state_ = State::Idle;
  bool controller_idle_ = true;
  bool entry_triggered_ = true;  // DRAMSys starts with an entry pending (PDEP at t = 0)
  bool exit_triggered_ = false;
  bool enter_self_refresh_ = false;
  int activated_banks_ = 0;
  bool has_next_ = false;
  Command next_ = Command::PDEP;
  std::int64_t time_ = INT64_MAX;
};

}  // namespace archgym::dram

#pragma once
// Refresh managers of one rank, DRAMSys 4.0 semantics (RefreshManager{Dummy,AllBank,
// PerBank}, KNOBS.md §5), including postponement (RefreshMaxPostponed) and pulling in
// (RefreshMaxPulledin) with a signed flexibility counter.
//
// PerBank on DDR3/DDR4 is an archgym extension (DRAMSys refuses it there): the same
// machine with interval tREFIpb (memspec REFIpb, by default tREFI / banks) and limits
// scaled by the banks per rank, refreshing the banks round-robin with REFB.
#include <cstdint>
#include <memory>
#include <vector>

#include "simulators/dram/bank_machine.h"
#include "simulators/dram/command.h"
#include "simulators/dram/controller_config.h"
#include "simulators/dram/power_down_manager.h"
#include "simulators/dram/timing_checker.h"

namespace archgym::dram {

class RefreshManager {
 public:
  virtual ~RefreshManager() = default;
  // Re-evaluates at `now`; returns the next time it wants to be woken (kNever: never).
  // Before the refresh is due nothing is chosen and nothing changes (the managers only
  // wait), so that common case is answered here without the virtual call.
  std::int64_t start(std::int64_t now) {
    if (quiet(now)) {
      has_next_ = false;
      time_ = kNever;
      return quiet_until_;
    }
    return choose(now);
  }
  // Before the refresh trigger: start() changes nothing and proposes no command.
  bool quiet(std::int64_t now) const { return now < quiet_until_; }
  virtual void update(Command c, std::int64_t now) = 0;
  bool has_command() const { return has_next_; }
  Command command() const { return next_; }
  std::int64_t time() const { return time_; }
  // Target of a PRE/REFB (PerBank); rank commands use bank 0 of the rank.
  int bank() const { return bank_; }
  int bank_group() const { return bank_group_; }

 protected:
  bool has_next_ = false;
  Command next_ = Command::REFA;
  std::int64_t time_ = kNever;
  int bank_ = 0, bank_group_ = 0;
  // The next refresh trigger, mirrored by ScheduledRefreshManager: before it, start() does
  // nothing but answer it.
  std::int64_t quiet_until_ = kNever;

 private:
  // start() from the trigger on.
  virtual std::int64_t choose(std::int64_t now) = 0;
};

// First refresh of a rank: tREFI - bitrev(rank) * tREFI / ranks (staggers the ranks).
std::int64_t first_refresh_time(std::int64_t interval, int rank, int ranks);

// bank_machines: the bank machines of this rank, in bank order.
std::unique_ptr<RefreshManager> make_refresh_manager(const ControllerConfig& config,
                                                     const RefreshTimings& timings,
                                                     std::vector<BankMachine*> bank_machines,
                                                     PowerDownManager& pdm,
                                                     const TimingChecker& checker, int rank,
                                                     int ranks);

}  // namespace archgym::dram

#include "simulators/dram/refresh_manager.h"

#include <algorithm>
#include <cmath>
#include <optional>

namespace archgym::dram {
namespace {

class NoRefreshManager final : public RefreshManager {
 public:
  void update(Command, std::int64_t) override {}

 private:
  std::int64_t choose(std::int64_t) override { return kNever; }  // not reached: never quiet_until_
};

// DRAMSys's refresh bookkeeping, shared by the all-bank and per-bank managers: the due
// time, the Regular/PulledIn phase, the signed postponed (+) / pulled-in (-) counter and
// whether the rank sleeps (KNOBS.md §5).
struct RefreshSchedule {
  std::int64_t interval = 0;
  std::int64_t trigger = kNever;
  int max_postponed = 0, max_pulledin = 0;  // max_pulledin is negative
  bool pulled_in = false;                   // DRAMSys State::Pulledin
  int counter = 0;
  bool sleeping = false;

  // The time to be asked again when no refresh may be chosen now (not due yet, or the
  // rank must first leave power-down); nullopt when the manager should choose.
  std::optional<std::int64_t> wait(std::int64_t now, PowerDownManager& pdm) {
    if (now < trigger) return trigger;
    pdm.trigger_interruption();
    if (sleeping) return kNever;
    if (now >= trigger + interval) {  // a whole interval missed: drop that slot
      trigger += interval;
      pulled_in = false;
    }
    return std::nullopt;
  }
  bool forced() const { return counter == max_postponed; }
  std::int64_t postpone() {
    ++counter;
    trigger += interval;
    return trigger;
  }
  std::int64_t stop_pulling_in() {
    pulled_in = false;
    trigger += interval;
    return trigger;
  }
  void refreshed() {
    if (pulled_in) --counter;
    else pulled_in = true;
    if (counter == max_pulledin) {
      pulled_in = false;
      trigger += interval;
    }
  }
  // The REFA that follows SREFEX restarts the interval.
  void refreshed_after_self_refresh(std::int64_t now) {
    pulled_in = false;
    trigger = now + interval;
    sleeping = false;
  }
  void sleep_command(Command c) {
    switch (c) {
      case Command::PDEA: case Command::PDEP: sleeping = true; break;
      case Command::SREFEN:
        sleeping = true;
        trigger = kNever;
        break;
      case Command::PDXA: case Command::PDXP: sleeping = false; break;
      default: break;
    }
  }
};

// The all-bank and per-bank managers: a RefreshSchedule, whose trigger the base's
// quiet_until_ mirrors. Derived supplies decide(now) (start() from the trigger on) and
// apply(command, now); the mirror is refreshed here after both, the only places that move
// the trigger. (CRTP: update() is on the per-command path, so no second virtual call.)
template <class Derived>
class ScheduledRefreshManager : public RefreshManager {
 public:
  void update(Command c, std::int64_t now) final {
    static_cast<Derived&>(*this).apply(c, now);
    quiet_until_ = s_.trigger;
  }

 protected:
  // max_pulledin counts refreshes pulled in (positive); the first trigger is staggered by rank.
  void schedule(std::int64_t interval, int max_postponed, int max_pulledin, int rank, int ranks) {
    s_.interval = interval;
    s_.max_postponed = max_postponed;
    s_.max_pulledin = -max_pulledin;
    s_.trigger = first_refresh_time(interval, rank, ranks);
    quiet_until_ = s_.trigger;
  }
  RefreshSchedule s_;

 private:
  std::int64_t choose(std::int64_t now) final {
    const std::int64_t wake = static_cast<Derived&>(*this).decide(now);
    quiet_until_ = s_.trigger;
    return wake;
  }
};

class AllBankRefreshManager final : public ScheduledRefreshManager<AllBankRefreshManager> {
 public:
  AllBankRefreshManager(const ControllerConfig& cfg, const RefreshTimings& rt,
                        std::vector<BankMachine*> bms, PowerDownManager& pdm,
                        const TimingChecker& checker, int rank, int ranks)
      : bms_(std::move(bms)), pdm_(pdm), checker_(checker), rank_(rank) {
    schedule(rt.tREFI, cfg.refresh_max_postponed, cfg.refresh_max_pulledin, rank, ranks);
    bank_ = rank * static_cast<int>(bms_.size());
    bank_group_ = bms_.empty() ? 0 : bms_.front()->bank_group();
  }


 private:
  friend class ScheduledRefreshManager<AllBankRefreshManager>;
  std::int64_t decide(std::int64_t now) {
    has_next_ = false;
    time_ = kNever;
    if (const auto wake = s_.wait(now, pdm_)) return *wake;
    if (!s_.pulled_in) {
      if (s_.forced()) {
        for (auto* bm : bms_) bm->block();
      } else if (busy()) {
        return s_.postpone();
      }
      next_ = activated_banks_ > 0 ? Command::PREA : Command::REFA;
    } else {
      if (busy()) return s_.stop_pulling_in();
      next_ = Command::REFA;
    }
    has_next_ = true;
    time_ = checker_.earliest(next_, rank_, 0, 0, now);
    return time_;
  }

  void apply(Command c, std::int64_t now) {
    switch (c) {
      case Command::ACT: ++activated_banks_; break;
      case Command::PRE: case Command::RDA: case Command::WRA: --activated_banks_; break;
      case Command::PREA: activated_banks_ = 0; break;
      case Command::REFA:
        if (s_.sleeping) s_.refreshed_after_self_refresh(now);
        else s_.refreshed();
        break;
      default: s_.sleep_command(c); break;
    }
  }

  bool busy() const {
    return std::any_of(bms_.begin(), bms_.end(), [](const BankMachine* b) { return !b->idle(); });
  }
  std::vector<BankMachine*> bms_;
  PowerDownManager& pdm_;
  const TimingChecker& checker_;
  int rank_;
  int activated_banks_ = 0;
};

class PerBankRefreshManager final : public ScheduledRefreshManager<PerBankRefreshManager> {
 public:
  PerBankRefreshManager(const ControllerConfig& cfg, const RefreshTimings& rt,
                        std::vector<BankMachine*> bms, PowerDownManager& pdm,
                        const TimingChecker& checker, int rank, int ranks)
      : all_(std::move(bms)), pdm_(pdm), checker_(checker), rank_(rank) {
    const int n = static_cast<int>(all_.size());
    schedule(rt.tREFIpb, cfg.refresh_max_postponed * n, cfg.refresh_max_pulledin * n, rank, ranks);
    remaining_ = all_;
    current_ = 0;
    set_target();
  }


 private:
  friend class ScheduledRefreshManager<PerBankRefreshManager>;
  std::int64_t decide(std::int64_t now) {
    has_next_ = false;
    time_ = kNever;
    if (const auto wake = s_.wait(now, pdm_)) return *wake;
    if (!s_.pulled_in) {
      const bool forced = s_.forced();
      bool all_busy = true;
      if (!skip_selection_) {
        current_ = 0;
        all_busy = !select_idle_bank();
        set_target();
      }
      if (all_busy && !forced) return s_.postpone();
      BankMachine* bm = remaining_[current_];
      if (bm->state() == BankMachine::State::Activated) {
        next_ = Command::PRE;
      } else {
        next_ = Command::REFB;
        if (forced) {
          bm->block();
          skip_selection_ = true;
        }
      }
    } else {
      const bool all_busy = !select_idle_bank();
      set_target();
      if (all_busy) return s_.stop_pulling_in();
      next_ = remaining_[current_]->state() == BankMachine::State::Activated ? Command::PRE
                                                                            : Command::REFB;
    }
    has_next_ = true;
    time_ = checker_.earliest(next_, rank_, bank_group_, bank_, now);
    return time_;
  }

  void apply(Command c, std::int64_t now) {
    switch (c) {
      case Command::REFB:
        skip_selection_ = false;
        remaining_.erase(remaining_.begin() + static_cast<std::ptrdiff_t>(current_));
        if (remaining_.empty()) remaining_ = all_;
        current_ = 0;
        s_.refreshed();
        break;
      case Command::REFA:  // after SREFEX
        s_.refreshed_after_self_refresh(now);
        break;
      default: s_.sleep_command(c); break;
    }
  }

  // Points current_ at the first idle bank not yet refreshed this round; false if none.
  bool select_idle_bank() {
    for (std::size_t i = 0; i < remaining_.size(); ++i) {
      if (remaining_[i]->idle()) {
        current_ = i;
        return true;
      }
    }
    return false;
  }
  void set_target() {
    const BankMachine* bm = remaining_[current_];
    bank_ = bm->bank();
    bank_group_ = bm->bank_group();
  }
  std::vector<BankMachine*> all_, remaining_;
  PowerDownManager& pdm_;
  const TimingChecker& checker_;
  int rank_;
  bool skip_selection_ = false;
  std::size_t current_ = 0;
};

}  // namespace

std::int64_t first_refresh_time(std::int64_t interval, int rank, int ranks) {
  // Bit-reversed rank index, as RefreshManagerIF::getTimeForFirstTrigger.
  int bits = 0;
  for (int n = ranks; n >>= 1;) ++bits;
  int rev = 0;
  for (int b = 0; b < bits; ++b)
    if (rank & (1 << b)) rev |= 1 << (bits - 1 - b);
  // interval / ranks in the time domain, then rounded up to whole cycles.
  const double t = static_cast<double>(interval) -
                   rev * (static_cast<double>(interval) / static_cast<double>(ranks));
  return static_cast<std::int64_t>(std::ceil(t - 1e-9));
}

std::unique_ptr<RefreshManager> make_refresh_manager(const ControllerConfig& config,
                                                     const RefreshTimings& timings,
                                                     std::vector<BankMachine*> bank_machines,
                                                     PowerDownManager& pdm,
                                                     const TimingChecker& checker, int rank,
                                                     int ranks) {
  switch (config.refresh_policy) {
    case RefreshPolicy::NoRefresh: return std::make_unique<NoRefreshManager>();
    case RefreshPolicy::AllBank:
      return std::make_unique<AllBankRefreshManager>(config, timings, std::move(bank_machines),
                                                     pdm, checker, rank, ranks);
    case RefreshPolicy::PerBank:
      return std::make_unique<PerBankRefreshManager>(config, timings, std::move(bank_machines),
                                                     pdm, checker, rank, ranks);
  }
  return std::make_unique<NoRefreshManager>();
}

}  // namespace archgym::dram

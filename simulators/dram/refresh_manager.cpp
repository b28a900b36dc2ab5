#include "simulators/dram/refresh_manager.h"

#include <algorithm>
#include <cmath>

namespace archgym::dram {
namespace {

class NoRefreshManager final : public RefreshManager {
 public:
  std::int64_t start(std::int64_t) override { return kNever; }
  void update(Command, std::int64_t) override {}
};

class AllBankRefreshManager final : public RefreshManager {
 public:
  AllBankRefreshManager(const ControllerConfig& cfg, const RefreshTimings& rt,
                        std::vector<BankMachine*> bms, PowerDownManager& pdm,
                        const TimingChecker& checker, int rank, int ranks)
      : bms_(std::move(bms)),
        pdm_(pdm),
        checker_(checker),
        rank_(rank),
        interval_(rt.tREFI),
        max_postponed_(cfg.refresh_max_postponed),
        max_pulledin_(-cfg.refresh_max_pulledin) {
    trigger_ = first_refresh_time(interval_, rank, ranks);
    bank_ = rank * static_cast<int>(bms_.size());
    bank_group_ = bms_.empty() ? 0 : bms_.front()->bank_group();
  }

  std::int64_t start(std::int64_t now) override {
    has_next_ = false;
    time_ = kNever;
    if (now < trigger_) return trigger_;
    pdm_.trigger_interruption();
    if (sleeping_) return kNever;
    if (now >= trigger_ + interval_) {  // a whole interval missed: drop that slot
      trigger_ += interval_;
      pulled_in_ = false;
    }
    if (!pulled_in_) {
      if (counter_ == max_postponed_) {  // forced refresh
        for (auto* bm : bms_) bm->block();
      } else if (busy()) {
        ++counter_;
        trigger_ += interval_;
        return trigger_;
      }
      next_ = activated_banks_ > 0 ? Command::PREA : Command::REFA;
    } else {
      if (busy()) {
        pulled_in_ = false;
        trigger_ += interval_;
        return trigger_;
      }
      next_ = Command::REFA;
    }
    has_next_ = true;
    time_ = checker_.earliest(next_, rank_, 0, 0, now);
    return time_;
  }

  void update(Command c, std::int64_t now) override {
    switch (c) {
      case Command::ACT: ++activated_banks_; break;
      case Command::PRE: case Command::RDA: case Command::WRA: --activated_banks_; break;
      case Command::PREA: activated_banks_ = 0; break;
      case Command::REFA:
        if (sleeping_) {  // the REFA that follows SREFEX restarts the interval
          pulled_in_ = false;
          trigger_ = now + interval_;
          sleeping_ = false;
        } else {
          if (pulled_in_) --counter_;
          else pulled_in_ = true;
          if (counter_ == max_pulledin_) {
            pulled_in_ = false;
            trigger_ += interval_;
          }
        }
        break;
      case Command::PDEA: case Command::PDEP: sleeping_ = true; break;
      case Command::SREFEN:
        sleeping_ = true;
        trigger_ = kNever;
        break;
      case Command::PDXA: case Command::PDXP: sleeping_ = false; break;
      default: break;
    }
  }

 private:
  bool busy() const {
    return std::any_of(bms_.begin(), bms_.end(), [](const BankMachine* b) { return !b->idle(); });
  }
  std::vector<BankMachine*> bms_;
  PowerDownManager& pdm_;
  const TimingChecker& checker_;
  int rank_;
  std::int64_t interval_;
  int max_postponed_, max_pulledin_;
  std::int64_t trigger_ = kNever;
  bool pulled_in_ = false;  // DRAMSys State::Pulledin
  int counter_ = 0;         // +postponed / -pulled in
  int activated_banks_ = 0;
  bool sleeping_ = false;
};

class PerBankRefreshManager final : public RefreshManager {
 public:
  PerBankRefreshManager(const ControllerConfig& cfg, const RefreshTimings& rt,
                        std::vector<BankMachine*> bms, PowerDownManager& pdm,
                        const TimingChecker& checker, int rank, int ranks)
      : all_(std::move(bms)),
        pdm_(pdm),
        checker_(checker),
        rank_(rank),
        interval_(rt.tREFIpb) {
    const int n = static_cast<int>(all_.size());
    max_postponed_ = cfg.refresh_max_postponed * n;
    max_pulledin_ = -cfg.refresh_max_pulledin * n;
    trigger_ = first_refresh_time(interval_, rank, ranks);
    remaining_ = all_;
    current_ = 0;
    set_target();
  }

  std::int64_t start(std::int64_t now) override {
    has_next_ = false;
    time_ = kNever;
    if (now < trigger_) return trigger_;
    pdm_.trigger_interruption();
    if (sleeping_) return kNever;
    if (now >= trigger_ + interval_) {
      trigger_ += interval_;
      pulled_in_ = false;
    }
    if (!pulled_in_) {
      const bool forced = counter_ == max_postponed_;
      bool all_busy = true;
      if (!skip_selection_) {
        current_ = 0;
        for (std::size_t i = 0; i < remaining_.size(); ++i) {
          if (remaining_[i]->idle()) {
            current_ = i;
            all_busy = false;
            break;
          }
        }
        set_target();
      }
      if (all_busy && !forced) {
        ++counter_;
        trigger_ += interval_;
        return trigger_;
      }
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
      bool all_busy = true;
      for (std::size_t i = 0; i < remaining_.size(); ++i) {
        if (remaining_[i]->idle()) {
          current_ = i;
          all_busy = false;
          break;
        }
      }
      set_target();
      if (all_busy) {
        pulled_in_ = false;
        trigger_ += interval_;
        return trigger_;
      }
      next_ = remaining_[current_]->state() == BankMachine::State::Activated ? Command::PRE
                                                                            : Command::REFB;
    }
    has_next_ = true;
    time_ = checker_.earliest(next_, rank_, bank_group_, bank_, now);
    return time_;
  }

  void update(Command c, std::int64_t now) override {
    switch (c) {
      case Command::REFB:
        skip_selection_ = false;
        remaining_.erase(remaining_.begin() + static_cast<std::ptrdiff_t>(current_));
        if (remaining_.empty()) remaining_ = all_;
        current_ = 0;
        if (pulled_in_) --counter_;
        else pulled_in_ = true;
        if (counter_ == max_pulledin_) {
          pulled_in_ = false;
          trigger_ += interval_;
        }
        break;
      case Command::REFA:  // after SREFEX
        pulled_in_ = false;
        trigger_ = now + interval_;
        sleeping_ = false;
        break;
      case Command::PDEA: case Command::PDEP: sleeping_ = true; break;
      case Command::SREFEN:
        sleeping_ = true;
        trigger_ = kNever;
        break;
      case Command::PDXA: case Command::PDXP: sleeping_ = false; break;
      default: break;
    }
  }

 private:
  void set_target() {
    const BankMachine* bm = remaining_[current_];
    bank_ = bm->bank();
    bank_group_ = bm->bank_group();
  }
  std::vector<BankMachine*> all_, remaining_;
  PowerDownManager& pdm_;
  const TimingChecker& checker_;
  int rank_;
  std::int64_t interval_;
  int max_postponed_ = 0, max_pulledin_ = 0;
  std::int64_t trigger_ = kNever;
  bool pulled_in_ = false;
  bool skip_selection_ = false;
  int counter_ = 0;
  std::size_t current_ = 0;
  bool sleeping_ = false;
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

#pragma once
// One bank's state machine with DRAMSys 4.0 page-policy semantics (BankMachine.cpp,
// KNOBS.md §1): it re-asks the scheduler for its request on every evaluation and
// proposes the one command that request needs next (ACT, PRE, RD/WR or RDA/WRA).
#include <cstdint>

#include "simulators/dram/command.h"
#include "simulators/dram/controller_config.h"
#include "simulators/dram/reselect_set.h"
#include "simulators/dram/scheduler.h"
#include "simulators/dram/timing_checker.h"
#include "simulators/dram/transaction.h"

namespace archgym::dram {

inline constexpr std::int64_t kNever = INT64_MAX;

class BankMachine {
 public:
  enum class State : std::uint8_t { Precharged, Activated };

  // keep_activated: the write-drain behaviour of activated_for_ (below).
  // checker: the controller's timing checker (this bank's rows of it are resolved once);
  // reselect: the controller's set of banks to re-select (this one starts marked).
  BankMachine(PagePolicy policy, int rank, int bank_group, int bank, const TimingChecker& checker,
              ReselectSet& reselect, bool keep_activated = false)
      : policy_(policy), rank_(rank), bank_group_(bank_group), bank_(bank),
        rows_(checker.rows(rank, bank_group, bank)), reselect_(reselect, bank),
        keep_activated_(keep_activated) {
    reselect_.mark();
  }

  // Re-evaluates: picks the request and the command, and returns the earliest time it
  // may issue (kNever if none). Does nothing while blocked (refresh) or sleeping
  // (power-down), keeping its previous request.
  // DRAMSys asks the scheduler again on every evaluation; the answer is a function of the
  // bank's queue, its state and (FrFcfsGrp) the last CAS direction, so it is cached until
  // invalidate() or a state change; only the time is recomputed (a few loads, no branch:
  // a bank without a command reads TimingChecker::never_slots()).
  // from: c.not_before(now), the same for every bank (computed once per pass).
  std::int64_t start(std::int64_t now, std::int64_t from, const Scheduler& s,
                     const TimingChecker& c, const TransactionPool& pool) {
    if (reselect_.marked()) return evaluate(now, s, c, pool);
    return retime(from);
  }
  // start() in two halves, for re-timing every bank without a branch per bank: first
  // evaluate() the banks marked in the ReselectSet, then retime() all (which gives a bank
  // just evaluated the same time again).
  std::int64_t retime(std::int64_t from) {
    time_ = TimingChecker::earliest_from(slots_, from);
    return time_;
  }
  // Picks the request and the command again; clears the bank's mark.
  std::int64_t evaluate(std::int64_t now, const Scheduler& s, const TimingChecker& c,
                        const TransactionPool& pool);
  // Applies an issued command that concerns this bank.
  void update(Command c, const TransactionPool& pool);

  void block() {
    blocked_ = true;
    reselect_.mark();
  }
  // The bank's queue (or something the scheduler looks at) changed.
  void invalidate() { reselect_.mark(); }
  // Busy = holds a selected request whose CAS has not issued yet (refresh waits for it).
  bool idle() const { return current_ < 0; }
  State state() const { return state_; }
  int open_row() const { return open_row_; }
  int current() const { return current_; }
  std::uint64_t payload_id() const { return payload_id_; }  // channel ID of current()
  Command next_command() const { return next_; }
  bool has_command() const { return has_next_; }
  std::int64_t time() const { return time_; }
  int rank() const { return rank_; }
  int bank_group() const { return bank_group_; }
  int bank() const { return bank_; }

 private:
  PagePolicy policy_;
  int rank_, bank_group_, bank_;  // global indices
  State state_ = State::Precharged;
  int open_row_ = -1;
  int current_ = -1;
  std::uint64_t payload_id_ = 0;
  Command next_ = Command::ACT;
  bool has_next_ = false;
  std::int64_t time_ = kNever;
  bool blocked_ = false;
  bool sleeping_ = false;
  TimingChecker::Rows rows_;  // this bank's timing cells for every command
  ReselectSet::Member reselect_;
  TimingChecker::Slots slots_ = TimingChecker::never_slots();  // of next_ on this bank
  // Write drain only: the request the open row was activated for, until its CAS. It stays
  // selected when the drain changes direction (DRAMsim3 keeps its queued commands).
  int activated_for_ = -1;
  bool keep_activated_ = false;

};

}  // namespace archgym::dram

#pragma once
// The memory controller of one channel, cycle-accurate to DRAMSys 4.0's
// Controller::controllerMethod (KNOBS.md §0). The simulator calls pass() whenever one of
// the controller's events fires; a pass handles responses, admits the pending request,
// lets refresh and power-down managers act, issues at most one command and computes the
// next time it needs to run. Nothing here allocates after construction.
#include <cstdint>
#include <memory>
#include <vector>

#include "simulators/dram/bank_machine.h"
#include "simulators/dram/cmd_mux.h"
#include "simulators/dram/command.h"
#include "simulators/dram/controller_config.h"
#include "simulators/dram/controller_port.h"
#include "simulators/dram/memspec.h"
#include "simulators/dram/power_down_manager.h"
#include "simulators/dram/refresh_manager.h"
#include "simulators/dram/response_queue.h"
#include "simulators/dram/scheduler.h"
#include "simulators/dram/timing_checker.h"
#include "simulators/dram/transaction.h"

namespace archgym::dram {

struct ControllerCounters {
  std::uint64_t command_counts[kCommandCount] = {};
  std::uint64_t row_misses = 0;   // CAS that were the first after their bank's ACT
  std::uint64_t cas = 0;
};

class Controller {
 public:
  Controller(const MemSpec& spec, const ControllerConfig& config, TransactionPool& pool,
             const ControllerPort& port);
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  // BEGIN_REQ: the controller's single pending-request slot (valid from cycle `at`).
  void begin_req(int txn, std::int64_t at) {
    acquire_txn_ = txn;
    acquire_time_ = at;
  }
  bool request_slot_free() const { return acquire_txn_ < 0; }
  // END_RESP for the response in flight, at `now`.
  void end_resp(std::int64_t now) { release_time_ = now; }

  // One run of controllerMethod at `now`.
  void pass(std::int64_t now);

  // Timed events the controller has pending (kNever if none); fired ones are cleared by
  // take_timed_trigger().
  std::int64_t next_timed_trigger() const {
    return controller_event_ < data_event_ ? controller_event_ : data_event_;
  }
  bool take_timed_trigger(std::int64_t now) {
    bool fired = false;
    if (controller_event_ == now) { controller_event_ = kNever; fired = true; }
    if (data_event_ == now) { data_event_ = kNever; fired = true; }
    return fired;
  }

  const ControllerCounters& counters() const { return counters_; }
  std::uint64_t served() const { return served_; }

 private:
  void manage_responses(std::int64_t now);
  void manage_requests(std::int64_t now);
  // The rarer halves, out of line so that the common passes (nothing to release or
  // admit, the fast path) stay a few instructions without saving registers.
  [[gnu::noinline]] void release_response(std::int64_t now);  // END_RESP arrived
  [[gnu::noinline]] void begin_response(int txn, std::int64_t now, std::int64_t at);
  [[gnu::noinline]] void admit(std::int64_t now);
  [[gnu::noinline]] void full_pass(std::int64_t now);         // steps 3-6
  // The fast paths' conditions (see pass()): after a full pass, whether no bank waits to
  // re-select and no refresh manager is past its trigger (settled_); the admitted request's
  // bank cannot issue now and no power-down entry or exit is pending.
  void note_settled(std::int64_t now);
  bool admission_cannot_issue(std::int64_t now) const;
  // The end of step 6: the managers restart, and the controller wakes at the earliest of
  // their times and the banks' (`banks_next`).
  // (Inline: full_pass is the hot caller; a call here cost 1.5% of the instructions.)
  [[gnu::always_inline]] inline void wake_at_earliest(std::int64_t now, std::int64_t banks_next);
  [[gnu::noinline]] void wake_after_admission(std::int64_t now);
  void update_write_drain();
  void issue(const Candidate& c, std::int64_t now);
  void notify_data(std::int64_t now) {
    const std::int64_t t = resp_.trigger_time(now);
    if (t < data_event_) data_event_ = t;
  }

  const MemSpec spec_;
  const ControllerConfig config_;
  TransactionPool& pool_;
  ControllerPort port_;
  TimingChecker checker_;
  Scheduler scheduler_;
  ResponseQueue resp_;
  ReselectSet reselect_;                          // before bms_, which point to it
  std::vector<BankMachine> bms_;                 // global bank order
  std::vector<std::unique_ptr<PowerDownManager>> pdms_;
  std::vector<std::unique_ptr<RefreshManager>> rms_;
  std::vector<int> rank_payloads_;
  std::vector<std::uint8_t> fresh_activation_;   // per bank: ACT not yet followed by a CAS
  int banks_per_rank_, bank_groups_per_rank_, read_delay_, write_delay_;

  int acquire_txn_ = -1;
  std::int64_t acquire_time_ = 0;
  int release_txn_ = -1;
  std::int64_t release_time_ = -1;  // END_RESP time of the last response; kNever: awaiting it
  std::uint64_t total_payloads_ = 0;
  std::uint64_t served_ = 0;
  std::int64_t controller_event_ = kNever;
  std::int64_t data_event_ = kNever;
  std::int64_t last_next_ = 0;  // earliest candidate/trigger time after the last full pass
                                // (or admission fast path)
  bool admitted_ = false;     // something a candidate depends on changed in this pass
  int admitted_bank_ = -1;    // the bank of the request admitted in this pass
  bool settled_ = false;      // note_settled() after the last full pass
  bool write_drain_ = false;  // WriteDrainPolicy::Watermark
  ControllerCounters counters_;
};

}  // namespace archgym::dram

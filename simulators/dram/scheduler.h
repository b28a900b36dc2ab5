#pragma once
// Request buffer and request selection of DRAMSys 4.0 (Scheduler{Fifo,FrFcfs,FrFcfsGrp}
// and BufferCounter{Bankwise,ReadWrite,Shared}); see KNOBS.md §2-§3.
//
// One arrival-ordered queue per bank. A request leaves its queue when its CAS issues,
// and only then does it stop counting against the buffer.
#include <cstdint>
#include <vector>

#include "simulators/dram/controller_config.h"
#include "simulators/dram/transaction.h"

namespace archgym::dram {

class Scheduler {
 public:
  Scheduler(SchedulerPolicy policy, SchedulerBuffer buffer, int buffer_size, int banks,
            const TransactionPool& pool);

  // Admission check, made before the incoming request is stored (so Bankwise looks at
  // the bank of the most recently stored request, not the incoming one).
  bool has_buffer_space() const;
  void store(int txn);
  void remove(int txn);  // at CAS issue

  // The request a bank machine should serve next, or -1. `activated`/`open_row`
  // describe the bank. Re-asked on every evaluation, so the choice may change.
  int next_request(int bank, bool activated, int open_row) const;
  bool has_further_request(int bank) const { return queue(bank).size() >= 2; }
  bool has_further_row_hit(int bank, int row) const;
  std::size_t queued(int bank) const { return queue(bank).size(); }
  std::size_t total_queued() const { return total_; }

 private:
  const std::vector<int>& queue(int bank) const { return queues_[static_cast<std::size_t>(bank)]; }
  const Transaction& tx(int i) const { return pool_[i]; }

  SchedulerPolicy policy_;
  SchedulerBuffer buffer_;
  std::size_t size_;
  const TransactionPool& pool_;
  std::vector<std::vector<int>> queues_;  // per bank, arrival order
  std::size_t total_ = 0;
  // Buffer counters.
  std::vector<std::size_t> per_bank_;     // Bankwise
  int last_bank_ = 0;                     // Bankwise: bank of the last stored request
  std::size_t reads_ = 0, writes_ = 0;    // ReadWrite
  bool last_cas_write_ = false;           // FrFcfsGrp: direction of the channel's last CAS
};

}  // namespace archgym::dram

#pragma once
// Request buffer and request selection of DRAMSys 4.0 (Scheduler{Fifo,FrFcfs,FrFcfsGrp}
// and BufferCounter{Bankwise,ReadWrite,Shared}); see KNOBS.md §2-§3.
//
// One arrival-ordered queue per bank. A request leaves its queue when its CAS issues,
// and only then does it stop counting against the buffer (WriteDrain=CommandQueue: when it
// is committed to its bank's command queue, see set_write_drain).
#include <algorithm>
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
  bool has_buffer_space() const {
    switch (buffer_) {
      case SchedulerBuffer::Bankwise: return per_bank_[static_cast<std::size_t>(last_bank_)] < size_;
      case SchedulerBuffer::ReadWrite: return reads_ < size_ && writes_ < size_;
      case SchedulerBuffer::Shared: return total_ < size_;
    }
    return false;
  }
  void store(int txn);
  void remove(int txn);  // at CAS issue

  // The request a bank machine should serve next, or -1. `activated`/`open_row`
  // describe the bank. Re-asked on every evaluation, so the choice may change.
  int next_request(int bank, bool activated, int open_row) const;
  // next_request() for a precharged bank (every policy takes the oldest visible request),
  // inline: a bank machine branches on its state once instead of again in here.
  int next_request_precharged(int bank) const {
    if (drain_ != WriteDrainPolicy::None) return next_visible_request(bank, false, -1);
    const auto& q = queue(bank);
    return q.empty() ? -1 : q.front();
  }
  bool has_further_request(int bank) const {
    return drain_ == WriteDrainPolicy::None ? queue(bank).size() >= 2 : visible_count(bank, -1, 2) >= 2;
  }
  bool has_further_row_hit(int bank, int row) const;

  // Write drain (ControllerConfig::write_drain). With Watermark (DRAMsim3 style) the bank
  // machines see only the reads until the queued writes reach the high watermark (or,
  // with no read queued, exceed the low one); then only the writes, until that batch has
  // been served down to the low watermark. CommandQueue models DRAMsim3's two queue levels
  // (Controller::ScheduleTransaction, CommandQueue): requests wait in the buffer (its size
  // counts these only) until they are committed to their bank's command queue of
  // `command_queue_depth`, and the bank machines see committed requests only, in commit order.
  // Reads are committed as soon as their bank has room. Writes are committed only by a
  // drain, which starts when the waiting writes reach the high watermark (or every command
  // queue is empty and more than the low watermark, or with nothing more admissible any,
  // are waiting) and commits that many writes, oldest first into banks with room, while no
  // read is committed. So reads already committed keep being served during a drain, and
  // the writes queue behind them. Either way a bank keeps the request it has activated a
  // row for across a switch (BankMachine), as DRAMsim3's command queues keep theirs.
  void set_write_drain(WriteDrainPolicy policy, int high, int low, int command_queue_depth) {
    drain_ = policy;
    command_queue_depth_ = static_cast<std::size_t>(command_queue_depth);
    for (auto& q : cmd_queues_) q.reserve(std::min<std::size_t>(command_queue_depth_, 64));
    high_ = static_cast<std::size_t>(high);
    low_ = static_cast<std::size_t>(low);
  }
  // Re-decides the direction after the queues changed; `request_waiting`: a request waits
  // for admission and the buffer has room for it (if not, nothing new can arrive, so the
  // writes drain rather than wait for ever). Returns whether the direction (CommandQueue:
  // what any bank machine may see) changed.
  bool update_write_drain(bool request_waiting) {
    if (drain_ == WriteDrainPolicy::None) return false;
    if (drain_ == WriteDrainPolicy::CommandQueue) return update_command_queues(request_waiting);
    const bool before = draining_;
    if (!draining_) {
      draining_ = writes_ >= high_ ||
                  (reads_ == 0 && writes_ > 0 && (writes_ > low_ || !request_waiting));
      if (draining_) batch_ = writes_;
    } else {
      draining_ = writes_ > 0 && (batch_ > low_ || reads_ == 0);
    }
    return draining_ != before;
  }
  bool write_drain_enabled() const { return drain_ != WriteDrainPolicy::None; }
  // FrFcfsGrp: direction of the channel's last CAS (next_request prefers it).
  bool last_cas_write() const { return last_cas_write_; }
  bool draining_writes() const { return draining_; }

  std::size_t queued(int bank) const { return queue(bank).size(); }
  std::size_t total_queued() const { return total_; }

 private:
  const std::vector<int>& queue(int bank) const { return queues_[static_cast<std::size_t>(bank)]; }
  const Transaction& tx(int i) const { return pool_[i]; }
  // Whether the bank machines may see request `i` (of the pool).
  bool visible(int i) const {
    if (drain_ == WriteDrainPolicy::CommandQueue) return committed_[static_cast<std::size_t>(i)] != 0;
    return drain_ == WriteDrainPolicy::None || tx(i).is_write == draining_;
  }
  // The requests the bank machines choose from, in the order they compete: the bank's
  // queue, or with CommandQueue its command queue (commit order).
  const std::vector<int>& view(int bank) const {
    return drain_ == WriteDrainPolicy::CommandQueue ? cmd_queues_[static_cast<std::size_t>(bank)] : queue(bank);
  }
  // CommandQueue: starts and ends drains, committing what they allow.
  bool update_command_queues(bool request_waiting);
  bool has_room(int bank) const { return cmd_queues_[static_cast<std::size_t>(bank)].size() < command_queue_depth_; }
  void commit(int i);
  bool commit_oldest(int bank, bool write);  // the bank's oldest waiting read or write
  void commit_waiting_reads();               // into every bank with room
  // Visible requests of `bank` (to `row` unless row < 0), counting at most up to `limit`.
  int visible_count(int bank, int row, int limit) const;
  int next_visible_request(int bank, bool activated, int open_row) const;

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
  WriteDrainPolicy drain_ = WriteDrainPolicy::None;
  std::size_t high_ = 0, low_ = 0;        // write watermarks
  bool draining_ = false;                 // Watermark: serving writes; CommandQueue: committing them
  std::size_t batch_ = 0;                 // writes of the current drain not yet served
  // CommandQueue: whether a request is committed (by pool index), each bank's command
  // queue, the committed requests in total, and how many writes the current drain still
  // has to commit (DRAMsim3's write_draining_). Committed requests no longer count in
  // total_, per_bank_, reads_ and writes_ (DRAMsim3's transaction queues).
  std::size_t command_queue_depth_ = 0;  // ControllerConfig::command_queue_depth
  std::vector<std::uint8_t> committed_;
  std::vector<std::vector<int>> cmd_queues_;  // per bank, commit order
  std::size_t committed_total_ = 0, to_commit_ = 0;
};

}  // namespace archgym::dram

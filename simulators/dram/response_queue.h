#pragma once
// Responses waiting to be returned (DRAMSys RespQueue{Fifo,Reorder}, KNOBS.md §4).
// Fifo: in CAS-issue order with head-of-line blocking (a write whose data is done waits
// behind an earlier read). Reorder: strictly by channel payload ID, i.e. arrival order.
#include <cstdint>
#include <vector>

#include "simulators/dram/controller_config.h"

namespace archgym::dram {

class ResponseQueue {
 public:
  explicit ResponseQueue(RespQueuePolicy policy);

  void insert(int txn, std::uint64_t channel_id, std::int64_t ready);
  // The next response that may go at `now`, removed from the queue; -1 if none.
  int next(std::int64_t now) {
    if (count_ == 0) return -1;
    Entry& e = ring_[head_];
    if (e.txn < 0 || e.ready > now) return -1;
    const int txn = e.txn;
    e = Entry{};
    head_ = (head_ + 1) & (ring_.size() - 1);
    --count_;
    if (policy_ == RespQueuePolicy::Reorder) ++next_id_;
    return txn;
  }
  // When the head becomes ready, if that is after `now`; kNever otherwise (empty, ready
  // already, or Reorder waiting for an ID not yet issued).
  std::int64_t trigger_time(std::int64_t now) const {
    if (count_ == 0) return INT64_MAX;
    const Entry& e = ring_[head_];
    if (e.txn >= 0 && e.ready > now) return e.ready;
    return INT64_MAX;
  }
  bool empty() const { return count_ == 0; }

 private:
  struct Entry {
    int txn = -1;
    std::int64_t ready = 0;
  };
  void grow();
  RespQueuePolicy policy_;
  // A ring buffer whose size is a power of two. Fifo: head_ .. head_ + count_. Reorder: slot (id - next_id_) from head_.
  std::vector<Entry> ring_;
  std::size_t head_ = 0, count_ = 0;
  std::uint64_t next_id_ = 1;  // Reorder
};

}  // namespace archgym::dram

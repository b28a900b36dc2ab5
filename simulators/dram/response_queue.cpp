#include "simulators/dram/response_queue.h"

#include "simulators/dram/bank_machine.h"  // kNever

namespace archgym::dram {

ResponseQueue::ResponseQueue(RespQueuePolicy policy) : policy_(policy), ring_(64) {}

void ResponseQueue::grow() {
  std::vector<Entry> bigger(ring_.size() * 2);
  for (std::size_t i = 0; i < ring_.size(); ++i) bigger[i] = ring_[(head_ + i) % ring_.size()];
  ring_.swap(bigger);
  head_ = 0;
}

void ResponseQueue::insert(int txn, std::uint64_t channel_id, std::int64_t ready) {
  if (policy_ == RespQueuePolicy::Fifo) {
    if (count_ == ring_.size()) grow();
    ring_[(head_ + count_) % ring_.size()] = Entry{txn, ready};
  } else {
    const std::uint64_t offset = channel_id - next_id_;
    while (offset >= ring_.size()) grow();
    ring_[(head_ + offset) % ring_.size()] = Entry{txn, ready};
  }
  ++count_;
}

int ResponseQueue::next(std::int64_t now) {
  if (count_ == 0) return -1;
  Entry& e = ring_[head_];
  if (e.txn < 0 || e.ready > now) return -1;
  const int txn = e.txn;
  e = Entry{};
  head_ = (head_ + 1) % ring_.size();
  --count_;
  if (policy_ == RespQueuePolicy::Reorder) ++next_id_;
  return txn;
}

std::int64_t ResponseQueue::trigger_time(std::int64_t now) const {
  if (count_ == 0) return kNever;
  const Entry& e = ring_[head_];
  if (e.txn >= 0 && e.ready > now) return e.ready;
  return kNever;
}

}  // namespace archgym::dram

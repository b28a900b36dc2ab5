#include "simulators/dram/response_queue.h"

namespace archgym::dram {

ResponseQueue::ResponseQueue(RespQueuePolicy policy) : policy_(policy), ring_(64) {}

void ResponseQueue::grow() {
  std::vector<Entry> bigger(ring_.size() * 2);
  for (std::size_t i = 0; i < ring_.size(); ++i) bigger[i] = ring_[(head_ + i) & (ring_.size() - 1)];
  ring_.swap(bigger);
  head_ = 0;
}

void ResponseQueue::insert(int txn, std::uint64_t channel_id, std::int64_t ready) {
  if (policy_ == RespQueuePolicy::Fifo) {
    if (count_ == ring_.size()) grow();
    ring_[(head_ + count_) & (ring_.size() - 1)] = Entry{txn, ready};
  } else {
    const std::uint64_t offset = channel_id - next_id_;
    while (offset >= ring_.size()) grow();
    ring_[(head_ + offset) & (ring_.size() - 1)] = Entry{txn, ready};
  }
  ++count_;
}

}  // namespace archgym::dram

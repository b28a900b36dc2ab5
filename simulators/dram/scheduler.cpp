#include "simulators/dram/scheduler.h"

#include <algorithm>

namespace archgym::dram {

Scheduler::Scheduler(SchedulerPolicy policy, SchedulerBuffer buffer, int buffer_size, int banks,
                     const TransactionPool& pool)
    : policy_(policy),
      buffer_(buffer),
      size_(static_cast<std::size_t>(buffer_size)),
      pool_(pool),
      queues_(static_cast<std::size_t>(banks)),
      per_bank_(static_cast<std::size_t>(banks), 0) {
  for (auto& q : queues_) q.reserve(std::min<std::size_t>(2 * size_ + 1, 4096));
}

bool Scheduler::has_buffer_space() const {
  switch (buffer_) {
    case SchedulerBuffer::Bankwise: return per_bank_[static_cast<std::size_t>(last_bank_)] < size_;
    case SchedulerBuffer::ReadWrite: return reads_ < size_ && writes_ < size_;
    case SchedulerBuffer::Shared: return total_ < size_;
  }
  return false;
}

void Scheduler::store(int txn) {
  const Transaction& t = tx(txn);
  queues_[static_cast<std::size_t>(t.bank)].push_back(txn);
  ++total_;
  last_bank_ = t.bank;
  ++per_bank_[static_cast<std::size_t>(t.bank)];
  (t.is_write ? writes_ : reads_)++;
}

void Scheduler::remove(int txn) {
  const Transaction& t = tx(txn);
  auto& q = queues_[static_cast<std::size_t>(t.bank)];
  auto it = std::find(q.begin(), q.end(), txn);
  if (it != q.end()) q.erase(it);
  --total_;
  --per_bank_[static_cast<std::size_t>(t.bank)];
  (t.is_write ? writes_ : reads_)--;
  last_cas_write_ = t.is_write;
}

int Scheduler::next_request(int bank, bool activated, int open_row) const {
  const auto& q = queue(bank);
  if (q.empty()) return -1;
  if (policy_ == SchedulerPolicy::Fifo || !activated) return q.front();
  if (policy_ == SchedulerPolicy::FrFcfs) {
    for (int i : q)
      if (tx(i).row == open_row) return i;
    return q.front();
  }
  // FrFcfsGrp: among row hits, the oldest in the direction of the last CAS that has no
  // older hit to the same address (read/write hazard); else the oldest hit; else head.
  int first_hit = -1;
  for (std::size_t k = 0; k < q.size(); ++k) {
    const Transaction& c = tx(q[k]);
    if (c.row != open_row) continue;
    if (first_hit < 0) first_hit = q[k];
    if (c.is_write != last_cas_write_) continue;
    bool hazard = false;
    for (std::size_t j = 0; j < k; ++j) {
      const Transaction& o = tx(q[j]);
      if (o.row == open_row && o.address == c.address) {
        hazard = true;
        break;
      }
    }
    if (!hazard) return q[k];
  }
  return first_hit >= 0 ? first_hit : q.front();
}

bool Scheduler::has_further_row_hit(int bank, int row) const {
  const auto& q = queue(bank);
  if (policy_ == SchedulerPolicy::Fifo)  // DRAMSys' Fifo only looks at the second entry
    return q.size() >= 2 && tx(q[1]).row == row;
  int hits = 0;
  for (int i : q)
    if (tx(i).row == row && ++hits == 2) return true;
  return false;
}

}  // namespace archgym::dram

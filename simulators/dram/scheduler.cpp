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
  if (draining_ && t.is_write && batch_ > 0) --batch_;
}

int Scheduler::next_request(int bank, bool activated, int open_row) const {
  const auto& q = queue(bank);
  if (q.empty()) return -1;
  if (drain_ != WriteDrainPolicy::None) return next_visible_request(bank, activated, open_row);
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

// next_request() over the requests of the current write-drain direction only.
int Scheduler::next_visible_request(int bank, bool activated, int open_row) const {
  const auto& q = queue(bank);
  int first = -1, first_hit = -1;
  for (std::size_t k = 0; k < q.size(); ++k) {
    const Transaction& c = tx(q[k]);
    if (!visible(c)) continue;
    if (first < 0) {
      first = q[k];
      if (policy_ == SchedulerPolicy::Fifo || !activated) return first;
    }
    if (c.row != open_row) continue;
    if (policy_ == SchedulerPolicy::FrFcfs) return q[k];
    if (first_hit < 0) first_hit = q[k];
    if (c.is_write != last_cas_write_) continue;
    bool hazard = false;
    for (std::size_t j = 0; j < k; ++j) {
      const Transaction& o = tx(q[j]);
      if (visible(o) && o.row == open_row && o.address == c.address) {
        hazard = true;
        break;
      }
    }
    if (!hazard) return q[k];
  }
  return first_hit >= 0 ? first_hit : first;
}

int Scheduler::visible_count(int bank, int row, int limit) const {
  int n = 0;
  for (int i : queue(bank)) {
    const Transaction& t = tx(i);
    if (visible(t) && (row < 0 || t.row == row) && ++n == limit) break;
  }
  return n;
}

bool Scheduler::has_further_row_hit(int bank, int row) const {
  const auto& q = queue(bank);
  if (drain_ != WriteDrainPolicy::None) {
    if (policy_ != SchedulerPolicy::Fifo) return visible_count(bank, row, 2) >= 2;
    int seen = 0;  // Fifo: the second visible request
    for (int i : q) {
      if (!visible(tx(i))) continue;
      if (++seen == 2) return tx(i).row == row;
    }
    return false;
  }
  if (policy_ == SchedulerPolicy::Fifo)  // DRAMSys' Fifo only looks at the second entry
    return q.size() >= 2 && tx(q[1]).row == row;
  int hits = 0;
  for (int i : q)
    if (tx(i).row == row && ++hits == 2) return true;
  return false;
}

}  // namespace archgym::dram

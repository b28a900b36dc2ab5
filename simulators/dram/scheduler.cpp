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
      per_bank_(static_cast<std::size_t>(banks), 0),
      cmd_queues_(static_cast<std::size_t>(banks)) {
  for (auto& q : queues_) q.reserve(std::min<std::size_t>(2 * size_ + 1, 4096));
}

void Scheduler::store(int txn) {
  const Transaction& t = tx(txn);
  queues_[static_cast<std::size_t>(t.bank)].push_back(txn);
  ++total_;
  last_bank_ = t.bank;
  ++per_bank_[static_cast<std::size_t>(t.bank)];
  (t.is_write ? writes_ : reads_)++;
  if (drain_ == WriteDrainPolicy::CommandQueue) {
    if (static_cast<std::size_t>(txn) >= committed_.size()) committed_.resize(static_cast<std::size_t>(txn) + 1, 0);
    committed_[static_cast<std::size_t>(txn)] = 0;
    // Every waiting request of its kind sits in a full bank (it would have been committed
    // otherwise), so this one is the oldest movable one if its bank has room.
    if (has_room(t.bank) && (t.is_write ? draining_ && to_commit_ > 0 : !draining_)) {
      commit(txn);
      if (t.is_write) --to_commit_;
    }
  }
}

void Scheduler::commit(int i) {
  const Transaction& t = tx(i);
  committed_[static_cast<std::size_t>(i)] = 1;
  cmd_queues_[static_cast<std::size_t>(t.bank)].push_back(i);
  ++committed_total_;
  // Committed, it leaves the request buffer (DRAMsim3's transaction queues).
  --total_;
  --per_bank_[static_cast<std::size_t>(t.bank)];
  (t.is_write ? writes_ : reads_)--;
}

bool Scheduler::commit_oldest(int bank, bool write) {
  for (int i : queue(bank)) {
    if (committed_[static_cast<std::size_t>(i)] || tx(i).is_write != write) continue;
    commit(i);
    return true;
  }
  return false;
}

void Scheduler::commit_waiting_reads() {
  for (std::size_t b = 0; b < queues_.size(); ++b)
    while (has_room(static_cast<int>(b)) && commit_oldest(static_cast<int>(b), false)) {
    }
}

void Scheduler::remove(int txn) {
  const Transaction& t = tx(txn);
  auto& q = queues_[static_cast<std::size_t>(t.bank)];
  auto it = std::find(q.begin(), q.end(), txn);
  if (it != q.end()) q.erase(it);
  last_cas_write_ = t.is_write;
  if (drain_ != WriteDrainPolicy::CommandQueue) {
    --total_;
    --per_bank_[static_cast<std::size_t>(t.bank)];
    (t.is_write ? writes_ : reads_)--;
  } else {  // its buffer entry was freed when it was committed
    // Only committed requests are served; the freed slot takes the bank's next write of
    // the drain, or outside a drain its next read (update_command_queues ends a drain).
    auto& cq = cmd_queues_[static_cast<std::size_t>(t.bank)];
    cq.erase(std::find(cq.begin(), cq.end(), txn));
    --committed_total_;
    if (draining_) {
      if (to_commit_ > 0 && commit_oldest(t.bank, true)) --to_commit_;
    } else {
      commit_oldest(t.bank, false);
    }
    return;
  }
  if (draining_ && t.is_write && batch_ > 0) --batch_;
}

// CommandQueue: DRAMsim3's Controller::ScheduleTransaction, except that everything movable
// moves at once (DRAMsim3 moves one transaction per cycle). A drain ends once it has
// committed its writes; reads then fill the command queues again.
bool Scheduler::update_command_queues(bool request_waiting) {
  bool changed = false;
  if (draining_ && to_commit_ == 0) {
    draining_ = false;
    changed = true;
    commit_waiting_reads();
  }
  const std::size_t w = writes_;
  if (!draining_ && (w >= high_ || (committed_total_ == 0 && w > 0 && (w > low_ || !request_waiting)))) {
    draining_ = true;
    changed = true;
    to_commit_ = w;
    // to_commit_ covers every waiting write, so each bank simply takes its oldest ones.
    for (std::size_t b = 0; b < queues_.size() && to_commit_ > 0; ++b)
      while (to_commit_ > 0 && has_room(static_cast<int>(b)) && commit_oldest(static_cast<int>(b), true))
        --to_commit_;
    if (to_commit_ == 0) {  // all committed at once: reads may follow right away
      draining_ = false;
      commit_waiting_reads();
    }
  }
  return changed;
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
  const auto& q = view(bank);
  int first = -1, first_hit = -1;
  for (std::size_t k = 0; k < q.size(); ++k) {
    const Transaction& c = tx(q[k]);
    if (!visible(q[k])) continue;
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
      if (visible(q[j]) && o.row == open_row && o.address == c.address) {
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
  for (int i : view(bank)) {
    const Transaction& t = tx(i);
    if (visible(i) && (row < 0 || t.row == row) && ++n == limit) break;
  }
  return n;
}

bool Scheduler::has_further_row_hit(int bank, int row) const {
  const auto& q = queue(bank);
  if (drain_ != WriteDrainPolicy::None) {
    if (policy_ != SchedulerPolicy::Fifo) return visible_count(bank, row, 2) >= 2;
    int seen = 0;  // Fifo: the second visible request
    for (int i : view(bank)) {
      if (!visible(i)) continue;
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

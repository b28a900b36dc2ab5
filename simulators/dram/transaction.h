#pragma once
// One memory request as it travels through the arbiter, the controller and back,
// together with its decoded address. Transactions live in a pool and are referred to
// by index, so the hot loop never allocates.
#include <cstdint>
#include <vector>

namespace archgym::dram {

struct Transaction {
  std::uint64_t channel_id = 0;    // channel payload ID: arbiter acceptance order, from 1
  std::uint64_t thread_id = 0;     // initiator payload ID (request order), from 1
  std::int64_t trace_ps = 0;       // timestamp from the trace, in ps
  std::int64_t arrival_cycle = 0;  // BEGIN_REQ seen by the arbiter (memory cycles)
  std::uint64_t address = 0;
  int rank = 0;
  int bank_group = 0;              // global over the channel (DRAMSys convention)
  int bank = 0;                    // global over the channel
  int row = 0;
  int column = 0;
  bool is_write = false;
};

// Free-list pool of transactions; indices stay valid until release().
class TransactionPool {
 public:
  int acquire() {
    if (!free_.empty()) {
      int i = free_.back();
      free_.pop_back();
      return i;
    }
    items_.emplace_back();
    return static_cast<int>(items_.size() - 1);
  }
  void release(int i) { free_.push_back(i); }
  Transaction& operator[](int i) { return items_[static_cast<std::size_t>(i)]; }
  const Transaction& operator[](int i) const { return items_[static_cast<std::size_t>(i)]; }
  void reserve(std::size_t n) {
    items_.reserve(n);
    free_.reserve(n);
  }
  void clear() {
    items_.clear();
    free_.clear();
  }

 private:
  std::vector<Transaction> items_;
  std::vector<int> free_;
};

}  // namespace archgym::dram

#pragma once
// The arbiter between the trace player and the channel controller, DRAMSys 4.0
// semantics (Arbiter.cpp, KNOBS.md §7), for one initiator and one channel.
//
// Simple: one request in flight to the controller, END_REQ passed through (the player is
//   blocked until the controller admits); MaxActiveTransactions is ignored.
// Fifo: up to MaxActiveTransactions requests accepted at once (from acceptance until the
//   player's END_RESP); accepted ones wait in a FIFO and go to the controller one per
//   cycle; responses are acknowledged to the controller at once and handed to the player
//   one per cycle in arrival order.
// Reorder: like Fifo, but the player gets its responses strictly in request order.
#include <cstdint>
#include <vector>

#include "simulators/dram/controller.h"
#include "simulators/dram/controller_config.h"
#include "simulators/dram/event_queue.h"
#include "simulators/dram/response_queue.h"
#include "simulators/dram/transaction.h"

namespace archgym::dram {

// FIFO of transaction indices in a ring buffer: memory bounded by the most ever queued
// at once, never by the number passed through.
class TxnFifo {
 public:
  TxnFifo() : ring_(64) {}
  bool empty() const { return count_ == 0; }
  void push(int txn) {
    if (count_ == ring_.size()) {
      std::vector<int> bigger(ring_.size() * 2);
      for (std::size_t i = 0; i < count_; ++i) bigger[i] = ring_[(head_ + i) & (ring_.size() - 1)];
      ring_.swap(bigger);
      head_ = 0;
    }
    ring_[(head_ + count_++) & (ring_.size() - 1)] = txn;
  }
  int pop() {
    const int txn = ring_[head_];
    head_ = (head_ + 1) & (ring_.size() - 1);
    --count_;
    return txn;
  }

 private:
  std::vector<int> ring_;  // size: a power of two
  std::size_t head_ = 0, count_ = 0;
};

class Arbiter {
 public:
  Arbiter(ArbiterPolicy policy, int max_active, Controller& controller, TransactionPool& pool,
          EventQueue& events);

  void begin_req(int txn, std::int64_t now);   // from the player
  void end_req(int txn, std::int64_t now);     // from the controller
  void begin_resp(int txn, std::int64_t now);  // from the controller
  void end_resp(int txn, std::int64_t now);    // from the player

 private:
  void accept(int txn, std::int64_t now);  // assigns payload IDs
  void send_to_controller(int txn, std::int64_t at, std::int64_t now);
  bool pop_response(int& txn);

  ArbiterPolicy policy_;
  std::size_t max_active_;
  Controller& controller_;
  TransactionPool& pool_;
  EventQueue& events_;
  std::uint64_t next_thread_id_ = 1, next_channel_id_ = 1;
  // Channel side.
  bool channel_busy_ = false;
  TxnFifo pending_requests_;
  std::int64_t last_end_req_ = -1;
  // Initiator side.
  bool thread_busy_ = false;
  std::size_t active_ = 0;
  int outstanding_end_req_ = -1;
  TxnFifo pending_responses_;          // Simple/Fifo
  ResponseQueue reorder_;               // Reorder: keyed by thread payload ID
  std::int64_t last_end_resp_ = -1;
};

}  // namespace archgym::dram

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
    if (count_ == ring_.size()) grow();
    ring_[(head_ + count_++) & (ring_.size() - 1)] = txn;
  }
  int pop() {
    const int txn = ring_[head_];
    head_ = (head_ + 1) & (ring_.size() - 1);
    --count_;
    return txn;
  }

 private:
  [[gnu::noinline]] void grow() {
    std::vector<int> bigger(ring_.size() * 2);
    for (std::size_t i = 0; i < count_; ++i) bigger[i] = ring_[(head_ + i) & (ring_.size() - 1)];
    ring_.swap(bigger);
    head_ = 0;
  }
  std::vector<int> ring_;  // size: a power of two
  std::size_t head_ = 0, count_ = 0;
};

class Arbiter {
 public:
  Arbiter(ArbiterPolicy policy, int max_active, Controller& controller, TransactionPool& pool,
          EventQueue& events);

  // The handlers. Simple's halves are a few instructions and inline; the queueing
  // policies' (Fifo, Reorder) are out of line.
  void begin_req(int txn, std::int64_t now) {  // from the player
    if (policy_ != ArbiterPolicy::Simple) return queued_begin_req(txn, now);
    accept(txn, now);
    if (!channel_busy_) {
      channel_busy_ = true;
      send_to_controller(txn, now, now);  // ArbitrationDelayFw = 0
    } else {
      pending_requests_.push(txn);
    }
  }
  // Simple passes END_REQ (controller -> player) and END_RESP (player -> controller) straight
  // through, so the simulation hands both on in the same delta round, without a message
  // (Simulation::handle, player_begin_resp). Fifo and Reorder queue: they tell the player
  // END_REQ when they accept a request, and take END_RESP as a message.
  bool passes_through() const { return policy_ == ArbiterPolicy::Simple; }
  void end_req(std::int64_t now) {  // from the controller (Simple: the caller tells the player)
    if (policy_ != ArbiterPolicy::Simple) return queued_end_req(now);
    if (!pending_requests_.empty()) {
      const int next = pending_requests_.pop();
      send_to_controller(next, now + 1, now);  // never two requests in one cycle
    } else {
      channel_busy_ = false;
    }
  }
  void begin_resp(int txn, std::int64_t now) {  // from the controller
    if (policy_ != ArbiterPolicy::Simple) return queued_begin_resp(txn, now);
    if (!thread_busy_) {
      thread_busy_ = true;
      events_.post(MsgKind::PlayerBeginResp, txn, now, now);  // ArbitrationDelayBw = 0
    } else {
      pending_responses_.push(txn);
    }
  }
  void end_resp(std::int64_t now) {  // from the player
    if (policy_ != ArbiterPolicy::Simple) return queued_end_resp(now);
    controller_.end_resp(now);
    events_.trigger_controller(now, now);
    if (!pending_responses_.empty())
      events_.post(MsgKind::PlayerBeginResp, pending_responses_.pop(), now + 1, now);
    else
      thread_busy_ = false;
  }

 private:
  void queued_begin_req(int txn, std::int64_t now);
  void queued_end_req(std::int64_t now);
  void queued_begin_resp(int txn, std::int64_t now);
  void queued_end_resp(std::int64_t now);
  void accept(int txn, std::int64_t now) {  // assigns payload IDs
    Transaction& t = pool_[txn];
    t.thread_id = next_thread_id_++;
    t.channel_id = next_channel_id_++;
    t.arrival_cycle = now;
  }
  void send_to_controller(int txn, std::int64_t at, std::int64_t now) {
    controller_.begin_req(txn, at);
    events_.trigger_controller(at, now);
  }
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

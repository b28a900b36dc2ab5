#include "simulators/dram/arbiter.h"

namespace archgym::dram {

Arbiter::Arbiter(ArbiterPolicy policy, int max_active, Controller& controller,
                 TransactionPool& pool, EventQueue& events)
    : policy_(policy),
      max_active_(static_cast<std::size_t>(max_active)),
      controller_(controller),
      pool_(pool),
      events_(events),
      reorder_(RespQueuePolicy::Reorder) {
}

void Arbiter::queued_begin_req(int txn, std::int64_t now) {
  if (active_ < max_active_) {
    ++active_;
    accept(txn, now);
    events_.post(MsgKind::PlayerEndReq, txn, now, now);
    pending_requests_.push(txn);
  } else {
    outstanding_end_req_ = txn;
  }
  if (!channel_busy_ && !pending_requests_.empty()) {
    channel_busy_ = true;
    const int next = pending_requests_.pop();
    send_to_controller(next, last_end_req_ == now ? now + 1 : now, now);
  }
}

void Arbiter::queued_end_req(std::int64_t now) {
  last_end_req_ = now;
  if (!pending_requests_.empty()) {
    const int next = pending_requests_.pop();
    send_to_controller(next, now + 1, now);
  } else {
    channel_busy_ = false;
  }
}

bool Arbiter::pop_response(int& txn) {
  if (policy_ == ArbiterPolicy::Reorder) {
    txn = reorder_.next(INT64_MAX);
    return txn >= 0;
  }
  if (pending_responses_.empty()) return false;
  txn = pending_responses_.pop();
  return true;
}

void Arbiter::queued_begin_resp(int txn, std::int64_t now) {
  // Fifo/Reorder acknowledge the controller at once.
  controller_.end_resp(now);
  events_.trigger_controller(now, now);
  if (policy_ == ArbiterPolicy::Reorder)
    reorder_.insert(txn, pool_[txn].thread_id, 0);
  else
    pending_responses_.push(txn);
  if (!thread_busy_) {
    int next;
    if (pop_response(next)) {
      thread_busy_ = true;
      const std::int64_t at = last_end_resp_ == now ? now + 1 : now;
      events_.post(MsgKind::PlayerBeginResp, next, at, now);
    }
  }
}

void Arbiter::queued_end_resp(std::int64_t now) {
  last_end_resp_ = now;
  if (outstanding_end_req_ >= 0) {  // a slot is free: accept the blocked request
    const int txn = outstanding_end_req_;
    outstanding_end_req_ = -1;
    accept(txn, now);
    events_.post(MsgKind::PlayerEndReq, txn, now, now);
    if (!channel_busy_) {
      channel_busy_ = true;
      send_to_controller(txn, last_end_req_ == now ? now + 1 : now, now);
    } else {
      pending_requests_.push(txn);
    }
  } else {
    --active_;
  }
  int next;
  if (pop_response(next))
    events_.post(MsgKind::PlayerBeginResp, next, now + 1, now);
  else
    thread_busy_ = false;
}

}  // namespace archgym::dram

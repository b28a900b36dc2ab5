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

void Arbiter::accept(int txn, std::int64_t now) {
  Transaction& t = pool_[txn];
  t.thread_id = next_thread_id_++;
  t.channel_id = next_channel_id_++;
  t.arrival_cycle = now;
}

void Arbiter::send_to_controller(int txn, std::int64_t at, std::int64_t now) {
  controller_.begin_req(txn, at);
  events_.trigger_controller(at, now);
}


void Arbiter::begin_req(int txn, std::int64_t now) {
  if (policy_ == ArbiterPolicy::Simple) {
    accept(txn, now);
    if (!channel_busy_) {
      channel_busy_ = true;
      send_to_controller(txn, now, now);  // ArbitrationDelayFw = 0
    } else {
      pending_requests_.push(txn);
    }
    return;
  }
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

void Arbiter::end_req(int txn, std::int64_t now) {
  if (policy_ == ArbiterPolicy::Simple) {
    events_.post(MsgKind::PlayerEndReq, txn, now, now);
    if (!pending_requests_.empty()) {
      const int next = pending_requests_.pop();
      send_to_controller(next, now + 1, now);  // never two requests in one cycle
    } else {
      channel_busy_ = false;
    }
    return;
  }
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

void Arbiter::begin_resp(int txn, std::int64_t now) {
  if (policy_ == ArbiterPolicy::Simple) {
    if (!thread_busy_) {
      thread_busy_ = true;
      events_.post(MsgKind::PlayerBeginResp, txn, now, now);  // ArbitrationDelayBw = 0
    } else {
      pending_responses_.push(txn);
    }
    return;
  }
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

void Arbiter::end_resp(int /*txn*/, std::int64_t now) {
  if (policy_ == ArbiterPolicy::Simple) {
    controller_.end_resp(now);
    events_.trigger_controller(now, now);
    int next;
    if (pop_response(next))
      events_.post(MsgKind::PlayerBeginResp, next, now + 1, now);
    else
      thread_busy_ = false;
    return;
  }
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

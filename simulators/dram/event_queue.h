#pragma once
// The little piece of SystemC the simulator needs: messages between the trace player,
// the arbiter and the controller, delivered either at a later cycle (timed) or in the next
// delta round of the current cycle (zero delay). Within a cycle the simulator runs rounds
// until nothing is left; this reproduces the order in which DRAMSys' TLM handshakes
// happen inside one clock cycle (e.g. a request arriving in the same cycle as a
// controller wake-up is seen one delta later).
#include <cstdint>
#include <vector>

namespace archgym::dram {

enum class MsgKind : std::uint8_t {
  ArbBeginReq,      // player -> arbiter
  ArbEndReq,        // controller -> arbiter
  ArbBeginResp,     // controller -> arbiter
  ArbEndResp,       // player -> arbiter
  PlayerEndReq,     // arbiter -> player
  PlayerBeginResp,  // arbiter -> player
};

struct Message {
  std::int64_t time = 0;
  MsgKind kind = MsgKind::ArbBeginReq;
  int txn = -1;
};

class EventQueue {
 public:
  EventQueue() {
    timed_.reserve(64);
    delta_.reserve(32);
  }

  // Delivers at cycle `at`: next delta round if at == now, else at that cycle.
  void post(MsgKind kind, int txn, std::int64_t at, std::int64_t now) {
    const Message m{at, kind, txn};
    if (at <= now) {
      delta_.push_back(m);
    } else {
      timed_.push_back(m);
      if (at < earliest_) earliest_ = at;
    }
  }
  // The controller's own events: zero delay -> next round; else a timed wake-up.
  void trigger_controller(std::int64_t at, std::int64_t now) {
    if (at <= now) controller_delta_ = true;
    else if (at < controller_timed_) controller_timed_ = at;
  }

  std::int64_t next_timed() const {
    return earliest_ < controller_timed_ ? earliest_ : controller_timed_;
  }
  // Starts cycle `now`: timed messages due now become the current round.
  // Returns whether a timed controller trigger is due.
  bool begin_cycle(std::int64_t now) {
    // Zero-delay messages posted before the cycle began (only the trace player's first
    // request) follow the timed ones, one round later.
    if (round_end_ < delta_.size()) return begin_cycle_after_early_posts(now);
    delta_.clear();
    if (earliest_ == now) {
      // Usually a single message is pending: moved here, inline (no call, no loop).
      if (timed_.size() == 1) {
        delta_.push_back(timed_.front());
        timed_.clear();
        earliest_ = INT64_MAX;
      } else {
        take_timed(now);
      }
    }
    round_begin_ = 0;
    round_end_ = delta_.size();
    if (controller_timed_ == now) {
      controller_timed_ = INT64_MAX;
      return true;
    }
    return false;
  }
  // Moves to the next delta round; returns false if nothing is left in this cycle.
  // `controller` says whether the controller was triggered by a zero-delay event.
  bool next_round(bool& controller) {
    controller = controller_delta_;
    controller_delta_ = false;
    round_begin_ = round_end_;
    round_end_ = delta_.size();
    return controller || round_begin_ != round_end_;
  }
  // Moves the timed messages due at `now` into this cycle's first round. Out of line (as
  // the rare case below) so that begin_cycle() inlines into the simulation loop.
  [[gnu::noinline]] void take_timed(std::int64_t now) {
    // Only a handful of messages are ever pending: a linear pass beats a heap. Kept in
    // posting order, so same-cycle messages are delivered in the order they were sent.
    std::size_t keep = 0;
    earliest_ = INT64_MAX;
    for (const Message& m : timed_) {
      if (m.time == now) {
        delta_.push_back(m);
      } else {
        if (m.time < earliest_) earliest_ = m.time;
        timed_[keep++] = m;
      }
    }
    timed_.resize(keep);
  }
  [[gnu::noinline]] bool begin_cycle_after_early_posts(std::int64_t now) {
    const std::vector<Message> early(delta_.begin() + static_cast<std::ptrdiff_t>(round_end_),
                                     delta_.end());
    round_end_ = delta_.size();
    const bool controller = begin_cycle(now);
    delta_.insert(delta_.end(), early.begin(), early.end());
    return controller;
  }
  // The current round's messages are [round_begin(), round_end()); handling one may post
  // more (they belong to the next round), so read each by index and copy it.
  std::size_t round_begin() const { return round_begin_; }
  std::size_t round_end() const { return round_end_; }
  Message message(std::size_t i) const { return delta_[i]; }

 private:
  std::vector<Message> timed_;  // pending timed messages, in posting order
  std::int64_t earliest_ = INT64_MAX;
  // This cycle's zero-delay messages in posting order; rounds are consecutive ranges (one
  // buffer instead of swapping two vectors per round, which is measurably slower).
  std::vector<Message> delta_;
  std::size_t round_begin_ = 0, round_end_ = 0;
  bool controller_delta_ = false;
  std::int64_t controller_timed_ = INT64_MAX;
};

}  // namespace archgym::dram

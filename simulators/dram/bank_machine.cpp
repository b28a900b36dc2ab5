#include "simulators/dram/bank_machine.h"

#include <stdexcept>

namespace archgym::dram {

namespace {
// RD, WR, RDA or WRA.
Command cas(bool write, bool auto_precharge) {
  if (auto_precharge) return write ? Command::WRA : Command::RDA;
  return write ? Command::WR : Command::RD;
}
}  // namespace

std::int64_t BankMachine::evaluate(std::int64_t now, const Scheduler& s, const TimingChecker& c,
                                   const TransactionPool& pool) {
  reselect_.clear();
  time_ = kNever;
  has_next_ = false;
  slots_ = TimingChecker::never_slots();
  if (sleeping_ || blocked_) return time_;
  if (state_ == State::Precharged) {
    current_ = s.next_request_precharged(bank_);
    if (current_ < 0) return time_;
    payload_id_ = pool[current_].channel_id;
    next_ = Command::ACT;
  } else {
    current_ = activated_for_ >= 0 ? activated_for_ : s.next_request(bank_, true, open_row_);
    if (current_ < 0) return time_;
    const Transaction& t = pool[current_];
    payload_id_ = t.channel_id;
    const bool write = t.is_write;
    const bool hit = t.row == open_row_;
    // cas() asks for the one command needed (computing all four for every policy cost).
    switch (policy_) {
      case PagePolicy::Open:
        next_ = hit ? cas(write, false) : Command::PRE;
        break;
      case PagePolicy::Closed:
        next_ = cas(write, true);  // the row is not checked: it was opened for this request
        break;
      case PagePolicy::OpenAdaptive:
        if (!hit) next_ = Command::PRE;
        else next_ = cas(write, s.has_further_request(bank_) && !s.has_further_row_hit(bank_, open_row_));
        break;
      case PagePolicy::ClosedAdaptive:
        if (!hit) {
          // The row stays open only for another hit, but a write drain may have hidden
          // that hit since (it changed direction): close the row then.
          if (!keep_activated_) throw std::logic_error("ClosedAdaptive bank machine found a row miss");
          next_ = Command::PRE;
          break;
        }
        next_ = cas(write, !s.has_further_row_hit(bank_, open_row_));
        break;
    }
  }
  has_next_ = true;
  slots_ = TimingChecker::slots(rows_, next_);
  time_ = c.earliest(slots_, now);
  return time_;
}

void BankMachine::update(Command c, const TransactionPool& pool) {
  reselect_.mark();
  switch (c) {
    case Command::ACT:
      state_ = State::Activated;
      open_row_ = pool[current_].row;
      if (keep_activated_) activated_for_ = current_;
      break;
    case Command::PRE:
    case Command::PREA:
      state_ = State::Precharged;
      activated_for_ = -1;
      break;
    case Command::RD:
    case Command::WR:
      current_ = -1;
      activated_for_ = -1;
      break;
    case Command::RDA:
    case Command::WRA:
      state_ = State::Precharged;
      current_ = -1;
      activated_for_ = -1;
      break;
    case Command::PDEA:
    case Command::PDEP:
    case Command::SREFEN:
      sleeping_ = true;
      break;
    case Command::REFA:
    case Command::REFB:
      sleeping_ = false;
      blocked_ = false;
      break;
    case Command::PDXA:
    case Command::PDXP:
      sleeping_ = false;
      break;
    default:
      break;
  }
}

}  // namespace archgym::dram

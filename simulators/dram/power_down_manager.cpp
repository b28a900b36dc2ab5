#include "simulators/dram/power_down_manager.h"

namespace archgym::dram {

void PowerDownManager::trigger_entry() {
  controller_idle_ = true;
  if (state_ == State::Idle) entry_triggered_ = true;
}

void PowerDownManager::trigger_exit() {
  controller_idle_ = false;
  enter_self_refresh_ = false;
  entry_triggered_ = false;
  if (state_ != State::Idle) exit_triggered_ = true;
}

void PowerDownManager::trigger_interruption() {
  entry_triggered_ = false;
  if (state_ != State::Idle) exit_triggered_ = true;
}

std::int64_t PowerDownManager::choose(std::int64_t now) {
  has_next_ = false;
  time_ = INT64_MAX;
  if (!enabled_) return time_;
  if (exit_triggered_) {
    switch (state_) {
      case State::ActivePdn: next_ = Command::PDXA; has_next_ = true; break;
      case State::PrechargePdn: next_ = Command::PDXP; has_next_ = true; break;
      case State::SelfRefresh: next_ = Command::SREFEX; has_next_ = true; break;
      case State::ExtraRefresh: next_ = Command::REFA; has_next_ = true; break;
      case State::Idle: break;
    }
  } else if (entry_triggered_) {
    next_ = activated_banks_ != 0 ? Command::PDEA : Command::PDEP;
    has_next_ = true;
  } else if (enter_self_refresh_) {
    next_ = Command::SREFEN;
    has_next_ = true;
  }
  if (has_next_) time_ = checker_->earliest(next_, rank_, 0, 0, now);
  return time_;
}

void PowerDownManager::update(Command c) {
  if (!enabled_) return;
  switch (c) {
    case Command::ACT: ++activated_banks_; break;
    case Command::PRE: --activated_banks_; break;
    case Command::PREA: activated_banks_ = 0; break;
    case Command::PDEA:
      state_ = State::ActivePdn;
      entry_triggered_ = false;
      break;
    case Command::PDEP:
      state_ = State::PrechargePdn;
      entry_triggered_ = false;
      break;
    case Command::SREFEN:
      state_ = State::SelfRefresh;
      entry_triggered_ = false;
      enter_self_refresh_ = false;
      break;
    case Command::PDXA:
      state_ = State::Idle;
      exit_triggered_ = false;
      break;
    case Command::PDXP:
      state_ = State::Idle;
      exit_triggered_ = false;
      if (controller_idle_) enter_self_refresh_ = true;
      break;
    case Command::SREFEX:
      state_ = State::ExtraRefresh;
      break;
    case Command::REFA:
      if (state_ == State::ExtraRefresh) {
        state_ = State::Idle;
        exit_triggered_ = false;
      } else if (controller_idle_) {
        entry_triggered_ = true;
      }
      break;
    case Command::REFB:
      if (controller_idle_) entry_triggered_ = true;
      break;
    default:
      break;
  }
}

}  // namespace archgym::dram

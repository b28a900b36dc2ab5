#pragma once
// What the controller tells the world around it: END_REQ and BEGIN_RESP go to the
// arbiter as messages, issued commands to the power model and an optional observer.
// A concrete class (the simulation is its only user), so that the controller's calls
// are direct and inline rather than virtual.
#include <cstdint>

#include "simulators/dram/command.h"
#include "simulators/dram/event_queue.h"
#include "simulators/dram/power_model.h"

namespace archgym::dram {

class ControllerPort {
 public:
  ControllerPort(EventQueue& events, PowerModel& power, CommandObserver* extra)
      : events_(events), power_(power), extra_(extra) {}

  // END_REQ for `txn`, sent during a pass at `now` (zero delay).
  void end_req(int txn, std::int64_t now) { events_.post(MsgKind::ArbEndReq, txn, now, now); }
  // BEGIN_RESP for `txn` at cycle `at` (now, or now + 1 after a release this cycle).
  void begin_resp(int txn, std::int64_t now, std::int64_t at) {
    events_.post(MsgKind::ArbBeginResp, txn, at, now);
  }
  void command_issued(const IssuedCommand& c) {
    power_.on_command(c);
    if (extra_ != nullptr) extra_->on_command(c);
  }

 private:
  EventQueue& events_;
  PowerModel& power_;
  CommandObserver* extra_;
};

}  // namespace archgym::dram

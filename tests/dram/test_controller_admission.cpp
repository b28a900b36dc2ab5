// Request admission (KNOBS.md §3): the buffer counter is checked before the incoming
// request is stored, and Bankwise looks at the bank of the most recently stored request.
#include <vector>

#include "tests/catch.h"
#include "tests/dram/dram_sim_fixtures.h"

using namespace archgym::dram;
using namespace archgym::dram::testing;

namespace {
// Two reads to bank 0 (different rows), then one to bank 1; returns the cycle at which the
// bank-1 read's response reaches the player.
std::uint64_t bank1_response(SchedulerBuffer buffer, int size) {
  SimConfig c = ddr3_config();
  c.controller.refresh_policy = RefreshPolicy::NoRefresh;
  c.controller.scheduler_buffer = buffer;
  c.controller.request_buffer_size = size;
  ResponseLog log;
  run(c,
      std::vector<Request>{{0, addr(c, 0, 0, 1, 0), false},
                           {1, addr(c, 0, 0, 2, 0), false},
                           {2, addr(c, 0, 1, 1, 0), false}},
      nullptr, &log);
  REQUIRE(log.order.size() == 3);
  for (std::size_t i = 0; i < 3; ++i)
    if (log.order[i] == 2) return log.cycles[i];
  return 0;
}
}  // namespace

TEST_CASE("admission: Bankwise checks the bank of the last stored request", "[dram][admission]") {
  const MemSpec m = ddr3_1600_micron_1Gb_x8();
  // Admitted at once (cycle 2): ACT at tRRD = 5, RD at 5 + tRCD, data done RL + BL/2 later.
  const std::uint64_t free_slot = m.RRD_S + m.RCD + m.RL + 4;
  // Held back until the first read's CAS frees a slot (cycle tRCD = 10): ACT one cycle
  // later, then the same.
  const std::uint64_t held = m.RCD + 1 + m.RCD + m.RL + 4;
  CHECK(bank1_response(SchedulerBuffer::Shared, 3) == free_slot);
  CHECK(bank1_response(SchedulerBuffer::Shared, 2) == held);
  // Bank 1 is empty, yet Bankwise(2) stalls: bank 0, the last stored, is full.
  CHECK(bank1_response(SchedulerBuffer::Bankwise, 2) == held);
  CHECK(bank1_response(SchedulerBuffer::Bankwise, 3) == free_slot);
  // ReadWrite(2): two reads are queued, so a third read waits.
  CHECK(bank1_response(SchedulerBuffer::ReadWrite, 2) == held);
}

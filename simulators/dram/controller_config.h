#pragma once
// Memory-controller knobs with DRAMSys 4.0 semantics (reference KNOBS.md), plus
// PowerDown, PerBank refresh and a write-drain policy.
#include <string>
#include <string_view>
#include <vector>

namespace archgym::dram {

enum class PagePolicy { Open, OpenAdaptive, Closed, ClosedAdaptive };
enum class SchedulerPolicy { Fifo, FrFcfs, FrFcfsGrp };
enum class SchedulerBuffer { Bankwise, ReadWrite, Shared };
enum class RespQueuePolicy { Fifo, Reorder };
enum class RefreshPolicy { NoRefresh, AllBank, PerBank };
enum class ArbiterPolicy { Simple, Fifo, Reorder };
enum class PowerDownPolicy { NoPowerDown, Staggered };

struct ControllerConfig {
  PagePolicy page_policy = PagePolicy::Open;
  SchedulerPolicy scheduler = SchedulerPolicy::FrFcfs;
  SchedulerBuffer scheduler_buffer = SchedulerBuffer::Bankwise;
  int request_buffer_size = 8;       // >= 1
  RespQueuePolicy resp_queue = RespQueuePolicy::Fifo;
  RefreshPolicy refresh_policy = RefreshPolicy::AllBank;
  int refresh_max_postponed = 0;     // 0..8
  int refresh_max_pulledin = 0;      // 0..8
  ArbiterPolicy arbiter = ArbiterPolicy::Simple;
  int max_active_transactions = 64;  // >= 1 (ignored by the Simple arbiter, as in DRAMSys)
  PowerDownPolicy power_down = PowerDownPolicy::NoPowerDown;
  // Trace (initiator) clock in MHz; STL timestamps are in this clock.
  double trace_clock_mhz = 800.0;
};

// Name <-> enum, each throwing std::invalid_argument listing the allowed names.
template <class E> E parse_enum(std::string_view name);
template <class E> std::string_view enum_name(E value);
template <class E> std::vector<std::string> enum_names();

}  // namespace archgym::dram

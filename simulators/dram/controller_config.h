#pragma once
// Memory-controller knobs with DRAMSys 4.0 semantics (data/dram/KNOBS.md), plus
// PowerDown, PerBank refresh and a write-drain policy.
#include <string>
#include <string_view>
#include <vector>

#include "simulators/dram/memspec.h"

namespace archgym::dram {

enum class PagePolicy { Open, OpenAdaptive, Closed, ClosedAdaptive };
enum class SchedulerPolicy { Fifo, FrFcfs, FrFcfsGrp };
enum class SchedulerBuffer { Bankwise, ReadWrite, Shared };
enum class RespQueuePolicy { Fifo, Reorder };
enum class RefreshPolicy { NoRefresh, AllBank, PerBank };
enum class ArbiterPolicy { Simple, Fifo, Reorder };
enum class PowerDownPolicy { NoPowerDown, Staggered };
// None: reads and writes are scheduled together (DRAMSys). Watermark (DRAMsim3 style):
// only reads are served until the queued writes reach the high watermark (or exceed the
// low one while no read is queued), then only writes, in a batch down to the low
// watermark. With no read queued and no admissible request waiting, the writes drain too.
// CommandQueue (DRAMsim3's controller): requests pass from the request buffer into per-bank
// command queues of CommandQueueDepth (DRAMsim3's cmd_queue_size, 8) and only those are scheduled (FR-FCFS in commit order); the buffer
// size counts requests not yet committed. Reads are committed whenever their bank has room;
// writes only in a drain, which starts when the buffer holds WriteHighWatermark writes (or
// more than WriteLowWatermark while every command queue is empty, or any once nothing more
// is admissible) and commits that many writes, while reads already committed go on being
// served. docs/validation.md compares it with DRAMsim3.
enum class WriteDrainPolicy { None, Watermark, CommandQueue };

struct ControllerConfig {
  PagePolicy page_policy = PagePolicy::Open;
  SchedulerPolicy scheduler = SchedulerPolicy::FrFcfs;
  SchedulerBuffer scheduler_buffer = SchedulerBuffer::Bankwise;
  int request_buffer_size = 8;       // >= 1
  RespQueuePolicy resp_queue = RespQueuePolicy::Fifo;
  RefreshPolicy refresh_policy = RefreshPolicy::AllBank;
  int refresh_max_postponed = 0;     // 0..kMaxRefreshFlexibility (DRAMSys default 0)
  int refresh_max_pulledin = 0;      // 0..kMaxRefreshFlexibility (DRAMSys default 0)
  ArbiterPolicy arbiter = ArbiterPolicy::Simple;
  int max_active_transactions = 64;  // >= 1 (ignored by the Simple arbiter, as in DRAMSys)
  PowerDownPolicy power_down = PowerDownPolicy::NoPowerDown;
  WriteDrainPolicy write_drain = WriteDrainPolicy::None;
  int write_high_watermark = 32;     // 1..; Watermark, CommandQueue (DRAMsim3: write buffer size)
  int write_low_watermark = 8;       // 0..high - 1; Watermark, CommandQueue (DRAMsim3: 8)
  int command_queue_depth = 8;       // 1..; CommandQueue only (DRAMsim3 cmd_queue_size: 8)
  // Trace (initiator) clock in MHz; STL timestamps are in this clock.
  double trace_clock_mhz = 800.0;
};

// ArchGym's default controller, the dram env's default design: DRAMSys 4.0's defaults
// (ControllerConfig{}) but for RefreshMaxPostponed and RefreshMaxPulledin of 1 and
// MaxActiveTransactions of 128 (which the Simple arbiter ignores).
ControllerConfig archgym_default_controller();

// "PagePolicy=Open Scheduler=FrFcfs ...": every knob that shapes the run, by set_knob key
// (the write-drain knobs only under a write drain that reads them).
std::string knob_text(const ControllerConfig& config);

// Name <-> enum, each throwing std::invalid_argument listing the allowed names.
template <class E> E parse_enum(std::string_view name);
template <class E> std::string_view enum_name(E value);
template <class E> std::vector<std::string> enum_names();

// Limits accepted by validate(). DRAMSys itself caps nothing but RequestBufferSize >= 1;
// the upper bounds only catch typos (the RL design space goes to 128).
inline constexpr int kMaxRequestBufferSize = 1 << 16;
inline constexpr int kMaxRefreshFlexibility = 64;   // RefreshMaxPostponed / RefreshMaxPulledin
inline constexpr int kMaxActiveTransactionsLimit = 1 << 20;

// Throws std::invalid_argument naming the knob, its value and the allowed range, e.g.
// "RequestBufferSize = 0 is out of range (allowed: 1..65536)". Also refuses PerBank
// refresh on a memspec without per-bank refresh timings and a non-positive trace clock.
void validate(const ControllerConfig& config, const MemSpec& spec);

// Sets one knob from DRAMSys-style key/value text ("PagePolicy", "OpenAdaptive").
// Keys: PagePolicy Scheduler SchedulerBuffer RequestBufferSize RespQueue RefreshPolicy
// RefreshMaxPostponed RefreshMaxPulledin Arbiter MaxActiveTransactions PowerDownPolicy
// WriteDrain WriteHighWatermark WriteLowWatermark CommandQueueDepth TraceClockMHz. Throws std::invalid_argument for an unknown key (listing the keys) or a
// bad value (listing the allowed values).
void set_knob(ControllerConfig& config, std::string_view key, std::string_view value);
std::vector<std::string> knob_names();

// Knobs given explicitly (`given`, by set_knob key) that the rest of `config` makes
// inert, e.g. MaxActiveTransactions under the Simple arbiter, or WriteHighWatermark with
// WriteDrain = None: throws std::invalid_argument naming the knob, the setting that
// disables it and the values under which it would count. A value the user chose should
// shape the run, not be reported as if it had.
void check_knobs_take_effect(const ControllerConfig& config, const std::vector<std::string>& given);

}  // namespace archgym::dram

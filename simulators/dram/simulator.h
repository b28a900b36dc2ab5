#pragma once
// One simulation: a request stream through one controller configuration on one
// memory device, cycle by cycle (idle stretches skipped), returning statistics.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "simulators/dram/address_mapping.h"
#include "simulators/dram/command.h"
#include "simulators/dram/controller_config.h"
#include "simulators/dram/memspec.h"
#include "simulators/dram/power_model.h"
#include "simulators/dram/trace.h"

namespace archgym::dram {

struct SimConfig {
  MemSpec memspec;
  AddressMapping mapping;
  ControllerConfig controller;
};

struct SimStats {
  std::uint64_t requests = 0, reads = 0, writes = 0;
  std::uint64_t end_cycle = 0;          // memory cycle when the last response returned
  double total_time_ns = 0;             // = end_cycle * tCK (tCK rounded to 1 ps, as in DRAMSys)
  double bandwidth_GBps = 0;            // bytes transferred / total time
  // bandwidth / the peak at the rounded tCK, i.e. data-bus cycles of the bursts / end_cycle:
  // at most 1. (Over peak_bandwidth_GBps, whose nominal clock is not the rounded tCK, it
  // exceeded 1 on DDR4-2400: 833 ps, not 833.3.)
  double utilisation = 0;
  // Read latency: from the request entering the memory system (the player's BEGIN_REQ,
  // aligned to the memory clock by the arbiter) to its response reaching the player.
  // Unloaded DDR3-1600 closed bank: tRCD + RL + BL/2 = 24 tCK = 30 ns (DRAMSys: same).
  double read_latency_avg_ns = 0, read_latency_p50_ns = 0, read_latency_p99_ns = 0,
         read_latency_max_ns = 0;
  // The same, but from the trace timestamp: adds the time a request waited in the player
  // because the memory system was full (grows with the trace length when saturated).
  double read_latency_from_trace_avg_ns = 0;
  double row_hit_rate = 0;              // CAS that needed no ACT of their own / all CAS
  std::uint64_t command_counts[kCommandCount] = {};
  std::uint64_t refreshes = 0;          // REFA + REFB
  // Requests whose address has bits the mapping does not use (beyond the device): they
  // were folded onto the device, as DRAMSys does with a warning. first_beyond_capacity is
  // the 1-based position of the first in the trace (0 if none).
  std::uint64_t requests_beyond_capacity = 0, first_beyond_capacity = 0;
  double peak_bandwidth_GBps = 0;       // from the nominal clock: DDR4-2400 x64 is 19.2
  double simulator_wall_s = 0;          // wall-clock time of simulate()
  EnergyReport energy;
  double total_energy_nJ() const { return energy.total_pJ / 1000.0; }
  double average_power_W() const { return energy.average_power_mW / 1000.0; }
};

// Sees every response as it reaches the trace player, in delivery order.
class ResponseObserver {
 public:
  virtual ~ResponseObserver() = default;
  // request_index: position of the request in the trace (from 0).
  virtual void on_response(std::uint64_t request_index, bool is_write, std::uint64_t cycle) = 0;
};

// Cycles in which no request enters or completes while some are outstanding, after which
// simulate() gives up (timings that leave no time to serve one).
std::int64_t cycles_without_progress_limit(const MemSpec& m);

// Trace requests must arrive within one hour of simulated time. Idle time is simulated
// refresh by refresh (about 15 ms of run time per idle second of DDR3), so an hour costs
// about a minute; a later timestamp is almost always a broken trace, not a workload.
inline constexpr std::int64_t kMaxTraceTimePs = 3'600'000'000'000'000;
// The checks simulate() makes of the device and its mapping (one channel, a consistent
// organisation, a mapping that fits it), for a front end to refuse them before any
// simulation. Throws std::invalid_argument naming the origin (e.g. the file or preset name)
// of the memspec or of the mapping, whichever is at fault.
void check_memory(const MemSpec& m, const std::string& memspec_origin, const AddressMapping& mapping,
                  const std::string& mapping_origin);

// The last trace-clock cycle a request may have at this trace clock.
std::uint64_t max_trace_cycle(double trace_clock_mhz);
// "at cycle C is beyond the simulator's time range: ..." (the limit and why), for the
// messages of every front end that checks a request against max_trace_cycle().
std::string beyond_time_range(std::uint64_t cycle, double trace_clock_mhz);

// A trace request the simulator refuses (beyond the time range, or earlier than the one
// before), thrown as the request is read: a front end streaming a file adds its line.
struct TraceRequestError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// Runs the trace to completion (every response returned). The trace is read from its
// current position; rewind it first to replay. Every issued command goes to a
// PowerModel (whose report fills SimStats::energy) and to extra_observer, then both get
// on_finish(end_cycle).
// Throws std::invalid_argument for an impossible configuration (e.g. PerBank
// refresh on a memspec without per-bank refresh timings) or a trace timestamp beyond the
// simulator's time range, with a clear message; std::runtime_error if the simulation
// stops making progress (cycles_without_progress_limit() cycles in which no request
// enters or completes while some are outstanding: timings that leave no time to serve one).
SimStats simulate(const SimConfig& config, TraceSource& trace,
                  CommandObserver* extra_observer = nullptr,
                  ResponseObserver* response_observer = nullptr);

}  // namespace archgym::dram

#pragma once
// One simulation: a request stream through one controller configuration on one
// memory device, cycle by cycle (idle stretches skipped), returning statistics.
#include <cstdint>
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
  double total_time_ns = 0;             // = end_cycle * tCK
  double bandwidth_GBps = 0;            // bytes transferred / total time
  double utilisation = 0;               // bandwidth / peak
  double read_latency_avg_ns = 0, read_latency_p50_ns = 0, read_latency_p99_ns = 0,
         read_latency_max_ns = 0;
  double row_hit_rate = 0;              // CAS that needed no ACT of their own / all CAS
  std::uint64_t command_counts[kCommandCount] = {};
  std::uint64_t refreshes = 0;          // REFA + REFB
  EnergyReport energy;
  double total_energy_nJ() const { return energy.total_pJ / 1000.0; }
  double average_power_W() const { return energy.average_power_mW / 1000.0; }
};

// Throws std::invalid_argument for an impossible configuration (e.g. PerBank
// refresh on a memspec without per-bank refresh timings) with a clear message.
SimStats simulate(const SimConfig& config, TraceSource& trace,
                  CommandObserver* extra_observer = nullptr);

}  // namespace archgym::dram

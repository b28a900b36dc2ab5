#pragma once
// Shared helpers for the controller/simulator tests: small hand-made traces and configs.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "simulators/dram/address_mapping.h"
#include "simulators/dram/memspec.h"
#include "simulators/dram/protocol_checker.h"
#include "simulators/dram/simulator.h"
#include "simulators/dram/refresh_manager.h"
#include "simulators/dram/trace.h"

namespace archgym::dram::testing {

inline SimConfig ddr3_config() {
  SimConfig c;
  c.memspec = ddr3_1600_micron_1Gb_x8();
  c.mapping = ddr3_rbc_mapping();
  c.controller.trace_clock_mhz = 800.0;
  return c;
}

inline SimConfig ddr4_config() {
  SimConfig c;
  c.memspec = ddr4_2400_jedec_4Gb_x8();
  c.mapping = bank_group_interleaved_mapping(c.memspec);
  c.controller.trace_clock_mhz = 1200.0;  // trace clock = memory clock
  return c;
}

// Address of (rank 0, bank group, bank, row, column) under the config's mapping.
inline std::uint64_t addr(const SimConfig& c, int bank_group, int bank, int row, int column) {
  DecodedAddress d;
  d.bank_group = bank_group;
  d.bank = bank;
  d.row = row;
  d.column = column;
  return c.mapping.encode(d);
}

inline SimStats run(const SimConfig& c, const std::vector<Request>& requests,
                    CommandObserver* obs = nullptr, ResponseObserver* resp = nullptr) {
  VectorTrace t(std::make_shared<const std::vector<Request>>(requests));
  return simulate(c, t, obs, resp);
}

inline SimStats run(const SimConfig& c, const GeneratorConfig& g, CommandObserver* obs = nullptr) {
  GeneratedTrace t(g);
  return simulate(c, t, obs);
}

// The requests of a trace source, at most `limit` of them.
inline std::vector<Request> read_requests(TraceSource& source, std::size_t limit = SIZE_MAX) {
  std::vector<Request> out;
  Request r;
  while (out.size() < limit && source.next(r)) out.push_back(r);
  return out;
}

inline GeneratorConfig gen(Pattern p, std::uint64_t n, double rate = 1.0, double read_ratio = 1.0,
                           std::uint64_t seed = 1) {
  GeneratorConfig g;
  g.pattern = p;
  g.requests = n;
  g.injection_rate = rate;
  g.read_ratio = read_ratio;
  g.seed = seed;
  return g;
}

// Records responses in delivery order.
struct ResponseLog final : ResponseObserver {
  std::vector<std::uint64_t> order, cycles;
  void on_response(std::uint64_t index, bool, std::uint64_t cycle) override {
    order.push_back(index);
    cycles.push_back(cycle);
  }
};

inline std::uint64_t count(const SimStats& s, Command c) {
  return s.command_counts[static_cast<int>(c)];
}

}  // namespace archgym::dram::testing

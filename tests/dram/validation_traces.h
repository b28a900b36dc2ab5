// The six cross-validation traces of benchmarks/make_validation_traces.py, regenerated in C++
// line for line, and the fingerprint that script prints with --fingerprints; plus running our
// simulator on them. Shared by the tests that compare our simulator with figures a reference
// simulator produced on the same traces (DRAMsim3, Ramulator 2): matching fingerprints prove
// the input is identical.
#pragma once

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "simulators/dram/simulator.h"
#include "simulators/dram/trace.h"
#include "tests/catch.h"

namespace archgym::dram::validation {

// The generator's pseudo-random source (splitmix64), fixed seeds per trace.
struct SplitMix64 {
  std::uint64_t state;
  std::uint64_t next() {
    state += 0x9E3779B97F4A7C15ull;
    std::uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
};

inline constexpr std::uint64_t kBurstBytes = 64;
inline constexpr int kBurstAddressBits = 27;  // 8 GiB = one rank
inline constexpr std::uint64_t kWriteStreamBase = 4ull << 30;

inline const std::vector<std::string> kTraceNames{"seq_read",      "rand_read",      "mixed_seq_rw",
                                                  "mixed_rand_rw", "seq_read_light", "rand_read_light"};

inline std::uint64_t random_burst_address(SplitMix64& rng) {
  return (rng.next() >> (64 - kBurstAddressBits)) * kBurstBytes;
}

// The first `requests` requests of trace `name` (one of kTraceNames).
inline std::vector<Request> generate(const std::string& name, std::uint64_t requests) {
  struct Kind { std::string kind; std::uint64_t interval, seed; };
  static const std::map<std::string, Kind> kTraces{
      {"seq_read", {"seq_read", 1, 0}},         {"rand_read", {"rand_read", 1, 1}},
      {"mixed_seq_rw", {"mixed_seq_rw", 1, 0}}, {"mixed_rand_rw", {"mixed_rand_rw", 1, 2}},
      {"seq_read_light", {"seq_read", 50, 0}},  {"rand_read_light", {"rand_read", 50, 3}}};
  const Kind& k = kTraces.at(name);
  SplitMix64 rng{k.seed};
  std::vector<Request> out;
  out.reserve(requests);
  std::uint64_t reads = 0, writes = 0;
  for (std::uint64_t i = 0; i < requests; ++i) {
    Request r;
    r.cycle = i * k.interval;
    if (k.kind == "seq_read") {
      r.address = i * kBurstBytes;
    } else if (k.kind == "rand_read") {
      r.address = random_burst_address(rng);
    } else if (k.kind == "mixed_seq_rw") {
      r.is_write = i % 3 == 2;
      r.address = r.is_write ? kWriteStreamBase + writes++ * kBurstBytes : reads++ * kBurstBytes;
    } else {  // mixed_rand_rw: address draw first, then the read/write draw
      r.address = random_burst_address(rng);
      r.is_write = rng.next() % 3 == 0;
    }
    out.push_back(r);
  }
  return out;
}

// Same fingerprint as make_validation_traces.py --fingerprints (FNV-1a over address and
// direction, plus counts and the last cycle).
inline nlohmann::json fingerprint(const std::vector<Request>& trace) {
  std::uint64_t h = 0xCBF29CE484222325ull, writes = 0;
  for (const Request& r : trace) {
    h = (h ^ r.address) * 0x100000001B3ull;
    h = (h ^ (r.is_write ? 1u : 0u)) * 0x100000001B3ull;
    writes += r.is_write;
  }
  char hex[19];
  std::snprintf(hex, sizeof hex, "0x%016llx", static_cast<unsigned long long>(h));
  return {{"requests", trace.size()}, {"writes", writes}, {"last_cycle", trace.back().cycle}, {"hash", hex}};
}

// Checks that the traces regenerated here are the ones the reference simulator ran: at least
// 100k requests each, fingerprints as recorded in the reference file.
inline void check_fingerprints(const nlohmann::json& reference) {
  const std::uint64_t n = reference.at("generator").at("requests_per_trace");
  REQUIRE(n >= 100000);
  for (const std::string& t : kTraceNames) {
    INFO(t);
    CHECK(fingerprint(generate(t, n)) == reference.at("traces").at(t).at("fingerprint"));
  }
}

// ---- the reference figures and our side of the comparison --------------------------------

// A reference file (benchmarks/reference/*.json), parsed once per test run.
inline const nlohmann::json& reference_file(const std::string& path) {
  static std::map<std::string, nlohmann::json> files;
  auto it = files.find(path);
  if (it != files.end()) return it->second;
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open the reference figures");
  return files.emplace(path, nlohmann::json::parse(in)).first->second;
}

// What the comparisons look at, on either side.
struct Figures {
  double bandwidth = 0, latency_cycles = 0, row_hit_rate = 0, acts = 0, power_mW = 0, reads = 0,
         end_cycle = 0;
};

// The reference simulator's figures for (variant, trace) from a reference file's "results";
// power, reads and end cycle where recorded. `who` names the simulator in the error.
inline Figures reference_figures(const nlohmann::json& reference, const std::string& variant,
                                 const std::string& trace, const std::string& who) {
  for (const nlohmann::json& r : reference.at("results")) {
    if (r.at("variant") != variant || r.at("trace") != trace) continue;
    Figures f;
    f.bandwidth = r.at("bandwidth_GBps");
    f.latency_cycles = r.at("read_latency_avg_cycles");
    f.row_hit_rate = r.at("row_hit_rate");
    f.acts = r.at("act_count");
    f.power_mW = r.value("average_power_mW", 0.0);
    f.reads = r.value("reads", 0.0);
    f.end_cycle = r.value("end_cycle", 0.0);
    return f;
  }
  throw std::runtime_error("no " + who + " figures for " + variant + "/" + trace);
}

// Relative difference of ours from the reference.
inline double rel(double ours, double ref) { return (ours - ref) / ref; }

// Our setup for a reference file's "archgym" block: memspec and address map (file names under
// data_dir) and controller knobs.
inline SimConfig archgym_config(const nlohmann::json& block, const std::string& data_dir) {
  SimConfig c;
  c.memspec = load_memspec(data_dir + block.at("memspec").get<std::string>());
  c.mapping = load_address_mapping(data_dir + block.at("addressmap").get<std::string>());
  for (const auto& [key, value] : block.at("knobs").items()) set_knob(c.controller, key, value.get<std::string>());
  return c;
}

// Our figures with the configuration make_config() returns, on the validation trace `trace`
// of `requests` requests. Each (label, trace) pair is simulated once per test run; `label`
// names the configuration.
template <typename MakeConfig>
const Figures& our_figures(const std::string& label, MakeConfig make_config, const std::string& trace,
                           std::uint64_t requests) {
  static std::map<std::string, std::shared_ptr<const std::vector<Request>>> traces;
  static std::map<std::pair<std::string, std::string>, Figures> cache;
  auto it = cache.find({label, trace});
  if (it != cache.end()) return it->second;
  const SimConfig config = make_config();
  auto& shared = traces[trace];
  if (!shared) shared = std::make_shared<const std::vector<Request>>(generate(trace, requests));
  VectorTrace source(shared);
  const SimStats s = simulate(config, source);
  Figures f;
  f.bandwidth = s.bandwidth_GBps;
  f.latency_cycles = s.read_latency_avg_ns / (static_cast<double>(config.memspec.tck_ps) / 1000.0);
  f.row_hit_rate = s.row_hit_rate;
  f.acts = static_cast<double>(s.command_counts[static_cast<int>(Command::ACT)]);
  f.power_mW = s.energy.average_power_mW;
  f.reads = static_cast<double>(s.reads);
  f.end_cycle = static_cast<double>(s.end_cycle);
  return cache.emplace(std::make_pair(label, trace), f).first->second;
}

}  // namespace archgym::dram::validation

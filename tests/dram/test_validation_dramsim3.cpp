// Cross-validation against DRAMsim3 (issue 3, item 1): our simulator on the validation
// traces must stay within the tolerances of the figures DRAMsim3 produced on the
// same input, recorded in benchmarks/reference/dramsim3_ddr4_2400.json (how: that file and
// docs/validation.md). The traces are regenerated here with the algorithm of
// benchmarks/make_validation_traces.py; a fingerprint check proves they are the same ones.
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "simulators/dram/simulator.h"
#include "tests/catch.h"

using namespace archgym::dram;
using json = nlohmann::json;

namespace {

const std::string kDataDir = std::string(ARCHGYM_SOURCE_DATA_DIR) + "/dram/";
const std::string kReferencePath =
    std::string(ARCHGYM_SOURCE_DATA_DIR) + "/../benchmarks/reference/dramsim3_ddr4_2400.json";

const json& reference() {
  static const json ref = [] {
    std::ifstream in(kReferencePath);
    if (!in) throw std::runtime_error(kReferencePath + ": cannot open the DRAMsim3 reference figures");
    return json::parse(in);
  }();
  return ref;
}

// ---- make_validation_traces.py, line for line -------------------------------------------

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

constexpr std::uint64_t kBurstBytes = 64;
constexpr int kBurstAddressBits = 27;  // 8 GiB = one rank
constexpr std::uint64_t kWriteStreamBase = 4ull << 30;

std::uint64_t random_burst_address(SplitMix64& rng) {
  return (rng.next() >> (64 - kBurstAddressBits)) * kBurstBytes;
}

std::vector<Request> generate(const std::string& name, std::uint64_t requests) {
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

// Same fingerprint as make_validation_traces.py --fingerprints.
json fingerprint(const std::vector<Request>& trace) {
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

// ---- running our simulator ----------------------------------------------------------------

struct Figures {
  double bandwidth = 0, latency_cycles = 0, row_hit_rate = 0, acts = 0, power_mW = 0, reads = 0,
         end_cycle = 0;
};

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() > tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// "VARIANT+drain": the variant with a DRAMsim3-style write drain (full batches of 32);
// "VARIANT+cq": with DRAMsim3's command queues and write drain (WriteDrain=CommandQueue,
// DRAMsim3's thresholds: write buffer size 32, more than 8 with idle command queues).
SimConfig config_for(const std::string& name) {
  const bool drain = ends_with(name, "+drain"), cq = ends_with(name, "+cq");
  const std::string variant = name.substr(0, name.find('+'));
  const json& a = reference().at("variants").at(variant).at("archgym");
  SimConfig c;
  c.memspec = load_memspec(kDataDir + a.at("memspec").get<std::string>());
  c.mapping = load_address_mapping(kDataDir + a.at("addressmap").get<std::string>());
  for (const auto& [key, value] : a.at("knobs").items()) set_knob(c.controller, key, value.get<std::string>());
  if (drain) {
    set_knob(c.controller, "WriteDrain", "Watermark");
    set_knob(c.controller, "WriteHighWatermark", "32");
    set_knob(c.controller, "WriteLowWatermark", "0");
  }
  if (cq) {
    set_knob(c.controller, "WriteDrain", "CommandQueue");
    set_knob(c.controller, "WriteHighWatermark", "32");
    set_knob(c.controller, "WriteLowWatermark", "8");
  }
  return c;
}

// Each (variant, trace) is simulated once per test run and shared by the test cases.
const Figures& ours(const std::string& variant, const std::string& trace) {
  static std::map<std::string, std::shared_ptr<const std::vector<Request>>> traces;
  static std::map<std::pair<std::string, std::string>, Figures> cache;
  auto it = cache.find({variant, trace});
  if (it != cache.end()) return it->second;
  auto& requests = traces[trace];
  if (!requests) {
    const std::uint64_t n = reference().at("generator").at("requests_per_trace");
    requests = std::make_shared<const std::vector<Request>>(generate(trace, n));
  }
  const SimConfig config = config_for(variant);
  VectorTrace source(requests);
  const SimStats s = simulate(config, source);
  Figures f;
  f.bandwidth = s.bandwidth_GBps;
  f.latency_cycles = s.read_latency_avg_ns / (static_cast<double>(config.memspec.tck_ps) / 1000.0);
  f.row_hit_rate = s.row_hit_rate;
  f.acts = static_cast<double>(s.command_counts[static_cast<int>(Command::ACT)]);
  f.power_mW = s.energy.average_power_mW;
  f.reads = static_cast<double>(s.reads);
  f.end_cycle = static_cast<double>(s.end_cycle);
  return cache.emplace(std::make_pair(variant, trace), f).first->second;
}

Figures theirs(const std::string& variant, const std::string& trace) {
  for (const json& r : reference().at("results")) {
    if (r.at("variant") != variant || r.at("trace") != trace) continue;
    Figures f;
    f.bandwidth = r.at("bandwidth_GBps");
    f.latency_cycles = r.at("read_latency_avg_cycles");
    f.row_hit_rate = r.at("row_hit_rate");
    f.acts = r.at("act_count");
    f.power_mW = r.at("average_power_mW");
    f.reads = r.at("reads");
    f.end_cycle = r.at("end_cycle");
    return f;
  }
  throw std::runtime_error("no DRAMsim3 figures for " + variant + "/" + trace);
}

double rel(double ours, double ref) { return (ours - ref) / ref; }

const std::vector<std::string> kTraces{"seq_read",      "rand_read",      "mixed_seq_rw",
                                       "mixed_rand_rw", "seq_read_light", "rand_read_light"};

}  // namespace

TEST_CASE("validation traces are the ones DRAMsim3 ran (fingerprints of make_validation_traces.py)",
          "[dram][validation]") {
  const std::uint64_t n = reference().at("generator").at("requests_per_trace");
  REQUIRE(n >= 100000);
  for (const std::string& t : kTraces) {
    INFO(t);
    CHECK(fingerprint(generate(t, n)) == reference().at("traces").at(t).at("fingerprint"));
  }
}

TEST_CASE("DRAMsim3 base setup: bandwidth within tolerance", "[dram][validation]") {
  // Saturated reads within 5%; mixed read/write within 15% (the default policy has no write
  // drain; with DRAMsim3's, WriteDrain=CommandQueue, they are within 5%: test below).
  for (const std::string& t : {"seq_read", "rand_read"}) {
    INFO(t << ": ours " << ours("base", t).bandwidth << " GB/s, DRAMsim3 " << theirs("base", t).bandwidth);
    CHECK(std::fabs(rel(ours("base", t).bandwidth, theirs("base", t).bandwidth)) <= 0.05);
  }
  for (const std::string& t : {"mixed_seq_rw", "mixed_rand_rw"}) {
    INFO(t << ": ours " << ours("base", t).bandwidth << " GB/s, DRAMsim3 " << theirs("base", t).bandwidth);
    CHECK(std::fabs(rel(ours("base", t).bandwidth, theirs("base", t).bandwidth)) <= 0.15);
  }
}

TEST_CASE("DRAMsim3 base setup: light-load read latency within 10%", "[dram][validation]") {
  for (const std::string& t : {"seq_read_light", "rand_read_light"}) {
    INFO(t << ": ours " << ours("base", t).latency_cycles << " cycles, DRAMsim3 " << theirs("base", t).latency_cycles);
    CHECK(std::fabs(rel(ours("base", t).latency_cycles, theirs("base", t).latency_cycles)) <= 0.10);
  }
}

TEST_CASE("DRAMsim3 base setup: saturated latency obeys Little's law with our queue depth",
          "[dram][validation]") {
  // Saturated latency is set by queue depth, which differs by design (DRAMsim3 holds 32
  // transactions plus 8 commands per bank; we hold RequestBufferSize = 32 reads): reads in
  // flight = latency x read throughput must be the 32 queued reads plus at most the reads
  // between CAS and data end (RL + BL/2 cycles at one CAS per tCCD_S).
  const MemSpec m = config_for("base").memspec;
  const double pipeline = std::ceil(double(m.RL + m.burst_cycles()) / m.CCD_S) + 1;
  for (const std::string& t : {"seq_read", "rand_read"}) {
    const Figures& f = ours("base", t);
    const double in_flight = f.latency_cycles * f.reads / f.end_cycle;
    INFO(t << ": reads in flight " << in_flight);
    CHECK(in_flight >= 32.0);
    CHECK(in_flight <= 32.0 + pipeline);
  }
}

TEST_CASE("DRAMsim3 base setup: row-hit rate, activates and power within tolerance",
          "[dram][validation]") {
  for (const std::string& t : kTraces) {
    const Figures& o = ours("base", t);
    const Figures d = theirs("base", t);
    INFO(t << ": row hits " << o.row_hit_rate << " vs " << d.row_hit_rate << ", ACT " << o.acts << " vs "
           << d.acts << ", power " << o.power_mW << " vs " << d.power_mW << " mW");
    CHECK(std::fabs(o.row_hit_rate - d.row_hit_rate) <= 0.02);  // percentage points
    if (t == "mixed_seq_rw") {
      // Left out of the 2% activate check: ours 1003 vs DRAMsim3 1076 (-6.8%). The read and
      // write streams share banks with different rows, and DRAMsim3 (batched write drain)
      // switches a shared bank between them more often than our FR-FCFS without a write-drain
      // policy (docs/validation.md). Held to the mixed-traffic 15% instead.
      CHECK(std::fabs(rel(o.acts, d.acts)) <= 0.15);
    } else {
      CHECK(std::fabs(rel(o.acts, d.acts)) <= 0.02);
    }
    CHECK(std::fabs(rel(o.power_mW, d.power_mW)) <= 0.10);
  }
}

TEST_CASE("DRAMsim3 base setup with a matching write drain: mixed activates within 2%",
          "[dram][validation]") {
  // The check left out above for mixed_seq_rw, with WriteDrain=Watermark (batches of 32
  // writes served completely before reads resume).
  for (const std::string& t : {"mixed_seq_rw", "mixed_rand_rw"}) {
    const Figures& o = ours("base+drain", t);
    const Figures d = theirs("base", t);
    INFO(t << ": ACT " << o.acts << " vs " << d.acts << ", bandwidth " << o.bandwidth << " vs "
           << d.bandwidth << " GB/s, row hits " << o.row_hit_rate << " vs " << d.row_hit_rate);
    CHECK(std::fabs(rel(o.acts, d.acts)) <= 0.02);
    CHECK(std::fabs(o.row_hit_rate - d.row_hit_rate) <= 0.02);
    CHECK(std::fabs(rel(o.power_mW, d.power_mW)) <= 0.10);
    // Mixed bandwidth: within 5% on the sequential streams; the random mix stays at the
    // mixed-traffic 15% (a complete drain of 32 random writes leaves few banks busy at its
    // end; docs/validation.md).
    CHECK(std::fabs(rel(o.bandwidth, d.bandwidth)) <= (t == "mixed_seq_rw" ? 0.05 : 0.15));
  }
}

TEST_CASE("DRAMsim3 base setup with DRAMsim3's command queues: every tolerance, mixed bandwidth "
          "within 5%",
          "[dram][validation]") {
  // WriteDrain=CommandQueue models DRAMsim3's transaction queues, per-bank command queues
  // and write drain (docs/validation.md); with it the mixed traces meet the tighter
  // 5% and every other tolerance holds as well.
  for (const std::string& t : kTraces) {
    const Figures& o = ours("base+cq", t);
    const Figures d = theirs("base", t);
    INFO(t << ": bandwidth " << o.bandwidth << " vs " << d.bandwidth << " GB/s, ACT " << o.acts << " vs "
           << d.acts << ", power " << o.power_mW << " vs " << d.power_mW << " mW, row hits "
           << o.row_hit_rate << " vs " << d.row_hit_rate << ", latency " << o.latency_cycles << " vs "
           << d.latency_cycles << " cycles");
    if (t.find("_light") == std::string::npos) CHECK(std::fabs(rel(o.bandwidth, d.bandwidth)) <= 0.05);
    else CHECK(std::fabs(rel(o.latency_cycles, d.latency_cycles)) <= 0.10);
    CHECK(std::fabs(rel(o.acts, d.acts)) <= 0.02);
    CHECK(std::fabs(o.row_hit_rate - d.row_hit_rate) <= 0.02);
    CHECK(std::fabs(rel(o.power_mW, d.power_mW)) <= 0.10);
  }
}

TEST_CASE("DRAMsim3 variants: 2 ranks, closed page, bank-group interleaving, refresh off change "
          "the figures the same way",
          "[dram][validation]") {
  // Direction and size: each change (variant / base - 1) must have DRAMsim3's sign or be
  // within 5 percentage points of DRAMsim3's change. Saturated latency is left out (queue depth).
  struct Metric { const char* name; double Figures::*field; };
  for (const std::string v : {"ranks2", "closed", "bgi", "norefresh"}) {
    for (const std::string& t : kTraces) {
      for (const Metric m : {Metric{"bandwidth", &Figures::bandwidth}, Metric{"read latency", &Figures::latency_cycles},
                             Metric{"activates", &Figures::acts}, Metric{"power", &Figures::power_mW}}) {
        if (m.field == &Figures::latency_cycles && t.find("_light") == std::string::npos) continue;
        const double o = rel(ours(v, t).*m.field, ours("base", t).*m.field);
        const double d = rel(theirs(v, t).*m.field, theirs("base", t).*m.field);
        INFO(v << " / " << t << " / " << m.name << ": ours " << 100 * o << "%, DRAMsim3 " << 100 * d << "%");
        CHECK((std::fabs(o - d) <= 0.05 || (o > 0) == (d > 0)));
      }
    }
  }
}

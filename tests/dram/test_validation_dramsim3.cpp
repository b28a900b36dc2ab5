// Cross-validation against DRAMsim3 (issue 3, item 1): our simulator on the validation
// traces must stay within the tolerances of the figures DRAMsim3 produced on the
// same input, recorded in benchmarks/reference/dramsim3_ddr4_2400.json (how: that file and
// docs/validation.md). The traces are regenerated here with the algorithm of
// benchmarks/make_validation_traces.py (validation_traces.h); a fingerprint check proves they
// are the same ones.
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
#include "tests/dram/validation_traces.h"

using namespace archgym::dram;
using namespace archgym::dram::validation;
using json = nlohmann::json;

namespace {

const std::string kDataDir = std::string(ARCHGYM_SOURCE_DATA_DIR) + "/dram/";
const std::string kReferencePath =
    std::string(ARCHGYM_SOURCE_DATA_DIR) + "/../benchmarks/reference/dramsim3_ddr4_2400.json";

const json& reference() { return reference_file(kReferencePath); }

// ---- running our simulator ----------------------------------------------------------------

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
  SimConfig c = archgym_config(a, kDataDir);
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
  return our_figures("dramsim3 " + variant, [&] { return config_for(variant); }, trace,
                     reference().at("generator").at("requests_per_trace"));
}

Figures theirs(const std::string& variant, const std::string& trace) {
  return reference_figures(reference(), variant, trace, "DRAMsim3");
}

const std::vector<std::string>& kTraces = kTraceNames;

}  // namespace

TEST_CASE("validation traces are the ones DRAMsim3 ran (fingerprints of make_validation_traces.py)",
          "[dram][validation]") {
  check_fingerprints(reference());
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

TEST_CASE("DRAMsim3 base setup: our figures are the ones docs/validation.md quotes", "[dram][validation]") {
  // The "base" table of docs/validation.md, our side, to its printed digits: a change to the
  // simulator that moves them must update the document too.
  struct Quoted {
    const char* trace;
    double bandwidth, latency_cycles, row_hit_rate, acts, power_mW;
  };
  const Quoted quoted[] = {
      {"seq_read", 14.30, 197.2, 0.9914, 860, 1165.4},
      {"rand_read", 11.12, 247.9, 0.0001, 100197, 1615.2},
      {"mixed_seq_rw", 12.85, 263.0, 0.9900, 1003, 1072.6},
      {"mixed_rand_rw", 11.00, 360.2, 0.0001, 100381, 1582.0},
      {"seq_read_light", 1.54, 33.7, 0.9869, 1310, 573.4},
      {"rand_read_light", 1.54, 68.4, 0.0000, 100212, 655.6},
  };
  for (const Quoted& q : quoted) {
    INFO(q.trace);
    const Figures& o = ours("base", q.trace);
    CHECK(o.bandwidth == Approx(q.bandwidth).margin(0.005));
    CHECK(o.latency_cycles == Approx(q.latency_cycles).margin(0.05));
    CHECK(o.row_hit_rate == Approx(q.row_hit_rate).margin(0.00005));
    CHECK(o.acts == q.acts);
    CHECK(o.power_mW == Approx(q.power_mW).margin(0.05));
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
        // Strictly the same sign: no change (o = 0) does not agree with a decrease.
        CHECK((std::fabs(o - d) <= 0.05 || (o > 0 && d > 0) || (o < 0 && d < 0)));
      }
    }
  }
}

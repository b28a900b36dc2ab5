// Second opinion (issue 3, item 1): Ramulator 2 ran the same validation traces with the same
// device, address mapping, 32-entry queues and driver semantics as the DRAMsim3 comparison; its
// figures are recorded in benchmarks/reference/ramulator2_ddr4_2400.json (how: that file and
// docs/validation.md, "Second opinion: Ramulator 2"). These tests pin our simulator against
// the figures on which the two agree closely; where the controllers' policies differ by design
// (write drain on the sequential mixed trace) nothing is pinned.
#include <cmath>
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
    std::string(ARCHGYM_SOURCE_DATA_DIR) + "/../benchmarks/reference/ramulator2_ddr4_2400.json";

const json& reference() { return reference_file(kReferencePath); }

// Each (variant, trace) is simulated once per test run and shared by the test cases.
const Figures& ours(const std::string& variant, const std::string& trace) {
  const auto make_config = [&] {
    return archgym_config(reference().at("variants").at(variant).at("archgym"), kDataDir);
  };
  return our_figures("ramulator2 " + variant, make_config, trace,
                     reference().at("generator").at("requests_per_trace"));
}

Figures theirs(const std::string& variant, const std::string& trace) {
  return reference_figures(reference(), variant, trace, "Ramulator 2");
}

}  // namespace

TEST_CASE("Ramulator 2 ran the validation traces (fingerprints of make_validation_traces.py)",
          "[dram][validation]") {
  check_fingerprints(reference());
}

TEST_CASE("Ramulator 2: saturated read bandwidth within 2%", "[dram][validation]") {
  // Both controllers look 32 requests ahead; DRAMsim3's per-bank command queues add 8 more,
  // which is why its sequential figure is ~5% higher than both (docs/validation.md).
  for (const std::string v : {"base", "bgi", "norefresh"}) {
    for (const std::string t : {"seq_read", "rand_read"}) {
      INFO(v << " / " << t << ": ours " << ours(v, t).bandwidth << " GB/s, Ramulator 2 " << theirs(v, t).bandwidth);
      CHECK(std::fabs(rel(ours(v, t).bandwidth, theirs(v, t).bandwidth)) <= 0.02);
    }
  }
}

TEST_CASE("Ramulator 2: idle-bank read latency is ours plus the acceptance cycle", "[dram][validation]") {
  // Without refresh every light-load read finds an idle channel. Ramulator 2 (like DRAMsim3)
  // issues a request's first command in the cycle after it accepted it, we in the same cycle;
  // the DRAM timing (PRE/ACT/RD and RL + BL/2) is identical, so the averages differ by exactly 1.
  for (const std::string t : {"seq_read_light", "rand_read_light"}) {
    INFO(t << ": ours " << ours("norefresh", t).latency_cycles << " cycles, Ramulator 2 "
           << theirs("norefresh", t).latency_cycles);
    CHECK(std::fabs(ours("norefresh", t).latency_cycles + 1.0 - theirs("norefresh", t).latency_cycles) <= 0.02);
  }
  // With refresh, reads arriving during a refresh wait for it; the policies differ in detail
  // (Ramulator 2 lets activated requests finish first), so the 10% applies.
  for (const std::string v : {"base", "bgi"}) {
    for (const std::string t : {"seq_read_light", "rand_read_light"}) {
      INFO(v << " / " << t << ": ours " << ours(v, t).latency_cycles << ", Ramulator 2 " << theirs(v, t).latency_cycles);
      CHECK(std::fabs(rel(ours(v, t).latency_cycles, theirs(v, t).latency_cycles)) <= 0.10);
    }
  }
}

TEST_CASE("Ramulator 2: activates and row-hit rate within 2% outside the sequential mixed trace",
          "[dram][validation]") {
  // mixed_seq_rw is left out: its activates follow each controller's write-drain policy
  // (ours 1003, DRAMsim3 1076, Ramulator 2 1375 with its stock watermarks; tested below with
  // a matched drain). The bank-group-interleaved seq_read agrees exactly (969 both).
  for (const std::string v : {"base", "bgi", "norefresh"}) {
    for (const std::string& t : kTraceNames) {
      if (t == "mixed_seq_rw") continue;
      const Figures& o = ours(v, t);
      const Figures r = theirs(v, t);
      INFO(v << " / " << t << ": ACT " << o.acts << " vs " << r.acts << ", row hits " << o.row_hit_rate << " vs "
             << r.row_hit_rate);
      CHECK(std::fabs(rel(o.acts, r.acts)) <= 0.02);
      CHECK(std::fabs(o.row_hit_rate - r.row_hit_rate) <= 0.02);
    }
  }
}

TEST_CASE("Ramulator 2: mixed read/write bandwidth within 5%, stock policies", "[dram][validation]") {
  // Ours without a write drain against Ramulator 2's stock watermarks (26 / 6 writes).
  for (const std::string v : {"base", "norefresh"}) {
    for (const std::string t : {"mixed_seq_rw", "mixed_rand_rw"}) {
      INFO(v << " / " << t << ": ours " << ours(v, t).bandwidth << " GB/s, Ramulator 2 " << theirs(v, t).bandwidth);
      CHECK(std::fabs(rel(ours(v, t).bandwidth, theirs(v, t).bandwidth)) <= 0.05);
    }
  }
}

TEST_CASE("Ramulator 2: a complete write drain behaves alike on both simulators", "[dram][validation]") {
  // Both with batches that start at a full 32-entry write buffer and empty it (ours
  // WriteDrain=Watermark 32/0, Ramulator 2 watermarks 0.97/0.01): bandwidth within 5%,
  // activates within 5% (sequential: 1077 vs 1044) and 2% (random).
  for (const std::string t : {"mixed_seq_rw", "mixed_rand_rw"}) {
    const Figures& o = ours("base_drain", t);
    const Figures r = theirs("base_drain", t);
    INFO(t << ": bandwidth " << o.bandwidth << " vs " << r.bandwidth << " GB/s, ACT " << o.acts << " vs " << r.acts);
    CHECK(std::fabs(rel(o.bandwidth, r.bandwidth)) <= 0.05);
    CHECK(std::fabs(rel(o.acts, r.acts)) <= (t == "mixed_seq_rw" ? 0.05 : 0.02));
  }
  // On the random mix a complete drain leaves few banks busy at its end: both lose more than
  // 5% of the bandwidth they reach with their stock policy (DRAMsim3, whose drain keeps
  // serving the reads already in its command queues, does not).
  const double ours_loss = rel(ours("base_drain", "mixed_rand_rw").bandwidth, ours("base", "mixed_rand_rw").bandwidth);
  const double their_loss = rel(theirs("base_drain", "mixed_rand_rw").bandwidth, theirs("base", "mixed_rand_rw").bandwidth);
  INFO("bandwidth change with a complete drain: ours " << 100 * ours_loss << "%, Ramulator 2 " << 100 * their_loss << "%");
  CHECK(ours_loss < -0.05);
  CHECK(their_loss < -0.05);
}

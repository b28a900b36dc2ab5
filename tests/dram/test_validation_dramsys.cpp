// Knob semantics against DRAMSys 4.0 (issue 3, item 1b): ArchGym's DDR3 setup under 33
// controller configurations x the four ArchGym traces, pinned to the figures DRAMSys
// (tukl-msd/DRAMSys 460604a, DRAMPower 1ddc48a) printed for the same input, recorded in
// benchmarks/reference/dramsys_ddr3_archgym.json (how: docs/validation.md).
//
// Observed agreement (132 runs): Total Time bit-identical in every run; command counts equal
// in 130 (the command streams themselves were diffed: identical); energy bit-identical in
// the 120 runs without a known energy difference. The tolerances below are therefore DRAMSys's
// print precision (2 decimals), except for the two mechanisms the reference file flags per
// run (`known_differences`), which get bounds just above their observed size.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "simulators/dram/simulator.h"
#include "tests/catch.h"

using namespace archgym::dram;
using json = nlohmann::json;

namespace {

const std::string kDataDir = std::string(ARCHGYM_SOURCE_DATA_DIR) + "/dram/";
const std::string kReferencePath =
    std::string(ARCHGYM_SOURCE_DATA_DIR) + "/../benchmarks/reference/dramsys_ddr3_archgym.json";

const json& reference() {
  static const json ref = [] {
    std::ifstream in(kReferencePath);
    if (!in) throw std::runtime_error(kReferencePath + ": cannot open the DRAMSys reference figures");
    return json::parse(in);
  }();
  return ref;
}

SimConfig config_for(const json& run) {
  const json& setup = reference().at("setup");
  SimConfig c;
  c.memspec = load_memspec(kDataDir + "memspecs/" + setup.at("memspec").get<std::string>());
  c.mapping = load_address_mapping(kDataDir + "addressmaps/" + setup.at("addressmapping").get<std::string>());
  c.controller.trace_clock_mhz = setup.at("trace_clkMhz").get<double>();
  for (const auto& [key, value] : run.at("config").items())
    set_knob(c.controller, key, value.is_string() ? value.get<std::string>() : value.dump());
  return c;
}

// Every run is simulated once per test-binary invocation and shared by the test cases.
const SimStats& ours(std::size_t index) {
  static std::map<std::size_t, SimStats> cache;
  auto it = cache.find(index);
  if (it != cache.end()) return it->second;
  const json& run = reference().at("runs").at(index);
  StlTraceReader trace(kDataDir + "traces/" + run.at("trace").get<std::string>() + ".stl");
  return cache.emplace(index, simulate(config_for(run), trace)).first->second;
}

bool has_note(const json& run, const std::string& note) {
  const json& n = run.at("known_differences");
  return std::find(n.begin(), n.end(), note) != n.end();
}

std::string label(const json& run) {
  return run.at("name").get<std::string>() + " / " + run.at("trace").get<std::string>();
}

double rel(double ours, double ref) { return (ours - ref) / ref; }

}  // namespace

TEST_CASE("DRAMSys reference covers every ArchGym knob value on all four traces", "[dram][validation][dramsys]") {
  const json& runs = reference().at("runs");
  REQUIRE(runs.size() == 132);
  std::map<std::string, std::map<std::string, int>> seen;  // knob -> value -> runs
  std::map<std::string, int> traces;
  for (const json& r : runs) {
    ++traces[r.at("trace").get<std::string>()];
    for (const auto& [key, value] : r.at("config").items()) ++seen[key][value.dump()];
  }
  CHECK(traces.size() == 4);
  CHECK(seen.at("PagePolicy").size() == 4);
  CHECK(seen.at("Scheduler").size() == 3);
  CHECK(seen.at("SchedulerBuffer").size() == 3);
  CHECK(seen.at("RequestBufferSize").size() == 4);
  CHECK(seen.at("RespQueue").size() == 2);
  CHECK(seen.at("RefreshPolicy").size() == 2);
  CHECK(seen.at("RefreshMaxPostponed").size() == 3);
  CHECK(seen.at("RefreshMaxPulledin").size() == 3);
  CHECK(seen.at("Arbiter").size() == 3);
  CHECK(seen.at("MaxActiveTransactions").size() == 3);
  CHECK(seen.at("PowerDownPolicy").size() == 2);
}

TEST_CASE("DRAMSys: Total Time is identical in every configuration", "[dram][validation][dramsys]") {
  const json& runs = reference().at("runs");
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const double theirs = runs[i].at("dramsys").at("total_time_ns");
    INFO(label(runs[i]) << ": ours " << ours(i).total_time_ns << " ns, DRAMSys "
                        << runs[i].at("dramsys").at("total_time").get<std::string>());
    // Both are whole multiples of tCK = 1.25 ns; the tolerance only absorbs float printing.
    CHECK(std::fabs(ours(i).total_time_ns - theirs) <= 1e-6);
  }
}

TEST_CASE("DRAMSys: the same commands are issued", "[dram][validation][dramsys]") {
  const json& runs = reference().at("runs");
  int differing = 0;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    std::map<std::string, std::uint64_t> mine, theirs;
    for (int c = 0; c < kCommandCount; ++c)
      if (ours(i).command_counts[c] > 0)
        mine[std::string(command_name(static_cast<Command>(c)))] = ours(i).command_counts[c];
    for (const auto& [name, count] : runs[i].at("dramsys").at("command_counts").items())
      theirs[name] = count.get<std::uint64_t>();
    INFO(label(runs[i]) << ": ours " << json(mine).dump() << ", DRAMSys " << json(theirs).dump());
    if (!has_note(runs[i], "same_cycle_arrival_order")) {
      CHECK(mine == theirs);
      continue;
    }
    // A request admitted in the cycle of a CAS: DRAMSys sometimes sees it before choosing
    // RD vs RDA (OpenAdaptive), we after. Each such case is one RDA there, RD + PRE here.
    ++differing;
    const std::uint64_t swapped = theirs["RDA"] - mine["RDA"];
    CHECK(swapped > 0);
    CHECK(mine["RD"] == theirs["RD"] + swapped);
    CHECK(mine["PRE"] == theirs["PRE"] + swapped);
    CHECK(mine["ACT"] == theirs["ACT"]);
  }
  CHECK(differing == 2);
}

TEST_CASE("DRAMSys: AVG BW within DRAMSys's print precision", "[dram][validation][dramsys]") {
  // DRAMSys counts a transaction at the controller's END_RESP. The player stops the
  // simulation at the last response; the Simple arbiter forwards that END_RESP on the next
  // tCK edge, which never comes, so DRAMSys's AVG BW counts N - 1 transactions there.
  const json& runs = reference().at("runs");
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const double theirs = runs[i].at("dramsys").at("avg_bw_Gbps");
    const double n = static_cast<double>(ours(i).requests);
    const double counted = runs[i].at("config").at("Arbiter") == "Simple" ? n - 1 : n;
    const double mine = ours(i).bandwidth_GBps * 8.0 * counted / n;  // GB/s -> Gb/s
    INFO(label(runs[i]) << ": ours " << mine << " Gb/s (" << counted << " transactions), DRAMSys " << theirs);
    CHECK(std::fabs(mine - theirs) <= 0.0051);  // printed with 2 decimals
  }
}

TEST_CASE("DRAMSys: energy and average power agree (known DRAMPower differences bounded)",
          "[dram][validation][dramsys]") {
  const json& runs = reference().at("runs");
  int exact = 0, window = 0, pre_in_pd = 0;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const json& d = runs[i].at("dramsys");
    const double e_ref = d.at("total_energy_pJ"), p_ref = d.at("average_power_mW");
    const double e = ours(i).energy.total_pJ, p = ours(i).energy.average_power_mW;
    INFO(label(runs[i]) << ": energy ours " << e << " pJ, DRAMSys " << e_ref << "; power ours " << p
                        << " mW, DRAMSys " << p_ref);
    if (has_note(runs[i], "precharge_during_power_down")) {
      // DRAMPower counts the last active period twice (a PRE after PDEA closes it again);
      // we do not, so our energy is lower. Observed: up to 1.22% energy, 3.76% power.
      ++pre_in_pd;
      CHECK(e <= e_ref * (1 + 1e-6));
      CHECK(std::fabs(rel(e, e_ref)) <= 0.02);
      CHECK(std::fabs(rel(p, p_ref)) <= 0.05);
    } else if (has_note(runs[i], "last_response_after_energy_window")) {
      // Our energy window runs to Total Time, DRAMPower's stops at its end marker: a few
      // cycles of background energy. Observed: up to 0.003% energy, 0.014% power.
      ++window;
      CHECK(e >= e_ref);
      CHECK(std::fabs(rel(e, e_ref)) <= 1e-4);
      CHECK(std::fabs(rel(p, p_ref)) <= 5e-4);
    } else {
      ++exact;
      CHECK(std::fabs(e - e_ref) <= 0.0051 + 1e-9 * e_ref);  // printed with 2 decimals
      CHECK(std::fabs(p - p_ref) <= 0.0051);
    }
  }
  // The flags come from DRAMSys's command stream; most runs must need no excuse.
  CHECK(exact == 120);
  CHECK(window == 6);
  CHECK(pre_in_pd == 6);
}

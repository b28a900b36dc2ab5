// libFuzzer target for parse_memspec_json. Input: any bytes, treated as a memspec
// JSON file (seeded with the shipped memspecs; fuzz/memspec.dict lists the keys).
// Properties checked beyond "no crash":
//  - an accepted memspec is internally consistent and physically plausible: positive
//    timings, banks divisible by bank groups, power-of-two rows/columns, RC > RAS,
//    REFI > RFC, finite positive bounded currents and clock, currents at or above the
//    background they are charged against, a positive per-bank refresh;
//  - derived values (tCK, bytes per burst, peak bandwidth) are finite and positive;
//  - parsing is deterministic (same text, same result);
//  - a rejected memspec's error is non-empty and starts with the origin.
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "fuzz/fuzz_util.h"
#include "simulators/dram/memspec.h"

using archgym::dram::MemSpec;

namespace {

bool pow2(long long v) { return v > 0 && (v & (v - 1)) == 0; }

void check_plausible(const MemSpec& m) {
  const std::string id = "memspec " + m.id;
  FUZZ_REQUIRE(m.burst_length > 0 && m.data_rate > 0 && m.burst_length % m.data_rate == 0, id);
  FUZZ_REQUIRE(m.ranks > 0 && m.channels > 0 && m.bank_groups > 0 && m.banks > 0, id);
  FUZZ_REQUIRE(m.banks % m.bank_groups == 0 && m.banks_per_group() > 0, id);
  FUZZ_REQUIRE(m.type == archgym::dram::MemoryType::DDR4 || m.bank_groups == 1, id);
  FUZZ_REQUIRE(pow2(m.rows) && pow2(m.columns), id);
  FUZZ_REQUIRE(m.device_width > 0 && m.devices > 0 && m.bytes_per_burst() > 0 && m.burst_cycles() > 0, id);
  FUZZ_REQUIRE(static_cast<long long>(m.device_width) * m.devices % 8 == 0, id);

  const int positive[] = {m.RL,  m.WL,    m.CL,  m.CCD_S, m.CCD_L, m.RRD_S, m.RRD_L, m.WTR_S, m.WTR_L,
                          m.FAW, m.RAS,   m.RC,  m.RCD,   m.RP,    m.RTP,   m.WR,    m.RFC,   m.REFI,
                          m.REFM, m.CKE,  m.CKESR, m.XP,  m.XPDLL, m.XS,    m.XSDLL, m.ACTPDEN, m.PRPDEN,
                          m.REFPDEN, m.RPRE, m.WPRE, m.REFIpb, m.RFCpb};
  for (int t : positive) FUZZ_REQUIRE(t > 0 && t <= (1 << 24), id + " timing " + std::to_string(t));
  FUZZ_REQUIRE(m.AL >= 0 && m.RTRS >= 0 && m.DQSCK >= 0, id);
  FUZZ_REQUIRE(m.RC > m.RAS && m.REFI > m.RFC, id);
  FUZZ_REQUIRE(m.REFM == 1 || m.REFM == 2 || m.REFM == 4, id);

  FUZZ_REQUIRE(std::isfinite(m.clock_mhz) && m.clock_mhz >= 1.0 && m.clock_mhz <= 1e5, id);
  FUZZ_REQUIRE(m.tck_ps > 0, id + " tck_ps " + std::to_string(m.tck_ps));
  const double bw = m.peak_bandwidth_Bps();
  FUZZ_REQUIRE(std::isfinite(bw) && bw > 0, id);

  const double currents[] = {m.idd0,  m.idd2n, m.idd2p0, m.idd2p1, m.idd3n, m.idd3p0,
                             m.idd3p1, m.idd4r, m.idd4w, m.idd5,   m.idd6};
  for (double i : currents) FUZZ_REQUIRE(std::isfinite(i) && i > 0 && i <= 1e5, id + " current " + std::to_string(i));
  FUZZ_REQUIRE(m.idd0 >= m.idd3n && m.idd0 >= m.idd2n && m.idd4r >= m.idd3n && m.idd4w >= m.idd3n &&
                   m.idd5 >= m.idd3n,
               id + " current below background");
  FUZZ_REQUIRE(std::isfinite(m.vdd) && m.vdd > 0 && m.vdd <= 100, id);
  if (m.type == archgym::dram::MemoryType::DDR4)
    FUZZ_REQUIRE(std::isfinite(m.vdd2) && m.vdd2 > 0 && std::isfinite(m.idd02) && m.idd02 > 0 &&
                     std::isfinite(m.idd62) && m.idd62 > 0,
                 id);
}

bool same(const MemSpec& a, const MemSpec& b) {
  return a.id == b.id && a.type == b.type && a.banks == b.banks && a.rows == b.rows && a.tck_ps == b.tck_ps &&
         a.RC == b.RC && a.REFI == b.REFI && a.REFIpb == b.REFIpb && a.RFCpb == b.RFCpb && a.idd0 == b.idd0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string origin = "fuzz_memspec.json";
  MemSpec m;
  try {
    m = archgym::dram::parse_memspec_json(text, origin);
  } catch (const std::invalid_argument& e) {
    archgym::fuzz::require_names_origin(e.what(), origin);
    return 0;
  }
  check_plausible(m);
  FUZZ_REQUIRE(same(m, archgym::dram::parse_memspec_json(text, origin)), "second parse differs");
  return 0;
}

#pragma once
// A DRAM device description in the shape of DRAMSys memspec JSON: organisation,
// timings (in memory clock cycles) and IDD currents.
#include <cstdint>
#include <string>

#include "simulators/dram/byte_observer.h"

namespace archgym::dram {

enum class MemoryType { DDR3, DDR4 };

struct MemSpec {
  std::string id;
  MemoryType type = MemoryType::DDR3;

  // Organisation (memarchitecturespec).
  int burst_length = 8;
  int data_rate = 2;
  int ranks = 1;
  int bank_groups = 1;        // per rank; 1 for DDR3
  int banks = 8;              // per rank (all bank groups together)
  int rows = 16384;
  int columns = 1024;
  int device_width = 8;       // bits per device
  int devices = 8;            // devices on the DIMM
  int channels = 1;

  // Clock.
  double clock_mhz = 800.0;
  std::int64_t tck_ps = 1250;  // 1/clock, rounded to 1 ps

  // Timings in memory clock cycles (memtimingspec). DDR3 sets the _S and _L
  // variants to the same value (CCD, RRD, WTR).
  int AL = 0, RL = 10, WL = 8, CL = 10;
  int CCD_S = 4, CCD_L = 4;
  int RRD_S = 5, RRD_L = 5;
  int WTR_S = 6, WTR_L = 6;
  int FAW = 24, RAS = 28, RC = 38, RCD = 10, RP = 10, RTP = 6, WR = 12;
  int RFC = 88, REFI = 6240;
  int RFC2 = 0, RFC4 = 0, REFM = 1;  // DDR4 fine-granularity refresh
  int RTRS = 1;                      // rank-to-rank switch
  int CKE = 3, CKESR = 4, XP = 6, XPDLL = 20, XS = 96, XSDLL = 512;
  int ACTPDEN = 1, PRPDEN = 1, REFPDEN = 1;
  int DQSCK = 0, RPRE = 1, WPRE = 1;
  // Per-bank refresh (an archgym extension for DDR3/DDR4). Loading and the presets always
  // leave both > 0: taken from the memspec if given, else REFIpb = REFI / banks and
  // RFCpb = ceil(RFC / 2) (see memspec.cpp).
  int REFIpb = 0, RFCpb = 0;

  // Currents in mA, voltages in V (mempowerspec).
  double idd0 = 0, idd02 = 0, idd2n = 0, idd2p0 = 0, idd2p1 = 0, idd3n = 0, idd3p0 = 0,
         idd3p1 = 0, idd4r = 0, idd4w = 0, idd5 = 0, idd6 = 0, idd62 = 0;
  double vdd = 1.5, vdd2 = 0.0;

  int banks_per_group() const { return banks / bank_groups; }
  int bytes_per_burst() const { return burst_length * device_width * devices / 8; }
  int burst_cycles() const { return burst_length / data_rate; }
  // Peak bandwidth of one channel in bytes per second, at the nominal clock, or at
  // `clock_mhz` (the simulation's: 1 / tck_ps, which rounding moves off the nominal one).
  double peak_bandwidth_Bps() const { return peak_bandwidth_Bps(clock_mhz); }
  double peak_bandwidth_Bps(double clock_mhz) const;
};

// Reads a DRAMSys memspec JSON file. Throws std::invalid_argument naming the file, the
// line and the missing/invalid key on bad input ("m.json:40: memspec.memtimingspec.RCD:
// ...", also for a file beyond 16 MiB), std::runtime_error with the system's reason when
// it cannot be opened. `on_read`, if given, sees the file's bytes.
MemSpec load_memspec(const std::string& path, const ByteObserver& on_read = {});
MemSpec parse_memspec_json(const std::string& json_text, const std::string& origin);

// Built-in presets (identical to the shipped JSON files).
MemSpec ddr3_1600_micron_1Gb_x8();   // MICRON_1Gb_DDR3-1600_8bit_G
MemSpec ddr4_2400_jedec_4Gb_x8();    // JEDEC_4Gb_DDR4-2400_8bit_A
// Looks up a preset by name ("DDR3-1600", "DDR4-2400" or a memspec id) or a file path
// (whose bytes `on_read` sees, if given).
MemSpec memspec_by_name_or_path(const std::string& name_or_path, const ByteObserver& on_read = {});
// Whether memspec_by_name_or_path takes `name` as a preset (case-insensitive), not a file.
bool is_memspec_preset(const std::string& name);
// The preset's own name ("ddr4-2400" and "JEDEC_4Gb_DDR4-2400_8bit_A" -> "DDR4-2400"), or
// "" when `name` is no preset.
std::string memspec_preset_name(const std::string& name);

// Fills the per-bank refresh timings left at 0 with their defaults (REFIpb = REFI / banks,
// RFCpb = ceil(RFC / 2)); loading and the presets call it. A caller that changes REFI or RFC
// resets REFIpb / RFCpb to 0 and calls it again.
void derive_per_bank_refresh(MemSpec& m);

}  // namespace archgym::dram

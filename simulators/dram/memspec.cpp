#include "simulators/dram/memspec.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <limits>
#include <stdexcept>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "simulators/dram/json_document.h"
#include "simulators/dram/message_text.h"

namespace archgym::dram {

namespace {

using nlohmann::json;

bool is_power_of_two(long long v) { return v > 0 && (v & (v - 1)) == 0; }

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Every key the parser reads ("AL" is one letter from the optional "CL" but not a typo).
bool is_known_key(const std::string& k) {
  static const char* const keys[] = {
      "burstLength", "dataRate", "nbrOfBanks", "nbrOfBankGroups", "nbrOfRanks", "nbrOfRows", "nbrOfColumns",
      "width", "nbrOfDevicesOnDIMM", "nbrOfChannels", "clkMhz", "AL", "CL", "RL", "WL", "CCD", "CCD_S", "CCD_L",
      "RRD", "RRD_S", "RRD_L", "WTR", "WTR_S", "WTR_L", "RFC", "RFC2", "RFC4", "REFM", "RPRE", "WPRE", "FAW",
      "RAS", "RC", "RCD", "RP", "RTP", "WR", "REFI", "RTRS", "CKE", "CKESR", "XP", "XPDLL", "XS", "XSDLL",
      "ACTPDEN", "PRPDEN", "REFPDEN", "DQSCK", "REFIpb", "RFCpb", "idd0", "idd02", "idd2n", "idd2p0", "idd2p1",
      "idd3n", "idd3p0", "idd3p1", "idd4r", "idd4w", "idd5", "idd6", "idd62", "vdd", "vdd2"};
  for (const char* key : keys)
    if (k == key) return true;
  return false;
}

// Different keys that differ only in case, or by one inserted, deleted or replaced letter.
bool one_typo_apart(const std::string& a, const std::string& b) {
  if (a == b) return false;
  const std::string x = lower(a), y = lower(b);
  if (x == y) return true;
  const std::string& shorter = x.size() <= y.size() ? x : y;
  const std::string& longer = x.size() <= y.size() ? y : x;
  if (longer.size() - shorter.size() > 1) return false;
  std::size_t i = 0;
  while (i < shorter.size() && shorter[i] == longer[i]) ++i;
  // Two neighbouring letters swapped ("REFIbp" for "REFIpb").
  if (x.size() == y.size() && i + 1 < x.size() && x[i] == y[i + 1] && x[i + 1] == y[i] &&
      x.compare(i + 2, std::string::npos, y, i + 2) == 0)
    return true;
  // Skip the one differing letter in the longer key (insertion) or in both (substitution).
  const std::size_t skip_short = shorter.size() == longer.size() ? 1 : 0;
  return shorter.compare(std::min(i + skip_short, shorter.size()), std::string::npos, longer, i + 1) == 0;
}

// Plausibility limits (see docs/fuzzing.md). Without them a memspec
// with e.g. 2^30 devices or a 1e300 mA current is accepted and later overflows an int
// (bytes per burst) or turns every energy into inf. Each is far beyond any real device
// yet keeps sums and products of a few values inside int / double range.
constexpr long long kMaxCycles = 1ll << 24;  // any timing, in clock cycles (tREFI ~ 10^4)
// 10 GHz: tCK >= 100 ps, so rounding it to whole picoseconds moves the clock by at most
// 0.5% (peak bandwidth is taken from the nominal clock).
constexpr double kMaxClockMhz = 10000.0;
constexpr double kMinClockMhz = 1.0;         // 1 MHz; keeps tCK (ps) far inside int64
constexpr double kMaxCurrentMa = 100000.0;   // 100 A per device
constexpr double kMaxVoltage = 100.0;

// Reads one JSON object section ("memspec.memtimingspec") with errors that name
// the file and the full key path.
class Section {
 public:
  Section(const json& obj, std::string path, const JsonSource& origin)
      : obj_(obj), path_(std::move(path)), origin_(origin) {}

  bool has(const char* key) const { return obj_.contains(key); }
  std::string key_path(const char* key) const { return path_ + "." + key; }

  const json& at(const char* key) const {
    auto it = obj_.find(key);
    if (it == obj_.end()) {
      // A key one typo away is almost surely this one, misspelt: name it.
      for (const auto& [present, value] : obj_.items())
        if (!is_known_key(present) && one_typo_apart(present, key))
          fail(origin_, key_path(key),
               "missing required key; the file has '" + printable_name(present) + "', one typo away: rename it");
      fail(origin_, key_path(key), "missing required key");
    }
    return *it;
  }

  // An integer >= min_value (JSON integers only: 10.5 cycles is an error, not truncated).
  int integer(const char* key, long long min_value = 1, long long max_value = kMaxCycles) const {
    const json& v = at(key);
    const std::string allowed = "(allowed: " + std::to_string(min_value) + ".." + std::to_string(max_value) + ")";
    if (!v.is_number_integer())
      fail(origin_, key_path(key), "expected an integer " + allowed + ", got " + shown_json(v));
    long long x = v.is_number_unsigned() ? static_cast<long long>(std::min<std::uint64_t>(
                                                v.get<std::uint64_t>(), std::numeric_limits<int>::max() + 1ull))
                                         : v.get<long long>();
    if (x < min_value)
      fail(origin_, key_path(key),
           "must be " + std::string(min_value == 0 ? "non-negative" : ">= " + std::to_string(min_value)) +
               ", got " + std::to_string(x) + " " + allowed);
    if (x > max_value)
      fail(origin_, key_path(key),
           "value too large: " + shown_json(v) + " (at most " + std::to_string(max_value) + ")");
    return static_cast<int>(x);
  }
  int integer_or(const char* key, int fallback, long long min_value = 1, long long max_value = kMaxCycles) const {
    if (has(key)) return integer(key, min_value, max_value);
    refuse_misspelling(key, std::to_string(fallback));
    return fallback;
  }

  // An optional key is absent: a present key one typo away from it ("nbrOfChannel") is
  // almost surely meant for it, and would otherwise be ignored while the default applies.
  // (Other unknown keys are allowed: DRAMSys memspecs carry keys archgym does not read.)
  void refuse_misspelling(const char* key, const std::string& fallback) const {
    for (const auto& [present, value] : obj_.items())
      if (!is_known_key(present) && one_typo_apart(present, key))
        fail(origin_, path_ + "." + present,
             "unknown key, one typo away from the optional key '" + std::string(key) +
                 "' (absent, so it would default to " + fallback + "); rename it");
  }

  // A finite number in (0, max_value] (currents, voltages, clock).
  double positive(const char* key, double max_value) const {
    const json& v = at(key);
    const std::string allowed = "(allowed: above 0, at most " + number(max_value) + ")";
    if (!v.is_number()) fail(origin_, key_path(key), "expected a number " + allowed + ", got " + shown_json(v));
    double x = v.get<double>();
    if (!std::isfinite(x) || x <= 0)
      fail(origin_, key_path(key), "must be positive, got " + shown_json(v) + " " + allowed);
    if (x > max_value)
      fail(origin_, key_path(key), "value too large: " + shown_json(v) + " (at most " + number(max_value) + ")");
    return x;
  }

  static std::string number(double x) { return json(x).dump(); }

 private:
  const json& obj_;
  std::string path_;
  const JsonSource& origin_;
};

const json& object_at(const json& parent, const char* key, const std::string& path,
                      const JsonSource& origin) {
  auto it = parent.find(key);
  if (it == parent.end()) fail(origin, path, "missing required section");
  if (!it->is_object()) fail(origin, path, "expected a JSON object, got " + shown_json(*it));
  return *it;
}

// Per-bank refresh is not a JEDEC DDR3/DDR4 feature (DRAMSys rejects PerBank for
// them). archgym offers it as an extension so the refresh knob has the same three
// values for every standard: each bank is refreshed once per tREFI, so a REFB is
// due every tREFI/banks; a single-bank refresh moves a fraction of the charge of a
// REFA, and we take half of tRFC (rounded up), which is in the range LPDDR4 uses
// (tRFCpb ~ tRFCab / 2). Memspecs may override both with REFIpb / RFCpb.
void finish_derived(MemSpec& m) {
  m.tck_ps = std::llround(1e6 / m.clock_mhz);
  derive_per_bank_refresh(m);
}

}  // namespace

void derive_per_bank_refresh(MemSpec& m) {
  if (m.REFIpb <= 0) m.REFIpb = std::max(1, m.REFI / m.banks);
  if (m.RFCpb <= 0) m.RFCpb = (m.RFC + 1) / 2;
}

double MemSpec::peak_bandwidth_Bps(double clock) const {
  return clock * 1e6 * data_rate * device_width * devices / 8.0;
}

MemSpec parse_memspec_json(const std::string& json_text, const std::string& name) {
  JsonSource origin{name, {}};
  const json doc = parse_json_document(json_text, name, &origin.lines);
  if (!doc.is_object())
    fail(origin, "memspec", "expected a JSON object at the top level, got " + shown_json(doc));
  const json& root = object_at(doc, "memspec", "memspec", origin);

  MemSpec m;
  {
    auto it = root.find("memoryType");
    if (it == root.end()) fail(origin, "memspec.memoryType", "missing required key");
    if (!it->is_string())
      fail(origin, "memspec.memoryType", "expected a string (supported: DDR3, DDR4), got " + shown_json(*it));
    std::string type = it->get<std::string>();
    if (type == "DDR3") m.type = MemoryType::DDR3;
    else if (type == "DDR4") m.type = MemoryType::DDR4;
    else fail(origin, "memspec.memoryType", "unsupported memory type " + shown_json(*it) + " (supported: DDR3, DDR4)");
  }
  {
    auto it = root.find("memoryId");
    if (it == root.end()) fail(origin, "memspec.memoryId", "missing required key");
    if (!it->is_string()) fail(origin, "memspec.memoryId", "expected a string, got " + shown_json(*it));
    m.id = it->get<std::string>();
    // The id is printed (archgym-dram's statistics, messages): a newline or an escape
    // sequence in it would break that output.
    if (m.id.empty() || printable_name(m.id) != m.id)
      fail(origin, "memspec.memoryId",
           "must be a name: one line of printable text, 1 to 200 bytes, got " + shown_json(*it));
  }
  const bool ddr4 = m.type == MemoryType::DDR4;

  Section arch(object_at(root, "memarchitecturespec", "memspec.memarchitecturespec", origin),
               "memspec.memarchitecturespec", origin);
  // Upper limits keep products such as burstLength x width x devices and
  // ranks x banks inside int (see kMaxCycles).
  m.burst_length = arch.integer("burstLength", 1, 256);
  m.data_rate = arch.integer("dataRate", 1, 16);
  m.banks = arch.integer("nbrOfBanks", 1, 1024);
  m.bank_groups = ddr4 ? arch.integer("nbrOfBankGroups", 1, 1024) : arch.integer_or("nbrOfBankGroups", 1, 1, 1024);
  m.ranks = arch.integer("nbrOfRanks", 1, 1024);
  m.rows = arch.integer("nbrOfRows", 1, 1 << 24);
  m.columns = arch.integer("nbrOfColumns", 1, 1 << 20);
  m.device_width = arch.integer("width", 1, 1024);
  m.devices = arch.integer("nbrOfDevicesOnDIMM", 1, 1024);
  m.channels = arch.integer_or("nbrOfChannels", 1, 1, 1024);
  if (!ddr4 && m.bank_groups != 1)
    fail(origin, arch.key_path("nbrOfBankGroups"),
         "DDR3 has no bank groups; must be 1, got " + std::to_string(m.bank_groups));
  if (m.banks % m.bank_groups != 0)
    fail(origin, arch.key_path("nbrOfBanks"),
         "nbrOfBanks (" + std::to_string(m.banks) + ") must be divisible by nbrOfBankGroups (" +
             std::to_string(m.bank_groups) + ")");
  if (!is_power_of_two(m.rows))
    fail(origin, arch.key_path("nbrOfRows"), "must be a power of two, got " + std::to_string(m.rows));
  if (!is_power_of_two(m.columns))
    fail(origin, arch.key_path("nbrOfColumns"), "must be a power of two, got " + std::to_string(m.columns));
  if (m.columns < m.burst_length)  // a burst reads burstLength columns of one row
    fail(origin, arch.key_path("nbrOfColumns"),
         "nbrOfColumns (" + std::to_string(m.columns) + ") must be at least burstLength (" +
             std::to_string(m.burst_length) + "): one burst reads that many columns of a row");
  if (m.burst_length % m.data_rate != 0)
    fail(origin, arch.key_path("burstLength"),
         "burstLength (" + std::to_string(m.burst_length) + ") must be a multiple of dataRate (" +
             std::to_string(m.data_rate) + ")");
  if ((m.device_width * m.devices) % 8 != 0)
    fail(origin, arch.key_path("width"), "width x nbrOfDevicesOnDIMM must be a whole number of bytes");

  Section t(object_at(root, "memtimingspec", "memspec.memtimingspec", origin), "memspec.memtimingspec",
            origin);
  m.clock_mhz = t.positive("clkMhz", kMaxClockMhz);
  if (m.clock_mhz < kMinClockMhz)
    fail(origin, t.key_path("clkMhz"), "must be at least " + Section::number(kMinClockMhz) + " MHz, got " +
                                           Section::number(m.clock_mhz));
  m.AL = t.integer("AL", 0);
  m.RL = t.integer("RL");
  m.WL = t.integer("WL");
  m.CL = t.integer_or("CL", m.RL);  // DRAMSys ignores CL (RL is what counts)
  if (ddr4) {
    m.CCD_S = t.integer("CCD_S");
    m.CCD_L = t.integer("CCD_L");
    m.RRD_S = t.integer("RRD_S");
    m.RRD_L = t.integer("RRD_L");
    m.WTR_S = t.integer("WTR_S");
    m.WTR_L = t.integer("WTR_L");
    m.RFC2 = t.integer("RFC2");
    m.RFC4 = t.integer("RFC4");
    m.REFM = t.integer("REFM");
    if (m.REFM != 1 && m.REFM != 2 && m.REFM != 4)
      fail(origin, t.key_path("REFM"), "must be 1, 2 or 4, got " + std::to_string(m.REFM));
    m.RPRE = t.integer("RPRE");
    m.WPRE = t.integer("WPRE");
  } else {
    // DDR3 has one value for both the same- and different-bank-group variants.
    m.CCD_S = m.CCD_L = t.integer("CCD");
    m.RRD_S = m.RRD_L = t.integer("RRD");
    m.WTR_S = m.WTR_L = t.integer("WTR");
    m.RFC2 = m.RFC4 = 0;
    m.REFM = 1;
    m.RPRE = t.integer_or("RPRE", 1);
    m.WPRE = t.integer_or("WPRE", 1);
  }
  m.FAW = t.integer("FAW");
  m.RAS = t.integer("RAS");
  m.RC = t.integer("RC");
  m.RCD = t.integer("RCD");
  m.RP = t.integer("RP");
  m.RTP = t.integer("RTP");
  m.WR = t.integer("WR");
  m.RFC = t.integer("RFC");
  m.REFI = t.integer("REFI");
  m.RTRS = t.integer("RTRS", 0);
  m.CKE = t.integer("CKE");
  m.CKESR = t.integer("CKESR");
  m.XP = t.integer("XP");
  m.XPDLL = t.integer("XPDLL");
  m.XS = t.integer("XS");
  m.XSDLL = t.integer("XSDLL");
  m.ACTPDEN = t.integer("ACTPDEN");
  m.PRPDEN = t.integer("PRPDEN");
  m.REFPDEN = t.integer("REFPDEN");
  m.DQSCK = t.integer("DQSCK", 0);
  m.REFIpb = t.integer_or("REFIpb", 0);
  m.RFCpb = t.integer_or("RFCpb", 0);
  // JEDEC relations between timings. Besides catching typos, they keep the simulation
  // meaningful: with a refresh interval shorter than a refresh plus one row cycle, refresh
  // would pre-empt every activate and no request could ever complete.
  auto at_least = [&](const char* key, int value, const std::string& bound_text, long long bound,
                      const std::string& why) {
    if (value < bound)
      fail(origin, t.key_path(key),
           std::string(key) + " (" + std::to_string(value) + ") must be at least " + bound_text + " (" +
               std::to_string(bound) + "): " + why);
  };
  at_least("RAS", m.RAS, "RCD", m.RCD, "a row stays open at least until it can be read");
  // One burst occupies the data bus for burstLength / dataRate cycles: a shorter CAS-to-CAS
  // delay would overlap bursts and report more bandwidth than the bus has.
  at_least(ddr4 ? "CCD_S" : "CCD", m.CCD_S, "burstLength / dataRate", m.burst_cycles(),
           "bursts of consecutive reads or writes must not overlap on the data bus");
  // A posted CAS (AL) waits AL cycles in the device: the read latency includes it. (CL may
  // be left out, as DRAMSys ignores it; given, it must agree.)
  if (t.has("CL") && m.RL != static_cast<long long>(m.AL) + m.CL)
    fail(origin, t.key_path("RL"),
         "RL (" + std::to_string(m.RL) + ") must be AL + CL (" + std::to_string(m.AL) + " + " + std::to_string(m.CL) +
             "): the read latency of a posted CAS includes its additive latency");
  at_least("RL", m.RL, "AL + 1", static_cast<long long>(m.AL) + 1, "the read latency includes the additive latency");
  at_least("RC", m.RC, "RAS + RP", static_cast<long long>(m.RAS) + m.RP, "the row cycle is an activate plus a precharge");
  if (ddr4) {
    at_least("CCD_L", m.CCD_L, "CCD_S", m.CCD_S, "the same bank group is never faster than another");
    at_least("RRD_L", m.RRD_L, "RRD_S", m.RRD_S, "the same bank group is never faster than another");
    at_least("WTR_L", m.WTR_L, "WTR_S", m.WTR_S, "the same bank group is never faster than another");
  }
  const int refresh_cycle = m.REFM == 4 ? m.RFC4 : m.REFM == 2 ? m.RFC2 : m.RFC;
  const int refresh_interval = m.REFI / m.REFM;  // DDR4 fine-granularity modes refresh more often
  if (refresh_interval < static_cast<long long>(refresh_cycle) + m.RC) {
    const std::string mode = m.REFM == 1 ? "" : std::to_string(m.REFM);
    fail(origin, t.key_path("REFI"),
         (mode.empty() ? "REFI (" : "REFI / REFM (") + std::to_string(refresh_interval) + ") must be at least RFC" +
             mode + " + RC (" + std::to_string(static_cast<long long>(refresh_cycle) + m.RC) +
             "): between two refreshes at least one row must be able to open and close");
  }

  Section p(object_at(root, "mempowerspec", "memspec.mempowerspec", origin), "memspec.mempowerspec",
            origin);
  m.idd0 = p.positive("idd0", kMaxCurrentMa);
  m.idd2n = p.positive("idd2n", kMaxCurrentMa);
  m.idd2p0 = p.positive("idd2p0", kMaxCurrentMa);
  m.idd2p1 = p.positive("idd2p1", kMaxCurrentMa);
  m.idd3n = p.positive("idd3n", kMaxCurrentMa);
  m.idd3p0 = p.positive("idd3p0", kMaxCurrentMa);
  m.idd3p1 = p.positive("idd3p1", kMaxCurrentMa);
  m.idd4r = p.positive("idd4r", kMaxCurrentMa);
  m.idd4w = p.positive("idd4w", kMaxCurrentMa);
  m.idd5 = p.positive("idd5", kMaxCurrentMa);
  m.idd6 = p.positive("idd6", kMaxCurrentMa);
  m.vdd = p.positive("vdd", kMaxVoltage);
  if (ddr4) {
    m.idd02 = p.positive("idd02", kMaxCurrentMa);
    m.idd62 = p.positive("idd62", kMaxCurrentMa);
    m.vdd2 = p.positive("vdd2", kMaxVoltage);
  }
  // The energy model (DRAMPower) charges each command the current above the background
  // it runs on (e.g. IDD0 - IDD3N per activate); a smaller current would make that
  // energy negative, so such a memspec is rejected rather than silently misreported.
  const struct {
    const char* key;
    double value;
    const char* background_key;
    double background;
  } above_background[] = {{"idd0", m.idd0, "idd3n", m.idd3n},  {"idd0", m.idd0, "idd2n", m.idd2n},
                          {"idd4r", m.idd4r, "idd3n", m.idd3n}, {"idd4w", m.idd4w, "idd3n", m.idd3n},
                          {"idd5", m.idd5, "idd3n", m.idd3n}};
  for (const auto& c : above_background)
    if (c.value < c.background)
      fail(origin, p.key_path(c.key),
           std::string(c.key) + " (" + Section::number(c.value) + " mA) must be at least " + c.background_key +
               " (" + Section::number(c.background) + " mA): the energy model subtracts the background current");
  finish_derived(m);
  return m;
}

MemSpec load_memspec(const std::string& path, const ByteObserver& on_read) {
  return parse_memspec_json(read_json_file(path, "memspec", on_read), path);
}

// The presets are written out (not read from data/) so an installed binary works
// without the source tree; a test checks they equal the shipped JSON files.
MemSpec ddr3_1600_micron_1Gb_x8() {
  MemSpec m;
  m.id = "MICRON_1Gb_DDR3-1600_8bit_G";
  m.type = MemoryType::DDR3;
  m.burst_length = 8; m.data_rate = 2; m.ranks = 1; m.bank_groups = 1; m.banks = 8;
  m.rows = 16384; m.columns = 1024; m.device_width = 8; m.devices = 8; m.channels = 1;
  m.clock_mhz = 800.0;
  m.AL = 0; m.RL = 10; m.WL = 8; m.CL = 10;
  m.CCD_S = m.CCD_L = 4; m.RRD_S = m.RRD_L = 5; m.WTR_S = m.WTR_L = 6;
  m.FAW = 24; m.RAS = 28; m.RC = 38; m.RCD = 10; m.RP = 10; m.RTP = 6; m.WR = 12;
  m.RFC = 88; m.REFI = 6240; m.RFC2 = 0; m.RFC4 = 0; m.REFM = 1; m.RTRS = 1;
  m.CKE = 3; m.CKESR = 4; m.XP = 6; m.XPDLL = 20; m.XS = 96; m.XSDLL = 512;
  m.ACTPDEN = 1; m.PRPDEN = 1; m.REFPDEN = 1; m.DQSCK = 0; m.RPRE = 1; m.WPRE = 1;
  m.idd0 = 70.0; m.idd02 = 0; m.idd2n = 45.0; m.idd2p0 = 12.0; m.idd2p1 = 30.0; m.idd3n = 45.0;
  m.idd3p0 = 35.0; m.idd3p1 = 35.0; m.idd4r = 140.0; m.idd4w = 145.0; m.idd5 = 170.0;
  m.idd6 = 8.0; m.idd62 = 0; m.vdd = 1.5; m.vdd2 = 0;
  finish_derived(m);
  return m;
}

MemSpec ddr4_2400_jedec_4Gb_x8() {
  MemSpec m;
  m.id = "MICRON_4Gb_DDR4-2400_8bit_A";  // the memoryId inside JEDEC_4Gb_DDR4-2400_8bit_A.json
  m.type = MemoryType::DDR4;
  m.burst_length = 8; m.data_rate = 2; m.ranks = 1; m.bank_groups = 4; m.banks = 16;
  m.rows = 32768; m.columns = 1024; m.device_width = 8; m.devices = 8; m.channels = 1;
  m.clock_mhz = 1200.0;
  m.AL = 0; m.RL = 16; m.WL = 16; m.CL = 16;
  m.CCD_S = 4; m.CCD_L = 6; m.RRD_S = 4; m.RRD_L = 6; m.WTR_S = 3; m.WTR_L = 9;
  m.FAW = 26; m.RAS = 39; m.RC = 55; m.RCD = 16; m.RP = 16; m.RTP = 12; m.WR = 18;
  m.RFC = 312; m.REFI = 9360; m.RFC2 = 192; m.RFC4 = 132; m.REFM = 1; m.RTRS = 1;
  m.CKE = 6; m.CKESR = 7; m.XP = 8; m.XPDLL = 325; m.XS = 324; m.XSDLL = 512;
  m.ACTPDEN = 2; m.PRPDEN = 2; m.REFPDEN = 2; m.DQSCK = 2; m.RPRE = 1; m.WPRE = 1;
  m.idd0 = 60.75; m.idd02 = 4.05; m.idd2n = 38.25; m.idd2p0 = 17.0; m.idd2p1 = 17.0;
  m.idd3n = 44.0; m.idd3p0 = 22.5; m.idd3p1 = 22.5; m.idd4r = 184.5; m.idd4w = 168.75;
  m.idd5 = 118.0; m.idd6 = 20.25; m.idd62 = 2.6; m.vdd = 1.2; m.vdd2 = 2.5;
  finish_derived(m);
  return m;
}

namespace {
struct Preset {
  std::vector<std::string> names;
  MemSpec (*make)();
};
const std::vector<Preset>& presets() {
  static const std::vector<Preset> list{
      {{"DDR3-1600", "MICRON_1Gb_DDR3-1600_8bit_G"}, &ddr3_1600_micron_1Gb_x8},
      {{"DDR4-2400", "MICRON_4Gb_DDR4-2400_8bit_A", "JEDEC_4Gb_DDR4-2400_8bit_A"}, &ddr4_2400_jedec_4Gb_x8},
  };
  return list;
}
const Preset* find_preset(const std::string& name) {
  const std::string wanted = lower(name);
  for (const Preset& p : presets())
    for (const std::string& n : p.names)
      if (lower(n) == wanted) return &p;
  return nullptr;
}
}  // namespace

bool is_memspec_preset(const std::string& name) { return find_preset(name) != nullptr; }

std::string memspec_preset_name(const std::string& name) {
  const Preset* p = find_preset(name);
  return p ? p->names.front() : "";
}

MemSpec memspec_by_name_or_path(const std::string& name_or_path, const ByteObserver& on_read) {
  if (const Preset* p = find_preset(name_or_path)) return p->make();

  const bool looks_like_path = name_or_path.find('/') != std::string::npos ||
                               (name_or_path.size() > 5 &&
                                lower(name_or_path.substr(name_or_path.size() - 5)) == ".json");
  // Any name in the file system, even one that cannot be opened (a loop of symbolic links, no
  // permission), is a file: loading gives the reason, where "unknown memspec" would mislead.
  std::error_code ec;
  if (looks_like_path || std::filesystem::exists(std::filesystem::symlink_status(name_or_path, ec)))
    return load_memspec(name_or_path, on_read);

  std::string list;
  for (const Preset& p : presets())
    for (const std::string& n : p.names) list += (list.empty() ? "" : ", ") + n;
  throw std::invalid_argument("unknown memspec \"" + printable_name(name_or_path) + "\": expected one of " + list +
                           ", or the path of a DRAMSys memspec JSON file");
}

}  // namespace archgym::dram

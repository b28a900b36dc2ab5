// Memspec loading: the presets equal the shipped DRAMSys files, derived values, and
// every kind of bad input gives an error naming the file and the key.
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "simulators/dram/address_mapping.h"
#include "simulators/dram/json_document.h"
#include "simulators/dram/memspec.h"
#include "tests/catch.h"

using namespace archgym::dram;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

const std::string kDir = std::string(ARCHGYM_SOURCE_DATA_DIR) + "/dram/memspecs/";
const std::string kDdr3File = kDir + "MICRON_1Gb_DDR3-1600_8bit_G.json";
const std::string kDdr4File = kDir + "JEDEC_4Gb_DDR4-2400_8bit_A.json";

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Compares every field, so a new field forgotten in a preset shows up here.
void require_equal(const MemSpec& a, const MemSpec& b) {
  CHECK(a.id == b.id);
  CHECK(a.type == b.type);
  CHECK(a.burst_length == b.burst_length);
  CHECK(a.data_rate == b.data_rate);
  CHECK(a.ranks == b.ranks);
  CHECK(a.bank_groups == b.bank_groups);
  CHECK(a.banks == b.banks);
  CHECK(a.rows == b.rows);
  CHECK(a.columns == b.columns);
  CHECK(a.device_width == b.device_width);
  CHECK(a.devices == b.devices);
  CHECK(a.channels == b.channels);
  CHECK(a.clock_mhz == b.clock_mhz);
  CHECK(a.tck_ps == b.tck_ps);
  const int MemSpec::*ints[] = {
      &MemSpec::AL,    &MemSpec::RL,     &MemSpec::WL,      &MemSpec::CL,      &MemSpec::CCD_S,
      &MemSpec::CCD_L, &MemSpec::RRD_S,  &MemSpec::RRD_L,   &MemSpec::WTR_S,   &MemSpec::WTR_L,
      &MemSpec::FAW,   &MemSpec::RAS,    &MemSpec::RC,      &MemSpec::RCD,     &MemSpec::RP,
      &MemSpec::RTP,   &MemSpec::WR,     &MemSpec::RFC,     &MemSpec::REFI,    &MemSpec::RFC2,
      &MemSpec::RFC4,  &MemSpec::REFM,   &MemSpec::RTRS,    &MemSpec::CKE,     &MemSpec::CKESR,
      &MemSpec::XP,    &MemSpec::XPDLL,  &MemSpec::XS,      &MemSpec::XSDLL,   &MemSpec::ACTPDEN,
      &MemSpec::PRPDEN, &MemSpec::REFPDEN, &MemSpec::DQSCK, &MemSpec::RPRE,    &MemSpec::WPRE,
      &MemSpec::REFIpb, &MemSpec::RFCpb};
  for (auto p : ints) CHECK(a.*p == b.*p);
  const double MemSpec::*doubles[] = {
      &MemSpec::idd0,   &MemSpec::idd02,  &MemSpec::idd2n, &MemSpec::idd2p0, &MemSpec::idd2p1,
      &MemSpec::idd3n,  &MemSpec::idd3p0, &MemSpec::idd3p1, &MemSpec::idd4r, &MemSpec::idd4w,
      &MemSpec::idd5,   &MemSpec::idd6,   &MemSpec::idd62, &MemSpec::vdd,    &MemSpec::vdd2};
  for (auto p : doubles) CHECK(a.*p == b.*p);
}

// Loads the DDR4 file, applies `edit` to its JSON and parses it as "edited.json".
MemSpec parse_edited(const std::string& file, void (*edit)(nlohmann::json&)) {
  auto j = nlohmann::json::parse(slurp(file));
  edit(j);
  return parse_memspec_json(j.dump(), "edited.json");
}

// One bad edit of the shipped DDR4 memspec and what its error must name.
struct EditCase {
  const char* name;
  void (*edit)(nlohmann::json&);
  const char* key;
  const char* message;
};

// Each edit must fail with an error naming the file, the key and the reason.
template <std::size_t N>
void check_edit_errors(const EditCase (&cases)[N]) {
  for (const EditCase& c : cases) {
    INFO(c.name);
    CHECK_THROWS_WITH(parse_edited(kDdr4File, c.edit),
                      Contains("edited.json") && Contains(c.key) && Contains(c.message));
  }
}

}  // namespace

TEST_CASE("DDR3-1600 preset equals the shipped MICRON_1Gb_DDR3-1600_8bit_G.json", "[memspec]") {
  require_equal(ddr3_1600_micron_1Gb_x8(), load_memspec(kDdr3File));
}

TEST_CASE("DDR4-2400 preset equals the shipped JEDEC_4Gb_DDR4-2400_8bit_A.json", "[memspec]") {
  require_equal(ddr4_2400_jedec_4Gb_x8(), load_memspec(kDdr4File));
}

TEST_CASE("DDR3 memspec: CCD/RRD/WTR fill both bank-group variants, derived values", "[memspec]") {
  const MemSpec m = load_memspec(kDdr3File);
  CHECK(m.type == MemoryType::DDR3);
  CHECK(m.bank_groups == 1);
  CHECK(m.banks_per_group() == 8);
  CHECK((m.CCD_S == 4 && m.CCD_L == 4));
  CHECK((m.RRD_S == 5 && m.RRD_L == 5));
  CHECK((m.WTR_S == 6 && m.WTR_L == 6));
  CHECK(m.tck_ps == 1250);
  CHECK(m.bytes_per_burst() == 64);
  CHECK(m.burst_cycles() == 4);
  // archgym per-bank refresh extension: REFI / banks and ceil(RFC / 2).
  CHECK(m.REFIpb == 6240 / 8);
  CHECK(m.RFCpb == 44);
}

TEST_CASE("DDR4 memspec: bank groups, tCK rounding, per-bank refresh derivation", "[memspec]") {
  const MemSpec m = load_memspec(kDdr4File);
  CHECK(m.type == MemoryType::DDR4);
  CHECK(m.id == "MICRON_4Gb_DDR4-2400_8bit_A");
  CHECK(m.bank_groups == 4);
  CHECK(m.banks_per_group() == 4);
  CHECK((m.CCD_S == 4 && m.CCD_L == 6));
  CHECK(m.tck_ps == 833);  // 1e6 / 1200 = 833.33 ps
  CHECK(m.REFIpb == 585);
  CHECK(m.RFCpb == 156);
  CHECK(m.idd02 == 4.05);
  CHECK(m.vdd2 == 2.5);
}

TEST_CASE("explicit REFIpb/RFCpb in a memspec override the derived values", "[memspec]") {
  const MemSpec m = parse_edited(kDdr3File, [](nlohmann::json& j) {
    j["memspec"]["memtimingspec"]["REFIpb"] = 700;
    j["memspec"]["memtimingspec"]["RFCpb"] = 30;
  });
  CHECK(m.REFIpb == 700);
  CHECK(m.RFCpb == 30);
}

TEST_CASE("peak bandwidth of a 64-bit channel", "[memspec]") {
  CHECK(ddr4_2400_jedec_4Gb_x8().peak_bandwidth_Bps() == Approx(19.2e9).epsilon(1e-12));
  CHECK(ddr3_1600_micron_1Gb_x8().peak_bandwidth_Bps() == Approx(12.8e9).epsilon(1e-12));
}

TEST_CASE("memspec_by_name_or_path finds presets, ids and files", "[memspec]") {
  CHECK(memspec_by_name_or_path("DDR3-1600").id == "MICRON_1Gb_DDR3-1600_8bit_G");
  CHECK(memspec_by_name_or_path("ddr4-2400").type == MemoryType::DDR4);
  CHECK(memspec_by_name_or_path("MICRON_4Gb_DDR4-2400_8bit_A").banks == 16);
  CHECK(memspec_by_name_or_path(kDdr3File).REFI == 6240);
  CHECK_THROWS_WITH(memspec_by_name_or_path("DDR5-6400"),
                    Contains("DDR5-6400") && Contains("DDR3-1600") && Contains("DDR4-2400"));
  CHECK_THROWS_WITH(memspec_by_name_or_path("/nonexistent/x.json"),
                    Contains("/nonexistent/x.json") && Contains("cannot open"));
}

TEST_CASE("memspec errors name the file and the key", "[memspec]") {
  using J = nlohmann::json;
  const EditCase cases[] = {
      {"missing timing", [](J& j) { j["memspec"]["memtimingspec"].erase("RCD"); }, "memspec.memtimingspec.RCD",
       "missing"},
      {"zero timing", [](J& j) { j["memspec"]["memtimingspec"]["RP"] = 0; }, "memspec.memtimingspec.RP", ">= 1"},
      {"negative AL", [](J& j) { j["memspec"]["memtimingspec"]["AL"] = -1; }, "memspec.memtimingspec.AL",
       "non-negative"},
      {"fractional timing", [](J& j) { j["memspec"]["memtimingspec"]["RAS"] = 39.5; },
       "memspec.memtimingspec.RAS", "integer"},
      {"string timing", [](J& j) { j["memspec"]["memtimingspec"]["CL"] = "16"; }, "memspec.memtimingspec.CL",
       "integer"},
      {"missing DDR4 key", [](J& j) { j["memspec"]["memtimingspec"].erase("CCD_L"); },
       "memspec.memtimingspec.CCD_L", "missing"},
      {"negative current", [](J& j) { j["memspec"]["mempowerspec"]["idd0"] = -3.0; },
       "memspec.mempowerspec.idd0", "positive"},
      {"missing vdd2", [](J& j) { j["memspec"]["mempowerspec"].erase("vdd2"); }, "memspec.mempowerspec.vdd2",
       "missing"},
      {"banks vs groups", [](J& j) { j["memspec"]["memarchitecturespec"]["nbrOfBankGroups"] = 3; },
       "memspec.memarchitecturespec.nbrOfBanks", "divisible"},
      {"rows not power of two", [](J& j) { j["memspec"]["memarchitecturespec"]["nbrOfRows"] = 30000; },
       "memspec.memarchitecturespec.nbrOfRows", "power of two"},
      {"columns not power of two", [](J& j) { j["memspec"]["memarchitecturespec"]["nbrOfColumns"] = 1000; },
       "memspec.memarchitecturespec.nbrOfColumns", "power of two"},
      {"unsupported type", [](J& j) { j["memspec"]["memoryType"] = "LPDDR4"; }, "memspec.memoryType",
       "supported: DDR3, DDR4"},
      {"missing section", [](J& j) { j["memspec"].erase("mempowerspec"); }, "memspec.mempowerspec", "missing"},
      {"bad REFM", [](J& j) { j["memspec"]["memtimingspec"]["REFM"] = 3; }, "memspec.memtimingspec.REFM",
       "1, 2 or 4"},
      {"RC not above RAS", [](J& j) { j["memspec"]["memtimingspec"]["RC"] = 39; }, "memspec.memtimingspec.RC",
       "RAS"},
      // JEDEC relations between timings.
      {"RC below RAS + RP", [](J& j) { j["memspec"]["memtimingspec"]["RC"] = 54; }, "memspec.memtimingspec.RC",
       "RC (54) must be at least RAS + RP (55)"},
      // An optional key one typo away was ignored and the default applied.
      {"misspelt optional key", [](J& j) {
         j["memspec"]["memarchitecturespec"].erase("nbrOfChannels");
         j["memspec"]["memarchitecturespec"]["nbrOfChannel"] = 2;
       },
       "memspec.memarchitecturespec.nbrOfChannel", "one typo away from the optional key 'nbrOfChannels'"},
      {"optional key in the wrong case", [](J& j) { j["memspec"]["memtimingspec"]["refipb"] = 700; },
       "memspec.memtimingspec.refipb", "'REFIpb' (absent, so it would default to 0)"},
      // Two letters swapped: the per-bank refresh interval silently took its default.
      {"optional key with two letters swapped", [](J& j) { j["memspec"]["memtimingspec"]["REFIbp"] = 700; },
       "memspec.memtimingspec.REFIbp", "one typo away from the optional key 'REFIpb'"},
      // A required key misspelt was reported only as missing.
      {"misspelt required key", [](J& j) {
         j["memspec"]["memtimingspec"].erase("RCD");
         j["memspec"]["memtimingspec"]["RCDD"] = 10;
       },
       "memspec.memtimingspec.RCD", "missing required key; the file has 'RCDD', one typo away: rename it"},
      {"RAS below RCD", [](J& j) { j["memspec"]["memtimingspec"]["RAS"] = 5; }, "memspec.memtimingspec.RAS",
       "RAS (5) must be at least RCD (16)"},
      {"CCD_L below CCD_S", [](J& j) { j["memspec"]["memtimingspec"]["CCD_L"] = 1; }, "memspec.memtimingspec.CCD_L",
       "CCD_L (1) must be at least CCD_S (4)"},
      // Bursts overlapped on the data bus: 3.5x the peak bandwidth was reported.
      {"CCD_S shorter than a burst", [](J& j) { j["memspec"]["memtimingspec"]["CCD_S"] = 2; },
       "memspec.memtimingspec.CCD_S", "CCD_S (2) must be at least burstLength / dataRate (4)"},
      {"burst longer than CCD_S", [](J& j) { j["memspec"]["memarchitecturespec"]["burstLength"] = 16; },
       "memspec.memtimingspec.CCD_S", "CCD_S (4) must be at least burstLength / dataRate (8)"},
      // A posted CAS made reads faster than tRCD + CL.
      {"RL without AL", [](J& j) { j["memspec"]["memtimingspec"]["AL"] = 9; }, "memspec.memtimingspec.RL",
       "RL (16) must be AL + CL (9 + 16)"},
      {"AL beyond RL, no CL", [](J& j) {
         j["memspec"]["memtimingspec"].erase("CL");
         j["memspec"]["memtimingspec"]["AL"] = 16;
       }, "memspec.memtimingspec.RL", "RL (16) must be at least AL + 1 (17)"},
      {"row shorter than a burst", [](J& j) { j["memspec"]["memarchitecturespec"]["nbrOfColumns"] = 4; },
       "memspec.memarchitecturespec.nbrOfColumns", "nbrOfColumns (4) must be at least burstLength (8)"},
      // Refresh would pre-empt every activate: the simulation never finished.
      {"refresh leaves no row cycle", [](J& j) { j["memspec"]["memtimingspec"]["REFI"] = 313; },
       "memspec.memtimingspec.REFI", "REFI (313) must be at least RFC + RC (367)"},
      {"same, fine granularity", [](J& j) {
         j["memspec"]["memtimingspec"]["REFM"] = 4;
         j["memspec"]["memtimingspec"]["REFI"] = 600;
       }, "memspec.memtimingspec.REFI", "REFI / REFM (150) must be at least RFC4 + RC (187)"},
  };
  check_edit_errors(cases);
  CHECK_THROWS_WITH(parse_memspec_json("{\"memspec\": [1,", "broken.json"),
                    Contains("broken.json") && Contains("invalid JSON"));
  CHECK_THROWS_WITH(load_memspec("/nonexistent/memspec.json"), Contains("/nonexistent/memspec.json"));
  // DDR3 has no bank groups.
  CHECK_THROWS_WITH(parse_edited(kDdr3File, [](J& j) { j["memspec"]["memarchitecturespec"]["nbrOfBankGroups"] = 2; }),
                    Contains("memspec.memarchitecturespec.nbrOfBankGroups"));
}

// Regressions from fuzzing (docs/fuzzing.md).
TEST_CASE("memspec: a JSON number beyond double range is an error naming the file", "[memspec][fuzz]") {
  // nlohmann reports this as out_of_range, not parse_error; it used to escape uncaught.
  std::string text = slurp(kDdr4File);
  const std::string key = "\"idd0\": 60.75";
  REQUIRE(text.find(key) != std::string::npos);
  text.replace(text.find(key), key.size(), "\"idd0\": 1e400");
  try {
    parse_memspec_json(text, "huge.json");
    FAIL("accepted 1e400");
  } catch (const std::invalid_argument& e) {
    CHECK_THAT(e.what(), Contains("huge.json") && Contains("invalid JSON"));
  }
}

TEST_CASE("memspec: JSON nested deeper than 100 levels is an error naming the file and the key", "[memspec]") {
  // nlohmann parses any depth but dumps and copies recursively: 300,000 levels under a key
  // overflowed the stack (a crash) before the parse refused nesting beyond 100 levels.
  const auto with_nesting = [](int levels) {
    std::string text = slurp(kDdr4File);
    const std::string key = "\"idd0\": ";
    text.insert(text.find(key), "\"deep\": " + std::string(static_cast<std::size_t>(levels), '[') +
                                    std::string(static_cast<std::size_t>(levels), ']') + ", ");
    return text;
  };
  try {
    parse_memspec_json(with_nesting(300000), "deep.json");
    FAIL("accepted 300,000 levels");
  } catch (const std::invalid_argument& e) {
    CHECK_THAT(e.what(), Contains("deep.json:18: memspec.mempowerspec.deep: nested more than 100 levels deep"));
  }
  // The document's own three levels plus 97 arrays are 100 levels: loads (a key the
  // simulator does not read is ignored, as DRAMSys' memspecs carry more than it needs).
  CHECK_NOTHROW(parse_memspec_json(with_nesting(97), "ok.json"));
  CHECK_THROWS_WITH(parse_memspec_json(with_nesting(98), "ok.json"), Contains("nested more than 100 levels deep"));
}

TEST_CASE("memspec: absurd values are rejected with the key and the limit", "[memspec][fuzz]") {
  using J = nlohmann::json;
  const EditCase cases[] = {
      {"1e300 mA current", [](J& j) { j["memspec"]["mempowerspec"]["idd4r"] = 1e300; },
       "memspec.mempowerspec.idd4r", "too large"},
      {"1000 V supply", [](J& j) { j["memspec"]["mempowerspec"]["vdd"] = 1000.0; }, "memspec.mempowerspec.vdd",
       "too large"},
      {"tiny clock", [](J& j) { j["memspec"]["memtimingspec"]["clkMhz"] = 1e-300; },
       "memspec.memtimingspec.clkMhz", "at least 1"},
      {"huge clock", [](J& j) { j["memspec"]["memtimingspec"]["clkMhz"] = 1e9; }, "memspec.memtimingspec.clkMhz",
       "too large"},
      // tCK would round to 10 ps, 5% off the nominal clock: bandwidth above peak.
      {"95 GHz clock", [](J& j) { j["memspec"]["memtimingspec"]["clkMhz"] = 95300; },
       "memspec.memtimingspec.clkMhz", "too large"},
      {"2^31-1 cycle timing", [](J& j) { j["memspec"]["memtimingspec"]["XS"] = 2147483647; },
       "memspec.memtimingspec.XS", "at most 16777216"},
      // width x devices (8 x 2^30) used to overflow int, in the parser and in bytes_per_burst().
      {"2^30 devices", [](J& j) { j["memspec"]["memarchitecturespec"]["nbrOfDevicesOnDIMM"] = 1 << 30; },
       "memspec.memarchitecturespec.nbrOfDevicesOnDIMM", "at most 1024"},
      {"2^30 rows", [](J& j) { j["memspec"]["memarchitecturespec"]["nbrOfRows"] = 1 << 30; },
       "memspec.memarchitecturespec.nbrOfRows", "too large"},
      // The energy model charges IDD0 - IDD3N per activate: this would be negative energy.
      {"idd0 below idd3n", [](J& j) { j["memspec"]["mempowerspec"]["idd0"] = 10.0; }, "memspec.mempowerspec.idd0",
       "must be at least idd3n"},
      {"idd4w below idd3n", [](J& j) { j["memspec"]["mempowerspec"]["idd4w"] = 1.0; },
       "memspec.mempowerspec.idd4w", "background"},
  };
  check_edit_errors(cases);
  // The limits leave real devices alone: every shipped memspec still loads.
  for (const char* f : {"DDR4-2400_8Gb_x8_dramsim3.json", "DDR4-2400_8Gb_x8_dramsim3_2rank.json",
                        "JEDEC_4Gb_DDR4-2400_8bit_A.json", "MICRON_1Gb_DDR3-1600_8bit_G.json"})
    CHECK_NOTHROW(load_memspec(kDir + f));
}

TEST_CASE("memspec: a key given twice is an error naming the file and the key path", "[memspec]") {
  // nlohmann::json keeps the last of two equal keys: the first RCD would be ignored silently.
  std::string text = slurp(kDdr4File);
  const std::string key = "\"RCD\": ";
  REQUIRE(text.find(key) != std::string::npos);
  text.insert(text.find(key), "\"RCD\": 99,\n");
  CHECK_THROWS_WITH(parse_memspec_json(text, "twice.json"),
                    Contains("twice.json:46: memspec.memtimingspec.RCD: key given twice in one object"));
  CHECK_THROWS_WITH(parse_memspec_json(R"({"memspec": {}, "memspec": {}})", "top.json"),
                    Contains("top.json:1: memspec: key given twice"));
  // The same key in different objects, also in objects of one array, is fine.
  const auto doc = parse_json_document(R"({"a": {"x": 1}, "b": {"x": 2}, "c": [{"x": 3}, {"x": 4}]})", "ok.json");
  CHECK(doc["c"][1]["x"] == 4);
  CHECK_THROWS_WITH(parse_json_document(R"({"c": [{"x": 3}, {"x": 4, "x": 5}]})", "arr.json"),
                    Contains("arr.json:1: c[1].x: key given twice"));
}

TEST_CASE("memspec and address-map errors name the line of the key, or of the object that lacks it", "[memspec]") {
  // Their messages named the key path only: in a hand-edited file of 80 lines, the line is
  // what an editor jumps to.
  const std::string memspec = slurp(kDdr3File);
  auto edited = [&](const std::string& from, const std::string& to) {
    std::string t = memspec;
    REQUIRE(t.find(from) != std::string::npos);
    return t.replace(t.find(from), from.size(), to);
  };
  CHECK_THROWS_WITH(parse_memspec_json(edited("\"RCD\": 10", "\"RCD\": 0"), "m.json"),
                    StartsWith("m.json:40: memspec.memtimingspec.RCD: must be >= 1, got 0 (allowed: 1..16777216)"));
  // Missing: the line of "memtimingspec", the object that lacks it.
  CHECK_THROWS_WITH(parse_memspec_json(edited("\"RCD\": 10,", ""), "m.json"),
                    StartsWith("m.json:30: memspec.memtimingspec.RCD: missing required key"));
  // A relation between keys names the line of the one reported.
  CHECK_THROWS_WITH(parse_memspec_json(edited("\"RC\": 38", "\"RC\": 37"), "m.json"),
                    StartsWith("m.json:39: memspec.memtimingspec.RC: RC (37) must be at least RAS + RP (38)"));
  // Address maps: keys inside lists of solutions and of XORs.
  const std::string map = "{\"CONGEN\": {\"SOLUTION\": [\n"
                          "  {\"ID\": 1},\n"
                          "  {\"ID\": 0,\n"
                          "   \"ROW_BIT\": [1, 2],\n"
                          "   \"COLUMN_BIT\": [3, 64]}]}}\n";
  CHECK_THROWS_WITH(parse_address_mapping_json(map, "am.json"),
                    "am.json:5: CONGEN.SOLUTION[1].COLUMN_BIT[1]: address-bit position must be in 0..63, got 64");
  const std::string xors = "{\"CONGEN\": {\"ROW_BIT\": [1],\n \"COLUMN_BIT\": [2],\n \"XOR\": [\n"
                           "  {\"FIRST\": 1, \"SECOND\": 2},\n  {\"FIRST\": 2,\n   \"SECOND\": 2}]}}";
  CHECK_THROWS_WITH(parse_address_mapping_json(xors, "am.json"),
                    "am.json:5: CONGEN.XOR[1]: FIRST and SECOND are the same bit (2)");
}

TEST_CASE("memspec: a directory is named as one, not as invalid JSON", "[memspec]") {
  const std::string dir = ARCHGYM_TEST_BINARY_DIR;
  CHECK_THROWS_WITH(load_memspec(dir), Contains(dir + ": is a directory, not a memspec file"));
  CHECK_THROWS_WITH(memspec_by_name_or_path(dir), Contains("is a directory"));
}

// Address mapping: the shipped DRAMSys maps, known decodings, XOR, round trips, and
// errors for files that disagree with the memspec or are malformed.
#include <fstream>
#include <string>

#include "simulators/dram/address_mapping.h"
#include "tests/catch.h"

using namespace archgym::dram;
using Catch::Matchers::Contains;

namespace {

const std::string kDir = std::string(ARCHGYM_SOURCE_DATA_DIR) + "/dram/addressmaps/";

bool same_bits(const AddressMapping& a, const AddressMapping& b) {
  return a.channel_bits == b.channel_bits && a.rank_bits == b.rank_bits &&
         a.bank_group_bits == b.bank_group_bits && a.bank_bits == b.bank_bits && a.row_bits == b.row_bits &&
         a.column_bits == b.column_bits && a.byte_bits == b.byte_bits && a.xors == b.xors;
}

// Test-local splitmix64 so the random addresses are the same everywhere.
std::uint64_t next_random(std::uint64_t& s) {
  std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// All address bits a mapping uses.
std::uint64_t used_mask(const AddressMapping& am) {
  std::uint64_t mask = 0;
  for (const auto* v : {&am.channel_bits, &am.rank_bits, &am.bank_group_bits, &am.bank_bits, &am.row_bits,
                        &am.column_bits, &am.byte_bits})
    for (int b : *v) mask |= std::uint64_t{1} << b;
  return mask;
}

}  // namespace

TEST_CASE("shipped address maps equal the built-in ones and fit their memspecs", "[address_mapping]") {
  const auto ddr3 = load_address_mapping(kDir + "am_ddr3_8x1Gbx8_dimm_p1KB_rbc.json");
  const auto ddr4 = load_address_mapping(kDir + "am_ddr4_8x4Gbx8_dimm_p1KB_brc.json");
  CHECK(same_bits(ddr3, ddr3_rbc_mapping()));
  CHECK(same_bits(ddr4, ddr4_brc_mapping()));
  CHECK_NOTHROW(ddr3.check_against(ddr3_1600_micron_1Gb_x8(), "ddr3"));
  CHECK_NOTHROW(ddr4.check_against(ddr4_2400_jedec_4Gb_x8(), "ddr4"));
  // The generated row:bank:column map for the DDR3 preset is exactly the shipped rbc map.
  CHECK(same_bits(row_bank_column_mapping(ddr3_1600_micron_1Gb_x8()), ddr3_rbc_mapping()));
}

TEST_CASE("DDR3 rbc known answers", "[address_mapping]") {
  const auto am = ddr3_rbc_mapping();
  const auto a = am.decode(0x2000);
  CHECK(a.bank == 1);
  CHECK(a.bank_group == 0);
  CHECK(a.column == 0);
  CHECK(a.row == 0);
  CHECK(am.decode(0x10000).row == 1);
  CHECK(am.decode(0x10000).bank == 0);
  CHECK(am.decode(0x40).column == 8);    // one 64-byte burst = 8 columns of 8 bytes
  CHECK(am.decode(0xE000).bank == 7);    // no bank groups: bank runs 0..7
  CHECK(am.decode(0x7).column == 0);     // byte bits are not part of any field
  const auto m = ddr3_1600_micron_1Gb_x8();
  const auto d = am.decode(0x3FFFFFFF);  // top of the 1 GiB DIMM
  CHECK(d.row == m.rows - 1);
  CHECK(d.bank == 7);
  CHECK(d.column == m.columns - 1);
  CHECK(d.global_bank(m) == 7);
  CHECK(am.decode(0x40000000).row == 0);  // bits above the map are ignored (DRAMSys warns)
}

TEST_CASE("DDR4 brc known answers and global bank numbering", "[address_mapping]") {
  const auto am = ddr4_brc_mapping();
  const auto m = ddr4_2400_jedec_4Gb_x8();
  CHECK(am.decode(0x2000).row == 1);
  const auto a = am.decode(0x10000000);  // bit 28: bank group 1
  CHECK(a.bank_group == 1);
  CHECK(a.bank == 0);
  const auto b = am.decode(0xC0000000ull | 0x20000000ull);  // bank 3, bank group 2
  CHECK(b.bank == 3);
  CHECK(b.bank_group == 2);
  CHECK(b.global_bank(m) == 3 + 2 * 4);
  CHECK(b.bank_in_rank(m) == 11);
}

TEST_CASE("XOR: bit FIRST becomes FIRST xor SECOND before decoding, in order", "[address_mapping]") {
  auto am = ddr3_rbc_mapping();
  am.xors = {{13, 16}};  // bank bit 0 ^= row bit 0
  CHECK(am.decode(0x10000).bank == 1);
  CHECK(am.decode(0x10000).row == 1);
  CHECK(am.decode(0x12000).bank == 0);
  CHECK(am.decode(0x2000).bank == 1);
  // Applied in order: the second XOR sees the result of the first.
  am.xors = {{13, 16}, {14, 13}};
  CHECK(am.decode(0x10000).bank == 3);  // bit13 = 1, then bit14 = 0 ^ 1
  CHECK(am.encode(am.decode(0x10000)) == 0x10000);

  // A bit no field decodes may carry a value to a later XOR (DRAMSys 4.0 applies them the
  // same way, in order and in place): bank bit 0 = a13 ^ a16 ^ a17 through scratch bit 40.
  const auto scratch = parse_address_mapping_json(
      R"({"CONGEN": {"BYTE_BIT": [0, 1, 2], "COLUMN_BIT": [3, 4, 5, 6, 7, 8, 9, 10, 11, 12], "BANK_BIT": [13, 14, 15],
          "ROW_BIT": [16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29],
          "XOR": [{"FIRST": 40, "SECOND": 16}, {"FIRST": 40, "SECOND": 17}, {"FIRST": 13, "SECOND": 40}]}})",
      "scratch.json");
  CHECK(scratch.decode(std::uint64_t{1} << 16).bank == 1);
  CHECK(scratch.decode(std::uint64_t{3} << 16).bank == 0);
  CHECK(scratch.decode((std::uint64_t{1} << 17) | (std::uint64_t{1} << 13)).bank == 0);
}

TEST_CASE("decode(encode(x)) and encode(decode(x)) round trip for all four mappings", "[address_mapping]") {
  const MemSpec ddr3 = ddr3_1600_micron_1Gb_x8();
  const MemSpec ddr4 = ddr4_2400_jedec_4Gb_x8();
  auto xored = ddr3_rbc_mapping();
  xored.xors = {{13, 16}, {14, 17}, {15, 18}, {16, 13}};
  const std::pair<AddressMapping, const MemSpec*> maps[] = {
      {ddr3_rbc_mapping(), &ddr3},
      {ddr4_brc_mapping(), &ddr4},
      {bank_group_interleaved_mapping(ddr4), &ddr4},
      {row_bank_column_mapping(ddr4), &ddr4},
      {bank_group_interleaved_mapping(ddr3), &ddr3},
      {xored, &ddr3},
  };
  std::uint64_t seed = 42;
  for (const auto& [am, m] : maps) {
    CHECK_NOTHROW(am.check_against(*m, "generated"));
    const std::uint64_t mask = used_mask(am);
    const std::uint64_t byte_mask = [&] {
      std::uint64_t bm = 0;
      for (int b : am.byte_bits) bm |= std::uint64_t{1} << b;
      return bm;
    }();
    for (int i = 0; i < 2000; ++i) {
      const std::uint64_t x = next_random(seed) & mask & ~byte_mask;
      const DecodedAddress d = am.decode(x);
      REQUIRE(am.encode(d) == x);
      const DecodedAddress e = am.decode(am.encode(d));
      REQUIRE((e.bank == d.bank && e.bank_group == d.bank_group && e.row == d.row && e.column == d.column &&
               e.rank == d.rank && e.channel == d.channel));
      REQUIRE(d.row < m->rows);
      REQUIRE(d.column < m->columns);
      REQUIRE(d.bank < m->banks_per_group());
      REQUIRE(d.bank_group < m->bank_groups);
    }
  }
}

TEST_CASE("bank-group interleaving: consecutive bursts rotate bank groups (DDR4) or banks (DDR3)",
          "[address_mapping]") {
  const MemSpec ddr4 = ddr4_2400_jedec_4Gb_x8();
  const auto am4 = bank_group_interleaved_mapping(ddr4);
  for (int i = 0; i < 8; ++i) CHECK(am4.decode(std::uint64_t(i) * 64).bank_group == i % 4);
  CHECK(am4.decode(4 * 64).column == 8);  // after all groups, the next column burst
  const MemSpec ddr3 = ddr3_1600_micron_1Gb_x8();
  const auto am3 = bank_group_interleaved_mapping(ddr3);
  CHECK(am3.bank_group_bits.empty());
  for (int i = 0; i < 16; ++i) CHECK(am3.decode(std::uint64_t(i) * 64).bank == i % 8);
  // row : bank : column for DDR4: the bank group sits just above the bank bits.
  const auto rbc4 = row_bank_column_mapping(ddr4);
  CHECK(rbc4.decode(0x2000).bank == 1);
  CHECK(rbc4.decode(0x8000).bank_group == 1);
  CHECK(rbc4.decode(0x20000).row == 1);
}

TEST_CASE("check_against names both numbers on a mismatch", "[address_mapping]") {
  const MemSpec ddr4 = ddr4_2400_jedec_4Gb_x8();
  CHECK_THROWS_WITH(ddr3_rbc_mapping().check_against(ddr4, "am.json"),
                    Contains("am.json") && Contains("BANKGROUP_BIT") && Contains("nbrOfBankGroups = 4"));
  auto am = ddr4_brc_mapping();
  am.row_bits.pop_back();
  CHECK_THROWS_WITH(am.check_against(ddr4, "am.json"),
                    Contains("ROW_BIT") && Contains("16384") && Contains("32768"));
  am = ddr4_brc_mapping();
  am.column_bits.pop_back();
  CHECK_THROWS_WITH(am.check_against(ddr4, "am.json"), Contains("COLUMN_BIT") && Contains("512") && Contains("1024"));
  am = ddr4_brc_mapping();
  am.byte_bits.pop_back();
  CHECK_THROWS_WITH(am.check_against(ddr4, "am.json"), Contains("BYTE_BIT") && Contains("4") && Contains("8"));
}

TEST_CASE("address-map JSON: SOLUTION with ID 0, XOR list, and errors", "[address_mapping]") {
  const std::string with_solution = R"({"CONGEN": {"NAME": "x", "SOLUTION": [
      {"ID": 1, "BANK_BIT": [3], "ROW_BIT": [4], "COLUMN_BIT": [5]},
      {"ID": 0, "BYTE_BIT": [0,1,2], "COLUMN_BIT": [3,4,5,6,7,8,9,10,11,12], "BANK_BIT": [13,14,15],
       "ROW_BIT": [16,17,18,19,20,21,22,23,24,25,26,27,28,29],
       "XOR": [{"FIRST": 13, "SECOND": 16}]}]}})";
  const auto am = parse_address_mapping_json(with_solution, "sol.json");
  CHECK(am.bank_bits == std::vector<int>{13, 14, 15});
  REQUIRE(am.xors.size() == 1);
  CHECK(am.xors[0] == std::pair<int, int>{13, 16});
  CHECK_NOTHROW(am.check_against(ddr3_1600_micron_1Gb_x8(), "sol.json"));

  struct Bad {
    const char* json;
    const char* key;
  };
  const Bad bad[] = {
      {R"({"MAP": {}})", "CONGEN"},
      {R"({"CONGEN": {"ROW_BIT": [1], "COLUMN_BIT": [2], "BANK_BITS": [3]}})", "CONGEN.BANK_BITS"},
      {R"({"CONGEN": {"ROW_BIT": [1, 64], "COLUMN_BIT": [2]}})", "CONGEN.ROW_BIT[1]"},
      {R"({"CONGEN": {"ROW_BIT": [1, "x"], "COLUMN_BIT": [2]}})", "CONGEN.ROW_BIT[1]"},
      {R"({"CONGEN": {"ROW_BIT": [1], "COLUMN_BIT": [1]}})", "CONGEN.COLUMN_BIT"},
      {R"({"CONGEN": {"COLUMN_BIT": [2]}})", "CONGEN.ROW_BIT: missing required key"},
      // Given but empty: it was "missing required key".
      {R"({"CONGEN": {"ROW_BIT": [1], "COLUMN_BIT": []}})", "CONGEN.COLUMN_BIT: must list at least one address bit"},
      {R"({"CONGEN": {"ROW_BIT": [1], "COLUMN_BIT": [2], "XOR": [{"FIRST": 1}]}})", "CONGEN.XOR[0]"},
      {R"({"CONGEN": {"ROW_BIT": [1], "COLUMN_BIT": [2], "XOR": [{"FIRST": 1, "SECOND": 1}]}})", "CONGEN.XOR[0]"},
      // An XOR whose FIRST bit neither a decoded field nor a later XOR reads changes nothing
      // (byte bits are not decoded).
      {R"({"CONGEN": {"ROW_BIT": [1], "COLUMN_BIT": [2], "XOR": [{"FIRST": 1, "SECOND": 5}, {"FIRST": 5, "SECOND": 1}]}})",
       "CONGEN.XOR[1].FIRST: address bit 5 is read by no decoded field"},
      {R"({"CONGEN": {"BYTE_BIT": [0], "ROW_BIT": [1], "COLUMN_BIT": [2], "XOR": [{"FIRST": 0, "SECOND": 1}]}})",
       "CONGEN.XOR[0].FIRST: address bit 0 is read by no decoded field"},
      {R"({"CONGEN": {"SOLUTION": [{"ID": 2, "ROW_BIT": [1], "COLUMN_BIT": [2]}]}})", "CONGEN.SOLUTION"},
      // An address field beside SOLUTION was silently ignored.
      {R"({"CONGEN": {"BYTE_BIT": [5], "SOLUTION": [{"ID": 0, "ROW_BIT": [1], "COLUMN_BIT": [2]}]}})",
       "CONGEN.BYTE_BIT: with a SOLUTION list, the mapping is its solution"},
      {R"({"CONGEN": {"ROW_BIT": [1], )", "invalid JSON"},
      {R"({"CONGEN": {"ROW_BIT": [1], "COLUMN_BIT": [2], "ROW_BIT": [3]}})", "CONGEN.ROW_BIT: key given twice"},
      {R"({"CONGEN": {"SOLUTION": [{"ID": 0, "ID": 1, "ROW_BIT": [1], "COLUMN_BIT": [2]}]}})",
       "bad.json:1: CONGEN.SOLUTION[0].ID: key given twice"},
  };
  for (const Bad& b : bad) {
    INFO(b.json);
    CHECK_THROWS_WITH(parse_address_mapping_json(b.json, "bad.json"), Contains("bad.json") && Contains(b.key));
  }
  CHECK_THROWS_WITH(load_address_mapping("/nonexistent/am.json"), Contains("/nonexistent/am.json"));
}

// Regressions from fuzzing (docs/fuzzing.md).
TEST_CASE("address-map JSON: a field wider than an int and an out-of-range number are errors", "[address_mapping][fuzz]") {
  // A 40-bit ROW_BIT list used to be accepted; decode() then shifted an int by up to 39 (UB).
  std::string rows;
  for (int b = 10; b < 41; ++b) rows += (rows.empty() ? "" : ",") + std::to_string(b);
  CHECK_THROWS_WITH(parse_address_mapping_json(R"({"CONGEN": {"COLUMN_BIT": [3], "ROW_BIT": [)" + rows + "]}}",
                                               "wide.json"),
                    Contains("wide.json") && Contains("CONGEN.ROW_BIT") && Contains("31 bits") &&
                        Contains("at most 30"));
  // 30 bits is still fine, and decodes without overflow.
  rows = rows.substr(0, rows.rfind(','));
  const auto am = parse_address_mapping_json(R"({"CONGEN": {"COLUMN_BIT": [3], "ROW_BIT": [)" + rows + "]}}",
                                             "wide.json");
  CHECK(am.decode(~std::uint64_t{0}).row == (1 << 30) - 1);
  // nlohmann reports 1e400 as out_of_range, not parse_error; it used to escape uncaught.
  CHECK_THROWS_WITH(parse_address_mapping_json(R"({"CONGEN": {"ROW_BIT": [1e400], "COLUMN_BIT": [2]}})", "num.json"),
                    Contains("num.json") && Contains("invalid JSON"));
}

TEST_CASE("address-map JSON nested deeper than 100 levels is an error, not a crash", "[address_mapping]") {
  const std::string deep = std::string(300000, '[') + std::string(300000, ']');
  CHECK_THROWS_WITH(parse_address_mapping_json(R"({"CONGEN": {"ROW_BIT": )" + deep + "}}", "deep.json"),
                    Contains("deep.json:1: CONGEN.ROW_BIT: nested more than 100 levels deep"));
}

TEST_CASE("address-map: a directory is named as one, not as invalid JSON", "[address_mapping]") {
  const std::string dir = ARCHGYM_TEST_BINARY_DIR;
  CHECK_THROWS_WITH(load_address_mapping(dir), Contains(dir + ": is a directory, not an address-mapping file"));
}

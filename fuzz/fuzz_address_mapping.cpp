// libFuzzer target for parse_address_mapping_json. Input: any bytes, treated as a
// DRAMSys address-map JSON file. Properties checked beyond "no crash":
//  - an accepted mapping uses each address bit (0..63) at most once, has row and
//    column fields, and no field wider than an int can hold;
//  - decode(encode(d)) == d for field values derived from the input, and decode of
//    any address yields fields below 2^width (XORs included);
//  - a rejected mapping's error is non-empty and starts with the origin.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "fuzz/fuzz_util.h"
#include "simulators/dram/address_mapping.h"

using archgym::dram::AddressMapping;
using archgym::dram::DecodedAddress;

namespace {

std::uint64_t fnv1a(const std::uint8_t* data, std::size_t size) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (std::size_t i = 0; i < size; ++i) h = (h ^ data[i]) * 0x100000001b3ull;
  return h;
}

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

int field_value(std::uint64_t& state, const std::vector<int>& bits) {
  return static_cast<int>(splitmix64(state) & ((std::uint64_t{1} << bits.size()) - 1));
}

bool below(int value, const std::vector<int>& bits) {
  return value >= 0 && static_cast<std::uint64_t>(value) < (std::uint64_t{1} << bits.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string origin = "fuzz_am.json";
  AddressMapping am;
  try {
    am = archgym::dram::parse_address_mapping_json(text, origin);
  } catch (const std::invalid_argument& e) {
    archgym::fuzz::require_names_origin(e.what(), origin);
    return 0;
  }

  const std::vector<int>* fields[] = {&am.channel_bits, &am.rank_bits, &am.bank_group_bits, &am.bank_bits,
                                      &am.row_bits,     &am.column_bits, &am.byte_bits};
  bool used[64] = {};
  for (const auto* f : fields) {
    FUZZ_REQUIRE(f->size() <= 30, "field wider than 30 bits");
    for (int b : *f) {
      FUZZ_REQUIRE(b >= 0 && b < 64 && !used[b], "bit " + std::to_string(b) + " reused or out of range");
      used[b] = true;
    }
  }
  FUZZ_REQUIRE(!am.row_bits.empty() && !am.column_bits.empty(), "row/column missing");
  for (const auto& [first, second] : am.xors)
    FUZZ_REQUIRE(first >= 0 && first < 64 && second >= 0 && second < 64 && first != second, "bad XOR");
  // Every XOR's FIRST bit is read afterwards: by a decoded field (not BYTE_BIT) or a later XOR.
  bool read[64] = {};
  for (const auto* f : fields)
    if (f != &am.byte_bits)
      for (int b : *f) read[b] = true;
  for (std::size_t i = am.xors.size(); i-- > 0;) {
    FUZZ_REQUIRE(read[am.xors[i].first], "XOR " + std::to_string(i) + " rewrites a bit nothing reads");
    read[am.xors[i].second] = true;
  }

  std::uint64_t state = fnv1a(data, size);
  for (int trial = 0; trial < 8; ++trial) {
    DecodedAddress d;
    d.channel = field_value(state, am.channel_bits);
    d.rank = field_value(state, am.rank_bits);
    d.bank_group = field_value(state, am.bank_group_bits);
    d.bank = field_value(state, am.bank_bits);
    d.row = field_value(state, am.row_bits);
    d.column = field_value(state, am.column_bits);
    const DecodedAddress back = am.decode(am.encode(d));
    FUZZ_REQUIRE(back.channel == d.channel && back.rank == d.rank && back.bank_group == d.bank_group &&
                     back.bank == d.bank && back.row == d.row && back.column == d.column,
                 "decode(encode(d)) != d");

    const DecodedAddress any = am.decode(splitmix64(state));
    FUZZ_REQUIRE(below(any.channel, am.channel_bits) && below(any.rank, am.rank_bits) &&
                     below(any.bank_group, am.bank_group_bits) && below(any.bank, am.bank_bits) &&
                     below(any.row, am.row_bits) && below(any.column, am.column_bits),
                 "decoded field out of range");
  }
  return 0;
}

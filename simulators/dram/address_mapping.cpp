#include "simulators/dram/address_mapping.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "simulators/dram/json_document.h"
#include "simulators/dram/message_text.h"

namespace archgym::dram {

namespace {

using nlohmann::json;

int extract(std::uint64_t address, const std::vector<int>& bits) {
  int value = 0;
  for (std::size_t i = 0; i < bits.size(); ++i)
    value |= static_cast<int>((address >> bits[i]) & 1u) << i;
  return value;
}

void deposit(std::uint64_t& address, const std::vector<int>& bits, int value) {
  for (std::size_t i = 0; i < bits.size(); ++i)
    if ((value >> i) & 1) address |= std::uint64_t{1} << bits[i];
}

std::uint64_t apply_xor(std::uint64_t address, int first, int second) {
  const std::uint64_t bit = ((address >> first) ^ (address >> second)) & 1u;
  return (address & ~(std::uint64_t{1} << first)) | (bit << first);
}

// log2 of a count that must be a power of two (a generated mapping needs whole bits).
int bits_for(long long count, const char* what) {
  if (count <= 0 || (count & (count - 1)) != 0)
    throw std::invalid_argument(std::string("cannot build an address mapping: ") + what + " (" +
                             std::to_string(count) + ") is not a power of two");
  int n = 0;
  while ((1ll << n) < count) ++n;
  return n;
}

// Appends `count` consecutive bit positions starting at `next`.
std::vector<int> take(int& next, int count) {
  if (next + count > 64)  // a shift by 64 or more is undefined: decoding would be garbage
    throw std::invalid_argument("cannot build an address mapping: the memspec's organisation needs more than 64 "
                                "address bits (bytes per beat x columns x banks x ranks x rows x channels)");
  std::vector<int> bits;
  for (int i = 0; i < count; ++i) bits.push_back(next++);
  return bits;
}

struct Field {
  const char* key;
  std::vector<int> AddressMapping::*member;
};
constexpr Field kFields[] = {
    {"CHANNEL_BIT", &AddressMapping::channel_bits}, {"RANK_BIT", &AddressMapping::rank_bits},
    {"BANKGROUP_BIT", &AddressMapping::bank_group_bits}, {"BANK_BIT", &AddressMapping::bank_bits},
    {"ROW_BIT", &AddressMapping::row_bits},         {"COLUMN_BIT", &AddressMapping::column_bits},
    {"BYTE_BIT", &AddressMapping::byte_bits},
};

const Field* find_field(const std::string& key) {
  for (const Field& f : kFields)
    if (key == f.key) return &f;
  return nullptr;
}

std::string allowed_keys() {
  std::string s;
  for (const Field& f : kFields) s += std::string(s.empty() ? "" : ", ") + f.key;
  return s + ", XOR";
}

// A key that mentions BIT or XOR but is not one of ours: a typo such as "BANK_BITS".
bool looks_like_field(std::string key) {
  std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::toupper(c); });
  return key.find("BIT") != std::string::npos || key.find("XOR") != std::string::npos;
}

constexpr std::size_t kMaxFieldBits = 30;  // so a decoded field fits a non-negative int

int bit_position(const json& v, const JsonSource& origin, const std::string& key) {
  if (!v.is_number_integer())
    fail(origin, key, "expected an address-bit position (an integer in 0..63), got " + shown_json(v));
  const long long b = v.get<long long>();
  if (b < 0 || b > 63) fail(origin, key, "address-bit position must be in 0..63, got " + std::to_string(b));
  return static_cast<int>(b);
}

// Each field has 2^len values; the field is checked against the memspec count.
void check_count(const std::string& origin, const char* key, std::size_t bits, long long expected,
                 const char* memspec_name) {
  const long long have = 1ll << bits;
  if (have != expected)
    throw std::invalid_argument(printable_name(origin) + ": " + key + " has " + std::to_string(bits) + " bits = " +
                             std::to_string(have) + " values, but the memspec has " + memspec_name + " = " +
                             std::to_string(expected));
}

}  // namespace

DecodedAddress AddressMapping::decode(std::uint64_t address) const {
  for (const auto& [first, second] : xors) address = apply_xor(address, first, second);
  DecodedAddress d;
  d.channel = extract(address, channel_bits);
  d.rank = extract(address, rank_bits);
  d.bank_group = extract(address, bank_group_bits);
  d.bank = extract(address, bank_bits);
  d.row = extract(address, row_bits);
  d.column = extract(address, column_bits);
  return d;
}

std::uint64_t AddressMapping::address_mask() const {
  std::uint64_t mask = 0;
  for (const auto* bits : {&channel_bits, &rank_bits, &bank_group_bits, &bank_bits, &row_bits, &column_bits,
                           &byte_bits})
    for (int b : *bits) mask |= std::uint64_t{1} << b;
  return mask;
}

std::uint64_t AddressMapping::device_bytes() const {
  const std::uint64_t mask = address_mask();
  return mask == UINT64_MAX ? std::uint64_t{1} << 63 : mask + 1;
}

AddressDecoder::AddressDecoder(const AddressMapping& m) : xors_(m.xors) {
  // Same order as decode(): channel, rank, bank group, bank, row, column.
  const std::vector<int>* fields[6] = {&m.channel_bits,   &m.rank_bits, &m.bank_group_bits,
                                       &m.bank_bits,      &m.row_bits,  &m.column_bits};
  for (int f = 0; f < 6; ++f) {
    const std::vector<int>& bits = *fields[f];
    std::size_t i = 0;
    while (i < bits.size()) {
      std::size_t j = i + 1;  // extend while the source bits stay consecutive
      while (j < bits.size() && bits[j] == bits[j - 1] + 1) ++j;
      const std::size_t width = j - i;
      runs_.push_back(Run{static_cast<std::uint8_t>(bits[i]), static_cast<std::uint8_t>(i),
                          width >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << width) - 1});
      i = j;
    }
    field_end_[f] = runs_.size();
  }
}

std::uint64_t AddressMapping::encode(const DecodedAddress& a) const {
  std::uint64_t address = 0;
  deposit(address, channel_bits, a.channel);
  deposit(address, rank_bits, a.rank);
  deposit(address, bank_group_bits, a.bank_group);
  deposit(address, bank_bits, a.bank);
  deposit(address, row_bits, a.row);
  deposit(address, column_bits, a.column);
  // Each XOR step is its own inverse given the other bit, so undo them in reverse order.
  for (auto it = xors.rbegin(); it != xors.rend(); ++it) address = apply_xor(address, it->first, it->second);
  return address;
}

void AddressMapping::check_against(const MemSpec& m, const std::string& origin) const {
  check_count(origin, "CHANNEL_BIT", channel_bits.size(), m.channels, "nbrOfChannels");
  check_count(origin, "RANK_BIT", rank_bits.size(), m.ranks, "nbrOfRanks");
  check_count(origin, "BANKGROUP_BIT", bank_group_bits.size(), m.bank_groups, "nbrOfBankGroups");
  check_count(origin, "BANK_BIT", bank_bits.size(), m.banks_per_group(), "banks per bank group (nbrOfBanks / nbrOfBankGroups)");
  check_count(origin, "ROW_BIT", row_bits.size(), m.rows, "nbrOfRows");
  // DRAMSys: the column field includes the burst bits, so it spans all columns.
  check_count(origin, "COLUMN_BIT", column_bits.size(), m.columns, "nbrOfColumns");
  check_count(origin, "BYTE_BIT", byte_bits.size(), m.device_width * m.devices / 8,
              "bytes per beat (width x nbrOfDevicesOnDIMM / 8)");
}

AddressMapping parse_address_mapping_json(const std::string& json_text, const std::string& name) {
  JsonSource origin{name, {}};
  const json doc = parse_json_document(json_text, name, &origin.lines);
  if (!doc.is_object() || !doc.contains("CONGEN")) fail(origin, "CONGEN", "missing required root key");
  const json* mapping = &doc["CONGEN"];
  std::string path = "CONGEN";
  if (!mapping->is_object()) fail(origin, path, "expected a JSON object, got " + shown_json(*mapping));
  if (mapping->contains("SOLUTION")) {
    const json& solutions = (*mapping)["SOLUTION"];
    if (!solutions.is_array())
      fail(origin, "CONGEN.SOLUTION", "expected a list of solutions, got " + shown_json(solutions));
    const json* chosen = nullptr;
    for (std::size_t i = 0; i < solutions.size(); ++i) {
      const json& s = solutions[i];
      if (s.is_object() && s.contains("ID") && s["ID"].is_number_integer() && s["ID"].get<long long>() == 0) {
        chosen = &s;
        path = "CONGEN.SOLUTION[" + std::to_string(i) + "]";
        break;
      }
    }
    if (!chosen) fail(origin, "CONGEN.SOLUTION", "no solution with \"ID\": 0");
    // Address fields beside SOLUTION would be ignored: say so rather than decode without them.
    for (auto it = mapping->begin(); it != mapping->end(); ++it)
      if (it.key() == "XOR" || find_field(it.key()))
        fail(origin, "CONGEN." + it.key(),
             "with a SOLUTION list, the mapping is its solution with \"ID\": 0; move this key into it");
    mapping = chosen;
  }

  AddressMapping am;
  for (auto it = mapping->begin(); it != mapping->end(); ++it) {
    const std::string& key = it.key();
    const std::string where = path + "." + key;
    if (const Field* field = find_field(key)) {
      if (!it->is_array())
        fail(origin, where, "expected a list of address-bit positions (integers in 0..63), got " + shown_json(*it));
      std::vector<int>& bits = am.*(field->member);
      for (std::size_t i = 0; i < it->size(); ++i)
        bits.push_back(bit_position((*it)[i], origin, where + "[" + std::to_string(i) + "]"));
      // Decoded fields are ints (seen while writing fuzz/: a 40-bit ROW_BIT list was accepted and
      // decode() then shifted an int by 40). 30 bits is far above any DRAM field.
      if (bits.size() > kMaxFieldBits)
        fail(origin, where,
             "has " + std::to_string(bits.size()) + " bits; a field may have at most " +
                 std::to_string(kMaxFieldBits));
    } else if (key == "XOR") {
      if (!it->is_array())
        fail(origin, where, "expected a list of {\"FIRST\": bit, \"SECOND\": bit}, got " + shown_json(*it));
      for (std::size_t i = 0; i < it->size(); ++i) {
        const json& x = (*it)[i];
        const std::string xw = where + "[" + std::to_string(i) + "]";
        if (!x.is_object() || !x.contains("FIRST") || !x.contains("SECOND"))
          fail(origin, xw, "expected {\"FIRST\": bit, \"SECOND\": bit}, got " + shown_json(x));
        const int first = bit_position(x["FIRST"], origin, xw + ".FIRST");
        const int second = bit_position(x["SECOND"], origin, xw + ".SECOND");
        if (first == second) fail(origin, xw, "FIRST and SECOND are the same bit (" + std::to_string(first) + ")");
        am.xors.emplace_back(first, second);
      }
    } else if (looks_like_field(key)) {
      // Probably a typo of a field name; other keys (ID, NAME, costs) are ConGen metadata.
      fail(origin, where, "unknown field (allowed: " + allowed_keys() + ")");
    }
  }
  // "missing" only if it is: an empty list was reported as a missing key.
  for (const char* key : {"ROW_BIT", "COLUMN_BIT"})
    if ((am.*(find_field(key)->member)).empty())
      fail(origin, path + "." + key,
           mapping->contains(key) ? "must list at least one address bit" : "missing required key");

  // Every address bit may belong to one field only.
  std::string owner[64];
  for (const Field& f : kFields)
    for (int b : am.*(f.member)) {
      if (!owner[b].empty())
        fail(origin, path + "." + f.key,
             "address bit " + std::to_string(b) + " is already used by " + owner[b]);
      owner[b] = f.key;
    }
  // An XOR rewrites its FIRST bit. If neither a decoded field (byte bits are not decoded)
  // nor a later XOR reads that bit, the XOR changes nothing (e.g. a typo): say so rather
  // than simulate a mapping the file did not mean. Which bits are read is found backwards.
  bool read[64] = {};
  for (const Field& f : kFields)
    if (f.member != &AddressMapping::byte_bits)
      for (int b : am.*(f.member)) read[b] = true;
  for (std::size_t i = am.xors.size(); i-- > 0;) {
    const auto [first, second] = am.xors[i];
    if (!read[first])
      fail(origin, path + ".XOR[" + std::to_string(i) + "].FIRST",
           "address bit " + std::to_string(first) +
               " is read by no decoded field (channel, rank, bank group, bank, row, column) and no later "
               "XOR, so this XOR would change nothing (FIRST is the bit it rewrites)");
    read[second] = true;
  }
  return am;
}

AddressMapping load_address_mapping(const std::string& path, const ByteObserver& on_read) {
  return parse_address_mapping_json(read_json_file(path, "address-mapping", on_read), path);
}

AddressMapping ddr3_rbc_mapping() {
  AddressMapping am;
  int next = 0;
  am.byte_bits = take(next, 3);     // 0-2
  am.column_bits = take(next, 10);  // 3-12
  am.bank_bits = take(next, 3);     // 13-15
  am.row_bits = take(next, 14);     // 16-29
  return am;
}

AddressMapping ddr4_brc_mapping() {
  AddressMapping am;
  int next = 0;
  am.byte_bits = take(next, 3);        // 0-2
  am.column_bits = take(next, 10);     // 3-12
  am.row_bits = take(next, 15);        // 13-27
  am.bank_group_bits = take(next, 2);  // 28-29
  am.bank_bits = take(next, 2);        // 30-31
  return am;
}

AddressMapping bank_group_interleaved_mapping(const MemSpec& m) {
  const int byte_n = bits_for(m.device_width * m.devices / 8, "bytes per beat");
  const int column_n = bits_for(m.columns, "nbrOfColumns");
  // The lowest column bits address the beats of one burst; interleaving starts above them.
  const int burst_n = std::min(column_n, bits_for(m.burst_length, "burstLength"));
  const int bg_n = bits_for(m.bank_groups, "nbrOfBankGroups");
  const int bank_n = bits_for(m.banks_per_group(), "banks per bank group");
  AddressMapping am;
  int next = 0;
  am.byte_bits = take(next, byte_n);
  am.column_bits = take(next, burst_n);
  if (bg_n > 0) {
    // DDR4: consecutive bursts rotate over bank groups (tCCD_S instead of tCCD_L), then
    // the rest of the row, then banks.
    am.bank_group_bits = take(next, bg_n);
    for (int b : take(next, column_n - burst_n)) am.column_bits.push_back(b);
    am.bank_bits = take(next, bank_n);
  } else {
    // No bank groups (DDR3): consecutive bursts rotate over banks instead.
    am.bank_bits = take(next, bank_n);
    for (int b : take(next, column_n - burst_n)) am.column_bits.push_back(b);
  }
  am.rank_bits = take(next, bits_for(m.ranks, "nbrOfRanks"));
  am.row_bits = take(next, bits_for(m.rows, "nbrOfRows"));
  am.channel_bits = take(next, bits_for(m.channels, "nbrOfChannels"));
  return am;
}

AddressMapping row_bank_column_mapping(const MemSpec& m) {
  AddressMapping am;
  int next = 0;
  am.byte_bits = take(next, bits_for(m.device_width * m.devices / 8, "bytes per beat"));
  am.column_bits = take(next, bits_for(m.columns, "nbrOfColumns"));
  am.bank_bits = take(next, bits_for(m.banks_per_group(), "banks per bank group"));
  am.bank_group_bits = take(next, bits_for(m.bank_groups, "nbrOfBankGroups"));
  am.rank_bits = take(next, bits_for(m.ranks, "nbrOfRanks"));
  am.row_bits = take(next, bits_for(m.rows, "nbrOfRows"));
  am.channel_bits = take(next, bits_for(m.channels, "nbrOfChannels"));
  return am;
}

}  // namespace archgym::dram

#pragma once
// Physical address -> (channel, rank, bank group, bank, row, column), configured by
// lists of address bits as in DRAMSys address-map JSON (CONGEN), with optional XORs.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "simulators/dram/memspec.h"

namespace archgym::dram {

struct DecodedAddress {
  int channel = 0;
  int rank = 0;
  int bank_group = 0;  // within the rank
  int bank = 0;        // within the bank group
  int row = 0;
  int column = 0;
  // Global indices over the whole channel (DRAMSys convention).
  int global_bank_group(const MemSpec& m) const { return bank_group + rank * m.bank_groups; }
  int global_bank(const MemSpec& m) const {
    return bank + global_bank_group(m) * m.banks_per_group();
  }
  int bank_in_rank(const MemSpec& m) const { return bank + bank_group * m.banks_per_group(); }
};

class AddressMapping {
 public:
  std::vector<int> channel_bits, rank_bits, bank_group_bits, bank_bits, row_bits, column_bits,
      byte_bits;
  std::vector<std::pair<int, int>> xors;  // bit first := first ^ second, applied in order

  DecodedAddress decode(std::uint64_t address) const;
  // Inverse of decode (XORs undone), for generators that target a bank/row/column.
  std::uint64_t encode(const DecodedAddress& a) const;
  // Throws if field widths disagree with the memspec (naming both numbers).
  void check_against(const MemSpec& m, const std::string& origin) const;
  // The address bits the mapping uses: an address with any other bit set lies beyond the
  // device and decodes onto an address inside it (DRAMSys warns and does the same).
  std::uint64_t address_mask() const;
  // The bytes the mapping spans, the device's size (address_mask() + 1; 2^63 for a mapping
  // of all 64 bits, which has no such count).
  std::uint64_t device_bytes() const;
};

// AddressMapping::decode with the bit lists compiled into runs of consecutive bits (one
// shift and mask per run instead of one per bit): the simulator decodes every request.
// A snapshot: later edits to the mapping's bit lists are not seen.
class AddressDecoder {
 public:
  explicit AddressDecoder(const AddressMapping& mapping);
  DecodedAddress decode(std::uint64_t address) const {
    for (const auto& [first, second] : xors_) {
      const std::uint64_t bit = ((address >> first) ^ (address >> second)) & 1u;
      address = (address & ~(std::uint64_t{1} << first)) | (bit << first);
    }
    // Field by field, each gathered in a register (OR-ing into an array element per run
    // chained every run through a store and a reload).
    std::uint64_t v[6];  // channel, rank, bank group, bank, row, column
    std::size_t i = 0;
    for (int f = 0; f < 6; ++f) {
      std::uint64_t x = 0;
      for (; i < field_end_[f]; ++i) x |= ((address >> runs_[i].shift) & runs_[i].mask) << runs_[i].position;
      v[f] = x;
    }
    DecodedAddress d;
    d.channel = static_cast<int>(v[0]);
    d.rank = static_cast<int>(v[1]);
    d.bank_group = static_cast<int>(v[2]);
    d.bank = static_cast<int>(v[3]);
    d.row = static_cast<int>(v[4]);
    d.column = static_cast<int>(v[5]);
    return d;
  }

 private:
  struct Run {
    std::uint8_t shift;     // lowest source bit
    std::uint8_t position;  // where it lands in the field
    std::uint64_t mask;     // width, right-aligned
  };
  std::vector<std::pair<int, int>> xors_;
  std::vector<Run> runs_;          // in decode()'s field order
  std::size_t field_end_[6] = {};  // runs_ of field f end at field_end_[f]
};

// Errors as load_memspec's (file, line, key path). `on_read`, if given, sees the file's bytes.
AddressMapping load_address_mapping(const std::string& path, const ByteObserver& on_read = {});
AddressMapping parse_address_mapping_json(const std::string& json_text, const std::string& origin);
// Default mappings shipped with archgym:
AddressMapping ddr3_rbc_mapping();          // am_ddr3_8x1Gbx8_dimm_p1KB_rbc
AddressMapping ddr4_brc_mapping();          // am_ddr4_8x4Gbx8_dimm_p1KB_brc (bank bits high)
// Bank groups in the lowest bits above the burst: consecutive bursts hit different
// bank groups (channel : row : rank : bank : column_high : bankgroup : column_low : byte).
// With one bank group (DDR3) the banks take that place instead
// (channel : row : rank : column_high : bank : column_low : byte).
AddressMapping bank_group_interleaved_mapping(const MemSpec& m);
// Channel : row : rank : bank group : bank : column : byte (bank bits above the column
// bits). For the DDR3-1600 preset this is exactly ddr3_rbc_mapping().
AddressMapping row_bank_column_mapping(const MemSpec& m);

}  // namespace archgym::dram

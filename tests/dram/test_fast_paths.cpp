// The simulator's fast paths against their plain definitions: AddressDecoder (bit runs)
// must decode exactly like AddressMapping::decode (bit by bit), and StlTraceReader's block
// reader must cut the same lines as std::getline, also across block boundaries.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "simulators/dram/address_mapping.h"
#include "simulators/dram/memspec.h"
#include "simulators/dram/trace.h"
#include "tests/catch.h"

using namespace archgym::dram;

namespace {

std::uint64_t splitmix(std::uint64_t& s) {
  std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

bool same(const DecodedAddress& a, const DecodedAddress& b) {
  return a.channel == b.channel && a.rank == b.rank && a.bank_group == b.bank_group && a.bank == b.bank &&
         a.row == b.row && a.column == b.column;
}

// Every address of a random sample (plus all-zeros and all-ones) decodes identically.
void check_decoder(const AddressMapping& m, std::uint64_t seed) {
  const AddressDecoder fast(m);
  std::uint64_t s = seed;
  std::vector<std::uint64_t> addresses{0, ~std::uint64_t{0}};
  for (int i = 0; i < 5000; ++i) addresses.push_back(splitmix(s));
  for (std::uint64_t a : addresses) {
    INFO("address " << a);
    REQUIRE(same(fast.decode(a), m.decode(a)));
  }
}

// A mapping over a random permutation of the 34 low address bits: fields get runs of
// random lengths (1..5 consecutive bits, sometimes descending), plus random XORs.
AddressMapping scrambled_mapping(std::uint64_t& s, int xors) {
  std::vector<int> bits;
  for (int b = 0; b < 34; ++b) bits.push_back(b);
  for (std::size_t i = bits.size() - 1; i > 0; --i) std::swap(bits[i], bits[splitmix(s) % (i + 1)]);
  // Re-sort random stretches so that consecutive runs occur.
  for (std::size_t i = 0; i < bits.size();) {
    const std::size_t n = std::min<std::size_t>(1 + splitmix(s) % 5, bits.size() - i);
    std::sort(bits.begin() + static_cast<long>(i), bits.begin() + static_cast<long>(i + n));
    if (splitmix(s) % 4 == 0) std::reverse(bits.begin() + static_cast<long>(i), bits.begin() + static_cast<long>(i + n));
    i += n;
  }
  AddressMapping m;
  std::vector<int>* fields[] = {&m.byte_bits, &m.column_bits, &m.bank_bits, &m.bank_group_bits,
                                &m.rank_bits, &m.row_bits,    &m.channel_bits};
  const int widths[] = {3, 10, 3, 2, 1, 14, 1};
  std::size_t next = 0;
  for (int f = 0; f < 7; ++f)
    for (int i = 0; i < widths[f]; ++i) fields[f]->push_back(bits[next++]);
  for (int i = 0; i < xors; ++i) {
    const int first = static_cast<int>(splitmix(s) % 40), second = static_cast<int>(splitmix(s) % 40);
    if (first != second) m.xors.emplace_back(first, second);
  }
  return m;
}

std::string temp_file(const std::string& name, const std::string& content) {
  const std::string path = std::string(ARCHGYM_TEST_BINARY_DIR) + "/h10_fast_" + name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

// The reference: std::getline + parse_stl_line, as the reader worked before its block buffer.
std::vector<Request> reference_read(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  std::vector<Request> out;
  std::uint64_t n = 0;
  while (std::getline(in, line))
    if (auto r = parse_stl_line(line, ++n, "ref")) out.push_back(*r);
  return out;
}

bool same_requests(const std::vector<Request>& a, const std::vector<Request>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].cycle != b[i].cycle || a[i].address != b[i].address || a[i].is_write != b[i].is_write) return false;
  return true;
}

}  // namespace

TEST_CASE("AddressDecoder decodes exactly like AddressMapping::decode", "[address][fast]") {
  const MemSpec ddr3 = ddr3_1600_micron_1Gb_x8(), ddr4 = ddr4_2400_jedec_4Gb_x8();
  std::uint64_t seed = 1;
  for (const AddressMapping& m : {ddr3_rbc_mapping(), ddr4_brc_mapping(), bank_group_interleaved_mapping(ddr3),
                                  bank_group_interleaved_mapping(ddr4), row_bank_column_mapping(ddr4)})
    check_decoder(m, seed++);
  // The shipped maps, in name order (a failure names the same seed on every file system).
  std::vector<std::string> shipped;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(ARCHGYM_SOURCE_DATA_DIR) + "/dram/addressmaps"))
    shipped.push_back(entry.path().string());
  std::sort(shipped.begin(), shipped.end());
  REQUIRE(shipped.size() == 5);
  for (const std::string& path : shipped) {
    INFO(path);
    check_decoder(load_address_mapping(path), seed++);
  }
  std::uint64_t s = 42;
  for (int i = 0; i < 200; ++i) {
    const AddressMapping m = scrambled_mapping(s, i % 4);
    INFO("scrambled mapping " << i);
    check_decoder(m, seed++);
  }
  // An empty mapping decodes everything to zeros.
  check_decoder(AddressMapping{}, seed);
}

TEST_CASE("StlTraceReader's block reader cuts lines like std::getline", "[trace][fast]") {
  // Lines of varying length (comments pad some to cross the 64 KiB block edges), CRLF
  // endings, blank lines, and a comment line longer than a whole block.
  std::uint64_t s = 7;
  std::string text;
  std::uint64_t cycle = 0;
  for (int i = 0; i < 12000; ++i) {
    cycle += splitmix(s) % 4;
    text += std::to_string(cycle) + ":" + (splitmix(s) % 2 ? "\t" : "  ") + (splitmix(s) % 3 ? "read" : "write") +
            "\t0x" + std::to_string(splitmix(s) % 100000);
    if (splitmix(s) % 7 == 0) text += " # " + std::string(splitmix(s) % 40, 'c');
    text += splitmix(s) % 5 == 0 ? "\r\n" : "\n";
    if (splitmix(s) % 50 == 0) text += "\n";
    if (i == 6000) text += "# " + std::string(200000, 'x') + "\n";
  }
  const std::vector<Request> expected = reference_read(text);
  REQUIRE(expected.size() == 12000);

  SECTION("with a final newline") {
    CHECK(same_requests(read_stl_file(temp_file("a.stl", text)), expected));
  }
  SECTION("without a final newline") {
    std::string t = text;
    while (!t.empty() && (t.back() == '\n' || t.back() == '\r')) t.pop_back();
    CHECK(same_requests(read_stl_file(temp_file("b.stl", t)), reference_read(t)));
  }
  SECTION("the last line alone, without newline, and an empty file") {
    CHECK(same_requests(read_stl_file(temp_file("c.stl", "5: write 0x40")), reference_read("5: write 0x40")));
    CHECK(read_stl_file(temp_file("d.stl", "")).empty());
  }
  SECTION("rewind after reading part of the file replays from the start") {
    const std::string path = temp_file("e.stl", text);
    StlTraceReader reader(path);
    Request r;
    for (int i = 0; i < 7000; ++i) REQUIRE(reader.next(r));
    reader.rewind();
    std::vector<Request> again;
    while (reader.next(r)) again.push_back(r);
    CHECK(same_requests(again, expected));
  }
  SECTION("an error past the first block names the right line") {
    std::string t = text + "1000000000: read nonsense\n";
    std::uint64_t lines = 0;
    for (char c : t) lines += c == '\n';
    const std::string path = temp_file("f.stl", t);
    CHECK_THROWS_WITH(read_stl_file(path), Catch::Matchers::Contains(path + ":" + std::to_string(lines) + ":"));
  }
}

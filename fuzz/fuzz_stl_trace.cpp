// libFuzzer target for the .stl trace parser (parse_stl_line and StlTraceReader).
// Input: any bytes, treated as a trace file. Properties checked beyond "no crash":
//  - every accepted line agrees with an independent std::from_chars parse of its
//    fields (no silent truncation of a cycle or an address);
//  - an accepted request re-serialised with write_stl parses back identically;
//  - a rejected line's error names the origin and the line number;
//  - StlTraceReader on the same bytes (via a memfd) yields exactly the accepted
//    requests, or fails on the first bad line or the first decreasing cycle.
#include <sys/mman.h>
#include <unistd.h>

#include <charconv>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_util.h"
#include "simulators/dram/trace.h"

using archgym::dram::Request;

namespace {

bool same(const Request& a, const Request& b) {
  return a.cycle == b.cycle && a.address == b.address && a.is_write == b.is_write;
}

std::string describe(const Request& r) {
  return std::to_string(r.cycle) + (r.is_write ? " write " : " read ") + std::to_string(r.address);
}

std::vector<std::string_view> fields(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    std::size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '\t') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

// Independent oracle for an accepted line: re-derive the request with from_chars.
void check_against_oracle(std::string_view line, const Request& got) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  line = line.substr(0, line.find('#'));
  const auto f = fields(line);
  FUZZ_REQUIRE(f.size() == 3 || f.size() == 4, std::string(line));
  FUZZ_REQUIRE(f[0].size() >= 2 && f[0].back() == ':', std::string(line));
  std::uint64_t cycle = 0;
  const char* cb = f[0].data();
  const char* ce = f[0].data() + f[0].size() - 1;
  auto rc = std::from_chars(cb, ce, cycle, 10);
  FUZZ_REQUIRE(rc.ec == std::errc() && rc.ptr == ce && cycle == got.cycle, std::string(line) + " -> " + describe(got));
  FUZZ_REQUIRE(f[1] == (got.is_write ? "write" : "read"), std::string(line));
  FUZZ_REQUIRE(f[2].size() > 2 && f[2][0] == '0' && (f[2][1] == 'x' || f[2][1] == 'X'), std::string(line));
  std::uint64_t address = 0;
  const char* ab = f[2].data() + 2;
  const char* ae = f[2].data() + f[2].size();
  rc = std::from_chars(ab, ae, address, 16);
  // from_chars reports out-of-range instead of wrapping: an accepted address must fit.
  FUZZ_REQUIRE(rc.ec == std::errc() && rc.ptr == ae && address == got.address,
               std::string(line) + " -> " + describe(got));
}

void check_round_trip(const Request& r) {
  std::ostringstream out;
  archgym::dram::write_stl(out, {r});
  std::string text = out.str();
  FUZZ_REQUIRE(!text.empty() && text.back() == '\n', text);
  text.pop_back();
  const auto back = archgym::dram::parse_stl_line(text, 1, "roundtrip");
  FUZZ_REQUIRE(back && same(*back, r), text + " vs " + describe(r));
}

// Reads the bytes through the real file reader: an anonymous in-memory file.
struct MemFile {
  int fd = -1;
  explicit MemFile(std::string_view data) {
    fd = memfd_create("stl", 0);
    if (fd < 0) archgym::fuzz::property_failed("memfd_create", "");
    std::size_t done = 0;
    while (done < data.size()) {
      const ssize_t n = write(fd, data.data() + done, data.size() - done);
      if (n <= 0) archgym::fuzz::property_failed("write to memfd", "");
      done += static_cast<std::size_t>(n);
    }
  }
  ~MemFile() { close(fd); }
  std::string path() const { return "/proc/self/fd/" + std::to_string(fd); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string origin = "fuzz.stl";

  // Line by line, as the reader splits them (std::getline on '\n').
  std::vector<Request> expected;
  bool expect_error = false;
  std::uint64_t line_number = 0;
  std::size_t pos = 0;
  while (pos < input.size() && !expect_error) {
    std::size_t end = input.find('\n', pos);
    if (end == std::string_view::npos) end = input.size();
    const std::string_view line = input.substr(pos, end - pos);
    pos = end + 1;
    ++line_number;
    try {
      const auto r = archgym::dram::parse_stl_line(line, line_number, origin);
      if (!r) continue;
      check_against_oracle(line, *r);
      check_round_trip(*r);
      if (!expected.empty() && r->cycle < expected.back().cycle) expect_error = true;
      else expected.push_back(*r);
    } catch (const std::invalid_argument& e) {
      archgym::fuzz::require_names_origin(e.what(), origin + ":" + std::to_string(line_number));
      expect_error = true;
    }
  }

  // The streaming reader must agree exactly, including on where it stops.
  MemFile file(input);
  std::vector<Request> got;
  bool got_error = false;
  try {
    archgym::dram::StlTraceReader reader(file.path());
    Request r;
    while (reader.next(r)) got.push_back(r);
    // rewind() must replay the same requests.
    reader.rewind();
    for (const Request& first : got) {
      FUZZ_REQUIRE(reader.next(r) && same(r, first), "rewind replay differs");
    }
    FUZZ_REQUIRE(!reader.next(r), "rewind replay is longer");
  } catch (const std::invalid_argument& e) {  // malformed input; I/O errors (runtime_error) are failures here
    archgym::fuzz::require_names_origin(e.what(), file.path());
    got_error = true;
  }
  FUZZ_REQUIRE(got_error == expect_error, got_error ? "reader rejected an accepted input" : "reader accepted a bad input");
  FUZZ_REQUIRE(got.size() == expected.size(), std::to_string(got.size()) + " vs " + std::to_string(expected.size()));
  for (std::size_t i = 0; i < got.size(); ++i) FUZZ_REQUIRE(same(got[i], expected[i]), describe(got[i]));
  return 0;
}

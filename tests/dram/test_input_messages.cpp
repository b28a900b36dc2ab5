// What the library's error messages quote from outside (paths, names, JSON keys and
// values) is shown as one line of bounded length: a path with a newline or an escape
// sequence made a message of two lines or cleared the terminal, and a 100 kB JSON string
// made a 100 kB message (found in a review of the messages).
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include "simulators/dram/address_mapping.h"
#include "simulators/dram/message_text.h"
#include "simulators/dram/memspec.h"
#include "simulators/dram/simulator.h"
#include "simulators/dram/trace.h"
#include "tests/catch.h"

using namespace archgym::dram;
using Catch::Matchers::Contains;

namespace {

namespace fs = std::filesystem;

fs::path scratch() {
  const fs::path dir = fs::path(ARCHGYM_TEST_BINARY_DIR) / "dram_input_messages";
  fs::create_directories(dir);
  return dir;
}

std::string write(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
  return path.string();
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  FAIL("no exception");
  return "";
}

// One line of printable ASCII or UTF-8, at most `max` bytes.
void require_one_bounded_line(const std::string& message, std::size_t max = 600) {
  INFO(message);
  CHECK(message.size() <= max);
  for (const char c : message) CHECK((static_cast<unsigned char>(c) >= 0x20 && c != 0x7F));
}

const std::string kDdr3 = std::string(ARCHGYM_SOURCE_DATA_DIR) + "/dram/memspecs/MICRON_1Gb_DDR3-1600_8bit_G.json";

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("printable and printable_name escape control bytes and cut long text", "[messages]") {
  CHECK(printable("0: read\t0x0") == "0: read\t0x0");
  CHECK(printable("a\nb\x1b[2J\x7f") == "a\\x0Ab\\x1B[2J\\x7F");
  CHECK(printable(std::string("a\0b", 3)) == "a\\x00b");
  // File content is ASCII when valid: other bytes show as bytes, UTF-8 or not.
  CHECK(printable("r\xc3\xa9" "ad") == "r\\xC3\\xA9ad");
  CHECK(printable(std::string(300, 'x'), 120) == std::string(120, 'x') + "... (300 bytes)");
  // A user's own names keep their letters, but nothing that breaks or reorders a line.
  CHECK(printable_name("donn\xc3\xa9" "es.stl") == "donn\xc3\xa9" "es.stl");
  CHECK(printable_name("a\xe2\x80\xae" "lts.json") == "a\\xE2\\x80\\xAElts.json");  // U+202E, right-to-left override
  CHECK(printable_name("a\xe2\x80\xa8" "b") == "a\\xE2\\x80\\xA8b");                  // U+2028, line separator
  CHECK(printable_name("a\xc2\x85" "b") == "a\\xC2\\x85b");                           // U+0085, next line
  CHECK(printable_name("x\xe9y") == "x\\xE9y");                                       // not UTF-8
  CHECK(printable_name(std::string(100000, 'p')) == std::string(200, 'p') + "... (100000 bytes)");
  // A character is shown whole or not at all.
  const std::string cut = printable_name(std::string(199, 'p') + "\xc3\xa9");
  CHECK(cut == std::string(199, 'p') + "... (201 bytes)");
  CHECK(errno_reason(0).empty());
  CHECK(errno_reason(ELOOP) == ": Too many levels of symbolic links");
}

TEST_CASE("trace, memspec and address-map messages show a path as one bounded line", "[messages][trace]") {
  const fs::path dir = scratch();
  const std::string odd = "odd\n\x1b[2J";  // a newline and "clear the screen"
  const std::string shown = "odd\\x0A\\x1B[2J";
  const std::string trace = write(dir / (odd + ".stl"), "0: read 0x0\n1: fetch 0x40\n");
  std::string m = message_of([&] { read_stl_file(trace); });
  CHECK_THAT(m, Contains(shown + ".stl:2: expected"));
  require_one_bounded_line(m);
  write(dir / (odd + ".stl"), "5: read 0x0\n1: read 0x40\n");
  m = message_of([&] { read_stl_file(trace); });
  CHECK_THAT(m, Contains(shown + ".stl:2: cycle 1 is earlier"));
  require_one_bounded_line(m);

  const std::string memspec = write(dir / (odd + ".json"), "{\"memspec\": {}}");
  m = message_of([&] { load_memspec(memspec); });
  CHECK_THAT(m, Contains(shown + ".json:1: memspec.memoryType: missing required key"));
  require_one_bounded_line(m);
  m = message_of([&] { load_address_mapping(memspec); });
  CHECK_THAT(m, Contains(shown + ".json: CONGEN: missing required root key"));
  require_one_bounded_line(m);

  // A name of 100 kB: cut, in the loaders' messages and in the parsers' (whose origin is any text).
  const std::string long_name = "/nonexistent/" + std::string(100000, 'n');
  for (const auto& load : std::vector<std::function<void()>>{[&] { StlTraceReader r(long_name); },
                                                            [&] { load_memspec(long_name); },
                                                            [&] { load_address_mapping(long_name); },
                                                            [&] { memspec_by_name_or_path(long_name); },
                                                            [&] { parse_stl_line("x", 1, long_name); },
                                                            [&] { parse_memspec_json("[", long_name); },
                                                            [&] { parse_address_mapping_json("{}", long_name); }}) {
    m = message_of(load);
    CHECK_THAT(m, Contains("/nonexistent/nnnn") && Contains("... (100013 bytes)"));
    require_one_bounded_line(m);
  }
  m = message_of([&] { StlTraceReader r(long_name); });
  CHECK_THAT(m, Contains(": cannot open trace file: File name too long"));
  // Names that are no file: a pattern, a shipped trace, a memspec preset.
  for (const auto& f : std::vector<std::function<void()>>{[&] { parse_pattern(odd); },
                                                         [&] { default_trace_path(odd); },
                                                         [&] { memspec_by_name_or_path(odd); }}) {
    m = message_of(f);
    CHECK_THAT(m, Contains("\"" + shown + "\""));
    require_one_bounded_line(m);
  }
}

TEST_CASE("a file that cannot be opened is named with the system's reason", "[messages][trace]") {
  const fs::path dir = scratch();
  const fs::path loop = dir / "loop";
  fs::remove(loop);
  fs::create_symlink(loop.filename(), loop);
  CHECK_THROWS_WITH(StlTraceReader(loop.string()),
                    loop.string() + ": cannot open trace file: Too many levels of symbolic links");
  CHECK_THROWS_WITH(load_memspec(loop.string()),
                    loop.string() + ": cannot open memspec file: Too many levels of symbolic links");
  CHECK_THROWS_WITH(load_address_mapping(loop.string()),
                    loop.string() + ": cannot open address-mapping file: Too many levels of symbolic links");
  CHECK_THROWS_WITH(StlTraceReader("/nonexistent/t.stl"),
                    "/nonexistent/t.stl: cannot open trace file: No such file or directory");
  // A name without '/' or ".json" was "unknown memspec" unless it opened: for a name in the
  // file system, whatever its trouble, the reason instead.
  const fs::path cwd = fs::current_path();
  fs::current_path(dir);
  const std::string local = message_of([] { memspec_by_name_or_path("loop"); });
  fs::current_path(cwd);
  CHECK(local == "loop: cannot open memspec file: Too many levels of symbolic links");
}

TEST_CASE("memspec and address-map files that never end are refused, not read into memory", "[messages]") {
  // /dev/zero was read until memory ran out.
  CHECK_THROWS_WITH(load_memspec("/dev/zero"),
                    "/dev/zero: larger than 16 MiB; is it a memspec file? (they are a few kB)");
  CHECK_THROWS_WITH(load_address_mapping("/dev/zero"),
                    "/dev/zero: larger than 16 MiB; is it an address-mapping file? (they are a few kB)");
}

TEST_CASE("memspec messages quote JSON keys and values escaped and cut", "[messages][memspec]") {
  const std::string text = slurp(kDdr3);
  auto edited = [&](const std::string& from, const std::string& to) {
    std::string t = text;
    REQUIRE(t.find(from) != std::string::npos);
    return t.replace(t.find(from), from.size(), to);
  };
  // A 100 kB string where a timing belongs.
  std::string m = message_of([&] {
    parse_memspec_json(edited("\"RCD\": 10", "\"RCD\": \"" + std::string(100000, 'x') + "\""), "m.json");
  });
  CHECK_THAT(m, Contains("m.json:40: memspec.memtimingspec.RCD: expected an integer (allowed: 1..16777216), "
                         "got \"xxx") &&
                    Contains("... (100002 bytes)"));
  require_one_bounded_line(m);
  // A repeated key with a newline and an escape sequence in it.
  const std::string twice = "\"a\\n\\u001b[2J\": 1, \"a\\n\\u001b[2J\": 2, \"RCD\": 10";
  m = message_of([&] { parse_memspec_json(edited("\"RCD\": 10", twice), "m.json"); });
  CHECK_THAT(m, Contains("m.json:40: memspec.memtimingspec.a\\x0A\\x1B[2J: key given twice"));
  require_one_bounded_line(m);
  // A misspelt optional key, likewise.
  m = message_of([&] { parse_memspec_json(edited("\"nbrOfChannels\": 1", "\"nbrOfChannel\\u0007\": 1"), "m.json"); });
  CHECK_THAT(m, Contains("m.json:12: memspec.memarchitecturespec.nbrOfChannel\\x07: unknown key, one typo away"));
  require_one_bounded_line(m);
  // An unterminated string: nlohmann quotes it to the end of the file, bytes not UTF-8 too.
  m = message_of([&] { parse_memspec_json("{\"memspec\": \"\xe9" + std::string(100000, 'y'), "m.json"); });
  CHECK_THAT(m, Contains("m.json: invalid JSON: [json.exception.parse_error.101] parse error at line 1"));
  require_one_bounded_line(m);
  m = message_of(
      [&] { parse_memspec_json(edited("\"memoryType\": \"DDR3\"", "\"memoryType\": \"DDR3\\n\""), "m.json"); });
  CHECK(m == "m.json:15: memspec.memoryType: unsupported memory type \"DDR3\\n\" (supported: DDR3, DDR4)");
}

TEST_CASE("memspec: memoryId must be one printable line, as it is printed", "[messages][memspec]") {
  const std::string text = slurp(kDdr3);
  const std::string id = "\"memoryId\": \"MICRON_1Gb_DDR3-1600_8bit_G\"";
  REQUIRE(text.find(id) != std::string::npos);
  for (const std::string& bad : {std::string("\"a\\nb\""), std::string("\"\""), std::string("\"\\u001b[2J\""),
                                 "\"" + std::string(201, 'i') + "\""}) {
    std::string t = text;
    t.replace(t.find(id), id.size(), "\"memoryId\": " + bad);
    INFO(bad);
    const std::string m = message_of([&] { parse_memspec_json(t, "id.json"); });
    CHECK_THAT(m, Contains("id.json:14: memspec.memoryId: must be a name: one line of printable text, 1 to 200 bytes"));
    require_one_bounded_line(m);
  }
}

TEST_CASE("check_memory names the memspec's origin and key, and shows both origins safely", "[messages]") {
  MemSpec two = ddr3_1600_micron_1Gb_x8();
  two.channels = 2;
  CHECK_THROWS_WITH(check_memory(two, "two.json", ddr3_rbc_mapping(), "rbc"),
                    "two.json: memspec.memarchitecturespec.nbrOfChannels: memspec 'MICRON_1Gb_DDR3-1600_8bit_G' has 2 "
                    "channels; the simulator models one channel (allowed: 1)");
  const std::string m = message_of(
      [] { check_memory(ddr4_2400_jedec_4Gb_x8(), "DDR4-2400", ddr3_rbc_mapping(), "am\n" + std::string(1000, 'a')); });
  CHECK_THAT(m, Contains("am\\x0Aaaa") && Contains("... (1003 bytes): BANKGROUP_BIT has 0 bits"));
  require_one_bounded_line(m);
}

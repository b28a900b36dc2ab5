// The DRAM env refuses, at construction, workloads and option combinations that would
// fail every evaluation or silently do nothing (found by a bug bash).
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

#include "core/input_files.h"
#include "core/registry.h"
#include "tests/catch.h"

using namespace archgym;
using Catch::Contains;
using Catch::StartsWith;

namespace {

namespace fs = std::filesystem;

std::string write_trace(const std::string& name, const std::string& text) {
  const fs::path dir = fs::path(ARCHGYM_TEST_BINARY_DIR) / "dram_env_inputs";
  fs::create_directories(dir);
  const fs::path path = dir / name;
  std::ofstream(path, std::ios::binary) << text;
  return path.string();
}

}  // namespace

TEST_CASE("dram env: a trace timestamp beyond the time limit fails construction, naming the line") {
  const std::string far = write_trace("far.stl", "0: read 0x0\n# gap\n1000000000000000: read 0x40\n");
  CHECK_THROWS_AS(make_env("dram", {{"workload", far}}), std::invalid_argument);
  CHECK_THROWS_WITH(make_env("dram", {{"workload", far}}),
                    Contains("env 'dram': trace " + far + ":3: request 2 at cycle 1000000000000000") &&
                        Contains("at most cycle 2880000000000 of the 800 MHz trace clock") &&
                        Contains("1 hour of simulated time"));
  // The limit follows the trace clock.
  CHECK_THROWS_WITH(make_env("dram", {{"workload", far}, {"trace_clock_mhz", "1000"}}),
                    Contains("at most cycle 3600000000000 of the 1000 MHz trace clock"));
  // From 2^63 on: out of range, not "decreasing".
  const std::string huge = write_trace("huge.stl", "0: read 0x0\n18446744073709551615: read 0x40\n");
  CHECK_THROWS_WITH(make_env("dram", {{"workload", huge}}),
                    Contains(huge + ":2: request 2 at cycle 18446744073709551615 is beyond"));
  const std::string back = write_trace("back.stl", "10: read 0x0\n5: read 0x40\n");
  CHECK_THROWS_WITH(make_env("dram", {{"workload", back}}),
                    Contains(back + ":2: cycle 5 is earlier than the previous request's cycle 10"));
  // Generated: 100 requests, one per 10^6 cycles, end within the hour.
  CHECK_NOTHROW(make_env("dram", {{"generator", "stream"}, {"requests", "100"}, {"injection_rate", "1e-6"}}));
  CHECK_THROWS_WITH(
      make_env("dram", {{"generator", "stream"}, {"requests", "100000000"}, {"injection_rate", "1e-6"}}),
      Contains("the generated workload (requests 100000000, injection_rate 1e-06): its last request at cycle") &&
          Contains("use fewer requests or a higher injection_rate"));
}

TEST_CASE("dram env: generator options without a generator, and a workload with one, are refused") {
  CHECK_THROWS_WITH(make_env("dram", {{"read_ratio", "0.5"}}),
                    Contains("env 'dram': option read_ratio = 0.5 applies only to a generated workload, "
                             "but generator is none") &&
                        Contains("stream, random, strided, mixed"));
  CHECK_THROWS_WITH(make_env("dram", {{"stride", "128"}}), Contains("option stride = 128 applies only"));
  CHECK_THROWS_WITH(make_env("dram", {{"workload", "random"}, {"requests", "5"}}),
                    Contains("option requests = 5 applies only"));
  CHECK_THROWS_WITH(make_env("dram", {{"generator", "stream"}, {"workload", "nonexist.stl"}}),
                    Contains("env 'dram': options workload ('nonexist.stl') and generator ('stream') exclude "
                             "each other"));
  CHECK_THROWS_WITH(make_env("dram", {{"generator", "random"}, {"stride", "128"}}),
                    Contains("option stride = 128 applies only to generator strided, but generator is random"));
  CHECK_NOTHROW(make_env("dram", {{"generator", "strided"}, {"stride", "128"}, {"requests", "10"}}));
}

TEST_CASE("dram env: an option given with its default value counts as given") {
  // workload=stream is the default: it was accepted with a generator, and ignored.
  CHECK_THROWS_WITH(make_env("dram", {{"generator", "random"}, {"requests", "100"}, {"workload", "stream"}}),
                    Contains("env 'dram': options workload ('stream') and generator ('random') exclude each other"));
  CHECK_THROWS_WITH(make_env("dram", {{"workload", "stream"}, {"read_ratio", "1"}}),
                    Contains("option read_ratio = 1 applies only to a generated workload, but generator is none"));
  CHECK_THROWS_WITH(make_env("dram", {{"generator", "random"}, {"requests", "100"}, {"stride", "64"}}),
                    Contains("option stride = 64 applies only to generator strided, but generator is random"));
  // Left at their defaults, or given where they apply, they pass.
  CHECK_NOTHROW(make_env("dram", {{"generator", "random"}, {"requests", "100"}}));
  CHECK_NOTHROW(make_env("dram", {{"workload", "stream"}, {"generator", "none"}}));
  CHECK_NOTHROW(make_env("dram", {{"generator", "strided"}, {"stride", "64"}, {"requests", "100"}}));
  // A run rebuilt from the store has every option, defaults too (none marked as given):
  // a generated workload's stored workload=stream must not stop its resume.
  const Schema& schema = EnvRegistry::instance().get("dram").schema;
  const Options stored = schema.parse_json(
      env_options("dram", {{"generator", "random"}, {"requests", "100"}}).to_json(), "run 1");
  CHECK(stored.string("workload") == "stream");
  CHECK_FALSE(stored.given("workload"));
  CHECK_NOTHROW(build_env("dram", stored));
}

TEST_CASE("dram env: workload, memspec and addressmap must be regular files") {
  const std::string dir = ARCHGYM_TEST_BINARY_DIR;
  CHECK_THROWS_WITH(make_env("dram", {{"workload", dir}}), Contains("env 'dram': workload '" + dir + "' is a directory"));
  CHECK_THROWS_WITH(make_env("dram", {{"memspec", dir}}), Contains("env 'dram': memspec '" + dir + "' is a directory"));
  CHECK_THROWS_WITH(make_env("dram", {{"addressmap", dir}}),
                    Contains("env 'dram': addressmap '" + dir + "' is a directory"));
  // /dev/null is a character device (like /dev/stdin on a pipe): read twice, it was "no requests".
  CHECK_THROWS_WITH(make_env("dram", {{"workload", "/dev/null"}}),
                    Contains("env 'dram': workload '/dev/null' must be a regular file") &&
                        Contains("a pipe or device reads differently each time"));
  CHECK_THROWS_WITH(make_env("dram", {{"memspec", "/dev/null"}}), Contains("memspec '/dev/null' must be a regular file"));
  CHECK_THROWS_WITH(make_env("dram", {{"addressmap", "/dev/null"}}),
                    Contains("addressmap '/dev/null' must be a regular file"));
}

TEST_CASE("dram env: the recorded digests are of the bytes it parsed, even if a file is replaced later") {
  // A run records inputs_json(env.input_files()); computed by reading the files again, it
  // described a trace replaced after the env had parsed the old one, and a resume then
  // accepted the new file into the same run (found by a tester).
  const std::string trace = write_trace("replaced.stl", "0:\tread\t0x0\n8:\tread\t0x40\n");
  const std::string map = std::string(ARCHGYM_SOURCE_DATA_DIR) + "/dram/addressmaps/am_ddr3_8x1Gbx8_dimm_p1KB_rbc.json";
  const std::string memspec_copy = write_trace("memspec.json", "");
  fs::copy_file(std::string(ARCHGYM_SOURCE_DATA_DIR) + "/dram/memspecs/MICRON_1Gb_DDR3-1600_8bit_G.json", memspec_copy,
                fs::copy_options::overwrite_existing);
  const auto env = make_env("dram", {{"workload", trace}, {"memspec", memspec_copy}, {"addressmap", map}});
  const std::string parsed = inputs_json(env->input_files());
  CHECK(parsed.find(file_digest(trace)) != std::string::npos);
  CHECK(parsed.find(file_digest(memspec_copy)) != std::string::npos);
  CHECK(parsed.find(file_digest(map)) != std::string::npos);
  write_trace("replaced.stl", "0:\tread\t0x80\n");
  std::ofstream(memspec_copy, std::ios::app) << " ";
  CHECK(inputs_json(env->input_files()) == parsed);
  CHECK(changed_inputs(parsed, inputs_json(make_env("dram", {{"workload", trace}, {"memspec", memspec_copy},
                                                              {"addressmap", map}})->input_files()))
            .find("workload") != std::string::npos);
}

TEST_CASE("dram env: a file-system error names the option, and a long name is cut") {
  // Both were a bare "filesystem error: status: File name too long [bbb...]" with the whole
  // name, without saying which option (found by a tester).
  const std::string long_name = std::string(300, 'b') + ".stl";
  CHECK_THROWS_WITH(make_env("dram", {{"workload", long_name}}),
                    "env 'dram': workload '" + long_name.substr(0, 200) + "... (304 bytes)': File name too long");
  const fs::path loop = fs::path(write_trace("unused.stl", "")).parent_path() / "loop.stl";
  fs::remove(loop);
  fs::create_symlink(loop.filename(), loop);
  CHECK_THROWS_WITH(make_env("dram", {{"addressmap", loop.string()}}),
                    "env 'dram': addressmap '" + loop.string() + "': Too many levels of symbolic links");
}

TEST_CASE("dram env: a device the simulator cannot model fails construction, not every evaluation") {
  std::ifstream in(std::string(ARCHGYM_SOURCE_DATA_DIR) + "/dram/memspecs/MICRON_1Gb_DDR3-1600_8bit_G.json");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto edited = [&](const std::string& from, const std::string& to) {
    std::string t = text;
    REQUIRE(t.find(from) != std::string::npos);
    return t.replace(t.find(from), from.size(), to);
  };
  // Two channels: every design was an invalid evaluation ("no valid design found").
  const std::string two = write_trace("two_channels.json", edited("\"nbrOfChannels\": 1", "\"nbrOfChannels\": 2"));
  CHECK_THROWS_WITH(make_env("dram", {{"memspec", two}, {"addressmap", "rbc"}}),
                    Contains("has 2 channels; the simulator models one channel"));
  // 65 address bits: the generated mapping shifted by 64 (undefined) and decoded garbage.
  std::string huge = edited("\"nbrOfRows\": 16384", "\"nbrOfRows\": 16777216");
  huge.replace(huge.find("\"nbrOfColumns\": 1024"), 20, "\"nbrOfColumns\": 1048576");
  huge.replace(huge.find("\"width\": 8"), 10, "\"width\": 1024");
  huge.replace(huge.find("\"nbrOfDevicesOnDIMM\": 8"), 23, "\"nbrOfDevicesOnDIMM\": 1024");
  huge.replace(huge.find("\"nbrOfRanks\": 1"), 15, "\"nbrOfRanks\": 2");  // bit 65
  const std::string big = write_trace("65_bits.json", huge);
  for (const char* map : {"row-bank-col", "bg-interleaved"})
    CHECK_THROWS_WITH(make_env("dram", {{"memspec", big}, {"addressmap", map}}),
                      Contains("needs more than 64 address bits"));
}

TEST_CASE("dram env: a path with a newline or an escape sequence stays one line, in the env's messages and the library's") {
  // The env cut and cleaned the paths of its own messages, but passed those of the DRAM
  // library (trace lines, memspecs, address maps, the device check) through raw.
  const std::string odd = "b\nad\x1b[2J";
  auto one_line = [](const std::string& message) {
    INFO(message);
    for (const char c : message) CHECK(static_cast<unsigned char>(c) >= 0x20);
  };
  auto message_of = [](const std::map<std::string, std::string>& options) {
    try {
      make_env("dram", options);
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    FAIL("accepted");
    return std::string();
  };
  const std::string bad_line = write_trace(odd + "1.stl", "0: read 0x0\n1: fetch 0x40\n");
  std::string m = message_of({{"workload", bad_line}});
  CHECK_THAT(m, Contains("b\\x0Aad\\x1B[2J1.stl:2: expected"));
  one_line(m);
  const std::string far = write_trace(odd + "2.stl", "1000000000000000: read 0x0\n");
  m = message_of({{"workload", far}});
  CHECK_THAT(m, Contains("env 'dram': trace ") && Contains("b\\x0Aad\\x1B[2J2.stl:1: request 1 at cycle"));
  one_line(m);
  const std::string empty = write_trace(odd + "3.stl", "# nothing\n");
  m = message_of({{"workload", empty}});
  CHECK_THAT(m, Contains("b\\x0Aad\\x1B[2J3.stl' holds no requests"));
  one_line(m);
  const std::string beyond = write_trace(odd + "4.stl", "0: read 0x40000000\n");
  m = message_of({{"workload", beyond}});
  CHECK_THAT(m, Contains("b\\x0Aad\\x1B[2J4.stl' addresses beyond the device"));
  one_line(m);
  const std::string memspec = write_trace(odd + ".json", "{\"memspec\": {}}");
  m = message_of({{"memspec", memspec}});
  CHECK_THAT(m, Contains("env 'dram': memspec: ") && Contains("b\\x0Aad\\x1B[2J.json:1: memspec.memoryType: missing"));
  one_line(m);
  m = message_of({{"addressmap", memspec}});
  CHECK_THAT(m, Contains("env 'dram': addressmap: ") && Contains("b\\x0Aad\\x1B[2J.json: CONGEN: missing"));
  one_line(m);
  // The device check names the memspec (it named only its id) and the key.
  std::ifstream in(std::string(ARCHGYM_SOURCE_DATA_DIR) + "/dram/memspecs/MICRON_1Gb_DDR3-1600_8bit_G.json");
  std::string spec((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  spec.replace(spec.find("\"nbrOfChannels\": 1"), 18, "\"nbrOfChannels\": 2");
  const std::string two = write_trace(odd + "_two.json", spec);
  m = message_of({{"memspec", two}});
  CHECK_THAT(m, Contains("env 'dram': memspec ") &&
                    Contains("b\\x0Aad\\x1B[2J_two.json: memspec.memarchitecturespec.nbrOfChannels: memspec "
                             "'MICRON_1Gb_DDR3-1600_8bit_G' has 2 channels"));
  one_line(m);
  m = message_of({{"memspec", "DDR4-2400"}, {"addressmap", "rbc"}});
  CHECK_THAT(m, StartsWith("env 'dram': addressmap rbc: BANKGROUP_BIT has 0 bits"));
}

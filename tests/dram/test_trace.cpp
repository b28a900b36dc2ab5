// Trace input: the shipped .stl files, strict parsing with file:line errors, the
// writer round trip, and the synthetic generators (determinism, statistics, patterns).
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "simulators/dram/trace.h"
#include "tests/dram/dram_sim_fixtures.h"
#include "tests/catch.h"

using namespace archgym::dram;
using archgym::dram::testing::read_requests;
using Catch::Matchers::Contains;

namespace {

std::string temp_file(const std::string& name, const std::string& content) {
  const std::string path = std::string(ARCHGYM_TEST_BINARY_DIR) + "/h1_trace_" + name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

std::vector<Request> generate(GeneratorConfig cfg) {
  GeneratedTrace g(cfg);
  return read_requests(g);
}

}  // namespace

TEST_CASE("shipped stream.stl: 10000 reads, first address 0x0, last line as in the file", "[trace]") {
  const auto requests = read_stl_file(default_trace_path("stream"));
  REQUIRE(requests.size() == 10000);
  for (const auto& r : requests) REQUIRE_FALSE(r.is_write);
  CHECK(requests.front().address == 0x0);
  CHECK(requests.front().cycle == 0);
  CHECK(requests[1].address == 0x40);
  CHECK(requests.back().cycle == 9999);       // file: `9999:	read	0x9C3C0`
  CHECK(requests.back().address == 0x9C3C0);
  for (const auto& name : default_trace_names()) {
    INFO(name);
    CHECK(read_stl_file(default_trace_path(name)).size() == 10000);
  }
  CHECK(read_stl_file(default_trace_path("cloud-2")).front().address == 0x3B22EDC0);
}

TEST_CASE("StlTraceReader streams, rewinds, and accepts spaces, comments, CRLF and a data column", "[trace]") {
  const std::string path = temp_file(
      "ok.stl",
      "# header comment\n"
      "0:\tread\t0x40\n"
      "\n"
      "5: write 0xABCDEF   0x00112233445566778899\n"
      "5:  read  0X10  # trailing comment\r\n"
      "18446744073709551615:\twrite\t0xFFFFFFFFFFFFFFFF\n");
  StlTraceReader reader(path);
  for (int pass = 0; pass < 2; ++pass) {
    const auto r = read_requests(reader);
    REQUIRE(r.size() == 4);
    CHECK((r[0].cycle == 0 && r[0].address == 0x40 && !r[0].is_write));
    CHECK((r[1].cycle == 5 && r[1].address == 0xABCDEF && r[1].is_write));
    CHECK((r[2].cycle == 5 && r[2].address == 0x10 && !r[2].is_write));
    CHECK((r[3].cycle == UINT64_MAX && r[3].address == UINT64_MAX && r[3].is_write));
    reader.rewind();
  }
}

TEST_CASE("malformed trace lines give FILE:LINE errors quoting the line", "[trace]") {
  const char* bad_lines[] = {
      "10 read 0x40",                   // no colon
      "10: fetch 0x40",                 // unknown command
      "10: READ 0x40",                  // commands are lower case (DRAMSys)
      "10: read 40",                    // address without 0x
      "10: read 0xZZ",                  // not hex
      "10: read 0x",                    // empty address
      "10: read 0x10000000000000000",   // 17 significant digits: overflow
      "-1: read 0x40",                  // negative cycle
      "1.5: read 0x40",                 // fractional cycle
      "18446744073709551616: read 0x40",  // cycle overflow
      "10: read",                       // missing address
      "10: read 0x40 0x11 extra",       // trailing junk
      "10: read 0x40 junk",             // data column not hex
      ":read 0x40",                     // empty cycle
  };
  for (const char* bad : bad_lines) {
    INFO(bad);
    const std::string path = temp_file("bad.stl", std::string("0:\tread\t0x0\n# comment\n") + bad + "\n");
    StlTraceReader reader(path);
    Request r;
    REQUIRE(reader.next(r));
    CHECK_THROWS_WITH(reader.next(r), Contains(path + ":3: expected `<cycle>: read|write 0x<hex address>`, got `" +
                                                std::string(bad) + "`"));
  }
}

TEST_CASE("decreasing cycles and missing files are errors naming the line or file", "[trace]") {
  const std::string path = temp_file("decreasing.stl", "0: read 0x0\n10: read 0x40\n9: read 0x80\n");
  CHECK_THROWS_WITH(read_stl_file(path), Contains(path + ":3") && Contains("cycle 9") && Contains("10"));
  CHECK_THROWS_WITH(StlTraceReader("/nonexistent/t.stl"), Contains("/nonexistent/t.stl"));
  const std::string dir = ARCHGYM_TEST_BINARY_DIR;  // not "read error"
  CHECK_THROWS_WITH(StlTraceReader(dir), Contains(dir + ": is a directory, not a trace file"));
}

TEST_CASE("a line with no end (a binary file, /dev/zero) is refused, not buffered without bound", "[trace]") {
  const std::string path = temp_file("endless.stl", "0: read 0x0\n" + std::string(3 << 20, 'a'));
  StlTraceReader reader(path);
  Request r;
  REQUIRE(reader.next(r));
  CHECK_THROWS_WITH(reader.next(r), Contains(path + ":2: a line longer than 1 MiB (no newline in its first 1 MiB; every line, a comment too, must be shorter)"));
  CHECK_THROWS_WITH(read_stl_file("/dev/zero"), Contains("/dev/zero:1: a line longer than 1 MiB"));
  // The bound is exact, wherever the line falls across the reader's blocks.
  for (const std::size_t offset : {std::size_t{0}, std::size_t{5000}}) {
    const std::string lead(offset, '#');
    const std::string at_bound = temp_file("at_bound.stl", lead + "\n# " + std::string((1 << 20) - 2, 'c') + "\n0: read 0x40\n");
    CHECK(read_stl_file(at_bound).size() == 1);
    const std::string beyond = temp_file("beyond.stl", lead + "\n# " + std::string((1 << 20) - 1, 'c') + "\n0: read 0x40\n");
    CHECK_THROWS_WITH(read_stl_file(beyond), Contains(beyond + ":2: a line longer than 1 MiB"));
  }
  // A long comment below the bound is still a comment.
  const std::string commented = temp_file("long_comment.stl", "# " + std::string(100000, 'c') + "\n0: read 0x40\n");
  CHECK(read_stl_file(commented).size() == 1);
}

TEST_CASE("write_stl output reads back identically, and VectorTrace replays", "[trace]") {
  GeneratorConfig cfg;
  cfg.pattern = Pattern::Mixed;
  cfg.requests = 500;
  cfg.read_ratio = 0.6;
  cfg.injection_rate = 0.3;
  const auto original = generate(cfg);
  std::ostringstream text;
  write_stl(text, original);
  CHECK(text.str().rfind("0:\t", 0) == 0);
  const auto back = read_stl_file(temp_file("roundtrip.stl", text.str()));
  REQUIRE(back.size() == original.size());
  for (std::size_t i = 0; i < back.size(); ++i) {
    REQUIRE(back[i].cycle == original[i].cycle);
    REQUIRE(back[i].address == original[i].address);
    REQUIRE(back[i].is_write == original[i].is_write);
  }
  VectorTrace v(std::make_shared<const std::vector<Request>>(original));
  CHECK(v.size() == 500);
  CHECK(read_requests(v).size() == 500);
  CHECK(read_requests(v).empty());
  v.rewind();
  CHECK(read_requests(v).back().address == original.back().address);
}

TEST_CASE("generators are deterministic per seed and rewind replays", "[trace]") {
  for (Pattern p : {Pattern::Stream, Pattern::Random, Pattern::Strided, Pattern::Mixed}) {
    GeneratorConfig cfg;
    cfg.pattern = p;
    cfg.requests = 1000;
    cfg.read_ratio = 0.5;
    cfg.seed = 7;
    const auto a = generate(cfg);
    const auto b = generate(cfg);
    cfg.seed = 8;
    const auto c = generate(cfg);
    bool same = true, differs = false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      same = same && a[i].address == b[i].address && a[i].is_write == b[i].is_write && a[i].cycle == b[i].cycle;
      differs = differs || a[i].address != c[i].address || a[i].is_write != c[i].is_write;
    }
    CHECK(same);
    CHECK(differs);
    GeneratedTrace g(cfg);
    const auto first = read_requests(g);
    g.rewind();
    CHECK(read_requests(g).front().address == first.front().address);
  }
  // Pinned values: the generator is fully specified (splitmix64), so these never change.
  GeneratorConfig cfg;
  cfg.pattern = Pattern::Random;
  cfg.requests = 3;
  cfg.seed = 1;
  const auto r = generate(cfg);
  std::ostringstream pinned;
  write_stl(pinned, r);
  // Independently computed with a 6-line Python splitmix64 (address draw, then direction draw).
  CHECK(pinned.str() == "0:\tread\t0x973040\n1:\tread\t0xC955780\n2:\tread\t0x6D6E40\n");
}

TEST_CASE("generator patterns: stream, strided, random footprint", "[trace]") {
  GeneratorConfig cfg;
  cfg.pattern = Pattern::Stream;
  cfg.requests = 10;
  cfg.base_address = 0x1000;
  cfg.footprint_bytes = 256;  // 4 bursts, then wrap
  auto s = generate(cfg);
  for (int i = 0; i < 10; ++i) CHECK(s[i].address == 0x1000 + (i % 4) * 64u);

  cfg.pattern = Pattern::Strided;
  cfg.stride_bytes = 192;
  cfg.footprint_bytes = 1024;
  s = generate(cfg);
  for (int i = 0; i < 10; ++i) CHECK(s[i].address == 0x1000 + (i * 192u) % 1024u);

  for (Pattern p : {Pattern::Random, Pattern::Mixed}) {
    cfg.pattern = p;
    cfg.requests = 20000;
    cfg.footprint_bytes = 1 << 20;
    std::set<std::uint64_t> distinct;
    for (const auto& r : generate(cfg)) {
      REQUIRE(r.address >= 0x1000);
      REQUIRE(r.address < 0x1000 + (1u << 20));
      REQUIRE(r.address % 64 == 0);
      distinct.insert(r.address);
    }
    CHECK(distinct.size() > 5000);  // spread over the 16384 bursts
  }
  // Mixed: about half of the requests follow their predecessor sequentially.
  cfg.pattern = Pattern::Mixed;
  const auto m = generate(cfg);
  int sequential = 0;
  for (std::size_t i = 1; i < m.size(); ++i) sequential += m[i].address == m[i - 1].address + 64;
  CHECK(sequential / double(m.size()) == Approx(0.5).margin(0.02));
}

TEST_CASE("generator read ratio and injection rate statistics", "[trace]") {
  for (double ratio : {0.0, 0.3, 0.75, 1.0}) {
    GeneratorConfig cfg;
    cfg.pattern = Pattern::Stream;
    cfg.requests = 20000;
    cfg.read_ratio = ratio;
    int reads = 0;
    for (const auto& r : generate(cfg)) reads += !r.is_write;
    CHECK(reads / 20000.0 == Approx(ratio).margin(0.015));
  }
  for (double rate : {1.0, 0.5, 0.02, 0.3}) {
    GeneratorConfig cfg;
    cfg.requests = 1000;
    cfg.injection_rate = rate;
    const auto s = generate(cfg);
    for (std::size_t i = 0; i < s.size(); ++i)
      REQUIRE(s[i].cycle == static_cast<std::uint64_t>(std::floor(double(i) / rate)));
    CHECK(s.size() / double(s.back().cycle + 1) == Approx(rate).epsilon(0.01));
  }
}

TEST_CASE("generator config validation and pattern names", "[trace]") {
  auto with = [](auto edit) {
    GeneratorConfig cfg;
    edit(cfg);
    return cfg;
  };
  CHECK_THROWS_WITH(GeneratedTrace(with([](auto& c) { c.injection_rate = 0; })), Contains("injection_rate"));
  CHECK_THROWS_WITH(GeneratedTrace(with([](auto& c) { c.injection_rate = 1.5; })), Contains("[1e-06, 1]"));
  // Below the shared minimum rate (it ran for hours) and beyond the shared request limit.
  CHECK_THROWS_WITH(GeneratedTrace(with([](auto& c) { c.injection_rate = 1e-12; })),
                    Contains("injection_rate must be in [1e-06, 1] requests per cycle, got 1e-12"));
  CHECK_THROWS_WITH(GeneratedTrace(with([](auto& c) { c.requests = UINT64_MAX; })),
                    Contains("requests must be in [1, 100000000]"));
  CHECK_THROWS_WITH(GeneratedTrace(with([](auto& c) { c.read_ratio = -0.1; })), Contains("read_ratio"));
  CHECK_THROWS_WITH(GeneratedTrace(with([](auto& c) { c.read_ratio = NAN; })), Contains("read_ratio"));
  CHECK_THROWS_WITH(GeneratedTrace(with([](auto& c) { c.requests = 0; })), Contains("requests"));
  CHECK_THROWS_WITH(GeneratedTrace(with([](auto& c) { c.footprint_bytes = 32; })), Contains("footprint_bytes"));
  CHECK_THROWS_WITH(GeneratedTrace(with([](auto& c) {
                      c.pattern = Pattern::Strided;
                      c.stride_bytes = 0;
                    })),
                    Contains("stride_bytes"));
  CHECK_THROWS_WITH(GeneratedTrace(with([](auto& c) { c.alignment = 48; })), Contains("alignment"));
  CHECK_THROWS_WITH(GeneratedTrace(with([](auto& c) { c.base_address = 100; })), Contains("base_address"));
  CHECK(parse_pattern("stream") == Pattern::Stream);
  CHECK(parse_pattern("Random") == Pattern::Random);
  CHECK(parse_pattern("strided") == Pattern::Strided);
  CHECK(parse_pattern("mixed") == Pattern::Mixed);
  CHECK_THROWS_WITH(parse_pattern("zigzag"), Contains("zigzag") && Contains("stream, random, strided, mixed"));
}

TEST_CASE("default trace paths: names, ARCHGYM_DATA_DIR override, unknown names", "[trace]") {
  CHECK(default_trace_names() == std::vector<std::string>{"stream", "random", "cloud-1", "cloud-2"});
  const char* old = std::getenv("ARCHGYM_DATA_DIR");
  const std::string saved = old ? old : "";
  ::unsetenv("ARCHGYM_DATA_DIR");
  CHECK(default_trace_path("cloud-1") == std::string(ARCHGYM_SOURCE_DATA_DIR) + "/dram/traces/cloud-1.stl");
  ::setenv("ARCHGYM_DATA_DIR", "/opt/archgym", 1);
  CHECK(default_trace_path("random.stl") == "/opt/archgym/dram/traces/random.stl");
  if (old) ::setenv("ARCHGYM_DATA_DIR", saved.c_str(), 1);
  else ::unsetenv("ARCHGYM_DATA_DIR");
  CHECK_THROWS_WITH(default_trace_path("cloud-3"),
                    Contains("cloud-3") && Contains("stream, random, cloud-1, cloud-2"));
}

TEST_CASE("parse_stl_line: the pure line parser the reader uses (and fuzz/ targets)", "[trace][fuzz]") {
  CHECK_FALSE(parse_stl_line("", 1, "t.stl"));
  CHECK_FALSE(parse_stl_line("  \t# only a comment\r", 1, "t.stl"));
  const auto r = parse_stl_line("42:\twrite\t0xFFFFFFFFFFFFFFFF 0x1234\r", 7, "t.stl");
  REQUIRE(r);
  CHECK(r->cycle == 42);
  CHECK(r->is_write);
  CHECK(r->address == 0xFFFFFFFFFFFFFFFFull);
  // Leading zeros do not count towards the 16-digit limit; a 65th significant bit does.
  CHECK(parse_stl_line("0: read 0x000000000000000000000001", 1, "t.stl")->address == 1);
  CHECK_THROWS_WITH(parse_stl_line("0: read 0x1FFFFFFFFFFFFFFFF", 9, "t.stl"),
                    Contains("t.stl:9:") && Contains("at most 16 hex digits"));
  // Cycles are checked per line only; ordering across lines is the reader's job.
  CHECK(parse_stl_line("5: read 0x0", 1, "t.stl")->cycle == 5);
  // A NUL or other control byte inside a field is garbage, not a separator.
  CHECK_THROWS_WITH(parse_stl_line(std::string("5: read 0x4\0", 12), 2, "t.stl"), Contains("t.stl:2:"));
}

TEST_CASE("trace errors show control bytes escaped and long lines cut", "[trace][fuzz]") {
  // An escape sequence reached the terminal; a vertical tab was invisible; a 20 MB line
  // became a 20 MB message.
  CHECK_THROWS_WITH(parse_stl_line("0: read 0x0\x1b[2J", 7, "t.stl"),
                    Contains("t.stl:7") && Contains("`0: read 0x0\\x1B[2J`"));
  CHECK_THROWS_WITH(parse_stl_line("0: read 0x0\v", 1, "t.stl"), Contains("`0: read 0x0\\x0B`"));
  // Non-ASCII bytes too: raw, they need not be UTF-8 (Python could not decode the message).
  CHECK_THROWS_AS(parse_stl_line("1: r\xe9" "ad 0x40", 2, "t.stl"), std::invalid_argument);
  CHECK_THROWS_WITH(parse_stl_line("1: r\xe9" "ad 0x40", 2, "t.stl"), Contains("`1: r\\xE9ad 0x40`"));
  const std::string long_line = "0: read 0x" + std::string(20000, 'g');
  try {
    parse_stl_line(long_line, 3, "t.stl");
    FAIL("accepted a malformed line");
  } catch (const std::invalid_argument& e) {
    CHECK_THAT(e.what(), Contains("... (20010 bytes)"));
    CHECK(std::string(e.what()).size() < 400);
  }
}

TEST_CASE("trace lines: a mistake of the whole file is named, not the field it breaks", "[trace][fuzz]") {
  // Each was reported as a bad cycle or as text after the address.
  CHECK_THROWS_WITH(parse_stl_line("\xEF\xBB\xBF" "0: read 0x0", 1, "t.stl"),
                    Contains("t.stl:1:") && Contains("got `\\xEF\\xBB\\xBF0: read 0x0`") &&
                        Contains("(the file starts with a UTF-8 byte-order mark; save it without one)"));
  CHECK_THROWS_WITH(parse_stl_line(std::string("\xFF\xFE" "0\0:\0", 6), 1, "t.stl"),
                    Contains("(the file is UTF-16 (it starts with a UTF-16 byte-order mark); save it as ASCII)"));
  // Lines ended by CR alone: the whole file is one line.
  CHECK_THROWS_WITH(parse_stl_line("0: read 0x0\r1: read 0x40\r", 1, "t.stl"),
                    Contains("got `0: read 0x0\\x0D1: read 0x40\\x0D`") &&
                        Contains("(a carriage return inside the line: lines must end with LF or CRLF, not CR alone)"));
  for (const char* glued : {"0:read 0x0", "0:read 0x0 0x12"})
    CHECK_THROWS_WITH(parse_stl_line(glued, 4, "t.stl"), Contains("t.stl:4:") &&
                                                             Contains("(a space or tab must follow the cycle's ':')"));
  // Byte-order marks only count at the start of the file; elsewhere the field's reason.
  CHECK_THROWS_WITH(parse_stl_line("\xEF\xBB\xBF" "0: read 0x0", 2, "t.stl"),
                    Contains("(the cycle must be a non-negative decimal integer below 2^64)"));
  CHECK_THROWS_WITH(parse_stl_line("0 : read 0x0", 1, "t.stl"), Contains("(the cycle must be followed by ':')"));
  CHECK(parse_stl_line("0: read 0x0\r", 1, "t.stl")->address == 0);  // CRLF stays fine
}

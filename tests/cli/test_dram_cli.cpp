// The `archgym-dram` command line seen from outside: bad input gets a message naming
// what is wrong and the allowed values, and exit code 2; it never hangs or is silently
// accepted (found by a bug bash).
#ifdef ARCHGYM_DRAM_CLI
#include <chrono>

#include "tests/catch.h"
#include "tests/cli/cli_harness.h"

using namespace archgym::test;

namespace {

CliResult run_dram(const fs::path& dir, const std::string& args) {
  return run_shell(dir, "'" + std::string(ARCHGYM_DRAM_CLI) + "' " + args);
}

// Requires exit code 2 and every fragment in the message, within a few seconds.
void require_refused(const fs::path& dir, const std::string& args, const std::vector<std::string>& expected) {
  const auto start = std::chrono::steady_clock::now();
  const auto r = run_dram(dir, args);
  INFO("archgym-dram " << args << "\nstderr: " << r.err);
  CHECK(r.exit_code == 2);
  for (const auto& e : expected) CHECK(r.err.find(e) != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
}

}  // namespace

TEST_CASE("archgym-dram: a trace request beyond an hour of simulated time is refused at once", "[cli]") {
  const auto dir = scratch_dir("dram_far");
  write_file(dir / "far.stl", "# two requests\n0: read 0x0\n\n1000000000000000: read 0x40\n");
  require_refused(dir, "--trace far.stl",
                  {"far.stl:4: trace request 2 at cycle 1000000000000000 is beyond the simulator's time range",
                   "at most cycle 2880000000000 of the 800 MHz trace clock", "1 hour of simulated time"});
  require_refused(dir, "--generate stream,requests=100000000,rate=1e-6",
                  {"--generate: the last request at cycle 99999999000000 is beyond", "use fewer requests"});
}

TEST_CASE("archgym-dram: --generate fields are range-checked integers and numbers", "[cli]") {
  const auto dir = scratch_dir("dram_generate");
  require_refused(dir, "--generate stream,requests=-1",
                  {"--generate: requests = '-1' must be a decimal integer in [1, 100000000]"});
  // Given twice, the last value silently won.
  require_refused(dir, "--generate stream,requests=5,requests=7", {"--generate: key 'requests' given twice"});
  require_refused(dir, "--generate stream,requests=1e30", {"requests = '1e30' must be a decimal integer"});
  require_refused(dir, "--generate stream,requests=1.5", {"requests = '1.5' must be a decimal integer"});
  require_refused(dir, "--generate stream,rate=1e-12", {"--generate: rate = '1e-12' must be a number in [1e-06, 1]"});
  require_refused(dir, "--generate stream,rate=1e-20", {"rate = '1e-20' must be a number in [1e-06, 1]"});
  require_refused(dir, "--generate stream,rate=nan", {"rate = 'nan' must be a number"});
  require_refused(dir, "--generate stream,read_ratio=2", {"read_ratio = '2' must be a number in [0, 1]"});
  require_refused(dir, "--generate stream,base=1e300", {"base = '1e300' must be a decimal integer in [0, 18446744073709551615]"});
  require_refused(dir, "--generate stream,seed=-1", {"seed = '-1' must be a decimal integer"});
  require_refused(dir, "--generate stream,footprint=-1", {"footprint = '-1' must be a decimal integer in [64, "});
  require_refused(dir, "--generate stream,stride=+64", {"stride = '+64' must be a decimal integer"});
  require_refused(dir, "--generate random,stride=128", {"--generate: stride applies only to the strided pattern"});
  const auto ok = run_dram(dir, "--generate random,requests=100,rate=0.5,read_ratio=0.5,seed=7,footprint=65536,base=1024 --json");
  INFO(ok.err);
  CHECK(ok.exit_code == 0);
  CHECK(ok.out.find("\"requests\": 100") != std::string::npos);
}

TEST_CASE("archgym-dram: --check also checks refresh intervals, as the test suite does", "[cli]") {
  // It checked command timing only: a run that never refreshed passed.
  const auto dir = scratch_dir("dram_check");
  const auto refreshing = run_dram(dir, "--generate random,requests=300 --set RefreshMaxPostponed=2 --check");
  INFO(refreshing.out << refreshing.err);
  CHECK(refreshing.exit_code == 0);
  // (2 postponed + 0 pulled in + 1) x tREFI 6240, plus 2 tRFC + tRC + tRAS + 200 to drain.
  CHECK(refreshing.out.find("(and refresh gaps of at most 19162 cycles), 0 violation(s)") != std::string::npos);
  const auto none = run_dram(dir, "--generate random,requests=300 --set RefreshPolicy=NoRefresh --check");
  CHECK(none.exit_code == 0);
  CHECK(none.out.find("refresh gaps") == std::string::npos);
}

TEST_CASE("archgym-dram: a trace without requests is refused, as the env refuses it", "[cli]") {
  const auto dir = scratch_dir("dram_empty");
  write_file(dir / "empty.stl", "");
  write_file(dir / "comments.stl", "# only a comment\n\n   # and another\n");
  require_refused(dir, "--trace empty.stl", {"archgym-dram: error: trace 'empty.stl' holds no requests"});
  require_refused(dir, "--trace comments.stl", {"trace 'comments.stl' holds no requests"});
}

TEST_CASE("archgym-dram: output that cannot be written fails with exit code 1", "[cli]") {
  const auto dir = scratch_dir("dram_full");
  // /dev/full accepts the open and fails every write (only written into, never replaced).
  auto r = run_dram(dir, "--generate stream,requests=100 --command-trace /dev/full");
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("archgym-dram: failed: --command-trace: writing '/dev/full' failed") != std::string::npos);
  r = run_shell(dir, "{ '" + std::string(ARCHGYM_DRAM_CLI) + "' --generate stream,requests=100 --json >/dev/full; }");
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("writing the statistics to standard output failed") != std::string::npos);
}

TEST_CASE("archgym-dram: --command-trace never destroys an input, a store, or a file a failed run was to replace", "[cli]") {
  const auto dir = scratch_dir("dram_command_trace");
  const std::string trace = "0: read 0x0\n1: read 0x40\n2: read 0x80\n";
  write_file(dir / "in.stl", trace);
  require_refused(dir, "--trace in.stl --command-trace in.stl",
                  {"--command-trace: 'in.stl' is an input of this run (in.stl)"});
  CHECK(read_file(dir / "in.stl") == trace);
  write_file(dir / "store.db", std::string("SQLite format 3\0", 16) + "rest of a database");
  require_refused(dir, "--trace in.stl --command-trace store.db",
                  {"'store.db' is an SQLite database (an archgym store?); refusing to overwrite it"});
  CHECK(read_file(dir / "store.db").size() == 34);
  // A run that fails part-way (a bad line after commands were issued) leaves the old file.
  write_file(dir / "bad.stl", trace + "3: fetch 0xc0\n");
  write_file(dir / "commands.txt", "keep me\n");
  require_refused(dir, "--trace bad.stl --command-trace commands.txt", {"bad.stl:4:"});
  CHECK(read_file(dir / "commands.txt") == "keep me\n");
  // A successful run replaces it, and leaves no temporary file behind.
  const auto ok = run_dram(dir, "--trace in.stl --command-trace commands.txt");
  INFO(ok.err);
  CHECK(ok.exit_code == 0);
  const std::string written = read_file(dir / "commands.txt");
  CHECK(written.rfind("# cycle command rank bank_group bank row column\n", 0) == 0);
  CHECK(written.find(" RD 0 0 0 0 16") != std::string::npos);  // the third read: column 16
  for (const auto& e : fs::directory_iterator(dir))
    CHECK(e.path().filename().string().find(".tmp-") == std::string::npos);
}

TEST_CASE("archgym-dram: bad arguments exit 2, --help exits 0", "[cli]") {
  const auto dir = scratch_dir("dram_args");
  require_refused(dir, "--workload stream --no-such-flag", {"archgym-dram: error:", "--no-such-flag", "archgym-dram --help"});
  require_refused(dir, "", {"archgym-dram: error:"});                                   // no source
  require_refused(dir, "--workload stream --generate stream", {"archgym-dram: error:"});  // two sources
  require_refused(dir, "--trace does-not-exist.stl", {"does-not-exist.stl"});
  const auto help = run_dram(dir, "--help");
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("--generate") != std::string::npos);
}

TEST_CASE("archgym-dram: out-of-range knobs and directories get messages that say so", "[cli]") {
  const auto dir = scratch_dir("dram_messages");
  fs::create_directories(dir / "sub");
  require_refused(dir, "--workload stream --set RequestBufferSize=9999999999",
                  {"RequestBufferSize = 9999999999 is out of range (allowed: 1..65536)"});
  require_refused(dir, "--workload stream --set WriteDrain=Watermark --set WriteHighWatermark=1 --set WriteLowWatermark=100",
                  {"WriteLowWatermark = 100 must be below WriteHighWatermark = 1"});
  require_refused(dir, "--workload stream --memspec sub", {"sub: is a directory, not a memspec file"});
  // A knob the rest of the configuration ignores, or given twice, would be silently dropped.
  require_refused(dir, "--workload stream --set MaxActiveTransactions=4",
                  {"MaxActiveTransactions has no effect with Arbiter = Simple", "set Arbiter too"});
  require_refused(dir, "--workload stream --set PagePolicy=Closed --set PagePolicy=Open",
                  {"--set PagePolicy is given twice"});
  const auto counted = run_dram(dir, "--generate stream,requests=100 --set MaxActiveTransactions=4 --set Arbiter=Fifo");
  CHECK(counted.exit_code == 0);
  require_refused(dir, "--workload stream --addressmap sub", {"sub: is a directory, not an address-mapping file"});
}
#endif

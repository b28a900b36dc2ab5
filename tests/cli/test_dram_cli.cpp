// The `archgym-dram` command line seen from outside: bad input gets a message naming
// what is wrong and the allowed values, and exit code 2; it never hangs or is silently
// accepted (found by a bug bash).
#ifdef ARCHGYM_DRAM_CLI
#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <sstream>
#include <set>
#include <fstream>

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

// The message is one line of printable text (no escape sequence, no second line).
void require_one_line(const std::string& err) {
  INFO(err);
  CHECK(std::count(err.begin(), err.end(), '\n') == 1);
  CHECK(std::none_of(err.begin(), err.end() - 1, [](char c) { return static_cast<unsigned char>(c) < 0x20; }));
}

}  // namespace

TEST_CASE("archgym-dram: a generated random trace spans the whole device unless given a footprint", "[cli]") {
  // A fixed 1 GiB default reached 4 of the 4 GiB DDR4-2400 preset's 16 banks under brc (bank bits 30-31):
  // random reads ran at 4.8 GB/s instead of the tFAW-bound 11.8.
  const auto dir = scratch_dir("dram_footprint");
  auto banks_activated = [&](const std::string& generate) {
    const auto r = run_dram(dir, "--memspec DDR4-2400 --generate " + generate + " --command-trace acts.txt");
    REQUIRE(r.exit_code == 0);
    std::ifstream in(dir / "acts.txt");
    std::set<std::pair<int, int>> banks;  // (bank group, bank)
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string cycle, command;
      int rank = 0, group = 0, bank = 0;
      if (fields >> cycle >> command >> rank >> group >> bank && command == "ACT") banks.emplace(group, bank);
    }
    return banks.size();
  };
  CHECK(banks_activated("random,requests=2000") == 16);
  CHECK(banks_activated("random,requests=2000,footprint=1073741824") == 4);
}

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
  // These were the generator's messages, naming its fields (base_address, stride_bytes).
  require_refused(dir, "--generate stream,base=1", {"--generate: base = 1 must be a multiple of 64 (one burst)"});
  require_refused(dir, "--generate strided,stride=65", {"--generate: stride = 65 must be a multiple of 64 (one burst)"});
  require_refused(dir, "--generate stream,base=18446744073709551552",
                  {"--generate: base + footprint (18446744073709551552 + 1073741824) must be at most 2^64 - 1"});
  // A trailing ',' was dropped without a word.
  require_refused(dir, "--generate stream,requests=5,", {"--generate: expected key=value after the last ','"});
  const auto ok = run_dram(dir, "--generate random,requests=100,rate=0.5,read_ratio=0.5,seed=7,footprint=65536,base=1024 --json");
  INFO(ok.err);
  CHECK(ok.exit_code == 0);
  CHECK(ok.out.find("\"requests\": 100") != std::string::npos);
  CHECK(ok.out.find("\"archgym_version\": \"") != std::string::npos);  // the build that made the numbers
  CHECK(ok.out.find("\"git_commit\": \"") != std::string::npos);
}

TEST_CASE("archgym-dram: --check also checks refresh intervals, as the test suite does", "[cli]") {
  // It checked command timing only: a run that never refreshed passed.
  const auto dir = scratch_dir("dram_check");
  const auto refreshing = run_dram(dir, "--generate random,requests=300 --set RefreshMaxPostponed=2 --check");
  INFO(refreshing.out << refreshing.err);
  CHECK(refreshing.exit_code == 0);
  // (2 postponed + 0 pulled in + 1) x tREFI 6240, plus 2 tRFC + tRC + tRAS + 200 to drain.
  // The longest gap seen is said apart from the allowed one (it read like a measurement).
  CHECK(refreshing.out.find("(and refresh gaps: longest 1969 cycles, allowed 19162), 0 violation(s)") !=
        std::string::npos);
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
  // Through a link to a regular file: the file is replaced, the link stays.
  fs::create_symlink("commands.txt", dir / "link.txt");
  CHECK(run_dram(dir, "--trace in.stl --command-trace link.txt").exit_code == 0);
  CHECK(fs::is_symlink(dir / "link.txt"));
  CHECK(read_file(dir / "commands.txt") == written);
}

TEST_CASE("archgym-dram: a memspec the default address mapping does not fit names the presets that do", "[cli]") {
  const auto dir = scratch_dir("dram_two_ranks");
  const std::string two_ranks = std::string(ARCHGYM_SOURCE_DATA_DIR) + "/dram/memspecs/DDR4-2400_8Gb_x8_dramsim3_2rank.json";
  require_refused(dir, "--memspec '" + two_ranks + "' --generate stream,requests=10",
                  {"--addressmap (default): RANK_BIT has 0 bits = 1 values, but the memspec has nbrOfRanks = 2",
                   "bg-interleaved and row-bank-col are derived from the memspec"});
  CHECK(run_dram(dir, "--memspec '" + two_ranks + "' --addressmap bg-interleaved --generate stream,requests=10")
            .exit_code == 0);
}

TEST_CASE("archgym-dram: --command-trace to standard output redirected to a file writes through it", "[cli]") {
  // "--command-trace /dev/stdout >> log" replaced the log, and /dev/stdout itself, by a
  // regular file of the commands. Through a link in the scratch directory, so that a
  // regression replaces that link, never the machine's /dev/stdout.
  const auto dir = scratch_dir("dram_command_trace_stdout");
  write_file(dir / "in.stl", "0: read 0x0\n1: read 0x40\n");
  write_file(dir / "log.txt", "important\n");
  fs::create_symlink("/dev/stdout", dir / "out_link");
  const auto r = run_shell(dir, "{ '" + std::string(ARCHGYM_DRAM_CLI) +
                                    "' --trace in.stl --command-trace out_link --json >> log.txt; }");
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(fs::is_symlink(dir / "out_link"));
  const std::string log = read_file(dir / "log.txt");
  // What the shell's file held, then the commands, then the statistics.
  CHECK(log.find("important\n# cycle command rank bank_group bank row column\n0 ACT 0 0 0 0 0\n") == 0);
  CHECK(log.find(" RD 0 0 0 0 8\n{") != std::string::npos);
  CHECK((log.size() > 2 && log.compare(log.size() - 2, 2, "}\n") == 0));
  require_refused(dir, "--trace in.stl --command-trace /dev/fd/9", {"descriptor 9 is not open"});
}

TEST_CASE("archgym-dram: bad arguments exit 2, --help and --version exit 0, a request beyond the device warns", "[cli]") {
  const auto dir = scratch_dir("dram_args");
  require_refused(dir, "--workload stream --no-such-flag", {"archgym-dram: error:", "--no-such-flag", "archgym-dram --help"});
  require_refused(dir, "", {"archgym-dram: error:"});                                   // no source
  require_refused(dir, "--workload stream --generate stream", {"archgym-dram: error:"});  // two sources
  require_refused(dir, "--trace does-not-exist.stl", {"does-not-exist.stl"});
  const auto version = run_dram(dir, "--version");
  CHECK(version.exit_code == 0);
  CHECK(version.out.rfind("archgym-dram ", 0) == 0);
  CHECK(version.out.find(" (commit ") != std::string::npos);
  CHECK(version.out.find(")\nbuilt with ") != std::string::npos);
  require_refused(dir, "--workload stream --set PagePolicy", {"--set expects KEY=VALUE, got 'PagePolicy'"});
  // A request beyond the device is folded onto it, as DRAMSys does, with a warning that
  // says how many and which came first.
  write_file(dir / "far.stl", "0: read 0x40000000\n1: read 0x40\n");
  const auto far = run_dram(dir, "--trace far.stl");
  CHECK(far.exit_code == 0);
  CHECK(far.err == "archgym-dram: warning: 1 of 2 requests address beyond the device (its address bits: "
                   "0x3fffffff; first: request 1); their unmapped address bits were ignored\n");
  const auto help = run_dram(dir, "--help");
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("--generate") != std::string::npos);
  // The knobs in which the dram env's default design differs from DRAMSys' defaults, from
  // the one definition both use (tests/envs pins that design).
  CHECK(help.out.find("RefreshMaxPostponed=0 RefreshMaxPulledin=0 Arbiter=Simple MaxActiveTransactions=64") !=
        std::string::npos);
  CHECK(help.out.find("differs: RefreshMaxPostponed=1 RefreshMaxPulledin=1 MaxActiveTransactions=128;") !=
        std::string::npos);
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

TEST_CASE("archgym-dram: a file option that cannot be read gets the reason, naming the option", "[cli]") {
  // --trace was checked by CLI11's ExistingFile: "File does not exist" for a loop of
  // symbolic links, a name too long or a file without permission; the other options said
  // "cannot open" without a reason, or "unknown memspec" for a file they could not open.
  const auto dir = scratch_dir("dram_unreadable");
  fs::create_symlink("loop", dir / "loop");
  fs::create_directories(dir / "sub");
  const std::string loop = "Too many levels of symbolic links";
  require_refused(dir, "--trace loop", {"archgym-dram: error: --trace: loop: cannot open trace file: " + loop});
  require_refused(dir, "--trace sub", {"archgym-dram: error: --trace: sub: is a directory, not a trace file"});
  require_refused(dir, "--trace missing.stl",
                  {"archgym-dram: error: --trace: missing.stl: cannot open trace file: No such file or directory"});
  require_refused(dir, "--workload stream --memspec loop", {"--memspec: loop: cannot open memspec file: " + loop});
  require_refused(dir, "--workload stream --addressmap loop",
                  {"--addressmap: loop: cannot open address-mapping file: " + loop});
  require_refused(dir, "--workload stream --addressmap rbx",
                  {"--addressmap: 'rbx' is neither an existing file nor one of rbc, brc, bg-interleaved, row-bank-col"});
  require_refused(dir, "--workload strem", {"--workload: unknown trace \"strem\" (shipped traces: stream, random"});
  // An output path: the loop was replaced by the new file; a missing directory had no reason.
  require_refused(dir, "--workload stream --command-trace loop", {"--command-trace 'loop': " + loop});
  require_refused(dir, "--workload stream --command-trace nodir/c.txt",
                  {"--command-trace: cannot write 'nodir/c.txt.tmp-", "': No such file or directory"});
  // /dev/zero never ends: a memspec or address map was read until memory ran out.
  require_refused(dir, "--workload stream --memspec /dev/zero", {"--memspec: /dev/zero: larger than 16 MiB"});
  require_refused(dir, "--workload stream --addressmap /dev/zero", {"--addressmap: /dev/zero: larger than 16 MiB"});
  const auto r = run_dram(dir, "--trace " + std::string(100000, 'n'));
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("--trace: nnnnn") && Catch::Contains("... (100000 bytes): cannot open trace file: "
                                                                         "File name too long"));
  require_one_line(r.err);
  if (geteuid() != 0) {  // root reads any file
    write_file(dir / "locked.json", "{}");
    fs::permissions(dir / "locked.json", fs::perms::none);
    require_refused(dir, "--workload stream --memspec locked.json",
                    {"--memspec: locked.json: cannot open memspec file: Permission denied"});
  }
}

TEST_CASE("archgym-dram: paths and values quoted in a message stay one printable line", "[cli]") {
  const auto dir = scratch_dir("dram_one_line");
  // A name with a newline and "clear the screen".
  const std::string odd = "$(printf 'b\\nad\\033[2J')";
  auto r = run_dram(dir, "--trace \"" + odd + ".stl\"");
  CHECK_THAT(r.err, Catch::Contains("--trace: b\\x0Aad\\x1B[2J.stl: cannot open trace file"));
  require_one_line(r.err);
  write_file(dir / "b\nad\x1b[2J.stl", "0: read 0x0\n1: fetch 0x40\n");  // the name `odd` makes
  r = run_dram(dir, "--trace \"" + odd + ".stl\"");
  CHECK_THAT(r.err, Catch::Contains("error: b\\x0Aad\\x1B[2J.stl:2: expected"));
  require_one_line(r.err);
  r = run_dram(dir, "--workload stream --memspec \"" + odd + ".json\"");
  CHECK_THAT(r.err, Catch::Contains("--memspec: b\\x0Aad\\x1B[2J.json: cannot open memspec file"));
  require_one_line(r.err);
  r = run_dram(dir, "--workload stream --set \"Scheduler=" + odd + "\"");
  CHECK_THAT(r.err, Catch::Contains("--set: Scheduler: unknown value 'b\\x0Aad\\x1B[2J' (allowed: Fifo, FrFcfs, FrFcfsGrp)"));
  require_one_line(r.err);
  r = run_dram(dir, "--generate \"stream,requests=" + odd + "\"");
  CHECK_THAT(r.err, Catch::Contains("--generate: requests = 'b\\x0Aad\\x1B[2J' must be a decimal integer"));
  require_one_line(r.err);
  r = run_dram(dir, "--generate \"" + odd + "\"");
  CHECK_THAT(r.err, Catch::Contains("unknown trace pattern \"b\\x0Aad\\x1B[2J\" (allowed: stream, random"));
  require_one_line(r.err);
}

TEST_CASE("archgym-dram: a device the simulator cannot model is refused before the trace, naming --memspec", "[cli]") {
  const auto dir = scratch_dir("dram_two_channels");
  std::string spec = read_file(std::string(ARCHGYM_SOURCE_DATA_DIR) + "/dram/memspecs/MICRON_1Gb_DDR3-1600_8bit_G.json");
  REQUIRE(spec.find("\"nbrOfChannels\": 1") != std::string::npos);
  spec.replace(spec.find("\"nbrOfChannels\": 1"), 18, "\"nbrOfChannels\": 2");
  write_file(dir / "two.json", spec);
  write_file(dir / "bad.stl", "0: fetch 0x0\n");  // not read: the device is refused first
  require_refused(dir, "--trace bad.stl --memspec two.json",
                  {"--memspec two.json: memspec.memarchitecturespec.nbrOfChannels: memspec "
                   "'MICRON_1Gb_DDR3-1600_8bit_G' has 2 channels; the simulator models one channel (allowed: 1)"});
  require_refused(dir, "--workload stream --memspec DDR4-2400 --addressmap rbc",
                  {"--addressmap rbc: BANKGROUP_BIT has 0 bits"});
}
#endif

TEST_CASE("archgym-dram: a command trace past the file-size limit fails naming it, and a signal leaves no "
          "temporary file", "[cli]") {
  const auto dir = scratch_dir("dram_command_trace_limits");
  const std::string dram = "'" + std::string(ARCHGYM_DRAM_CLI) + "'";
  auto leftovers = [&] {
    int n = 0;
    for (const auto& entry : fs::directory_iterator(dir))
      n += entry.path().filename().string().rfind("c.txt", 0) == 0;
    return n;
  };
  // SIGXFSZ used to end the process without a word.
  auto r = run_shell(dir, "ulimit -f 100; " + dram + " --generate stream,requests=100000 --command-trace c.txt");
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("--command-trace: writing 'c.txt.tmp-") != std::string::npos);
  CHECK(r.err.find("' failed: File too large") != std::string::npos);
  CHECK(leftovers() == 0);
  // Ended by SIGTERM mid-run: its temporary file goes with it (it was left, 55 MB on 2M requests).
  r = run_shell(dir, "{ " + dram + " --generate random,requests=50000000 --command-trace c.txt & pid=$!; sleep 1; "
                     "kill -TERM $pid; wait $pid; }");
  CHECK(r.exit_code == 128 + SIGTERM);
  CHECK(leftovers() == 0);
  // One a SIGKILL left (its process is gone) goes at the next write to the same file; one of
  // a live process (this test) stays.
  const pid_t gone = fork();
  if (gone == 0) _exit(0);
  waitpid(gone, nullptr, 0);
  write_file(dir / ("c.txt.tmp-" + std::to_string(gone)), "half a trace");
  write_file(dir / ("c.txt.tmp-" + std::to_string(getpid())), "being written");
  r = run_shell(dir, dram + " --generate stream,requests=10 --command-trace c.txt");
  CHECK(r.exit_code == 0);
  CHECK_FALSE(fs::exists(dir / ("c.txt.tmp-" + std::to_string(gone))));
  CHECK(fs::exists(dir / ("c.txt.tmp-" + std::to_string(getpid()))));
  CHECK(fs::exists(dir / "c.txt"));
}

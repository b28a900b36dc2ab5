// The benchmark programs' arguments: bad ones are refused naming the argument and the
// allowed values, before any benchmark work (they used to end in an uncaught stod, or be
// taken as file paths).
#if defined(ARCHGYM_DRAM_BENCH) && defined(ARCHGYM_PROXY_BENCH) && defined(ARCHGYM_DRAM_VS_DRAMSIM3)
#include "tests/catch.h"
#include "tests/cli/cli_harness.h"

using namespace archgym::test;

namespace {

CliResult run_program(const fs::path& dir, const char* program, const std::string& args) {
  return run_shell(dir, "'" + std::string(program) + "' " + args);
}

// A non-zero exit and every fragment in the message.
void require_refused(const fs::path& dir, const char* program, const std::string& args,
                     const std::vector<std::string>& expected) {
  const auto r = run_program(dir, program, args);
  INFO(program << " " << args << "\nstderr: " << r.err);
  CHECK(r.exit_code != 0);
  for (const auto& e : expected) CHECK(r.err.find(e) != std::string::npos);
}

}  // namespace

TEST_CASE("benchmarks: dram_bench and proxy_bench refuse bad arguments, naming them", "[cli]") {
  const auto dir = scratch_dir("benchmark_args");
  auto r = run_program(dir, ARCHGYM_DRAM_BENCH, "--help");
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("minimum seconds of evaluations per trace") != std::string::npos);
  CHECK(r.out.find("--per-design") != std::string::npos);
  require_refused(dir, ARCHGYM_DRAM_BENCH, "--per-desgin", {"--per-desgin"});
  require_refused(dir, ARCHGYM_DRAM_BENCH, "abc", {"seconds", "abc"});
  require_refused(dir, ARCHGYM_DRAM_BENCH, "-1", {"seconds", "not in range"});
  require_refused(dir, ARCHGYM_DRAM_BENCH, "nan", {"seconds: must be a number in [0.01, 3600], got nan"});
  require_refused(dir, ARCHGYM_DRAM_BENCH, "--space huge", {"--space", "huge not in {archgym,extended,rl}"});

  require_refused(dir, ARCHGYM_PROXY_BENCH, "5", {"designs", "not in range 10 to 1000000"});
  require_refused(dir, ARCHGYM_PROXY_BENCH, "20 foo", {"workload", "foo not in {stream,random,cloud-1,cloud-2}"});
  require_refused(dir, ARCHGYM_PROXY_BENCH, "20 --knn-scaling-rows 400,6000",
                  {"--knn-scaling-rows", "not in range 3 to 5000"});
}

TEST_CASE("benchmarks: dram_vs_dramsim3 refuses unknown options and names a bad reference file", "[cli]") {
  const auto dir = scratch_dir("dramsim3_args");
  auto r = run_program(dir, ARCHGYM_DRAM_VS_DRAMSIM3, "--help");
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("usage:") != std::string::npos);
  r = run_program(dir, ARCHGYM_DRAM_VS_DRAMSIM3, "");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("usage:") != std::string::npos);
  r = run_program(dir, ARCHGYM_DRAM_VS_DRAMSIM3, ". --bogus");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("unknown option '--bogus'") != std::string::npos);
  write_file(dir / "ref.json", "{\"a\": 1}");
  r = run_program(dir, ARCHGYM_DRAM_VS_DRAMSIM3, ". ref.json extra");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("unexpected argument 'extra'") != std::string::npos);
  r = run_program(dir, ARCHGYM_DRAM_VS_DRAMSIM3, ". ref.json");
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("ref.json: not a DRAMsim3 reference JSON") != std::string::npos);
}
#endif

// What the registry refuses of a component a user adds (components.cpp), seen through the
// command line built with it (archgym_test_cli) and directly.
#include "tests/catch.h"
#include "tests/cli/cli_harness.h"

#include "core/registry.h"

using namespace archgym;
using namespace archgym::test;

namespace {

// archgym_test_cli with the registration mistakes of components.cpp.
CliResult run_misregistered_cli(const fs::path& dir, const std::string& args) {
  return run_shell(dir, "ARCHGYM_TEST_MISREGISTER=1 " + cli_path() + " " + args);
}

// A regex for "<a><and><b>" in either order: static initialisers run in no set order, so
// either registration of a pair may be the one refused.
std::string either_order(const std::string& a, const std::string& b, const std::string& and_ = " and ") {
  return "(" + a + and_ + b + "|" + b + and_ + a + ")";
}

// A regex matching text that holds the line `line` (a regex) of a list of mistakes.
Catch::Matchers::StdString::RegexMatcher has_line(const std::string& line) {
  return Catch::Matches("[\\s\\S]*\n  " + line + "(\n[\\s\\S]*)?");
}

}  // namespace

// A registrar's throw while the program starts ended it through std::terminate: "terminate
// called after throwing an instance of 'std::invalid_argument'" and exit 134 (SIGABRT).
TEST_CASE("registration mistakes stop the command line with exit code 2 and every message") {
  const auto dir = scratch_dir("registration mistakes");
  for (const char* args : {"list", "run --env named_columns --budget 2", "runs --store none.db", "--help"}) {
    INFO(args);
    const CliResult r = run_misregistered_cli(dir, args);
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Catch::StartsWith("archgym: error: 3 registrations were refused:\n"));
    // Both files of the duplicate.
    CHECK_THAT(r.err, has_line("agent 'ga' is registered twice \\(registered at " +
                               either_order("agents/ga\\.cpp:[0-9]+", "components/components\\.cpp:[0-9]+", " and at ") + "\\)"));
    CHECK_THAT(r.err, Catch::Contains("\n  env 'bad_default': schema default: option 'size' must be integer in [1, 8], "
                                      "got '0' (registered at components/components.cpp:"));
    // Python would register both as archgym/DRAM-v0 ('import archgym' raised RuntimeError).
    CHECK_THAT(r.err, has_line(either_order("env 'dram'", "env 'd_r_a_m'") +
                               " would both be gymnasium id 'archgym/DRAM-v0'; rename one of them \\(registered at " +
                               either_order("envs/dram\\.cpp:[0-9]+", "components/components\\.cpp:[0-9]+", " and at ") + "\\)"));
    CHECK_THAT(r.err, !Catch::Contains("terminate"));
  }
  const CliResult fine = run_shell(dir, cli_path() + " list");
  CHECK(fine.exit_code == 0);
  CHECK_THAT(fine.out, Catch::Contains("named_columns"));
}

// Once the program is under way a registrar's caller can catch its mistake.
TEST_CASE("a registrar run once the registry is in use throws its mistake at once") {
  CHECK(EnvRegistry::instance().contains("named_columns"));
  CHECK_THROWS_AS(EnvRegistrar("named_columns", "again", Schema(),
                               [](const Options&) -> std::unique_ptr<Env> { return nullptr; }),
                  ComponentError);
}

// What the registry refuses of a component a user adds (components.cpp), seen through the
// command line built with it (archgym_test_cli) and directly.
#include "tests/catch.h"
#include "tests/cli/cli_harness.h"
#include "tests/core/temp_store.h"

#include "core/external_run.h"
#include "core/registry.h"
#include "core/runner.h"

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

const std::string kReserved = "(reserved: run_id, index, reward, valid, reason, sim_seconds, searcher, seed)";

// named_columns with these knobs and metrics (comma-separated).
std::map<std::string, std::string> named(const std::string& knobs, const std::string& metrics) {
  return {{"knobs", knobs}, {"metrics", metrics}};
}

}  // namespace

// A knob 'seed' gave the CSV export two 'seed' columns, and the Python frames showed a
// metric 'index' as the evaluation's index; a knob and a metric of one name shared a column.
TEST_CASE("an env whose knob or metric names clash with the columns beside them is refused when built") {
  CHECK(make_env("named_columns")->metric_names() == std::vector<std::string>{"cost_u"});
  CHECK_THROWS_AS(make_env("named_columns", named("seed,reason", "reward,index,seed")), ComponentError);
  CHECK_THROWS_WITH(make_env("named_columns", named("seed,reason", "reward,index,seed")),
                    "env 'named_columns': knob 'seed' has a reserved name: exports and frames show a column of that "
                    "name beside the knobs and metrics " + kReserved + "; rename the knob");
  CHECK_THROWS_WITH(make_env("named_columns", named("x", "cost_u,index")),
                    "env 'named_columns': metric 'index' has a reserved name: exports and frames show a column of "
                    "that name beside the knobs and metrics " + kReserved + "; rename the metric");
  CHECK_THROWS_WITH(make_env("named_columns", named("x,cost_u", "cost_u")),
                    "env 'named_columns': 'cost_u' is both a knob and a metric: exports and frames show one column "
                    "per name; rename one of them");
  CHECK_THROWS_WITH(make_env("named_columns", named("x", "cost_u,cost_u")),
                    "env 'named_columns': metric 'cost_u' is listed twice");
  CHECK_THROWS_WITH(make_env("named_columns", named("x", "cost_u,cost_u_predicted")),
                    "env 'named_columns': metric 'cost_u_predicted' is named like the column of metric 'cost_u' "
                    "predicted by a proxy model (Proxy.compare shows metric m's prediction as m_predicted); rename "
                    "the metric");
  // A metric 'c=d' could not be targeted (--target c=d=2 read the target of 'c'); a blank
  // or quoted knob name would need quoting wherever it is typed.
  CHECK_THROWS_WITH(make_env("named_columns", named("x", "cost_u,c=d")),
                    "env 'named_columns': metric 'c=d': a knob or metric name is letters, digits, '_', '-' and '.' "
                    "only (it is typed in --target and --set lists, where '=' and ',' separate things); rename the "
                    "metric");
  CHECK_THROWS_WITH(make_env("named_columns", named("a \"q\"", "cost_u")),
                    Catch::StartsWith("env 'named_columns': knob 'a \"q\"': a knob or metric name is letters"));
  CHECK(make_env("named_columns", named("x-1,y.2,Z_3", "cost_u"))->space().dimension() == 3);
  // Every way in builds through build_env: a resume's rebuild, a run, an external run.
  CHECK_THROWS_AS(rebuild_env("named_columns", R"({"knobs": "x,seed", "metrics": "cost_u"})", "run 1"), ComponentError);
  RunSpec spec;
  spec.env = "named_columns";
  spec.env_options = named("reward", "cost_u");
  spec.budget = 2;
  CHECK_THROWS_AS(Runner::run(spec, nullptr), ComponentError);
  ExternalRunSpec external;
  external.env = "named_columns";
  external.env_options = named("x", "valid");
  CHECK_THROWS_AS(ExternalRun(std::make_shared<Store>(temp_store("external_named_columns")), external), ComponentError);
}

TEST_CASE("the command line refuses an env with a reserved knob name with exit code 2, nothing stored") {
  const auto dir = scratch_dir("reserved names");
  const std::string message = "archgym: error: env 'named_columns': knob 'seed' has a reserved name: exports and "
                              "frames show a column of that name beside the knobs and metrics " + kReserved +
                              "; rename the knob\n";
  CliResult r = run_cli(dir, "run --env named_columns --set knobs=seed,reason --set metrics=reward,index,seed "
                             "--budget 2 --store s.db --no-progress");
  CHECK(r.exit_code == 2);
  CHECK(r.err == message);  // the env is at fault, not where its options were given
  CHECK_FALSE(fs::exists(dir / "s.db"));
  write_file(dir / "run.yaml", "env: named_columns\nagent: random_walk\nbudget: 2\nenv_options:\n  knobs: seed\n");
  r = run_cli(dir, "run --config run.yaml --store s.db --no-progress");
  CHECK(r.exit_code == 2);
  CHECK(r.err == message);
  CHECK_FALSE(fs::exists(dir / "s.db"));
  // A run stored before the check (as an older build would have): resuming it is refused
  // alike, not as a failure to rebuild the env from its inputs.
  r = run_cli(dir, "run --env named_columns --set knobs=x --budget 2 --store s.db --no-progress");
  REQUIRE(r.exit_code == 0);
  edit((dir / "s.db").string(), R"(UPDATE runs SET env_config = '{"knobs": "seed", "metrics": "cost_u"}', status = 'interrupted')");
  r = run_cli(dir, "run --resume 1 --store s.db --no-progress");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("env 'named_columns': knob 'seed' has a reserved name"));
}

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

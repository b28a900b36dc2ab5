// White-box tests of `--set` routing with test-only registrations: an option name that
// both an env and an agent have (no registered pair shares one yet, but any new plugin may).
#include "tests/catch.h"

#include <stdexcept>

#include "core/registry.h"
#include "experiments/cli_error.h"
#include "experiments/run_request.h"

using namespace archgym;

namespace {

const EnvRegistrar shared_env{
    "settings_env", "Test-only env (never built) whose option 'seed' an agent also has",
    Schema().integer("seed", 1, 0, std::nullopt, "workload seed").integer("size", 8, 1, 64, "a size"),
    [](const Options&) -> std::unique_ptr<Env> { throw std::logic_error("not built by these tests"); }};

const AgentRegistrar shared_agent{
    "settings_agent", "Test-only agent (never built) whose option 'seed' the env also has",
    Schema().integer("seed", 2, 0, std::nullopt, "search seed").integer("batch", 4, 1, 64, "a batch"),
    [](const AgentContext&) -> std::unique_ptr<Agent> { throw std::logic_error("not built by these tests"); }};

cli::RunRequest request() {
  cli::RunRequest r;
  r.spec.env = "settings_env";
  r.spec.agent = "settings_agent";
  return r;
}

}  // namespace

TEST_CASE("settings: a --set option both the env and the agent have must say which") {
  cli::RunRequest r = request();
  // Sent to the env alone, the agent's option would silently stay at its default.
  CHECK_THROWS_WITH(cli::apply_set("seed=3", r),
                    "--set seed=3: both env 'settings_env' and agent 'settings_agent' have an option 'seed'; "
                    "say which: --set env.seed=3 or --set agent.seed=3");
  CHECK(r.spec.env_options.empty());
  CHECK(r.spec.agent_options.empty());
  cli::apply_set("env.seed=3", r);
  cli::apply_set("agent.seed=5", r);
  CHECK(r.spec.env_options.at("seed") == "3");
  CHECK(r.spec.agent_options.at("seed") == "5");
}

TEST_CASE("settings: a --set option only one side has goes there unprefixed") {
  cli::RunRequest r = request();
  cli::apply_set("size=4", r);
  cli::apply_set("batch=2", r);
  CHECK(r.spec.env_options == std::map<std::string, std::string>{{"size", "4"}});
  CHECK(r.spec.agent_options == std::map<std::string, std::string>{{"batch", "2"}});
  CHECK(r.origin.at("env_options.size") == "--set size=4");
  CHECK_THROWS_AS(cli::apply_set("colour=red", r), cli::UsageError);
}

TEST_CASE("settings: a --set of the default over the config file's value restores the default") {
  cli::RunRequest r = request();
  r.spec.env_options["size"] = "16";
  r.origin["env_options.size"] = "run.yaml:4";
  cli::apply_set("size=8", r);  // 8 is the default: as if the file had not set it
  CHECK(r.spec.env_options.count("size") == 0);
  CHECK(r.origin.at("env_options.size") == "--set size=8");
  CHECK_THROWS_WITH(cli::apply_set("size=9", r),
                    "--set size=9: a second value for 'size' (first: --set size=8)");
  cli::RunRequest plain = request();  // no file: the default given on the command line stays given
  cli::apply_set("size=8", plain);
  CHECK(plain.spec.env_options.at("size") == "8");
  cli::RunRequest other = request();  // another value overrides the file's as before
  other.spec.env_options["size"] = "16";
  other.origin["env_options.size"] = "run.yaml:4";
  cli::apply_set("size=4", other);
  CHECK(other.spec.env_options.at("size") == "4");
}

#include "tests/catch.h"
#include "tests/core/toy_env.h"

#include "core/registry.h"

using namespace archgym;

TEST_CASE("registry lookups name what is known") {
  CHECK_THROWS_WITH(EnvRegistry::instance().get("toy_bowel"),
                    Catch::StartsWith("unknown env 'toy_bowel' (did you mean 'toy_bowl'?); known envs: ") &&
                        Catch::Contains("toy_bowl"));
  CHECK_THROWS_WITH(make_agent("toy_serch", toy::bowl_space(), {}, 1),
                    Catch::StartsWith("unknown agent 'toy_serch' (did you mean 'toy_search'?); known agents: "));
  const auto names = EnvRegistry::instance().names();
  CHECK(std::is_sorted(names.begin(), names.end()));
  CHECK(EnvRegistry::instance().get("toy_bowl").description.find("quadratic bowl") != std::string::npos);
}

TEST_CASE("make_env and make_agent validate options against the schema") {
  auto env = make_env("toy_bowl", {{"fail_x", "3"}});
  CHECK(env->metric_names().size() == 2);
  CHECK_THROWS_WITH(make_env("toy_bowl", {{"fail", "3"}}),
                    "env 'toy_bowl': unknown option 'fail' (did you mean 'fail_x'?); known options: delay_us, fail_x");
  CHECK_THROWS_WITH(make_env("toy_bowl", {{"fail_x", "30"}}),
                    "env 'toy_bowl': option 'fail_x' must be integer in [-1, 20], got '30'");
  CHECK_THROWS_WITH(make_agent("toy_search", env->space(), {{"batch", "0"}}, 1),
                    Catch::StartsWith("agent 'toy_search': option 'batch' must be integer in [1, 64]"));
  auto agent = make_agent("toy_search", env->space(), {{"batch", "3"}}, 1);
  CHECK(agent->preferred_batch() == 3);
}

TEST_CASE("registry names are lower-case words, as command lines and gymnasium ids need") {
  check_registrations();  // the program is under way: a registrar now throws its mistake
  auto bowl = [](const Options&) { return std::make_unique<toy::Bowl>(); };
  for (const char* name : {"my-env", "My_env", "2d_mesh", "my env", "dram_", "my__env"})
    CHECK_THROWS_WITH(EnvRegistrar(name, "bad name", Schema(), bowl),
                      Catch::StartsWith(std::string("env name '") + name +
                                        "': use lower-case words of letters and digits joined by single '_', "
                                        "starting with a letter (registered at core/test_registry.cpp:"));
  CHECK_FALSE(EnvRegistry::instance().contains("my-env"));
}

// Both registrations by file and line: static initialisers run in no set order, so the
// new file a user just wrote may be either one.
TEST_CASE("a name registers once, and the refusal names both registrations") {
  check_registrations();  // the program is under way: a registrar now throws its mistake
  const int line = __LINE__ + 1;
  CHECK_THROWS_WITH(EnvRegistrar("toy_bowl", "again", Schema(), [](const Options&) { return std::make_unique<toy::Bowl>(); }),
                    Catch::Matches("env 'toy_bowl' is registered twice \\(registered at core/test_toy_env\\.cpp:[0-9]+ "
                                   "and at core/test_registry\\.cpp:" + std::to_string(line) + "\\)"));
}

// A schema's mistake is declared before the registrar that knows the component's name runs
// (the chain of declarations is its argument): the registrar names both, and where it is.
TEST_CASE("a schema that contradicts itself is refused naming the component and its registrar") {
  check_registrations();  // the program is under way: a registrar now throws its mistake
  auto bowl = [](const Options&) { return std::make_unique<toy::Bowl>(); };
  const int line = __LINE__ + 1;
  CHECK_THROWS_WITH(EnvRegistrar("toy_misdeclared", "bad default", Schema().integer("size", 0, 1, 8, "").boolean("x", true, ""), bowl),
                    "env 'toy_misdeclared': schema default: option 'size' must be integer in [1, 8], got '0' "
                    "(registered at core/test_registry.cpp:" + std::to_string(line) + ")");
  CHECK_THROWS_WITH(AgentRegistrar("toy_twice", "duplicate option", Schema().integer("n", 1, 1, 8, "").real("n", 1, 0, 2, ""),
                                   [](const AgentContext&) -> std::unique_ptr<Agent> { return nullptr; }),
                    Catch::StartsWith("agent 'toy_twice': schema: option 'n' is declared twice (registered at "));
  CHECK_FALSE(EnvRegistry::instance().contains("toy_misdeclared"));
  CHECK_FALSE(AgentRegistry::instance().contains("toy_twice"));
}

// Python registers every env under its gymnasium id (gym_id): of two envs sharing one, the
// second was unreachable, and `import archgym` raised RuntimeError.
TEST_CASE("an env whose gymnasium id another env has is refused naming both envs and the id") {
  CHECK(gym_id("dram") == "archgym/DRAM-v0");
  CHECK(gym_name("soc") == "SOC");
  CHECK(gym_name("accel") == "Accel");
  CHECK(gym_name("systolic_array") == "SystolicArray");
  CHECK(gym_name("mesh_2d") == "Mesh2d");
  CHECK(gym_name("a_b_c") == gym_name("abc"));
  check_registrations();  // the program is under way: a registrar now throws its mistake
  const int line = __LINE__ + 1;
  CHECK_THROWS_WITH(EnvRegistrar("d_r_a_m", "DRAM again", Schema(), [](const Options&) { return std::make_unique<toy::Bowl>(); }),
                    Catch::Matches("env 'dram' and env 'd_r_a_m' would both be gymnasium id 'archgym/DRAM-v0'; rename one "
                                   "of them \\(registered at envs/dram\\.cpp:[0-9]+ and at core/test_registry\\.cpp:" +
                                   std::to_string(line) + "\\)"));
  CHECK_FALSE(EnvRegistry::instance().contains("d_r_a_m"));
}

// Gym resets evaluate the default design: one outside the space made every reset invalid.
TEST_CASE("an env whose default design is outside its own space is refused where it is built") {
  struct StarDefault final : Env {
    DesignSpace space_ = toy::bowl_space();
    const DesignSpace& space() const override { return space_; }
    std::vector<std::string> metric_names() const override { return {"cost_u"}; }
    Evaluation evaluate(const Design& d) const override {
      Evaluation e;
      e.metrics["cost_u"] = toy::bowl_cost(d);
      return e;
    }
    Objective default_objective() const override {
      return Objective(Formulation::NormalisedCost, {{"cost_u", 0.5, 1.0}});
    }
    Design default_design() const override {  // a star of size 64 breaks the bowl's constraint
      return space_.from_strings({{"x", "1"}, {"size", "64"}, {"shape", "star"}, {"scale", "1"}});
    }
  };
  check_registrations();
  const EnvRegistrar registrar("toy_star_default", "default outside the space", Schema(),
                               [](const Options&) { return std::make_unique<StarDefault>(); });
  CHECK_THROWS_AS(make_env("toy_star_default", {}), ComponentError);
  CHECK_THROWS_WITH(make_env("toy_star_default", {}),
                    "env 'toy_star_default': its default design is not in its own space: constraint violated: size <= 32 "
                    "for a star (default_design() must give a design every range and constraint allows)");
}

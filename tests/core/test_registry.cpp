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
  auto bowl = [](const Options&) { return std::make_unique<toy::Bowl>(); };
  for (const char* name : {"my-env", "My_env", "2d_mesh", "my env", "dram_", "my__env"})
    CHECK_THROWS_WITH(EnvRegistrar(name, "bad name", Schema(), bowl),
                      std::string("env name '") + name +
                          "': use lower-case words of letters and digits joined by single '_', starting with a letter");
  CHECK_FALSE(EnvRegistry::instance().contains("my-env"));
}

TEST_CASE("a name registers once") {
  CHECK_THROWS_WITH(EnvRegistrar("toy_bowl", "again", Schema(), [](const Options&) { return std::make_unique<toy::Bowl>(); }),
                    "env 'toy_bowl' is registered twice");
}

#include "tests/catch.h"
#include "tests/core/toy_env.h"

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <thread>

#include "core/gym_view.h"

using namespace archgym;

TEST_CASE("reset observes the default design, step scores the action") {
  auto env = std::make_shared<toy::Bowl>();
  GymView gym(env, env->default_objective(), 3);
  CHECK_THROWS_WITH(gym.step(env->default_design()), Catch::Contains("call reset() before step()"));
  // Default design: x=0, size=1, round, scale=0.5 -> cost 49 + 9 + 0 + 1 = 59.
  const auto start = gym.reset(1);
  CHECK(start.observation == std::vector<double>{59.0, 10.125});
  CHECK(start.evaluation.valid);
  CHECK(start.design == env->default_design());
  CHECK(gym.steps() == 0);

  const auto far = gym.step_indices({8, 3, 0, 1});  // x=8: cost 1
  CHECK(far.observation == std::vector<double>{1.0, 19.0});
  CHECK(far.reward == Approx(-(1.0 - 0.5) / 0.5));
  CHECK_FALSE(far.terminated);
  CHECK_FALSE(far.truncated);

  const auto best = gym.step_indices({7, 3, 0, 1});
  CHECK(best.terminated);
  CHECK(best.reward == 0.0);

  // Out of the space (star above size 32): invalid, zero observation, the invalid reward.
  const auto bad = gym.step_indices({7, 6, 2, 1});
  CHECK_FALSE(bad.evaluation.valid);
  CHECK(bad.observation == std::vector<double>{0.0, 0.0});
  CHECK(bad.reward == env->default_objective().invalid_reward());
  CHECK(bad.truncated);  // third step of three
  CHECK_THROWS_WITH(gym.step(best.design), Catch::Contains("episode ended after 3 steps"));
  // Later resets observe the same default design without simulating it again.
  const long simulated = toy::evaluations_seen;
  const auto again = gym.reset(2);
  CHECK(toy::evaluations_seen == simulated);
  CHECK(again.observation == start.observation);
  CHECK(again.evaluation.metrics == start.evaluation.metrics);
  CHECK(again.evaluation.sim_seconds == 0);
  const auto first_of_episode = gym.step(best.design);  // a new episode: stepping again
  CHECK(first_of_episode.reward == best.reward);
  CHECK_FALSE(first_of_episode.truncated);
}

TEST_CASE("gym view validates its setup and samples reproducibly") {
  auto env = std::make_shared<toy::Bowl>();
  CHECK_THROWS_WITH(GymView(env, Objective(Formulation::TargetRatio, {{"power", 1.0}})),
                    Catch::Contains("unknown metric 'power'"));
  CHECK_THROWS_WITH(GymView(env, env->default_objective(), 0), Catch::Contains("episode_length must be at least 1"));
  GymView a(env, env->default_objective()), b(env, env->default_objective());
  a.reset(9);
  b.reset(9);
  for (int i = 0; i < 10; ++i) CHECK(a.sample_action() == b.sample_action());
}

TEST_CASE("a process forked while the first reset simulates can use its copy of the view") {
  // The first reset simulates the default design; a multiprocessing worker forked
  // meanwhile must not inherit the view's mutex held (it waited forever on its first step).
  auto env = std::make_shared<toy::Bowl>();
  GymView gym(env, env->default_objective(), 2);
  std::promise<void> simulating, forked;
  std::shared_future<void> go_on = forked.get_future().share();
  toy::on_evaluation = [&] {
    toy::on_evaluation = nullptr;  // only the first evaluation waits
    simulating.set_value();
    go_on.wait();
  };
  std::thread first([&] { gym.reset(1); });
  simulating.get_future().wait();
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    int code = 0;
    try {
      const auto start = gym.reset(2);  // the child's own copy simulates again
      const auto step = gym.step_indices({7, 3, 0, 1});
      code = start.observation == std::vector<double>{59.0, 10.125} && step.terminated && gym.steps() == 1 ? 0 : 1;
    } catch (...) {
      code = 2;
    }
    _exit(code);
  }
  int status = 0;
  pid_t done = 0;
  for (int i = 0; i < 500 && done == 0; ++i) {  // up to 10 s
    done = waitpid(child, &status, WNOHANG);
    if (done == 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (done == 0) {
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
  }
  forked.set_value();
  first.join();
  REQUIRE(done == child);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(gym.reset(3).evaluation.sim_seconds == 0);  // the parent's first reset completed
}

#pragma once
// Two runs took the same path: same steps (index, design, metrics, validity, reward) and
// the same best step. Used where determinism is the claim (workers, resume, replay).
#include "core/runner.h"
#include "tests/catch.h"

inline void require_same_trajectory(const archgym::RunResult& a, const archgym::RunResult& b) {
  REQUIRE(a.trajectory.size() == b.trajectory.size());
  for (std::size_t i = 0; i < a.trajectory.size(); ++i) {
    INFO("index " << i);
    CHECK(a.trajectory[i].index == b.trajectory[i].index);
    CHECK(a.trajectory[i].design == b.trajectory[i].design);
    CHECK(a.trajectory[i].reward == b.trajectory[i].reward);
    CHECK(a.trajectory[i].evaluation.metrics == b.trajectory[i].evaluation.metrics);
    CHECK(a.trajectory[i].evaluation.valid == b.trajectory[i].evaluation.valid);
  }
  CHECK(a.best_index() == b.best_index());
}

#pragma once
// A small deterministic env and agent for the core tests, registered under test-only
// names ("toy_bowl", "toy_search") by test_toy_env.cpp.
//
// toy_bowl: a bowl over four parameters with its unique minimum at
//   x = 7, size = 8, shape = round, scale = 1  ->  cost_u = 0.
// cost_u = (x - 7)^2 + (log2(size) - 3)^2 + {round 0, square 2, star 4} + 4 (scale - 1)^2
// latency_ns = 10 + x + size / 8
// Constraint: a star never exceeds size 32.
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <stdexcept>
#include <functional>
#include <thread>

#include "core/agent.h"
#include "core/env.h"
#include "core/rng.h"

namespace toy {

// The crash test sets these in a forked child only: evaluation number kill_at (1-based,
// counted across the process) raises SIGKILL, like a power cut mid-run.
inline std::atomic<long> kill_at{-1};
inline std::atomic<long> evaluations_seen{0};
// Called at the start of every evaluation when set (tests that act mid-run; one worker).
inline std::function<void()> on_evaluation;

inline archgym::DesignSpace bowl_space() {
  using archgym::Parameter;
  archgym::DesignSpace s;
  s.add(Parameter::integer("x", 0, 20))
      .add(Parameter::power_of_two("size", 1, 64))
      .add(Parameter::categorical("shape", {"round", "square", "star"}))
      .add(Parameter::ordered("scale", {0.5, 1.0, 2.0, 4.0}));
  s.constrain("size <= 32 for a star", [](const archgym::Design& d) {
    return std::get<std::string>(d.values[2]) != "star" || std::get<std::int64_t>(d.values[1]) <= 32;
  });
  return s;
}

inline double bowl_cost(const archgym::Design& d) {
  const double x = static_cast<double>(std::get<std::int64_t>(d.values[0]));
  const double size = static_cast<double>(std::get<std::int64_t>(d.values[1]));
  const std::string& shape = std::get<std::string>(d.values[2]);
  const double scale = std::get<double>(d.values[3]);
  const double shape_cost = shape == "round" ? 0 : shape == "square" ? 2 : 4;
  return (x - 7) * (x - 7) + std::pow(std::log2(size) - 3, 2) + shape_cost + 4 * (scale - 1) * (scale - 1);
}

class Bowl final : public archgym::Env {
 public:
  Bowl(std::int64_t fail_x = -1, std::int64_t delay_us = 0) : space_(bowl_space()), fail_x_(fail_x), delay_us_(delay_us) {}
  const archgym::DesignSpace& space() const override { return space_; }
  std::vector<std::string> metric_names() const override { return {"cost_u", "latency_ns"}; }
  archgym::Evaluation evaluate(const archgym::Design& d) const override {
    if (on_evaluation) on_evaluation();
    const long n = ++evaluations_seen;
    if (kill_at >= 0 && n == kill_at) std::raise(SIGKILL);
    const std::int64_t x = std::get<std::int64_t>(d.values[0]);
    if (x == fail_x_) throw std::runtime_error("toy simulator crashed at x=" + std::to_string(x));
    // Design-dependent delays make evaluations complete out of ask order.
    if (delay_us_ > 0) std::this_thread::sleep_for(std::chrono::microseconds(delay_us_ * ((x * 7) % 5)));
    archgym::Evaluation e;
    e.metrics["cost_u"] = bowl_cost(d);
    e.metrics["latency_ns"] = 10.0 + static_cast<double>(x) + static_cast<double>(std::get<std::int64_t>(d.values[1])) / 8;
    return e;
  }
  // Met only at the minimum (every other design costs >= 1).
  archgym::Objective default_objective() const override {
    return archgym::Objective(archgym::Formulation::NormalisedCost, {{"cost_u", 0.5, 1.0}});
  }

 private:
  archgym::DesignSpace space_;
  std::int64_t fail_x_, delay_us_;
};

// Half of every batch is uniform samples, half are neighbours of the best design told so
// far, so what it asks depends on the rewards it was told (resume must replay them exactly).
class Search final : public archgym::Agent {
 public:
  Search(const archgym::DesignSpace& space, std::size_t batch, std::size_t max_evaluations, std::uint64_t seed)
      : space_(space), batch_(batch), max_(max_evaluations), rng_(seed) {}
  std::vector<archgym::Design> ask(std::size_t n) override {
    std::vector<archgym::Design> out;
    for (std::size_t i = 0; i < n; ++i)
      out.push_back(have_best_ && i % 2 == 1 ? space_.neighbour(best_, rng_) : space_.sample(rng_));
    return out;
  }
  void tell(const std::vector<archgym::Feedback>& results) override {
    for (const auto& f : results) {
      ++told_;
      if (!have_best_ || f.reward > best_reward_) {
        have_best_ = true;
        best_reward_ = f.reward;
        best_ = f.design;
      }
    }
  }
  bool finished() const override { return max_ > 0 && told_ >= max_; }
  std::size_t preferred_batch() const override { return batch_; }

 private:
  const archgym::DesignSpace& space_;
  std::size_t batch_, max_;
  archgym::Rng rng_;
  std::size_t told_ = 0;
  bool have_best_ = false;
  double best_reward_ = 0;
  archgym::Design best_;
};

}  // namespace toy

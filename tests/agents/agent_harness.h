#pragma once
// A minimal ask/tell loop and toy problems for agent tests: the agents are tested on
// their own, without the runner, the store or a simulator.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/agent.h"
#include "core/design_space.h"
#include "core/registry.h"

namespace archgym::test {

struct Trace {
  std::vector<Design> designs;   // in ask order
  std::vector<double> rewards;
  std::size_t asks = 0;
  double best() const { return rewards.empty() ? 0 : *std::max_element(rewards.begin(), rewards.end()); }
};

// Asks batches of `batch` until `budget` designs were evaluated or the agent finishes.
inline Trace drive(Agent& agent, const std::function<double(const Design&)>& reward,
                   std::size_t budget, std::size_t batch) {
  Trace t;
  while (t.designs.size() < budget && !agent.finished()) {
    const auto designs = agent.ask(std::min(batch, budget - t.designs.size()));
    if (designs.empty()) break;
    ++t.asks;
    std::vector<Feedback> fb;
    for (const auto& d : designs) {
      const double r = reward(d);
      Evaluation e;
      e.metrics["score"] = r;
      fb.push_back({d, e, r});
      t.designs.push_back(d);
      t.rewards.push_back(r);
    }
    agent.tell(fb);
  }
  return t;
}

inline Trace run_agent(const std::string& name, const DesignSpace& space,
                       const std::map<std::string, std::string>& hp, std::uint64_t seed,
                       const std::function<double(const Design&)>& reward, std::size_t budget,
                       std::size_t batch = 0) {
  auto agent = make_agent(name, space, hp, seed);
  return drive(*agent, reward, budget, batch == 0 ? agent->preferred_batch() : batch);
}

// `dims` integer knobs with `values` values each (0..values-1).
inline DesignSpace grid_space(std::size_t dims, std::int64_t values) {
  DesignSpace s;
  for (std::size_t i = 0; i < dims; ++i) s.add(Parameter::integer("x" + std::to_string(i), 0, values - 1));
  return s;
}

// Separable toy objective: how many knobs equal a hidden answer (max = dimension).
inline std::function<double(const Design&)> count_matches(Design answer) {
  return [answer = std::move(answer)](const Design& d) {
    double n = 0;
    for (std::size_t i = 0; i < d.values.size(); ++i) n += d.values[i] == answer.values[i];
    return n;
  };
}

// Every parameter kind, with a constraint across two of them.
inline DesignSpace mixed_space() {
  DesignSpace s;
  s.add(Parameter::integer("stepped", 1, 17, 4));  // 1, 5, 9, 13, 17
  s.add(Parameter::power_of_two("buffer", 1, 128));
  s.add(Parameter::ordered("policy", {Value{std::string("Open")}, Value{std::string("OpenAdaptive")},
                                      Value{std::string("Closed")}}));
  s.add(Parameter::categorical("arbiter", {"Simple", "Fifo", "Reorder"}));
  s.add(Parameter::real("rate", 0.1, 10.0, true));
  s.add(Parameter::power_of_two("active", 1, 128));
  s.constrain("active >= buffer", [](const Design& d) {
    return std::get<std::int64_t>(d.values[5]) >= std::get<std::int64_t>(d.values[1]);
  });
  return s;
}

}  // namespace archgym::test

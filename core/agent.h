#pragma once
// A search algorithm behind the ask/tell interface. Agents maximise reward.
// Determinism: given the same seed, hyperparameters and told rewards, the asked
// designs are bit-identical. Resuming a run replays ask/tell from the store, so
// agents need no serialisation of their own.
#include <cstdint>
#include <vector>

#include "core/design_space.h"
#include "core/evaluation.h"
#include "core/options.h"

namespace archgym {

struct Feedback {
  Design design;
  Evaluation evaluation;
  double reward = 0;  // from the run's Objective; invalid designs get Objective::invalid_reward()
};

class Agent {
 public:
  virtual ~Agent() = default;
  // Up to `n` designs to evaluate next (at least one unless finished()). Agents with
  // a natural batch (a GA generation) may return fewer to honour the runner's budget.
  virtual std::vector<Design> ask(std::size_t n) = 0;
  // Results for all the designs of the last ask, in the same order; each ask is told
  // before the next ask. (Agents may refuse anything else with std::logic_error: results
  // matched to the wrong designs would be silent garbage.)
  virtual void tell(const std::vector<Feedback>& results) = 0;
  // True when the agent has nothing more to propose (e.g. GA after its generations).
  virtual bool finished() const { return false; }
  // The batch the agent prefers (population size, ants); the runner uses it by default.
  virtual std::size_t preferred_batch() const { return 1; }
};

// What every agent factory receives.
struct AgentContext {
  const DesignSpace* space = nullptr;
  Options hyperparameters;
  std::uint64_t seed = 1;
};

}  // namespace archgym

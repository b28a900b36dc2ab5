// Random walk (ArchGym's baseline): every design is drawn uniformly and independently
// from the design space, constraints respected. It learns nothing from feedback, which
// makes it the yardstick every other agent must beat at equal budget. ArchGym's
// "steps" grid ({10000, 20000}) is the run's budget, not a hyperparameter here.
#include <memory>
#include <stdexcept>
#include <vector>

#include "core/agent.h"
#include "core/registry.h"
#include "core/rng.h"

namespace archgym {
namespace {

class RandomWalk final : public Agent {
 public:
  RandomWalk(const DesignSpace& space, std::size_t batch, std::uint64_t seed)
      : space_(space), batch_(batch), rng_(seed) {}

  std::vector<Design> ask(std::size_t n) override {
    std::vector<Design> designs;
    designs.reserve(n);
    for (std::size_t i = 0; i < n; ++i) designs.push_back(space_.sample(rng_));
    return designs;
  }

  void tell(const std::vector<Feedback>&) override {}  // memoryless by definition

  std::size_t preferred_batch() const override { return batch_; }

 private:
  const DesignSpace& space_;
  std::size_t batch_;
  Rng rng_;
};

Schema random_walk_schema() {
  Schema s;
  // Samples are independent, so any batch is equally good for the search; 8 keeps a
  // small thread pool busy without holding back the stop-on-target check for long.
  s.integer("batch", 8, 1, 4096, "designs proposed per ask (evaluated in parallel)");
  return s;
}

const AgentRegistrar random_walk_registrar{
    "random_walk", "uniform random sampling of the design space (ArchGym's random walk)",
    random_walk_schema(), [](const AgentContext& ctx) -> std::unique_ptr<Agent> {
      if (ctx.space == nullptr) throw std::invalid_argument("agent 'random_walk': no design space given");
      return std::make_unique<RandomWalk>(
          *ctx.space, static_cast<std::size_t>(ctx.hyperparameters.integer("batch")), ctx.seed);
    }};

}  // namespace
}  // namespace archgym

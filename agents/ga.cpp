// Genetic algorithm: tournament selection, uniform crossover, per-gene mutation and
// elitism over the (possibly mixed) design space.
//
// Generations. Generation 0 is `population` uniform samples. Each later generation
// keeps the `elitism` best individuals of the previous one with their known reward
// (envs are deterministic, so re-simulating them would only waste budget) and breeds
// population - elitism children. The agent is finished after `generations`
// generations (counting generation 0) have been evaluated, i.e. after
// population + (generations - 1) * (population - elitism) evaluations.
//
// Batches. ask(n) hands out up to n not-yet-asked individuals of the current
// generation; tell() fills in their rewards; the next generation is bred only once
// the whole current one is known. So a runner whose batch is smaller than the
// population (or whose budget ends mid-generation) sees exactly the same sequence of
// designs, just cut differently.
//
// Mutation. With probability mutation_prob per gene the gene changes: "redraw" picks
// a different value of that parameter uniformly (the classic integer-coded GA
// operator: one mutation can reach any value); "neighbour" moves ordered kinds to an
// adjacent value (categorical genes are redrawn, reals take a Gaussian step of 0.1 in
// unit space). Children that violate the space's constraints are bred again; after
// many failures a uniform sample replaces them.
//
// Rewards that are NaN or infinite are treated as the worst possible fitness: a
// broken evaluation must never win a tournament. Ties in a tournament go to the
// individual drawn first and elites are chosen by a stable sort, so everything is
// determined by the seed.
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/agent.h"
#include "core/registry.h"
#include "core/rng.h"

namespace archgym {
namespace {

constexpr double kWorst = -std::numeric_limits<double>::infinity();
constexpr int kBreedAttempts = 100;  // per child, before falling back to a uniform sample

struct GaSettings {
  std::size_t population = 16;
  std::size_t generations = 32;
  double mutation_prob = 0.05;
  double crossover_prob = 0.9;
  std::size_t tournament_size = 2;
  std::size_t elitism = 1;
  bool neighbour_mutation = false;
};

class GeneticAlgorithm final : public Agent {
 public:
  GeneticAlgorithm(const DesignSpace& space, GaSettings settings, std::uint64_t seed)
      : space_(space), s_(settings), rng_(seed) {
    current_.reserve(s_.population);
    for (std::size_t i = 0; i < s_.population; ++i) current_.push_back({space_.sample(rng_), kWorst});
  }

  std::vector<Design> ask(std::size_t n) override {
    if (finished()) return {};
    if (next_tell_ != next_ask_)  // a later tell would be matched to the wrong individuals
      throw std::logic_error("agent 'ga': ask() called while " + std::to_string(next_ask_ - next_tell_) +
                             " designs of the last ask await tell()");
    std::vector<Design> designs;
    while (designs.size() < n && next_ask_ < current_.size())
      designs.push_back(current_[next_ask_++].design);
    return designs;
  }

  void tell(const std::vector<Feedback>& results) override {
    if (results.size() != next_ask_ - next_tell_)
      throw std::logic_error("agent 'ga': tell() got " + std::to_string(results.size()) +
                             " results for the " + std::to_string(next_ask_ - next_tell_) +
                             " designs of the last ask");
    for (const Feedback& f : results) {
      Individual& ind = current_[next_tell_++];
      ind.design = f.design;  // the design that was actually evaluated
      ind.fitness = std::isfinite(f.reward) ? f.reward : kWorst;
    }
    if (next_tell_ == current_.size()) {
      ++completed_generations_;
      if (!finished()) breed();
    }
  }

  bool finished() const override { return completed_generations_ >= s_.generations; }
  std::size_t preferred_batch() const override { return s_.population; }

 private:
  struct Individual {
    Design design;
    double fitness;
  };

  void breed() {
    std::vector<Individual> parents = std::move(current_);
    current_.clear();
    current_.reserve(s_.population);

    std::vector<std::size_t> order(parents.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return parents[a].fitness > parents[b].fitness;
    });
    for (std::size_t e = 0; e < s_.elitism; ++e) current_.push_back(parents[order[e]]);

    while (current_.size() < s_.population) current_.push_back({child(parents), kWorst});
    next_ask_ = next_tell_ = s_.elitism;  // elites are already evaluated
  }

  Design child(const std::vector<Individual>& parents) {
    for (int attempt = 0; attempt < kBreedAttempts; ++attempt) {
      const Design& a = tournament(parents);
      const Design& b = tournament(parents);
      Design c = a;
      if (rng_.bernoulli(s_.crossover_prob))
        for (std::size_t g = 0; g < c.values.size(); ++g)
          if (rng_.bernoulli(0.5)) c.values[g] = b.values[g];
      for (std::size_t g = 0; g < c.values.size(); ++g)
        if (rng_.bernoulli(s_.mutation_prob)) c.values[g] = mutate(space_.parameter(g), c.values[g]);
      if (!space_.check(c)) return c;
    }
    return space_.sample(rng_);
  }

  const Design& tournament(const std::vector<Individual>& parents) {
    std::size_t best = rng_.below(parents.size());
    for (std::size_t k = 1; k < s_.tournament_size; ++k) {
      std::size_t other = rng_.below(parents.size());
      if (parents[other].fitness > parents[best].fitness) best = other;
    }
    return parents[best].design;
  }

  Value mutate(const Parameter& p, const Value& v) {
    if (!p.is_discrete()) {
      if (!s_.neighbour_mutation) return p.sample(rng_);
      double u = std::clamp(p.to_unit(v) + 0.1 * rng_.normal(), 0.0, 1.0);
      return p.from_unit(u);
    }
    const std::size_t n = p.cardinality();
    if (n < 2) return v;
    const std::size_t i = p.index_of(v);
    if (s_.neighbour_mutation && p.kind() != Parameter::Kind::Categorical) {
      if (i == 0) return p.value_at(1);
      if (i == n - 1) return p.value_at(n - 2);
      return p.value_at(rng_.bernoulli(0.5) ? i - 1 : i + 1);
    }
    // A different value, uniformly: mutation_prob is then the real per-gene change rate.
    std::size_t j = rng_.below(n - 1);
    return p.value_at(j >= i ? j + 1 : j);
  }

  const DesignSpace& space_;
  GaSettings s_;
  Rng rng_;
  std::vector<Individual> current_;  // the generation being evaluated
  std::size_t next_ask_ = 0, next_tell_ = 0;
  std::size_t completed_generations_ = 0;
};

Schema ga_schema() {
  Schema s;
  s.integer("population", 16, 2, 1024, "individuals per generation (the preferred batch)");
  s.integer("generations", 32, 1, 10000,
            "generations to evaluate, counting the initial random one; then the agent stops");
  s.real("mutation_prob", 0.05, 0.0, 1.0, "probability that each gene of a child mutates");
  s.real("crossover_prob", 0.9, 0.0, 1.0,
         "probability that a child mixes two parents gene by gene (else copies one)");
  s.integer("tournament_size", 2, 1, 1024,
            "individuals drawn per tournament (1 = random selection; at most population)");
  s.integer("elitism", 1, 0, 1023,
            "best individuals carried unchanged into the next generation (< population)");
  s.choice("mutation", "redraw", {"redraw", "neighbour"},
           "redraw: a different random value; neighbour: an adjacent value of ordered knobs");
  return s;
}

std::unique_ptr<Agent> make_ga(const AgentContext& ctx) {
  if (ctx.space == nullptr) throw std::invalid_argument("agent 'ga': no design space given");
  const Options& o = ctx.hyperparameters;
  GaSettings s;
  s.population = static_cast<std::size_t>(o.integer("population"));
  s.generations = static_cast<std::size_t>(o.integer("generations"));
  s.mutation_prob = o.real("mutation_prob");
  s.crossover_prob = o.real("crossover_prob");
  s.tournament_size = static_cast<std::size_t>(o.integer("tournament_size"));
  s.elitism = static_cast<std::size_t>(o.integer("elitism"));
  s.neighbour_mutation = o.string("mutation") == "neighbour";
  // Limits that depend on another option, so the schema cannot state them alone.
  if (s.elitism >= s.population)
    throw std::invalid_argument("agent 'ga': elitism = " + std::to_string(s.elitism) +
                                " must be less than population = " + std::to_string(s.population) +
                                " (every generation needs at least one child)");
  if (s.tournament_size > s.population)
    throw std::invalid_argument("agent 'ga': tournament_size = " + std::to_string(s.tournament_size) +
                                " must not exceed population = " + std::to_string(s.population));
  return std::make_unique<GeneticAlgorithm>(*ctx.space, s, ctx.seed);
}

const AgentRegistrar ga_registrar{
    "ga", "genetic algorithm: tournament selection, uniform crossover, per-gene mutation, elitism",
    ga_schema(), make_ga};

}  // namespace
}  // namespace archgym

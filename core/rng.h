#pragma once
// Seeded random numbers that are bit-identical on every platform: std::mt19937_64
// is fully specified, the std distributions are not, so we derive our own.
#include <cstdint>
#include <random>
#include <vector>

namespace archgym {

class Rng {
 public:
  explicit Rng(std::uint64_t seed = 1) : engine_(seed) {}
  std::uint64_t next_u64() { return engine_(); }
  // Uniform integer in [0, n) without modulo bias. n must be > 0.
  std::uint64_t below(std::uint64_t n);
  // Uniform integer in [lo, hi].
  std::int64_t between(std::int64_t lo, std::int64_t hi);
  // Uniform real in [0, 1) with 53 random bits.
  double uniform();
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  bool bernoulli(double p) { return uniform() < p; }
  double normal();  // Box-Muller, deterministic
  // Index drawn with probability proportional to weights (all >= 0, sum > 0).
  std::size_t weighted(const std::vector<double>& weights);
  // A child generator for an independent stream (e.g. per worker or per sub-run).
  Rng split() { return Rng(next_u64() ^ 0x9E3779B97F4A7C15ull); }
 private:
  std::mt19937_64 engine_;
};

}  // namespace archgym

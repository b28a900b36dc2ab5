// Every distribution here is written out so the same seed gives the same numbers
// with any standard library: std::mt19937_64's output is fixed by the standard,
// std::uniform_int_distribution and friends are not.
#include "core/rng.h"

#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

namespace archgym {

std::uint64_t Rng::below(std::uint64_t n) {
  if (n == 0) throw std::invalid_argument("Rng::below(0): the range is empty");
  // Reject the lowest (2^64 mod n) outputs so every residue is equally likely.
  const std::uint64_t threshold = (0 - n) % n;
  for (;;) {
    std::uint64_t r = next_u64();
    if (r >= threshold) return r % n;
  }
}

std::int64_t Rng::between(std::int64_t lo, std::int64_t hi) {
  if (lo > hi)
    throw std::invalid_argument("Rng::between(" + std::to_string(lo) + ", " + std::to_string(hi) +
                                "): lo > hi");
  const std::uint64_t span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
  const std::uint64_t offset = span == UINT64_MAX ? next_u64() : below(span + 1);
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(lo) + offset);
}

double Rng::uniform() {
  // The top 53 bits scaled by 2^-53: every double in [0, 1) on a 2^-53 grid.
  return static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
}

double Rng::normal() {
  // Box-Muller with one draw per call (no cached second value, so the state is
  // just the engine). 1 - uniform() lies in (0, 1], keeping log() finite.
  const double u1 = 1.0 - uniform();
  const double u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

std::size_t Rng::weighted(const std::vector<double>& weights) {
  double total = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    if (!(weights[i] >= 0) || !std::isfinite(weights[i]))
      throw std::invalid_argument("Rng::weighted: weight " + std::to_string(i) +
                                  " is negative or not finite");
    total += weights[i];
  }
  if (!(total > 0)) throw std::invalid_argument("Rng::weighted: the weights sum to zero");
  const double r = uniform() * total;
  double cumulative = 0;
  std::size_t last_positive = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    if (weights[i] <= 0) continue;
    cumulative += weights[i];
    last_positive = i;
    if (r < cumulative) return i;
  }
  return last_positive;  // rounding left r == total: the last index that can be drawn
}

}  // namespace archgym

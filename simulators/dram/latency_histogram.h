#pragma once
// Read latencies in whole memory cycles, counted exactly: one count per latency, so the
// mean and percentiles are those of every sample, in memory bounded by the largest latency
// instead of the trace length. Latencies from kDense on (only with absurd timings) are
// counted in a map, so memory stays bounded by the number of distinct ones.
#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

namespace archgym::dram {

class LatencyHistogram {
 public:
  static constexpr std::size_t kDense = std::size_t{1} << 16;

  void add(std::uint64_t latency) {
    if (latency >= kDense) {
      ++sparse_[latency];
    } else {
      if (latency >= dense_.size()) {
        // Grow in 4 KiB steps to just past the largest latency (a plain resize doubles).
        const std::size_t size = (latency / 512 + 1) * 512;
        dense_.reserve(size);
        dense_.resize(size);
      }
      ++dense_[latency];
    }
    ++count_;
    sum_ += latency;
  }

  std::uint64_t count() const { return count_; }
  std::uint64_t sum() const { return sum_; }
  // Nearest rank: the k-th smallest sample, k = ceil(p * count) clamped to [1, count]
  // (p in [0, 1]); 0 without samples.
  std::uint64_t percentile(double p) const;
  std::uint64_t max() const;  // 0 without samples

 private:
  std::vector<std::uint64_t> dense_;
  std::map<std::uint64_t, std::uint64_t> sparse_;
  std::uint64_t count_ = 0, sum_ = 0;
};

}  // namespace archgym::dram

#include "simulators/dram/latency_histogram.h"

#include <algorithm>
#include <cmath>

namespace archgym::dram {

std::uint64_t LatencyHistogram::percentile(double p) const {
  if (count_ == 0) return 0;
  std::uint64_t k = static_cast<std::uint64_t>(std::ceil(p * static_cast<double>(count_)));
  k = std::clamp<std::uint64_t>(k, 1, count_);
  std::uint64_t seen = 0;
  for (std::size_t latency = 0; latency < dense_.size(); ++latency) {
    seen += dense_[latency];
    if (seen >= k) return latency;
  }
  for (const auto& [latency, n] : sparse_) {
    seen += n;
    if (seen >= k) return latency;
  }
  return 0;  // unreachable: the counts sum to count_
}

std::uint64_t LatencyHistogram::max() const {
  if (!sparse_.empty()) return sparse_.rbegin()->first;
  for (std::size_t latency = dense_.size(); latency-- > 0;)
    if (dense_[latency] != 0) return latency;
  return 0;
}

}  // namespace archgym::dram

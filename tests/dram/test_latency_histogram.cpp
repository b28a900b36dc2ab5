// The read latency statistics every front end reports (p50, p99, max, mean): known answers.
#include "simulators/dram/latency_histogram.h"

#include "tests/catch.h"

using archgym::dram::LatencyHistogram;

TEST_CASE("latency percentiles are nearest-rank over every sample", "[dram][latency]") {
  LatencyHistogram h;
  CHECK(h.percentile(0.5) == 0);  // no samples
  CHECK(h.max() == 0);
  for (std::uint64_t latency = 100; latency >= 1; --latency) h.add(latency);  // 1..100, any order
  CHECK(h.count() == 100);
  CHECK(h.sum() == 5050);
  CHECK(h.percentile(0.50) == 50);
  CHECK(h.percentile(0.99) == 99);
  CHECK(h.percentile(1.0) == 100);
  CHECK(h.percentile(0.0) == 1);  // the rank is at least 1
  CHECK(h.max() == 100);

  // p99 of 100 samples is the 99th smallest: one outlier is above it, two are not.
  LatencyHistogram tail;
  for (int i = 0; i < 99; ++i) tail.add(10);
  tail.add(500);
  CHECK(tail.percentile(0.99) == 10);
  CHECK(tail.percentile(0.995) == 500);
  CHECK(tail.max() == 500);
  tail.add(500);  // 101 samples: rank ceil(99.99) = 100
  CHECK(tail.percentile(0.99) == 500);
}

TEST_CASE("latencies beyond the dense range are counted exactly too", "[dram][latency]") {
  LatencyHistogram h;
  const std::uint64_t huge = LatencyHistogram::kDense + 12345;
  h.add(7);
  h.add(huge);
  h.add(huge);
  h.add(LatencyHistogram::kDense - 1);
  CHECK(h.count() == 4);
  CHECK(h.sum() == 7 + 2 * huge + LatencyHistogram::kDense - 1);
  CHECK(h.percentile(0.25) == 7);
  CHECK(h.percentile(0.50) == LatencyHistogram::kDense - 1);
  CHECK(h.percentile(0.75) == huge);
  CHECK(h.max() == huge);
}

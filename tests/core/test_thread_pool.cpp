#include "tests/catch.h"

#include <atomic>
#include <stdexcept>
#include <vector>

#include "core/thread_pool.h"

using namespace archgym;

TEST_CASE("every job runs exactly once, for any pool size") {
  for (unsigned threads : {1u, 2u, 5u}) {
    ThreadPool pool(threads);
    CHECK(pool.size() == threads);
    for (std::size_t n : {0u, 1u, 3u, 100u}) {
      std::vector<std::atomic<int>> hits(n);
      pool.for_each(n, [&](std::size_t i) { ++hits[i]; });
      for (auto& h : hits) CHECK(h == 1);
    }
  }
  CHECK(ThreadPool(0).size() >= 1);  // hardware concurrency
}

TEST_CASE("a failing job is rethrown after the others finish") {
  ThreadPool pool(3);
  std::atomic<int> done{0};
  CHECK_THROWS_WITH(pool.for_each(20,
                                  [&](std::size_t i) {
                                    if (i == 4) throw std::runtime_error("job 4 failed");
                                    ++done;
                                  }),
                    "job 4 failed");
  CHECK(done == 19);
  // The pool is still usable.
  std::atomic<int> again{0};
  pool.for_each(5, [&](std::size_t) { ++again; });
  CHECK(again == 5);
}

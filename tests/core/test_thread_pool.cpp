#include "tests/catch.h"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <functional>
#include <string>
#include <stdexcept>
#include <thread>
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

TEST_CASE("the caller hears of finished jobs on its own thread, up to the last") {
  for (unsigned threads : {1u, 2u, 5u}) {
    INFO(threads << " threads");
    ThreadPool pool(threads);
    const auto caller = std::this_thread::get_id();
    std::atomic<int> ran{0};
    std::vector<std::size_t> counts;
    bool on_caller = true;
    pool.for_each(
        50, [&](std::size_t) { ++ran; },
        [&](std::size_t finished) {
          on_caller = on_caller && std::this_thread::get_id() == caller;
          CHECK(static_cast<int>(finished) <= ran.load());  // only jobs that are done
          counts.push_back(finished);
        });
    CHECK(on_caller);
    REQUIRE_FALSE(counts.empty());
    CHECK(counts.back() == 50);
    CHECK(std::adjacent_find(counts.begin(), counts.end(), std::greater_equal<>()) == counts.end());
    if (threads == 1) CHECK(counts.size() == 50);  // the caller runs them: one report each
  }
}

TEST_CASE("a failing report waits for the jobs, then is rethrown after a failing job") {
  ThreadPool pool(3);
  std::atomic<int> done{0};
  int reports = 0;
  CHECK_THROWS_WITH(pool.for_each(
                        20, [&](std::size_t) { ++done; },
                        [&](std::size_t) {
                          ++reports;
                          throw std::runtime_error("report failed");
                        }),
                    "report failed");
  CHECK(done == 20);
  CHECK(reports == 1);  // not called again once it threw
  CHECK_THROWS_WITH(pool.for_each(
                        20,
                        [&](std::size_t i) {
                          if (i == 4) throw std::runtime_error("job 4 failed");
                        },
                        [&](std::size_t) { throw std::runtime_error("report failed"); }),
                    "job 4 failed");
}

TEST_CASE("a pool that cannot start its threads says so instead of hanging") {
  // In a child whose address space leaves no room for 64 thread stacks (8 MiB each).
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    long pages = 0;  // the address space in use now
    if (FILE* f = std::fopen("/proc/self/statm", "r")) {
      if (std::fscanf(f, "%ld", &pages) != 1) pages = 0;
      std::fclose(f);
    }
    rlimit limit{};
    getrlimit(RLIMIT_AS, &limit);
    limit.rlim_cur = static_cast<rlim_t>(pages) * static_cast<rlim_t>(sysconf(_SC_PAGESIZE)) + (128ull << 20);
    if (setrlimit(RLIMIT_AS, &limit) != 0) _exit(3);
    try {
      ThreadPool pool(64);
      _exit(4);  // started them all after all
    } catch (const std::runtime_error& e) {
      _exit(std::string(e.what()).find("cannot start 64 worker threads") != std::string::npos ? 0 : 5);
    } catch (...) {
      _exit(6);
    }
  }
  int status = 0;
  for (int i = 0; i < 1000 && waitpid(child, &status, WNOHANG) == 0; ++i) usleep(10000);
  if (waitpid(child, &status, WNOHANG) == 0) {  // still running after 10 s: the old hang
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
    FAIL("the pool hung when a thread could not start");
  }
  REQUIRE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 4) WARN("this machine started 64 threads in 128 MiB more; nothing to check");
  else CHECK(WEXITSTATUS(status) == 0);
}

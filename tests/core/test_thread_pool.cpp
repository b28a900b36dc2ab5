#include "tests/catch.h"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <string>
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

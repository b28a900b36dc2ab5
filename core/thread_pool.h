#pragma once
// A fixed set of worker threads that run index-addressed jobs: for_each(n, job) calls
// job(0..n-1), each exactly once, on whichever worker is free, and returns when all
// are done. The first exception a job throws is rethrown by for_each. The calling thread
// may watch the jobs finish (a progress report that must stay on that thread).
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace archgym {

class ThreadPool {
 public:
  explicit ThreadPool(unsigned threads);  // 0 = hardware concurrency; 1 = run on the caller
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  unsigned size() const { return size_; }
  // One for_each at a time (the runner evaluates one batch at a time).
  // `finished`, when given, is called on the calling thread with how many jobs have
  // finished (those that threw count too), increasing up to n; several jobs may finish
  // between two calls. If it throws, it is not called again, for_each still waits for
  // every job, then rethrows (a job's exception first).
  void for_each(std::size_t n, const std::function<void(std::size_t)>& job,
                const std::function<void(std::size_t finished)>& finished = {});

 private:
  void work();
  void stop();  // ends and joins the workers
  unsigned size_;
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  const std::function<void(std::size_t)>* job_ = nullptr;
  std::size_t next_ = 0, total_ = 0, finished_ = 0;
  std::exception_ptr error_;
  bool stopping_ = false;
};

}  // namespace archgym

#include "core/thread_pool.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <system_error>

namespace archgym {

ThreadPool::ThreadPool(unsigned threads) {
  size_ = threads == 0 ? std::max(1u, std::thread::hardware_concurrency()) : threads;
  if (size_ <= 1) return;
  try {
    for (unsigned i = 0; i < size_; ++i) threads_.emplace_back([this] { work(); });
  } catch (const std::system_error& e) {
    // The threads already started wait on members about to be destroyed: stop them first
    // (a destructor does not run for a constructor that throws).
    const std::size_t started = threads_.size();
    stop();
    throw std::runtime_error("cannot start " + std::to_string(size_) + " worker threads (started " +
                             std::to_string(started) + ": " + e.what() + "); use fewer workers");
  }
}

ThreadPool::~ThreadPool() { stop(); }

void ThreadPool::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

void ThreadPool::for_each(std::size_t n, const std::function<void(std::size_t)>& job,
                          const std::function<void(std::size_t)>& finished) {
  if (n == 0) return;
  if (threads_.empty()) {
    for (std::size_t i = 0; i < n; ++i) {
      job(i);
      if (finished) finished(i + 1);
    }
    return;
  }
  std::unique_lock lock(mutex_);
  job_ = &job;
  next_ = 0;
  total_ = n;
  finished_ = 0;
  error_ = nullptr;
  wake_.notify_all();
  std::exception_ptr report_error;
  std::size_t reported = 0;
  const auto unreported = [&] { return finished && !report_error && finished_ > reported; };
  for (;;) {
    done_.wait(lock, [&] { return finished_ == total_ || unreported(); });
    if (!unreported()) break;  // every job finished, and the last count was reported
    reported = finished_;
    // Unlocked, so that the workers go on while the caller reports.
    lock.unlock();
    try {
      finished(reported);
    } catch (...) {
      report_error = std::current_exception();  // the jobs still use `job`: wait for them
    }
    lock.lock();
  }
  job_ = nullptr;
  total_ = 0;
  if (error_) std::rethrow_exception(error_);
  if (report_error) std::rethrow_exception(report_error);
}

void ThreadPool::work() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || (job_ && next_ < total_); });
    if (stopping_) return;
    const std::size_t i = next_++;
    const auto* job = job_;
    lock.unlock();
    std::exception_ptr error;
    try {
      (*job)(i);
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    if (error && !error_) error_ = error;
    ++finished_;
    done_.notify_all();  // every time: the caller may be reporting each finished job
  }
}

}  // namespace archgym

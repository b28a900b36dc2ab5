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

void ThreadPool::for_each(std::size_t n, const std::function<void(std::size_t)>& job) {
  if (n == 0) return;
  if (threads_.empty()) {
    for (std::size_t i = 0; i < n; ++i) job(i);
    return;
  }
  std::unique_lock lock(mutex_);
  job_ = &job;
  next_ = 0;
  total_ = n;
  finished_ = 0;
  error_ = nullptr;
  wake_.notify_all();
  done_.wait(lock, [&] { return finished_ == total_; });
  job_ = nullptr;
  total_ = 0;
  if (error_) std::rethrow_exception(error_);
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
    if (++finished_ == total_) done_.notify_all();
  }
}

}  // namespace archgym

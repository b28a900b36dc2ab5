#pragma once
// A one-line progress report on stderr:
//   [#########...........] 150/300 evals  412.3 evals/s  best reward 3.21
// redrawn in place with \r on a terminal; when stderr is a file or pipe (CI logs),
// one line roughly every 10% instead, so logs stay readable.
#include <chrono>
#include <cstdint>
#include <cstdio>

namespace archgym {

class ProgressBar {
 public:
  explicit ProgressBar(std::FILE* out = stderr);
  ProgressBar(std::FILE* out, bool interactive);  // interactive = redraw in place
  void update(std::uint64_t done, std::uint64_t total, double best_reward);
  void finish();  // ends the line on a terminal

 private:
  std::FILE* out_;
  bool interactive_;
  int last_decile_ = -1;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace archgym

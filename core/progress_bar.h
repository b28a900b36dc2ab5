#pragma once
// A one-line progress report on stderr:
//   [#########...........] 150/300 evals  412.3 evals/s  best reward 3.21
// redrawn in place with \r on a terminal; when stderr is a file or pipe (CI logs),
// one line roughly every 10% instead, and at least one a minute while the run goes on (a
// run of millions of evaluations spends minutes in a tenth), so logs stay readable;
// finish() adds the last update when it was not printed, so a log ends with the real count.
// Other long jobs label it their way (ProgressLabels), e.g. a proxy model's fit:
//   learning feature scales [##..................] 12/100 iterations  loss 0.2131
//   growing trees [########............] 40/100
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace archgym {

// What a bar counts and reports; the defaults are a run's.
struct ProgressLabels {
  std::string title;                  // before the bar ("learning feature scales"); none for runs
  std::string unit = "evals";         // what done/total count; none when the title says it
  bool rate = true;                   // "412.3 evals/s" after the count
  std::string value = "best reward";  // the name of update()'s last argument; none = not shown
};

// "ETA 45s", "ETA 3m20s", "ETA 2h05m": the time `remaining` work takes at `rate` per
// second ("" when the rate is not positive).
std::string eta_text(double remaining, double rate);

class ProgressBar {
 public:
  explicit ProgressBar(std::FILE* out = stderr, ProgressLabels labels = {});
  // interactive = redraw in place
  ProgressBar(std::FILE* out, bool interactive, ProgressLabels labels = {});
  // The same with the clock it reads (tests: a log line a minute without waiting one).
  using Clock = std::chrono::steady_clock::time_point (*)();
  ProgressBar(std::FILE* out, bool interactive, ProgressLabels labels, Clock clock);
  void update(std::uint64_t done, std::uint64_t total, double value);  // value: the best reward for runs
  void finish();  // ends the line on a terminal; in a log, prints the last update if it was skipped
  // A resumed run first replays `replayed` stored evaluations (no simulation): those are
  // shown as replayed and left out of the rate, which would otherwise read thousands/s.
  void count_replayed(std::uint64_t replayed) { replayed_ = replayed; }

 private:
  void draw();  // the last update

  std::FILE* out_;
  bool interactive_;
  ProgressLabels labels_;
  int last_decile_ = -1;
  bool drawn_ = false;
  // The last update, and whether it was printed (a log skips those within a tenth).
  std::uint64_t done_ = 0, total_ = 0, replayed_ = 0;
  double value_ = 0, seconds_ = 0;
  bool pending_ = false;
  Clock clock_;
  std::chrono::steady_clock::time_point start_;
  double last_line_seconds_ = 0;  // when a log line was last printed
};

}  // namespace archgym

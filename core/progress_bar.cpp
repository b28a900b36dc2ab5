#include "core/progress_bar.h"

#include <unistd.h>

#include <cmath>
#include <string>

#include "core/text.h"

namespace archgym {

ProgressBar::ProgressBar(std::FILE* out) : ProgressBar(out, isatty(fileno(out)) != 0) {}

ProgressBar::ProgressBar(std::FILE* out, bool interactive)
    : out_(out), interactive_(interactive), start_(std::chrono::steady_clock::now()) {}

void ProgressBar::update(std::uint64_t done, std::uint64_t total, double best_reward) {
  done_ = done;
  total_ = total;
  best_reward_ = best_reward;
  seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double fraction = total == 0 ? 1.0 : std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
  const int decile = static_cast<int>(fraction * 10);
  pending_ = !interactive_ && decile == last_decile_;
  if (pending_) return;
  last_decile_ = decile;
  draw();
}

void ProgressBar::draw() {
  const double fraction =
      total_ == 0 ? 1.0 : std::min(1.0, static_cast<double>(done_) / static_cast<double>(total_));
  constexpr int kWidth = 20;
  const int filled = static_cast<int>(fraction * kWidth);
  char rate[64];
  if (done_ <= replayed_ && replayed_ > 0) {
    std::snprintf(rate, sizeof rate, "replayed from the store");
  } else {
    const double evaluated = static_cast<double>(done_ - replayed_);  // in this process
    std::snprintf(rate, sizeof rate, "%.1f evals/s", seconds_ > 0 ? evaluated / seconds_ : 0.0);
  }
  char line[256];
  std::snprintf(line, sizeof line, "[%s%s] %llu/%llu evals  %s  best reward %s",
                std::string(filled, '#').c_str(), std::string(kWidth - filled, '.').c_str(),
                static_cast<unsigned long long>(done_), static_cast<unsigned long long>(total_), rate,
                std::isfinite(best_reward_) ? format_double(std::round(best_reward_ * 1e4) / 1e4).c_str() : "-");
  if (interactive_) std::fprintf(out_, "\r%s\033[K", line);
  else std::fprintf(out_, "%s\n", line);
  std::fflush(out_);
  drawn_ = true;
}

void ProgressBar::finish() {
  // A run that stops between tenths (an agent's own rule, an interrupt, an error) would
  // otherwise leave a log ending at an earlier count than it reached.
  if (pending_) draw();
  pending_ = false;
  if (interactive_ && drawn_) std::fprintf(out_, "\n");
  std::fflush(out_);
  drawn_ = false;
}

}  // namespace archgym

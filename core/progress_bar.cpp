#include "core/progress_bar.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <utility>

#include "core/text.h"

namespace archgym {

std::string eta_text(double remaining, double rate) {
  if (!(rate > 0) || !(remaining >= 0)) return "";
  const double seconds = std::ceil(remaining / rate);
  if (!(seconds < 1e9)) return "";
  const auto s = static_cast<long long>(seconds);
  char text[48];
  if (s < 60) std::snprintf(text, sizeof text, "ETA %llds", s);
  else if (s < 3600) std::snprintf(text, sizeof text, "ETA %lldm%02llds", s / 60, s % 60);
  else std::snprintf(text, sizeof text, "ETA %lldh%02lldm", s / 3600, (s % 3600) / 60);
  return text;
}

ProgressBar::ProgressBar(std::FILE* out, ProgressLabels labels)
    : ProgressBar(out, isatty(fileno(out)) != 0, std::move(labels)) {}

ProgressBar::ProgressBar(std::FILE* out, bool interactive, ProgressLabels labels)
    : ProgressBar(out, interactive, std::move(labels), &std::chrono::steady_clock::now) {}

ProgressBar::ProgressBar(std::FILE* out, bool interactive, ProgressLabels labels, Clock clock)
    : out_(out), interactive_(interactive), labels_(std::move(labels)), clock_(clock), start_(clock()) {}

void ProgressBar::update(std::uint64_t done, std::uint64_t total, double value) {
  constexpr double kLogLineSeconds = 60;
  done_ = done;
  total_ = total;
  value_ = value;
  seconds_ = std::chrono::duration<double>(clock_() - start_).count();
  const double fraction = total == 0 ? 1.0 : std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
  const int decile = static_cast<int>(fraction * 10);
  pending_ = !interactive_ && decile == last_decile_ && seconds_ - last_line_seconds_ < kLogLineSeconds;
  if (pending_) return;
  last_decile_ = decile;
  last_line_seconds_ = seconds_;
  draw();
}

void ProgressBar::draw() {
  const double fraction =
      total_ == 0 ? 1.0 : std::min(1.0, static_cast<double>(done_) / static_cast<double>(total_));
  constexpr int kWidth = 20;
  const int filled = static_cast<int>(fraction * kWidth);
  std::string rate;
  if (labels_.rate && done_ <= replayed_ && replayed_ > 0) {
    rate = "  replayed from the store";
  } else if (labels_.rate) {
    const double evaluated = static_cast<double>(done_ - replayed_);  // in this process
    const double per_second = seconds_ > 0 ? evaluated / seconds_ : 0.0;
    char text[64];
    std::snprintf(text, sizeof text, "  %.1f ", per_second);
    rate = text + labels_.unit + "/s";
    // Long runs (millions of evaluations on a proxy) want to know when they end.
    if (done_ < total_)
      if (const std::string eta = eta_text(static_cast<double>(total_ - done_), per_second); !eta.empty())
        rate += "  " + eta;
  }
  std::string line = (labels_.title.empty() ? "" : labels_.title + " ") + "[" + std::string(filled, '#') +
                     std::string(kWidth - filled, '.') + "] " + std::to_string(done_) + "/" +
                     std::to_string(total_);
  if (!labels_.unit.empty()) line += " " + labels_.unit;
  line += rate;
  if (!labels_.value.empty())
    line += "  " + labels_.value + " " + (std::isfinite(value_) ? format_double(std::round(value_ * 1e4) / 1e4) : "-");
  if (interactive_) std::fprintf(out_, "\r%s\033[K", line.c_str());
  else std::fprintf(out_, "%s\n", line.c_str());
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

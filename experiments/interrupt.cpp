// The handler does only async-signal-safe things: a lock-free atomic, write(2),
// signal(2) and raise(3).
#include "experiments/interrupt.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstddef>
#include <iterator>

namespace archgym::cli {
namespace {

static_assert(std::atomic<int>::is_always_lock_free, "the signal handler needs a lock-free flag");

std::atomic<int> g_signal{0};  // the first signal received, 0 for none

constexpr int kSignals[] = {SIGINT, SIGTERM};
struct sigaction g_previous[std::size(kSignals)];

constexpr char kNotice[] =
    "\narchgym: interrupted; finishing the evaluations in flight (interrupt again to quit at once)\n";

extern "C" void on_interrupt(int sig) {
  const int saved_errno = errno;
  int none = 0;
  if (g_signal.compare_exchange_strong(none, sig)) {
    [[maybe_unused]] const auto ignored = write(STDERR_FILENO, kNotice, sizeof kNotice - 1);
  } else {
    // The second one: die by the signal, as the user (and the parent shell) expect.
    std::signal(sig, SIG_DFL);
    std::raise(sig);
  }
  errno = saved_errno;
}

}  // namespace

InterruptHandler::InterruptHandler() {
  g_signal = 0;
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;  // system calls in flight (SQLite's I/O) continue
  for (std::size_t i = 0; i < std::size(kSignals); ++i) {
    sigaction(kSignals[i], nullptr, &g_previous[i]);
    // A signal ignored on purpose (nohup, a background job of a script) stays ignored.
    if (g_previous[i].sa_handler != SIG_IGN) sigaction(kSignals[i], &action, nullptr);
  }
}

InterruptHandler::~InterruptHandler() {
  for (std::size_t i = 0; i < std::size(kSignals); ++i) sigaction(kSignals[i], &g_previous[i], nullptr);
}

bool InterruptHandler::requested() const { return g_signal.load() != 0; }

BrokenPipeIgnored::BrokenPipeIgnored() {
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  sigaction(SIGPIPE, &ignore, &previous_);
}

BrokenPipeIgnored::~BrokenPipeIgnored() { sigaction(SIGPIPE, &previous_, nullptr); }

}  // namespace archgym::cli

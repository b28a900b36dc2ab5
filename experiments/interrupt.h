#pragma once
// Ctrl-C (SIGINT) or SIGTERM while `archgym run` is running. The first one only sets
// a flag: the runner polls it between batches, lets the batch in flight finish and be
// stored, and ends the run as "interrupted" (resumable to the same trajectory). A
// second one ends the process at once by the signal's default action; every committed
// evaluation is safe (one transaction each) and resume redoes the rest.
#include <csignal>

namespace archgym::cli {

// Installs the handlers for its lifetime and restores the previous ones after.
// One at a time (the flag is process-wide, as signals are).
class InterruptHandler {
 public:
  InterruptHandler();
  ~InterruptHandler();
  InterruptHandler(const InterruptHandler&) = delete;
  InterruptHandler& operator=(const InterruptHandler&) = delete;

  // True once SIGINT or SIGTERM arrived. Safe to poll from any thread.
  bool requested() const;
};

// SIGPIPE ignored for its lifetime, then the previous action restored. While a run
// works, the progress on stderr may go to a pipe whose reader has gone (`archgym run
// 2>&1 | head -2`): the run should not die of its observer's exit, so the write fails
// instead and the run carries on to its end in the store. Output after the run (the
// summary) to such a pipe ends the process by SIGPIPE as usual.
class BrokenPipeIgnored {
 public:
  BrokenPipeIgnored();
  ~BrokenPipeIgnored();
  BrokenPipeIgnored(const BrokenPipeIgnored&) = delete;
  BrokenPipeIgnored& operator=(const BrokenPipeIgnored&) = delete;

 private:
  struct sigaction previous_;
};

}  // namespace archgym::cli

#pragma once
// Ctrl-C (SIGINT) or SIGTERM while `archgym run` is running. The first one only sets
// a flag: the runner polls it between batches, lets the batch in flight finish and be
// stored, and ends the run as "interrupted" (resumable to the same trajectory). A
// second one ends the process at once by the signal's default action; every committed
// evaluation is safe (one transaction each) and resume redoes the rest.
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

}  // namespace archgym::cli

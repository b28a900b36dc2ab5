#pragma once
// Which process is which, across runs of the program: the store records the process that
// is running a run, so that a second process cannot append to the same run at the same
// time, while a run whose process was killed can still be resumed.
//
// A pid alone is not enough (pids are reused), so a process is (host, pid, start), where
// start is the kernel's start time of the process (Linux: /proc/PID/stat field 22, in clock
// ticks since boot). The same pid with another start time is another process.
#include <cstdint>
#include <string>

namespace archgym {

struct ProcessIdentity {
  std::string host;   // gethostname()
  std::int64_t pid = 0;
  std::string start;  // kernel start time of the process; "" where the system has none
};

// The calling process.
const ProcessIdentity& this_process();

// The identity of a process of this host by pid (start "" if it does not exist or the
// system keeps no start times).
ProcessIdentity process_on_this_host(std::int64_t pid);

enum class Liveness { Alive, Gone, Unknown };
// Whether `p` is still running: Unknown for a process of another host (it cannot be asked).
Liveness liveness(const ProcessIdentity& p);

// "pid 1234 on host h".
std::string describe(const ProcessIdentity& p);

}  // namespace archgym

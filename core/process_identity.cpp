#include "core/process_identity.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>

namespace archgym {

namespace {

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown-host";
  return buf;
}

// Field 22 of /proc/PID/stat, "" if there is no such process or it has exited (a zombie,
// state Z or X, waiting to be reaped). The command name (field 2) is in parentheses and
// may hold spaces or parentheses itself, so count fields after its last ')'.
std::string start_time(std::int64_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return "";
  const auto close = line.rfind(')');
  if (close == std::string::npos) return "";
  std::istringstream fields(line.substr(close + 1));
  std::string field;
  for (int i = 3; i <= 22; ++i) {
    if (!(fields >> field)) return "";
    if (i == 3 && (field == "Z" || field == "X")) return "";
  }
  return field;
}

bool has_proc() {
  static const bool present = !start_time(static_cast<std::int64_t>(getpid())).empty();
  return present;
}

}  // namespace

const ProcessIdentity& this_process() {
  // Not cached across fork(): a forked child is another process.
  thread_local ProcessIdentity self;
  const auto pid = static_cast<std::int64_t>(getpid());
  if (self.pid != pid) self = process_on_this_host(pid);
  return self;
}

ProcessIdentity process_on_this_host(std::int64_t pid) {
  return ProcessIdentity{host_name(), pid, start_time(pid)};
}

Liveness liveness(const ProcessIdentity& p) {
  if (p.host != host_name()) return Liveness::Unknown;
  if (p.pid <= 0) return Liveness::Gone;
  if (has_proc()) {
    const std::string now = start_time(p.pid);
    // Gone, or the pid now belongs to a process started at another time.
    return !now.empty() && (p.start.empty() || now == p.start) ? Liveness::Alive : Liveness::Gone;
  }
  // No /proc: the pid exists (EPERM: it exists but belongs to another user).
  return kill(static_cast<pid_t>(p.pid), 0) == 0 || errno == EPERM ? Liveness::Alive : Liveness::Gone;
}

std::string describe(const ProcessIdentity& p) {
  return "pid " + std::to_string(p.pid) + " on host " + p.host;
}

}  // namespace archgym

#include "core/file_output.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <ostream>
#include <streambuf>
#include <stdexcept>
#include <system_error>

namespace archgym {

namespace {

// SQLite's database header, and the two magic numbers of its write-ahead log.
bool is_sqlite_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char head[16] = {};
  in.read(head, sizeof head);
  if (in.gcount() >= 16 && std::memcmp(head, "SQLite format 3", 16) == 0) return true;
  const unsigned char* h = reinterpret_cast<const unsigned char*>(head);
  return in.gcount() >= 4 && h[0] == 0x37 && h[1] == 0x7f && h[2] == 0x06 && (h[3] == 0x82 || h[3] == 0x83);
}

bool all_digits(const std::string& s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos; }

// The descriptor of this process that `path` names: /dev/stdout, /dev/stderr, /dev/fd/N,
// /proc/self/fd/N, /proc/<this pid>/fd/N, or a symbolic link leading to one of them; -1 if
// none. Such a path must be written through the descriptor itself: followed to the file
// behind it (stdout redirected to a log) and replaced or reopened, the log would lose what
// it held ("cmd >> log") and what the process writes around it.
int descriptor_named(std::string path) {
  namespace fs = std::filesystem;
  const std::string self = "/proc/" + std::to_string(static_cast<long>(getpid())) + "/fd/";
  for (int hop = 0; hop < 40; ++hop) {  // 40: the kernel's own limit on links followed
    if (path == "/dev/stdout") return 1;
    if (path == "/dev/stderr") return 2;
    for (const std::string prefix : {"/dev/fd/", "/proc/self/fd/", "/proc/thread-self/fd/", self.c_str()})
      if (path.rfind(prefix, 0) == 0 && all_digits(path.substr(prefix.size())) && path.size() - prefix.size() < 10)
        return std::stoi(path.substr(prefix.size()));
    std::error_code ec;
    if (!fs::is_symlink(path, ec)) return -1;
    const fs::path to = fs::read_symlink(path, ec);
    if (ec) return -1;
    path = (to.is_absolute() ? to : fs::path(path).parent_path() / to).lexically_normal().string();
  }
  return -1;
}

// Temporary files of earlier writes to `path` whose process died (kill -9 mid-write):
// "<name>.tmp-<pid>-<n>", or "<name>.tmp-<pid>" as earlier builds named them.
void remove_stale_temporaries(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  const std::string prefix = target.filename().string() + ".tmp-";
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const std::string rest = name.substr(prefix.size());
    const auto dash = rest.find('-');
    const std::string pid = rest.substr(0, dash);
    // No pid has 10 digits; a longer number threw from std::stol and stopped the write.
    if (!all_digits(pid) || pid.size() > 9 || (dash != std::string::npos && !all_digits(rest.substr(dash + 1))))
      continue;
    if (kill(static_cast<pid_t>(std::stol(pid)), 0) != 0 && errno == ESRCH) fs::remove(entry.path(), ec);
  }
}

// A new temporary file next to `path` under a name no other write uses: the pid tells
// processes apart and the counter the writes of one process, whose threads collided under
// "<path>.tmp-<pid>" (one renamed the other's half-written file into place). O_EXCL: an
// existing file of that name (left by an earlier process with this pid, or anything else,
// a store included) is never opened, the next name is tried. Returns its descriptor and
// sets `name`.
int create_temporary(const std::string& path, const std::string& what, std::string& name) {
  static std::atomic<std::uint64_t> counter{0};
  const std::string stem = path + ".tmp-" + std::to_string(static_cast<long>(getpid())) + "-";
  for (int attempt = 0;; ++attempt) {
    name = stem + std::to_string(counter.fetch_add(1, std::memory_order_relaxed));
    const int fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) return fd;
    // The temporary is named: creating it is what failed, not the target (/proc/version
    // exists, yet "No such file or directory" came of its temporary).
    if (errno != EEXIST || attempt >= 1000)
      throw std::runtime_error(path + ": cannot write " + what + " (creating its temporary file " + name +
                               " failed: " + std::strerror(errno) + ")");
  }
}

// A stream buffer writing to a descriptor in 64 KiB pieces: a big output (a CSV of
// millions of rows) goes out as it is made, never whole in memory.
class DescriptorBuffer : public std::streambuf {
 public:
  explicit DescriptorBuffer(int fd) : fd_(fd) { setp(buffer_, buffer_ + sizeof buffer_); }
  int error() const { return error_; }  // the errno of the first failed write, 0 if none

 protected:
  int overflow(int c) override {
    if (!drain()) return traits_type::eof();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }
  int sync() override { return drain() ? 0 : -1; }

 private:
  bool drain() {
    const char* p = pbase();
    while (error_ == 0 && p < pptr()) {
      const ssize_t n = ::write(fd_, p, static_cast<std::size_t>(pptr() - p));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) error_ = n < 0 ? errno : EIO;
      else p += n;
    }
    setp(buffer_, buffer_ + sizeof buffer_);
    return error_ == 0;
  }

  int fd_;
  int error_ = 0;
  char buffer_[1 << 16];
};

// What `write` makes to `fd`, then closes it; false (errno set) if any of it failed. What
// `write` throws closes the descriptor and goes on to the caller.
bool write_and_close(int fd, const std::function<void(std::ostream&)>& write) {
  auto buffer = std::make_unique<DescriptorBuffer>(fd);
  std::ostream out(buffer.get());
  try {
    write(out);
  } catch (...) {
    ::close(fd);
    throw;
  }
  out.flush();
  if (!out || buffer->error() != 0) {
    const int error = buffer->error() != 0 ? buffer->error() : EIO;
    ::close(fd);
    errno = error;
    return false;
  }
  // On disk before the rename makes it the file: after a power cut the target holds the
  // old contents or the new, never an empty file the rename had already put in place.
  if (::fsync(fd) != 0 && errno != EINVAL && errno != EROFS) {  // (EINVAL: a file system without fsync)
    const int error = errno;
    ::close(fd);
    errno = error;
    return false;
  }
  return ::close(fd) == 0;  // a full disk can report here (NFS)
}

// check_output_target's checks; returns descriptor_named(path), which the write needs too.
int checked_output_target(const std::string& path, const std::string& what) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (path.empty()) throw std::invalid_argument("no path given for " + what);
  const int descriptor = descriptor_named(path);
  if (descriptor >= 0 && fcntl(descriptor, F_GETFL) == -1)
    throw std::invalid_argument(path + ": cannot write " + what + " (descriptor " + std::to_string(descriptor) +
                                " is not open)");
  if (fs::is_directory(path, ec)) throw std::invalid_argument(path + ": is a directory, not a file for " + what);
  if (fs::is_regular_file(path, ec) && is_sqlite_file(path))
    throw std::invalid_argument(path + ": is an SQLite database (an archgym store?); refusing to overwrite it with " +
                                what);
  // A store's companion files: replacing the shared-memory index of a store in use lets two
  // writers overwrite each other's pages, and the log or journal is deleted with the store's
  // next close. Refused whether or not they exist yet.
  for (const char* suffix : {"-wal", "-shm", "-journal"}) {
    const std::string s = suffix;
    if (path.size() > s.size() && path.compare(path.size() - s.size(), s.size(), s) == 0) {
      const std::string store = path.substr(0, path.size() - s.size());
      if (fs::is_regular_file(store, ec) && is_sqlite_file(store))
        throw std::invalid_argument(path + ": is the " + s.substr(1) + " file of the SQLite database " + store +
                                    " (an archgym store?); refusing to write " + what + " there");
    }
  }
  // Where the file (or, for a new or regular one, its temporary) will be created.
  const bool special = descriptor >= 0 || (fs::exists(path, ec) && !fs::is_regular_file(path, ec));
  const fs::path target(path);
  const std::string dir = special ? path : target.has_parent_path() ? target.parent_path().string() : ".";
  if (access(dir.c_str(), W_OK) != 0)
    throw std::invalid_argument(path + ": cannot write " + what + " (" + (special ? "" : dir + ": ") +
                                std::strerror(errno) + ")");
  return descriptor;
}

}  // namespace

void check_output_target(const std::string& path, const std::string& what) { checked_output_target(path, what); }

void write_file_atomically(const std::string& path, const std::string& content, const std::string& what) {
  write_file_atomically(
      path, [&](std::ostream& out) { out.write(content.data(), static_cast<std::streamsize>(content.size())); },
      what);
}

void write_file_atomically(const std::string& link, const std::function<void(std::ostream&)>& write,
                           const std::string& what) {
  namespace fs = std::filesystem;
  std::error_code ec;
  // One of this process's descriptors (/dev/stdout): written through it, after what the
  // process printed there so far.
  if (const int descriptor = checked_output_target(link, what); descriptor >= 0) {
    std::fflush(nullptr);
    const int copy = fcntl(descriptor, F_DUPFD_CLOEXEC, 0);
    if (copy < 0 || !write_and_close(copy, write))
      throw std::runtime_error(link + ": writing " + what + " failed (" + std::strerror(errno) + ")");
    return;
  }
  // A device, FIFO or socket (/dev/null, a named pipe) is written in place: renaming a
  // regular file over it would replace the node itself (even /dev/full, as root).
  if (fs::exists(link, ec) && !fs::is_regular_file(link, ec)) {
    std::ofstream out(link, std::ios::binary);
    if (!out) throw std::runtime_error(link + ": cannot write " + what + " (" + std::strerror(errno) + ")");
    write(out);
    out.flush();
    if (!out) throw std::runtime_error(link + ": writing " + what + " failed (" + std::strerror(errno) + ")");
    return;
  }
  // Through a symlink to a regular file, replace the file it points to, not the link.
  std::string path = link;
  if (fs::is_symlink(link, ec) && fs::exists(link, ec)) path = fs::canonical(link, ec).string();
  if (path.empty()) path = link;
  remove_stale_temporaries(path);
  std::string temporary;
  const int fd = create_temporary(path, what, temporary);
  bool written = false;
  try {
    written = write_and_close(fd, write);
  } catch (...) {  // what `write` threw (a damaged row): no half file is left
    fs::remove(temporary, ec);
    throw;
  }
  if (!written) {
    const std::string reason = std::strerror(errno);  // e.g. no space left on device
    fs::remove(temporary, ec);
    throw std::runtime_error(path + ": writing " + what + " failed (" + reason + ")");
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    fs::remove(temporary, ec);
    throw std::runtime_error(path + ": cannot replace it with " + what + " (" + reason + ")");
  }
}

}  // namespace archgym

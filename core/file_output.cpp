#include "core/file_output.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
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

// Temporary files of earlier writes to `path` whose process died (kill -9 mid-write).
void remove_stale_temporaries(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  const std::string prefix = target.filename().string() + ".tmp-";
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const std::string pid = name.substr(prefix.size());
    if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) continue;
    if (kill(static_cast<pid_t>(std::stol(pid)), 0) != 0 && errno == ESRCH) fs::remove(entry.path(), ec);
  }
}

}  // namespace

void check_output_target(const std::string& path, const std::string& what) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (path.empty()) throw std::invalid_argument("no path given for " + what);
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
  const bool special = fs::exists(path, ec) && !fs::is_regular_file(path, ec);
  const fs::path target(path);
  const std::string dir = special ? path : target.has_parent_path() ? target.parent_path().string() : ".";
  if (access(dir.c_str(), W_OK) != 0)
    throw std::invalid_argument(path + ": cannot write " + what + " (" + (special ? "" : dir + ": ") +
                                std::strerror(errno) + ")");
}

void write_file_atomically(const std::string& link, const std::string& content, const std::string& what) {
  namespace fs = std::filesystem;
  std::error_code ec;
  check_output_target(link, what);
  // A device, FIFO or socket (/dev/stdout, a named pipe) is written in place: renaming a
  // regular file over it would replace the node itself (even /dev/full, as root).
  if (fs::exists(link, ec) && !fs::is_regular_file(link, ec)) {
    std::ofstream out(link, std::ios::binary);
    if (!out) throw std::runtime_error(link + ": cannot write " + what + " (" + std::strerror(errno) + ")");
    out << content;
    out.flush();
    if (!out) throw std::runtime_error(link + ": writing " + what + " failed (" + std::strerror(errno) + ")");
    return;
  }
  // Through a symlink to a regular file, replace the file it points to, not the link.
  std::string path = link;
  if (fs::is_symlink(link, ec) && fs::exists(link, ec)) path = fs::canonical(link, ec).string();
  if (path.empty()) path = link;
  remove_stale_temporaries(path);
  const std::string temporary = path + ".tmp-" + std::to_string(static_cast<long>(getpid()));
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error(path + ": cannot write " + what + " (" + std::strerror(errno) + ")");
    out << content;
    out.flush();
    if (!out) {
      const std::string reason = std::strerror(errno);  // e.g. no space left on device
      out.close();
      fs::remove(temporary, ec);
      throw std::runtime_error(path + ": writing " + what + " failed (" + reason + ")");
    }
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    fs::remove(temporary, ec);
    throw std::runtime_error(path + ": cannot replace it with " + what + " (" + reason + ")");
  }
}

}  // namespace archgym

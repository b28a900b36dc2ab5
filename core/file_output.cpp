#include "core/file_output.h"

#include <unistd.h>

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

}  // namespace

void write_file_atomically(const std::string& path, const std::string& content, const std::string& what) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (path.empty()) throw std::invalid_argument("no path given for " + what);
  if (fs::is_directory(path, ec)) throw std::invalid_argument(path + ": is a directory, not a file for " + what);
  if (fs::is_regular_file(path, ec) && is_sqlite_file(path))
    throw std::invalid_argument(path + ": is an SQLite database (an archgym store?); refusing to overwrite it with " +
                                what);
  const std::string temporary = path + ".tmp-" + std::to_string(static_cast<long>(getpid()));
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error(path + ": cannot write " + what + " (" + std::strerror(errno) + ")");
    out << content;
    out.flush();
    if (!out) {
      out.close();
      fs::remove(temporary, ec);
      throw std::runtime_error(path + ": writing " + what + " failed");
    }
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    fs::remove(temporary, ec);
    throw std::runtime_error(path + ": cannot replace it with " + what + " (" + reason + ")");
  }
}

}  // namespace archgym

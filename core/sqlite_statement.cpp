#include "core/sqlite_statement.h"

#include <cerrno>
#include <filesystem>
#include <system_error>

#include <sys/resource.h>

namespace archgym::sql {

std::string hint_for(int primary_code) {
  if (primary_code == SQLITE_BUSY)
    return " (another process kept the store locked for " + std::to_string(kBusyTimeoutMs / 1000) +
           " s; what was stored before is kept: try again, or resume the run, when it is done)";
  if (primary_code == SQLITE_READONLY)
    return " (the store file or its directory is not writable by this user, and this command writes to the "
           "store; make it writable or work on a copy: `archgym runs`, `export` and `proxy train|eval` only read)";
  return "";
}

std::string system_reason(sqlite3* db, const std::string& path, int primary_code) {
  if (primary_code != SQLITE_IOERR && primary_code != SQLITE_FULL) return "";
  int err = sqlite3_system_errno(db);
  if (err == 0) {  // SQLite does not keep every write's errno: look for the usual limit
    rlimit limit{};
    std::error_code ec;
    if (::getrlimit(RLIMIT_FSIZE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
      for (const std::string& file : {path, path + "-wal"})
        if (const auto size = std::filesystem::file_size(file, ec); !ec && size + 65536 >= limit.rlim_cur) err = EFBIG;
  }
  if (err == EFBIG) return " (file too large: the store reached this process's file-size limit, ulimit -f)";
  if (err == ENOSPC) return " (no space left on the device)";
  return err ? " (" + std::generic_category().message(err) + ")" : "";
}

void exec(sqlite3* db, const std::string& path, const char* sql) {
  char* error = nullptr;
  if (const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &error); rc != SQLITE_OK) {
    std::string message = error ? error : sqlite3_errmsg(db);
    sqlite3_free(error);
    throw SqliteError("store " + path + ": " + message + system_reason(db, path, rc & 0xff) + hint_for(rc & 0xff), rc & 0xff);
  }
}

}  // namespace archgym::sql

#include "core/sqlite_fork.h"

#include <sqlite3.h>
#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace archgym {
namespace {

struct Connection {
  sqlite3* db;
  pid_t opened_by;
};

std::mutex tracked_mutex;
std::vector<Connection>& tracked() {
  static std::vector<Connection> connections;
  return connections;
}

// A fork while another thread holds the mutex would leave it locked forever in the child.
[[maybe_unused]] const int fork_handlers = pthread_atfork([] { tracked_mutex.lock(); },
                                                          [] { tracked_mutex.unlock(); },
                                                          [] { tracked_mutex.unlock(); });

}  // namespace

void track_connection(sqlite3* db) {
  const std::lock_guard held(tracked_mutex);
  tracked().push_back({db, getpid()});
}

void close_tracked(sqlite3* db) {
  const std::lock_guard held(tracked_mutex);
  std::erase_if(tracked(), [&](const Connection& c) { return c.db == db; });
  sqlite3_close(db);
}

void release_inherited_connections(const std::string& opening) {
  const std::lock_guard held(tracked_mutex);
  const pid_t self = getpid();
  auto& connections = tracked();
  for (const Connection& c : connections)
    // Any prepared statement (the store finalises each before its method returns): a
    // thread of the parent was inside a store method.
    if (c.opened_by != self && (!sqlite3_get_autocommit(c.db) || sqlite3_next_stmt(c.db, nullptr)))
      throw std::runtime_error(
          "store " + opening + ": this process was forked while a thread of its parent (process " +
          std::to_string(c.opened_by) + ") was reading or writing a store, and SQLite cannot open a store "
          "safely in it; fork workers before opening stores, or start them with the 'spawn' method");
  for (auto it = connections.begin(); it != connections.end();) {
    if (it->opened_by == self) {
      ++it;
      continue;
    }
    // (Should it fail, closing could checkpoint only with an exclusive lock on the file,
    // which any connection of another process prevents.)
    sqlite3_db_config(it->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
    // The Store objects holding these stay unusable here (Store::lock refuses a child) and
    // do not close them again (their destructors close only in the opening process).
    sqlite3_close_v2(it->db);
    it = connections.erase(it);
  }
}

}  // namespace archgym

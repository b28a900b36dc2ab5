#pragma once
// Test stores: a fresh path per test, and edits through a connection of their own.
#include <sqlite3.h>

#include <filesystem>
#include <string>

#include "tests/catch.h"

// A fresh store path in the test build directory, one per test name (old files removed).
inline std::string temp_store(const std::string& name) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(ARCHGYM_TEST_BINARY_DIR) / "stores";
  fs::create_directories(dir);
  const fs::path p = dir / (name + ".db");
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(p.string() + suffix);
  return p.string();
}

// Another connection's edit of the store: what a user with sqlite3 can do to it, or a
// trigger that makes the store refuse writes as a full disk would (the store's own
// connection stays open).
inline void edit(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

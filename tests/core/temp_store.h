#pragma once
// A fresh store path in the test build directory, one per test name (old files removed).
#include <filesystem>
#include <string>

inline std::string temp_store(const std::string& name) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(ARCHGYM_TEST_BINARY_DIR) / "stores";
  fs::create_directories(dir);
  const fs::path p = dir / (name + ".db");
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(p.string() + suffix);
  return p.string();
}

#pragma once
// The SQLite layer under the store (store.cpp, store_export.cpp): prepared statements that
// throw on failure naming the store, with what the user can do about it. Internal to core.
#include <sqlite3.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "core/text.h"

namespace archgym::sql {

inline constexpr int kBusyTimeoutMs = 10000;  // several processes may share a store

// What the user can do about an error SQLite names in its own terms.
std::string hint_for(int primary_code);
// What the operating system said when an SQLite write failed (SQLite says only "disk I/O
// error"): a file-size limit (ulimit -f) or a full disk, by name.
std::string system_reason(sqlite3* db, const std::string& path, int primary_code);

// An SQLite call failed; code() is its primary result code, taken when it failed (a
// ROLLBACK after it would overwrite the connection's).
class SqliteError : public std::runtime_error {
 public:
  SqliteError(const std::string& what, int code) : std::runtime_error(what), code_(code) {}
  int code() const { return code_; }
  bool busy() const { return code_ == SQLITE_BUSY || code_ == SQLITE_LOCKED; }

 private:
  int code_;
};

// A row a hand edit left unreadable (Statement::checked_integer and checked_number).
class UnreadableRow : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One prepared statement; finalised on scope exit.
class Statement {
 public:
  Statement(sqlite3* db, const std::string& path, const char* sql) : db_(db), path_(path) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) fail("prepare");
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int i, const std::string& s) {
    check(sqlite3_bind_text(stmt_, i, s.c_str(), static_cast<int>(s.size()), SQLITE_TRANSIENT), "bind");
    return *this;
  }
  Statement& bind(int i, std::int64_t v) {
    check(sqlite3_bind_int64(stmt_, i, v), "bind");
    return *this;
  }
  Statement& bind(int i, double v) {
    check(sqlite3_bind_double(stmt_, i, v), "bind");
    return *this;
  }
  // True while a row is available.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail("step");
  }
  int last_error() const { return sqlite3_extended_errcode(db_); }
  std::string text(int col) const {
    const auto* p = sqlite3_column_text(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(stmt_, col)) : std::string();
  }
  std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
  double real(int col) const { return sqlite3_column_double(stmt_, col); }
  // A column a hand edit may have given another type (SQLite keeps any value in any
  // column, and reads 'lots' as the integer 0): throws naming the store, `row` ("run 3")
  // and the column. `at_least` bounds integers (a batch of -3 read as 2^64 - 3).
  std::int64_t checked_integer(int col, const std::string& row, const char* column,
                               std::int64_t at_least = INT64_MIN) const {
    if (sqlite3_column_type(stmt_, col) != SQLITE_INTEGER) wrong_type(col, row, column, "an integer");
    const std::int64_t v = integer(col);
    if (v < at_least) wrong_type(col, row, column, "an integer of at least " + std::to_string(at_least));
    return v;
  }
  double checked_number(int col, const std::string& row, const char* column) const {
    const int type = sqlite3_column_type(stmt_, col);
    if (type != SQLITE_FLOAT && type != SQLITE_INTEGER) wrong_type(col, row, column, "a number");
    return real(col);
  }
  bool null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

 private:
  [[noreturn]] void wrong_type(int col, const std::string& row, const char* column, const std::string& expected) const {
    static const char* const kTypes[] = {"", "integer", "real", "text", "blob", "null"};
    const int type = sqlite3_column_type(stmt_, col);
    throw UnreadableRow("store " + path_ + ": " + row + ": column '" + column + "' holds " +
                        (type == SQLITE_BLOB ? std::string("a blob") : "'" + printable_line(text(col), 60) + "'") +
                        " (" + kTypes[type] + "); expected " + expected + " (was the store edited by hand?)");
  }
  [[noreturn]] void fail(const char* what) const {
    const int code = sqlite3_errcode(db_) & 0xff;
    throw SqliteError("store " + path_ + ": " + what + " failed: " + sqlite3_errmsg(db_) + system_reason(db_, path_, code) +
                          hint_for(code),
                      code);
  }
  void check(int rc, const char* what) const {
    if (rc != SQLITE_OK) fail(what);
  }
  sqlite3* db_;
  const std::string& path_;
  sqlite3_stmt* stmt_ = nullptr;
};

// Runs `sql` (statements without results), throwing SqliteError naming the store.
void exec(sqlite3* db, const std::string& path, const char* sql);

// Seeds are uint64 but SQLite integers are int64: store the same 64 bits.
inline std::int64_t to_db(std::uint64_t v) { return static_cast<std::int64_t>(v); }
inline std::uint64_t from_db(std::int64_t v) { return static_cast<std::uint64_t>(v); }

}  // namespace archgym::sql

#pragma once
// Runs the `archgym` binary in a scratch directory and captures exit code and output.
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace archgym::test {

namespace fs = std::filesystem;

struct CliResult {
  int exit_code = -1;
  std::string out, err;
};

inline std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void write_file(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

// A fresh, empty directory for one test case (kept afterwards for inspection).
inline fs::path scratch_dir(const std::string& name) {
  std::string clean;
  for (char c : name) clean += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  const fs::path dir = fs::path(ARCHGYM_TEST_BINARY_DIR) / "cli_scratch" / clean;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

inline std::string cli_path() { return "'" + std::string(ARCHGYM_CLI) + "'"; }

// Runs a shell command line in `dir`, capturing its output.
inline CliResult run_shell(const fs::path& dir, const std::string& command) {
  const std::string cmd = "cd '" + dir.string() + "' && " + command + " >cli.out 2>cli.err";
  const int status = std::system(cmd.c_str());
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_file(dir / "cli.out");
  r.err = read_file(dir / "cli.err");
  return r;
}

// `args` is shell text, e.g. "run --env dram --budget 5".
inline CliResult run_cli(const fs::path& dir, const std::string& args) {
  return run_shell(dir, cli_path() + " " + args);
}

// Starts `archgym args` in `dir` without waiting (stdout to cli.out, stderr to cli.err);
// the returned pid is archgym's own (the shell execs it), so signals reach it directly.
inline pid_t spawn_cli(const fs::path& dir, const std::string& args) {
  const std::string cmd = "cd '" + dir.string() + "' && exec " + cli_path() + " " + args + " >cli.out 2>cli.err";
  const pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

// Waits for a spawn_cli process; the raw waitpid status (WIFEXITED, WTERMSIG, ...).
inline int wait_cli(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

// CSV lines split into cells (our exports quote no newlines).
inline std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::vector<std::string> cells{""};
    bool quoted = false;
    for (char c : line) {
      if (c == '"') quoted = !quoted;
      else if (c == ',' && !quoted) cells.emplace_back();
      else cells.back() += c;
    }
    rows.push_back(cells);
  }
  return rows;
}

// Drops the columns that legitimately differ between identical runs.
inline std::vector<std::vector<std::string>> without_columns(std::vector<std::vector<std::string>> rows,
                                                             const std::vector<std::string>& names) {
  if (rows.empty()) return rows;
  std::vector<bool> drop(rows[0].size(), false);
  for (std::size_t c = 0; c < rows[0].size(); ++c)
    for (const auto& n : names) drop[c] = drop[c] || rows[0][c] == n;
  for (auto& row : rows) {
    std::vector<std::string> kept;
    for (std::size_t c = 0; c < row.size(); ++c)
      if (c >= drop.size() || !drop[c]) kept.push_back(row[c]);
    row = kept;
  }
  return rows;
}

}  // namespace archgym::test

// Output files are written whole and never over a store.
#include "tests/catch.h"
#include "tests/core/temp_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "core/file_output.h"
#include "core/store.h"

using namespace archgym;
namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("output files replace the old one whole and leave no temporary behind") {
  const fs::path dir = fs::path(ARCHGYM_TEST_BINARY_DIR) / "file_output";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string out = (dir / "out.csv").string();
  write_file_atomically(out, "a,b\n1,2\n", "the CSV file");
  CHECK(read_text(out) == "a,b\n1,2\n");
  write_file_atomically(out, "c\n", "the CSV file");
  CHECK(read_text(out) == "c\n");
  CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 1);

  CHECK_THROWS_WITH(write_file_atomically(dir.string(), "x", "the CSV file"),
                    Catch::Contains("is a directory, not a file for the CSV file"));
  CHECK_THROWS_WITH(write_file_atomically((dir / "no" / "such" / "x.csv").string(), "x", "the CSV file"),
                    Catch::Contains("cannot write the CSV file"));
}

TEST_CASE("output made as it is written arrives whole, and a writer that fails leaves the old file") {
  const fs::path dir = fs::path(ARCHGYM_TEST_BINARY_DIR) / "file_output_streamed";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string out = (dir / "out.csv").string();
  // Several times the stream's 64 KiB buffer, in pieces of odd sizes.
  std::string expected;
  write_file_atomically(
      out,
      [&](std::ostream& o) {
        for (int i = 0; i < 40000; ++i) {
          const std::string line = std::to_string(i) + ",row " + std::string(static_cast<std::size_t>(i % 7), 'x') + "\n";
          o << line;
          expected += line;
        }
      },
      "the CSV file");
  CHECK(expected.size() > 4 * 65536);
  CHECK(read_text(out) == expected);
  // What the writer throws reaches the caller; the old file stays and no temporary is left.
  CHECK_THROWS_WITH(write_file_atomically(
                        out,
                        [](std::ostream& o) {
                          o << std::string(200000, 'y');
                          throw std::runtime_error("row 7 is damaged");
                        },
                        "the CSV file"),
                    "row 7 is damaged");
  CHECK(read_text(out) == expected);
  CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 1);
}

TEST_CASE("a file whose temporary cannot be created says so, not that the file is missing") {
  // /proc/version exists, but /proc takes no new file: root passes the directory's access
  // check and the temporary's creation fails with "No such file or directory".
  if (geteuid() != 0) return;  // others are refused /proc by the access check, named alike
  CHECK_THROWS_WITH(write_file_atomically("/proc/version", "x", "the CSV file"),
                    Catch::StartsWith("/proc/version: cannot write the CSV file (creating its temporary file "
                                      "/proc/version.tmp-") &&
                        Catch::EndsWith(" failed: No such file or directory)"));
}

TEST_CASE("a path naming an open descriptor is written through it, keeping what the file held") {
  // "archgym export --out /dev/stdout >> log" replaced the log by a file of the CSV alone:
  // /dev/stdout leads to the log through /proc/self/fd/1, which was renamed over.
  const fs::path dir = fs::path(ARCHGYM_TEST_BINARY_DIR) / "file_output_descriptor";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path log = dir / "log.txt";
  std::ofstream(log) << "important\n";
  const int appended = ::open(log.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  REQUIRE(appended >= 0);
  const std::string fd = std::to_string(appended);
  write_file_atomically("/dev/fd/" + fd, "a\n", "the CSV file");
  write_file_atomically("/proc/self/fd/" + fd, "b\n", "the CSV file");
  fs::create_symlink("/proc/self/fd/" + fd, dir / "link");  // a link to a descriptor path
  write_file_atomically((dir / "link").string(), "c\n", "the CSV file");
  CHECK(read_text(log) == "important\na\nb\nc\n");
  // Opened truncating ("> log"): written at the descriptor's offset, between the process's
  // own output before and after.
  const int truncated = ::open(log.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  REQUIRE(truncated >= 0);
  REQUIRE(::write(truncated, "keep\n", 5) == 5);
  write_file_atomically("/proc/" + std::to_string(getpid()) + "/fd/" + std::to_string(truncated), "csv\n",
                        "the CSV file");
  REQUIRE(::write(truncated, "after\n", 6) == 6);
  CHECK(read_text(log) == "keep\ncsv\nafter\n");
  CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 2);  // log and link
  ::close(appended);
  ::close(truncated);
  // A descriptor that is not open is refused, not created as a file.
  CHECK_THROWS_WITH(write_file_atomically("/dev/fd/" + fd, "x", "the CSV file"),
                    Catch::Contains("descriptor " + fd + " is not open"));
}

TEST_CASE("an output file never overwrites an SQLite database") {
  const std::string path = temp_store("output_target");
  { Store store(path); }
  const std::string before = read_text(path);
  CHECK_THROWS_WITH(write_file_atomically(path, "model", "the proxy model file"),
                    Catch::Contains("is an SQLite database (an archgym store?); refusing to overwrite it"));
  CHECK(read_text(path) == before);
  // Nor its companion files, even before they exist: replacing the -shm of a store in use
  // let two writers corrupt it, and a -wal is deleted with the store's next close.
  for (const char* suffix : {"-wal", "-shm", "-journal"})
    CHECK_THROWS_WITH(write_file_atomically(path + suffix, "model", "the proxy model file"),
                      Catch::Contains(std::string(suffix).substr(1) + " file of the SQLite database " + path));
  write_file_atomically(path + "-notes", "text", "the notes");  // only those three are refused
  CHECK(read_text(path + "-notes") == "text");
}

TEST_CASE("temporary files left by a writer that was killed are cleaned up by the next write") {
  const fs::path dir = fs::path(ARCHGYM_TEST_BINARY_DIR) / "file_output_stale";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string out = (dir / "m.json").string();
  const std::string live = std::to_string(getppid());
  // As this build names them (pid, then a count) and as earlier builds did (pid only).
  for (const std::string& name : std::vector<std::string>{".tmp-999999999", ".tmp-999999999-0", ".tmp-999999999-17",
                                                          ".tmp-" + live, ".tmp-" + live + "-3", ".tmp-999999999-x",
                                                          ".tmp-99999999999999999999"})
    std::ofstream(out + name) << "half a model";
  write_file_atomically(out, "{}", "the proxy model file");
  for (const char* dead : {".tmp-999999999", ".tmp-999999999-0", ".tmp-999999999-17"})  // no such process
    CHECK_FALSE(fs::exists(out + dead));
  CHECK(fs::exists(out + ".tmp-" + live));  // a live writer's
  CHECK(fs::exists(out + ".tmp-" + live + "-3"));
  CHECK(fs::exists(out + ".tmp-999999999-x"));  // not a name it gives: someone else's file
  CHECK(fs::exists(out + ".tmp-99999999999999999999"));  // too long for a pid (std::stol threw: no write)
  CHECK(read_text(out) == "{}");
}

TEST_CASE("threads writing one path at once each replace it whole and leave no temporary") {
  // Both threads used "<path>.tmp-<pid>": one renamed the other's half-written file into
  // place, and the other's rename then failed ("cannot replace it").
  const fs::path dir = fs::path(ARCHGYM_TEST_BINARY_DIR) / "file_output_threads";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string out = (dir / "model.json").string();
  const std::string a(300000, 'a'), b = std::string(200000, 'b') + "\n";
  constexpr int kWrites = 150;
  std::atomic<int> failed{0}, torn{0}, done{0};
  std::string failure;
  std::mutex failure_mutex;
  auto writer = [&](const std::string& content) {
    for (int i = 0; i < kWrites; ++i) {
      try {
        write_file_atomically(out, content, "the proxy model file");
      } catch (const std::exception& e) {
        ++failed;
        const std::lock_guard lock(failure_mutex);
        failure = e.what();
      }
    }
    ++done;
  };
  // Whoever reads the file meanwhile sees one write or the other, whole.
  auto reader = [&] {
    while (done < 2) {
      std::ifstream in(out, std::ios::binary);
      if (!in) continue;  // before the first write
      std::stringstream text;
      text << in.rdbuf();
      if (text.str() != a && text.str() != b) ++torn;
    }
  };
  std::thread first(writer, a), second(writer, b), watcher(reader);
  first.join();
  second.join();
  watcher.join();
  INFO(failure);
  CHECK(failed == 0);
  CHECK(torn == 0);
  const std::string last = read_text(out);
  CHECK((last == a || last == b));
  std::vector<std::string> left;
  for (const auto& entry : fs::directory_iterator(dir)) left.push_back(entry.path().filename().string());
  CHECK(left == std::vector<std::string>{"model.json"});
}

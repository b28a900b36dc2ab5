// Output files are written whole and never over a store.
#include "tests/catch.h"
#include "tests/core/temp_store.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

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
  CHECK_NOTHROW(write_file_atomically(path + "-notes", "text", "the notes"));
}

TEST_CASE("temporary files left by a writer that was killed are cleaned up by the next write") {
  const fs::path dir = fs::path(ARCHGYM_TEST_BINARY_DIR) / "file_output_stale";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string out = (dir / "m.json").string();
  std::ofstream(out + ".tmp-999999999") << "half a model";  // no such process
  std::ofstream(out + ".tmp-" + std::to_string(getppid())) << "a live writer's";
  write_file_atomically(out, "{}", "the proxy model file");
  CHECK_FALSE(fs::exists(out + ".tmp-999999999"));
  CHECK(fs::exists(out + ".tmp-" + std::to_string(getppid())));
  CHECK(read_text(out) == "{}");
}

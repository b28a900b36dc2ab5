// Output files are written whole and never over a store.
#include "tests/catch.h"
#include "tests/core/temp_store.h"

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
}

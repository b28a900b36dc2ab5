// Digests of an env's input files, and what a run compares them by.
#include "tests/catch.h"

#include <filesystem>
#include <fstream>

#include "core/input_files.h"

using namespace archgym;

namespace {

std::string write(const std::string& name, const std::string& text) {
  const auto p = std::filesystem::path(ARCHGYM_TEST_BINARY_DIR) / name;
  std::ofstream(p, std::ios::binary) << text;
  return p.string();
}

}  // namespace

TEST_CASE("file digests are FNV-1a 64 of the bytes") {
  // Published FNV-1a 64 test vectors: "" and "a".
  CHECK(file_digest(write("digest_empty.txt", "")) == "fnv1a64:cbf29ce484222325");
  CHECK(file_digest(write("digest_a.txt", "a")) == "fnv1a64:af63dc4c8601ec8c");
  // Longer than the read buffer: every byte counts.
  std::string big(200000, 'x');
  const std::string before = file_digest(write("digest_big.txt", big));
  big[150000] = 'y';
  CHECK(file_digest(write("digest_big.txt", big)) != before);
  CHECK_THROWS_WITH(file_digest("/nonexistent/trace.stl"), Catch::Contains("'/nonexistent/trace.stl'"));
}

TEST_CASE("recorded inputs differ only when a file's contents do") {
  const std::string a = write("inputs_a.stl", "0: read 0x0\n");
  const std::string a_copy = write("inputs_a_copy.stl", "0: read 0x0\n");
  const std::string b = write("inputs_b.stl", "0: read 0x40\n");
  const std::string then = inputs_json({{"workload", a}});
  CHECK(then == R"({"workload":{"path":")" + a + R"(","digest":")" + file_digest(a) + R"("}})");
  CHECK(inputs_json({}) == "{}");

  CHECK(changed_inputs(then, then).empty());
  CHECK(changed_inputs(then, inputs_json({{"workload", a_copy}})).empty());  // moved, same bytes
  CHECK(changed_inputs(then, inputs_json({{"workload", b}})) ==
        "workload: " + a + " (" + file_digest(a) + ") when the run started, " + b + " (" + file_digest(b) + ") now");
  CHECK(changed_inputs(then, inputs_json({{"workload", a}, {"memspec", b}})) ==
        "memspec: (none) when the run started, " + b + " (" + file_digest(b) + ") now");
  CHECK(changed_inputs(then, "{}") == "workload: " + a + " (" + file_digest(a) + ") when the run started, (none) now");
}

TEST_CASE("an input path that is not UTF-8 is recorded with U+FFFD, and compared by contents") {
  const std::string path = write("latin1_\xE9t\xE9.stl", "0: read 0x0\n");
  const std::string record = inputs_json({{"workload", path}});
  CHECK(record.find("latin1_\xEF\xBF\xBDt\xEF\xBF\xBD.stl") != std::string::npos);
  CHECK(record.find(file_digest(path)) != std::string::npos);
  CHECK(changed_inputs(record, inputs_json({{"workload", path}})).empty());
}

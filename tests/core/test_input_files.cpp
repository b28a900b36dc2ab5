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

TEST_CASE("absolute_path names the file a relative path opens, through symbolic links too") {
  namespace fs = std::filesystem;
  const fs::path root = fs::path(ARCHGYM_TEST_BINARY_DIR) / "absolute_path";
  fs::remove_all(root);
  fs::create_directories(root / "real" / "sub");
  fs::create_directories(root / "work");
  std::ofstream(root / "real" / "t.stl") << "0: read 0x0\n";
  std::ofstream(root / "work" / "t.stl") << "0: write 0x0\n";
  fs::create_directory_symlink("../real/sub", root / "work" / "link");
  const fs::path cwd = fs::current_path();
  fs::current_path(root / "work");
  const std::string plain = absolute_path("./t.stl");
  const std::string through_link = absolute_path("link/../t.stl");  // opens real/t.stl
  const std::string up = absolute_path("../work/t.stl");
  fs::current_path(cwd);
  CHECK(plain == (root / "work" / "t.stl").lexically_normal().string());
  CHECK(fs::equivalent(through_link, root / "real" / "t.stl"));
  CHECK(fs::path(through_link).is_absolute());
  CHECK(fs::equivalent(up, root / "work" / "t.stl"));
  CHECK(absolute_path("/already/absolute.stl") == "/already/absolute.stl");
}

TEST_CASE("options that name input files are compared by the files' contents, not their paths") {
  const std::string a = write("besides_a.stl", "0: read 0x0\n");
  const std::string inputs = inputs_json({{"workload", a}});
  const std::string config = R"({"memspec":"DDR3-1600","workload":")" + a + R"("})";
  CHECK(options_besides_inputs(config, inputs) == R"({"memspec":"DDR3-1600"})");
  // A named trace and a path to a copy of it: the same options besides the input.
  CHECK(options_besides_inputs(R"({"memspec":"DDR3-1600","workload":"stream"})", inputs) ==
        options_besides_inputs(config, inputs));
  // Without a record (older stores) every option counts.
  CHECK(options_besides_inputs(config, "") == config);
  CHECK(options_besides_inputs(config, "{}") == config);
}

TEST_CASE("names_input_relatively tells a relative path to an input from a name the env resolves") {
  const std::string inputs = R"({"workload":{"path":"/runs/a/t.stl","digest":"fnv1a64:0"}})";
  CHECK(names_input_relatively(R"({"workload":"t.stl"})", inputs));
  CHECK(names_input_relatively(R"({"workload":"../a/t.stl"})", inputs));
  CHECK_FALSE(names_input_relatively(R"({"workload":"/runs/a/t.stl"})", inputs));
  CHECK_FALSE(names_input_relatively(R"({"workload":"stream"})",
                                     R"({"workload":{"path":"/data/dram/traces/stream.stl","digest":"fnv1a64:0"}})"));
  CHECK_FALSE(names_input_relatively(R"({"workload":"t.stl"})", ""));
  CHECK_FALSE(names_input_relatively(R"({"workload":"t.stl"})", R"({"workload":{"digest":"fnv1a64:0"}})"));
}

TEST_CASE("same_options_besides_inputs: identical options, or identical besides the input files' paths") {
  const std::string inputs = R"({"workload":{"path":"/a/t.stl","digest":"fnv1a64:0"}})";
  const std::string config = R"({"memspec":"DDR3-1600","workload":"/a/t.stl"})";
  // A run of an older build (no inputs recorded) with the same options as a newer one.
  CHECK(same_options_besides_inputs(config, "", config, inputs));
  CHECK(same_options_besides_inputs(config, inputs, R"({"memspec":"DDR3-1600","workload":"t.stl"})", inputs));
  CHECK_FALSE(same_options_besides_inputs(config, inputs, R"({"memspec":"DDR4-2400","workload":"/a/t.stl"})", inputs));
  // Without a record, another path is another configuration (nothing says the files agree).
  CHECK_FALSE(same_options_besides_inputs(config, inputs, R"({"memspec":"DDR3-1600","workload":"/b/u.stl"})", ""));
}

#include "tests/catch.h"

#include <cstdio>
#include <limits>
#include <string>

#include "core/progress_bar.h"

using namespace archgym;

namespace {
std::string contents(std::FILE* f) {
  std::rewind(f);
  std::string out;
  for (int c; (c = std::fgetc(f)) != EOF;) out += static_cast<char>(c);
  return out;
}
}  // namespace

TEST_CASE("in a log the progress bar writes a line about every 10%") {
  std::FILE* f = std::tmpfile();
  ProgressBar bar(f, /*interactive=*/false);
  for (std::uint64_t done = 1; done <= 300; ++done) bar.update(done, 300, 3.21);
  bar.finish();
  const std::string out = contents(f);
  std::fclose(f);
  std::size_t lines = 0;
  for (char c : out) lines += c == '\n';
  CHECK(lines == 11);  // 0%..90% and 100%
  CHECK(out.find("[##########..........] 150/300 evals  ") != std::string::npos);
  CHECK(out.find("best reward 3.21\n") != std::string::npos);
  CHECK(out.find('\r') == std::string::npos);
}

TEST_CASE("on a terminal the progress bar redraws one line") {
  std::FILE* f = std::tmpfile();
  ProgressBar bar(f, /*interactive=*/true);
  bar.update(1, 4, -std::numeric_limits<double>::infinity());
  bar.update(4, 4, 0.5);
  bar.finish();
  const std::string out = contents(f);
  std::fclose(f);
  CHECK(out.rfind("\r[#####...............] 1/4 evals", 0) == 0);
  CHECK(out.find("best reward -") != std::string::npos);  // nothing valid yet
  CHECK(out.find("\r[####################] 4/4 evals") != std::string::npos);
  CHECK(out.back() == '\n');
}

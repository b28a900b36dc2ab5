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

TEST_CASE("in a log the progress bar ends with the count the run reached") {
  // A GA with population 16 stops after 481 of 500: the last tenth printed was 451.
  std::FILE* f = std::tmpfile();
  ProgressBar bar(f, /*interactive=*/false);
  for (std::uint64_t done = 16; done <= 481; done += 15) bar.update(done, 500, 4.4106);
  bar.finish();
  bar.finish();  // a second finish adds nothing
  const std::string out = contents(f);
  std::fclose(f);
  CHECK(out.find("[##################..] 451/500 evals  ") != std::string::npos);
  const std::string last = out.substr(out.rfind('\n', out.size() - 2) + 1);
  CHECK(last.rfind("[###################.] 481/500 evals  ", 0) == 0);
  CHECK(last.find("best reward 4.4106\n") != std::string::npos);
  CHECK(out.find("481/500") == out.rfind("481/500"));  // printed once
}

TEST_CASE("in a log finish adds no line when the last update was printed") {
  std::FILE* f = std::tmpfile();
  ProgressBar bar(f, /*interactive=*/false);
  bar.update(3, 10, 1.0);
  bar.update(4, 10, 1.0);
  bar.finish();
  const std::string out = contents(f);
  std::fclose(f);
  CHECK(out.find("3/10") != std::string::npos);
  CHECK(out.find("4/10") != std::string::npos);
  std::size_t lines = 0;
  for (char c : out) lines += c == '\n';
  CHECK(lines == 2);
}

TEST_CASE("a resumed run's progress shows replayed evaluations as such, not in the rate") {
  // 200 of 300 were stored: replaying them takes milliseconds, so counting them in the
  // rate printed figures like 104091.6 evals/s.
  std::FILE* f = std::tmpfile();
  ProgressBar bar(f, /*interactive=*/false);
  bar.count_replayed(200);
  bar.update(100, 300, 1.5);
  bar.update(200, 300, 2.5);
  bar.update(230, 300, 2.5);
  bar.finish();
  const std::string out = contents(f);
  std::fclose(f);
  CHECK(out.find("100/300 evals  replayed from the store  best reward 1.5\n") != std::string::npos);
  CHECK(out.find("200/300 evals  replayed from the store  best reward 2.5\n") != std::string::npos);
  const std::size_t at = out.find("230/300 evals  ");
  REQUIRE(at != std::string::npos);
  // 30 evaluated in this process in a few microseconds: a rate, not "replayed", and the
  // time the other 70 will take.
  CHECK(out.find(" evals/s  ETA ", at) != std::string::npos);
  CHECK(out.find("  best reward 2.5\n", at) != std::string::npos);
}

TEST_CASE("the time left reads in seconds, minutes or hours") {
  CHECK(eta_text(10, 4) == "ETA 3s");  // 2.5 s, rounded up
  CHECK(eta_text(200, 1) == "ETA 3m20s");
  CHECK(eta_text(7500, 1) == "ETA 2h05m");
  CHECK(eta_text(0, 1) == "ETA 0s");
  CHECK(eta_text(10, 0).empty());  // no rate yet
  CHECK(eta_text(1e30, 1e-30).empty());
  // At the end of a run there is nothing left to time.
  std::FILE* f = std::tmpfile();
  ProgressBar bar(f, /*interactive=*/false);
  bar.update(300, 300, 1.0);
  bar.finish();
  const std::string out = contents(f);
  std::fclose(f);
  CHECK(out.find("300/300 evals  ") != std::string::npos);
  CHECK(out.find("ETA") == std::string::npos);
}

TEST_CASE("a labelled progress bar shows its title, unit and value, and no rate") {
  // A proxy model's fit: L-BFGS iterations and the loss, where a run shows evaluations,
  // their rate and the best reward.
  std::FILE* f = std::tmpfile();
  ProgressBar bar(f, /*interactive=*/false, {"learning feature scales", "iterations", false, "loss"});
  bar.update(0, 100, 0.52);
  bar.update(12, 100, 0.21311);
  bar.finish();
  const std::string out = contents(f);
  std::fclose(f);
  CHECK(out.find("learning feature scales [....................] 0/100 iterations  loss 0.52\n") == 0);
  CHECK(out.find("learning feature scales [##..................] 12/100 iterations  loss 0.2131\n") !=
        std::string::npos);
  CHECK(out.find("/s") == std::string::npos);
}

TEST_CASE("a progress bar without a unit or a value shows the count alone") {
  // A random forest growing trees: the title names what is counted, and there is no loss.
  std::FILE* f = std::tmpfile();
  ProgressBar bar(f, /*interactive=*/false, {"growing trees", "", false, ""});
  bar.update(40, 100, std::numeric_limits<double>::quiet_NaN());
  bar.finish();
  const std::string out = contents(f);
  std::fclose(f);
  CHECK(out == "growing trees [########............] 40/100\n");
}

namespace {
std::chrono::steady_clock::time_point g_now{};  // the test's clock
std::chrono::steady_clock::time_point test_clock() { return g_now; }
}  // namespace

TEST_CASE("in a log a long run still gets a line a minute between its tenths") {
  std::FILE* f = std::tmpfile();
  g_now = {};
  ProgressBar bar(f, /*interactive=*/false, {}, &test_clock);
  bar.update(1, 1000000, 1.0);       // 0%: printed
  g_now += std::chrono::seconds(30);
  bar.update(20000, 1000000, 1.0);   // 2%, half a minute on: not yet
  g_now += std::chrono::seconds(31);
  bar.update(40000, 1000000, 2.0);   // 4%, a minute on: printed
  g_now += std::chrono::seconds(10);
  bar.update(50000, 1000000, 2.0);   // 5%, ten seconds on: not
  bar.finish();                      // the last update, as always
  const std::string out = contents(f);
  std::fclose(f);
  CHECK(out.find("1/1000000 evals") != std::string::npos);
  CHECK(out.find("20000/1000000") == std::string::npos);
  CHECK(out.find("40000/1000000 evals  655.7 evals/s  ETA 24m24s  best reward 2\n") != std::string::npos);
  CHECK(out.find("50000/1000000") != std::string::npos);
  std::size_t lines = 0;
  for (char c : out) lines += c == '\n';
  CHECK(lines == 3);
}

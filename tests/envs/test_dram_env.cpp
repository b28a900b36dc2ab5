// The DRAM env: ArchGym's space and reward, determinism, inert knobs, bad options.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <vector>

#include "core/proxy_dataset.h"
#include "core/registry.h"
#include "core/runner.h"
#include "simulators/dram/controller_config.h"
#include "tests/catch.h"

using namespace archgym;

namespace {

std::unique_ptr<Env> small_env(std::map<std::string, std::string> extra = {}) {
  std::map<std::string, std::string> o = {{"generator", "random"}, {"requests", "2000"}};
  for (auto& [k, v] : extra) o[k] = v;
  return make_env("dram", o);
}

Design with(const Env& env, std::vector<std::pair<std::string, std::string>> changes) {
  Design base = env.default_design();
  return env.space().from_strings(changes, &base);
}

}  // namespace

TEST_CASE("dram env exposes ArchGym's knobs with their value sets") {
  // ArchGym's GA, random walk and BO (train_ga_DRAMSys.py: lb [0,0,0,1,0,0,1,1,0,1],
  // ub [3,2,2,8,1,1,8,8,2,128]): 28,311,552 designs.
  auto env = make_env("dram");
  const DesignSpace& s = env->space();
  CHECK(s.names() == std::vector<std::string>{"PagePolicy", "Scheduler", "SchedulerBuffer", "RequestBufferSize",
                                              "RespQueue", "RefreshPolicy", "RefreshMaxPostponed",
                                              "RefreshMaxPulledin", "Arbiter", "MaxActiveTransactions"});
  CHECK(s.parameter("PagePolicy").cardinality() == 4);
  CHECK(s.parameter("Scheduler").cardinality() == 3);
  CHECK(s.parameter("SchedulerBuffer").cardinality() == 3);
  CHECK(s.parameter("RequestBufferSize").cardinality() == 8);
  CHECK(s.parameter("RespQueue").cardinality() == 2);
  CHECK(s.parameter("RefreshPolicy").cardinality() == 2);  // NoRefresh, AllBank
  CHECK(s.parameter("RefreshMaxPostponed").cardinality() == 8);
  CHECK(s.parameter("RefreshMaxPulledin").cardinality() == 8);
  CHECK(s.parameter("Arbiter").cardinality() == 3);
  CHECK(s.parameter("MaxActiveTransactions").cardinality() == 128);
  CHECK(s.size() == 28311552.0);
  CHECK_FALSE(s.has("PowerDownPolicy"));  // fixed to NoPowerDown, as in ArchGym
  CHECK(env->evaluate(env->default_design()).valid);

  // archgym's own knobs on top: PerBank refresh and power-down.
  auto extended = make_env("dram", {{"space", "extended"}});
  CHECK(extended->space().parameter("RefreshPolicy").cardinality() == 3);
  CHECK(extended->space().parameter("PowerDownPolicy").cardinality() == 2);
  CHECK(extended->space().size() == 28311552.0 * 3 / 2 * 2);
  // Its default design is the same controller: the same metrics.
  CHECK(extended->evaluate(extended->default_design()).metrics == env->evaluate(env->default_design()).metrics);

  // ArchGym's RL action decoder (envHelpers.py): sizes 1..128 and refresh limits 1..8 as
  // powers of two, no extensions.
  auto rl = make_env("dram", {{"space", "rl"}});
  CHECK(rl->space().parameter("RequestBufferSize").cardinality() == 8);      // 1..128
  CHECK(rl->space().parameter("MaxActiveTransactions").cardinality() == 8);  // 1..128
  CHECK(as_int(rl->space().parameter("RequestBufferSize").value_at(7)) == 128);
  CHECK(rl->space().parameter("RefreshMaxPostponed").cardinality() == 4);  // 1, 2, 4, 8
  CHECK(as_int(rl->space().parameter("RefreshMaxPulledin").value_at(3)) == 8);
  CHECK(rl->space().parameter("RefreshPolicy").cardinality() == 2);
  CHECK(rl->space().size() == 4.0 * 3 * 3 * 8 * 2 * 2 * 4 * 4 * 3 * 8);
  CHECK(rl->evaluate(rl->default_design()).metrics == env->evaluate(env->default_design()).metrics);
}

TEST_CASE("dram env's default design is ArchGym's controller, the one archgym-dram's help names") {
  // DRAMSys' defaults but for the refresh limits (1, where its example config has 8) and
  // MaxActiveTransactions 128 (ArchGym's upper bound; the Simple arbiter ignores it).
  const std::string archgym =
      R"({"PagePolicy":"Open","Scheduler":"FrFcfs","SchedulerBuffer":"Bankwise","RequestBufferSize":8,)"
      R"("RespQueue":"Fifo","RefreshPolicy":"AllBank","RefreshMaxPostponed":1,"RefreshMaxPulledin":1,)"
      R"("Arbiter":"Simple","MaxActiveTransactions":128})";
  for (const char* space : {"archgym", "rl"}) {
    auto env = make_env("dram", {{"space", space}});
    CHECK(env->space().to_json(env->default_design()) == archgym);
  }
  auto extended = make_env("dram", {{"space", "extended"}});
  CHECK(extended->space().to_json(extended->default_design()) ==
        archgym.substr(0, archgym.size() - 1) + R"(,"PowerDownPolicy":"NoPowerDown"})");
  CHECK(dram::knob_text(dram::archgym_default_controller()) ==
        "PagePolicy=Open Scheduler=FrFcfs SchedulerBuffer=Bankwise RequestBufferSize=8 RespQueue=Fifo "
        "RefreshPolicy=AllBank RefreshMaxPostponed=1 RefreshMaxPulledin=1 Arbiter=Simple "
        "MaxActiveTransactions=128 PowerDownPolicy=NoPowerDown WriteDrain=None");
}

TEST_CASE("dram env's default reward is ArchGym's target ratio on power and latency") {
  auto env = make_env("dram");
  const Objective obj = env->default_objective();
  CHECK(obj.formulation() == Formulation::TargetRatio);
  REQUIRE(obj.targets().size() == 2);
  CHECK(obj.targets()[0].metric == "power_W");
  CHECK(obj.targets()[0].value == 1.0);
  CHECK(obj.targets()[1].metric == "latency_ms");
  CHECK(obj.targets()[1].value == 0.1);
  obj.check_metrics(env->metric_names());
}

TEST_CASE("dram env evaluates ArchGym's stream trace to plausible DDR3-1600 numbers") {
  auto env = make_env("dram", {{"workload", "stream"}});
  const Evaluation e = env->evaluate(env->default_design());
  REQUIRE(e.valid);
  // 10,000 sequential 64-byte reads at one per 1.25 ns: the DDR3-1600 x64 bus (12.8 GB/s)
  // needs 50 us for 640 kB, so total time is at least that and bandwidth at most peak.
  CHECK(e.metric("latency_ms") >= 0.050);
  CHECK(e.metric("latency_ms") < 0.080);
  CHECK(e.metric("bandwidth_GBps") <= 12.8);
  CHECK(e.metric("bandwidth_GBps") > 8.0);
  CHECK(e.metric("row_hit_rate") > 0.9);  // 1 kB rows, sequential: 15 of 16 bursts hit
  // Background power of eight x8 DDR3 devices alone is 8 * 45 mA * 1.5 V = 0.54 W.
  CHECK(e.metric("power_W") > 0.54);
  CHECK(e.metric("power_W") < 3.0);
  CHECK(e.metric("energy_uJ") == Approx(e.metric("power_W") * e.metric("latency_ms") * 1e3).epsilon(0.05));
  CHECK(e.sim_seconds > 0);
}

TEST_CASE("dram env is deterministic and safe to evaluate from several threads") {
  auto env = small_env();
  Rng rng(7);
  std::vector<Design> designs;
  for (int i = 0; i < 8; ++i) designs.push_back(env->space().sample(rng));
  std::vector<Evaluation> serial;
  for (const auto& d : designs) serial.push_back(env->evaluate(d));
  std::vector<std::future<Evaluation>> parallel;
  for (const auto& d : designs)
    parallel.push_back(std::async(std::launch::async, [&env, d] { return env->evaluate(d); }));
  for (std::size_t i = 0; i < designs.size(); ++i) {
    const Evaluation p = parallel[i].get();
    CHECK(p.valid == serial[i].valid);
    CHECK(p.metrics == serial[i].metrics);
  }
}

TEST_CASE("dram env mirrors DRAMSys's inert knobs") {
  auto env = small_env();
  SECTION("with RequestBufferSize 1 the scheduler cannot matter") {
    const auto fifo = env->evaluate(with(*env, {{"RequestBufferSize", "1"}, {"Scheduler", "Fifo"}}));
    const auto frfcfs = env->evaluate(with(*env, {{"RequestBufferSize", "1"}, {"Scheduler", "FrFcfs"}}));
    CHECK(fifo.metrics == frfcfs.metrics);
  }
  SECTION("the Simple arbiter ignores MaxActiveTransactions") {
    const auto a = env->evaluate(with(*env, {{"Arbiter", "Simple"}, {"MaxActiveTransactions", "1"}}));
    const auto b = env->evaluate(with(*env, {{"Arbiter", "Simple"}, {"MaxActiveTransactions", "128"}}));
    CHECK(a.metrics == b.metrics);
  }
  SECTION("but the Fifo arbiter obeys it") {
    const auto a = env->evaluate(with(*env, {{"Arbiter", "Fifo"}, {"MaxActiveTransactions", "1"}}));
    const auto b = env->evaluate(with(*env, {{"Arbiter", "Fifo"}, {"MaxActiveTransactions", "128"}}));
    CHECK(a.metric("latency_ms") > b.metric("latency_ms"));
  }
}

TEST_CASE("dram env knobs move metrics in the expected direction") {
  auto env = make_env("dram", {{"workload", "stream"}});
  const auto open = env->evaluate(with(*env, {{"PagePolicy", "Open"}}));
  const auto closed = env->evaluate(with(*env, {{"PagePolicy", "Closed"}}));
  CHECK(closed.metric("row_hit_rate") < open.metric("row_hit_rate"));
  CHECK(closed.metric("energy_uJ") > open.metric("energy_uJ"));
  const auto norefresh = env->evaluate(with(*env, {{"RefreshPolicy", "NoRefresh"}}));
  CHECK(norefresh.metric("refreshes") == 0);
}

TEST_CASE("dram env rejects bad options with a clear message") {
  CHECK_THROWS_WITH(make_env("dram", {{"workload", "strem"}}),
                    Catch::Contains("strem") && Catch::Contains("stream"));
  CHECK_THROWS_WITH(make_env("dram", {{"memspec", "DDR9"}}), Catch::Contains("DDR9"));
  CHECK_THROWS_WITH(make_env("dram", {{"addressmap", "nope"}}), Catch::Contains("nope"));
  CHECK_THROWS_WITH(make_env("dram", {{"workload", "cloud1"}}), Catch::EndsWith("(did you mean 'cloud-1'?)"));
  CHECK_THROWS_WITH(make_env("dram", {{"addressmap", "bg_interleaved"}}),
                    Catch::EndsWith("(did you mean 'bg-interleaved'?)"));
  CHECK_THROWS_WITH(make_env("dram", {{"worklaod", "stream"}}), Catch::Contains("worklaod"));
  CHECK_THROWS_WITH(make_env("dram", {{"generator", "random"}, {"read_ratio", "1.5"}}),
                    Catch::Contains("read_ratio"));
  // Addresses beyond the 1 GiB DDR3 device would be folded onto it (changing row hits).
  CHECK_THROWS_WITH(make_env("dram", {{"generator", "random"}, {"requests", "500"}, {"footprint_MiB", "4096"}}),
                    Catch::Contains("the generated workload (footprint_MiB 4096) addresses beyond the device") &&
                        Catch::Contains("uses address bits 0x3fffffff only") &&
                        Catch::Contains("or a smaller footprint_MiB"));
  CHECK_NOTHROW(make_env("dram", {{"generator", "random"}, {"requests", "500"}, {"footprint_MiB", "4096"},
                                  {"memspec", "DDR4-2400"}}));  // 4 GiB
}

TEST_CASE("dram env runs DDR4-2400 too") {
  auto env = make_env("dram", {{"memspec", "DDR4-2400"}, {"generator", "stream"},
                               {"requests", "5000"}, {"trace_clock_mhz", "1200"}});
  const Evaluation e = env->evaluate(env->default_design());
  REQUIRE(e.valid);
  CHECK(e.metric("bandwidth_GBps") <= 19.2);
  CHECK(e.metric("bandwidth_GBps") > 5.0);
}

TEST_CASE("a dram run records its trace file, and resuming after the file changed is refused") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(ARCHGYM_TEST_BINARY_DIR) / "dram_inputs";
  fs::create_directories(dir);
  const std::string trace = (dir / "t.stl").string();
  auto write_trace = [&](int stride) {
    std::ofstream out(trace);
    for (int i = 0; i < 300; ++i) out << i << ":\tread\t0x" << std::hex << i * stride << std::dec << "\n";
  };
  write_trace(64);
  const std::string store_path = (dir / "runs.db").string();
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(store_path + suffix);
  Store store(store_path);
  RunSpec spec;
  spec.env = "dram";
  spec.env_options = {{"workload", trace}};
  spec.agent = "random_walk";
  spec.budget = 6;
  spec.stop_on_target = false;
  spec.progress = false;
  spec.workers = 1;
  const RunResult first = Runner::run(spec, &store);
  const std::string recorded = store.run(first.run_id)->inputs;
  CHECK(recorded.find(trace) != std::string::npos);
  CHECK(recorded.find("fnv1a64:") != std::string::npos);
  store.set_status(first.run_id, "interrupted");

  write_trace(8192);  // another workload under the same name
  CHECK_THROWS_WITH(Runner::resume(store, first.run_id, 1, false),
                    Catch::Contains("cannot be resumed: an input file of env 'dram' changed") &&
                        Catch::Contains("workload: " + trace) && Catch::Contains("Restore the file") &&
                        !Catch::Contains("working directory"));  // its path is absolute
  CHECK(store.run(first.run_id)->status == "interrupted");  // untouched

  write_trace(64);  // restored: resumes (and replays) as before
  const RunResult again = Runner::resume(store, first.run_id, 1, false);
  CHECK(again.trajectory.size() == 6);
  CHECK(store.run(first.run_id)->status == "finished");

  // A relative path is recorded as the absolute path it named (options and inputs), so the
  // run resumes from any directory.
  const fs::path cwd = fs::current_path();
  const std::string absolute = fs::path(trace).lexically_normal().string();
  fs::current_path(dir);
  spec.env_options = {{"workload", "t.stl"}};
  const RunResult relative = Runner::run(spec, &store);
  fs::current_path(dir.parent_path());
  store.set_status(relative.run_id, "interrupted");
  const RunRecord recorded_run = *store.run(relative.run_id);
  CHECK(recorded_run.inputs.find(absolute) != std::string::npos);
  CHECK(recorded_run.env_config.find("\"workload\":\"" + absolute + "\"") != std::string::npos);
  CHECK(Runner::resume(store, relative.run_id, 1, false).trajectory.size() == 6);

  // A store written before that kept the relative path: resumed from elsewhere, the error
  // says which file the run read.
  RunRecord older = recorded_run;
  older.env_config.replace(older.env_config.find(absolute), absolute.size(), "t.stl");
  const std::int64_t older_id = store.create_run(older);
  store.set_status(older_id, "interrupted");
  CHECK_THROWS_WITH(Runner::resume(store, older_id, 1, false),
                    Catch::Contains("workload 't.stl' is neither") && Catch::Contains(absolute) &&
                        Catch::Contains("resume it from the directory it was started in"));
  fs::current_path(dir);
  CHECK(Runner::resume(store, older_id, 1, false).trajectory.size() == 6);
  fs::current_path(cwd);
  // For a proxy it is the same env configuration as the run that recorded the path absolute.
  const ProxyDataset pooled = load_proxy_dataset(store, {relative.run_id, older_id});
  CHECK(pooled.runs == std::vector<std::int64_t>{relative.run_id, older_id});
  CHECK(pooled.rows() == store.evaluations(relative.run_id).size() + store.evaluations(older_id).size());

  // Presets and generated workloads read no file besides the build's traces.
  CHECK(make_env("dram", {{"generator", "random"}, {"requests", "10"}})->input_files().empty());
  const auto named = make_env("dram", {{"workload", "stream"}})->input_files();
  REQUIRE(named.size() == 1);
  CHECK(named[0].role == "workload");
  CHECK(fs::path(named[0].path).filename() == "stream.stl");

  // A preset's name wins over a file of that name in the working directory, as loading
  // resolves it: no input file, and the run records the name, not a path.
  fs::current_path(dir);
  fs::copy_file(fs::path(ARCHGYM_SOURCE_DATA_DIR) / "dram/memspecs/MICRON_1Gb_DDR3-1600_8bit_G.json", "DDR3-1600",
                fs::copy_options::overwrite_existing);
  fs::copy_file(fs::path(ARCHGYM_SOURCE_DATA_DIR) / "dram/addressmaps/am_ddr3_8x1Gbx8_dimm_p1KB_rbc.json", "rbc",
                fs::copy_options::overwrite_existing);
  CHECK(make_env("dram", {{"memspec", "DDR3-1600"}, {"addressmap", "rbc"}})->input_files().size() == 1);
  // A memspec and an address map given as relative files are inputs, recorded absolute.
  spec.env_options = {{"workload", "t.stl"}, {"memspec", "./DDR3-1600"}, {"addressmap", "../dram_inputs/rbc"}};
  const RunResult files = Runner::run(spec, &store);
  fs::current_path(cwd);
  const RunRecord files_run = *store.run(files.run_id);
  const std::string memspec_path = (fs::path(absolute).parent_path() / "DDR3-1600").string();
  const std::string addressmap_path = (fs::path(absolute).parent_path() / "rbc").string();
  CHECK(files_run.env_config.find("\"memspec\":\"" + memspec_path + "\"") != std::string::npos);
  CHECK(files_run.env_config.find("\"addressmap\":\"" + addressmap_path + "\"") != std::string::npos);
  CHECK(files_run.inputs.find(memspec_path) != std::string::npos);
  CHECK(files_run.inputs.find(addressmap_path) != std::string::npos);
}

TEST_CASE("runs that read the same trace by different paths are one env configuration for a proxy") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(ARCHGYM_TEST_BINARY_DIR) / "dram_same_input";
  fs::remove_all(dir);
  for (const char* d : {"a", "b", "c"}) fs::create_directories(dir / d);
  auto write_trace = [&](const fs::path& p, int stride) {
    std::ofstream out(p);
    for (int i = 0; i < 200; ++i) out << i << ":\tread\t0x" << std::hex << i * stride << std::dec << "\n";
  };
  write_trace(dir / "a" / "t.stl", 64);
  write_trace(dir / "b" / "t.stl", 64);    // the same bytes in another directory
  write_trace(dir / "c" / "t.stl", 4096);  // another trace under the same name
  fs::copy_file(fs::path(ARCHGYM_SOURCE_DATA_DIR) / "dram/traces/stream.stl", dir / "stream_copy.stl");
  Store store((dir / "runs.db").string());
  RunSpec spec;
  spec.env = "dram";
  spec.agent = "random_walk";
  spec.budget = 4;
  spec.stop_on_target = false;
  spec.progress = false;
  spec.workers = 1;
  const fs::path cwd = fs::current_path();
  std::vector<std::int64_t> ids;
  for (const char* d : {"a", "b", "c"}) {
    fs::current_path(dir / d);
    spec.env_options = {{"workload", "t.stl"}};
    ids.push_back(Runner::run(spec, &store).run_id);
  }
  fs::current_path(cwd);
  const RunRecord a = *store.run(ids[0]);
  CHECK(load_proxy_dataset(store, {ids[0], ids[1]}).rows() == 8);
  CHECK(runs_with_config(store, "dram", a.env_config, a.inputs) == std::vector<std::int64_t>{ids[0], ids[1]});
  CHECK_THROWS_WITH(load_proxy_dataset(store, {ids[0], ids[2]}), Catch::Contains("read different input files"));

  // A named trace and a path to a copy of it.
  spec.env_options = {{"workload", "stream"}};
  const auto named = Runner::run(spec, &store).run_id;
  spec.env_options = {{"workload", (dir / "stream_copy.stl").string()}};
  const auto copy = Runner::run(spec, &store).run_id;
  CHECK(load_proxy_dataset(store, {named, copy}).rows() == 8);
  // Other options still count.
  spec.env_options = {{"workload", "stream"}, {"memspec", "DDR4-2400"}};
  const auto ddr4 = Runner::run(spec, &store).run_id;
  CHECK_THROWS_WITH(load_proxy_dataset(store, {named, ddr4}), Catch::Contains("a proxy learns one env configuration"));
}

TEST_CASE("runs of one memspec or mapping spelled differently record one spelling, pool, and resume") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(ARCHGYM_TEST_BINARY_DIR) / "dram_spellings";
  fs::remove_all(dir);
  fs::create_directories(dir);
  Store store((dir / "runs.db").string());
  RunSpec spec;
  spec.env = "dram";
  spec.agent = "random_walk";
  spec.budget = 3;
  spec.stop_on_target = false;
  spec.progress = false;
  spec.workers = 1;
  const std::map<std::string, std::string> small = {{"generator", "random"}, {"requests", "200"}};
  std::vector<std::int64_t> ids;
  for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"memspec", "DDR3-1600"}, {"memspec", "ddr3-1600"}, {"memspec", "MICRON_1Gb_DDR3-1600_8bit_G"},
           {"addressmap", "rbc"}, {"addressmap", "default"}}) {
    spec.env_options = small;
    spec.env_options[key] = value;
    ids.push_back(Runner::run(spec, &store).run_id);
  }
  for (const auto id : ids) {
    INFO("run " << id);
    CHECK(store.run(id)->env_config == store.run(ids[0])->env_config);
    CHECK(store.evaluations(id).front().metrics == store.evaluations(ids[0]).front().metrics);
  }
  CHECK(store.run(ids[0])->env_config.find("\"memspec\":\"DDR3-1600\"") != std::string::npos);
  CHECK(store.run(ids[0])->env_config.find("\"addressmap\":\"default\"") != std::string::npos);
  CHECK(load_proxy_dataset(store, ids).rows() == 15);  // one configuration: pooled
  // DDR4's default mapping is brc; another preset stays as given.
  spec.env_options = small;
  spec.env_options["memspec"] = "ddr4-2400";
  spec.env_options["trace_clock_mhz"] = "1200";
  spec.env_options["footprint_MiB"] = "4096";
  for (const auto& [given, recorded] : {std::pair{"brc", "default"}, {"bg-interleaved", "bg-interleaved"}}) {
    spec.env_options["addressmap"] = given;
    const auto ddr4 = Runner::run(spec, &store).run_id;
    CHECK(store.run(ddr4)->env_config.find(std::string("\"addressmap\":\"") + recorded + "\"") != std::string::npos);
    CHECK(store.run(ddr4)->env_config.find("\"memspec\":\"DDR4-2400\"") != std::string::npos);
  }
  // The recorded spelling builds the same env: an interrupted run resumes to the same rows.
  store.set_status(ids[1], "interrupted");
  CHECK(Runner::resume(store, ids[1], 1, false).trajectory.size() == 3);
}

TEST_CASE("a dram generator on a memspec larger than its default footprint needs the footprint given") {
  // On the 4 GiB DDR4 preset, brc puts the bank bits above 1 GiB: 1024 MiB reaches 4 of 16 banks.
  const std::map<std::string, std::string> ddr4_random = {
      {"memspec", "DDR4-2400"}, {"generator", "random"}, {"requests", "3000"}, {"trace_clock_mhz", "1200"}};
  CHECK_THROWS_WITH(make_env("dram", ddr4_random),
                    Catch::Equals("env 'dram': memspec 'DDR4-2400' holds 4096 MiB, but the generated workload would "
                                  "span only footprint_MiB's default of 1024; give footprint_MiB=4096 for the whole "
                                  "device, or the footprint you mean"));
  auto bandwidth = [&](const char* footprint_MiB) {
    auto options = ddr4_random;
    options["footprint_MiB"] = footprint_MiB;
    const auto env = make_env("dram", options);
    const Evaluation e = env->evaluate(env->default_design());
    REQUIRE(e.valid);
    return e.metric("bandwidth_GBps");
  };
  CHECK(bandwidth("4096") > 1.5 * bandwidth("1024"));  // given, a part is what the user asked for
  // A stream or stride that ends within the default footprint never meets it.
  CHECK_NOTHROW(make_env("dram", {{"memspec", "DDR4-2400"}, {"generator", "stream"}, {"requests", "5000"}}));
  CHECK_NOTHROW(make_env("dram", {{"memspec", "DDR4-2400"}, {"generator", "strided"}, {"requests", "8192"},
                                  {"stride", "131072"}}));  // exactly 1 GiB
  CHECK_THROWS_WITH(make_env("dram", {{"memspec", "DDR4-2400"}, {"generator", "strided"}, {"requests", "8193"},
                                      {"stride", "131072"}}),
                    Catch::Contains("give footprint_MiB=4096"));
  CHECK_NOTHROW(make_env("dram", {{"generator", "random"}, {"requests", "100"}}));  // the 1 GiB DDR3 DIMM: all of it

  // A run recorded the default: rebuilt from its record (nothing given), it is the run's env.
  const std::string record = R"({"addressmap":"default","footprint_MiB":1024,"generator":"random",)"
                             R"("generator_seed":1,"injection_rate":1.0,"memspec":"DDR4-2400","read_ratio":1.0,)"
                             R"("requests":300,"space":"archgym","stride":64,"trace_clock_mhz":1200.0,"workload":"stream"})";
  CHECK_NOTHROW(rebuild_env("dram", record, "an older run"));
}

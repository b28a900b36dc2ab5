// archgym-dram: run one trace through one memory-controller configuration and print
// its statistics (text or JSON). Example:
//   archgym-dram --workload stream --memspec DDR3-1600 --set PagePolicy=Closed --json
#include <CLI/CLI.hpp>

#include <algorithm>
#include <charconv>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include <ext/stdio_filebuf.h>

#include "archgym_version.h"
#include "simulators/dram/message_text.h"
#include "simulators/dram/protocol_checker.h"
#include "simulators/dram/simulator.h"

using namespace archgym::dram;

namespace {

// A --generate integer field: decimal digits only (no sign, fraction or exponent, which
// a cast from double would silently wrap or truncate), in [lo, hi].
std::uint64_t generate_integer(const std::string& key, const std::string& v, std::uint64_t lo, std::uint64_t hi) {
  std::uint64_t x = 0;
  const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (v.empty() || v[0] == '-' || v[0] == '+' || ec != std::errc() || ptr != v.data() + v.size() || x < lo ||
      x > hi)
    throw std::invalid_argument("--generate: " + key + " = '" + printable_name(v) + "' must be a decimal integer in [" +
                                std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return x;
}

// A --generate real field: a finite number in [lo, hi].
double generate_real(const std::string& key, const std::string& v, double lo, double hi) {
  double x = 0;
  const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (v.empty() || ec != std::errc() || ptr != v.data() + v.size() || !(x >= lo && x <= hi)) {
    char range[64];
    std::snprintf(range, sizeof range, "[%g, %g]", lo, hi);
    throw std::invalid_argument("--generate: " + key + " = '" + printable_name(v) + "' must be a number in " + range);
  }
  return x;
}

// --generate "stream,requests=100000,rate=1,read_ratio=1,seed=1,stride=64,footprint=1073741824"
// Ranges as the env's generator options (the same constants). Without a footprint the
// addresses span `device_bytes`, the whole device: a fixed 1 GiB reached only 4 of the 4 GiB
// DDR4-2400 preset's 16 banks under brc, whose bank bits lie above it.
GeneratorConfig parse_generate(const std::string& spec, std::uint64_t device_bytes) {
  GeneratorConfig g;
  g.footprint_bytes = device_bytes;
  std::stringstream ss(spec);
  std::string item;
  bool first = true, stride_given = false;
  std::set<std::string> seen;  // a key given twice silently took the last value
  while (std::getline(ss, item, ',')) {
    if (first) {
      g.pattern = parse_pattern(item);
      first = false;
      continue;
    }
    const auto eq = item.find('=');
    if (eq == std::string::npos)
      throw std::invalid_argument("--generate: expected key=value, got '" + printable_name(item) + "'");
    const std::string k = item.substr(0, eq), v = item.substr(eq + 1);
    if (!seen.insert(k).second) throw std::invalid_argument("--generate: key '" + printable_name(k) + "' given twice");
    constexpr std::uint64_t kAny = UINT64_MAX;
    if (k == "requests") g.requests = generate_integer(k, v, 1, kMaxGeneratedRequests);
    else if (k == "rate") g.injection_rate = generate_real(k, v, kMinInjectionRate, 1.0);
    else if (k == "read_ratio") g.read_ratio = generate_real(k, v, 0.0, 1.0);
    else if (k == "seed") g.seed = generate_integer(k, v, 0, kAny);
    else if (k == "stride") {
      g.stride_bytes = generate_integer(k, v, g.alignment, kAny);
      stride_given = true;
    }
    else if (k == "footprint") g.footprint_bytes = generate_integer(k, v, g.alignment, kAny);
    else if (k == "base") g.base_address = generate_integer(k, v, 0, kAny);
    else
      throw std::invalid_argument("--generate: unknown key '" + printable_name(k) +
                                  "' (allowed: requests, rate, read_ratio, seed, stride, "
                                  "footprint, base)");
  }
  if (first) throw std::invalid_argument("--generate: missing pattern (stream|random|strided|mixed)");
  if (stride_given && g.pattern != Pattern::Strided)
    throw std::invalid_argument("--generate: stride applies only to the strided pattern");
  // std::getline drops an empty last item: "stream," passed as "stream".
  if (spec.back() == ',') throw std::invalid_argument("--generate: expected key=value after the last ','");
  // Checked here, not by GeneratedTrace, whose messages name its fields (base_address,
  // stride_bytes), not these keys.
  const std::string burst = std::to_string(g.alignment);
  if (g.base_address % g.alignment != 0)
    throw std::invalid_argument("--generate: base = " + std::to_string(g.base_address) + " must be a multiple of " +
                                burst + " (one burst)");
  if (g.stride_bytes % g.alignment != 0)
    throw std::invalid_argument("--generate: stride = " + std::to_string(g.stride_bytes) + " must be a multiple of " +
                                burst + " (one burst)");
  if (g.base_address > UINT64_MAX - g.footprint_bytes)
    throw std::invalid_argument("--generate: base + footprint (" + std::to_string(g.base_address) + " + " +
                                std::to_string(g.footprint_bytes) + ") must be at most 2^64 - 1 (the address space)");
  return g;
}

AddressMapping mapping_by_name(const std::string& name, const MemSpec& m) {
  if (name.empty()) return m.type == MemoryType::DDR4 ? ddr4_brc_mapping() : ddr3_rbc_mapping();
  if (name == "rbc") return ddr3_rbc_mapping();
  if (name == "brc") return ddr4_brc_mapping();
  if (name == "bg-interleaved") return bank_group_interleaved_mapping(m);
  if (name == "row-bank-col") return row_bank_column_mapping(m);
  // Only a name that is no file at all is taken for a misspelt preset: for any other
  // failure (a directory, a loop of symbolic links, no permission) the loader says why.
  std::error_code ec;
  if (!std::filesystem::exists(name, ec) && !ec)  // ec: it may exist, but its status is unknown
    throw std::invalid_argument("'" + printable_name(name) +
                                "' is neither an existing file nor one of rbc, brc, bg-interleaved, row-bank-col");
  return load_address_mapping(name);
}

// Runs `load`, naming `option` in any error it throws (a file's own messages name the file,
// not the option that gave it).
template <class Load>
auto for_option(const char* option, Load&& load) {
  try {
    return load();
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string(option) + ": " + e.what());
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(std::string(option) + ": " + e.what());
  }
}

// Output that could not be written (a full disk, a closed pipe): exit code 1, as
// archgym's failures, not 2 (bad input).
struct OutputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The descriptor of this process that `path` names: /dev/stdout, /dev/stderr, /dev/fd/N,
// /proc/self/fd/N, /proc/<this pid>/fd/N, or a symbolic link leading to one of them; -1 if
// none. Such a path is written through the descriptor: followed to the file behind it
// (stdout redirected to a log) and replaced, the log lost what it held, and renamed over,
// /dev/stdout itself became a regular file. (core/file_output.cpp has the same rule; this
// standalone tool links nothing of archgym's core.)
int descriptor_named(std::string path) {
  namespace fs = std::filesystem;
  const std::string self = "/proc/" + std::to_string(static_cast<long>(::getpid())) + "/fd/";
  auto number = [](std::string_view digits) {
    int n = -1;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    return ec == std::errc() && end == digits.data() + digits.size() && n >= 0 ? n : -1;
  };
  for (int hop = 0; hop < 40; ++hop) {  // 40: the kernel's own limit on links followed
    if (path == "/dev/stdout") return 1;
    if (path == "/dev/stderr") return 2;
    for (const std::string_view prefix : {std::string_view("/dev/fd/"), std::string_view("/proc/self/fd/"),
                                          std::string_view("/proc/thread-self/fd/"), std::string_view(self)})
      if (path.rfind(prefix, 0) == 0) return number(std::string_view(path).substr(prefix.size()));
    std::error_code ec;
    if (!fs::is_symlink(path, ec)) return -1;
    const fs::path to = fs::read_symlink(path, ec);
    if (ec) return -1;
    path = (to.is_absolute() ? to : fs::path(path).parent_path() / to).lexically_normal().string();
  }
  return -1;
}

// Temporary files of earlier --command-trace runs to `path` whose process died before it
// could remove them (kill -9): "<name>.tmp-<pid>" with no such process. (The rule of
// core/file_output.cpp's remove_stale_temporaries, which this tool does not link.)
void remove_stale_temporaries(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  const std::string prefix = target.filename().string() + ".tmp-";
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const std::string pid = name.substr(prefix.size());
    long n = 0;
    const auto [end, error] = std::from_chars(pid.data(), pid.data() + pid.size(), n);
    // No pid has 10 digits; a name that is not "<prefix><digits>" is not ours.
    if (error != std::errc() || end != pid.data() + pid.size() || pid.size() > 9 || n <= 0) continue;
    if (::kill(static_cast<pid_t>(n), 0) != 0 && errno == ESRCH) fs::remove(entry.path(), ec);
  }
}

// The temporary --command-trace file, removed by a signal that ends the process (Ctrl-C,
// SIGTERM, SIGHUP) so that none is left behind: the handler does only async-signal-safe
// things (unlink, signal, raise) on a path written before it is armed.
char g_temporary_path[4096];
volatile std::sig_atomic_t g_temporary_armed = 0;

extern "C" void remove_temporary_and_die(int sig) {
  if (g_temporary_armed) ::unlink(g_temporary_path);
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

void arm_temporary_removal(const std::string& path) {
  if (path.size() >= sizeof g_temporary_path) return;  // too long to hold: left as before
  std::memcpy(g_temporary_path, path.c_str(), path.size() + 1);
  g_temporary_armed = 1;
  for (const int sig : {SIGINT, SIGTERM, SIGHUP})
    if (std::signal(sig, remove_temporary_and_die) == SIG_IGN) std::signal(sig, SIG_IGN);  // kept ignored
}

void disarm_temporary_removal() { g_temporary_armed = 0; }

// --command-trace FILE. A regular file (or a new one) is written to FILE.tmp-PID beside it and
// renamed over FILE only when the whole run succeeded, so a bad trace line, a failed check or
// a kill leaves an existing FILE as it was; through a symbolic link, the file it leads to is
// replaced. One of this process's descriptors (/dev/stdout) is written through it, a device or
// pipe (a FIFO) directly. Refused: FILE is one of the run's inputs, or an SQLite database (an
// archgym store), which a misplaced argument would otherwise destroy. (The policy of
// core/file_output.h, which this standalone tool does not link, and which writes a finished
// string where this streams.)
class CommandTraceWriter final : public CommandObserver {
 public:
  CommandTraceWriter(const std::string& path, const std::vector<std::string>& inputs) : path_(path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::file_status st = fs::status(path, ec);
    const std::string shown = "'" + printable_name(path) + "'";
    // A loop of symbolic links, a name too long: the file system's words (the loop was
    // replaced by the new file).
    if (ec && ec != std::errc::no_such_file_or_directory && ec != std::errc::not_a_directory)
      throw std::invalid_argument("--command-trace " + shown + ": " + ec.message());
    const int descriptor = descriptor_named(path);
    if (descriptor >= 0 && ::fcntl(descriptor, F_GETFL) == -1)
      throw std::invalid_argument("--command-trace " + shown + ": descriptor " + std::to_string(descriptor) +
                                  " is not open");
    const bool exists = fs::exists(st);
    for (const std::string& input : inputs)
      if (exists && !input.empty() && fs::equivalent(path, input, ec))
        throw std::invalid_argument("--command-trace: " + shown + " is an input of this run (" +
                                    printable_name(input) + "); write the commands to another file");
    if (exists && fs::is_directory(st))
      throw std::invalid_argument("--command-trace: " + shown + " is a directory");
    if (fs::is_regular_file(st)) {
      std::ifstream probe(path, std::ios::binary);
      char head[16] = {};
      probe.read(head, sizeof head);
      if (probe.gcount() == sizeof head && std::string_view(head, sizeof head) == std::string_view("SQLite format 3\0", 16))
        throw std::invalid_argument("--command-trace: " + shown +
                                    " is an SQLite database (an archgym store?); refusing to overwrite it");
    }
    errno = 0;
    if (descriptor >= 0) {
      std::cout.flush();  // what was printed there before comes first
      const int copy = ::fcntl(descriptor, F_DUPFD_CLOEXEC, 0);
      if (copy >= 0) out_ = std::make_unique<__gnu_cxx::stdio_filebuf<char>>(copy, std::ios::out);
      write_path_ = path_;
    } else {
      if (fs::is_symlink(path, ec) && fs::is_regular_file(st)) path_ = fs::canonical(path, ec).string();
      write_path_ = exists && !fs::is_regular_file(st) ? path_ : path_ + ".tmp-" + std::to_string(::getpid());
      if (write_path_ != path_) {
        remove_stale_temporaries(path_);
        arm_temporary_removal(write_path_);
      }
      out_ = std::make_unique<std::filebuf>();
      if (!out_->open(write_path_, std::ios::out | std::ios::trunc)) out_.reset();
    }
    if (!out_ || !out_->is_open())
      throw std::runtime_error("--command-trace: cannot write '" + printable_name(write_path_) + "'" +
                               errno_reason(errno));
    stream_.rdbuf(out_.get());
    stream_ << "# cycle command rank bank_group bank row column\n";
  }
  CommandTraceWriter(const CommandTraceWriter&) = delete;
  CommandTraceWriter& operator=(const CommandTraceWriter&) = delete;
  ~CommandTraceWriter() override {
    if (!committed_ && write_path_ != path_) {
      if (out_) out_->close();
      std::error_code ec;
      std::filesystem::remove(write_path_, ec);
    }
    disarm_temporary_removal();
  }
  void on_command(const IssuedCommand& c) override {
    stream_ << c.cycle << ' ' << command_name(c.command) << ' ' << c.rank << ' ' << c.bank_group
            << ' ' << c.bank << ' ' << c.row << ' ' << c.column << '\n';
  }
  // Buffered writes fail silently until the flush: check it before reporting success. Then
  // the file replaces FILE.
  void finish() {
    errno = 0;
    stream_.flush();
    if (!out_->close() || !stream_)
      throw OutputError("--command-trace: writing '" + printable_name(write_path_) + "' failed" +
                        (errno ? errno_reason(errno) : std::string(" (disk full?)")));
    if (write_path_ != path_) {
      std::error_code ec;
      std::filesystem::rename(write_path_, path_, ec);
      if (ec)
        throw OutputError("--command-trace: cannot rename '" + printable_name(write_path_) + "' to '" +
                          printable_name(path_) + "': " + ec.message());
    }
    committed_ = true;
    disarm_temporary_removal();
  }

 private:
  std::string path_, write_path_;
  // A file, or (__gnu_cxx::stdio_filebuf) a copy of one of this process's descriptors.
  std::unique_ptr<std::filebuf> out_;
  std::ostream stream_{nullptr};
  bool committed_ = false;
};

class Fanout final : public CommandObserver {
 public:
  std::vector<CommandObserver*> targets;
  void on_command(const IssuedCommand& c) override {
    for (auto* t : targets) t->on_command(c);
  }
  void on_finish(std::uint64_t end) override {
    for (auto* t : targets) t->on_finish(end);
  }
};

nlohmann::json to_json(const SimStats& s, const SimConfig& cfg) {
  nlohmann::json j;
  j["archgym_version"] = archgym::kVersion;  // the build, as a run's record names it
  j["git_commit"] = archgym::kGitCommit;
  j["memspec"] = cfg.memspec.id;
  const ControllerConfig& c = cfg.controller;
  j["controller"] = {{"PagePolicy", enum_name(c.page_policy)},
                     {"Scheduler", enum_name(c.scheduler)},
                     {"SchedulerBuffer", enum_name(c.scheduler_buffer)},
                     {"RequestBufferSize", c.request_buffer_size},
                     {"RespQueue", enum_name(c.resp_queue)},
                     {"RefreshPolicy", enum_name(c.refresh_policy)},
                     {"RefreshMaxPostponed", c.refresh_max_postponed},
                     {"RefreshMaxPulledin", c.refresh_max_pulledin},
                     {"Arbiter", enum_name(c.arbiter)},
                     {"MaxActiveTransactions", c.max_active_transactions},
                     {"PowerDownPolicy", enum_name(c.power_down)},
                     {"WriteDrain", enum_name(c.write_drain)},
                     {"WriteHighWatermark", c.write_high_watermark},
                     {"WriteLowWatermark", c.write_low_watermark},
                     {"CommandQueueDepth", c.command_queue_depth},
                     {"TraceClockMHz", c.trace_clock_mhz}};
  j["requests"] = s.requests;
  j["reads"] = s.reads;
  j["writes"] = s.writes;
  j["end_cycle"] = s.end_cycle;
  j["total_time_ns"] = s.total_time_ns;
  j["bandwidth_GBps"] = s.bandwidth_GBps;
  j["peak_bandwidth_GBps"] = s.peak_bandwidth_GBps;
  j["utilisation"] = s.utilisation;
  j["read_latency_avg_ns"] = s.read_latency_avg_ns;
  j["read_latency_p50_ns"] = s.read_latency_p50_ns;
  j["read_latency_p99_ns"] = s.read_latency_p99_ns;
  j["read_latency_max_ns"] = s.read_latency_max_ns;
  j["read_latency_from_trace_avg_ns"] = s.read_latency_from_trace_avg_ns;
  j["row_hit_rate"] = s.row_hit_rate;
  j["refreshes"] = s.refreshes;
  j["requests_beyond_capacity"] = s.requests_beyond_capacity;
  nlohmann::json counts;
  for (int i = 0; i < kCommandCount; ++i)
    counts[std::string(command_name(static_cast<Command>(i)))] = s.command_counts[i];
  j["command_counts"] = counts;
  j["total_energy_nJ"] = s.total_energy_nJ();
  j["average_power_W"] = s.average_power_W();
  j["energy_pJ"] = {{"act", s.energy.act_pJ},
                    {"pre", s.energy.pre_pJ},
                    {"read", s.energy.read_pJ},
                    {"write", s.energy.write_pJ},
                    {"refresh", s.energy.refresh_pJ},
                    {"active_background", s.energy.active_background_pJ},
                    {"precharged_background", s.energy.precharged_background_pJ},
                    {"power_down", s.energy.power_down_pJ},
                    {"self_refresh", s.energy.self_refresh_pJ},
                    {"total", s.energy.total_pJ}};
  j["simulator_wall_s"] = s.simulator_wall_s;
  return j;
}

// The knobs in which `config` differs from DRAMSys' defaults: "RefreshMaxPostponed=1 ...".
std::string knobs_besides_defaults(const ControllerConfig& config) {
  std::istringstream defaults(knob_text(ControllerConfig{})), given(knob_text(config));
  std::string a, b, out;
  while (given >> b)
    if (!(defaults >> a) || a != b) out += (out.empty() ? "" : " ") + b;
  return out;
}

void print_text(const SimStats& s, const SimConfig& cfg, std::ostream& o) {
  char buf[256];
  auto line = [&](const char* fmt, auto... args) {
    std::snprintf(buf, sizeof buf, fmt, args...);
    o << buf << '\n';
  };
  o << "memspec            " << cfg.memspec.id << '\n';
  o << "controller         " << knob_text(cfg.controller) << '\n';
  line("requests           %llu (%llu reads, %llu writes)", (unsigned long long)s.requests,
       (unsigned long long)s.reads, (unsigned long long)s.writes);
  line("total time         %.3f ns (%llu cycles)", s.total_time_ns, (unsigned long long)s.end_cycle);
  line("bandwidth          %.3f GB/s (%.1f %% of %.2f GB/s peak)", s.bandwidth_GBps,
       100.0 * s.utilisation, s.peak_bandwidth_GBps);
  line("read latency       avg %.2f ns, p50 %.2f ns, p99 %.2f ns, max %.2f ns",
       s.read_latency_avg_ns, s.read_latency_p50_ns, s.read_latency_p99_ns, s.read_latency_max_ns);
  line("  from trace time  avg %.2f ns", s.read_latency_from_trace_avg_ns);
  line("row hit rate       %.4f", s.row_hit_rate);
  line("refreshes          %llu", (unsigned long long)s.refreshes);
  o << "commands          ";
  for (int i = 0; i < kCommandCount; ++i)
    if (s.command_counts[i] > 0)
      o << ' ' << command_name(static_cast<Command>(i)) << '=' << s.command_counts[i];
  o << '\n';
  line("total energy       %.3f nJ", s.total_energy_nJ());
  line("average power      %.4f W", s.average_power_W());
  line("simulator time     %.4f s", s.simulator_wall_s);
}

}  // namespace

int main(int argc, char** argv) {
  // Past a file-size limit (ulimit -f) a write fails with EFBIG, which names the file,
  // instead of SIGXFSZ ending the process without a word.
  std::signal(SIGXFSZ, SIG_IGN);
  CLI::App app{"archgym-dram: cycle-level DRAM controller simulator (DRAMSys 4.0 semantics)"};
  const std::string version = std::string("archgym-dram ") + archgym::kVersion + " (commit " + archgym::kGitCommit +
                              ")\nbuilt with " + archgym::kBuildConfig;
  app.set_version_flag("--version", version);
  // Alone, before the checks that need a trace source (CLI11 checks those first).
  if (argc == 2 && std::string_view(argv[1]) == "--version") {
    std::cout << version << "\n";
    return 0;
  }
  std::string trace_file, workload, generate, memspec_name = "DDR3-1600", addressmap, command_trace;
  std::vector<std::string> sets;
  bool json = false, check = false;
  auto* src = app.add_option_group("source", "the request stream (exactly one)");
  // Not CLI11's ExistingFile: it said "File does not exist" for a loop of symbolic links or
  // a directory; the trace reader gives the file system's reason.
  src->add_option("--trace", trace_file, "a DRAMSys .stl trace file");
  src->add_option("--workload", workload, "a shipped trace: stream, random, cloud-1, cloud-2");
  src->add_option("--generate", generate,
                  "a synthetic trace: PATTERN[,requests=N][,rate=R][,read_ratio=F][,seed=S]"
                  "[,stride=B][,footprint=B][,base=A]; PATTERN = stream|random|strided|mixed (mixed: "
                  "sequential and random addresses); read_ratio (default 1: all reads) sets the reads; "
                  "footprint defaults to the whole device (every bank and row)");
  src->require_option(1);
  app.add_option("--memspec", memspec_name, "DDR3-1600, DDR4-2400 or a memspec JSON file")
      ->capture_default_str();
  app.add_option("--addressmap", addressmap,
                 "address mapping: a JSON file or rbc, brc, bg-interleaved, row-bank-col "
                 "(default: rbc for DDR3, brc for DDR4)");
  app.add_option("--set", sets,
                 "controller knob KEY=VALUE (repeatable), e.g. PagePolicy=Closed. Defaults (DRAMSys 4.0's): " +
                     knob_text(ControllerConfig{}) + ". (The dram env's default design, ArchGym's, differs: " +
                     knobs_besides_defaults(archgym_default_controller()) +
                     "; MaxActiveTransactions is ignored by the Simple arbiter.)");
  app.add_flag("--json", json, "print statistics as JSON");
  app.add_option("--command-trace", command_trace, "write every issued command to FILE (replaced only when the run succeeds; /dev/stdout is written through)");
  app.add_flag("--check", check, "replay the commands through the protocol checker (timing and refresh intervals)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    // Bad arguments exit 2 like every other bad input (CLI11's own codes are 105, 106, ...).
    std::cerr << "archgym-dram: error: " << e.what() << "\n(see `archgym-dram --help`)\n";
    return 2;
  }

  try {
    SimConfig cfg;
    cfg.memspec = for_option("--memspec", [&] { return memspec_by_name_or_path(memspec_name); });
    cfg.mapping = for_option("--addressmap", [&] { return mapping_by_name(addressmap, cfg.memspec); });
    // Before the trace is read (simulate() checks again, naming neither option).
    check_memory(cfg.memspec, "--memspec " + memspec_name, cfg.mapping,
                 "--addressmap " + (addressmap.empty() ? std::string("(default)") : addressmap));
    std::vector<std::string> given;  // knob keys, in order
    for (const std::string& kv : sets) {
      const auto eq = kv.find('=');
      if (eq == std::string::npos || eq == 0)
        throw std::invalid_argument("--set expects KEY=VALUE, got '" + printable_name(kv) + "'");
      const std::string key = kv.substr(0, eq);
      for_option("--set", [&] { set_knob(cfg.controller, key, kv.substr(eq + 1)); });
      if (std::find(given.begin(), given.end(), key) != given.end())  // the last would win unseen
        throw std::invalid_argument("--set " + key + " is given twice; give each knob once");
      given.push_back(key);
    }
    check_knobs_take_effect(cfg.controller, given);
    std::unique_ptr<TraceSource> trace;
    const char* trace_option = trace_file.empty() ? "--workload" : "--trace";
    const std::string trace_path = trace_file.empty() && !workload.empty()
                                       ? for_option(trace_option, [&] { return default_trace_path(workload); })
                                       : trace_file;
    if (!trace_path.empty())
      trace = for_option(trace_option, [&] { return std::make_unique<StlTraceReader>(trace_path); });
    else {
      auto generated = std::make_unique<GeneratedTrace>(parse_generate(generate, cfg.mapping.device_bytes()));
      if (generated->last_cycle() > max_trace_cycle(cfg.controller.trace_clock_mhz))  // refuse before simulating
        throw std::invalid_argument("--generate: the last request " +
                                    beyond_time_range(generated->last_cycle(), cfg.controller.trace_clock_mhz) +
                                    "; use fewer requests or a higher rate");
      trace = std::move(generated);
    }

    Fanout fan;
    std::unique_ptr<CommandTraceWriter> writer;
    std::unique_ptr<ProtocolChecker> checker;
    if (!command_trace.empty()) {
      writer = std::make_unique<CommandTraceWriter>(command_trace,
                                                    std::vector<std::string>{trace_path, memspec_name, addressmap});
      fan.targets.push_back(writer.get());
    }
    if (check) {
      checker = std::make_unique<ProtocolChecker>(cfg.memspec);
      checker->set_refresh_check(cfg.controller);  // refresh too, as the test suite checks
      fan.targets.push_back(checker.get());
    }
    const auto simulated = [&] {
      try {
        return simulate(cfg, *trace, fan.targets.empty() ? nullptr : &fan);
      } catch (const TraceRequestError& e) {  // the request just read: name its line, as the env does
        const auto* file = dynamic_cast<const StlTraceReader*>(trace.get());
        if (file == nullptr) throw;
        throw std::invalid_argument(printable_name(trace_path) + ":" + std::to_string(file->line_number()) + ": " +
                                    e.what());
      }
    };
    const SimStats s = simulated();
    if (s.requests == 0)  // as the env: all-zero statistics would pass for a result
      throw std::invalid_argument("trace '" + printable_name(trace_path) + "' holds no requests");
    if (s.requests_beyond_capacity > 0)  // DRAMSys warns and folds them onto the device too
      std::cerr << "archgym-dram: warning: " << s.requests_beyond_capacity << " of " << s.requests
                << " requests address beyond the device (its address bits: 0x" << std::hex
                << cfg.mapping.address_mask() << std::dec << "; first: request " << s.first_beyond_capacity
                << "); their unmapped address bits were ignored\n";
    if (json) {
      nlohmann::json j = to_json(s, cfg);
      if (checker) j["protocol_violations"] = checker->violation_count();
      std::cout << j.dump(2) << '\n';
    } else {
      print_text(s, cfg, std::cout);
      if (checker) std::cout << "protocol check     " << checker->summary() << '\n';
    }
    if (writer) writer->finish();
    std::cout.flush();
    if (!std::cout) throw OutputError("writing the statistics to standard output failed");
    if (checker && !checker->ok()) return 3;
  } catch (const OutputError& e) {
    std::cerr << "archgym-dram: failed: " << e.what() << '\n';
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "archgym-dram: error: " << e.what() << '\n';
    return 2;
  }
  return 0;
}

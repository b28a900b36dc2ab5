// The DRAM memory-controller environment: ArchGym's DRAMSys design space on our
// cycle-level simulator. One evaluation = one workload through one controller
// configuration.
//
// Defaults reproduce ArchGym's setup so results compare: memspec
// MICRON_1Gb_DDR3-1600_8bit_G, address map am_ddr3_8x1Gbx8_dimm_p1KB_rbc, trace
// clock 800 MHz, reward = target ratio on power (1 W) and latency (0.1 ms).
//
// Units. ArchGym's "latency" is DRAMSys's Total Time (simulated time until the last
// response); ArchGym parsed it without its unit and divided by 1e9, which gives
// milliseconds whenever DRAMSys printed picoseconds (the usual case) and garbage
// otherwise. We report it as latency_ms, so ArchGym's target 0.1 means 0.1 ms.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/env.h"
#include "core/input_files.h"
#include "core/registry.h"
#include "core/text.h"
#include "simulators/dram/address_mapping.h"
#include "simulators/dram/controller_config.h"
#include "simulators/dram/memspec.h"
#include "simulators/dram/message_text.h"
#include "simulators/dram/simulator.h"
#include "simulators/dram/trace.h"

namespace archgym {
namespace {

namespace dram = archgym::dram;

// Knob names as ArchGym (and DRAMSys's JSON config) spell them.
constexpr const char* kPagePolicy = "PagePolicy";
constexpr const char* kScheduler = "Scheduler";
constexpr const char* kSchedulerBuffer = "SchedulerBuffer";
constexpr const char* kRequestBufferSize = "RequestBufferSize";
constexpr const char* kRespQueue = "RespQueue";
constexpr const char* kRefreshPolicy = "RefreshPolicy";
constexpr const char* kRefreshMaxPostponed = "RefreshMaxPostponed";
constexpr const char* kRefreshMaxPulledin = "RefreshMaxPulledin";
constexpr const char* kArbiter = "Arbiter";
constexpr const char* kMaxActiveTransactions = "MaxActiveTransactions";
constexpr const char* kPowerDownPolicy = "PowerDownPolicy";

const std::vector<std::string> kMetrics = {
    "energy_uJ",           "power_W",            "latency_ms",
    "read_latency_avg_ns", "read_latency_p50_ns", "read_latency_p99_ns",
    "bandwidth_GBps",      "utilisation",        "row_hit_rate",
    "refreshes"};

Schema dram_schema() {
  Schema s;
  s.string("workload", "stream",
           "ArchGym trace name (stream, random, cloud-1, cloud-2) or a path to a DRAMSys .stl trace");
  s.choice("generator", "none", {"none", "stream", "random", "strided", "mixed"},
           "synthesise the workload instead of reading a trace (excludes workload)");
  s.integer("requests", 10000, 1, static_cast<std::int64_t>(dram::kMaxGeneratedRequests),
            "generator: number of requests");
  s.real("read_ratio", 1.0, 0.0, 1.0, "generator: fraction of reads");
  s.real("injection_rate", 1.0, dram::kMinInjectionRate, 1.0, "generator: requests per trace-clock cycle");
  s.integer("stride", 64, 64, 1ll << 40, "generator (strided): stride in bytes, a multiple of 64");
  s.integer("footprint_MiB", 1024, 1, 1 << 20,
            "generator: address range in MiB (random and mixed draw from it; stream and strided wrap within it); "
            "on a memspec larger than 1024 MiB it must be given");
  s.integer("generator_seed", 1, 0, std::nullopt, "generator: seed of the synthetic trace");
  s.string("memspec", "DDR3-1600", "memory preset (DDR3-1600, DDR4-2400) or a DRAMSys memspec JSON path");
  s.string("addressmap", "default",
           "default (the memspec's ArchGym map), rbc, brc, bg-interleaved, row-bank-col, or a JSON path");
  s.real("trace_clock_mhz", 800.0, 1.0, 100000.0, "clock of the trace timestamps in MHz (ArchGym: 800)");
  s.choice("space", "archgym", {"archgym", "extended", "rl"},
           "archgym: ArchGym's 10 knobs (RequestBufferSize 1..8, MaxActiveTransactions 1..128); "
           "extended: plus RefreshPolicy PerBank and PowerDownPolicy; "
           "rl: ArchGym's RL variant (powers of two)");
  return s;
}

// Which knobs and values a search sees (the `space` option).
enum class SpaceVariant {
  ArchGym,   // the GA, random-walk and BO space of ArchGym's DRAMSys scripts, value for value
  Extended,  // plus archgym's own refresh and power-down knobs (simulated, not in ArchGym)
  Rl,        // ArchGym's RL action decoder (envHelpers.py): sizes and refresh limits as powers of two
};

SpaceVariant space_variant(const std::string& name) {
  return name == "extended" ? SpaceVariant::Extended : name == "rl" ? SpaceVariant::Rl : SpaceVariant::ArchGym;
}

DesignSpace make_space(SpaceVariant variant) {
  const bool rl_variant = variant == SpaceVariant::Rl;
  const bool extended = variant == SpaceVariant::Extended;
  DesignSpace space;
  space.add(Parameter::categorical(kPagePolicy, dram::enum_names<dram::PagePolicy>(),
                                   "row-buffer policy"));
  space.add(Parameter::categorical(kScheduler, dram::enum_names<dram::SchedulerPolicy>(),
                                   "request scheduler"));
  space.add(Parameter::categorical(kSchedulerBuffer, dram::enum_names<dram::SchedulerBuffer>(),
                                   "how RequestBufferSize is counted"));
  if (rl_variant)
    space.add(Parameter::power_of_two(kRequestBufferSize, 1, 128, "scheduler buffer entries"));
  else
    space.add(Parameter::integer(kRequestBufferSize, 1, 8, 1, "scheduler buffer entries"));
  space.add(Parameter::categorical(kRespQueue, dram::enum_names<dram::RespQueuePolicy>(),
                                   "response ordering"));
  if (extended)
    space.add(Parameter::categorical(kRefreshPolicy, dram::enum_names<dram::RefreshPolicy>(),
                                     "refresh scheme (PerBank is an archgym extension for DDR3/4)"));
  else
    space.add(Parameter::categorical(kRefreshPolicy, {"NoRefresh", "AllBank"}, "refresh scheme"));
  if (rl_variant) {
    space.add(Parameter::power_of_two(kRefreshMaxPostponed, 1, 8, "refreshes that may be postponed"));
    space.add(Parameter::power_of_two(kRefreshMaxPulledin, 1, 8, "refreshes that may be pulled in"));
  } else {
    space.add(Parameter::integer(kRefreshMaxPostponed, 1, 8, 1, "refreshes that may be postponed"));
    space.add(Parameter::integer(kRefreshMaxPulledin, 1, 8, 1, "refreshes that may be pulled in"));
  }
  space.add(Parameter::categorical(kArbiter, dram::enum_names<dram::ArbiterPolicy>(),
                                   "initiator-side arbiter"));
  if (rl_variant)
    space.add(Parameter::power_of_two(kMaxActiveTransactions, 1, 128,
                                      "outstanding transactions (ignored by the Simple arbiter)"));
  else
    space.add(Parameter::integer(kMaxActiveTransactions, 1, 128, 1,
                                 "outstanding transactions (ignored by the Simple arbiter)"));
  if (extended)  // ArchGym fixes it to NoPowerDown, as the other variants do
    space.add(Parameter::categorical(kPowerDownPolicy, dram::enum_names<dram::PowerDownPolicy>(), "power-down"));
  return space;
}

// A path in a message: one line, at most 200 bytes (a 900 kB name made a 900 kB message),
// shown as the DRAM library's own messages show it (so one message does not show a path
// two ways); quoted, except where a line number follows it ("path:3:").
std::string shown(const std::string& path) { return "'" + dram::printable_name(path) + "'"; }

// A file the env reads must be a regular file: a run records the digest of what it read,
// and a pipe or device gives other bytes on every read, so a resume or a comparison with
// another run could not check it (/dev/stdin reads as "no requests"). `option` is the
// option naming it.
void require_regular_file(const char* option, const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  // A name too long or a loop of symbolic links: the file system's words, naming the option.
  if (ec && ec != std::errc::no_such_file_or_directory && ec != std::errc::not_a_directory)
    throw OptionError({option}, std::string("env 'dram': ") + option + " " + shown(path) + ": " + ec.message());
  if (ec || !fs::exists(st) || fs::is_regular_file(st)) return;  // missing: the loader says so
  if (fs::is_directory(st))
    throw OptionError({option}, std::string("env 'dram': ") + option + " " + shown(path) + " is a directory");
  throw OptionError({option}, std::string("env 'dram': ") + option + " " + shown(path) +
                              " must be a regular file (a pipe or device reads differently each time, so a "
                              "run could not be checked against it on resume)");
}

const std::vector<std::string> kAddressMapPresets{"default", "rbc", "brc", "bg-interleaved", "row-bank-col"};
bool is_addressmap_preset(const std::string& name) {
  return std::find(kAddressMapPresets.begin(), kAddressMapPresets.end(), name) != kAddressMapPresets.end();
}

// Feeds the bytes a loader reads into `digest`: the run records the digest of exactly what
// was parsed, even if the file is replaced before the record is written.
dram::ByteObserver digest_into(ContentDigest& digest) {
  return [&digest](std::string_view bytes) { digest.add(bytes); };
}

// A preset, or a file whose bytes `digest` receives.
dram::AddressMapping mapping_for(const std::string& name, const dram::MemSpec& spec, ContentDigest& digest) {
  if (name == "default")
    return spec.type == dram::MemoryType::DDR3 ? dram::ddr3_rbc_mapping() : dram::ddr4_brc_mapping();
  if (name == "rbc") return dram::ddr3_rbc_mapping();
  if (name == "brc") return dram::ddr4_brc_mapping();
  if (name == "bg-interleaved") return dram::bank_group_interleaved_mapping(spec);
  if (name == "row-bank-col") return dram::row_bank_column_mapping(spec);
  require_regular_file("addressmap", name);
  std::error_code ec;
  if (!std::filesystem::exists(name, ec))
    throw OptionError({"addressmap"}, "env 'dram': addressmap " + shown(name) + " is neither a preset (" +
                                join(kAddressMapPresets) + ") nor an existing file" +
                                did_you_mean(name, kAddressMapPresets));
  try {
    return dram::load_address_mapping(name, digest_into(digest));
  } catch (const std::exception& e) {  // as for the memspec
    throw OptionError({"addressmap"}, std::string("env 'dram': addressmap: ") + e.what());
  }
}

// Options given to no effect are refused rather than recorded as if they had shaped the
// run, also when given with their default value (`workload=stream` with a generator).
// Options rebuilt from a store (resume) mark none as given: there a value that differs
// from its default counts as given.
void check_option_combination(const Options& o) {
  const Schema schema = dram_schema();
  auto given = [&](const char* name) {
    return o.given(name) || o.get(name) != schema.find(name)->default_value;
  };
  const std::string generator = o.string("generator");
  if (generator == "none") {
    for (const char* name : {"requests", "read_ratio", "injection_rate", "stride", "footprint_MiB", "generator_seed"})
      if (given(name))
        throw OptionError({name, "generator"}, std::string("env 'dram': option ") + name + " = " + to_string(o.get(name)) +
                                    " applies only to a generated workload, but generator is none "
                                    "(set generator to one of stream, random, strided, mixed)");
  } else if (generator != "strided" && given("stride")) {
    throw OptionError({"stride", "generator"}, "env 'dram': option stride = " + to_string(o.get("stride")) +
                                " applies only to generator strided, but generator is " + generator +
                                " (its addresses advance one burst at a time or at random)");
  } else if (given("workload")) {
    throw OptionError({"workload", "generator"}, "env 'dram': options workload (" + shown(o.string("workload")) + ") and generator ('" +
                                generator + "') exclude each other: the generator synthesises the workload; "
                                "give one of them");
  }
}

// The file a `workload` option names: a shipped trace by name, else the path as given.
std::string workload_path(const std::string& workload) {
  const auto names = dram::default_trace_names();
  const bool named = std::find(names.begin(), names.end(), workload) != names.end();
  return named ? dram::default_trace_path(workload) : workload;
}

// The default footprint_MiB (1024) covers the default DDR3 DIMM but only part of a larger
// device (on DDR4-2400 under brc, 4 of its 16 banks): a generator that would wrap or draw
// within it there is refused unless the footprint is given, rather than silently measuring
// a quarter of the memory. Options rebuilt from a store (nothing given) are taken as recorded.
void check_footprint_given(const Options& o, std::uint64_t device_bytes) {
  const auto footprint_bytes = static_cast<std::uint64_t>(o.integer("footprint_MiB")) << 20;
  const std::string generator = o.string("generator");
  if (generator == "none" || !o.given("generator") || o.given("footprint_MiB") || device_bytes <= footprint_bytes)
    return;
  // A stream or stride that ends before the footprint does never meets it.
  const auto requests = static_cast<std::uint64_t>(o.integer("requests"));
  const auto step = static_cast<std::uint64_t>(generator == "strided" ? o.integer("stride") : dram::GeneratorConfig{}.alignment);
  if ((generator == "stream" || generator == "strided") && requests <= footprint_bytes / step) return;
  const std::string device_MiB = std::to_string(device_bytes >> 20);
  throw OptionError({"footprint_MiB", "memspec"},
                    "env 'dram': memspec " + shown(o.string("memspec")) + " holds " + device_MiB +
                        " MiB, but the generated workload would span only footprint_MiB's default of " +
                        to_string(o.get("footprint_MiB")) + "; give footprint_MiB=" + device_MiB +
                        " for the whole device, or the footprint you mean");
}

// The workload: read once at construction (so a malformed trace is reported before
// any run starts) and shared read-only by every evaluation. A trace file's bytes go to
// `digest` as they are read.
std::shared_ptr<const std::vector<dram::Request>> load_workload(const Options& o, ContentDigest& digest) {
  const std::string generator = o.string("generator");
  const double clock_mhz = o.real("trace_clock_mhz");
  const std::uint64_t max_cycle = dram::max_trace_cycle(clock_mhz);
  if (generator != "none") {
    dram::GeneratorConfig g;
    g.pattern = dram::parse_pattern(generator);
    g.requests = static_cast<std::uint64_t>(o.integer("requests"));
    g.read_ratio = o.real("read_ratio");
    g.injection_rate = o.real("injection_rate");
    g.stride_bytes = static_cast<std::uint64_t>(o.integer("stride"));
    if (g.stride_bytes % g.alignment != 0)  // the generator's own message names its field
      throw OptionError({"stride"}, "env 'dram': option stride must be a multiple of " +
                                  std::to_string(g.alignment) + " bytes (one burst), got " +
                                  std::to_string(g.stride_bytes));
    g.footprint_bytes = static_cast<std::uint64_t>(o.integer("footprint_MiB")) << 20;
    g.seed = static_cast<std::uint64_t>(o.integer("generator_seed"));
    dram::GeneratedTrace trace(g);
    if (trace.last_cycle() > max_cycle) {
      char rate[32];
      std::snprintf(rate, sizeof rate, "%g", g.injection_rate);
      throw OptionError({"requests", "injection_rate"}, "env 'dram': the generated workload (requests " + std::to_string(g.requests) +
                                  ", injection_rate " + rate + "): its last request " +
                                  dram::beyond_time_range(trace.last_cycle(), clock_mhz) +
                                  "; use fewer requests or a higher injection_rate");
    }
    auto requests = std::make_shared<std::vector<dram::Request>>();
    requests->reserve(g.requests);
    dram::Request r;
    while (trace.next(r)) requests->push_back(r);
    return requests;
  }
  const std::string workload = o.string("workload");
  const std::string path = workload_path(workload);
  require_regular_file("workload", path);
  std::error_code ec;
  if (path == workload && !std::filesystem::exists(path, ec)) {
    const auto names = dram::default_trace_names();
    throw OptionError({"workload"}, "env 'dram': workload " + shown(workload) + " is neither a named trace (" + join(names) +
                                ") nor an existing file" + did_you_mean(workload, names));
  }
  // Checked here, not at the first evaluation: every evaluation of the run would fail.
  auto requests = std::make_shared<std::vector<dram::Request>>();
  // Refuses decreasing timestamps, naming the line. A file that cannot be opened: as for the memspec.
  auto reader = [&] {
    try {
      return dram::StlTraceReader(path, digest_into(digest));
    } catch (const std::runtime_error& e) {
      throw OptionError({"workload"}, std::string("env 'dram': workload: ") + e.what());
    }
  }();
  dram::Request r;
  while (reader.next(r)) {
    if (r.cycle > max_cycle)
      throw OptionError({"workload", "trace_clock_mhz"}, "env 'dram': trace " + dram::printable_name(path) + ":" + std::to_string(reader.line_number()) +
                                  ": request " + std::to_string(requests->size() + 1) + " " +
                                  dram::beyond_time_range(r.cycle, clock_mhz));
    requests->push_back(r);
  }
  if (requests->empty())
    throw OptionError({"workload"}, "env 'dram': trace " + shown(path) + " holds no requests");
  return requests;
}

class DramEnv final : public Env {
 public:
  explicit DramEnv(const Options& o)
      : space_(make_space(space_variant(o.string("space")))) {
    InputDigests digests;
    check_option_combination(o);
    require_regular_file("memspec", o.string("memspec"));  // a preset name is no file: passes
    try {
      base_.memspec = dram::memspec_by_name_or_path(o.string("memspec"), digest_into(digests.memspec));
    } catch (const std::exception& e) {  // name the option, as for the other inputs
      // (a file that cannot be opened is bad input too: runtime_error, with the reason)
      throw OptionError({"memspec"}, std::string("env 'dram': memspec: ") + e.what());
    }
    base_.mapping = mapping_for(o.string("addressmap"), base_.memspec, digests.addressmap);
    // What would fail every evaluation fails here (e.g. a memspec of two channels). The
    // library shows the names as it shows paths.
    try {
      dram::check_memory(base_.memspec, "memspec " + o.string("memspec"), base_.mapping,
                         "addressmap " + o.string("addressmap"));
    } catch (const std::invalid_argument& e) {
      throw OptionError({"memspec", "addressmap"}, std::string("env 'dram': ") + e.what());
    }
    check_footprint_given(o, base_.mapping.device_bytes());
    workload_ = load_workload(o, digests.workload);
    inputs_ = input_files_of(o, digests);
    base_.controller.trace_clock_mhz = o.real("trace_clock_mhz");
    check_addresses_fit(o);
  }

  const DesignSpace& space() const override { return space_; }
  std::vector<std::string> metric_names() const override { return kMetrics; }

  Objective default_objective() const override {
    return Objective(Formulation::TargetRatio, {{"power_W", 1.0}, {"latency_ms", 0.1}});
  }

  Design default_design() const override {
    // ArchGym's: DRAMSys's example controller (mcconfigs/fr_fcfs.json), but for
    // RefreshMaxPostponed and RefreshMaxPulledin at 1 where it has 8.
    const dram::ControllerConfig c = dram::archgym_default_controller();
    const auto name = [](auto policy) { return std::string(dram::enum_name(policy)); };
    std::vector<std::pair<std::string, std::string>> knobs = {
        {kPagePolicy, name(c.page_policy)},
        {kScheduler, name(c.scheduler)},
        {kSchedulerBuffer, name(c.scheduler_buffer)},
        {kRequestBufferSize, std::to_string(c.request_buffer_size)},
        {kRespQueue, name(c.resp_queue)},
        {kRefreshPolicy, name(c.refresh_policy)},
        {kRefreshMaxPostponed, std::to_string(c.refresh_max_postponed)},
        {kRefreshMaxPulledin, std::to_string(c.refresh_max_pulledin)},
        {kArbiter, name(c.arbiter)},
        {kMaxActiveTransactions, std::to_string(c.max_active_transactions)}};
    if (space_.has(kPowerDownPolicy)) knobs.emplace_back(kPowerDownPolicy, name(c.power_down));
    return space_.from_strings(knobs);
  }

  std::vector<InputFile> input_files() const override { return inputs_; }

  Options canonical_options(Options o) const override {
    // A preset by its own name ("ddr4-2400" and its memspec ids are DDR4-2400); the preset
    // mapping the memspec's type defaults to (rbc for DDR3, brc for DDR4) as "default".
    if (const std::string preset = dram::memspec_preset_name(o.string("memspec")); !preset.empty())
      o.set("memspec", Value(preset));
    const std::string& map = o.string("addressmap");
    if ((map == "rbc" && base_.memspec.type == dram::MemoryType::DDR3) ||
        (map == "brc" && base_.memspec.type == dram::MemoryType::DDR4))
      o.set("addressmap", Value(std::string("default")));
    return o;
  }

  Evaluation evaluate(const Design& d) const override {
    const auto start = std::chrono::steady_clock::now();
    Evaluation e;
    try {
      space_.validate(d);
      dram::SimConfig config = base_;
      config.controller = controller_config(d);
      dram::VectorTrace trace(workload_);
      const dram::SimStats s = dram::simulate(config, trace);
      e.metrics = {{"energy_uJ", s.total_energy_nJ() / 1000.0},
                   {"power_W", s.average_power_W()},
                   {"latency_ms", s.total_time_ns / 1e6},
                   {"read_latency_avg_ns", s.read_latency_avg_ns},
                   {"read_latency_p50_ns", s.read_latency_p50_ns},
                   {"read_latency_p99_ns", s.read_latency_p99_ns},
                   {"bandwidth_GBps", s.bandwidth_GBps},
                   {"utilisation", s.utilisation},
                   {"row_hit_rate", s.row_hit_rate},
                   {"refreshes", static_cast<double>(s.refreshes)}};
    } catch (const std::exception& ex) {
      e = Evaluation::invalid(ex.what());
    }
    e.sim_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return e;
  }

 private:
  dram::ControllerConfig controller_config(const Design& d) const {
    auto text = [&](const char* name) { return to_string(d.values[space_.index_of(name)]); };
    auto number = [&](const char* name) {
      return static_cast<int>(as_int(d.values[space_.index_of(name)]));
    };
    dram::ControllerConfig c = base_.controller;
    c.page_policy = dram::parse_enum<dram::PagePolicy>(text(kPagePolicy));
    c.scheduler = dram::parse_enum<dram::SchedulerPolicy>(text(kScheduler));
    c.scheduler_buffer = dram::parse_enum<dram::SchedulerBuffer>(text(kSchedulerBuffer));
    c.request_buffer_size = number(kRequestBufferSize);
    c.resp_queue = dram::parse_enum<dram::RespQueuePolicy>(text(kRespQueue));
    c.refresh_policy = dram::parse_enum<dram::RefreshPolicy>(text(kRefreshPolicy));
    c.refresh_max_postponed = number(kRefreshMaxPostponed);
    c.refresh_max_pulledin = number(kRefreshMaxPulledin);
    c.arbiter = dram::parse_enum<dram::ArbiterPolicy>(text(kArbiter));
    c.max_active_transactions = number(kMaxActiveTransactions);
    if (space_.has(kPowerDownPolicy)) c.power_down = dram::parse_enum<dram::PowerDownPolicy>(text(kPowerDownPolicy));
    return c;
  }

  // The simulator folds an address beyond the device onto it (as DRAMSys does, with a
  // warning): in a search that would silently change row hits, so the env refuses it.
  void check_addresses_fit(const Options& o) const {
    const std::uint64_t mask = base_.mapping.address_mask();
    const auto& requests = *workload_;
    for (std::size_t i = 0; i < requests.size(); ++i) {
      if ((requests[i].address & ~mask) == 0) continue;
      char address[24], bits[24];
      std::snprintf(address, sizeof address, "0x%llx", static_cast<unsigned long long>(requests[i].address));
      std::snprintf(bits, sizeof bits, "0x%llx", static_cast<unsigned long long>(mask));
      const bool generated = o.string("generator") != "none";
      throw OptionError(
          {generated ? "footprint_MiB" : "workload", "memspec", "addressmap"},
          "env 'dram': " +
          (generated ? "the generated workload (footprint_MiB " + std::to_string(o.integer("footprint_MiB")) + ")"
                     : "workload " + shown(o.string("workload"))) +
          " addresses beyond the device: request " + std::to_string(i + 1) + " at " + address +
          ", but memspec " + shown(o.string("memspec")) + " with addressmap " + shown(o.string("addressmap")) +
          " uses address bits " + bits + " only; use a larger memspec" +
          (generated ? " or a smaller footprint_MiB" : ""));
    }
  }

  // Of the bytes each input file was parsed from (a file not read stays at the empty digest).
  struct InputDigests {
    ContentDigest workload, memspec, addressmap;
  };

  // The trace (named ones too: they are files of the build's data) and a memspec or
  // address map given as a file rather than a preset (a preset's name wins over a file of
  // that name, as loading resolves them), with the digests of what was read.
  static std::vector<InputFile> input_files_of(const Options& o, const InputDigests& read) {
    std::vector<InputFile> files;
    if (o.string("generator") == "none")
      files.push_back({"workload", workload_path(o.string("workload")), read.workload.text()});
    if (!dram::is_memspec_preset(o.string("memspec")))
      files.push_back({"memspec", o.string("memspec"), read.memspec.text()});
    if (!is_addressmap_preset(o.string("addressmap")))
      files.push_back({"addressmap", o.string("addressmap"), read.addressmap.text()});
    return files;
  }

  DesignSpace space_;
  std::shared_ptr<const std::vector<dram::Request>> workload_;
  std::vector<InputFile> inputs_;
  dram::SimConfig base_;
};

const EnvRegistrar registrar{
    "dram", "DRAM memory controller (ArchGym's DRAMSys space) on the cycle-level simulator",
    dram_schema(), [](const Options& o) { return std::make_unique<DramEnv>(o); }};

}  // namespace
}  // namespace archgym

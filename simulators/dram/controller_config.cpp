#include "simulators/dram/controller_config.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

#include "simulators/dram/message_text.h"

namespace archgym::dram {
namespace {

template <class E, std::size_t N>
using NameTable = std::array<std::pair<E, std::string_view>, N>;

constexpr NameTable<PagePolicy, 4> kPagePolicies{{{PagePolicy::Open, "Open"},
                                                   {PagePolicy::OpenAdaptive, "OpenAdaptive"},
                                                   {PagePolicy::Closed, "Closed"},
                                                   {PagePolicy::ClosedAdaptive, "ClosedAdaptive"}}};
constexpr NameTable<SchedulerPolicy, 3> kSchedulers{{{SchedulerPolicy::Fifo, "Fifo"},
                                                     {SchedulerPolicy::FrFcfs, "FrFcfs"},
                                                     {SchedulerPolicy::FrFcfsGrp, "FrFcfsGrp"}}};
constexpr NameTable<SchedulerBuffer, 3> kBuffers{{{SchedulerBuffer::Bankwise, "Bankwise"},
                                                  {SchedulerBuffer::ReadWrite, "ReadWrite"},
                                                  {SchedulerBuffer::Shared, "Shared"}}};
constexpr NameTable<RespQueuePolicy, 2> kRespQueues{{{RespQueuePolicy::Fifo, "Fifo"},
                                                     {RespQueuePolicy::Reorder, "Reorder"}}};
constexpr NameTable<RefreshPolicy, 3> kRefresh{{{RefreshPolicy::NoRefresh, "NoRefresh"},
                                                {RefreshPolicy::AllBank, "AllBank"},
                                                {RefreshPolicy::PerBank, "PerBank"}}};
constexpr NameTable<ArbiterPolicy, 3> kArbiters{{{ArbiterPolicy::Simple, "Simple"},
                                                 {ArbiterPolicy::Fifo, "Fifo"},
                                                 {ArbiterPolicy::Reorder, "Reorder"}}};
constexpr NameTable<PowerDownPolicy, 2> kPowerDown{{{PowerDownPolicy::NoPowerDown, "NoPowerDown"},
                                                    {PowerDownPolicy::Staggered, "Staggered"}}};
constexpr NameTable<WriteDrainPolicy, 3> kWriteDrain{{{WriteDrainPolicy::None, "None"},
                                                      {WriteDrainPolicy::Watermark, "Watermark"},
                                                      {WriteDrainPolicy::CommandQueue, "CommandQueue"}}};

template <class E> constexpr auto& table();
template <> constexpr auto& table<PagePolicy>() { return kPagePolicies; }
template <> constexpr auto& table<SchedulerPolicy>() { return kSchedulers; }
template <> constexpr auto& table<SchedulerBuffer>() { return kBuffers; }
template <> constexpr auto& table<RespQueuePolicy>() { return kRespQueues; }
template <> constexpr auto& table<RefreshPolicy>() { return kRefresh; }
template <> constexpr auto& table<ArbiterPolicy>() { return kArbiters; }
template <> constexpr auto& table<PowerDownPolicy>() { return kPowerDown; }
template <> constexpr auto& table<WriteDrainPolicy>() { return kWriteDrain; }

template <class E> constexpr std::string_view kind_name();
template <> constexpr std::string_view kind_name<PagePolicy>() { return "PagePolicy"; }
template <> constexpr std::string_view kind_name<SchedulerPolicy>() { return "Scheduler"; }
template <> constexpr std::string_view kind_name<SchedulerBuffer>() { return "SchedulerBuffer"; }
template <> constexpr std::string_view kind_name<RespQueuePolicy>() { return "RespQueue"; }
template <> constexpr std::string_view kind_name<RefreshPolicy>() { return "RefreshPolicy"; }
template <> constexpr std::string_view kind_name<ArbiterPolicy>() { return "Arbiter"; }
template <> constexpr std::string_view kind_name<PowerDownPolicy>() { return "PowerDownPolicy"; }
template <> constexpr std::string_view kind_name<WriteDrainPolicy>() { return "WriteDrain"; }

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

// The integer knobs' ranges, each written once: set_knob() checks a value as it parses
// it (so an integer too large for int is "out of range", not "not an integer") and
// validate() checks configs built in code.
struct Range {
  long long lo, hi;
  std::string text() const { return std::to_string(lo) + ".." + std::to_string(hi); }
};
constexpr Range kRequestBufferSizes{1, kMaxRequestBufferSize};
constexpr Range kRefreshFlexibility{0, kMaxRefreshFlexibility};
constexpr Range kActiveTransactions{1, kMaxActiveTransactionsLimit};
constexpr Range kHighWatermarks{1, kMaxRequestBufferSize};
constexpr Range kLowWatermarks{0, kMaxRequestBufferSize - 1};
constexpr Range kCommandQueueDepths{1, kMaxRequestBufferSize};

[[noreturn]] void out_of_range(std::string_view knob, const std::string& value, Range r) {
  throw std::invalid_argument(std::string(knob) + " = " + value + " is out of range (allowed: " + r.text() + ")");
}

void check_range(std::string_view knob, long long value, Range r) {
  if (value < r.lo || value > r.hi) out_of_range(knob, std::to_string(value), r);
}

int parse_int(std::string_view key, std::string_view value, Range r) {
  long long out = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  const bool whole = ptr == value.data() + value.size();
  if (!whole || (ec != std::errc() && ec != std::errc::result_out_of_range))
    throw std::invalid_argument(std::string(key) + ": '" + printable_name(value) + "' is not an integer (allowed: " +
                                r.text() + ")");
  if (ec == std::errc::result_out_of_range) out_of_range(key, printable_name(value), r);
  check_range(key, out, r);
  return static_cast<int>(out);
}

double parse_double(std::string_view key, std::string_view value, const char* allowed) {
  // from_chars, as parse_int: a plain decimal number and nothing else (std::stod also took
  // leading spaces and hexadecimal, "0x320" as 800).
  double out = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (value.empty() || ec != std::errc() || ptr != value.data() + value.size())
    throw std::invalid_argument(std::string(key) + ": '" + printable_name(value) + "' is not a number (allowed: " +
                                allowed + ")");
  return out;
}

}  // namespace

template <class E> E parse_enum(std::string_view name) {
  for (const auto& [value, n] : table<E>())
    if (n == name) return value;
  throw std::invalid_argument(std::string(kind_name<E>()) + ": unknown value '" +
                              printable_name(name) + "' (allowed: " + join(enum_names<E>()) + ")");
}

template <class E> std::string_view enum_name(E value) {
  for (const auto& [v, n] : table<E>())
    if (v == value) return n;
  throw std::invalid_argument(std::string(kind_name<E>()) + ": invalid enum value " +
                              std::to_string(static_cast<int>(value)));
}

template <class E> std::vector<std::string> enum_names() {
  std::vector<std::string> out;
  for (const auto& entry : table<E>()) out.emplace_back(entry.second);
  return out;
}

#define ARCHGYM_DRAM_INSTANTIATE(E)                       \
  template E parse_enum<E>(std::string_view);              \
  template std::string_view enum_name<E>(E);               \
  template std::vector<std::string> enum_names<E>();
ARCHGYM_DRAM_INSTANTIATE(PagePolicy)
ARCHGYM_DRAM_INSTANTIATE(SchedulerPolicy)
ARCHGYM_DRAM_INSTANTIATE(SchedulerBuffer)
ARCHGYM_DRAM_INSTANTIATE(RespQueuePolicy)
ARCHGYM_DRAM_INSTANTIATE(RefreshPolicy)
ARCHGYM_DRAM_INSTANTIATE(ArbiterPolicy)
ARCHGYM_DRAM_INSTANTIATE(PowerDownPolicy)
ARCHGYM_DRAM_INSTANTIATE(WriteDrainPolicy)
#undef ARCHGYM_DRAM_INSTANTIATE

namespace {

// The per-bank refresh timings PerBank uses, which loading derives and only checks here.
void check_per_bank_refresh(const MemSpec& spec) {
  if (spec.REFIpb <= 0 || spec.RFCpb <= 0)
    throw std::invalid_argument("RefreshPolicy = PerBank needs per-bank refresh timings, but memspec '" +
                                printable_name(spec.id) + "' has REFIpb = " + std::to_string(spec.REFIpb) +
                                " and RFCpb = " + std::to_string(spec.RFCpb));
  // A rank's per-bank refreshes run one after another, each tRFCpb long: due more often,
  // they fall behind without bound and the simulation would refresh less often than the
  // memspec asks, with no error. (All-bank refresh is checked when the memspec loads, REFI
  // against RFC + RC.)
  if (spec.REFIpb < spec.RFCpb)
    throw std::invalid_argument(
        "RefreshPolicy = PerBank needs REFIpb >= RFCpb (a per-bank refresh must end before the next "
        "is due), but memspec '" + printable_name(spec.id) + "' has REFIpb = " + std::to_string(spec.REFIpb) +
        " and RFCpb = " + std::to_string(spec.RFCpb) +
        " (when the memspec does not set them, REFIpb = REFI / banks and RFCpb = ceil(RFC / 2))");
  // Each bank must still be refreshed once per REFI: a longer REFIpb left rows unrefreshed
  // (REFIpb = 10^6 ran 40,000 cycles without a refresh).
  if (static_cast<long long>(spec.REFIpb) * spec.banks > spec.REFI)
    throw std::invalid_argument(
        "RefreshPolicy = PerBank needs REFIpb x banks <= REFI (every bank refreshed once per refresh "
        "interval), but memspec '" + printable_name(spec.id) + "' has REFIpb = " + std::to_string(spec.REFIpb) + ", " +
        std::to_string(spec.banks) + " banks and REFI = " + std::to_string(spec.REFI));
}

// Every rank refreshes once per interval (REFI; per bank, REFIpb), and the command bus takes
// one command per cycle: with as many ranks as cycles in the interval, refresh commands alone
// fill the bus, fall behind without end and nothing else ever issues (1024 ranks refreshing
// per bank every 780 cycles ran forever on one request).
void check_refresh_fits_the_bus(const MemSpec& spec, RefreshPolicy policy) {
  if (policy == RefreshPolicy::NoRefresh) return;
  const bool per_bank = policy == RefreshPolicy::PerBank;
  const int interval = per_bank ? spec.REFIpb : spec.REFI;
  if (spec.ranks >= interval)
    throw std::invalid_argument(
        "RefreshPolicy = " + std::string(enum_name(policy)) + " cannot keep up: memspec '" + printable_name(spec.id) +
        "' has " + std::to_string(spec.ranks) + " ranks, each refreshing every " + (per_bank ? "REFIpb" : "REFI") +
        " = " + std::to_string(interval) + " cycles, so refresh commands alone would take " +
        "every cycle of the command bus, which carries one command per cycle (use fewer ranks" +
        (per_bank ? ", RefreshPolicy = AllBank" : "") + " or NoRefresh)");
}

}  // namespace

void validate(const ControllerConfig& c, const MemSpec& spec) {
  check_range("RequestBufferSize", c.request_buffer_size, kRequestBufferSizes);
  check_range("RefreshMaxPostponed", c.refresh_max_postponed, kRefreshFlexibility);
  check_range("RefreshMaxPulledin", c.refresh_max_pulledin, kRefreshFlexibility);
  check_range("MaxActiveTransactions", c.max_active_transactions, kActiveTransactions);
  if (!(c.trace_clock_mhz >= 1 && c.trace_clock_mhz <= 1e6)) {  // NaN fails too
    char value[32];
    std::snprintf(value, sizeof value, "%g", c.trace_clock_mhz);
    throw std::invalid_argument(std::string("TraceClockMHz = ") + value + " must be between 1 and 1e6 MHz");
  }
  // Enum values arriving through casts: enum_name throws for anything out of range.
  enum_name(c.page_policy);
  enum_name(c.scheduler);
  enum_name(c.scheduler_buffer);
  enum_name(c.resp_queue);
  enum_name(c.refresh_policy);
  enum_name(c.arbiter);
  enum_name(c.power_down);
  enum_name(c.write_drain);
  if (c.write_drain != WriteDrainPolicy::None) {
    check_range("WriteHighWatermark", c.write_high_watermark, kHighWatermarks);
    check_range("WriteLowWatermark", c.write_low_watermark, kLowWatermarks);
    if (c.write_low_watermark >= c.write_high_watermark)  // "allowed: 0..0" did not say why
      throw std::invalid_argument("WriteLowWatermark = " + std::to_string(c.write_low_watermark) +
                                  " must be below WriteHighWatermark = " + std::to_string(c.write_high_watermark) +
                                  " (the drain runs from the high watermark down to the low one)");
  }
  if (c.write_drain == WriteDrainPolicy::CommandQueue)
    check_range("CommandQueueDepth", c.command_queue_depth, kCommandQueueDepths);
  if (c.refresh_policy == RefreshPolicy::PerBank) check_per_bank_refresh(spec);
  check_refresh_fits_the_bus(spec, c.refresh_policy);
}

ControllerConfig archgym_default_controller() {
  ControllerConfig c;
  c.refresh_max_postponed = 1;
  c.refresh_max_pulledin = 1;
  c.max_active_transactions = 128;
  return c;
}

std::string knob_text(const ControllerConfig& c) {
  std::ostringstream o;
  o << "PagePolicy=" << enum_name(c.page_policy)
    << " Scheduler=" << enum_name(c.scheduler) << " SchedulerBuffer=" << enum_name(c.scheduler_buffer)
    << " RequestBufferSize=" << c.request_buffer_size << " RespQueue=" << enum_name(c.resp_queue)
    << " RefreshPolicy=" << enum_name(c.refresh_policy) << " RefreshMaxPostponed="
    << c.refresh_max_postponed << " RefreshMaxPulledin=" << c.refresh_max_pulledin
    << " Arbiter=" << enum_name(c.arbiter) << " MaxActiveTransactions=" << c.max_active_transactions
    << " PowerDownPolicy=" << enum_name(c.power_down) << " WriteDrain=" << enum_name(c.write_drain);
  if (c.write_drain != WriteDrainPolicy::None)
    o << " WriteHighWatermark=" << c.write_high_watermark
      << " WriteLowWatermark=" << c.write_low_watermark;
  if (c.write_drain == WriteDrainPolicy::CommandQueue) o << " CommandQueueDepth=" << c.command_queue_depth;
  return o.str();
}

std::vector<std::string> knob_names() {
  return {"PagePolicy",          "Scheduler",          "SchedulerBuffer",
          "RequestBufferSize",   "RespQueue",          "RefreshPolicy",
          "RefreshMaxPostponed", "RefreshMaxPulledin", "Arbiter",
          "MaxActiveTransactions", "PowerDownPolicy",  "WriteDrain",
          "WriteHighWatermark",  "WriteLowWatermark",  "CommandQueueDepth",
          "TraceClockMHz"};
}

void set_knob(ControllerConfig& c, std::string_view key, std::string_view value) {
  if (key == "PagePolicy") c.page_policy = parse_enum<PagePolicy>(value);
  else if (key == "Scheduler") c.scheduler = parse_enum<SchedulerPolicy>(value);
  else if (key == "SchedulerBuffer") c.scheduler_buffer = parse_enum<SchedulerBuffer>(value);
  else if (key == "RequestBufferSize") c.request_buffer_size = parse_int(key, value, kRequestBufferSizes);
  else if (key == "RespQueue") c.resp_queue = parse_enum<RespQueuePolicy>(value);
  else if (key == "RefreshPolicy") c.refresh_policy = parse_enum<RefreshPolicy>(value);
  else if (key == "RefreshMaxPostponed") c.refresh_max_postponed = parse_int(key, value, kRefreshFlexibility);
  else if (key == "RefreshMaxPulledin") c.refresh_max_pulledin = parse_int(key, value, kRefreshFlexibility);
  else if (key == "Arbiter") c.arbiter = parse_enum<ArbiterPolicy>(value);
  else if (key == "MaxActiveTransactions") c.max_active_transactions = parse_int(key, value, kActiveTransactions);
  else if (key == "PowerDownPolicy") c.power_down = parse_enum<PowerDownPolicy>(value);
  else if (key == "WriteDrain") c.write_drain = parse_enum<WriteDrainPolicy>(value);
  else if (key == "WriteHighWatermark") c.write_high_watermark = parse_int(key, value, kHighWatermarks);
  else if (key == "WriteLowWatermark") c.write_low_watermark = parse_int(key, value, kLowWatermarks);
  else if (key == "CommandQueueDepth") c.command_queue_depth = parse_int(key, value, kCommandQueueDepths);
  else if (key == "TraceClockMHz") c.trace_clock_mhz = parse_double(key, value, "1 to 1e6 MHz");
  else
    throw std::invalid_argument("unknown controller knob '" + printable_name(key) +
                                "' (allowed: " + join(knob_names()) + ")");
}

void check_knobs_take_effect(const ControllerConfig& c, const std::vector<std::string>& given) {
  // Each knob, the knob that can disable it, that knob's value and the values under which
  // the first one counts.
  struct Dependency {
    const char* knob;
    const char* on;
    bool inert;
    std::string_view value;
    const char* counts_under;
  };
  const bool no_drain = c.write_drain == WriteDrainPolicy::None;
  // A one-entry buffer admits a request only when empty, so a bank machine sees one
  // candidate; a command-queue drain queues several per bank, where the policy counts again.
  const bool one_entry = c.request_buffer_size == 1;
  const Dependency dependencies[] = {
      {"Scheduler", "RequestBufferSize", one_entry && c.write_drain != WriteDrainPolicy::CommandQueue, "1",
       "2 or more, or with WriteDrain = CommandQueue"},
      {"SchedulerBuffer", "RequestBufferSize", one_entry, "1", "2 or more"},
      {"MaxActiveTransactions", "Arbiter", c.arbiter == ArbiterPolicy::Simple, enum_name(c.arbiter),
       "Fifo or Reorder"},
      {"RefreshMaxPostponed", "RefreshPolicy", c.refresh_policy == RefreshPolicy::NoRefresh,
       enum_name(c.refresh_policy), "AllBank or PerBank"},
      {"RefreshMaxPulledin", "RefreshPolicy", c.refresh_policy == RefreshPolicy::NoRefresh,
       enum_name(c.refresh_policy), "AllBank or PerBank"},
      {"WriteHighWatermark", "WriteDrain", no_drain, enum_name(c.write_drain), "Watermark or CommandQueue"},
      {"WriteLowWatermark", "WriteDrain", no_drain, enum_name(c.write_drain), "Watermark or CommandQueue"},
      {"CommandQueueDepth", "WriteDrain", c.write_drain != WriteDrainPolicy::CommandQueue,
       enum_name(c.write_drain), "CommandQueue"},
  };
  for (const Dependency& d : dependencies)
    if (d.inert && std::find(given.begin(), given.end(), d.knob) != given.end())
      throw std::invalid_argument(std::string(d.knob) + " has no effect with " + d.on + " = " +
                                  std::string(d.value) + " (it counts only with " + d.on + " = " +
                                  d.counts_under + "); set " + d.on + " too, or leave " + d.knob + " out");
}

}  // namespace archgym::dram

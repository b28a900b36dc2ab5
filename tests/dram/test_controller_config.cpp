#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "simulators/dram/controller_config.h"
#include "simulators/dram/memspec.h"
#include "tests/catch.h"

using namespace archgym::dram;

namespace {
template <class E> void check_round_trip() {
  for (const std::string& n : enum_names<E>()) CHECK(enum_name(parse_enum<E>(n)) == n);
}
std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("controller knob names round-trip and match the DRAMSys identifiers", "[dram][config]") {
  check_round_trip<PagePolicy>();
  check_round_trip<SchedulerPolicy>();
  check_round_trip<SchedulerBuffer>();
  check_round_trip<RespQueuePolicy>();
  check_round_trip<RefreshPolicy>();
  check_round_trip<ArbiterPolicy>();
  check_round_trip<PowerDownPolicy>();
  check_round_trip<WriteDrainPolicy>();
  CHECK(parse_enum<PagePolicy>("OpenAdaptive") == PagePolicy::OpenAdaptive);
  CHECK(parse_enum<PagePolicy>("ClosedAdaptive") == PagePolicy::ClosedAdaptive);
  CHECK(parse_enum<SchedulerPolicy>("FrFcfsGrp") == SchedulerPolicy::FrFcfsGrp);
  CHECK(parse_enum<RefreshPolicy>("NoRefresh") == RefreshPolicy::NoRefresh);
  CHECK(parse_enum<RefreshPolicy>("AllBank") == RefreshPolicy::AllBank);
  CHECK(parse_enum<RefreshPolicy>("PerBank") == RefreshPolicy::PerBank);
  CHECK(parse_enum<PowerDownPolicy>("Staggered") == PowerDownPolicy::Staggered);
  CHECK(enum_names<SchedulerBuffer>() == std::vector<std::string>{"Bankwise", "ReadWrite", "Shared"});
}

TEST_CASE("unknown knob values are refused with the allowed names", "[dram][config]") {
  const std::string m = message_of([] { parse_enum<PagePolicy>("open"); });
  CHECK(m.find("PagePolicy") != std::string::npos);
  CHECK(m.find("'open'") != std::string::npos);
  CHECK(m.find("Open, OpenAdaptive, Closed, ClosedAdaptive") != std::string::npos);
  CHECK_THROWS_AS(parse_enum<ArbiterPolicy>("Oldest"), std::invalid_argument);
  CHECK_THROWS_AS(parse_enum<RefreshPolicy>("SameBank"), std::invalid_argument);
}

TEST_CASE("set_knob parses DRAMSys keys and refuses unknown keys and bad numbers", "[dram][config]") {
  ControllerConfig c;
  set_knob(c, "PagePolicy", "Closed");
  set_knob(c, "Scheduler", "Fifo");
  set_knob(c, "SchedulerBuffer", "Shared");
  set_knob(c, "RequestBufferSize", "16");
  set_knob(c, "RespQueue", "Reorder");
  set_knob(c, "RefreshPolicy", "NoRefresh");
  set_knob(c, "RefreshMaxPostponed", "4");
  set_knob(c, "RefreshMaxPulledin", "2");
  set_knob(c, "Arbiter", "Fifo");
  set_knob(c, "MaxActiveTransactions", "32");
  set_knob(c, "PowerDownPolicy", "Staggered");
  set_knob(c, "TraceClockMHz", "1200");
  CHECK(c.page_policy == PagePolicy::Closed);
  CHECK(c.scheduler == SchedulerPolicy::Fifo);
  CHECK(c.scheduler_buffer == SchedulerBuffer::Shared);
  CHECK(c.request_buffer_size == 16);
  CHECK(c.resp_queue == RespQueuePolicy::Reorder);
  CHECK(c.refresh_policy == RefreshPolicy::NoRefresh);
  CHECK(c.refresh_max_postponed == 4);
  CHECK(c.refresh_max_pulledin == 2);
  CHECK(c.arbiter == ArbiterPolicy::Fifo);
  CHECK(c.max_active_transactions == 32);
  CHECK(c.power_down == PowerDownPolicy::Staggered);
  CHECK(c.trace_clock_mhz == 1200.0);
  const std::string m = message_of([&] { set_knob(c, "PagePolicyX", "Open"); });
  CHECK(m.find("PagePolicyX") != std::string::npos);
  CHECK(m.find("RequestBufferSize") != std::string::npos);  // lists the keys
  CHECK(message_of([&] { set_knob(c, "RequestBufferSize", "8x"); }).find("not an integer") !=
        std::string::npos);
  // An integer too large for int is out of range, not "not an integer".
  CHECK(message_of([&] { set_knob(c, "RequestBufferSize", "9999999999"); }) ==
        "RequestBufferSize = 9999999999 is out of range (allowed: 1..65536)");
  CHECK(message_of([&] { set_knob(c, "MaxActiveTransactions", "-99999999999"); }) ==
        "MaxActiveTransactions = -99999999999 is out of range (allowed: 1..1048576)");
  CHECK(message_of([&] { set_knob(c, "WriteLowWatermark", "1.5"); }) ==
        "WriteLowWatermark: '1.5' is not an integer (allowed: 0..65535)");
  // A real knob takes a plain decimal number, as integers do (" 800" and "0x320" passed).
  for (const char* odd : {" 800", "0x320", "800 ", "", "8e2x"})
    CHECK(message_of([&] { set_knob(c, "TraceClockMHz", odd); }) ==
          "TraceClockMHz: '" + std::string(odd) + "' is not a number (allowed: 1 to 1e6 MHz)");
  set_knob(c, "TraceClockMHz", "8e2");
  CHECK(c.trace_clock_mhz == 800.0);
}

TEST_CASE("a write low watermark not below the high one says so", "[dram][config]") {
  ControllerConfig c;
  set_knob(c, "WriteDrain", "Watermark");
  set_knob(c, "WriteHighWatermark", "1");
  set_knob(c, "WriteLowWatermark", "100");
  CHECK(message_of([&] { validate(c, ddr3_1600_micron_1Gb_x8()); }) ==
        "WriteLowWatermark = 100 must be below WriteHighWatermark = 1 (the drain runs from the high "
        "watermark down to the low one)");
  set_knob(c, "WriteLowWatermark", "0");
  CHECK_NOTHROW(validate(c, ddr3_1600_micron_1Gb_x8()));
}

TEST_CASE("validate refuses out-of-range values naming knob and range", "[dram][config]") {
  const MemSpec ddr3 = ddr3_1600_micron_1Gb_x8();
  ControllerConfig ok;
  CHECK_NOTHROW(validate(ok, ddr3));
  auto bad = [&](auto mutate) {
    ControllerConfig c;
    mutate(c);
    return message_of([&] { validate(c, ddr3); });
  };
  CHECK(bad([](ControllerConfig& c) { c.request_buffer_size = 0; }).find("RequestBufferSize = 0") !=
        std::string::npos);
  CHECK(bad([](ControllerConfig& c) { c.refresh_max_postponed = -1; }).find("RefreshMaxPostponed") !=
        std::string::npos);
  CHECK(bad([](ControllerConfig& c) { c.refresh_max_pulledin = 65; }).find("0..64") !=
        std::string::npos);
  CHECK(bad([](ControllerConfig& c) { c.max_active_transactions = 0; }).find("MaxActiveTransactions") !=
        std::string::npos);
  CHECK(bad([](ControllerConfig& c) { c.trace_clock_mhz = 0; }).find("TraceClockMHz") !=
        std::string::npos);
  CHECK(bad([](ControllerConfig& c) { c.page_policy = static_cast<PagePolicy>(9); }).find("PagePolicy") !=
        std::string::npos);
  // PerBank needs per-bank refresh timings (the presets derive them, so remove them).
  MemSpec no_pb = ddr3;
  no_pb.REFIpb = 0;
  ControllerConfig pb;
  pb.refresh_policy = RefreshPolicy::PerBank;
  CHECK(message_of([&] { validate(pb, no_pb); }).find("PerBank") != std::string::npos);
  CHECK_NOTHROW(validate(pb, ddr3));
  // Per-bank refreshes due faster than one takes would fall behind for ever: the simulation
  // refreshed at most every RFCpb (625 REFBs on 40,098 cycles with REFIpb = 20, RFCpb = 44).
  MemSpec fast_pb = ddr3;
  fast_pb.REFIpb = fast_pb.RFCpb - 1;
  const std::string behind = message_of([&] { validate(pb, fast_pb); });
  CHECK(behind.find("REFIpb >= RFCpb") != std::string::npos);
  CHECK(behind.find("REFIpb = 43 and RFCpb = 44") != std::string::npos);
  fast_pb.REFIpb = fast_pb.RFCpb;  // just keeps up
  CHECK_NOTHROW(validate(pb, fast_pb));
  fast_pb.REFIpb = fast_pb.REFI / fast_pb.banks + 1;  // the last bank would wait past REFI
  CHECK_THROWS_WITH(validate(pb, fast_pb), Catch::Contains("REFIpb x banks <= REFI") &&
                                               Catch::Contains("REFIpb = 781, 8 banks and REFI = 6240"));
  ControllerConfig all_bank = pb;  // only used by PerBank
  all_bank.refresh_policy = RefreshPolicy::AllBank;
  fast_pb.REFIpb = 1;
  CHECK_NOTHROW(validate(all_bank, fast_pb));
  // As many ranks as cycles between a rank's refreshes: refresh alone fills the command bus
  // (1024 ranks refreshing per bank every 780 cycles ran for ever on one request).
  MemSpec many_ranks = ddr3;
  many_ranks.ranks = many_ranks.REFIpb;  // 780
  CHECK_THROWS_WITH(validate(pb, many_ranks),
                    "RefreshPolicy = PerBank cannot keep up: memspec 'MICRON_1Gb_DDR3-1600_8bit_G' has 780 ranks, "
                    "each refreshing every REFIpb = 780 cycles, so refresh commands alone would take every cycle of "
                    "the command bus, which carries one command per cycle (use fewer ranks, RefreshPolicy = AllBank "
                    "or NoRefresh)");
  many_ranks.ranks = many_ranks.REFIpb - 1;
  CHECK_NOTHROW(validate(pb, many_ranks));
  CHECK_NOTHROW(validate(all_bank, many_ranks));
  many_ranks.ranks = many_ranks.REFI;
  CHECK_THROWS_WITH(validate(all_bank, many_ranks), Catch::Contains("has 6240 ranks, each refreshing every REFI = 6240"));
  ControllerConfig no_refresh = all_bank;
  no_refresh.refresh_policy = RefreshPolicy::NoRefresh;
  CHECK_NOTHROW(validate(no_refresh, many_ranks));
}

TEST_CASE("a knob given where its configuration ignores it is refused, naming the knob that disables it",
          "[dram][config]") {
  const auto refusal = [](const ControllerConfig& c, const std::vector<std::string>& given) {
    return message_of([&] { check_knobs_take_effect(c, given); });
  };
  ControllerConfig c;  // Simple arbiter, AllBank refresh, no write drain
  CHECK(refusal(c, {"MaxActiveTransactions"}) ==
        "MaxActiveTransactions has no effect with Arbiter = Simple (it counts only with Arbiter = Fifo or "
        "Reorder); set Arbiter too, or leave MaxActiveTransactions out");
  CHECK(refusal(c, {"PagePolicy", "WriteLowWatermark"}).find("WriteLowWatermark has no effect with WriteDrain = None") == 0);
  CHECK(refusal(c, {"CommandQueueDepth"}).find("it counts only with WriteDrain = CommandQueue") != std::string::npos);
  CHECK(refusal(c, {"RefreshMaxPostponed", "RefreshMaxPulledin"}).empty());  // AllBank postpones
  c.refresh_policy = RefreshPolicy::NoRefresh;
  CHECK(refusal(c, {"RefreshMaxPulledin"}).find("RefreshMaxPulledin has no effect with RefreshPolicy = NoRefresh") == 0);
  // The knob that enables each one makes it count; unrelated knobs never matter.
  c.arbiter = ArbiterPolicy::Fifo;
  c.write_drain = WriteDrainPolicy::Watermark;
  CHECK(refusal(c, {"MaxActiveTransactions", "WriteHighWatermark", "WriteLowWatermark", "PagePolicy"}).empty());
  CHECK(refusal(c, {"CommandQueueDepth"}).find("WriteDrain = Watermark") != std::string::npos);
  c.write_drain = WriteDrainPolicy::CommandQueue;
  CHECK(refusal(c, {"CommandQueueDepth", "WriteHighWatermark"}).empty());
  // A one-entry request buffer leaves each bank one candidate: no scheduling choice.
  c.request_buffer_size = 1;
  CHECK(refusal(c, {"Scheduler"}).empty());  // the command queues hold several
  CHECK(refusal(c, {"RequestBufferSize", "SchedulerBuffer"}) ==
        "SchedulerBuffer has no effect with RequestBufferSize = 1 (it counts only with RequestBufferSize = 2 or "
        "more); set RequestBufferSize too, or leave SchedulerBuffer out");
  c.write_drain = WriteDrainPolicy::Watermark;
  CHECK(refusal(c, {"Scheduler"}).find("Scheduler has no effect with RequestBufferSize = 1 (it counts only with "
                                       "RequestBufferSize = 2 or more, or with WriteDrain = CommandQueue)") == 0);
  c.request_buffer_size = 2;
  CHECK(refusal(c, {"Scheduler", "SchedulerBuffer"}).empty());
}

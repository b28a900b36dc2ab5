#include "simulators/dram/simulator.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <stdexcept>
#include <string>

#include "simulators/dram/arbiter.h"
#include "simulators/dram/controller.h"
#include "simulators/dram/event_queue.h"
#include "simulators/dram/latency_histogram.h"
#include "simulators/dram/message_text.h"
#include "simulators/dram/transaction.h"

namespace archgym::dram {
namespace {

std::string mhz_text(double mhz) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", mhz);
  return buf;
}

// Run-time glue: owns the transaction pool, the trace player, the arbiter and the
// controller of the one channel, and drives them cycle by cycle and delta round by delta
// round, jumping straight to the next cycle at which anything is scheduled.
class Simulation {
 public:
  Simulation(const SimConfig& cfg, TraceSource& trace, CommandObserver* extra,
             ResponseObserver* responses)
      : responses_(responses),
        cfg_(cfg),
        spec_(cfg.memspec),
        decoder_(cfg.mapping),
        trace_(trace),
        extra_(extra),
        power_(cfg.memspec),
        controller_(cfg.memspec, cfg.controller, pool_, ControllerPort(events_, power_, extra)),
        arbiter_(cfg.controller.arbiter, cfg.controller.max_active_transactions, controller_,
                 pool_, events_) {
    tck_ps_ = spec_.tck_ps;
    player_clk_ps_ = std::llround(1e6 / cfg.controller.trace_clock_mhz);  // >= 1: validate() bounds the clock
    pool_.reserve(64);
    beyond_capacity_mask_ = ~cfg.mapping.address_mask();
    progress_limit_ = cycles_without_progress_limit(spec_);
    max_trace_cycle_ = static_cast<std::int64_t>(max_trace_cycle(cfg.controller.trace_clock_mhz));
  }

  SimStats run();

 private:
  void next_payload(std::int64_t now);   // the trace player's nextPayload()
  void handle(Message m, std::int64_t now);
  void player_begin_resp(int txn, std::int64_t now);
  void player_end_resp(int txn, std::int64_t now) {  // reaches the arbiter; the request is done
    arbiter_.end_resp(now);
    pool_.release(txn);
  }

  ResponseObserver* responses_;
  const SimConfig& cfg_;
  const MemSpec& spec_;
  const AddressDecoder decoder_;
  TraceSource& trace_;
  CommandObserver* extra_;
  TransactionPool pool_;
  EventQueue events_;
  PowerModel power_;
  Controller controller_;
  Arbiter arbiter_;

  std::int64_t tck_ps_ = 1;
  std::int64_t player_clk_ps_ = 1;
  // Player.
  bool finished_ = false;          // no more trace lines
  std::uint64_t sent_ = 0, received_ = 0;
  std::int64_t last_trace_cycle_ = 0;
  bool done_ = false;
  std::int64_t end_cycle_ = 0;
  // Statistics.
  std::uint64_t reads_ = 0, writes_ = 0;
  LatencyHistogram read_latencies_;  // memory cycles from arrival to response
  // Sum of read latencies from the trace time, in ps: integer adds per request (an x87 add
  // per request was measurable), flushed into the long double well before overflow.
  std::int64_t read_latency_from_trace_chunk_ps_ = 0;
  long double read_latency_from_trace_ps_ = 0;
  // Out-of-range addresses (SimStats::requests_beyond_capacity).
  std::uint64_t beyond_capacity_mask_ = 0, beyond_capacity_ = 0, first_beyond_capacity_ = 0;
  // Progress guard: the latest cycle at which a request entered or a response left.
  std::int64_t last_progress_ = 0;
  std::int64_t progress_limit_ = 0;  // cycles_without_progress_limit()
  std::int64_t max_trace_cycle_ = INT64_MAX;  // max_trace_cycle()
};

void Simulation::next_payload(std::int64_t now) {
  Request r;
  if (!trace_.next(r)) {
    finished_ = true;
    if (received_ == sent_) {  // empty trace
      done_ = true;
      end_cycle_ = now;
    }
    return;
  }
  // The range first: a cycle from 2^63 on would look like a decrease once signed.
  if (r.cycle > static_cast<std::uint64_t>(max_trace_cycle_))
    throw TraceRequestError("trace request " + std::to_string(sent_ + 1) + " " +
                                beyond_time_range(r.cycle, cfg_.controller.trace_clock_mhz));
  if (sent_ > 0 && static_cast<std::int64_t>(r.cycle) < last_trace_cycle_)
    throw TraceRequestError("trace timestamps must not decrease: request " +
                                std::to_string(sent_ + 1) + " at cycle " + std::to_string(r.cycle) +
                                " follows cycle " + std::to_string(last_trace_cycle_));
  last_trace_cycle_ = static_cast<std::int64_t>(r.cycle);
  if ((r.address & beyond_capacity_mask_) != 0 && beyond_capacity_++ == 0) first_beyond_capacity_ = sent_ + 1;
  const DecodedAddress d = decoder_.decode(r.address);
  const int txn = pool_.acquire();
  Transaction& t = pool_[txn];
  t = Transaction{};
  t.address = r.address;
  t.is_write = r.is_write;
  t.rank = d.rank;
  t.bank_group = d.global_bank_group(spec_);
  t.bank = d.global_bank(spec_);
  t.row = d.row;
  t.column = d.column;
  t.trace_ps = static_cast<std::int64_t>(r.cycle) * player_clk_ps_;
  (r.is_write ? writes_ : reads_)++;
  // StlPlayer: the first request at its line time, each later one at the next player clock
  // edge strictly after END_REQ, or its line time if later.
  const std::int64_t now_ps = now * tck_ps_;
  const std::int64_t offset = sent_ == 0 ? 0 : player_clk_ps_ - now_ps % player_clk_ps_;
  const std::int64_t send_ps = std::max(now_ps + offset, t.trace_ps);
  ++sent_;
  // The arbiter moves every forward call to the next memory clock edge.
  const std::int64_t at = (send_ps + tck_ps_ - 1) / tck_ps_;
  last_progress_ = at;  // waiting for a request to arrive is not a stall
  events_.post(MsgKind::ArbBeginReq, txn, at, now);
}

void Simulation::player_begin_resp(int txn, std::int64_t now) {
  const Transaction& t = pool_[txn];
  // max: the next request may already be scheduled for later (a gap in the trace).
  last_progress_ = std::max(last_progress_, now);
  if (!t.is_write) {
    read_latencies_.add(static_cast<std::uint64_t>(now - t.arrival_cycle));
    read_latency_from_trace_chunk_ps_ += now * tck_ps_ - t.trace_ps;
    if (read_latency_from_trace_chunk_ps_ > (std::int64_t{1} << 62)) {
      read_latency_from_trace_ps_ += static_cast<long double>(read_latency_from_trace_chunk_ps_);
      read_latency_from_trace_chunk_ps_ = 0;
    }
  }
  if (responses_ != nullptr)
    responses_->on_response(t.thread_id - 1, t.is_write, static_cast<std::uint64_t>(now));
  ++received_;
  if (arbiter_.passes_through()) {
    // Simple: handled here rather than as a message in the next delta round, so the release
    // pass that END_RESP triggers runs one round earlier. It is the same pass in the same
    // order, with the same inputs:
    // - Under Simple only the arbiter's begin_req and end_resp start a pass within a cycle
    //   (besides the timed pass in round 0). A request always arrives in round 0 (the player
    //   sends each to a later cycle; only the first, at cycle 0, comes in round 1, when no
    //   response can exist), so its admission pass is in round 1; this response reached the
    //   player in round 1 at the earliest, so its release pass still comes after that.
    // - Simple never queues a response: the controller keeps one in flight until this
    //   END_RESP, so no other response chain is under way.
    // - The skipped round's other messages (END_REQ to the arbiter or player) change nothing
    //   the pass reads.
    // The transaction freed here may be reused by a different request than before, which
    // changes no output (indices are storage handles; order comes from IDs and queues).
    // The digest tests check it over 900 simulations.
    player_end_resp(txn, now);
  } else {
    events_.post(MsgKind::ArbEndResp, txn, now, now);
  }
  if (finished_ && received_ == sent_) {
    done_ = true;
    end_cycle_ = now;
  }
}

void Simulation::handle(Message m, std::int64_t now) {
  switch (m.kind) {
    case MsgKind::ArbBeginReq: arbiter_.begin_req(m.txn, now); break;
    case MsgKind::ArbEndReq:
      // Simple passes END_REQ on to the player, which is told at once instead of in the next
      // delta round: it only reads its next request and times it for a later cycle, which no
      // controller pass sees. (The read may now come before a response the player gets in
      // the same cycle; a TraceSource must not depend on the simulation, see trace.h.)
      arbiter_.end_req(now);
      if (arbiter_.passes_through()) next_payload(now);
      break;
    case MsgKind::ArbBeginResp: arbiter_.begin_resp(m.txn, now); break;
    case MsgKind::ArbEndResp: player_end_resp(m.txn, now); break;
    case MsgKind::PlayerEndReq: next_payload(now); break;
    case MsgKind::PlayerBeginResp: player_begin_resp(m.txn, now); break;
  }
}

SimStats Simulation::run() {
  const auto wall_start = std::chrono::steady_clock::now();
  next_payload(0);
  while (!done_) {
    const std::int64_t now = std::min(events_.next_timed(), controller_.next_timed_trigger());
    if (now == INT64_MAX)
      throw std::logic_error("DRAM simulation stalled with " + std::to_string(sent_ - received_) +
                             " requests outstanding (internal error)");
    if (now - last_progress_ > progress_limit_)
      throw std::runtime_error("DRAM simulation made no progress for " + std::to_string(now - last_progress_) +
                               " cycles with " + std::to_string(sent_ - received_) +
                               " requests outstanding (at cycle " + std::to_string(now) +
                               "): the memspec's timings leave no time to serve a request");
    bool run_controller = events_.begin_cycle(now);
    run_controller = controller_.take_timed_trigger(now) || run_controller;
    for (int round = 0;; ++round) {
      if (run_controller) controller_.pass(now);
      for (std::size_t i = events_.round_begin(); i < events_.round_end(); ++i)
        handle(events_.message(i), now);
      if (done_ || !events_.next_round(run_controller)) break;
      if (round > 1000)
        throw std::logic_error("DRAM simulation: endless delta loop at cycle " +
                               std::to_string(now) + " (internal error)");
    }
  }

  SimStats s;
  s.requests = sent_;
  s.reads = reads_;
  s.writes = writes_;
  s.end_cycle = static_cast<std::uint64_t>(end_cycle_);
  const double tck_ns = static_cast<double>(tck_ps_) / 1000.0;
  s.total_time_ns = static_cast<double>(end_cycle_) * tck_ns;
  s.peak_bandwidth_GBps = spec_.peak_bandwidth_Bps() / 1e9;
  if (end_cycle_ > 0) {
    s.bandwidth_GBps = static_cast<double>(sent_) * spec_.bytes_per_burst() / s.total_time_ns;
    // Against the peak at the clock the simulation runs on: the nominal one (DDR4-2400's
    // 19.2 GB/s) is 0.04% below what an 833-ps clock moves, and the ratio exceeded 1. The
    // same figure where tCK is whole picoseconds (DDR3-1600's 1250: 800 MHz exactly).
    const double simulated_peak_GBps = spec_.peak_bandwidth_Bps(1e6 / static_cast<double>(tck_ps_)) / 1e9;
    s.utilisation = s.bandwidth_GBps / simulated_peak_GBps;
  }
  read_latency_from_trace_ps_ += static_cast<long double>(read_latency_from_trace_chunk_ps_);
  if (read_latencies_.count() > 0) {
    const auto n = static_cast<long double>(read_latencies_.count());
    s.read_latency_avg_ns = static_cast<double>(static_cast<long double>(read_latencies_.sum()) / n) * tck_ns;
    s.read_latency_from_trace_avg_ns = static_cast<double>(read_latency_from_trace_ps_ / n) / 1000.0;
    s.read_latency_p50_ns = static_cast<double>(read_latencies_.percentile(0.50)) * tck_ns;
    s.read_latency_p99_ns = static_cast<double>(read_latencies_.percentile(0.99)) * tck_ns;
    s.read_latency_max_ns = static_cast<double>(read_latencies_.max()) * tck_ns;
  }
  const ControllerCounters& c = controller_.counters();
  std::copy(std::begin(c.command_counts), std::end(c.command_counts), s.command_counts);
  s.refreshes = c.command_counts[static_cast<int>(Command::REFA)] +
                c.command_counts[static_cast<int>(Command::REFB)];
  s.row_hit_rate = c.cas > 0 ? static_cast<double>(c.cas - c.row_misses) / c.cas : 0;
  s.requests_beyond_capacity = beyond_capacity_;
  s.first_beyond_capacity = first_beyond_capacity_;
  power_.on_finish(static_cast<std::uint64_t>(end_cycle_));
  if (extra_ != nullptr) extra_->on_finish(static_cast<std::uint64_t>(end_cycle_));
  s.energy = power_.report();
  s.simulator_wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return s;
}

}  // namespace

// Far beyond any wait a request can have on a working device (a full queue of row cycles
// in one bank plus postponed refreshes is a few thousand row cycles at most).
std::int64_t cycles_without_progress_limit(const MemSpec& m) {
  const std::int64_t longest = std::max<std::int64_t>({m.REFI, static_cast<std::int64_t>(m.RC) + m.RFC, 65536});
  return 1024 * longest;
}

std::uint64_t max_trace_cycle(double trace_clock_mhz) {
  // The trace clock period as the simulation rounds it (at least 1 ps).
  const std::int64_t period_ps = std::max<std::int64_t>(1, std::llround(1e6 / trace_clock_mhz));
  return static_cast<std::uint64_t>(kMaxTraceTimePs / period_ps);
}

std::string beyond_time_range(std::uint64_t cycle, double trace_clock_mhz) {
  return "at cycle " + std::to_string(cycle) + " is beyond the simulator's time range (at most cycle " +
         std::to_string(max_trace_cycle(trace_clock_mhz)) + " of the " + mhz_text(trace_clock_mhz) +
         " MHz trace clock: 1 hour of simulated time, since idle time is simulated refresh by refresh, "
         "about a minute of run time per simulated hour)";
}

void check_memory(const MemSpec& m, const std::string& memspec_origin, const AddressMapping& mapping,
                  const std::string& mapping_origin) {
  const std::string origin = printable_name(memspec_origin);
  const std::string memspec = origin + ": memspec '" + printable_name(m.id) + "'";
  if (m.channels != 1)
    throw std::invalid_argument(origin + ": memspec.memarchitecturespec.nbrOfChannels: memspec '" +
                                printable_name(m.id) + "' has " + std::to_string(m.channels) +
                                " channels; the simulator models one channel (allowed: 1)");
  if (m.tck_ps <= 0) throw std::invalid_argument(memspec + " has a non-positive clock period");
  if (m.ranks < 1 || m.banks < 1 || m.bank_groups < 1 || m.banks % m.bank_groups != 0)
    throw std::invalid_argument(memspec + ": bad organisation (ranks " + std::to_string(m.ranks) + ", banks " +
                                std::to_string(m.banks) + ", bank groups " + std::to_string(m.bank_groups) + ")");
  try {
    mapping.check_against(m, mapping_origin);
  } catch (const std::invalid_argument& e) {
    // Both front ends' presets: the fixed ones fit only their own device's organisation.
    throw std::invalid_argument(std::string(e.what()) +
                                " (the presets rbc and brc, and the default, are fixed layouts of one-rank DDR3 and "
                                "DDR4 devices; bg-interleaved and row-bank-col are derived from the memspec)");
  }
}

namespace {

void check_config(const SimConfig& config) {
  validate(config.controller, config.memspec);
  check_memory(config.memspec, "memspec", config.mapping, "address mapping");
}

}  // namespace

SimStats simulate(const SimConfig& config, TraceSource& trace, CommandObserver* extra_observer,
                  ResponseObserver* response_observer) {
  check_config(config);
  Simulation sim(config, trace, extra_observer, response_observer);
  return sim.run();
}

}  // namespace archgym::dram

#include "simulators/dram/controller.h"

#include <algorithm>

namespace archgym::dram {

Controller::Controller(const MemSpec& spec, const ControllerConfig& config, TransactionPool& pool,
                       const ControllerPort& port)
    : spec_(spec),
      config_(config),
      pool_(pool),
      port_(port),
      checker_(spec),
      scheduler_(config.scheduler, config.scheduler_buffer, config.request_buffer_size,
                 spec.banks * spec.ranks, pool),
      resp_(config.resp_queue),
      reselect_(spec.banks * spec.ranks),
      banks_per_rank_(spec.banks),
      bank_groups_per_rank_(spec.bank_groups) {
  const int banks = spec.banks * spec.ranks;
  const int per_group = spec.banks_per_group();
  bms_.reserve(static_cast<std::size_t>(banks));
  for (int b = 0; b < banks; ++b)
    bms_.emplace_back(config.page_policy, b / spec.banks, b / per_group, b, checker_, reselect_,
                      config.write_drain != WriteDrainPolicy::None);
  const RefreshTimings rt = refresh_timings(spec);
  for (int r = 0; r < spec.ranks; ++r) {
    pdms_.push_back(std::make_unique<PowerDownManager>(config.power_down, r, checker_));
    std::vector<BankMachine*> rank_bms;
    for (int b = 0; b < spec.banks; ++b)
      rank_bms.push_back(&bms_[static_cast<std::size_t>(r * spec.banks + b)]);
    rms_.push_back(make_refresh_manager(config, rt, std::move(rank_bms), *pdms_.back(), checker_,
                                        r, spec.ranks));
  }
  scheduler_.set_write_drain(config.write_drain, config.write_high_watermark,
                             config.write_low_watermark, config.command_queue_depth);
  write_drain_ = config.write_drain != WriteDrainPolicy::None;
  rank_payloads_.assign(static_cast<std::size_t>(spec.ranks), 0);
  fresh_activation_.assign(static_cast<std::size_t>(banks), 0);
  read_delay_ = spec.RL + spec.burst_cycles();
  write_delay_ = spec.WL + spec.burst_cycles();
  controller_event_ = 0;  // SystemC runs every method once at time 0
}

void Controller::manage_responses(std::int64_t now) {
  if (release_txn_ >= 0) {
    if (release_time_ == now) release_response(now);  // else still waiting for END_RESP
    return;
  }
  const int next = resp_.next(now);
  if (next >= 0) begin_response(next, now, release_time_ == now ? now + 1 : now);
  else notify_data(now);
}

void Controller::release_response(std::int64_t now) {
  release_txn_ = -1;
  ++served_;
  --total_payloads_;
  if (total_payloads_ == 0) return;
  const int next = resp_.next(now);
  if (next >= 0) begin_response(next, now, now + 1);  // released this cycle: one cycle apart
  else notify_data(now);
}

void Controller::begin_response(int txn, std::int64_t now, std::int64_t at) {
  port_.begin_resp(txn, now, at);
  release_txn_ = txn;
  release_time_ = kNever;
}

void Controller::update_write_drain() {
  const bool waiting = acquire_txn_ >= 0 && scheduler_.has_buffer_space();
  if (!scheduler_.update_write_drain(waiting)) return;
  for (auto& bm : bms_) bm.invalidate();  // every bank now serves the other direction
  admitted_ = true;                       // forces a full pass
}

void Controller::manage_requests(std::int64_t now) {
  if (write_drain_) update_write_drain();
  if (acquire_txn_ < 0 || acquire_time_ > now || !scheduler_.has_buffer_space()) return;
  admit(now);
}

void Controller::admit(std::int64_t now) {
  const int txn = acquire_txn_;
  acquire_txn_ = -1;
  const Transaction& t = pool_[txn];
  ++total_payloads_;
  int& rp = rank_payloads_[static_cast<std::size_t>(t.rank)];
  if (rp == 0) pdms_[static_cast<std::size_t>(t.rank)]->trigger_exit();
  ++rp;
  scheduler_.store(txn);
  admitted_ = true;
  if (write_drain_) update_write_drain();
  admitted_bank_ = t.bank;
  BankMachine& bm = bms_[static_cast<std::size_t>(t.bank)];
  bm.invalidate();
  bm.start(now, checker_.not_before(now), scheduler_, checker_, pool_);
  port_.end_req(txn, now);
}

void Controller::pass(std::int64_t now) {
  // (1) responses, (2) admission.
  manage_responses(now);
  admitted_ = false;
  admitted_bank_ = -1;
  manage_requests(now);
  // Fast paths, exact: steps 3-6 would issue nothing and leave every state as it is, so
  // only the wake-up time is computed, when
  // - nothing is due before the earliest time the last full pass computed (which includes
  //   every refresh trigger), and commands only issue in full passes;
  // - the last full pass left things settled (note_settled): no bank waits to re-select
  //   (DRAMSys' bank machines re-select in every pass, and a bank a refresh manager blocked
  //   after step 6 must drop its command in the next one), and every refresh manager is
  //   before its trigger (from the trigger on, each start() moves the refresh schedule:
  //   postponing, dropping a missed slot, so every pass counts);
  // - and nothing a candidate depends on changed (no admission: the last wake-up time
  //   stands), or only the admitted request's bank did (admit() re-selected it) and it
  //   cannot issue now, with no power-down entry or exit pending (an admission to an idle
  //   rank triggers one).
#ifndef ARCHGYM_DRAM_NO_FAST_PATH  // defined by the test that the fast paths change nothing
  if (now < last_next_ && settled_) {
    if (!admitted_) {
      if (last_next_ < controller_event_) controller_event_ = last_next_;  // as step 6 would
      return;
    }
    if (admission_cannot_issue(now)) {
      wake_after_admission(now);
      return;
    }
  }
#endif
  full_pass(now);
}

void Controller::note_settled(std::int64_t now) {
  // Valid until the next full pass: until then no command issues, the refresh managers
  // stay quiet (now stays below last_next_, which is at most their triggers), and only
  // manage_requests() can mark banks, setting admitted_ (an admission, or a write drain
  // changing direction), after which admission_cannot_issue() looks again.
  settled_ = reselect_.empty();
  for (const auto& rm : rms_) settled_ = settled_ && rm->quiet(now);
}

bool Controller::admission_cannot_issue(std::int64_t now) const {
  // A write drain that changed direction in this pass marked every bank.
  if (admitted_bank_ < 0 || !reselect_.empty() ||
      bms_[static_cast<std::size_t>(admitted_bank_)].time() <= now)
    return false;
  for (const auto& pdm : pdms_)
    if (!pdm->idle()) return false;
  return true;
}

inline void Controller::wake_at_earliest(std::int64_t now, std::int64_t banks_next) {
  std::int64_t next = banks_next;
  for (auto& rm : rms_) next = std::min(next, rm->start(now));
  for (auto& pdm : pdms_) next = std::min(next, pdm->start(now));
  if (next < controller_event_) controller_event_ = next;  // an earlier pending one wins
  last_next_ = next;
}

void Controller::wake_after_admission(std::int64_t now) {
  // Step 6 of a full pass that issued nothing and in which only the admitted request's
  // bank re-selected: the other banks' times are as the last pass left them (re-timing a
  // time later than now from a later `now` gives the same time), the admitted bank's is
  // fresh from admit(), the quiet managers answer their trigger or never.
  std::int64_t next = kNever;
  for (const auto& bm : bms_) next = std::min(next, bm.time());
  wake_at_earliest(now, next);  // settled_ stays true: nothing note_settled() looks at changed
}

void Controller::full_pass(std::int64_t now) {
  // (3) refresh and power-down managers.
  for (auto& rm : rms_) rm->start(now);
  for (auto& pdm : pdms_) pdm->start(now);
  // (4) candidates; (5) the oldest one issues if it is legal now. The Oldest mux takes the
  // earliest max(time, now), ties to the lowest payload ID, and issues only at now: so the
  // winner is the lowest ID among the candidates legal now (the first offered on a tie).
  // A bank without a command has time kNever.
  // Channel payload IDs are unique and below kPowerDownPayloadId, so "not legal now" can
  // be the key UINT64_MAX and the scan needs no branch per bank.
  int best_source = 0;
  std::uint64_t best_id = UINT64_MAX;
  for (int r = 0; r < spec_.ranks; ++r) {
    const PowerDownManager& pdm = *pdms_[static_cast<std::size_t>(r)];
    if (pdm.has_command()) {
      if (pdm.time() <= now && kPowerDownPayloadId < best_id) {
        best_id = kPowerDownPayloadId;
        best_source = kPowerDownSourceBase - r;
      }
      continue;
    }
    const RefreshManager& rm = *rms_[static_cast<std::size_t>(r)];
    if (rm.has_command() && rm.time() <= now && kRefreshPayloadId < best_id) {
      best_id = kRefreshPayloadId;
      best_source = -1 - r;
    }
    const int first = r * banks_per_rank_;
    const BankMachine* bm = bms_.data() + first;
    #pragma GCC unroll 8
    for (int b = first; b < first + banks_per_rank_; ++b, ++bm) {
      const std::uint64_t key = bm->payload_id() | (0 - static_cast<std::uint64_t>(bm->time() > now));
      best_source = key < best_id ? b : best_source;
      best_id = key < best_id ? key : best_id;
    }
  }
  if (best_id != UINT64_MAX) {
    Command cmd;
    if (best_source >= 0) cmd = bms_[static_cast<std::size_t>(best_source)].next_command();
    else if (best_source > kPowerDownSourceBase) cmd = rms_[static_cast<std::size_t>(-1 - best_source)]->command();
    else cmd = pdms_[static_cast<std::size_t>(kPowerDownSourceBase - best_source)]->command();
    issue(Candidate{cmd, now, best_id, best_source}, now);
  }
  // (6) re-evaluate everything; wake at the earliest proposed time.
  std::int64_t next = kNever;
  const std::int64_t from = checker_.not_before(now);
  reselect_.for_each([&](int b) { bms_[static_cast<std::size_t>(b)].evaluate(now, scheduler_, checker_, pool_); });
  #pragma GCC unroll 8
  for (auto& bm : bms_) next = std::min(next, bm.retime(from));
  wake_at_earliest(now, next);
  note_settled(now);
}

void Controller::issue(const Candidate& c, std::int64_t now) {
  const Command cmd = c.command;
  int rank, bank, group;
  int txn = -1;
  if (c.source >= 0) {  // a bank machine
    const BankMachine& bm = bms_[static_cast<std::size_t>(c.source)];
    txn = bm.current();
    rank = bm.rank();
    bank = bm.bank();
    group = bm.bank_group();
  } else if (c.source > kPowerDownSourceBase) {  // refresh manager
    rank = -1 - c.source;
    const RefreshManager& rm = *rms_[static_cast<std::size_t>(rank)];
    bank = rm.bank();
    group = rm.bank_group();
  } else {  // power-down manager
    rank = kPowerDownSourceBase - c.source;
    bank = rank * banks_per_rank_;
    group = rank * bank_groups_per_rank_;
  }

  if (is_rank_command(cmd)) {
    const int first = rank * banks_per_rank_;
    for (int b = first; b < first + banks_per_rank_; ++b)
      bms_[static_cast<std::size_t>(b)].update(cmd, pool_);
  } else {
    bms_[static_cast<std::size_t>(bank)].update(cmd, pool_);
  }
  rms_[static_cast<std::size_t>(rank)]->update(cmd, now);
  pdms_[static_cast<std::size_t>(rank)]->update(cmd);
  checker_.insert(cmd, rank, group, bank, now);
  ++counters_.command_counts[static_cast<int>(cmd)];

  IssuedCommand out;
  out.cycle = static_cast<std::uint64_t>(now);
  out.command = cmd;
  out.rank = rank;
  out.bank_group = group - rank * bank_groups_per_rank_;
  out.bank = bank - rank * banks_per_rank_;
  if (txn >= 0) {
    out.row = pool_[txn].row;
    out.column = pool_[txn].column;
  } else if (cmd == Command::PRE) {  // a refresh manager closing a bank: its open row
    out.row = std::max(0, bms_[static_cast<std::size_t>(bank)].open_row());
  }

  if (cmd == Command::ACT) fresh_activation_[static_cast<std::size_t>(bank)] = 1;
  if (is_cas(cmd)) {
    const Transaction& t = pool_[txn];
    ++counters_.cas;
    auto& fresh = fresh_activation_[static_cast<std::size_t>(bank)];
    if (fresh) {
      ++counters_.row_misses;
      fresh = 0;
    }
    const bool last_direction = scheduler_.last_cas_write();
    scheduler_.remove(txn);
    bms_[static_cast<std::size_t>(bank)].invalidate();
    if (write_drain_) update_write_drain();
    // FrFcfsGrp prefers the direction of the channel's last CAS: when it changes, every bank
    // may change its mind (if not, the other banks' choices depend on nothing that changed).
    if (config_.scheduler == SchedulerPolicy::FrFcfsGrp && scheduler_.last_cas_write() != last_direction)
      for (auto& b : bms_) b.invalidate();
    manage_requests(now);
    resp_.insert(txn, t.channel_id, now + (t.is_write ? write_delay_ : read_delay_));
    notify_data(now);
    --rank_payloads_[static_cast<std::size_t>(rank)];
  }
  if (rank_payloads_[static_cast<std::size_t>(rank)] == 0)
    pdms_[static_cast<std::size_t>(rank)]->trigger_entry();
  port_.command_issued(out);
}

}  // namespace archgym::dram

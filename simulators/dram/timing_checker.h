#pragma once
// Earliest legal issue time of every command, in the manner of DRAMSys 4.0's
// CheckerDDR3/CheckerDDR4: each constraint is "most recent command X (per bank, bank
// group, rank or channel) + a JEDEC delay", plus tFAW over the last four ACTs of a rank
// and one command per cycle on the command bus.
//
// Because command times only grow, "last X + d" equals the maximum of (x + d) over all
// past X, so instead of remembering the last command of each type we keep, for every
// (scope, command to check), the earliest time that command may issue, and raise it when
// a command is inserted. A query is then a handful of max() operations.
//
// All times are memory clock cycles. PerBank refresh (REFB) on DDR3/DDR4 is an archgym
// extension (DRAMSys refuses it); its rules follow DRAMSys' LPDDR4 checker with DDR
// timings: REFB -> ACT same bank tRFCpb, other banks tRRD_S; REFB -> REFB/REFA/PREA of the
// rank tRFCpb; a REFB needs its bank precharged for tRP and tRC after its last ACT.
#include <array>
#include <cstdint>
#include <vector>

#include "simulators/dram/command.h"
#include "simulators/dram/memspec.h"

namespace archgym::dram {

// Refresh timings actually used (DDR4 fine-granularity modes applied), in cycles.
struct RefreshTimings {
  int tREFI = 0;    // all-bank refresh interval
  int tRFC = 0;     // all-bank refresh cycle time
  int tREFIpb = 0;  // per-bank interval
  int tRFCpb = 0;   // per-bank refresh cycle time
};
RefreshTimings refresh_timings(const MemSpec& spec);

class TimingChecker {
 public:
  explicit TimingChecker(const MemSpec& spec);

  // Earliest cycle >= now at which `c` may issue. bank_group and bank are global indices
  // (see DecodedAddress::global_bank); rank commands ignore them.
  std::int64_t earliest(Command c, int rank, int bank_group, int bank, std::int64_t now) const {
    return earliest(slots(c, rank, bank_group, bank), now);
  }

  // The table entries one (command, bank) query reads, resolved once so that a bank
  // machine re-asking after every issued command skips the index arithmetic. Valid for
  // the checker's lifetime (its tables never move).
  struct Slots {
    const std::int64_t* bank = nullptr;
    const std::int64_t* group = nullptr;
    const std::int64_t* rank = nullptr;
    const std::int64_t* faw = nullptr;  // the rank's tFAW bound for ACT, else a zero
  };
  Slots slots(Command c, int rank, int bank_group, int bank) const {
    return slots(rows(rank, bank_group, bank), c);
  }
  // The rows of one bank (its cells for every command), for a bank machine to resolve once.
  struct Rows {
    const std::int64_t* bank = nullptr;
    const std::int64_t* group = nullptr;
    const std::int64_t* rank = nullptr;
    const std::int64_t* faw = nullptr;
  };
  Rows rows(int rank, int bank_group, int bank) const {
    return Rows{&bank_[idx(bank, 0)], &group_[idx(bank_group, 0)], &rank_[idx(rank, 0)],
                &faw_bound_[static_cast<std::size_t>(rank)]};
  }
  static Slots slots(const Rows& r, Command c) {
    const int q = static_cast<int>(c);
    return Slots{r.bank + q, r.group + q, r.rank + q, c == Command::ACT ? r.faw : &kZero};
  }
  // Slots whose earliest() is kNever at any time: for a bank with no command, so that
  // re-timing every bank needs no branch.
  static Slots never_slots() { return Slots{&kNeverTime, &kZero, &kZero, &kZero}; }
  // Same as earliest(c, rank, bank_group, bank, now) for the slots of that query.
  std::int64_t earliest(const Slots& s, std::int64_t now) const {
    return earliest_from(s, not_before(now));
  }
  // The part of every query that is the same for all commands (now and the command bus),
  // so that re-timing every bank computes it once: earliest(s, now) ==
  // earliest_from(s, not_before(now)).
  std::int64_t not_before(std::int64_t now) const { return now > bus_free_ ? now : bus_free_; }
  static std::int64_t earliest_from(const Slots& s, std::int64_t from) {
    const std::int64_t t = max3(from, *s.bank, *s.group);
    return max3(t, *s.rank, *s.faw);
  }

  void insert(Command c, int rank, int bank_group, int bank, std::int64_t now);

  // Derived delays (cycles), exposed for tests and documentation.
  int burst() const { return burst_; }
  int read_to_write() const { return tRDWR_; }
  int write_to_read_same_group() const { return tWRRD_L_; }

 private:
  static constexpr int kQ = kCommandCount;
  static std::size_t idx(int unit, int q) { return static_cast<std::size_t>(unit * kQ + q); }
  static std::int64_t max3(std::int64_t a, std::int64_t b, std::int64_t c) {
    std::int64_t m = a > b ? a : b;
    return m > c ? m : c;
  }

  // The last four ACTs of a rank.
  struct Faw {
    std::array<std::int64_t, 4> times{};
    int next = 0;   // slot of the oldest ACT once count == 4
    int count = 0;
  };
  static constexpr std::int64_t kZero = 0;
  static constexpr std::int64_t kNeverTime = INT64_MAX;

  int ranks_, bank_groups_per_rank_, banks_per_rank_;
  // Timings.
  int AL_, RL_, WL_, RCD_, RP_, RAS_, RC_, RTP_;
  int CCD_S_, CCD_L_, RRD_S_, RRD_L_, RTRS_;
  int XP_, XS_, XSDLL_, CKE_, CKESR_, ACTPDEN_, PRPDEN_, REFPDEN_;
  int tFAW_, tRFC_, tRFCpb_;
  int burst_, tRDWR_, tRDWR_R_, tWRRD_S_, tWRRD_L_, tWRRD_R_, tWRPRE_, tRDPDEN_, tWRPDEN_,
      tWRAPDEN_;

  std::vector<std::int64_t> bank_, group_, rank_;  // [unit][command] earliest times
  std::vector<Faw> faw_;
  std::vector<std::int64_t> faw_bound_;  // per rank: oldest of the last four ACTs + tFAW
  std::int64_t bus_free_ = 0;
};

}  // namespace archgym::dram

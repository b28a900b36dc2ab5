#pragma once
// Command multiplexer "Oldest" of DRAMSys 4.0 (CmdMuxOldest, KNOBS.md §8): among all
// candidates take the one that can finish first (earliest time + command length; every
// DDR3/DDR4 command is one cycle long), ties to the lowest channel payload ID (refresh
// is ID 0, power-down UINT64_MAX - 1). The winner issues only if its time is now, so
// Controller::pass() takes the lowest ID among the candidates legal now.
#include <cstdint>

#include "simulators/dram/command.h"

namespace archgym::dram {

inline constexpr std::uint64_t kRefreshPayloadId = 0;
inline constexpr std::uint64_t kPowerDownPayloadId = UINT64_MAX - 1;

// Candidate::source below kPowerDownSourceBase is a power-down manager. The refresh
// managers' range (-1 - rank) must end above it for every rank count a memspec may have
// (it was -1000, so rank 999's refresh decoded as rank 0's power-down: a livelock).
inline constexpr int kPowerDownSourceBase = -(1 << 24);

struct Candidate {
  Command command = Command::ACT;
  std::int64_t time = INT64_MAX;
  std::uint64_t payload_id = UINT64_MAX;
  int source = -1;  // >= 0: bank machine index; -1 - rank: refresh manager;
                    // kPowerDownSourceBase - rank: power-down manager
};

}  // namespace archgym::dram

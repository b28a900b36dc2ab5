#pragma once
// DRAM commands as issued on the command bus, and an observer interface through
// which the power model, the protocol checker and command-trace dumps see them.
#include <cstdint>
#include <string_view>

namespace archgym::dram {

enum class Command : std::uint8_t {
  ACT, PRE, PREA, RD, WR, RDA, WRA, REFA, REFB, PDEA, PDEP, PDXA, PDXP, SREFEN, SREFEX
};
inline constexpr int kCommandCount = 15;

std::string_view command_name(Command c);
inline bool is_read(Command c) { return c == Command::RD || c == Command::RDA; }
inline bool is_write(Command c) { return c == Command::WR || c == Command::WRA; }
inline bool is_cas(Command c) { return is_read(c) || is_write(c); }
// Commands addressing all banks of a rank.
inline bool is_rank_command(Command c) {
  return c != Command::ACT && c != Command::PRE && !is_cas(c) && c != Command::REFB;
}

struct IssuedCommand {
  std::uint64_t cycle = 0;  // memory clock cycle at which it is on the bus
  Command command = Command::ACT;
  int rank = 0;
  int bank_group = 0;  // within the rank
  int bank = 0;        // within the rank (0 .. banks-1), not global
  int row = 0;
  int column = 0;
};

class CommandObserver {
 public:
  virtual ~CommandObserver() = default;
  virtual void on_command(const IssuedCommand& c) = 0;
  // Called once when simulation ends, with the last simulated memory cycle.
  virtual void on_finish(std::uint64_t /*end_cycle*/) {}
};

}  // namespace archgym::dram

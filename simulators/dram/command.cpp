#include "simulators/dram/command.h"

namespace archgym::dram {

std::string_view command_name(Command c) {
  switch (c) {
    case Command::ACT: return "ACT";
    case Command::PRE: return "PRE";
    case Command::PREA: return "PREA";
    case Command::RD: return "RD";
    case Command::WR: return "WR";
    case Command::RDA: return "RDA";
    case Command::WRA: return "WRA";
    case Command::REFA: return "REFA";
    case Command::REFB: return "REFB";
    case Command::PDEA: return "PDEA";
    case Command::PDEP: return "PDEP";
    case Command::PDXA: return "PDXA";
    case Command::PDXP: return "PDXP";
    case Command::SREFEN: return "SREFEN";
    case Command::SREFEX: return "SREFEX";
  }
  return "UNKNOWN";
}

}  // namespace archgym::dram

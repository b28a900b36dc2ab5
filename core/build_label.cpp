#include "core/build_label.h"

namespace archgym {

std::string build_label(const std::string& version, const std::string& git_commit) {
  return "archgym " + version + " (commit " + (git_commit.empty() ? "unknown" : git_commit) + ")";
}

}  // namespace archgym

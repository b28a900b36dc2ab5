#pragma once
// How a build is named to users, one spelling in every message and listing:
// "archgym 0.4.0 (commit 1f3c...)", "(commit unknown)" when none was recorded.
#include <string>

namespace archgym {

std::string build_label(const std::string& version, const std::string& git_commit);

}  // namespace archgym

#pragma once
// The user's input is wrong (unknown name, bad value, unreadable or malformed file).
// main() prints the message and exits with code 2, distinct from a run that fails (1).
#include <stdexcept>

namespace archgym::cli {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace archgym::cli

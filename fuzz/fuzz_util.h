#pragma once
// Shared helpers for the libFuzzer targets: a property failure aborts (libFuzzer then
// saves the input as a crash), with a message saying which property broke.
#include <cstdio>
#include <cstdlib>
#include <string>

namespace archgym::fuzz {

[[noreturn]] inline void property_failed(const char* what, const std::string& detail) {
  std::fprintf(stderr, "FUZZ PROPERTY FAILED: %s\n  %s\n", what, detail.c_str());
  std::abort();
}

#define FUZZ_REQUIRE(cond, detail)                                       \
  do {                                                                   \
    if (!(cond)) ::archgym::fuzz::property_failed(#cond, (detail));      \
  } while (0)

// An error message must say where the problem is: non-empty and starting with the origin.
inline void require_names_origin(const std::string& message, const std::string& origin) {
  FUZZ_REQUIRE(message.size() > origin.size() + 2 && message.compare(0, origin.size(), origin) == 0 &&
                   message[origin.size()] == ':',
               message);
}

}  // namespace archgym::fuzz

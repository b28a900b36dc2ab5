#include "experiments/shell_quote.h"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace archgym::cli {

std::string shell_quote(const std::string& text) {
  const bool plain = !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) {
    return std::isalnum(c) || (c != 0 && std::strchr("_-./:@%+=,", c) != nullptr);
  });
  if (plain) return text;
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

}  // namespace archgym::cli

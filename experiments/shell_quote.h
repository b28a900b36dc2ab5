#pragma once
// Text as the shell reads it back, for commands and settings the CLI prints for copying.
#include <string>

namespace archgym::cli {

// `text` as one shell word: unchanged when it is plain, else in single quotes.
std::string shell_quote(const std::string& text);

}  // namespace archgym::cli

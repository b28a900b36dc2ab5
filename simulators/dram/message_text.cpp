#include "simulators/dram/message_text.h"

#include <cstdio>
#include <system_error>

namespace archgym::dram {

namespace {

void append_escaped(std::string& out, unsigned char byte) {
  char hex[8];
  std::snprintf(hex, sizeof hex, "\\x%02X", byte);
  out += hex;
}

// The length of the well-formed UTF-8 sequence at text[i] (Unicode table 3-7), 0 if none;
// its code point in `c`.
std::size_t utf8_sequence(std::string_view text, std::size_t i, char32_t& c) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char b = byte(i);
  std::size_t length = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b >= 0xC2 && b <= 0xDF) length = 2;
  else if (b >= 0xE0 && b <= 0xEF) { length = 3; if (b == 0xE0) lo = 0xA0; if (b == 0xED) hi = 0x9F; }
  else if (b >= 0xF0 && b <= 0xF4) { length = 4; if (b == 0xF0) lo = 0x90; if (b == 0xF4) hi = 0x8F; }
  else return 0;
  if (i + length > text.size() || byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < length; ++k)
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  c = b & (0x7F >> length);
  for (std::size_t k = 1; k < length; ++k) c = (c << 6) | (byte(i + k) & 0x3F);
  return length;
}

// Code points beyond ASCII that break a line or reorder the text around them.
bool breaks_line_or_reorders(char32_t c) {
  return (c >= 0x80 && c <= 0x9F) || c == 0x2028 || c == 0x2029 || c == 0x061C || c == 0x200E || c == 0x200F ||
         (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

std::string shown(std::string_view text, std::size_t max_bytes, bool keep_utf8) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size() && i < max_bytes) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (b == '\t' || (b >= 0x20 && b < 0x7F)) {
      out += static_cast<char>(b);
      ++i;
      continue;
    }
    char32_t c = 0;
    const std::size_t length = keep_utf8 && b >= 0x80 ? utf8_sequence(text, i, c) : 0;
    if (length == 0 || breaks_line_or_reorders(c)) {
      const std::size_t bytes = length == 0 ? 1 : length;
      for (std::size_t k = 0; k < bytes; ++k) append_escaped(out, static_cast<unsigned char>(text[i + k]));
      i += bytes;
    } else if (i + length > max_bytes) {
      break;  // a character is shown whole or not at all
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
  if (i < text.size()) out += "... (" + std::to_string(text.size()) + " bytes)";
  return out;
}

}  // namespace

std::string printable(std::string_view text, std::size_t max_bytes) { return shown(text, max_bytes, false); }

std::string printable_name(std::string_view name) { return shown(name, 200, true); }

std::string errno_reason(int err) { return err == 0 ? "" : ": " + std::generic_category().message(err); }

}  // namespace archgym::dram

#include "core/text.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <numeric>

namespace archgym {

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += separator;
    out += items[i];
  }
  return out;
}

std::string join_ids(const std::vector<std::int64_t>& ids, std::string_view separator) {
  std::vector<std::string> text;
  for (const std::int64_t id : ids) text.push_back(std::to_string(id));
  return join(text, separator);
}

std::string format_double(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  // Shortest round-trip digits; plain notation for everyday magnitudes ("0.0001",
  // "1500"), scientific only for tiny or huge ones ("1e-06", "1e+20").
  char buf[512];
  const double magnitude = std::abs(x);
  const bool plain = magnitude == 0 || (magnitude >= 1e-5 && magnitude < 1e16);
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x, plain ? std::chars_format::fixed : std::chars_format::scientific);
  return std::string(buf, end);
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), 0);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string to_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<std::size_t> invalid_utf8_offset(std::string_view text) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  std::size_t i = 0;
  while (i < text.size()) {
    const unsigned char b = byte(i);
    if (b < 0x80) { ++i; continue; }
    // Sequence length and the allowed range of the second byte (Unicode table 3-7).
    std::size_t length = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) length = 2;
    else if (b >= 0xE0 && b <= 0xEF) { length = 3; if (b == 0xE0) lo = 0xA0; if (b == 0xED) hi = 0x9F; }
    else if (b >= 0xF0 && b <= 0xF4) { length = 4; if (b == 0xF0) lo = 0x90; if (b == 0xF4) hi = 0x8F; }
    else return i;
    if (i + length > text.size()) return i;
    if (byte(i + 1) < lo || byte(i + 1) > hi) return i;
    for (std::size_t k = 2; k < length; ++k)
      if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return i;
    i += length;
  }
  return std::nullopt;
}

std::vector<std::string> closest_matches(const std::string& given, const std::vector<std::string>& candidates) {
  const std::string lower = to_lower(given);
  for (const auto& c : candidates)
    if (to_lower(c) == lower) return {c};
  // Metric names carry units: "power" most likely means the one "power_W".
  if (lower.size() >= 3) {
    std::vector<std::string> prefixed;
    for (const auto& c : candidates)
      if (to_lower(c).rfind(lower, 0) == 0) prefixed.push_back(c);
    if (prefixed.size() == 1) return prefixed;
  }
  // A suggestion is only helpful when it is close: allow about one typo per four letters.
  const std::size_t limit = std::max<std::size_t>(1, given.size() / 4 + 1);
  std::vector<std::string> best;
  std::size_t best_distance = limit + 1;
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(lower, to_lower(c));
    if (d < best_distance) {
      best_distance = d;
      best.clear();
    }
    if (d == best_distance && d <= limit) best.push_back(c);
  }
  return best;
}

std::optional<std::string> closest_match(const std::string& given,
                                         const std::vector<std::string>& candidates) {
  const auto matches = closest_matches(given, candidates);
  if (matches.empty()) return std::nullopt;
  return matches.front();
}

std::string did_you_mean(const std::string& given, const std::vector<std::string>& candidates) {
  const auto matches = closest_matches(given, candidates);
  if (matches.empty() || (matches.size() == 1 && matches.front() == given)) return "";
  std::string text;
  for (std::size_t i = 0; i < matches.size(); ++i)
    text += (i == 0 ? "" : i + 1 == matches.size() ? " or " : ", ") + ("'" + matches[i] + "'");
  return " (did you mean " + text + "?)";
}

namespace {
std::string_view trim(std::string_view t) {
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.remove_prefix(1);
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.remove_suffix(1);
  return t;
}
}  // namespace

std::optional<long long> parse_integer(std::string_view text) {
  text = trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return std::nullopt;
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<double> parse_real(std::string_view text) {
  text = trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return std::nullopt;
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value))
    return std::nullopt;
  return value;
}

std::vector<char32_t> code_points(std::string_view text) {
  std::vector<char32_t> out;
  for (std::size_t i = 0; i < text.size();) {
    const auto byte = static_cast<unsigned char>(text[i]);
    const int length = byte < 0x80 ? 1 : byte < 0xE0 ? 2 : byte < 0xF0 ? 3 : 4;
    char32_t c = length == 1 ? byte : byte & (0x7F >> length);
    for (int k = 1; k < length && i + k < text.size(); ++k) c = (c << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    out.push_back(c);
    i += static_cast<std::size_t>(length);
  }
  return out;
}

std::string to_utf8(const std::vector<char32_t>& code_points) {
  std::string out;
  for (const char32_t c : code_points) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

bool breaks_line_or_reorders(char32_t c) {
  return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x2028 || c == 0x2029 || c == 0x061C || c == 0x200E ||
         c == 0x200F || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

bool is_space(char32_t c) {
  return c == ' ' || c == '\t' || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x202F ||
         c == 0x205F || c == 0x3000;
}

std::string printable(std::string_view text) {
  std::vector<char32_t> shown;
  if (invalid_utf8_offset(text)) {
    for (const unsigned char byte : text) shown.push_back(byte < 0x80 && byte >= 0x20 && byte != 0x7F ? byte : '?');
  } else {
    for (const char32_t c : code_points(text)) shown.push_back(breaks_line_or_reorders(c) ? U'?' : c);
  }
  return to_utf8(shown);
}

std::string printable_line(std::string_view text, std::size_t max_bytes) {
  const std::string_view first = text.substr(0, text.find('\n'));
  std::string out = printable(first);
  const bool cut = out.size() > max_bytes;
  if (cut) {
    std::size_t end = max_bytes;
    while (end > 0 && (static_cast<unsigned char>(out[end]) & 0xC0) == 0x80) --end;  // not inside a code point
    out.resize(end);
  }
  return cut || first.size() < text.size() ? out + "..." : out;
}

}  // namespace archgym

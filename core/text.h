#pragma once
// Small text helpers shared by the core's error messages (and usable by envs,
// agents and the CLI): joining lists, shortest round-trip number formatting and
// "did you mean" suggestions.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace archgym {

std::string join(const std::vector<std::string>& items, std::string_view separator = ", ");
std::string join_ids(const std::vector<std::int64_t>& ids, std::string_view separator = ", ");  // "1, 2, 5"

// Shortest text that parses back to exactly the same double ("0.1", "1e-06", "3").
std::string format_double(double x);

// Levenshtein distance (insertions, deletions, substitutions cost 1).
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate a user most likely meant by `given`: an exact case-insensitive match
// first, then the only candidate that starts with it ("power" -> "power_W"), else the
// closest one within a small edit distance; nothing when none is close.
std::optional<std::string> closest_match(const std::string& given,
                                         const std::vector<std::string>& candidates);
// Every candidate as close as the closest (in the candidates' order): one for an exact or
// prefix match, several when typos put two names equally near ("cloud-3": 'cloud-1', 'cloud-2').
std::vector<std::string> closest_matches(const std::string& given, const std::vector<std::string>& candidates);

// " (did you mean 'population'?)", " (did you mean 'cloud-1' or 'cloud-2'?)" or "" (for
// appending to an error message).
std::string did_you_mean(const std::string& given, const std::vector<std::string>& candidates);

// Strict number parsing of a whole string (surrounding spaces allowed); nothing on any
// trailing garbage, overflow or (for reals) a non-finite value.
std::optional<long long> parse_integer(std::string_view text);
std::optional<double> parse_real(std::string_view text);

std::string to_lower(std::string_view text);

// The offset of the first byte that is not part of well-formed UTF-8 (overlong forms,
// surrogates and code points beyond U+10FFFF are not), or nothing if all of it is. The
// store keeps options as JSON text, which must be UTF-8.
std::optional<std::size_t> invalid_utf8_offset(std::string_view text);

// The code points of text for which invalid_utf8_offset() finds nothing.
std::vector<char32_t> code_points(std::string_view utf8);
std::string to_utf8(const std::vector<char32_t>& code_points);
// Breaks a line or reorders the text around it when printed: C0/C1 controls, DEL, Unicode
// line and paragraph separators, bidirectional marks, embeddings, overrides and isolates.
bool breaks_line_or_reorders(char32_t c);
// A space of any width (ASCII, no-break, ideographic, the U+2000 block, ...).
bool is_space(char32_t c);
// `text` safe to print on one line: what would break or reorder it (a control character, a
// line or paragraph separator, a bidi mark, a byte of invalid UTF-8) shown as '?'.
std::string printable(std::string_view text);
// Text from outside (a stored failure message) as one line safe to print: the first line,
// whatever would break or reorder it shown as '?', at most `max_bytes` (then "...").
std::string printable_line(std::string_view text, std::size_t max_bytes = 300);

}  // namespace archgym

#pragma once
// How the simulator's error messages quote text from outside: a path or a name the user
// gave, a trace line, a JSON key or value. Any of them may hold a newline or an escape
// sequence (which split the message or act on the terminal) or be 100 kB long; quoted
// through these, a message stays one line of bounded length and valid UTF-8 (Python
// decodes it). For the simulator's sources, its CLI and the dram env (whose messages
// quote the same paths). (core/text.h has a similar printable_line(), which this
// standalone library does not link.)
#include <cstddef>
#include <string>
#include <string_view>

namespace archgym::dram {

// File content (a trace line, a JSON key or string): a valid input is ASCII, so every
// other byte is shown as \xNN (a look-alike letter shows as what it is), as is every
// control byte but tab; at most `max_bytes` of `text`, then "... (N bytes)".
std::string printable(std::string_view text, std::size_t max_bytes = 120);

// A path or a name the user gave: as printable(), but well-formed UTF-8 stays as it is (a
// user's own file names), except characters that break or reorder a line (C1 controls,
// line and paragraph separators, bidirectional marks); at most 200 bytes.
std::string printable_name(std::string_view name);

// ": " and the system's words for errno value `err` (": Permission denied"), or "" for 0:
// for the message of an open() that failed.
std::string errno_reason(int err);

}  // namespace archgym::dram

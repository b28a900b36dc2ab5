#include "simulators/dram/trace.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "simulators/dram/message_text.h"

#ifndef ARCHGYM_SOURCE_DATA_DIR
#define ARCHGYM_SOURCE_DATA_DIR "data"
#endif

namespace archgym::dram {

namespace {

constexpr const char* kExpected = "expected `<cycle>: read|write 0x<hex address>`";

bool is_space(char c) { return c == ' ' || c == '\t'; }

// The first five whitespace-separated tokens of a line (a valid line has three or four;
// a fifth only tells that there are too many), without allocating: parsing is a large
// part of a run on a trace file.
struct Tokens {
  std::string_view token[5];
  std::size_t n = 0;
  std::size_t size() const { return n; }
  bool empty() const { return n == 0; }
  std::string_view operator[](std::size_t i) const { return token[i]; }
};

Tokens split_whitespace(std::string_view s) {
  Tokens tokens;
  std::size_t i = 0;
  while (i < s.size() && tokens.n < 5) {
    while (i < s.size() && is_space(s[i])) ++i;
    std::size_t j = i;
    while (j < s.size() && !is_space(s[j])) ++j;
    if (j > i) tokens.token[tokens.n++] = s.substr(i, j - i);
    i = j;
  }
  return tokens;
}

std::optional<std::uint64_t> parse_decimal(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    const std::uint64_t d = static_cast<std::uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return std::nullopt;  // overflow
    v = v * 10 + d;
  }
  return v;
}

bool has_hex_prefix(std::string_view s) {
  return s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
}

// Value of a hex digit (0-9, a-f, A-F), -1 for any other byte: a table lookup instead of
// isxdigit/tolower calls per character.
constexpr std::array<signed char, 256> kHexValue = [] {
  std::array<signed char, 256> t{};
  for (int c = 0; c < 256; ++c) t[c] = -1;
  for (int c = '0'; c <= '9'; ++c) t[c] = static_cast<signed char>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) t[c] = static_cast<signed char>(c - 'a' + 10);
  for (int c = 'A'; c <= 'F'; ++c) t[c] = static_cast<signed char>(c - 'A' + 10);
  return t;
}();

int hex_value(char c) { return kHexValue[static_cast<unsigned char>(c)]; }

bool all_hex(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return hex_value(c) >= 0; });
}

// "0x" followed by hex digits with at most 16 significant ones (more would overflow 64 bits).
std::optional<std::uint64_t> parse_hex_address(std::string_view s) {
  if (!has_hex_prefix(s)) return std::nullopt;
  s.remove_prefix(2);
  while (s.size() > 1 && s[0] == '0') s.remove_prefix(1);
  if (!all_hex(s) || s.size() > 16) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) v = (v << 4) | static_cast<std::uint64_t>(hex_value(c));
  return v;
}

[[noreturn]] void malformed_stl_line(std::string_view line, std::uint64_t line_number, const std::string& origin,
                                     const char* why) {
  // Mistakes of the whole file that show as a bad field of its first line (or of every
  // line): named, since the field's reason would send the reader looking at the field.
  std::string_view text = line;
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  if (line_number == 1 && line.substr(0, 3) == "\xEF\xBB\xBF")
    why = "the file starts with a UTF-8 byte-order mark; save it without one";
  else if (line_number == 1 && (line.substr(0, 2) == "\xFF\xFE" || line.substr(0, 2) == "\xFE\xFF"))
    why = "the file is UTF-16 (it starts with a UTF-16 byte-order mark); save it as ASCII";
  else if (text.find('\r') != std::string_view::npos)
    why = "a carriage return inside the line: lines must end with LF or CRLF, not CR alone";
  throw std::invalid_argument(printable_name(origin) + ":" + std::to_string(line_number) + ": " + kExpected +
                              ", got `" + printable(line) + "` (" + why + ")");
}

// splitmix64 (Steele, Lea, Flood 2014): fully specified, so traces are identical everywhere.
std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Uniform in [0, 1) from the top 53 bits.
double uniform01(std::uint64_t& state) {
  return static_cast<double>(splitmix64(state) >> 11) * 0x1.0p-53;
}

// Uniform in [0, n) without modulo bias (rejection of the incomplete last block).
std::uint64_t uniform_below(std::uint64_t& state, std::uint64_t n) {
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  for (;;) {
    const std::uint64_t x = splitmix64(state);
    if (x < limit) return x % n;
  }
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// StlTraceReader

std::optional<Request> parse_stl_line(std::string_view line, std::uint64_t line_number,
                                      const std::string& origin) {
  auto malformed = [&](const char* why) { malformed_stl_line(line, line_number, origin, why); };
  std::string_view text = line;
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);  // CRLF files
  if (auto hash = text.find('#'); hash != std::string_view::npos) text = text.substr(0, hash);
  const auto tokens = split_whitespace(text);
  if (tokens.empty()) return std::nullopt;
  // "5:read 0x0": DRAMSys's format separates the cycle's ':' from the command. (Looked for
  // only in a bad line: parsing is a large part of a run on a trace file.)
  auto glued = [&] {
    const auto colon = tokens[0].find(':');
    return colon != std::string_view::npos && colon + 1 < tokens[0].size();
  };
  if (tokens.size() < 3) malformed(glued() ? "a space or tab must follow the cycle's ':'" : "too few fields");
  // DRAMSys allows a fourth column with the write data; it is accepted and ignored.
  if (tokens.size() > 4) malformed("unexpected text after the address");

  std::string_view cycle_token = tokens[0];
  if (cycle_token.back() != ':')
    malformed(glued() ? "a space or tab must follow the cycle's ':'" : "the cycle must be followed by ':'");
  cycle_token.remove_suffix(1);
  const auto cycle = parse_decimal(cycle_token);
  if (!cycle) malformed("the cycle must be a non-negative decimal integer below 2^64");

  Request out;
  if (tokens[1] == "read") out.is_write = false;
  else if (tokens[1] == "write") out.is_write = true;
  else malformed("the command must be `read` or `write`");

  const auto address = parse_hex_address(tokens[2]);
  if (!address) malformed("the address must be 0x followed by at most 16 hex digits");
  if (tokens.size() == 4 && !(has_hex_prefix(tokens[3]) && all_hex(tokens[3].substr(2))))
    malformed("the optional data field must be 0x followed by hex digits");
  out.cycle = *cycle;
  out.address = *address;
  return out;
}

struct StlTraceReader::Impl {
  static constexpr std::size_t kMaxLineBytes = std::size_t{1} << 20;
  std::string path;
  std::string shown;  // the path as messages show it
  std::ifstream in;
  ByteObserver on_read;
  std::uint64_t line_number = 0;
  std::optional<std::uint64_t> last_cycle;
  // Lines are cut out of a block buffer (std::getline per line was a fifth of the time
  // spent reading a trace file). A line split across two blocks is joined in `carry`.
  // The stream itself is unbuffered (the block is the only buffer): 16 KiB in all.
  std::vector<char> block = std::vector<char>(std::size_t{1} << 14);
  std::size_t pos = 0, end = 0;
  bool at_eof = false;
  std::string carry;

  [[noreturn]] void refuse_long_line() const {
    throw std::invalid_argument(shown + ":" + std::to_string(line_number + 1) + ": a line longer than " +
                                std::to_string(kMaxLineBytes >> 20) + " MiB (no newline in its first " +
                                std::to_string(kMaxLineBytes >> 20) + " MiB; every line, a comment too, must " +
                                "be shorter); is this a DRAMSys .stl trace?");
  }

  // The next line without its '\n', as std::getline would return it: the last line
  // counts even without a '\n', but nothing follows a final '\n'.
  bool next_line(std::string_view& line) {
    carry.clear();
    for (;;) {
      const char* begin = block.data() + pos;
      const auto* newline = static_cast<const char*>(std::memchr(begin, '\n', end - pos));
      if (newline != nullptr) {
        const std::size_t length = static_cast<std::size_t>(newline - begin);
        pos += length + 1;
        if (carry.empty()) {
          line = std::string_view(begin, length);  // within one block: far below the bound
        } else {
          if (carry.size() + length > kMaxLineBytes) refuse_long_line();
          carry.append(begin, length);
          line = carry;
        }
        return true;
      }
      // A request line is a few dozen bytes: without a bound, a file with no newline
      // (/dev/zero, a binary file) was buffered until memory ran out.
      if (carry.size() + (end - pos) > kMaxLineBytes) refuse_long_line();
      carry.append(begin, end - pos);
      pos = end;
      if (!at_eof) {
        in.read(block.data(), static_cast<std::streamsize>(block.size()));
        end = static_cast<std::size_t>(in.gcount());
        pos = 0;
        if (on_read) on_read(std::string_view(block.data(), end));
        if (end > 0) continue;
        at_eof = true;
      }
      if (carry.empty()) return false;
      line = carry;  // the last line, without '\n'
      return true;
    }
  }

  // Parses one line; false for blank and comment-only lines.
  bool parse(std::string_view line, Request& out) {
    const auto request = parse_stl_line(line, line_number, path);
    if (!request) return false;
    if (last_cycle && request->cycle < *last_cycle)
      throw std::invalid_argument(shown + ":" + std::to_string(line_number) + ": cycle " +
                               std::to_string(request->cycle) + " is earlier than the previous request's cycle " +
                               std::to_string(*last_cycle) + " (cycles must be non-decreasing)");
    last_cycle = request->cycle;
    out = *request;
    return true;
  }
};

StlTraceReader::StlTraceReader(const std::string& path, ByteObserver on_read) : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  impl_->shown = printable_name(path);
  impl_->on_read = std::move(on_read);
  std::error_code ec;  // a directory opens, then fails to read: "read error"
  if (std::filesystem::is_directory(path, ec))
    throw std::invalid_argument(impl_->shown + ": is a directory, not a trace file");
  impl_->in.rdbuf()->pubsetbuf(nullptr, 0);  // before open(), or libstdc++ ignores it
  errno = 0;
  impl_->in.open(path, std::ios::binary);
  if (!impl_->in) throw std::runtime_error(impl_->shown + ": cannot open trace file" + errno_reason(errno));
}

StlTraceReader::~StlTraceReader() = default;

bool StlTraceReader::next(Request& out) {
  std::string_view line;
  while (impl_->next_line(line)) {
    ++impl_->line_number;
    if (impl_->parse(line, out)) return true;
  }
  if (impl_->in.bad()) throw std::runtime_error(impl_->shown + ": read error");
  return false;
}

std::uint64_t StlTraceReader::line_number() const { return impl_->line_number; }

void StlTraceReader::rewind() {
  impl_->in.clear();
  impl_->in.seekg(0);
  impl_->line_number = 0;
  impl_->last_cycle.reset();
  impl_->pos = impl_->end = 0;
  impl_->at_eof = false;
  impl_->carry.clear();
  if (!impl_->in) throw std::runtime_error(impl_->shown + ": cannot rewind trace file");
}

// ---------------------------------------------------------------------------------------
// VectorTrace, whole-file helpers

VectorTrace::VectorTrace(std::shared_ptr<const std::vector<Request>> requests) : requests_(std::move(requests)) {
  if (!requests_) throw std::invalid_argument("VectorTrace: null request vector");
}

bool VectorTrace::next(Request& out) {
  if (pos_ >= requests_->size()) return false;
  out = (*requests_)[pos_++];
  return true;
}

std::vector<Request> read_stl_file(const std::string& path) {
  StlTraceReader reader(path);
  std::vector<Request> requests;
  Request r;
  while (reader.next(r)) requests.push_back(r);
  return requests;
}

void write_stl(std::ostream& out, const std::vector<Request>& requests) {
  char buf[64];
  for (const Request& r : requests) {
    std::snprintf(buf, sizeof buf, "%llu:\t%s\t0x%llX\n", static_cast<unsigned long long>(r.cycle),
                  r.is_write ? "write" : "read", static_cast<unsigned long long>(r.address));
    out << buf;
  }
}

// ---------------------------------------------------------------------------------------
// GeneratedTrace

GeneratedTrace::GeneratedTrace(const GeneratorConfig& cfg) : cfg_(cfg) {
  auto bad = [](const std::string& what) { throw std::invalid_argument("trace generator: " + what); };
  if (cfg.requests == 0 || cfg.requests > kMaxGeneratedRequests)
    bad("requests must be in [1, " + std::to_string(kMaxGeneratedRequests) + "], got " + std::to_string(cfg.requests));
  if (!(cfg.injection_rate >= kMinInjectionRate && cfg.injection_rate <= 1.0)) {  // NaN fails too
    char text[64];
    std::snprintf(text, sizeof text, "[%g, 1] requests per cycle, got %g", kMinInjectionRate, cfg.injection_rate);
    bad(std::string("injection_rate must be in ") + text);
  }
  if (!(cfg.read_ratio >= 0.0 && cfg.read_ratio <= 1.0))
    bad("read_ratio must be in [0, 1], got " + std::to_string(cfg.read_ratio));
  if (cfg.alignment == 0 || (cfg.alignment & (cfg.alignment - 1)) != 0)
    bad("alignment must be a power of two, got " + std::to_string(cfg.alignment));
  if (cfg.footprint_bytes < cfg.alignment)
    bad("footprint_bytes (" + std::to_string(cfg.footprint_bytes) + ") must be at least the alignment (" +
        std::to_string(cfg.alignment) + ")");
  if (cfg.base_address % cfg.alignment != 0)
    bad("base_address must be a multiple of the alignment (" + std::to_string(cfg.alignment) + ")");
  if (cfg.base_address > UINT64_MAX - cfg.footprint_bytes)
    bad("base_address + footprint_bytes exceeds the 64-bit address space");
  if (cfg.pattern == Pattern::Strided && (cfg.stride_bytes == 0 || cfg.stride_bytes % cfg.alignment != 0))
    bad("stride_bytes must be a positive multiple of the alignment (" + std::to_string(cfg.alignment) +
        "), got " + std::to_string(cfg.stride_bytes));
  // Use whole aligned slots only, so every address stays aligned after wrapping.
  cfg_.footprint_bytes = cfg.footprint_bytes / cfg.alignment * cfg.alignment;
  rewind();
}

void GeneratedTrace::rewind() {
  emitted_ = 0;
  rng_state_ = cfg_.seed;
  cursor_ = 0;
}

bool GeneratedTrace::next(Request& out) {
  if (emitted_ >= cfg_.requests) return false;
  const std::uint64_t fp = cfg_.footprint_bytes;
  const std::uint64_t slots = fp / cfg_.alignment;
  // Offset within the footprint, advanced modulo fp without overflow.
  auto advance = [fp](std::uint64_t cursor, std::uint64_t step) {
    step %= fp;
    return cursor >= fp - step ? cursor - (fp - step) : cursor + step;
  };

  std::uint64_t offset = 0;
  switch (cfg_.pattern) {
    case Pattern::Stream:
      offset = cursor_;
      cursor_ = advance(cursor_, cfg_.alignment);
      break;
    case Pattern::Strided:
      offset = cursor_;
      cursor_ = advance(cursor_, cfg_.stride_bytes);
      break;
    case Pattern::Random:
      offset = uniform_below(rng_state_, slots) * cfg_.alignment;
      break;
    case Pattern::Mixed:
      // Half the requests continue sequentially from the previous one, half jump to a
      // random burst: a mix of row hits and misses between Stream and Random.
      if (emitted_ > 0 && uniform01(rng_state_) < 0.5) offset = advance(cursor_, cfg_.alignment);
      else offset = uniform_below(rng_state_, slots) * cfg_.alignment;
      cursor_ = offset;
      break;
  }
  out.address = cfg_.base_address + offset;
  // Always draw, so the address sequence does not depend on the ratio.
  out.is_write = !(uniform01(rng_state_) < cfg_.read_ratio);
  // Request i arrives at floor(i / rate): exactly `rate` requests per cycle on average.
  out.cycle = arrival(emitted_);
  ++emitted_;
  return true;
}

std::uint64_t GeneratedTrace::arrival(std::uint64_t i) const {
  return static_cast<std::uint64_t>(std::floor(static_cast<double>(i) / cfg_.injection_rate));
}

Pattern parse_pattern(const std::string& name) {
  const std::string n = lower(name);
  if (n == "stream") return Pattern::Stream;
  if (n == "random") return Pattern::Random;
  if (n == "strided") return Pattern::Strided;
  if (n == "mixed") return Pattern::Mixed;
  throw std::invalid_argument("unknown trace pattern \"" + printable_name(name) +
                              "\" (allowed: stream, random, strided, mixed)");
}

// ---------------------------------------------------------------------------------------
// Shipped traces

std::vector<std::string> default_trace_names() { return {"stream", "random", "cloud-1", "cloud-2"}; }

std::string default_trace_path(const std::string& name) {
  std::string base = name;
  if (base.size() > 4 && base.compare(base.size() - 4, 4, ".stl") == 0) base.resize(base.size() - 4);
  const auto names = default_trace_names();
  if (std::find(names.begin(), names.end(), base) == names.end()) {
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    throw std::invalid_argument("unknown trace \"" + printable_name(name) + "\" (shipped traces: " + list + ")");
  }
  const char* env = std::getenv("ARCHGYM_DATA_DIR");
  const std::string dir = (env && *env) ? std::string(env) + "/dram/traces"
                                        : std::string(ARCHGYM_SOURCE_DATA_DIR) + "/dram/traces";
  return dir + "/" + base + ".stl";
}

}  // namespace archgym::dram

#pragma once
// Memory request streams: DRAMSys .stl trace files (streamed, never loaded whole)
// and synthetic generators.
#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "simulators/dram/byte_observer.h"

namespace archgym::dram {

struct Request {
  std::uint64_t cycle = 0;    // arrival time in trace-clock cycles
  std::uint64_t address = 0;
  bool is_write = false;
};

// A pull-based request stream. next() returns false at the end. The stream is a fixed
// sequence: it must not depend on what the simulation did so far (its commands or
// responses), since when within a cycle the simulator pulls the next request, relative to
// the responses and commands it reports, is not part of the interface. For the same reason
// an observer may have seen a different number of responses when a trace throws.
class TraceSource {
 public:
  virtual ~TraceSource() = default;
  virtual bool next(Request& out) = 0;
  // Starts again from the first request (an env may replay one workload many times).
  virtual void rewind() = 0;
};

// Streams a .stl file line by line: `cycle:<TAB>read|write<TAB>0xADDR` (spaces also
// accepted, '#' comments and blank lines skipped). A malformed line throws
// std::invalid_argument naming file, line number and the offending text (a file that
// cannot be read, std::runtime_error with the system's reason); messages show the path and
// the line escaped and cut (message_text.h). Cycles must be non-decreasing. `on_read`, if
// given, sees the file's bytes as they are read (again after rewind()).
class StlTraceReader final : public TraceSource {
 public:
  explicit StlTraceReader(const std::string& path, ByteObserver on_read = {});
  ~StlTraceReader() override;
  bool next(Request& out) override;
  void rewind() override;
  // The line (from 1) of the request next() returned last, for messages about it.
  std::uint64_t line_number() const;
 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Parses one .stl line in the format above (without its '\n'; a trailing '\r' is
// allowed). Returns nullopt for blank and comment-only lines; throws
// std::invalid_argument "<origin>:<line_number>: ..." for a malformed one. Pure: the
// non-decreasing-cycle rule spans lines and is checked by StlTraceReader.
std::optional<Request> parse_stl_line(std::string_view line, std::uint64_t line_number,
                                      const std::string& origin);

// An in-memory trace (shared, immutable) with its own cursor: cheap to copy per worker.
class VectorTrace final : public TraceSource {
 public:
  explicit VectorTrace(std::shared_ptr<const std::vector<Request>> requests);
  bool next(Request& out) override;
  void rewind() override { pos_ = 0; }
  std::size_t size() const { return requests_->size(); }
 private:
  std::shared_ptr<const std::vector<Request>> requests_;
  std::size_t pos_ = 0;
};

std::vector<Request> read_stl_file(const std::string& path);
void write_stl(std::ostream& out, const std::vector<Request>& requests);

// Stream: consecutive bursts from base_address, wrapping at the footprint.
// Random: uniform burst-aligned addresses in [base, base + footprint).
// Strided: base + i * stride_bytes (mod footprint).
// Mixed: each request continues sequentially with probability 1/2, else jumps to a
//        random burst (locality between Stream and Random).
// Every pattern: each request is a read with probability read_ratio, and request i
// arrives at cycle floor(i / injection_rate). Random numbers come from splitmix64.
enum class Pattern { Stream, Random, Strided, Mixed };

// Limits every front end applies (the env's options, archgym-dram --generate): a slower
// rate or a longer trace is almost always a typo, and would run for minutes or hours.
inline constexpr double kMinInjectionRate = 1e-6;
inline constexpr std::uint64_t kMaxGeneratedRequests = 100'000'000;

struct GeneratorConfig {
  Pattern pattern = Pattern::Stream;
  std::uint64_t requests = 10000;
  double read_ratio = 1.0;        // fraction of reads (Mixed and every pattern)
  double injection_rate = 1.0;    // requests per trace cycle, in [kMinInjectionRate, 1]; 0.02 = one every 50 cycles
  std::uint64_t stride_bytes = 64;   // Strided
  std::uint64_t base_address = 0;
  std::uint64_t footprint_bytes = 1ull << 30;  // Random/Mixed addresses fall in [base, base+footprint)
  std::uint64_t seed = 1;
  unsigned alignment = 64;        // addresses are aligned to one burst
};

// Deterministic for a given config (seeded). Throws on out-of-range settings.
class GeneratedTrace final : public TraceSource {
 public:
  explicit GeneratedTrace(const GeneratorConfig& cfg);
  bool next(Request& out) override;
  void rewind() override;
  std::uint64_t last_cycle() const { return arrival(cfg_.requests - 1); }  // the latest request's
 private:
  std::uint64_t arrival(std::uint64_t i) const;  // request i's cycle
  GeneratorConfig cfg_;
  std::uint64_t emitted_ = 0;
  std::uint64_t rng_state_ = 0;
  std::uint64_t cursor_ = 0;
};

Pattern parse_pattern(const std::string& name);  // throws listing allowed names

// Directory holding the shipped ArchGym traces (stream, random, cloud-1, cloud-2):
// $ARCHGYM_DATA_DIR/dram/traces if set, else the compiled-in source data directory.
std::string default_trace_path(const std::string& name);  // throws listing names
std::vector<std::string> default_trace_names();

}  // namespace archgym::dram

#pragma once
// The files an env's results depend on beyond its options (a trace, a memspec, a proxy
// model). A run records a digest of each, so that resuming it after one of them changed
// is refused instead of mixing results of two different inputs in one trajectory, and
// runs that read different files are never taken for the same experiment.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace archgym {

struct InputFile {
  // What the file is to the env, e.g. "workload": the name of the option that gives the
  // file, if one does. A run records such an option given as a relative path as the
  // absolute path it named, so that it can be resumed, exported or learned from in any
  // directory (a value naming something else, e.g. workload=stream, is kept as given).
  std::string role;
  std::string path;
  // The digest (ContentDigest::text) of the bytes the env read and parsed, when it hashed
  // them as it read: then the record describes exactly what the run used, even if the file
  // was replaced between the env's read and the record's. Empty: inputs_json reads the file.
  std::string digest;
};

// FNV-1a (64 bit) over bytes given in pieces, as they are read (change detection, not
// security).
class ContentDigest {
 public:
  void add(std::string_view bytes);
  std::string text() const;  // "fnv1a64:" and 16 hex digits
  std::uint64_t value() const { return hash_; }
 private:
  std::uint64_t hash_ = 14695981039346656037ull;
};

// `path` made absolute against the working directory ("./t.stl" -> "/cwd/t.stl"; a path
// with ".." resolved through the file system, as opening it would), as a run records its
// inputs; `path` itself if the working directory is gone.
std::string absolute_path(const std::string& path);

// ContentDigest::text() of the file's bytes. Throws naming the path if it cannot be read.
std::string file_digest(const std::string& path);

// The record of `files`: a JSON object role -> {"path" (absolute), "digest"}, in the
// given order ("{}" for none); a file's digest is its InputFile::digest if set.
std::string inputs_json(const std::vector<InputFile>& files);

// What differs between two inputs_json() records (by contents; a path alone may change),
// one line per input, e.g.
// "workload /data/t.stl: fnv1a64:0123... when the run started, fnv1a64:4567... now";
// empty if they agree.
// `then_label` and `now_label` name the two sides.
std::string changed_inputs(const std::string& then, const std::string& now,
                           const std::string& then_label = "when the run started",
                           const std::string& now_label = "now");

// A run's env options (Options::to_json) without the options that name one of its input
// files (the roles of its inputs_json() record). Two runs whose results of this agree have
// the same env configuration when their input files' contents do too (changed_inputs),
// whatever path named each file: a trace named `stream`, by a relative path or by an
// absolute one is the same input. Without a record ("" from older stores), `env_config`.
std::string options_besides_inputs(const std::string& env_config, const std::string& inputs);

// Whether two runs' env options are the same configuration apart from their input files'
// paths: identical as stored, or identical besides the options that name input files
// (options_besides_inputs). Their files' contents are compared separately (changed_inputs).
bool same_options_besides_inputs(const std::string& env_config_a, const std::string& inputs_a,
                                 const std::string& env_config_b, const std::string& inputs_b);
// The options in which two runs differ, besides those naming input files: "requests: 300
// in run 3, 400 in run 1; stride: ..." (an option one run lacks shows as "unset"), with
// `a` and `b` naming the runs. Unreadable text shows whole.
std::string option_differences(const std::string& env_config_a, const std::string& inputs_a, const std::string& a,
                               const std::string& env_config_b, const std::string& inputs_b, const std::string& b);

// Whether an option of `env_config` names one of the recorded input files by a relative
// path (runs recorded before such paths were made absolute, or in a directory whose name
// is not UTF-8): the working directory then decides which file it opens.
bool names_input_relatively(const std::string& env_config, const std::string& inputs);

}  // namespace archgym

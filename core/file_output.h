#pragma once
// Writing an output file (a CSV export, a proxy model) without ever destroying data: the
// text goes to a temporary file next to the target, one of its own per write (threads may
// save one path at once), which is renamed over it only once complete (a crash leaves the
// old file or none, never half of one), and a target that is
// an SQLite database (an archgym store, given as --out by mistake) is refused. A target
// naming one of the process's open descriptors (/dev/stdout, /dev/fd/N, also when
// redirected to a file) is written through that descriptor, after what the process wrote
// there; one that exists and is not a regular file (a device, a FIFO) is written in place,
// since renaming over it would replace the node itself.
#include <functional>
#include <ostream>
#include <string>

namespace archgym {

// The refusals of write_file_atomically, without writing: a directory, a store or its
// -wal/-shm/-journal file, a place that cannot be written (missing or read-only
// directory). Throws std::invalid_argument; lets a command check --out before working.
void check_output_target(const std::string& path, const std::string& what);

// Writes `content` to `path` as described; `what` names the file in errors ("the CSV
// file"). Throws std::invalid_argument for a refused target, std::runtime_error if the
// write fails.
void write_file_atomically(const std::string& path, const std::string& content, const std::string& what);
// The same for content made as it is written (a CSV of millions of rows, never whole in
// memory): `write` sends it to the stream it is given. What `write` throws removes the
// temporary file and goes on to the caller (a device written in place keeps what it got).
void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write,
                           const std::string& what);

}  // namespace archgym

#include "core/input_files.h"

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "core/json_util.h"

namespace archgym {

std::string file_digest(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read input file '" + path + "'");
  std::uint64_t h = 14695981039346656037ull;  // FNV-1a, 64 bit
  char buf[1 << 16];
  while (in) {
    in.read(buf, sizeof buf);
    const std::streamsize n = in.gcount();
    for (std::streamsize i = 0; i < n; ++i) {
      h ^= static_cast<unsigned char>(buf[i]);
      h *= 1099511628211ull;
    }
  }
  if (in.bad()) throw std::runtime_error("error reading input file '" + path + "'");
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return std::string("fnv1a64:") + hex;
}

std::string absolute_path(const std::string& path) {
  std::error_code ec;
  const std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  return ec ? path : absolute.lexically_normal().string();
}

std::string inputs_json(const std::vector<InputFile>& files) {
  detail::ojson j = detail::ojson::object();
  // Absolute, so the record says which file even for a relative option.
  for (const auto& f : files) j[f.role] = {{"path", absolute_path(f.path)}, {"digest", file_digest(f.path)}};
  // A path is a record for people (inputs are compared by digest): bytes that are not UTF-8
  // (a directory named in another encoding) are written as U+FFFD instead of failing.
  return j.dump(-1, ' ', false, detail::ojson::error_handler_t::replace);
}

std::string changed_inputs(const std::string& then, const std::string& now, const std::string& then_label,
                           const std::string& now_label) {
  const auto a = detail::parse_json(then.empty() ? "{}" : then, "recorded inputs");
  const auto b = detail::parse_json(now.empty() ? "{}" : now, "inputs");
  auto describe = [](const detail::ojson& entry) {
    return entry.is_object() ? entry.value("path", std::string()) + " (" + entry.value("digest", std::string()) + ")"
                             : std::string("(none)");
  };
  std::string out;
  auto digest = [](const detail::ojson& entry) {
    return entry.is_object() ? entry.value("digest", std::string()) : std::string();
  };
  // Only the contents count: the same file found at another path (another checkout or
  // install of the build's data) is the same input.
  auto line = [&](const std::string& role, const detail::ojson& x, const detail::ojson& y) {
    if (digest(x) == digest(y)) return;
    out += (out.empty() ? "" : "\n") + role + ": " + describe(x) + " " + then_label + ", " + describe(y) + " " + now_label;
  };
  for (const auto& [role, entry] : a.items()) line(role, entry, b.contains(role) ? b[role] : detail::ojson());
  for (const auto& [role, entry] : b.items())
    if (!a.contains(role)) line(role, detail::ojson(), entry);
  return out;
}

}  // namespace archgym

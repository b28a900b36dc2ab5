#include "core/input_files.h"

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "core/json_util.h"

namespace archgym {

void ContentDigest::add(std::string_view bytes) {
  for (const char c : bytes) {
    hash_ ^= static_cast<unsigned char>(c);
    hash_ *= 1099511628211ull;
  }
}

std::string ContentDigest::text() const {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash_));
  return std::string("fnv1a64:") + hex;
}

std::string file_digest(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read input file '" + path + "'");
  ContentDigest digest;
  char buf[1 << 16];
  while (in) {
    in.read(buf, sizeof buf);
    digest.add(std::string_view(buf, static_cast<std::size_t>(in.gcount())));
  }
  if (in.bad()) throw std::runtime_error("error reading input file '" + path + "'");
  return digest.text();
}

std::string absolute_path(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path absolute = fs::absolute(path, ec);
  if (ec) return path;
  // ".." after a symbolic link leads out of the link's target, not back to where the link
  // is, so only the file system can resolve it; without ".." the lexical form is exact.
  for (const auto& part : absolute)
    if (part == "..") {
      const fs::path resolved = fs::weakly_canonical(absolute, ec);
      return ec ? absolute.string() : resolved.string();
    }
  return absolute.lexically_normal().string();
}

std::string inputs_json(const std::vector<InputFile>& files) {
  detail::ojson j = detail::ojson::object();
  // Absolute, so the record says which file even for a relative option.
  for (const auto& f : files)
    j[f.role] = {{"path", absolute_path(f.path)}, {"digest", f.digest.empty() ? file_digest(f.path) : f.digest}};
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

std::string options_besides_inputs(const std::string& env_config, const std::string& inputs) {
  if (inputs.empty()) return env_config;
  auto options = detail::parse_json(env_config, "env options");
  const auto files = detail::parse_json(inputs, "recorded inputs");
  for (const auto& [role, entry] : files.items()) options.erase(role);
  return options.dump();
}

bool same_options_besides_inputs(const std::string& env_config_a, const std::string& inputs_a,
                                 const std::string& env_config_b, const std::string& inputs_b) {
  // Identical text first: a run of an older build (no inputs recorded) keeps every option.
  return env_config_a == env_config_b ||
         options_besides_inputs(env_config_a, inputs_a) == options_besides_inputs(env_config_b, inputs_b);
}

std::string option_differences(const std::string& env_config_a, const std::string& inputs_a, const std::string& a,
                               const std::string& env_config_b, const std::string& inputs_b, const std::string& b) {
  try {
    const auto x = detail::parse_json(options_besides_inputs(env_config_a, inputs_a), "env options");
    const auto y = detail::parse_json(options_besides_inputs(env_config_b, inputs_b), "env options");
    if (!x.is_object() || !y.is_object()) throw std::invalid_argument("not an object");
    std::vector<std::string> keys;
    for (const auto& [k, v] : x.items()) keys.push_back(k);
    for (const auto& [k, v] : y.items())
      if (!x.contains(k)) keys.push_back(k);
    std::string out;
    for (const auto& k : keys) {
      const std::string va = x.contains(k) ? x[k].dump() : "unset", vb = y.contains(k) ? y[k].dump() : "unset";
      if (va != vb) out += (out.empty() ? "" : "; ") + k + ": " + va + " in " + a + ", " + vb + " in " + b;
    }
    if (!out.empty()) return out;
  } catch (const std::exception&) {  // shown whole below
  }
  return env_config_a + " in " + a + ", " + env_config_b + " in " + b;
}

bool names_input_relatively(const std::string& env_config, const std::string& inputs) {
  namespace fs = std::filesystem;
  if (inputs.empty()) return false;
  const auto options = detail::parse_json(env_config, "env options");
  const auto files = detail::parse_json(inputs, "recorded inputs");
  for (const auto& [role, entry] : files.items()) {
    if (!options.contains(role) || !options[role].is_string() || !entry.is_object() || !entry.contains("path") ||
        !entry["path"].is_string())
      continue;
    const fs::path value = options[role].get<std::string>();
    // The same file name: a path to the file, not a name the env resolves (workload=stream).
    if (value.is_relative() && value.filename() == fs::path(entry["path"].get<std::string>()).filename())
      return true;
  }
  return false;
}

}  // namespace archgym

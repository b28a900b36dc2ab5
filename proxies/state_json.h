#pragma once
// Reading a proxy model's saved state (ProxyModel::load_state): shared by the models so
// every problem is reported the same way, naming the model, where and the field, and a
// damaged file is rejected instead of followed. `prefix` is the model's message prefix,
// e.g. "proxy model 'knn': "; `where` names the object read ("the state", "tree 3").
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/strict_json.h"

namespace archgym::state_json {

using json = nlohmann::json;

inline json parse_object(const std::string& text, const std::string& prefix) {
  json j;
  try {
    j = archgym::detail::parse_strict<json>(text);
  } catch (const std::invalid_argument& e) {  // nested too deep, a key given twice
    throw std::invalid_argument(prefix + "state: " + e.what());
  } catch (const std::exception& e) {
    throw std::invalid_argument(prefix + "state is not valid JSON (" + e.what() + ")");
  }
  if (!j.is_object()) throw std::invalid_argument(prefix + "the state must be a JSON object");
  return j;
}

inline const json& field(const json& j, const std::string& name, const std::string& prefix,
                         const std::string& where = "the state") {
  if (!j.is_object()) throw std::invalid_argument(prefix + where + " must be a JSON object");
  auto it = j.find(name);
  if (it == j.end()) throw std::invalid_argument(prefix + where + " has no field '" + name + "'");
  return *it;
}

inline const json& array_field(const json& j, const std::string& name, const std::string& prefix,
                               const std::string& where = "the state") {
  const json& v = field(j, name, prefix, where);
  if (!v.is_array()) throw std::invalid_argument(prefix + where + ": field '" + name + "' must be an array");
  return v;
}

// A non-empty list of names (features, metrics).
inline std::vector<std::string> names_field(const json& j, const std::string& name, const std::string& prefix) {
  std::vector<std::string> out;
  for (const json& v : array_field(j, name, prefix)) {
    if (!v.is_string()) throw std::invalid_argument(prefix + "field '" + name + "' must list strings");
    out.push_back(v.get<std::string>());
  }
  if (out.empty()) throw std::invalid_argument(prefix + "field '" + name + "' is empty");
  return out;
}

// The state says which model wrote it; another model's state is refused.
inline void require_model(const json& j, const std::string& model, const std::string& prefix) {
  const json& v = field(j, "model", prefix);
  if (!v.is_string() || v.get<std::string>() != model)
    throw std::invalid_argument(prefix + "field 'model' must be \"" + model + "\", got " + v.dump());
}

}  // namespace archgym::state_json

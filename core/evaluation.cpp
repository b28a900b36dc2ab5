#include "core/evaluation.h"

#include <stdexcept>
#include <vector>

#include "core/text.h"

namespace archgym {

double Evaluation::metric(const std::string& name) const {
  if (auto it = metrics.find(name); it != metrics.end()) return it->second;
  std::vector<std::string> names;
  for (const auto& [n, v] : metrics) names.push_back(n);
  if (!valid)
    throw std::invalid_argument("metric '" + name + "' is not available: the design is invalid (" +
                                invalid_reason + ")");
  throw std::invalid_argument("unknown metric '" + name + "'" + did_you_mean(name, names) +
                              "; available metrics: " + join(names));
}

}  // namespace archgym

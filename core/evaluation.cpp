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
  // A target's metric the evaluation lacks (a dict scored by hand) or a misspelt name.
  throw std::invalid_argument("the evaluation has no metric '" + name + "'" + did_you_mean(name, names) +
                              "; its metrics: " + (names.empty() ? "(none)" : join(names)));
}

}  // namespace archgym

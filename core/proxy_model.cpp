#include "core/proxy_model.h"

#include <cmath>
#include <stdexcept>

namespace archgym {

std::vector<double> proxy_features(const DesignSpace& space, const Design& d) {
  if (d.values.size() != space.dimension())
    throw std::invalid_argument("proxy features: the design has " + std::to_string(d.values.size()) +
                                " values but the space has " + std::to_string(space.dimension()) + " parameters");
  std::vector<double> out;
  out.reserve(space.dimension());
  for (std::size_t i = 0; i < space.dimension(); ++i) {
    const Parameter& p = space.parameter(i);
    if (p.kind() == Parameter::Kind::Categorical) {
      const std::size_t hot = p.index_of(d.values[i]);
      for (std::size_t k = 0; k < p.cardinality(); ++k) out.push_back(k == hot ? 1.0 : 0.0);
    } else {
      out.push_back(p.to_unit(d.values[i]));
    }
  }
  return out;
}

std::vector<std::string> proxy_feature_names(const DesignSpace& space) {
  std::vector<std::string> out;
  for (const Parameter& p : space.parameters()) {
    if (p.kind() == Parameter::Kind::Categorical) {
      for (const Value& v : p.values()) out.push_back(p.name() + "=" + to_string(v));
    } else {
      out.push_back(p.name());
    }
  }
  return out;
}

void check_training_set(const ProxyTrainingSet& data, std::size_t min_rows, const std::string& model) {
  const std::string where = "proxy model '" + model + "': ";
  if (data.metric_names.empty()) throw std::invalid_argument(where + "the training set names no metric");
  if (data.targets.size() != data.features.size())
    throw std::invalid_argument(where + std::to_string(data.features.size()) + " feature rows but " +
                                std::to_string(data.targets.size()) + " target rows");
  if (data.rows() < min_rows)
    throw TooFewTrainingRows(where + "needs at least " + std::to_string(min_rows) +
                                " training rows, got " + std::to_string(data.rows()));
  for (std::size_t r = 0; r < data.rows(); ++r) {
    if (data.features[r].size() != data.feature_names.size())
      throw std::invalid_argument(where + "row " + std::to_string(r) + " has " +
                                  std::to_string(data.features[r].size()) + " features, expected " +
                                  std::to_string(data.feature_names.size()));
    if (data.targets[r].size() != data.metric_names.size())
      throw std::invalid_argument(where + "row " + std::to_string(r) + " has " +
                                  std::to_string(data.targets[r].size()) + " metric values, expected " +
                                  std::to_string(data.metric_names.size()));
    for (std::size_t c = 0; c < data.features[r].size(); ++c)
      if (!std::isfinite(data.features[r][c]))
        throw std::invalid_argument(where + "row " + std::to_string(r) + ": feature '" +
                                    data.feature_names[c] + "' is not finite");
    for (std::size_t m = 0; m < data.targets[r].size(); ++m)
      if (!std::isfinite(data.targets[r][m]))
        throw std::invalid_argument(where + "row " + std::to_string(r) + ": metric '" +
                                    data.metric_names[m] + "' is not finite");
  }
}

}  // namespace archgym

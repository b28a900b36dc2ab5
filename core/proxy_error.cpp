#include "core/proxy_error.h"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace archgym {

std::vector<ProxyError> proxy_errors(const std::vector<std::string>& metric_names,
                                     const std::vector<std::vector<double>>& predicted,
                                     const std::vector<std::vector<double>>& truth) {
  if (predicted.size() != truth.size())
    throw std::invalid_argument("proxy errors: " + std::to_string(predicted.size()) + " predictions for " +
                                std::to_string(truth.size()) + " true rows");
  if (truth.empty()) throw std::invalid_argument("proxy errors: no rows to compare");
  for (std::size_t r = 0; r < truth.size(); ++r)
    if (predicted[r].size() != metric_names.size() || truth[r].size() != metric_names.size())
      throw std::invalid_argument("proxy errors: row " + std::to_string(r) + " does not have one value per metric (" +
                                  std::to_string(metric_names.size()) + ")");
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<ProxyError> out;
  for (std::size_t m = 0; m < metric_names.size(); ++m) {
    const double n = static_cast<double>(truth.size());
    double mean = 0;
    for (const auto& row : truth) mean += row[m];
    mean /= n;
    double abs_sum = 0, sq_sum = 0, total_sq = 0, pct_sum = 0;
    std::size_t pct_rows = 0;
    // R^2 of a constant metric is undefined. Test the values themselves: the mean of n equal
    // values is not always that value in floating point, which left a total sum of squares
    // of ~1e-28 and an R^2 of -1e27.
    bool constant = true;
    for (std::size_t r = 0; r < truth.size(); ++r) {
      constant = constant && truth[r][m] == truth[0][m];
      const double err = predicted[r][m] - truth[r][m];
      abs_sum += std::fabs(err);
      sq_sum += err * err;
      total_sq += (truth[r][m] - mean) * (truth[r][m] - mean);
      if (truth[r][m] != 0) {
        pct_sum += std::fabs(err / truth[r][m]);
        ++pct_rows;
      }
    }
    ProxyError e;
    e.metric = metric_names[m];
    e.rows = truth.size();
    e.mae = abs_sum / n;
    e.rmse = std::sqrt(sq_sum / n);
    e.r2 = constant || !(total_sq > 0) ? nan : 1 - sq_sum / total_sq;
    e.mape = pct_rows ? 100 * pct_sum / static_cast<double>(pct_rows) : nan;
    out.push_back(e);
  }
  return out;
}

}  // namespace archgym

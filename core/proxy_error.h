#pragma once
// How far a proxy's predictions are from the simulator's metrics, per metric.
#include <string>
#include <vector>

namespace archgym {

struct ProxyError {
  std::string metric;
  std::size_t rows = 0;
  double mae = 0;   // mean absolute error, in the metric's unit
  double rmse = 0;  // root mean squared error
  double r2 = 0;    // coefficient of determination (1 = perfect; 0 = the mean; NaN for a constant truth)
  double mape = 0;  // mean absolute error in percent of the truth, over rows whose truth is not 0 (NaN if none)
};

// predicted[row][metric] against truth[row][metric]; throws std::invalid_argument for
// mismatched shapes or no rows.
std::vector<ProxyError> proxy_errors(const std::vector<std::string>& metric_names,
                                     const std::vector<std::vector<double>>& predicted,
                                     const std::vector<std::vector<double>>& truth);

}  // namespace archgym

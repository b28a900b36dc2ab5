#include "core/env.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <string>
#include <vector>

#include "core/text.h"

namespace archgym {

Evaluation evaluate_checked(const Env& env, const Design& d) {
  if (auto problem = env.space().check(d)) return Evaluation::invalid("design outside the space: " + *problem);
  const auto start = std::chrono::steady_clock::now();
  Evaluation e;
  try {
    e = env.evaluate(d);
  } catch (const std::exception& ex) {
    e = Evaluation::invalid(std::string("evaluation failed: ") + ex.what());
  } catch (...) {
    e = Evaluation::invalid("evaluation failed: unknown exception");
  }
  if (e.sim_seconds == 0)
    e.sim_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!e.valid && e.invalid_reason.empty()) e.invalid_reason = "invalid (the env gave no reason)";
  if (e.valid) {
    const auto& names = env.sorted_metric_names();
    const bool same = e.metrics.size() == names.size() &&
                      std::equal(names.begin(), names.end(), e.metrics.begin(),
                                 [](const std::string& n, const auto& m) { return n == m.first; });
    if (!same) {
      std::vector<std::string> reported;
      for (const auto& [name, value] : e.metrics) reported.push_back(name);
      const double seconds = e.sim_seconds;
      e = Evaluation::invalid("the env reported the metrics {" + join(reported) + "} but declares {" + join(names) +
                              "} (metric_names()): a bug in the env");
      e.sim_seconds = seconds;
    }
  }
  if (e.valid) {
    // Stored as JSON null, a non-finite metric would make a "valid" row without that metric
    // (e.g. a proxy whose trees' leaf values overflow when averaged).
    for (const auto& [name, value] : e.metrics)
      if (!std::isfinite(value)) {
        const double seconds = e.sim_seconds;
        e = Evaluation::invalid("the env reported " + name + " = " + format_double(value) + ", not a finite number");
        e.sim_seconds = seconds;
        break;
      }
  }
  return e;
}

const std::vector<std::string>& Env::sorted_metric_names() const {
  std::call_once(metric_names_once_, [this] {
    sorted_metric_names_ = metric_names();
    std::sort(sorted_metric_names_.begin(), sorted_metric_names_.end());
  });
  return sorted_metric_names_;
}

}  // namespace archgym

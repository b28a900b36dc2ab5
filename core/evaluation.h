#pragma once
// The outcome of simulating one design.
#include <map>
#include <string>

namespace archgym {

struct Evaluation {
  // Metric name (with its unit, e.g. "energy_uJ", "latency_ms") -> value.
  std::map<std::string, double> metrics;
  bool valid = true;
  std::string invalid_reason;   // set when !valid (impossible design, simulator error)
  double sim_seconds = 0;       // wall time spent in the simulator

  static Evaluation invalid(std::string reason) {
    Evaluation e;
    e.valid = false;
    e.invalid_reason = std::move(reason);
    return e;
  }
  double metric(const std::string& name) const;  // throws listing the available metrics
};

}  // namespace archgym

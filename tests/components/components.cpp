// Test-only components, linked into a CLI and a Python module of their own (see
// CMakeLists.txt) to test, through every front end, what the registry refuses of a
// component a user adds in a new file.
#include <cstdlib>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "core/registry.h"

namespace {

using namespace archgym;

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) out.push_back(item);
  return out;
}

// Knobs and metrics named by its options: what a space option (the dram env's
// space=extended) can do to the names of a real env's knobs and metrics.
class NamedColumns final : public Env {
 public:
  explicit NamedColumns(const Options& o) : metrics_(split(o.string("metrics"))) {
    for (const auto& knob : split(o.string("knobs"))) space_.add(Parameter::integer(knob, 0, 3));
  }
  const DesignSpace& space() const override { return space_; }
  std::vector<std::string> metric_names() const override { return metrics_; }
  Evaluation evaluate(const Design& d) const override {
    double sum = 0;
    for (const auto& v : d.values) sum += static_cast<double>(std::get<std::int64_t>(v));
    Evaluation e;
    for (const auto& m : metrics_) e.metrics[m] = sum + 1;
    return e;
  }
  Objective default_objective() const override {
    return Objective(Formulation::NormalisedCost, {{metrics_.at(0), 1.0, 1.0}});
  }

 private:
  DesignSpace space_;
  std::vector<std::string> metrics_;
};

const EnvRegistrar named_columns{
    "named_columns", "Test-only env whose knob and metric names are options",
    Schema()
        .string("knobs", "x,y", "its knobs' names, comma-separated")
        .string("metrics", "cost_u", "its metrics' names, comma-separated"),
    [](const Options& o) { return std::make_unique<NamedColumns>(o); }};

// Registration mistakes a user could make in a new file, made only when a test sets
// ARCHGYM_TEST_MISREGISTER before the program starts (so that one binary serves both).
const bool misregistered = [] {
  if (std::getenv("ARCHGYM_TEST_MISREGISTER") == nullptr) return false;
  auto no_env = [](const Options&) -> std::unique_ptr<Env> { return nullptr; };  // never built
  static const AgentRegistrar ga_again{
      "ga", "a second agent 'ga'", Schema(), [](const AgentContext&) -> std::unique_ptr<Agent> { return nullptr; }};
  static const EnvRegistrar bad_default{"bad_default", "an option's default outside its range",
                                        Schema().integer("size", 0, 1, 8, "a size"), no_env};
  static const EnvRegistrar d_r_a_m{"d_r_a_m", "the gymnasium id of env 'dram'", Schema(), no_env};
  return true;
}();

}  // namespace

#pragma once
// An environment: a simulator seen as a design space, metrics and a default
// objective. One evaluate() call is one design.
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/design_space.h"
#include "core/evaluation.h"
#include "core/input_files.h"
#include "core/objective.h"
#include "core/options.h"

namespace archgym {

class Env {
 public:
  virtual ~Env() = default;
  virtual const DesignSpace& space() const = 0;
  // Every metric evaluate() reports, with units in the names.
  virtual std::vector<std::string> metric_names() const = 0;
  // Deterministic, and safe to call from several threads at once. An impossible
  // design returns Evaluation::invalid(reason); it never throws for a design in the space.
  virtual Evaluation evaluate(const Design& d) const = 0;
  // The reward ArchGym used for this env (formulation and default targets).
  virtual Objective default_objective() const = 0;
  // A design a user would start from (e.g. the simulator's defaults).
  virtual Design default_design() const { return space().from_unit(std::vector<double>(space().dimension(), 0.0)); }
  // The files the results depend on beyond the options (trace, memspec, model...): a run
  // records their digests, and resuming after one changed is refused.
  virtual std::vector<InputFile> input_files() const { return {}; }
  // The options this env was built with, as a run records them: one spelling where several
  // name the same thing (a preset name in another case, an alias), so that runs which
  // compare are seen to (Store.searches, proxy training pool only runs of equal options).
  // Must build the same env again.
  virtual Options canonical_options(Options options) const { return options; }

 private:
  friend Evaluation evaluate_checked(const Env& env, const Design& d);
  // metric_names(), sorted, computed once: evaluate_checked compares every valid
  // evaluation's metrics with it (an env reporting other names would be stored, then fail
  // at a target or in proxy training far from the cause).
  const std::vector<std::string>& sorted_metric_names() const;
  mutable std::once_flag metric_names_once_;
  mutable std::vector<std::string> sorted_metric_names_;
};

// evaluate() as the runner and the gym view call it: a design outside the space (bad
// value, broken constraint) or an exception thrown by the env becomes an invalid
// Evaluation carrying the message, so a search never dies on one bad design.
// sim_seconds is filled with the measured wall time when the env left it at 0. A valid
// evaluation whose metrics are not exactly metric_names() is invalid, naming both (an env bug).
Evaluation evaluate_checked(const Env& env, const Design& d);

}  // namespace archgym

#pragma once
// Turns an Evaluation into a reward, with ArchGym's formulations so results compare.
//
//   TargetRatio    (ArchGym DRAM)  per metric t / |m - t|, joint = product; higher is better.
//                  Capped at `ratio_cap` per metric so an exact hit stays finite; a
//                  product beyond double's range (extreme targets) is kept in
//                  [smallest positive double, largest double].
//   NormalisedCost (ArchGym Timeloop) per metric max((m - t)/t, 0), joint = sum; lower is better.
//   BudgetDistance (ArchGym FARSI)  per metric |(m - b)/b| counted only when m > b, summed;
//                  lower is better.
//   WeightedSum    sum of weight_i * m_i / t_i (targets act as scales); lower is better.
//
// Invalid designs (and valid ones reporting a NaN/inf metric, or whose weighted sum
// adds +inf and -inf) get invalid_reward():
//   TargetRatio: -1 (every valid reward is a product of positive ratios, so > 0);
//   costs: -10 * cost_cap, with valid cost rewards clipped to [-cost_cap, cost_cap]
//   (default cost_cap 1e6), so an invalid design is always strictly the worst.
//
// Agents always maximise `reward`: for the cost formulations reward = -cost, so
// every agent sees "higher is better" and never maximises a distance by mistake.
#include <stdexcept>
#include <string>
#include <vector>

#include "core/evaluation.h"

namespace archgym {

enum class Formulation { TargetRatio, NormalisedCost, BudgetDistance, WeightedSum };

struct Target {
  std::string metric;
  double value = 0;    // target or budget (> 0)
  double weight = 1;   // WeightedSum only
};

// A refused target, carrying the metric it is about: a caller that knows where each
// target was given (a YAML line, a flag) points there without parsing the message.
struct TargetError : std::invalid_argument {
  TargetError(std::string metric_name, const std::string& message)
      : std::invalid_argument(message), metric(std::move(metric_name)) {}
  std::string metric;
};

struct Score {
  double reward = 0;        // higher is better, finite
  double raw = 0;           // the formulation's own value (product of ratios, or a cost); NaN when invalid
  bool target_met = false;  // see Objective::target_met
};

class Objective {
 public:
  Objective() = default;
  Objective(Formulation f, std::vector<Target> targets);

  Formulation formulation() const { return formulation_; }
  const std::vector<Target>& targets() const { return targets_; }
  // Replaces the target value of `metric` (throws if it is not an objective metric).
  void set_target(const std::string& metric, double value);
  void add_target(Target t);
  // Drops the target on `metric`; false if there was none.
  bool remove_target(const std::string& metric);

  Score score(const Evaluation& e) const;  // invalid evaluation -> invalid_reward(), never met
  // Reward given to invalid designs: finite and worse than any valid one.
  double invalid_reward() const;

  // TargetRatio: every metric within `tolerance` (relative) of its target.
  // Costs: every metric at or under its target/budget (cost == 0).
  double tolerance = 0.05;
  double ratio_cap = 1e6;  // TargetRatio per-metric cap
  double cost_cap = 1e6;   // cost formulations: |cost| is clipped here for the reward (raw is not)
  bool is_cost() const;    // every formulation but TargetRatio
  // The bounds of the three settings above, one place for every front end (setters,
  // from_json): each throws std::invalid_argument naming the setting and the value.
  static void check_tolerance(double v);  // finite, >= 0
  static void check_ratio_cap(double v);  // finite, > 0
  static void check_cost_cap(double v);   // > 0, with invalid_reward() (-10 x it) finite

  // Throws listing the metrics an env provides when a target names an unknown one.
  void check_metrics(const std::vector<std::string>& available) const;

  std::string to_json() const;
  static Objective from_json(const std::string& json);
  // Accepts "target_ratio", "TargetRatio", "target-ratio" (and "normalized"); throws listing names.
  static Formulation parse_formulation(const std::string& name);
  // "target_ratio", "normalised_cost", "budget_distance", "weighted_sum".
  static std::string formulation_name(Formulation f);

 private:
  Formulation formulation_ = Formulation::TargetRatio;
  std::vector<Target> targets_;
};

}  // namespace archgym

#include "core/objective.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/json_util.h"
#include "core/text.h"

namespace archgym {

namespace {

struct FormulationName {
  Formulation formulation;
  const char* name;
};
constexpr FormulationName kNames[] = {
    {Formulation::TargetRatio, "target_ratio"},
    {Formulation::NormalisedCost, "normalised_cost"},
    {Formulation::BudgetDistance, "budget_distance"},
    {Formulation::WeightedSum, "weighted_sum"},
};

void check_target(const Target& t) {
  if (t.metric.empty()) throw std::invalid_argument("objective: a target needs a metric name");
  // Subnormal targets are refused too: metric / target overflows for any real metric.
  if (!std::isfinite(t.value) || t.value < std::numeric_limits<double>::min())
    throw TargetError(t.metric, "objective: target for '" + t.metric + "' must be a finite number > 0 (at least " +
                                format_double(std::numeric_limits<double>::min()) + "), got " +
                                format_double(t.value));
  if (!std::isfinite(t.weight))
    throw TargetError(t.metric, "objective: weight for '" + t.metric + "' must be finite, got " +
                                    format_double(t.weight));
}

}  // namespace

Objective::Objective(Formulation f, std::vector<Target> targets) : formulation_(f) {
  for (auto& t : targets) add_target(std::move(t));
}

void Objective::add_target(Target t) {
  check_target(t);
  for (const auto& existing : targets_)
    if (existing.metric == t.metric)
      throw TargetError(t.metric, "objective: metric '" + t.metric + "' has two targets");
  targets_.push_back(std::move(t));
}

void Objective::set_target(const std::string& metric, double value) {
  for (auto& t : targets_) {
    if (t.metric != metric) continue;
    Target updated = t;
    updated.value = value;
    check_target(updated);
    t = updated;
    return;
  }
  std::vector<std::string> names;
  for (const auto& t : targets_) names.push_back(t.metric);
  throw TargetError(metric, "objective: '" + metric + "' is not an objective metric" +
                                did_you_mean(metric, names) + "; objective metrics: " + join(names));
}

bool Objective::remove_target(const std::string& metric) {
  return std::erase_if(targets_, [&](const Target& t) { return t.metric == metric; }) > 0;
}

bool Objective::is_cost() const { return formulation_ != Formulation::TargetRatio; }

void Objective::check_tolerance(double v) {
  if (!(std::isfinite(v) && v >= 0))
    throw std::invalid_argument("objective: tolerance must be a finite number >= 0, got " + format_double(v));
}

void Objective::check_ratio_cap(double v) {
  if (!(std::isfinite(v) && v > 0))
    throw std::invalid_argument("objective: ratio_cap must be a finite number > 0, got " + format_double(v));
}

void Objective::check_cost_cap(double v) {
  // invalid_reward() is -10 x cost_cap and must stay finite.
  if (!(v > 0 && std::isfinite(10 * v)))
    throw std::invalid_argument("objective: cost_cap must be a number > 0 and at most " +
                                format_double(std::numeric_limits<double>::max() / 10) + ", got " +
                                format_double(v));
}

double Objective::invalid_reward() const {
  // TargetRatio rewards are products of positive ratios, so any valid design scores > 0.
  // Cost rewards are -min(cost, cost_cap) >= -cost_cap.
  return is_cost() ? -10.0 * cost_cap : -1.0;
}

Score Objective::score(const Evaluation& e) const {
  Score s;
  if (!e.valid) {
    s.reward = invalid_reward();
    s.raw = std::nan("");
    return s;
  }
  if (targets_.empty()) throw std::logic_error("objective: no targets to score against");
  double raw = formulation_ == Formulation::TargetRatio ? 1.0 : 0.0;
  const auto ratio_of = [&](const Target& t, double m) {  // TargetRatio, one metric
    const double distance = std::abs(m - t.value);
    return distance == 0 ? ratio_cap : std::min(t.value / distance, ratio_cap);
  };
  bool met = true;
  for (const auto& t : targets_) {
    const double m = e.metric(t.metric);  // throws listing the evaluation's metrics
    if (!std::isfinite(m)) {
      // A simulator that reports NaN/inf has failed; it must never look good.
      s.reward = invalid_reward();
      s.raw = std::nan("");
      return s;
    }
    switch (formulation_) {
      case Formulation::TargetRatio: {
        raw *= ratio_of(t, m);
        met = met && std::abs(m - t.value) <= tolerance * t.value;
        break;
      }
      case Formulation::NormalisedCost:
        raw += std::max((m - t.value) / t.value, 0.0);
        met = met && m <= t.value;
        break;
      case Formulation::BudgetDistance:
        if (m > t.value) raw += std::abs((m - t.value) / t.value);
        met = met && m <= t.value;
        break;
      case Formulation::WeightedSum:
        raw += t.weight * m / t.value;
        met = met && m <= t.value;
        break;
    }
  }
  // Extreme targets can take the sum or product out of double's range. A product that
  // overflowed (or underflowed to 0, or both: inf x 0) is taken from its log instead and
  // kept finite and > 0; a weighted sum of +inf and -inf has no value: scored as invalid.
  // (The logs are summed only then, in a second pass: off the common path.)
  if (formulation_ == Formulation::TargetRatio && !(raw > 0 && std::isfinite(raw))) {
    double log_raw = 0;
    for (const auto& t : targets_) log_raw += std::log(ratio_of(t, e.metric(t.metric)));
    raw = std::clamp(std::exp(log_raw), std::numeric_limits<double>::denorm_min(), std::numeric_limits<double>::max());
  }
  if (std::isnan(raw)) {
    s.reward = invalid_reward();
    s.raw = raw;
    return s;
  }
  s.raw = raw;
  s.target_met = met;
  // + 0.0: a cost of 0 (every target met) is reward 0, not -0 (printed "-0").
  s.reward = is_cost() ? -std::clamp(raw, -cost_cap, cost_cap) + 0.0 : raw;
  return s;
}

void Objective::check_metrics(const std::vector<std::string>& available) const {
  for (const auto& t : targets_)
    if (std::find(available.begin(), available.end(), t.metric) == available.end())
      throw TargetError(t.metric, "objective: unknown metric '" + t.metric + "'" +
                                      did_you_mean(t.metric, available) + "; available metrics: " +
                                      join(available));
}

std::string Objective::to_json() const {
  detail::ojson j;
  j["formulation"] = formulation_name(formulation_);
  j["targets"] = detail::ojson::array();
  for (const auto& t : targets_) j["targets"].push_back({{"metric", t.metric}, {"value", t.value}, {"weight", t.weight}});
  j["tolerance"] = tolerance;
  j["ratio_cap"] = ratio_cap;
  j["cost_cap"] = cost_cap;
  return j.dump();
}

Objective Objective::from_json(const std::string& json) {
  const auto j = detail::parse_json(json, "objective");
  try {
    Objective o(parse_formulation(j.at("formulation").get<std::string>()), {});
    for (const auto& t : j.at("targets"))
      o.add_target({t.at("metric").get<std::string>(), t.at("value").get<double>(), t.value("weight", 1.0)});
    o.tolerance = j.value("tolerance", o.tolerance);
    o.ratio_cap = j.value("ratio_cap", o.ratio_cap);
    o.cost_cap = j.value("cost_cap", o.cost_cap);
    check_tolerance(o.tolerance);  // (targets and weights were checked by add_target)
    check_ratio_cap(o.ratio_cap);
    check_cost_cap(o.cost_cap);
    return o;
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(std::string("objective: malformed JSON (") + e.what() + ")");
  }
}

Formulation Objective::parse_formulation(const std::string& name) {
  // Spelling-tolerant: "target_ratio", "TargetRatio", "target-ratio", "normalized_cost".
  auto squash = [](const std::string& text) {
    std::string out;
    for (char c : to_lower(text))
      if (c != '_' && c != '-' && c != ' ') out += c;
    return out == "normalizedcost" ? std::string("normalisedcost") : out;
  };
  const std::string key = squash(name);
  std::vector<std::string> names;
  for (const auto& n : kNames) {
    if (key == squash(n.name)) return n.formulation;
    names.push_back(n.name);
  }
  throw std::invalid_argument("unknown reward formulation '" + name + "'" + did_you_mean(name, names) +
                              "; known formulations: " + join(names));
}

std::string Objective::formulation_name(Formulation f) {
  for (const auto& n : kNames)
    if (n.formulation == f) return n.name;
  return "unknown";
}

}  // namespace archgym

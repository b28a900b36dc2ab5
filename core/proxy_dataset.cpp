#include "core/proxy_dataset.h"

#include "core/input_files.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <stdexcept>

#include "core/build_label.h"
#include "core/json_util.h"
#include "core/registry.h"
#include "core/rng.h"
#include "core/text.h"

namespace archgym {
namespace {

std::vector<std::int64_t> all_run_ids(const Store& store) {
  std::vector<std::int64_t> ids;
  for (const auto& r : store.runs()) ids.push_back(r.id);
  return ids;
}

std::string run_label(const Store& store, std::int64_t id) {
  return store.path() + ": run " + std::to_string(id);
}

// Whether runs of two records may train together: same env and options, and the same input
// contents where both recorded them (a run of an older build matches either of two that differ).
bool same_configuration(const std::string& env_a, const std::string& config_a, const std::string& inputs_a,
                        const std::string& env_b, const std::string& config_b, const std::string& inputs_b) {
  return env_a == env_b && same_options_besides_inputs(config_a, inputs_a, config_b, inputs_b) &&
         (inputs_a.empty() || inputs_b.empty() || changed_inputs(inputs_a, inputs_b).empty());
}

}  // namespace

ProxyDataset load_proxy_dataset(const Store& store, const std::vector<std::int64_t>& run_ids) {
  ProxyDataset data;
  data.runs = run_ids.empty() ? all_run_ids(store) : run_ids;
  if (data.runs.empty()) throw std::invalid_argument(store.path() + ": the store holds no runs to learn from");

  std::vector<RunRecord> records;
  for (std::size_t i = 0; i < data.runs.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (data.runs[i] == data.runs[j])  // its rows would count twice
        throw std::invalid_argument(store.path() + ": run " + std::to_string(data.runs[i]) +
                                    " is listed more than once");
  for (std::int64_t id : data.runs) records.push_back(store.require_run(id));
  const RunRecord& first = records.front();
  // The inputs are compared with those of the first run that recorded them (runs of older
  // builds did not), so such a run listed first does not switch the check off.
  const auto with_inputs = std::find_if(records.begin(), records.end(), [](const RunRecord& r) { return !r.inputs.empty(); });
  // Options that name input files are compared by the files' contents, not by path.
  // Why run r has another env configuration than the first run, or "" if it has the same.
  auto differs = [&](const RunRecord& r) -> std::string {
    if (r.env != first.env)
      return run_label(store, r.id) + " is env '" + r.env + "' but " + run_label(store, first.id) + " is env '" +
             first.env + "'";
    if (!same_options_besides_inputs(r.env_config, r.inputs, first.env_config, first.inputs))
      return store.path() + ": runs " + std::to_string(r.id) + " and " + std::to_string(first.id) +
             " have other options of env '" + r.env + "' (" +
             option_differences(r.env_config, r.inputs, "run " + std::to_string(r.id), first.env_config,
                                first.inputs, "run " + std::to_string(first.id)) +
             ")";
    if (r.inputs.empty()) return "";
    const RunRecord& reference = *with_inputs;
    const std::string run = "run " + std::to_string(r.id), first_run = "run " + std::to_string(reference.id);
    const std::string changed = changed_inputs(reference.inputs, r.inputs, "in " + first_run, "in " + run);
    return changed.empty() ? "" : store.path() + ": " + run + " and " + first_run + " read different input files (" +
                                      changed + ")";
  };
  auto compatible = [](const RunRecord& a, const RunRecord& b) {
    return same_configuration(a.env, a.env_config, a.inputs, b.env, b.env_config, b.inputs);
  };
  for (const RunRecord& r : records)
    if (const std::string why = differs(r); !why.empty()) {
      // What the user can train on instead: the runs in groups that may train together
      // (each run joins the first group it is compatible with throughout).
      std::vector<std::vector<const RunRecord*>> groups;
      for (const RunRecord& q : records) {
        auto fits = [&](const std::vector<const RunRecord*>& g) {
          return std::all_of(g.begin(), g.end(), [&](const RunRecord* m) { return compatible(q, *m); });
        };
        const auto g = std::find_if(groups.begin(), groups.end(), fits);
        if (g == groups.end()) groups.push_back({&q});
        else g->push_back(&q);
      }
      std::vector<std::string> listed;
      for (const auto& g : groups) {
        std::vector<std::string> ids;
        for (const RunRecord* m : g) ids.push_back(std::to_string(m->id));
        listed.push_back(join(ids));
      }
      throw std::invalid_argument(why + "; a proxy learns one env configuration, so train on runs that share one (" +
                                  (run_ids.empty() ? "the store's runs" : "the runs given") +
                                  " by configuration: " + join(listed, " | ") + ")");
    }
  data.env = first.env;
  data.env_config = first.env_config;
  if (with_inputs != records.end()) data.inputs = with_inputs->inputs;
  data.source = rebuild_env(data.env, data.env_config, run_label(store, first.id));
  data.metric_names = data.source->metric_names();
  const DesignSpace& space = data.source->space();

  std::error_code ec;
  const auto absolute = std::filesystem::absolute(store.path(), ec);
  data.store = ec ? store.path() : absolute.lexically_normal().string();
  for (const RunRecord& r : records) {
    const std::vector<EvaluationRecord> rows = store.evaluations(r.id);
    data.source_runs.push_back({r.id, store.observed_status(r), rows.size(), r.budget, build_label(r.version, r.git_commit)});
    for (const EvaluationRecord& e : rows) {
      if (!e.valid) {
        ++data.skipped_invalid;
        continue;
      }
      const std::string where = run_label(store, r.id) + ", evaluation " + std::to_string(e.index);
      Design design;
      try {
        design = space.from_json(e.design);
      } catch (const std::exception& ex) {
        throw std::invalid_argument(where + ": the stored design does not fit env '" + data.env +
                                    "' any more: " + ex.what() + " (recorded by archgym " + r.version +
                                    " with another design space? then choose other runs: --runs)");
      }
      const auto metrics = detail::parse_json(e.metrics, where + " metrics");
      std::vector<double> row;
      for (const std::string& m : data.metric_names) {
        if (!metrics.contains(m) || !(metrics[m].is_number() || metrics[m].is_null()))
          throw std::invalid_argument(where + ": metric '" + m + "' is missing or not a number");
        row.push_back(metrics[m].is_null() ? std::numeric_limits<double>::quiet_NaN() : metrics[m].get<double>());
      }
      if (std::any_of(row.begin(), row.end(), [](double v) { return !std::isfinite(v); })) {
        ++data.skipped_unmeasured;
        continue;
      }
      data.designs.push_back(std::move(design));
      data.targets.push_back(std::move(row));
    }
  }
  return data;
}

std::vector<std::int64_t> runs_with_config(const Store& store, const std::string& env, const std::string& env_config,
                                           const std::string& inputs) {
  std::vector<std::int64_t> ids;
  for (const auto& r : store.runs())
    if (same_configuration(r.env, r.env_config, r.inputs, env, env_config, inputs)) ids.push_back(r.id);
  return ids;
}

void check_test_fraction(double test_fraction) {
  if (!(test_fraction >= 0 && test_fraction <= 0.9))  // NaN fails too
    throw std::invalid_argument("test fraction must be in [0, 0.9], got " + format_double(test_fraction));
}

ProxySplit split_proxy_dataset(const ProxyDataset& data, double test_fraction, std::uint64_t seed) {
  check_test_fraction(test_fraction);
  // Group rows by design (first-seen order keeps it deterministic), shuffle the groups,
  // and hand whole groups to the test side until it holds its share of the rows.
  std::map<std::vector<Value>, std::size_t> group_of;
  std::vector<std::vector<std::size_t>> groups;
  for (std::size_t i = 0; i < data.rows(); ++i) {
    auto [it, fresh] = group_of.emplace(data.designs[i].values, groups.size());
    if (fresh) groups.emplace_back();
    groups[it->second].push_back(i);
  }
  Rng rng(seed);
  for (std::size_t i = groups.size(); i > 1; --i) std::swap(groups[i - 1], groups[rng.below(i)]);

  const auto wanted = static_cast<std::size_t>(test_fraction * static_cast<double>(data.rows()) + 0.5);
  ProxySplit split;
  for (std::size_t k = 0; k < groups.size(); ++k) {
    // The last group always trains, so a model never has nothing to learn from.
    const bool to_test = split.test.size() < wanted && k + 1 < groups.size();
    auto& side = to_test ? split.test : split.train;
    side.insert(side.end(), groups[k].begin(), groups[k].end());
  }
  std::sort(split.train.begin(), split.train.end());
  std::sort(split.test.begin(), split.test.end());
  return split;
}

}  // namespace archgym

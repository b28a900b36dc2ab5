#include "core/run_columns.h"

#include <algorithm>
#include <exception>

#include "core/registry.h"

namespace archgym {

Store::Columns run_columns(const RunRecord& run) {
  Store::Columns c;
  try {
    const auto env = rebuild_env(run.env, run.env_config, "run");
    for (const auto& p : env->space().parameters()) c.design.push_back(p.name());
    c.metrics = env->metric_names();
    std::sort(c.metrics.begin(), c.metrics.end());
  } catch (const std::exception&) {
    return {};
  }
  return c;
}

}  // namespace archgym

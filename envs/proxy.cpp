// The proxy environment: a trained proxy model (`archgym proxy train`) behind the same
// design space, metrics and objective as the env it learned from, answering in
// microseconds instead of simulating. Agents, the runner, the store and gymnasium use
// it like any other env, so a search can be rehearsed on the proxy and its best designs
// confirmed on the simulator.
#include <memory>
#include <stdexcept>
#include <string>

#include "core/env.h"
#include "core/registry.h"
#include "core/trained_proxy.h"

namespace archgym {
namespace {

class ProxyEnv final : public Env {
 public:
  explicit ProxyEnv(const Options& o) {
    const std::string& path = o.string("model");
    if (path.empty())
      throw std::invalid_argument("env 'proxy': option 'model' is required: the path of a model file "
                                  "written by `archgym proxy train`");
    proxy_ = std::make_shared<const TrainedProxy>(TrainedProxy::load(path));
    model_path_ = path;
  }

  // With the digest of the bytes load() parsed: the record describes the model this env
  // serves even if the file is replaced meanwhile.
  std::vector<InputFile> input_files() const override { return {{"model", model_path_, proxy_->loaded_digest()}}; }

  const DesignSpace& space() const override { return proxy_->source_env().space(); }
  std::vector<std::string> metric_names() const override { return proxy_->metric_names(); }
  Objective default_objective() const override { return proxy_->source_env().default_objective(); }
  Design default_design() const override { return proxy_->source_env().default_design(); }

  // evaluate_checked() times it (sim_seconds) like any env.
  Evaluation evaluate(const Design& d) const override {
    const std::vector<double> values = proxy_->predict(d);
    Evaluation e;
    for (std::size_t m = 0; m < values.size(); ++m) e.metrics[proxy_->metric_names()[m]] = values[m];
    return e;
  }

 private:
  std::shared_ptr<const TrainedProxy> proxy_;
  std::string model_path_;
};

Schema proxy_env_schema() {
  Schema s;
  s.string("model", "", "path of a proxy model file written by `archgym proxy train` (required)");
  return s;
}

const EnvRegistrar registrar{
    "proxy", "a trained proxy model standing in for the env it learned from (see `archgym proxy`)",
    proxy_env_schema(), [](const Options& o) { return std::make_unique<ProxyEnv>(o); }};

}  // namespace
}  // namespace archgym

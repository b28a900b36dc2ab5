// Agents from the registry behind ask/tell, usable on any space (an env's or one
// built in Python), so a Python objective can be searched by the C++ agents.
#include <pybind11/stl.h>

#include "core/registry.h"
#include "core/runner.h"
#include "python/bindings/bindings.h"
#include "python/bindings/convert.h"
#include "python/bindings/gil_guards.h"

namespace archgym::python {

void bind_agent(py::module_& m) {
  m.def(
      "list_agents",
      [] { return registry_to_list(AgentRegistry::instance()); },
      "Every registered agent: [{name, description, options: [hyperparameter dicts]}].");

  py::class_<AgentHandle>(m, "Agent", "A search algorithm behind ask/tell; it maximises reward.")
      .def_readonly("name", &AgentHandle::name, "The registry name the agent was made from.")
      .def(
          "ask",
          [](AgentHandle& a, const py::object& n) {
            // The runner's batch cap: agents allocate a batch up front (10**12 was bad_alloc).
            const std::size_t count = to_unsigned(n, "ask: n", 0, kMaxBatch);
            std::vector<Design> designs;
            {
              ReleaseGil release;
              designs = a.agent->ask(count);
            }
            py::list out;
            for (const auto& d : designs) out.append(design_to_dict(*a.space, d));
            return out;
          },
          py::arg("n") = 1, "Up to n designs (dicts) to evaluate next (n at most 65536, the runner's batch cap).")
      .def(
          "tell",
          [](AgentHandle& a, const py::object& design_list, const py::object& reward_list,
             const py::object& evaluations) {
            // Any sequence will do: a tuple of designs, a numpy array of rewards.
            const auto designs = to_items(design_list, "tell: designs");
            std::vector<double> rewards;
            for (const auto& r : to_items(reward_list, "tell: rewards"))
              rewards.push_back(to_number(r, "tell: rewards[" + std::to_string(rewards.size()) + "]"));
            if (designs.size() != rewards.size())
              throw std::invalid_argument("tell: " + std::to_string(designs.size()) +
                                          " designs but " + std::to_string(rewards.size()) +
                                          " rewards");
            std::vector<Feedback> feedback(designs.size());
            for (std::size_t i = 0; i < feedback.size(); ++i) {
              feedback[i].design = dict_to_design(*a.space, designs[i]);
              feedback[i].reward = rewards[i];
            }
            if (!evaluations.is_none()) {
              const auto evs = to_items(evaluations, "tell: evaluations");
              if (evs.size() != designs.size())
                throw std::invalid_argument("tell: evaluations and designs differ in length");
              for (std::size_t i = 0; i < feedback.size(); ++i)
                feedback[i].evaluation = dict_to_evaluation(evs[i]);
            }
            ReleaseGil release;
            a.agent->tell(feedback);
          },
          py::arg("designs"), py::arg("rewards"), py::arg("evaluations") = py::none(),
          "Results for all the designs of the last ask, in order, before the next ask\n"
          "(rewards: higher is better; evaluations: optional dicts as Env.evaluate returns).")
      .def_property_readonly("finished", [](const AgentHandle& a) { return a.agent->finished(); },
                             "True when the agent has nothing more to propose.")
      .def_property_readonly("preferred_batch",
                             [](const AgentHandle& a) { return a.agent->preferred_batch(); },
                             "The batch the agent prefers (population size, ants...).")
      .def("__repr__", [](const AgentHandle& a) { return "<archgym Agent '" + a.name + "'>"; });

  m.def(
      "make_agent",
      [](const py::object& name, const py::object& space, const py::object& seed_object,
         const py::kwargs& hyperparameters) {
        const auto seed = to_unsigned(seed_object, "make_agent: seed", 0, UINT64_MAX);
        auto h = std::make_unique<AgentHandle>();
        h->name = to_text(name, "make_agent: name");
        h->space_owner = space;
        if (py::isinstance<EnvHandle>(space))
          h->space = &space.cast<const EnvHandle&>().env->space();
        else  // a DesignSpace, or TypeError (a cast error otherwise)
          h->space = &to_instance<DesignSpace>(space, "make_agent: space", "an archgym DesignSpace or Env");
        h->agent = archgym::make_agent(h->name, *h->space, to_option_text(hyperparameters), seed);
        return h;
      },
      py::arg("name"), py::arg("space"), py::arg("seed") = 1,
      "Builds a registered agent on a DesignSpace (or an Env's space); keyword\n"
      "hyperparameters are validated against its schema.");
}

}  // namespace archgym::python

#pragma once
// The pieces of the archgym._core module, one file per concept. Every env and
// agent reaches Python through the registry, so no file here knows a specific one.
#include <pybind11/pybind11.h>

#include <map>
#include <memory>
#include <string>

#include "core/agent.h"
#include "core/env.h"

namespace archgym::python {

namespace py = pybind11;

// An env built from the registry, with the name and options it was built from.
// Shared so gym views and runs can outlive the Python object that made them.
struct EnvHandle {
  std::string name;
  std::map<std::string, std::string> options;
  std::shared_ptr<const Env> env;
};

// An agent from the registry. Agents keep a reference to their space, so the
// Python object owning it (an Env or a DesignSpace) is kept alive alongside.
struct AgentHandle {
  std::string name;
  py::object space_owner;
  const DesignSpace* space = nullptr;
  std::unique_ptr<Agent> agent;
};

void bind_space(py::module_& m);      // Parameter, DesignSpace
void bind_objective(py::module_& m);  // Objective
void bind_env(py::module_& m);        // list_envs, make_env, Env
void bind_gym_view(py::module_& m);   // GymView
void bind_agent(py::module_& m);      // list_agents, make_agent, Agent
void bind_store(py::module_& m);      // Store
void bind_runner(py::module_& m);     // run, resume
void bind_external_run(py::module_& m);  // ExternalRun
void bind_proxy(py::module_& m);      // list_proxy_models, train_proxy, load_proxy, Proxy

}  // namespace archgym::python

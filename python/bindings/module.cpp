// archgym._core: the C++ core seen from Python. Every env and agent comes through
// the registry (linked in via archgym_all), so adding one needs no binding code.
//
// Errors: pybind11 turns std::invalid_argument (bad knob, option or name; the core's
// message lists what is allowed) into ValueError, std::out_of_range into IndexError,
// and any other std::exception into RuntimeError, always with the C++ message.
#include "archgym_version.h"
#include "python/bindings/bindings.h"

PYBIND11_MODULE(_core, m) {
  namespace ap = archgym::python;
  m.doc() = "archgym C++ core: registry, design spaces, envs, agents, runner, store, proxy models.";
  m.attr("__version__") = archgym::kVersion;
  m.attr("git_commit") = archgym::kGitCommit;
  ap::bind_space(m);
  ap::bind_objective(m);
  ap::bind_env(m);
  ap::bind_gym_view(m);
  ap::bind_agent(m);
  ap::bind_store(m);
  ap::bind_runner(m);
  ap::bind_proxy(m);
}

// The runner: a whole search (agent x env x budget) in C++ threads, GIL released.
// Results come back column-wise so archgym.run() builds a DataFrame in one go.
// Ctrl-C: between batches the runner takes the GIL for a moment to run Python's
// signal handlers; KeyboardInterrupt stops the run after the batch in flight (stored,
// the run marked "interrupted") and is then raised to the caller.
#include <pybind11/stl.h>

#include <limits>
#include <set>

#include "core/registry.h"
#include "core/runner.h"
#include "python/bindings/bindings.h"
#include "python/bindings/convert.h"
#include "python/bindings/gil_guards.h"

namespace archgym::python {

namespace {

py::dict result_to_dict(const RunResult& r) {
  const std::size_t n = r.trajectory.size();
  std::set<std::string> metric_names;
  for (const auto& s : r.trajectory)
    for (const auto& [k, v] : s.evaluation.metrics) metric_names.insert(k);

  py::dict columns;
  py::list index, reward, valid, reason, sim_seconds;
  for (const auto& s : r.trajectory) {
    index.append(s.index);
    reward.append(s.reward);
    valid.append(s.evaluation.valid);
    reason.append(stored_text(s.evaluation.invalid_reason));  // a resumed run's come from the store
    sim_seconds.append(s.evaluation.sim_seconds);
  }
  columns["index"] = index;
  columns["reward"] = reward;
  columns["valid"] = valid;
  columns["reason"] = reason;
  columns["sim_seconds"] = sim_seconds;
  for (std::size_t p = 0; p < r.knobs.size(); ++p) {
    py::list col;
    for (const auto& s : r.trajectory) col.append(from_value(s.design.values.at(p)));
    columns[py::str(r.knobs[p])] = col;
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (const auto& name : metric_names) {
    std::vector<double> col(n, nan);  // invalid designs have no metrics
    for (std::size_t i = 0; i < n; ++i) {
      auto it = r.trajectory[i].evaluation.metrics.find(name);
      if (it != r.trajectory[i].evaluation.metrics.end()) col[i] = it->second;
    }
    columns[py::str(name)] = col;
  }
  py::dict out;
  out["run_id"] = r.run_id;
  out["status"] = r.status;
  out["target_met"] = r.target_met;
  out["best_index"] = r.best_index();
  out["wall_seconds"] = r.wall_seconds;
  out["knobs"] = r.knobs;
  out["metrics"] = std::vector<std::string>(metric_names.begin(), metric_names.end());
  out["columns"] = columns;
  return out;
}

// The runner's stop check: runs pending Python signal handlers (on the main thread; a
// no-op elsewhere). An exception they raise stays set in this thread until raise_if_interrupted.
bool python_signal_raised() {
  AcquireGil gil;
  return PyErr_CheckSignals() != 0;
}

// With the GIL held again: raises the exception that stopped an interrupted run.
// The exception gets a note (Python 3.11+) saying what was kept and how to continue:
// Python's own KeyboardInterrupt carries no message.
void raise_if_interrupted(const RunResult& r) {
  if (r.status != "interrupted") return;
  if (!PyErr_Occurred()) PyErr_SetNone(PyExc_KeyboardInterrupt);
  py::error_already_set error;  // takes the pending exception; throwing it sets it again
  const std::string done = std::to_string(r.evaluations) + " evaluations";
  const std::string note =
      r.run_id > 0 ? "archgym: run " + std::to_string(r.run_id) + " interrupted after " + done +
                         ", all stored; archgym.resume(store, " + std::to_string(r.run_id) + ") continues it"
                   : "archgym: run interrupted after " + done + " (no store, so nothing to resume)";
  if (py::hasattr(error.value(), "add_note")) error.value().attr("add_note")(note);
  throw error;
}

// Same knobs with the same values (or ranges): an agent made on one space can search the
// other. Constraints are not compared (the env checks them on every design anyway).
bool same_knobs(const DesignSpace& a, const DesignSpace& b) {
  if (a.dimension() != b.dimension()) return false;
  for (std::size_t i = 0; i < a.dimension(); ++i) {
    const Parameter& p = a.parameters()[i];
    const Parameter& q = b.parameters()[i];
    if (p.name() != q.name() || p.is_discrete() != q.is_discrete()) return false;
    if (p.is_discrete() ? p.values() != q.values()
                        : (p.lo() != q.lo() || p.hi() != q.hi() || p.log_scale() != q.log_scale()))
      return false;
  }
  return true;
}

// Each argument of archgym.run checked as archgym.run checks it, in its words (not a
// signature dump).
RunSpec to_spec(const py::object& env, const py::object& env_options, const py::object& agent,
                const py::object& agent_options, const py::object& targets, const py::object& formulation,
                const py::object& seed, const py::object& budget, const py::object& batch, const py::object& workers,
                const py::object& stop_on_target, const py::object& progress) {
  RunSpec spec;
  spec.env = to_text(env, "env");
  spec.env_options = to_option_text(to_dict(env_options, "env_options"));
  spec.agent = to_text(agent, "agent");
  spec.agent_options = to_option_text(to_dict(agent_options, "agent_options"));
  spec.targets = to_target_values(targets);
  spec.formulation = formulation.is_none() ? "" : to_text(formulation, "formulation");  // "": the env's
  spec.seed = to_unsigned(seed, "seed", 0, UINT64_MAX);
  spec.budget = to_unsigned(budget, "budget", 1, UINT64_MAX);
  spec.batch = to_unsigned(batch, "batch", 0, kMaxBatch);
  spec.workers = static_cast<unsigned>(to_unsigned(workers, "workers", 0, kMaxWorkers));
  spec.stop_on_target = to_bool(stop_on_target, "stop_on_target");
  spec.progress = to_bool(progress, "progress");
  return spec;
}

}  // namespace

void bind_runner(py::module_& m) {
  // The runner's limits, so Python checks them before its integers reach the binding.
  m.attr("MAX_BATCH") = kMaxBatch;
  m.attr("MAX_WORKERS") = kMaxWorkers;
  m.def(
      "run_objective",
      [](const py::object& env, const py::object& formulation, const py::object& targets) {
        const auto& e = to_instance<EnvHandle>(env, "env", "an archgym Env (archgym.make_env)");
        return run_objective(*e.env, formulation.is_none() ? "" : to_text(formulation, "formulation"), to_target_values(targets));
      },
      py::arg("env"), py::arg("formulation"), py::arg("targets"),
      "The objective a run of `env` scores with: its default objective under `formulation`\n"
      "(None or '': the default), with `targets` replacing target values or adding metrics.");
  m.def(
      "run",
      [](const py::object& env, const py::object& env_options, const py::object& agent,
         const py::object& agent_options, const py::object& targets, const py::object& formulation,
         const py::object& seed, const py::object& budget, const py::object& batch, const py::object& workers,
         const py::object& stop_on_target, const py::object& progress, const py::object& store_object) {
        const RunSpec spec = to_spec(env, env_options, agent, agent_options, targets, formulation, seed, budget,
                                     batch, workers, stop_on_target, progress);
        const auto store = store_object.is_none() ? nullptr : to_store(store_object);  // None: no store
        RunResult r;
        {
          ReleaseGil release;
          check_option_sides(spec.env, spec.env_options, spec.agent, spec.agent_options);
          r = Runner::run(spec, store.get(), python_signal_raised);
        }
        raise_if_interrupted(r);
        return result_to_dict(r);
      },
      py::arg("env"), py::arg("env_options"), py::arg("agent"), py::arg("agent_options"),
      py::arg("targets"), py::arg("formulation"), py::arg("seed"), py::arg("budget"),
      py::arg("batch"), py::arg("workers"), py::arg("stop_on_target"), py::arg("progress"),
      py::arg("store"),
      "Runner::run(RunSpec, Store*) with text options; returns the trajectory column-wise.\n"
      "Use archgym.run(), which wraps this into a pandas DataFrame.");

  m.def(
      "check_run",
      [](const py::object& env, const py::object& env_options, const py::object& agent,
         const py::object& agent_options, const py::object& targets, const py::object& formulation,
         const py::object& seed, const py::object& budget, const py::object& batch, const py::object& workers,
         const py::object& stop_on_target, const py::object& progress) {
        const RunSpec spec = to_spec(env, env_options, agent, agent_options, targets, formulation, seed, budget,
                                     batch, workers, stop_on_target, progress);
        ReleaseGil release;
        Runner::check(spec);
      },
      py::arg("env"), py::arg("env_options"), py::arg("agent"), py::arg("agent_options"),
      py::arg("targets"), py::arg("formulation"), py::arg("seed"), py::arg("budget"),
      py::arg("batch"), py::arg("workers"), py::arg("stop_on_target"), py::arg("progress"),
      "Runner::check: raises what run() with the same arguments would refuse before storing\n"
      "the run. archgym.run calls it before it creates a store file.");

  m.def(
      "run_agent",
      [](const py::object& env_object, const py::object& agent_object, const py::object& objective_object,
         const py::object& budget_object, const py::object& batch_object, const py::object& workers_object,
         const py::object& stop_object) {
        // Checked as archgym.run_agent checks them, in its words (not a signature dump).
        const auto& env = to_instance<EnvHandle>(env_object, "env", "an archgym Env (archgym.make_env)");
        auto& agent = to_instance<AgentHandle>(agent_object, "agent", "an archgym Agent (archgym.make_agent)");
        const auto budget = to_unsigned(budget_object, "budget", 1, UINT64_MAX);
        const auto batch = to_unsigned(batch_object, "batch", 0, kMaxBatch);
        const auto workers = static_cast<unsigned>(to_unsigned(workers_object, "workers", 0, kMaxWorkers));
        const bool stop_on_target = to_bool(stop_object, "stop_on_target");
        if (agent.space != &env.env->space() && !same_knobs(*agent.space, env.env->space()))
          throw std::invalid_argument("run_agent: the agent was made for another design space (make it on "
                                      "this env: make_agent(name, env))");
        Agent& a = *agent.agent;
        const Objective obj = objective_object.is_none()
                                  ? env.env->default_objective()
                                  : to_instance<Objective>(objective_object, "objective", "an archgym Objective or None");
        RunResult r;
        {
          ReleaseGil release;
          r = Runner::run(*env.env, a, obj, budget, batch == 0 ? a.preferred_batch() : batch,
                          workers, stop_on_target, nullptr, 0, nullptr, {}, python_signal_raised);
        }
        raise_if_interrupted(r);
        return result_to_dict(r);
      },
      py::arg("env"), py::arg("agent"), py::arg("objective"), py::arg("budget"), py::arg("batch"),
      py::arg("workers"), py::arg("stop_on_target"),
      "Runner::run on an existing Env and Agent (no store); returns columns like run().");

  m.def(
      "resume",
      [](const py::object& store_object, const py::object& run_id_object, const py::object& workers_object,
         const py::object& progress_object, const py::object& force_object) {
        // Checked as archgym.resume checks them.
        const auto store = to_store(store_object);
        const auto run_id = static_cast<std::int64_t>(to_unsigned(run_id_object, "run_id", 1, INT64_MAX));
        const auto workers = static_cast<unsigned>(to_unsigned(workers_object, "workers", 0, kMaxWorkers));
        const bool progress = to_bool(progress_object, "progress");
        const bool force = to_bool(force_object, "force");
        auto record = store->run(run_id);
        if (!record)
          throw std::invalid_argument("resume: no run " + std::to_string(run_id) + " in " +
                                      store->path());
        RunResult r;
        {
          ReleaseGil release;
          r = Runner::resume(*store, run_id, workers, progress, python_signal_raised, force);
        }
        raise_if_interrupted(r);
        return result_to_dict(r);
      },
      py::arg("store"), py::arg("run_id"), py::arg("workers") = 0, py::arg("progress") = false,
      py::arg("force") = false,
      "Continues an interrupted run from the store; returns columns like run(). Refused while\n"
      "another live process runs it, unless force=True.");
}

}  // namespace archgym::python

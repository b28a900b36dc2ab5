"""Whole searches (agent x env x budget) run by the C++ runner, returned as DataFrames."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Mapping

import pandas as pd

from . import _checks, _core
from .store import _EVALUATION_COLUMNS, Store, open_core_store


def _frame(result: dict, make_env: Callable[[], _core.Env], **attrs) -> pd.DataFrame:
    """The runner's column-wise result as a DataFrame, run facts in ``df.attrs``.
    ``make_env`` gives the run's env, called only when no row came back (_empty_frame)."""
    df = pd.DataFrame(result["columns"])
    metrics = list(result["metrics"])
    if len(df):
        df["index"] = df["index"].astype("int64")
        df["valid"] = df["valid"].astype(bool)
    else:
        df, metrics = _empty_frame(make_env())
    df.attrs.update(
        run_id=result["run_id"], status=result["status"], target_met=result["target_met"],
        best_index=result["best_index"], wall_seconds=result["wall_seconds"],
        knobs=list(result["knobs"]), metrics=metrics, **attrs)
    return df


def _empty_frame(env: _core.Env) -> tuple[pd.DataFrame, list[str]]:
    """A frame without rows but with the columns and dtypes a full one has (pandas would
    make every column float64 and have no metric columns at all); and its metrics."""
    metrics = sorted(env.metric_names)  # the runner lists metrics in name order
    dtypes = {k: v for k, v in _EVALUATION_COLUMNS.items() if k != "run_id"}
    for p in env.space.parameters:  # the dtype pandas gives the knob's values
        dtypes[p.name] = pd.Series([p.value_at(0)]).dtype if p.is_discrete else "float64"
    dtypes.update(dict.fromkeys(metrics, "float64"))
    return pd.DataFrame(columns=list(dtypes)).astype(dtypes), metrics


# The runner's own limits (core/runner.h), checked here so that a huge integer gets a
# message instead of pybind11's signature dump.
def _budget(value) -> int:
    return _checks.integer("budget", value, 1, _checks.BUDGET_MAX)


def _batch(value) -> int:
    return _checks.integer("batch", value, 0, _core.MAX_BATCH)


def _workers(value) -> int:
    return _checks.integer("workers", value, 0, _core.MAX_WORKERS)


def _instance(argument: str, value, cls: type, expected: str) -> None:
    if not isinstance(value, cls):
        raise TypeError(f"{argument} must be {expected}, got {value!r} ({type(value).__name__})")


def _open_store(store: Store | str | None, *, existing: bool = False):
    if store is None:
        return None
    if isinstance(store, Store):
        if store.read_only:
            raise ValueError(f"store {store.path!r} was opened with read_only=True; open it with "
                             "archgym.Store(path) (or give its path) to write runs into it")
        return store._store
    if isinstance(store, _core.Store):
        return store
    path = _checks.path("store", store)
    if existing and not Path(path).is_file():  # resuming never creates an empty store
        raise ValueError(f"{path}: no such store (archgym.run creates one)")
    return open_core_store(path)


def run(env: str = "dram", agent: str = "random_walk", budget: int = 100, seed: int = 1, *,
        env_options: Mapping | None = None, agent_options: Mapping | None = None,
        targets: Mapping[str, float | None] | None = None, formulation: str | None = None, batch: int = 0,
        workers: int = 0, stop_on_target: bool = True, progress: bool = False,
        store: Store | str | None = None) -> pd.DataFrame:
    """Runs ``agent`` on ``env`` for ``budget`` evaluations; one DataFrame row per evaluation.

    Columns: ``index``, ``reward`` (higher is better), ``valid``, ``reason``,
    ``sim_seconds``, one column per knob, one per metric (NaN for invalid designs).
    ``df.attrs`` holds ``run_id`` (0 without a store), ``status``, ``target_met``,
    ``best_index``, ``wall_seconds``, ``knobs``, ``metrics``, ``env``, ``agent``, ``seed``.

    ``targets`` override the env's default targets (e.g. ``{"power_W": 1.0}``; None turns
    one off: ``{"latency_ms": None}`` is ArchGym's power-only DRAM reward);
    ``batch`` 0 means the agent's preferred batch, ``workers`` 0 all cores (results
    are identical for any worker count). With ``store`` (a path or Store) every
    evaluation is committed as it completes. The GIL is released while simulating.

    Ctrl-C (KeyboardInterrupt) is honoured between batches: the batch in flight is
    finished and stored, the run is marked ``"interrupted"`` in the store, and the
    KeyboardInterrupt is raised; :func:`resume` continues it to the same trajectory.
    """
    env, agent, seed = _checks.name("env", env), _checks.name("agent", agent), _checks.seed(seed)
    env_options = _checks.options_text(env_options, "env_options")
    args = (env, env_options, agent,
            _checks.options_text(agent_options, "agent_options"),
            _checks.targets(targets), _checks.formulation(formulation),
            seed, _budget(budget), _batch(batch), _workers(workers),
            _checks.boolean("stop_on_target", stop_on_target), _checks.boolean("progress", progress))
    if isinstance(store, (str, os.PathLike)):
        # Checked before the store file is opened (and so perhaps created): a refused run
        # leaves no file behind. (Deleting a file this call had created raced with other
        # runs opening the same new path, whose finished runs then went with it.)
        _core.check_run(*args)
    result = _core.run(*args, _open_store(store))
    return _frame(result, lambda: _core.make_env(env, **env_options), env=env, agent=agent, seed=seed)


def run_agent(env: _core.Env, agent: _core.Agent, budget: int, *,
              objective: _core.Objective | None = None, batch: int = 0, workers: int = 0,
              stop_on_target: bool = True) -> pd.DataFrame:
    """Runs an existing ``agent`` on an existing ``env`` (no store); columns as :func:`run`.

    An agent holds its search state unlocked: drive each one from one thread at a time
    (an env may be shared; its evaluations are thread-safe)."""
    _instance("env", env, _core.Env, "an archgym Env (archgym.make_env)")
    _instance("agent", agent, _core.Agent, "an archgym Agent (archgym.make_agent)")
    if objective is not None:
        _instance("objective", objective, _core.Objective, "an archgym Objective or None")
    result = _core.run_agent(env, agent, objective, _budget(budget), _batch(batch), _workers(workers),
                             _checks.boolean("stop_on_target", stop_on_target))
    return _frame(result, lambda: env, env=env.name, agent=agent.name)


def resume(store: Store | str, run_id: int, *, workers: int = 0,
           progress: bool = False, force: bool = False) -> pd.DataFrame:
    """Continues an interrupted (or killed) run of ``store``: stored evaluations are replayed,
    not re-simulated, and only the missing ones evaluated. Interruptible like :func:`run`.

    While another process that is still alive runs the same run, this raises RuntimeError
    naming that process (two processes continuing one run would collide). A run whose
    process was killed is taken over; ``force=True`` takes over one that cannot be checked
    (a process of another host sharing the store file)."""
    if store is None:
        raise TypeError("store must be a Store or the path of a store, got None")
    s = _open_store(store, existing=True)
    run_id = _checks.run_id(run_id)
    record = s.run(run_id) or {}
    result = _core.resume(s, run_id, _workers(workers), _checks.boolean("progress", progress),
                          _checks.boolean("force", force))
    return _frame(result, lambda: _core.make_env_from_config(record["env"], record["env_config"]),
                  env=record.get("env"), agent=record.get("agent"), seed=record.get("seed"))

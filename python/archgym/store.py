"""The experiment store (one SQLite file) as pandas DataFrames."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from . import _checks, _core


class Store:
    """An archgym experiment database; created if missing.

    >>> s = archgym.Store("runs.sqlite")                      # doctest: +SKIP
    >>> archgym.run(env="dram", agent="ga", budget=50, store=s)  # doctest: +SKIP
    >>> s.runs(); s.evaluations(1)                              # doctest: +SKIP
    """

    def __init__(self, path: str | Path):
        """Opens (or creates) the store at ``path``."""
        self._store = _core.Store(_checks.path("path", path))

    @property
    def path(self) -> str:
        """The database file."""
        return self._store.path

    def runs(self) -> pd.DataFrame:
        """One row per run: run_id, env, env_config, agent, agent_config, objective, seed,
        budget, batch, status, version, git_commit, inputs (the env's input files and their
        digests, JSON), times and number of evaluations."""
        columns = ["run_id", "env", "env_config", "agent", "agent_config", "objective", "seed",
                   "budget", "batch", "stop_on_target", "version", "git_commit", "inputs", "status",
                   "started_at", "updated_at", "finished_at", "evaluations"]
        return pd.DataFrame(self._store.runs(), columns=columns)

    def evaluations(self, run_id: int | None = None) -> pd.DataFrame:
        """One row per evaluation of ``run_id`` (every run when None): run_id, index,
        reward, valid, reason, sim_seconds, then one column per knob and per metric."""
        ids = [int(run_id)] if run_id is not None else [r["run_id"] for r in self._store.runs()]
        rows = []
        for rid in ids:
            for e in self._store.evaluations(rid):
                row = {k: e[k] for k in ("run_id", "index", "reward", "valid", "reason",
                                         "sim_seconds")}
                row.update(json.loads(e["design"]) if e["design"] else {})
                row.update(json.loads(e["metrics"]) if e["metrics"] else {})
                rows.append(row)
        if not rows:
            return pd.DataFrame(columns=["run_id", "index", "reward", "valid", "reason",
                                         "sim_seconds"])
        return pd.DataFrame(rows)

    def export_csv(self, path: str | Path, run_id: int = 0) -> Path:
        """Writes the evaluations of ``run_id`` (0 = all runs) as CSV; returns the path. The
        file is written whole (a temporary file renamed over it), never over a store."""
        text = _checks.path("path", path)
        _core.write_file(text, self._store.export_csv(_checks.integer("run_id", run_id, 0)), "the CSV file")
        return Path(text)

    def __repr__(self) -> str:
        return f"<archgym Store {self.path!r}>"

"""The experiment store (one SQLite file) as pandas DataFrames."""
from __future__ import annotations

import json
import math
import numbers
import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from . import _checks, _core, _strict_json


# Column dtypes, so that frames of an empty store have the types of a full one.
_RUN_COLUMNS = {"run_id": "int64", "env": "str", "env_config": "str", "agent": "str",
                "agent_config": "str", "objective": "str", "seed": "int64",
                "budget": "int64", "batch": "int64", "stop_on_target": "bool", "version": "str",
                "git_commit": "str", "inputs": "str", "status": "str", "state": "str", "message": "str",
                "started_at": "str", "updated_at": "str", "finished_at": "str",
                "evaluations": "int64"}
# Each evaluation's own columns, first in every frame, are the core's EVALUATION_COLUMNS
# (the CSV export's too; the core refuses an env with a knob or metric of these names).
_EVALUATION_DTYPES = {"run_id": "int64", "index": "int64", "reward": "float64",
                      "valid": "bool", "reason": "str", "sim_seconds": "float64"}
_EVALUATION_COLUMNS = {c: _EVALUATION_DTYPES[c] for c in _core.EVALUATION_COLUMNS}
# What searches() adds per run, reserved by the core likewise.
_SEARCHER, _SEED = _core.SEARCH_COLUMNS


def open_core_store(path: str, *, read_only: bool = False) -> _core.Store:
    """The core store at ``path`` (created if missing, unless ``read_only``), with the
    Python exception each kind of wrong path calls for rather than SQLite's RuntimeError
    ("unable to open database file", "disk I/O error")."""
    if read_only and not os.path.lexists(path):
        raise FileNotFoundError(f"store {path!r}: no such store (read_only opens an existing one; "
                                "archgym.run creates one)")
    if os.path.isdir(path):
        raise IsADirectoryError(f"store {path!r} is a directory; give the path of a store file "
                                "(an existing store, or a new file to create)")
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise FileNotFoundError(f"store {path!r}: directory {parent!r} does not exist "
                                "(a store file is created, its directory is not)")
    if os.path.exists(path) and not os.path.isfile(path):
        raise ValueError(f"store {path!r} is not a regular file (a device, FIFO or socket); "
                         "give the path of a store file")
    try:
        return _core.Store(path, read_only)
    except RuntimeError as e:
        if "not an archgym store" in str(e):  # the file's content is wrong: bad input
            raise ValueError(str(e)) from None
        raise


def _require_comparable(records: dict) -> None:
    """Refuses runs whose env, env options or objective differ, naming what differs."""
    groups: dict[tuple, list[int]] = {}
    for i, r in records.items():
        groups.setdefault((r["env"], r["env_config"], r["objective"]), []).append(i)
    if len(groups) < 2:
        _require_same_inputs(records)
        return

    # (A hand-edited store's unreadable text was compared as text above; shown without it.)
    configs = [_parsed_object(c) for _, c, _ in groups]
    objectives = [_parsed_object(o) for *_, o in groups]
    differing = [k for k in sorted({k for c in configs for k in c}) if len({repr(c.get(k)) for c in configs}) > 1]
    objectives_differ = len({o for *_, o in groups}) > 1

    def reward(o: dict) -> str:
        targets = ",".join(f"{t.get('metric')}={t.get('value')}" for t in o.get("targets", []) if isinstance(t, dict))
        return f"{o.get('formulation')} {targets}"

    parts = []
    for (env, _, _), config, objective, ids in zip(groups, configs, objectives, groups.values()):
        shown = [env] + [f"{k}={config.get(k)}" for k in differing] + ([reward(objective)] if objectives_differ else [])
        parts.append(f"run{'s' if len(ids) > 1 else ''} {', '.join(map(str, ids))} ({' '.join(shown)})")
    what = " and ".join(x for x, on in (("env configuration", len({g[:2] for g in groups}) > 1),
                                        ("reward", objectives_differ)) if on)
    raise ValueError(f"searches: the runs differ in {what}, so their rewards do not compare: "
                     f"{'; '.join(parts)}; give runs= of one")


def _parsed_object(text: str) -> dict:
    """A stored JSON object, or {} for text a hand edit left unreadable."""
    try:
        value = _strict_json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _searcher_labels(records: dict) -> dict[int, str]:
    """Each run's searcher: its agent (an external run: its driver), followed by the
    hyperparameters in which the given runs of that searcher differ (``ga population=8``),
    so that settings of one agent are told apart where they are compared."""
    by_name: dict[str, list[int]] = {}
    for i, r in records.items():
        by_name.setdefault(r["driver"] or r["agent"], []).append(i)
    labels = {}
    for name, ids in by_name.items():
        configs = {i: _parsed_object(records[i]["agent_config"]) for i in ids}
        keys = dict.fromkeys(k for c in configs.values() for k in c if k != "driver")
        differing = [k for k in keys
                     if len({json.dumps(c.get(k), sort_keys=True) for c in configs.values()}) > 1]

        def shown(value) -> str:
            return value if isinstance(value, str) else json.dumps(value)

        for i in ids:
            settings = " ".join(f"{k}={shown(configs[i].get(k))}" for k in differing)
            labels[i] = f"{name} {settings}" if settings else name
    return labels


def _warn_if_builds_differ(records: dict) -> None:
    """Runs simulated by different builds may differ for that reason alone: say so."""
    builds: dict[tuple, list[int]] = {}
    for i, r in records.items():
        builds.setdefault((r["version"], r["git_commit"]), []).append(i)
    if len(builds) > 1:
        listed = "; ".join(f"run{'s' if len(ids) > 1 else ''} {', '.join(map(str, ids))} (archgym {v}, "
                           f"commit {c or 'unknown'})" for (v, c), ids in builds.items())
        warnings.warn(f"searches: the runs were made by different builds of archgym, whose simulators "
                      f"may differ: {listed}", stacklevel=3)


def _require_same_inputs(records: dict) -> None:
    """Refuses runs with the same options whose input files had different contents (a trace
    edited in place between two runs): the options name the file, its digest says which
    contents the run read. A run of an older store without recorded inputs is not compared."""
    digests: dict[str, dict[str, list[int]]] = {}  # role -> digest -> runs
    for i, r in records.items():
        try:
            inputs = _strict_json.loads(r["inputs"]) if r["inputs"] else {}
        except ValueError:  # a hand-edited store: nothing to compare
            continue
        for role, entry in inputs.items() if isinstance(inputs, dict) else ():
            if isinstance(entry, dict) and entry.get("digest"):
                digests.setdefault(role, {}).setdefault(str(entry["digest"]), []).append(i)
    parts = []
    for role, runs_of in sorted(digests.items()):
        if len(runs_of) > 1:
            listed = "; ".join(f"run{'s' if len(ids) > 1 else ''} {', '.join(map(str, ids))} (digest {d})"
                               for d, ids in runs_of.items())
            parts.append(f"{role}: {listed}")
    if parts:
        raise ValueError("searches: the runs read different contents of their input files, so their rewards "
                         f"do not compare: {'; '.join(parts)}; give runs= of one")


def _reopen(path: str, read_only: bool) -> Store:
    return Store(path, read_only=read_only)


class Store:
    """An archgym experiment database; created if missing. A Store stands for its file:
    copied, it is the same object; pickled into another process (a worker started by
    'spawn'), it opens the file again there. A forked child must open the store itself
    (give workers the path): SQLite connections do not cross a fork, and opening one in a
    child forked while a parent thread was inside SQLite could hang on a lock that thread
    held, so the child's copy refuses to be used, saying so.

    >>> s = archgym.Store("runs.sqlite")                      # doctest: +SKIP
    >>> archgym.run(env="dram", agent="ga", budget=50, store=s)  # doctest: +SKIP
    >>> s.runs(); s.evaluations(1)                              # doctest: +SKIP
    """

    def __init__(self, path: str | Path, *, read_only: bool = False):
        """Opens (or creates) the store at ``path``. FileNotFoundError when its directory
        is missing, IsADirectoryError for a directory, ValueError for a file that is not
        an archgym store.

        Opening for writing first checks the whole file (SQLite's quick_check: 0.27 s for
        a 361 MB store in the page cache, benchmarks/store_open_bench.py; seconds from disk). ``read_only=True`` opens
        an existing store for reading only, as ``archgym runs`` and ``export`` do: no check,
        nothing written (also while a run writes to it), and it cannot be given to a run."""
        self._read_only = _checks.boolean("read_only", read_only)
        path = _checks.path("path", path)
        self._store = open_core_store(path, read_only=self._read_only)
        self._path = os.path.abspath(path)  # to open it again, from any working directory

    # A Store names its file: a copy is the same store (gymnasium copies an env's spec,
    # store included), and a pickled one (a worker process) opens the file again.
    def __copy__(self) -> Store:
        return self

    def __deepcopy__(self, memo) -> Store:
        return self

    def __reduce__(self):
        return _reopen, (self._path, self._read_only)

    @property
    def read_only(self) -> bool:
        """Whether this store was opened with ``read_only=True``."""
        return self._read_only

    @property
    def path(self) -> str:
        """The database file."""
        return self._store.path

    def runs(self) -> pd.DataFrame:
        """One row per run: run_id, env, env_config, agent, agent_config, objective, seed,
        budget, batch, status, state, message (why a failed run failed), version, git_commit,
        inputs (the env's input files and their digests, JSON), times and number of
        evaluations. ``status`` is as stored: a run whose process was killed stays
        ``running`` until it is resumed. ``state`` is what ``archgym runs`` shows: the same,
        except ``killed`` for such a run and ``running on HOST`` for one a process of another
        host holds (it cannot be asked whether that process lives)."""
        frame = pd.DataFrame(self._store.runs(), columns=list(_RUN_COLUMNS))
        return frame.astype(_RUN_COLUMNS) if frame.empty else frame

    def _check_run(self, run_id: int) -> int:
        run_id = _checks.run_id(run_id)
        self._store.require_run(run_id)
        return run_id

    def _stored_object(self, evaluation: dict, column: str) -> dict:
        """An evaluation's design or metrics as a dict ({} when empty); ValueError naming the
        store, run, evaluation and column when a hand-edited store holds something else
        there (as the core says for the rows it reads)."""
        text = evaluation[column]
        if not text:
            return {}
        where = (f"store {self.path}: run {evaluation['run_id']} evaluation "
                 f"{evaluation['index']} {column}")
        try:
            value = _strict_json.loads(text)
        except _strict_json.RepeatedKeyError as e:  # the core refuses it too (export)
            raise ValueError(f"{where}: {e}") from None
        except (ValueError, RecursionError) as e:  # RecursionError: nested too deep
            raise ValueError(f"{where}: invalid JSON ({e})") from None
        if not isinstance(value, dict):
            raise ValueError(f"{where}: expected a JSON object, got {text[:80]!r}")
        return value

    def evaluations(self, run_id: int | None = None) -> pd.DataFrame:
        """One row per evaluation of ``run_id`` (every run when None): run_id, index,
        reward, valid, reason, sim_seconds, then one column per knob and per metric.
        Run ids start at 1: 0 is refused, not read as every run (as ``export_csv`` reads
        it), so that a frame always holds what its argument names."""
        integral = isinstance(run_id, numbers.Integral) and not isinstance(run_id, (bool, np.bool_))
        if integral and run_id == 0:
            raise ValueError("run_id must be at least 1, got 0 (run ids start at 1; "
                             "evaluations() reads every run)")
        ids = ([self._check_run(run_id)] if run_id is not None
               else [r["run_id"] for r in self._store.runs()])
        # Column by column (first-seen order, NaN where a row lacks one, as a frame of row
        # dicts would have it): a dict per row took ~8x the frame's memory on large runs.
        columns: dict[str, list] = {}
        rows = 0
        keys: tuple = ()  # the previous row's keys: most rows repeat them
        targets: list[list] = []  # the columns of those keys, in their order
        missing: list[list] = []  # the columns those rows lack
        for rid in ids:
            for e in self._store.evaluations(rid):
                row = {k: e[k] for k in _EVALUATION_COLUMNS}
                row.update(self._stored_object(e, "design"))
                row.update(self._stored_object(e, "metrics"))
                if tuple(row) != keys:
                    keys = tuple(row)
                    targets = [columns.setdefault(k, [math.nan] * rows) for k in keys]
                    missing = [column for k, column in columns.items() if k not in row]
                for column, value in zip(targets, row.values()):
                    column.append(value)
                for column in missing:
                    column.append(math.nan)
                rows += 1
        if run_id is not None and not any(columns.get("valid", ())):
            # No row shows the run's metrics (or none exists): take its columns from its env.
            full = self._frame_of_run_env(ids[0], columns)
            if full is not None:
                return full
        if not rows:
            return pd.DataFrame(columns=list(_EVALUATION_COLUMNS)).astype(_EVALUATION_COLUMNS)
        return pd.DataFrame(columns)

    def searches(self, runs: int | list[int] | None = None) -> pd.DataFrame:
        """The evaluations of ``runs`` (every run when None) with each run's ``searcher``
        and ``seed``, so that searches logged in one store compare at a glance:
        ``archgym.plots.plot_best_so_far(store.searches(), "fig.png")``.
        ``searcher`` is the agent (``ga``), or for an external run its driver
        (``optuna-tpe``), followed by the hyperparameters in which the given runs of that
        agent differ (``ga population=8``, ``ga population=32``). The runs must share one env
        configuration, reward and input file contents (the rewards of two workloads, of two
        targets, or of a trace edited between runs, do not compare): ValueError otherwise,
        listing the runs of each. Runs made by different builds of archgym are compared with a
        warning. ``df.attrs["runs"]`` holds each run's ``state`` (as :meth:`runs`),
        ``budget``, ``evaluations`` and ``external`` (its designs picked outside archgym, no
        budget), which the plots use to extend only a run that ended
        by its own rule."""
        ids = [r["run_id"] for r in self._store.runs()] if runs is None else _checks.run_ids(runs)
        records = {i: self._store.require_run(i) for i in ids}
        _require_comparable(records)
        _warn_if_builds_differ(records)
        labels = _searcher_labels(records)
        frames = []
        for i in ids:
            frame = self.evaluations(i)
            frame.insert(1, _SEARCHER, labels[i])
            frame.insert(2, _SEED, records[i]["seed"])
            frames.append(frame)
        if not frames:
            empty = pd.DataFrame(columns=["run_id", _SEARCHER, _SEED, *list(_EVALUATION_COLUMNS)[1:]])
            result = empty.astype({_SEARCHER: "str", _SEED: "int64", **_EVALUATION_COLUMNS})
        else:
            result = pd.concat(frames, ignore_index=True)
        result.attrs["runs"] = {i: {"state": r["state"], "budget": r["budget"], "evaluations": r["evaluations"],
                                    "external": r["agent"] == _core.EXTERNAL_AGENT}
                                for i, r in records.items()}
        return result

    def _frame_of_run_env(self, run_id: int, columns: dict[str, list]) -> pd.DataFrame | None:
        """The rows (``columns``) of a run without a valid evaluation, with every knob and
        metric column of its env (as a run's frame has them); None when the env cannot be
        rebuilt (an input file gone: the rows' own columns are then all there is)."""
        from .running import _empty_frame  # running imports this module
        record = self._store.run(run_id)
        try:
            env = _core.make_env_from_config(record["env"], record["env_config"])
        except Exception:  # noqa: BLE001 - any failure to rebuild means "unknown columns"
            return None
        empty, _ = _empty_frame(env)
        empty.insert(0, "run_id", pd.Series(dtype="int64"))
        if not columns:
            return empty
        frame = pd.DataFrame(columns)
        for column in empty.columns:
            if column not in frame:  # a metric: invalid rows have none
                frame[column] = float("nan")
        return frame

    def export_csv(self, path: str | Path, run_id: int | None = None) -> Path:
        """Writes the evaluations of ``run_id`` (every run when None, as :meth:`evaluations`;
        0, the command line's "every run", is taken too) as CSV; returns the path. The
        file is written whole (a temporary file renamed over it), never over a store, and
        streamed a row at a time (a run of millions of rows is never held in memory)."""
        text = _checks.path("path", path)
        run_id = 0 if run_id is None else _checks.integer("run_id", run_id, 0, _checks.RUN_ID_MAX)
        if run_id:
            self._check_run(run_id)
        self._store.write_csv(text, run_id)
        return Path(text)

    def __repr__(self) -> str:
        return f"<archgym Store {self.path!r}>"

"""Proxy cost models: learn an env's metrics from the store, predict in microseconds.

>>> s = archgym.Store("runs.sqlite")                                  # doctest: +SKIP
>>> archgym.run(env="dram", agent="random_walk", budget=500, store=s)  # doctest: +SKIP
>>> proxy = archgym.train_proxy(s, model="random_forest", trees=50)    # doctest: +SKIP
>>> proxy.test_errors()                    # held-out R^2, MAPE, ...   # doctest: +SKIP
>>> proxy.save("dram.proxy.json")                                     # doctest: +SKIP
>>> env = gymnasium.make("archgym/Proxy-v0", model="dram.proxy.json")  # doctest: +SKIP

Any registered model (``archgym.list_proxy_models()``) trains the same way; its
hyperparameters are keyword arguments validated by its schema.
"""
from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any, Iterable, Mapping

import pandas as pd

from . import _checks, _core
from .store import Store


def _core_store(store: Store | str | Path) -> _core.Store:
    if isinstance(store, Store):
        return store._store
    path = _checks.path("store", store)
    if not Path(path).is_file():  # reading never creates an empty store by mistake
        raise ValueError(f"{path}: no such store (archgym.run creates one)")
    return _core.Store(path, True)  # only read: no whole-file check, nothing written


class Proxy:
    """A trained proxy model (see the module docstring). Build with :func:`train_proxy`
    or :func:`load_proxy`."""

    def __init__(self, core: _core.Proxy):
        self._proxy = core

    @property
    def model(self) -> str:
        """Registry name of the model, e.g. ``random_forest``."""
        return self._proxy.model

    @property
    def hyperparameters(self) -> dict[str, Any]:
        """Hyperparameters used (defaults filled in)."""
        return self._proxy.hyperparameters

    @property
    def env(self) -> str:
        """Registry name of the env it learned."""
        return self._proxy.env

    @property
    def env_config(self) -> str:
        """That env's options, as JSON."""
        return self._proxy.env_config

    @property
    def metric_names(self) -> list[str]:
        """Metrics it predicts, in order."""
        return self._proxy.metric_names

    @property
    def runs(self) -> list[int]:
        """Store runs it learned from."""
        return self._proxy.runs

    @property
    def trained_from(self) -> dict[str, Any] | None:
        """Where its training rows came from: ``{"store": absolute path, "runs": [{"id",
        "status", "evaluations", "budget", "made_by"}]}``, each run as it stood when the
        model learned it (a killed run gave only the rows stored by then); None for a
        model file of an older build."""
        text = self._proxy.trained_from
        return json.loads(text) if text else None

    @property
    def inputs(self) -> str:
        """JSON of the input files its training runs read (a trace, a memspec):
        ``{role: {"path", "digest"}}``, as :attr:`Store.runs`' ``inputs``; '' if unknown
        (a store or model file of an older build). :meth:`compare` and :meth:`errors_on`
        refuse runs that read other files."""
        return self._proxy.inputs

    @property
    def train_rows(self) -> int:
        """Rows it was fitted on."""
        return self._proxy.train_rows

    @property
    def test_rows(self) -> int:
        """Rows held out to measure its error."""
        return self._proxy.test_rows

    @property
    def space(self) -> _core.DesignSpace:
        """The design space of the env it learned."""
        return self._proxy.space

    def test_errors(self) -> pd.DataFrame:
        """Held-out error measured at training: one row per metric with ``rows``, ``r2``,
        ``mape`` (%), ``mae`` and ``rmse`` (NaN where undefined, e.g. R^2 of a constant).
        No rows for a model trained with ``test_fraction=0`` (nothing was held out)."""
        return _errors_frame(self._proxy.test_errors)

    @property
    def feature_weights(self) -> pd.Series:
        """How much each feature counts in the model, largest first, indexed by feature: a
        knob's name, or ``Knob=Choice`` for a one-hot column of a categorical knob. For
        ``knn`` these are its learned feature scales (a feature scaled to 0 is ignored); for
        ``random_forest`` its impurity importances (the share of the target variance its
        splits on the feature removed; they sum to 1). Empty for models that report none,
        and for forests saved before importances were recorded."""
        return _weights_series(self._proxy.feature_weights, "feature")

    @property
    def knob_weights(self) -> pd.Series:
        """:attr:`feature_weights` summed per knob (a categorical knob's one-hot columns
        together), largest first, indexed by knob: which knobs move the metrics. Empty when
        the model reports no feature weights."""
        return _weights_series(self._proxy.knob_weights, "knob")

    def errors_on(self, store: Store | str | Path, runs: int | Iterable[int] | None = None, *,
                  unseen_only: bool = False) -> pd.DataFrame:
        """Error per metric on stored runs of the same env configuration. With ``runs``
        None that is every such run that read the same input files (:attr:`inputs`) except
        runs with the ids of those it was trained on (:attr:`runs`): in the store it learned
        from its error there would be optimistic. ValueError when that leaves none; name
        runs to measure them anyway.

        Any run may hold designs the model was fitted on (another agent given the same seed
        starts with the same random designs): their error is optimistic, and a UserWarning
        says how many there are. ``unseen_only=True`` measures only the others."""
        core_store, ids = _core_store(store), _checks.run_ids(runs)
        unseen_only = _checks.boolean("unseen_only", unseen_only)
        split = self._proxy.split_errors_on(core_store, ids)
        if unseen_only:
            if not split["unseen"]:
                raise ValueError(f"errors_on: every evaluation of the runs is of a design the proxy was fitted on "
                                 f"({split['rows']}): compare with runs it did not see")
            return _errors_frame(split["unseen"])
        if split["fitted"]:
            warnings.warn(f"errors_on: {split['fitted']} of the evaluations are of designs the proxy was fitted "
                          "on, where its error is optimistic (unseen_only=True leaves them out)", stacklevel=2)
        return _errors_frame(split["all"])

    @property
    def knows_training_designs(self) -> bool:
        """Whether the model file lists the designs it was fitted on, so that
        :meth:`errors_on` can tell them (model files of older builds do not)."""
        return self._proxy.knows_training_designs

    def predict(self, designs: Mapping[str, Any] | Iterable[Mapping[str, Any]] | pd.DataFrame):
        """Predicted metrics: a dict for one design (dict knob -> value; missing knobs take
        the env's default), a DataFrame (one row per design) for a list or DataFrame. A
        DataFrame may carry other columns only if it has every knob (e.g. a frame from
        :meth:`Store.evaluations`); otherwise they are refused as likely misspelt knobs."""
        if isinstance(designs, Mapping):
            return self._proxy.predict(dict(designs))
        if isinstance(designs, (str, bytes)) or not isinstance(designs, Iterable):
            raise TypeError("predict: designs must be a dict, a list of dicts or a DataFrame, "
                            f"got {designs!r}")
        if isinstance(designs, pd.DataFrame):
            knobs = list(self.space.names)
            present = [k for k in knobs if k in designs.columns]
            unknown = [str(c) for c in designs.columns if c not in knobs]
            # Extra columns are fine next to every knob (a Store.evaluations frame); next to
            # missing knobs they are likely misspelt ones, which would take default values.
            if unknown and len(present) < len(knobs):
                missing = [k for k in knobs if k not in present]
                raise ValueError(f"predict: columns {unknown} are not knobs of env '{self.env}' and "
                                 f"knobs {missing} are missing (they would take the default); "
                                 f"its knobs: {knobs}")
            designs = designs[present].to_dict("records")
        designs = list(designs)
        for i, d in enumerate(designs):
            if not isinstance(d, Mapping):
                raise TypeError(f"predict: designs must be a dict, a list of dicts or a DataFrame; item {i} "
                                f"is {d!r} ({type(d).__name__})")
        rows = self._proxy.predict_many([dict(d) for d in designs])
        return pd.DataFrame(rows, columns=self.metric_names, dtype="float64")  # also with no rows

    def compare(self, store: Store | str | Path, runs: int | Iterable[int] | None = None) -> pd.DataFrame:
        """Simulated versus predicted metrics of the valid evaluations of ``runs`` (when None,
        every run of the env configuration the proxy learned that read the same input files,
        except those with the ids of its training runs, as in :meth:`errors_on`): the knobs,
        then ``<metric>`` and ``<metric>_predicted`` columns."""
        c = self._proxy.compare(_core_store(store), _checks.run_ids(runs))
        frame = pd.DataFrame(c["designs"], columns=self.space.names)
        actual = pd.DataFrame(c["actual"], columns=self.metric_names)
        predicted = pd.DataFrame(c["predicted"], columns=[m + _core.PREDICTED_SUFFIX for m in self.metric_names])
        return pd.concat([frame, actual, predicted], axis=1)

    def save(self, path: str | Path) -> Path:
        """Writes the model file (JSON, byte-identical for identical inputs); returns the path."""
        text = _checks.path("path", path)  # before writing: str(None) would name a file "None"
        self._proxy.save(text)
        return Path(text)

    def __repr__(self) -> str:
        return repr(self._proxy)


def _weights_series(weights: list[tuple[str, float]], index: str) -> pd.Series:
    return pd.Series([w for _, w in weights], index=pd.Index([n for n, _ in weights], name=index),
                     name="weight", dtype="float64")


def _errors_frame(errors: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    columns = ["metric", "rows", "r2", "mape", "mae", "rmse"]
    rows = [{"metric": m, **{k: (float("nan") if v is None else v) for k, v in e.items()}}
            for m, e in errors.items()]
    return pd.DataFrame(rows, columns=columns)


def list_proxy_models() -> list[dict]:
    """Every registered proxy model as ``{name, description, options}`` (hyperparameters)."""
    return _core.list_proxy_models()


def train_proxy(store: Store | str | Path, runs: int | Iterable[int] | None = None, *,
                model: str = "random_forest", test_fraction: float = 0.2, seed: int = 1,
                workers: int = 0, progress: bool = False, **hyperparameters: Any) -> Proxy:
    """Fits proxy ``model`` on the valid evaluations of ``runs`` (every run when None; they
    must share env and env options), holding out ``test_fraction`` of the designs (whole
    designs: a design evaluated twice never lands on both sides) to measure the error.
    Same data, hyperparameters and seed give the same model, whatever ``workers`` (threads
    fitting it; 0 = all cores). ``progress`` draws a progress bar on stderr while the model
    reports progress (the random forest growing its trees; the kNN learning its feature
    scales, which takes a while with a large ``scaling_rows``)."""
    return Proxy(_core.train_proxy(_core_store(store), _checks.run_ids(runs), model,
                                   _checks.real("test_fraction", test_fraction),
                                   _checks.seed(seed), _checks.integer("workers", workers, 0, _core.MAX_WORKERS),
                                   _checks.boolean("progress", progress), **hyperparameters))


def load_proxy(path: str | Path) -> Proxy:
    """Loads a model file written by :meth:`Proxy.save` or ``archgym proxy train``."""
    return Proxy(_core.load_proxy(_checks.path("path", path)))

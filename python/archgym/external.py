"""Logging a search that archgym's agents do not drive.

An Optuna study, a hand-written sweep or a Python search of your own picks the designs;
:class:`ExternalRun` simulates each one and stores it in the experiment store as a run,
as ``archgym.run`` stores its own, so the run is listed (``archgym runs``), exported,
plotted and used to train proxy models with the rest. (RL libraries stepping the
gymnasium env log through ``gymnasium.make(..., store=...)``, which uses this class.)

>>> with archgym.ExternalRun("runs.db", "dram", driver="optuna-tpe", seed=3,
...                         workload="random") as run:                    # doctest: +SKIP
...     result = run.evaluate({"PagePolicy": "Closed", "Scheduler": "Fifo"})
...     result["reward"], result["metrics"]["energy_uJ"], run.run_id

In the store its agent is ``external`` and its agent config names the driver; the seed
is yours, recorded as given. archgym cannot continue such a run (``archgym.resume``
refuses it): to evaluate more, start another.
"""
from __future__ import annotations

import atexit
import os
import sys
import weakref
from typing import Any, Mapping

from . import _checks, _core
from .running import _open_store
from .store import Store

# Runs still open when the interpreter exits: ended by _end_open_runs with what ended the
# process (a run collected before then is finished by its C++ destructor).
_open_runs: "weakref.WeakSet[Any]" = weakref.WeakSet()


def _track(owner: Any) -> None:
    """Ends ``owner``'s open run (``owner.close(status, message)``) at interpreter exit."""
    _watch_the_exit()
    _open_runs.add(owner)


def _exit_status(error: BaseException | None) -> tuple[str, str]:
    """The status a search that ended with ``error`` (None: normally) gets."""
    if error is None or (isinstance(error, SystemExit) and error.code in (0, None)):
        return "finished", ""
    if isinstance(error, KeyboardInterrupt):
        return "interrupted", ""
    try:
        text = str(error)
    except Exception:  # noqa: BLE001 - a broken __str__ must not keep the run from ending
        text = "(its message could not be shown)"
    # Made UTF-8-safe: a file name from os.listdir may hold a lone surrogate, which the core
    # cannot take; refusing it would replace the user's exception and leave the run open.
    return "failed", _checks.utf8_safe(f"{type(error).__name__}: {text}")


def _closing_status(status: str | None, message: str) -> tuple[str, str]:
    """``close()``'s status: the one given, else the exception in flight (a ``with`` block
    or ``finally`` unwinding on it: gymnasium's wrappers close without arguments), else
    finished."""
    if status is not None:
        return status, message
    return _exit_status(sys.exc_info()[1])


_STATUSES = ("finished", "interrupted", "failed")


def _close_arguments(status: str | None, message: str) -> tuple[str, str]:
    """``close(status, message)``'s arguments checked, then the status and message to end
    the run with (see :meth:`ExternalRun.close`)."""
    if not isinstance(status, (str, type(None))) or not isinstance(message, str):
        raise TypeError("close: status and message must be text")
    if status is not None and status not in _STATUSES:
        raise ValueError(f"close: status must be one of {', '.join(_STATUSES)}, got {status!r}")
    status, message = _closing_status(status, message)
    return status, _checks.utf8_safe(message)  # a message is stored, never refused


# The exception that reached the top level and ends the program, as sys.excepthook sees it
# (sys.last_value also holds errors a session or test runner showed and went on after).
_fatal: list[BaseException] = []
_previous_excepthook = sys.excepthook


def _excepthook(kind, error, traceback) -> None:
    try:
        sys._getframe(1)  # called from Python code: a console showing an error it goes on after
    except ValueError:  # called by the interpreter itself: the program ends on this error
        _fatal[:] = [error]
    _previous_excepthook(kind, error, traceback)


def _watch_the_exit() -> None:
    """Installs the hook and the exit handler once, with the first run to track: importing
    archgym changes no process-wide hook."""
    global _previous_excepthook, _watching
    if _watching:
        return
    _watching = True
    _previous_excepthook = sys.excepthook
    sys.excepthook = _excepthook
    atexit.register(_end_open_runs)


_watching = False


def _end_open_runs() -> None:
    status, message = _exit_status(_fatal[0] if _fatal and not hasattr(sys, "ps1") else None)
    for owner in list(_open_runs):
        try:
            owner.close(status, message)
        except Exception:  # noqa: BLE001 - exiting: the rows are stored, the status stays "running"
            pass


class ExternalRun:
    """A run of ``store`` (a Store or the path of one, created if missing) on registry env
    ``env`` built with ``env_options``, scored as ``archgym.run`` scores (``targets``
    override the env's default targets; ``formulation`` its reward formulation).

    ``driver`` names what picks the designs (shown by ``archgym runs``); ``seed`` is the
    driver's own, for the record. Env options are keywords (``workload="random"``) or an
    ``env_options`` dict, as :func:`archgym.run` takes them. Bad names, options or targets
    raise before the store file is created or touched. Used as a context manager, the run
    ends when the block does: ``"finished"`` (also on ``sys.exit(0)``), ``"interrupted"``
    on KeyboardInterrupt, ``"failed"`` (with the message, in the store's ``message``) on
    any other exception, which then propagates. Without one, call :meth:`close`; a run
    still open when the program ends on an uncaught exception or Ctrl-C gets that status
    (``sys.exit`` with an error code outside a ``with`` block cannot be told from a normal
    end: finished), one collected or open at a normal exit is finished, and one whose
    process was killed stays ``running`` (``archgym runs`` shows it as ``killed``). Every
    evaluation is stored as it completes. One run belongs to one process: evaluate from
    threads, or start a run per worker process.
    """

    def __init__(self, store: Store | str | os.PathLike, env: str = "dram", *, driver: str = "python",
                 seed: int = 0, targets: Mapping[str, float | None] | None = None, formulation: str | None = None,
                 env_options: Mapping[str, Any] | None = None, **options: Any):
        if store is None:
            raise TypeError("store must be a Store or the path of a store, got None")
        if not isinstance(store, (Store, _core.Store)):
            store = _checks.path("store", store)
        if not isinstance(driver, str):
            raise TypeError(f"driver must be text naming what picks the designs, got {driver!r}")
        given = dict(_checks.mapping("env_options", env_options))
        twice = sorted(set(given) & set(options))
        if twice:
            raise ValueError(f"env option(s) {twice} given both in env_options and as keywords")
        given.update(options)
        args = (_checks.name("env", env), _checks.options_text(given, "env options"),
                _checks.targets(targets), _checks.formulation(formulation), _checks.seed(seed), driver)
        if isinstance(store, str):
            # Before the store file is opened (and so perhaps created): a refused run leaves
            # no file behind, as with archgym.run.
            _core.ExternalRun.check(*args)
        self._store_path = store if isinstance(store, str) else store.path
        self._run = _core.ExternalRun(_open_store(store), *args)
        self.env: str = args[0]
        self.driver: str = driver
        _track(self)

    @property
    def run_id(self) -> int:
        """The run's id in the store."""
        return self._run.run_id

    @property
    def open(self) -> bool:
        """Whether the run takes more evaluations (False once closed)."""
        return self._run.open

    @property
    def evaluations(self) -> int:
        """Evaluations stored so far."""
        return self._run.evaluations

    @property
    def objective(self) -> _core.Objective:
        """The objective giving the stored rewards."""
        return self._run.objective

    @property
    def space(self) -> _core.DesignSpace:
        """The env's design space: its ``names``, ``parameters`` (values or ranges) and
        ``sample``, for the search to pick designs from."""
        return self._run.space

    @property
    def metric_names(self) -> list[str]:
        """The metrics each evaluation reports."""
        return list(self._run.metric_names)

    def evaluate(self, design: Mapping[str, Any]) -> dict[str, Any]:
        """Simulates ``design`` ({knob: value}; knobs left out take the default design's
        values) and stores it as the run's next evaluation. Returns ``{"index", "reward",
        "valid", "reason", "metrics", "sim_seconds", "design"}`` (``design`` complete).

        A knob value outside the space raises ValueError, and nothing is stored; a design
        the env cannot simulate (a broken constraint, a simulator error) is stored as
        invalid with the reason and the invalid reward, and returned. A design this run
        evaluated before is answered from its first evaluation (``sim_seconds`` 0). The GIL
        is released while simulating, so threads may evaluate side by side."""
        return self._run.evaluate(design)

    def close(self, status: str | None = None, message: str = "") -> None:
        """Ends the run with ``status`` ``"finished"``, ``"interrupted"`` or ``"failed"``
        (``message`` saying why). Without one: ``failed`` (or ``interrupted``) when called
        while an exception unwinds (in a ``finally``), else ``finished``. A ``message``
        holding what UTF-8 cannot encode (a lone surrogate from an undecodable file name)
        is stored with it backslash-escaped (``\\udcff``). Closing a closed run does
        nothing; in a forked child it ends only the child's copy. A status the store cannot
        take (disk full) raises, and the run stays open: close again."""
        status, message = _close_arguments(status, message)
        if self._run.open:
            self._run.finish(status, message)

    def __enter__(self) -> "ExternalRun":
        return self

    def __exit__(self, kind, error, traceback) -> None:
        self.close(*_exit_status(error))

    def __repr__(self) -> str:
        state = "open" if self.open else "closed"
        return (f"<archgym ExternalRun {self.run_id} of {self._store_path!r}: env {self.env!r}, "
                f"driver {self.driver!r}, {self.evaluations} evaluations, {state}>")

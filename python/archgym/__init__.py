"""archgym: ML-assisted computer-architecture design, a C++ gymnasium seen from Python.

Everything registered in the C++ core appears here without binding code of its own:

>>> import archgym, gymnasium
>>> [e["name"] for e in archgym.list_envs()]            # doctest: +SKIP
['dram']
>>> env = gymnasium.make("archgym/DRAM-v0", workload="stream")   # doctest: +SKIP
>>> df = archgym.run(env="dram", agent="ga", budget=64, seed=1)  # doctest: +SKIP
>>> proxy = archgym.train_proxy("archgym.db", model="knn")       # doctest: +SKIP
>>> with archgym.ExternalRun("archgym.db", "dram", driver="optuna") as r:  # doctest: +SKIP
...     r.evaluate({"PagePolicy": "Closed"})   # your own search's design, logged

Errors raised by the core keep its message: bad names, options and knob values
raise ValueError listing what is allowed (a value of the wrong type TypeError, a
gymnasium action's index beyond its knob's values IndexError); other failures raise
RuntimeError. A component
the registry refused while the module loaded (a name registered twice, a bad option
default) makes ``import archgym`` raise ImportError with the registry's messages.
"""
from __future__ import annotations

import os as _os
from pathlib import Path as _Path

# The shipped traces, memspecs and address maps live in the package (installed by
# `pip install .`, or linked in a CMake build tree). Set before anything is simulated;
# a user's own ARCHGYM_DATA_DIR wins.
_DATA_DIR = _Path(__file__).resolve().parent / "data"
if _DATA_DIR.is_dir():
    _os.environ.setdefault("ARCHGYM_DATA_DIR", str(_DATA_DIR))

from . import _checks, _core  # noqa: E402
from ._core import (  # noqa: E402,F401
    Agent,
    DesignSpace,
    Env,
    GymView,
    Objective,
    Parameter,
)
from .external import ExternalRun  # noqa: E402
from .proxy import Proxy, list_proxy_models, load_proxy, train_proxy  # noqa: E402
from .running import resume, run, run_agent  # noqa: E402
from .store import Store  # noqa: E402

__version__: str = _core.__version__
git_commit: str = _core.git_commit
#: How the extension was compiled: "GNU 12.2.0, Release build, flags: -O3 -DNDEBUG".
build_config: str = _core.build_config


def list_envs() -> list[dict]:
    """Every registered env as ``{name, description, options}``.

    ``options`` lists each accepted keyword option as a dict with ``name``, ``kind``,
    ``default``, ``min``, ``max``, ``choices``, ``description`` and ``allowed``.
    """
    return _core.list_envs()


def list_agents() -> list[dict]:
    """Every registered agent as ``{name, description, options}`` (hyperparameter schema)."""
    return _core.list_agents()


def make_env(name: str, **options) -> Env:
    """Builds the registered env ``name``; keyword options are validated by its schema.

    Example: ``archgym.make_env("dram", generator="random", requests=2000)``.
    """
    return _core.make_env(name, **options)


def make_agent(name: str, space: DesignSpace | Env, seed: int = 1, **hyperparameters) -> Agent:
    """Builds the registered agent ``name`` searching ``space`` (or an env's space).

    A gymnasium archgym env (``gymnasium.make("archgym/DRAM-v0")``) works too.
    Use ``agent.ask(n)`` for designs (dicts) and ``agent.tell(designs, rewards)`` with
    the rewards (higher is better) of all the designs of the last ask, before asking again.
    """
    if not isinstance(space, (DesignSpace, Env)):
        core_env = getattr(getattr(space, "unwrapped", None), "env", None)  # a gymnasium archgym env
        if not isinstance(core_env, Env):
            raise TypeError(f"make_agent: space must be an archgym DesignSpace, Env or gymnasium "
                            f"archgym env, got {type(space).__name__}")
        space = core_env
    return _core.make_agent(name, space, _checks.seed(seed), **hyperparameters)


def runs(store: str | _os.PathLike | Store = "archgym.db") -> "pandas.DataFrame":  # noqa: F821
    """The runs a store holds, one row each, as ``archgym runs`` lists them: read-only,
    also while a run writes to it; ``state`` is the status ``archgym runs`` shows (a run
    whose process is gone is ``killed``). See :meth:`Store.runs` for the columns."""
    if not isinstance(store, Store):
        store = Store(store, read_only=True)
    return store.runs()


def __getattr__(name: str):
    """``archgym.plots`` without importing matplotlib on every ``import archgym``."""
    if name == "plots":
        import importlib
        return importlib.import_module(".plots", __name__)
    raise AttributeError(f"module 'archgym' has no attribute {name!r}")


from .gym import register_envs as _register_envs  # noqa: E402

# Every registry env becomes a gymnasium id, e.g. "archgym/DRAM-v0".
gym_ids: dict[str, str] = _register_envs()

__all__ = [
    "Agent", "DesignSpace", "Env", "ExternalRun", "GymView", "Objective", "Parameter", "Proxy", "Store",
    "__version__", "build_config", "git_commit", "gym_ids", "list_agents", "list_envs", "list_proxy_models",
    "load_proxy", "make_agent", "make_env", "resume", "run", "run_agent", "runs", "train_proxy",
]

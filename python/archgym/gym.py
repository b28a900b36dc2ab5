"""Gymnasium environments over every archgym env in the registry.

Each registry env ``name`` is registered as ``archgym/<Name>-v0`` (``dram`` ->
``archgym/DRAM-v0``); ``gymnasium.make(id, **options)`` forwards env options
(e.g. ``workload="random"``) to the C++ env and accepts ``targets`` and
``formulation`` for the reward. Episodes are truncated by gymnasium's ``TimeLimit``:
``max_episode_steps`` (registered default 16). The ids exist once ``archgym`` is
imported; ``gymnasium.make("archgym:archgym/DRAM-v0")`` imports it on the way.

One step evaluates one design (the action) and observes its metrics:

- action space: ``Dict`` of ``Discrete`` (one per knob, value index in the knob's
  order; a real-valued knob is a ``Box`` holding its value). RL libraries that
  want a flat action use :class:`FlattenAction` (``MultiDiscrete``).
- observation: ``Box(-inf, inf)`` of the metrics in ``metric_names`` order (float64);
  all zeros after an invalid design. (Unbounded below too: a proxy model, e.g. a linear
  one, can predict a negative value where the simulator never reports one.)
- reward: the env's objective (ArchGym's formulation; higher is better).
- terminated when the objective's target is met; truncated after ``max_episode_steps``
  steps (an ``ArchGymEnv`` built directly truncates after ``episode_length``, if given).
  After either, a step raises gymnasium's ResetNeeded until the next reset.
- info: ``design`` (decoded knob values), ``metrics`` (raw, by name, in ``metric_names``
  order), ``valid`` and ``reason``; after reset, those of the default design. (No wall
  times: info is deterministic, as gymnasium's checker requires; ``Env.evaluate``
  reports ``sim_seconds``.)

With ``store`` (a Store or the path of one), every evaluation the env makes (each
reset's default design, each step) is stored as it completes, in one external run per
env object (:class:`archgym.ExternalRun`; ``driver`` names the RL library or agent,
default ``"gymnasium"``; the seed recorded is the first reset's). The run's record (the
env's options, its input files and their digests) is taken when the env is made; the run
appears in the store with its first evaluation and ends with ``close()``: ``finished``,
or ``failed``/``interrupted`` when it runs while an exception unwinds (``with env:``, a
``finally``) or the process ends on one; ``env.unwrapped.close(status=..., message=...)``
says it explicitly. ``run_id`` names it. A reset or step whose evaluation cannot be stored
(disk full) raises and changes nothing, so it can be taken again. So an RL search is
listed, exported, plotted and trained on like ``archgym.run``'s:
``gymnasium.make("archgym/DRAM-v0", store="runs.db", driver="sb3-ppo")``.
"""
from __future__ import annotations

from typing import Any, Mapping

import gymnasium
import numpy as np
from gymnasium import spaces

from . import _checks, _core
from .external import _close_arguments, _track
from .running import _open_store


def gym_name(name: str) -> str:
    """The gymnasium name of a registry env: short names upper-cased ('dram' -> 'DRAM',
    'soc' -> 'SOC'), longer ones CamelCased ('systolic_array' -> 'SystolicArray'). The
    rule is the core's, whose registry refuses an env whose id another env has."""
    return _core.gym_name(name)


def gym_id(name: str) -> str:
    """The gymnasium id of a registry env, e.g. ``archgym/DRAM-v0``."""
    return _core.gym_id(name)


#: Steps per episode unless ``gymnasium.make(..., max_episode_steps=N)`` says otherwise.
DEFAULT_MAX_EPISODE_STEPS = 16


def register_envs() -> dict[str, str]:
    """Registers every registry env with gymnasium (idempotent); returns {name: id}."""
    ids = {entry["name"]: gym_id(entry["name"]) for entry in _core.list_envs()}
    for name, env_id in ids.items():
        if env_id not in gymnasium.registry:
            gymnasium.register(id=env_id, entry_point="archgym.gym:_from_registry",
                               kwargs={"archgym_env": name},
                               max_episode_steps=DEFAULT_MAX_EPISODE_STEPS)
    return ids


def _from_registry(archgym_env: str, **kwargs: Any) -> "ArchGymEnv":
    """gymnasium.make's entry point. Truncation is gymnasium's TimeLimit alone, so that
    ``max_episode_steps`` (and ``env.spec``) is the episode length the agent sees."""
    if "episode_length" in kwargs:
        raise TypeError("episode_length is not a gymnasium.make option: pass "
                        "max_episode_steps=N (default "
                        f"{DEFAULT_MAX_EPISODE_STEPS}); gymnasium's TimeLimit truncates episodes")
    return ArchGymEnv(archgym_env, **kwargs)


_from_registry.metadata = {"render_modes": []}  # read by gymnasium.make before creating


def _objective(env: _core.Env, targets: Mapping[str, float | None] | None,
               formulation: str | None) -> _core.Objective:
    """The objective archgym.run scores with (the core's run_objective): the env's default
    one (its weights, tolerance and caps kept), under ``formulation`` if given, with
    ``targets`` replacing its target values or adding metrics with weight 1 (None drops one)."""
    return _core.run_objective(env, _checks.formulation(formulation), _checks.targets(targets))


def _real_value(a: Any, p: Any) -> float:
    """A real knob's value from its action entry. An action in lower precision than
    float64 (RL libraries act in float32) that equals a bound at that precision is the
    bound: float32(1.2) is 1.2000000476837158, which the space would refuse as above 1.2."""
    x = float(np.asarray(a, dtype=np.float64).reshape(-1)[0])
    given = np.asarray(a)
    if np.issubdtype(given.dtype, np.floating) and given.dtype.itemsize < 8:
        first = given.reshape(-1)[0]
        for bound in (float(p.from_unit(0.0)), float(p.from_unit(1.0))):
            if first == given.dtype.type(bound):
                return bound
    return x


def _index(knob: str, action: Any, cardinality: int) -> int:
    """One Discrete action: an integer in 0..cardinality-1 (a float, text or bool is
    refused rather than truncated)."""
    if isinstance(action, int) and not isinstance(action, bool) and not -2**63 <= action < 2**64:
        # Beyond numpy's integers (it would make an object array): out of range, not a non-integer.
        raise IndexError(f"action for {knob}: index {action} outside 0..{cardinality - 1}")
    a = np.asarray(action)
    if a.size != 1:
        raise ValueError(f"action for {knob}: expected one index, got shape {a.shape}")
    if not np.issubdtype(a.dtype, np.integer):
        raise TypeError(f"action for {knob}: expected an integer index, got {action!r}")
    i = int(a.reshape(-1)[0])
    if not 0 <= i < cardinality:
        raise IndexError(f"action for {knob}: index {i} outside 0..{cardinality - 1}")
    return i


class ArchGymEnv(gymnasium.Env):
    """A registry env as a gymnasium env (see the module docstring for the spaces)."""

    metadata = {"render_modes": []}

    def __init__(self, archgym_env: str = "dram", *, episode_length: int | None = None,
                 targets: Mapping[str, float | None] | None = None, formulation: str | None = None,
                 render_mode: str | None = None, store: Any = None, driver: str = "gymnasium",
                 **options: Any):
        """Builds registry env ``archgym_env`` with ``options``; ``targets``/``formulation``
        override the env's default objective. Built through ``gymnasium.make``, episodes
        last ``max_episode_steps``; built directly, ``episode_length`` steps (None: no
        limit). Reset observes the default design, simulated at the first reset only.
        With ``store``, every evaluation is logged as an external run (module docstring)."""
        if render_mode is not None:
            raise ValueError(f"archgym envs do not render (render_mode={render_mode!r})")
        self.render_mode = render_mode
        # Why step() must wait for reset(), or None: before the first reset and after the view
        # truncated an episode (where it would raise its own RuntimeError).
        self._reset_needed: str | None = "Cannot call env.step() before calling env.reset()"
        self.env = _core.make_env(archgym_env, **options)
        self.objective = _objective(self.env, targets, formulation)
        length = (_checks.UINT64_MAX if episode_length is None
                  else _checks.integer("episode_length", episode_length, 1, _checks.UINT64_MAX))
        self.view = _core.GymView(self.env, self.objective, length)
        if not isinstance(driver, str):
            raise TypeError(f"driver must be text naming what picks the designs, got {driver!r}")
        _core.ExternalRun.check_driver(driver)
        if store is None and driver != "gymnasium":
            raise ValueError(f"driver={driver!r} names the searcher of a logged run: give store= too")
        self._closed = False
        self._run: _core.ExternalRun | None = None
        if store is not None:
            # After the env and objective were checked, so that a refused env leaves no store
            # file behind. The record is taken now, from the files the env read (a later
            # change of directory cannot change it); the run is stored with its first evaluation.
            self._run = _core.ExternalRun.on_view(_open_store(store), self.view, self.env, driver)
            _track(self)
        self.design_space = self.env.space
        self.knobs: list[str] = list(self.design_space.names)
        self.metric_names: list[str] = list(self.env.metric_names)
        self._parameters = list(self.design_space.parameters)
        self._discrete = all(p.is_discrete for p in self._parameters)
        action: list[tuple[str, spaces.Space]] = []
        for p in self._parameters:
            if p.is_discrete:
                action.append((p.name, spaces.Discrete(p.cardinality)))
            else:
                lo, hi = float(p.from_unit(0.0)), float(p.from_unit(1.0))
                action.append((p.name, spaces.Box(lo, hi, shape=(1,), dtype=np.float64)))
        self.action_space = spaces.Dict(action)
        self.observation_space = spaces.Box(-np.inf, np.inf, shape=(len(self.metric_names),),
                                            dtype=np.float64)

    def _check_action(self, action: Any, what: str = "action") -> None:
        """An action (or a design, ``what``) holds exactly one entry per knob."""
        if not isinstance(action, Mapping):
            raise TypeError(f"{what} must be a dict with one entry per knob {self.knobs}, "
                            f"got {type(action).__name__}")
        missing = [k for k in self.knobs if k not in action]
        unknown = [str(k) for k in action if k not in self.action_space.spaces]
        if missing or unknown:
            parts = ([f"missing knob(s) {missing}"] if missing else []) + (
                [f"unknown knob(s) {unknown}"] if unknown else [])
            raise ValueError(f"{what}: {'; '.join(parts)} (knobs: {self.knobs})")

    def _info(self, evaluation: Mapping[str, Any], design: Mapping[str, Any]) -> dict[str, Any]:
        metrics = evaluation["metrics"]
        ordered = {m: metrics[m] for m in self.metric_names if m in metrics}
        ordered.update({m: v for m, v in metrics.items() if m not in ordered})
        return {"design": design, "metrics": ordered, "valid": evaluation["valid"],
                "reason": evaluation["reason"]}

    def decode(self, action: Mapping[str, Any]) -> dict[str, Any]:
        """The design (knob -> value) an action stands for."""
        self._check_action(action)
        design = {}
        for p in self._parameters:
            a = action[p.name]
            if p.is_discrete:
                design[p.name] = p.value_at(_index(p.name, a, p.cardinality))
            else:
                design[p.name] = _real_value(a, p)
        return design

    def encode(self, design: Mapping[str, Any]) -> dict[str, Any]:
        """The action for a design (inverse of :meth:`decode`)."""
        self._check_action(design, "design")
        action = {}
        for p in self._parameters:
            if p.is_discrete:
                action[p.name] = np.int64(p.index_of(design[p.name]))
            else:
                action[p.name] = np.array([design[p.name]], dtype=np.float64)
        return action

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        """Starts an episode; returns (metrics of the default design, info). A reset whose
        evaluation cannot be stored raises and changes nothing (the episode in progress, if
        any, goes on; the generator is as before, so a retry without a seed draws the same
        episode seed): reset again, or close."""
        if seed is not None:
            seed = _checks.seed(seed)
        if seed is None:
            # The generator exists from here on (gymnasium makes one from fresh entropy on
            # first use), so that a failed first reset is retried with the same one.
            self.np_random  # noqa: B018 - the property creates it
        # (_np_random_seed is gymnasium 1.0's.)
        saved = {name: getattr(self, name) for name in ("_np_random", "_np_random_seed")
                 if hasattr(self, name)}
        generator = saved["_np_random"]
        state = None if generator is None else generator.bit_generator.state
        try:
            super().reset(seed=seed)
            self._refuse_if_closed()
            view_seed = seed if seed is not None else int(self.np_random.integers(2**62))
            if self._run is not None and self._run.run_id == 0:
                self._run.set_seed(int(view_seed))  # the first reset's, recorded with the run
            obs, evaluation, design = self.view.reset(int(view_seed))
        except BaseException:
            # A retry without a seed draws the one this reset drew, which the run may hold
            # already (created, then its first row refused).
            for name, value in saved.items():
                setattr(self, name, value)
            if generator is not None:
                generator.bit_generator.state = state
            raise
        self._reset_needed = None
        return np.asarray(obs, dtype=np.float64), self._info(evaluation, design)

    def step(self, action: Mapping[str, Any]):
        """Evaluates the design ``action`` -> (obs, reward, terminated, truncated, info).
        A step whose evaluation cannot be stored (disk full) raises and does not count: the
        episode is as before it (gymnasium's TimeLimit counts only steps that return), so
        take it again, or close; every evaluation stored before stays."""
        self._refuse_if_closed()
        if self._reset_needed:  # gymnasium's error (and message) for this, as OrderEnforcing raises
            raise gymnasium.error.ResetNeeded(self._reset_needed)
        if self._discrete:
            self._check_action(action)  # (decode() checks it on the other path)
            indices = [_index(p.name, action[p.name], p.cardinality) for p in self._parameters]
            obs, reward, terminated, truncated, evaluation, design = self.view.step_indices(indices)
        else:
            obs, reward, terminated, truncated, evaluation, design = self.view.step(
                self.decode(action))
        if terminated or truncated:  # gymnasium's contract: reset after either
            why = "the target was met" if terminated else f"{self.view.steps} steps"
            self._reset_needed = (f"Cannot call env.step() after the episode ended ({why}); "
                                  "call env.reset() to start another")
        return (np.asarray(obs, dtype=np.float64), float(reward), bool(terminated),
                bool(truncated), self._info(evaluation, design))

    def render(self):
        """archgym envs have nothing to render."""
        return None

    @property
    def run_id(self) -> int | None:
        """The store's run logging this env's evaluations (None without a store, or
        before its first evaluation)."""
        return None if self._run is None or self._run.run_id == 0 else self._run.run_id

    def close(self, status: str | None = None, message: str = "") -> None:
        """Ends the store's run, if any, with ``status`` (``"finished"``, ``"interrupted"``
        or ``"failed"`` with ``message``; gymnasium's wrappers pass none: then ``failed``
        or ``interrupted`` while an exception unwinds, as in ``with env:`` or a
        ``finally``, else ``finished``). Every evaluation is stored already. Closing again
        does nothing; a closed env that logs refuses further resets and steps. A status the
        store cannot take (disk full) raises, and the env stays open: close again. A message
        UTF-8 cannot encode is stored backslash-escaped, as :meth:`ExternalRun.close` does.
        Through a wrapper give a status as ``env.unwrapped.close(status="failed", message=...)``."""
        status, message = _close_arguments(status, message)
        try:
            if self._run is not None and self._run.open:
                self._run.finish(status, message)
        finally:
            # Still open when the run's status could not be stored (disk full): close again.
            self._closed = self._run is None or not self._run.open
        super().close()

    def _refuse_if_closed(self) -> None:
        if self._closed and self._run is not None:  # before anything is simulated
            where = f" (its evaluations are run {self.run_id} of the store)" if self.run_id else ""
            raise RuntimeError(f"this env was closed{where}; make another to go on")

    def __getstate__(self):
        # The C++ env and the episode in progress cannot be serialised; say what works.
        raise TypeError("archgym gymnasium envs cannot be pickled or copied (they hold a C++ "
                        "simulator); build another with gymnasium.make(env.spec) (vector envs "
                        "take a constructor, not an env)")


class FlattenAction(gymnasium.ActionWrapper, gymnasium.utils.RecordConstructorArgs):
    """Presents a discrete archgym env's ``Dict`` action as one ``MultiDiscrete``
    (knob order), the form RL libraries such as Stable-Baselines3 accept."""

    def __init__(self, env: gymnasium.Env):
        """Wraps ``env`` (an ArchGymEnv, possibly wrapped); every knob must be discrete."""
        gymnasium.utils.RecordConstructorArgs.__init__(self)
        gymnasium.ActionWrapper.__init__(self, env)
        base = env.unwrapped
        if not isinstance(base, ArchGymEnv):
            raise TypeError(f"FlattenAction wraps archgym envs, got {type(base).__name__}")
        if not base._discrete:
            real = [p.name for p in base._parameters if not p.is_discrete]
            raise ValueError(f"FlattenAction needs discrete knobs; real-valued: {real}")
        self.knobs = list(base.knobs)
        self.action_space = spaces.MultiDiscrete(
            [env.action_space[k].n for k in self.knobs], dtype=np.int64)

    def action(self, action):
        """MultiDiscrete vector -> Dict action."""
        flat = np.asarray(action).reshape(-1)
        if flat.size != len(self.knobs):
            raise ValueError(f"FlattenAction: expected {len(self.knobs)} indices (one per knob: "
                             f"{self.knobs}), got {flat.size}")
        return {k: flat[i] for i, k in enumerate(self.knobs)}

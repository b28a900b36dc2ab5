"""Plot helpers (matplotlib, Agg backend): search progress, Pareto fronts, proxy parity
and proxy feature weights.

Every function returns the data it drew next to the figure, so callers (and tests)
can check the numbers, not only the picture. A figure is written whole (rendered into a
temporary file, then renamed over the target) and never over a store, as
:meth:`archgym.Store.export_csv` writes its file.
"""
from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Iterable, Sequence

import matplotlib

matplotlib.use("Agg")  # files, never windows: works headless and in worker processes
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from . import _checks, _core  # noqa: E402


def best_so_far(rewards: Iterable[float]) -> np.ndarray:
    """The running maximum of ``rewards`` (NaN entries do not count)."""
    r = np.asarray(list(rewards), dtype=np.float64)
    r = np.where(np.isnan(r), -np.inf, r)
    return np.maximum.accumulate(r) if len(r) else r


def best_so_far_curves(runs: pd.DataFrame, *, group: str | None = None, seed: str = "seed",
                       reward: str = "reward", budget: int | None = None) -> pd.DataFrame:
    """Best-so-far reward per evaluation, aggregated over seeds for each ``group``.

    ``runs`` has one row per evaluation with columns ``group``, ``seed``, ``index``
    and ``reward``: :meth:`archgym.Store.searches` (``group`` defaults to its
    ``searcher`` column), or several :func:`archgym.run` frames concatenated with an
    ``agent`` column (the default when there is no ``searcher``). A run that stopped
    before the others of its group (target met, agent finished) keeps its best value
    up to ``budget``; without one, each group's curve ends with its longest run, so a
    group given fewer evaluations is not drawn as if it had run as long as another.
    A frame of :meth:`archgym.Store.searches` also says how each run ended: one that did
    not end by its own rule (killed, interrupted, failed or still running) or that ran out
    of a smaller budget than the curve's length is not extended, but refused with a
    ValueError naming it (resume it, leave it out, or pass a ``budget`` it reached).
    Returns columns ``group``, ``evaluations`` (1-based), ``median``, ``low``,
    ``high`` (min and max over seeds) and ``seeds``.
    """
    group = _group_column(runs, group)
    _require_columns("best_so_far_curves", runs, [group, seed, "index", reward])
    if runs.empty:
        raise ValueError("best_so_far_curves: no evaluations to plot")
    # groupby drops rows whose key is missing: a run would vanish from the curves unseen.
    for column in (group, seed, "index"):
        missing = runs[column].isna()
        if missing.any():
            raise ValueError(f"best_so_far_curves: column {column!r} is missing in {int(missing.sum())} of "
                             f"{len(runs)} rows (first at row {runs.index[missing.to_numpy()][0]!r}); "
                             "every evaluation needs its group, seed and index")
    values = _numeric("best_so_far_curves", runs, reward)
    runs = runs.assign(**{reward: values})
    any_finite = pd.Series(np.isfinite(values), index=runs.index).groupby(runs[group], sort=True).any()
    if not any_finite.all():
        raise ValueError(f"best_so_far_curves: no finite {reward!r} for {group} "
                         f"{list(any_finite.index[~any_finite])} (every design invalid?)")
    repeated = runs.duplicated(subset=[group, seed, "index"])
    if repeated.any():
        g, s, i = (v.item() if isinstance(v, np.generic) else v
                   for v in runs.loc[repeated, [group, seed, "index"]].iloc[0])
        raise ValueError(f"best_so_far_curves: {group} {g!r} seed {s!r} has index {i!r} more "
                         f"than once (two runs under one {group} and seed? give runs= to pick one)")
    budget = _checks.integer("budget", budget, 1) if budget is not None else None
    ended = runs.attrs.get("runs", {}) if "run_id" in runs else {}
    rows = []
    for name, by_group in runs.groupby(group, sort=True):
        n = budget if budget is not None else int(by_group.groupby(seed).size().max())
        curves = []
        for seed_value, one in by_group.groupby(seed, sort=True):
            curve = best_so_far(one.sort_values("index")[reward].to_numpy())[:n]
            if len(curve) < n:  # stopped early: its best stands for the rest of the budget
                _require_ended_early(ended, one, f"{group} {name!r} seed {seed_value!r}", n)
                curve = np.concatenate([curve, np.full(n - len(curve), curve[-1])])
            curves.append(curve)
        stack = np.vstack(curves)
        rows.append(pd.DataFrame({group: name, "evaluations": np.arange(1, n + 1),
                                  "median": np.median(stack, axis=0),
                                  "low": stack.min(axis=0), "high": stack.max(axis=0),
                                  "seeds": len(curves)}))
    return pd.concat(rows, ignore_index=True)


def _require_ended_early(ended: dict, one: pd.DataFrame, who: str, n: int) -> None:
    """Refuses to extend a run's curve to ``n`` unless the run stopped early by its own rule
    (the agent finished, or the target was met), when the frame says how its runs ended."""
    run_ids = one["run_id"].unique() if ended else ()
    if len(run_ids) != 1 or run_ids[0] not in ended:
        return  # not a searches() frame of this run: nothing known
    run_id = int(run_ids[0])
    facts = ended[run_ids[0]]
    state, budget, done = facts["state"], int(facts["budget"]), len(one)
    if facts.get("external"):  # no budget, no rule of its own: its driver stopped it
        raise ValueError(f"best_so_far_curves: run {run_id} ({who}) is an external run of {done} evaluations "
                         f"(its driver chose when to stop), but the curve goes to {n}: leave it out "
                         f"(searches(runs=...)) or pass budget={done}")
    if state in ("finished", "target_met") and (done < budget or state == "target_met"):
        return
    why = (f"is {state}" if state not in ("finished", "target_met")
           else f"ran its whole budget of {budget}")
    raise ValueError(f"best_so_far_curves: run {run_id} ({who}) {why} after {done} evaluations, but the "
                     f"curve goes to {n}: only a run that ended by its own rule (target met, agent "
                     f"finished) keeps its best to the end. Resume it, leave it out (searches(runs=...)), "
                     f"or pass budget={done}")


def plot_best_so_far(runs: pd.DataFrame, path: str | Path, *, group: str | None = None,
                     seed: str = "seed", reward: str = "reward", title: str = "",
                     budget: int | None = None, log_y: bool = False) -> pd.DataFrame:
    """Draws best reward versus evaluations per ``group`` (median line, min-max band
    over seeds) to ``path`` (PNG, SVG or PDF by suffix); returns the curves drawn
    (:func:`best_so_far_curves`, which says what ``group`` and ``budget`` default to)."""
    group = _group_column(runs, group)
    curves = best_so_far_curves(runs, group=group, seed=seed, reward=reward, budget=budget)
    # -inf: no valid design yet in that run; drawn as a gap.
    drawn = curves.replace(-np.inf, np.nan)
    if log_y and not (drawn["low"].dropna() > 0).all():
        lowest = drawn["low"].min()
        raise ValueError(f"plot_best_so_far: log_y needs positive rewards, but the best {reward!r} "
                         f"so far goes down to {lowest:g} (ArchGym's rewards are often <= 0; "
                         "plot them on a linear axis)")
    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=120)
    for name, c in drawn.groupby(group, sort=True):
        (line,) = ax.plot(c["evaluations"], c["median"],
                          label=f"{name} ({int(c['seeds'].iloc[0])} seeds)")
        ax.fill_between(c["evaluations"], c["low"], c["high"], color=line.get_color(), alpha=0.2)
    ax.set_xlabel("evaluations")
    ax.set_ylabel(f"best {reward} so far")
    if log_y:
        ax.set_yscale("log")
    if title:
        ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend()
    _save(fig, path)
    return curves


def pareto_front(df: pd.DataFrame, x: str, y: str, *,
                 minimize: Sequence[bool] = (True, True)) -> pd.DataFrame:
    """The rows of ``df`` not dominated in (``x``, ``y``), sorted by ``x``.

    ``minimize`` says per metric whether lower is better. Rows with NaN or infinity in
    either metric, or ``valid`` False, are ignored; exact duplicates all stay on the front.
    Values are compared as float64.
    O(n log n): a front of 100k designs takes milliseconds.
    """
    sx, sy = (1.0 if m else -1.0 for m in _minimize_pair(minimize))
    _require_columns("pareto_front", df, [x, y])
    xv, yv = _numeric("pareto_front", df, x), _numeric("pareto_front", df, y)
    keep_rows = np.isfinite(xv) & np.isfinite(yv)
    if "valid" in df.columns:
        keep_rows &= _booleans("pareto_front", df, "valid")
    data = df[keep_rows]
    if data.empty:
        return data
    px, py = sx * xv[keep_rows], sy * yv[keep_rows]
    # Sweep in x order (ties by y): a point is on the front when it has the lowest y of
    # its x and every point of smaller x has a larger y.
    order = np.lexsort((py, px))
    xs, ys = px[order], py[order]
    starts = np.flatnonzero(np.r_[True, xs[1:] != xs[:-1]])
    sizes = np.diff(np.r_[starts, len(xs)])
    lowest_y = np.minimum.reduceat(ys, starts)                       # per distinct x
    lowest_before = np.r_[np.inf, np.minimum.accumulate(lowest_y)[:-1]]  # over smaller x
    on_front = (ys == np.repeat(lowest_y, sizes)) & (ys < np.repeat(lowest_before, sizes))
    keep = np.zeros(len(data), dtype=bool)
    keep[order[on_front]] = True
    return data[keep].sort_values([x, y])


def plot_pareto(df: pd.DataFrame, x: str, y: str, path: str | Path, *,
                minimize: Sequence[bool] = (True, True), group: str | None = None,
                title: str = "") -> pd.DataFrame:
    """Scatters every design in (``x``, ``y``) and draws the Pareto front (per ``group``
    if given, e.g. "agent") to ``path``; returns the front rows."""
    _require_columns("plot_pareto", df, [x, y] + ([group] if group is not None else []))
    minimize = _minimize_pair(minimize)
    groups = [(None, df)] if group is None else list(df.groupby(group, sort=True))
    fronts = [pareto_front(part, x, y, minimize=minimize) for _, part in groups]
    if all(f.empty for f in fronts):
        raise ValueError(f"plot_pareto: no valid design with finite {x!r} and {y!r} among "
                         f"{len(df)} rows")
    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=120)
    for (name, part), front in zip(groups, fronts):
        label = "designs" if name is None else str(name)
        pts = ax.scatter(part[x], part[y], s=10, alpha=0.35, label=label)
        ax.step(front[x], front[y], where="post", color=pts.get_facecolor()[0], alpha=1.0,
                label=f"Pareto front ({label})" if name is not None else "Pareto front")
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    if title:
        ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend()
    _save(fig, path)
    if group is not None:
        fronts = [f.assign(**{group: name}) for (name, _), f in zip(groups, fronts)]
    return pd.concat(fronts, ignore_index=True)


def plot_parity(actual: Sequence[float], predicted: Sequence[float], path: str | Path, *,
                metric: str = "", title: str = "") -> dict[str, float]:
    """Predicted versus actual (with the y = x line) for a proxy model, to ``path``.

    Returns the error summary drawn in the legend: ``r2``, ``mae``, ``mape`` (in %,
    over non-zero actuals) and ``n``.
    """
    a = np.asarray(actual, dtype=np.float64)
    p = np.asarray(predicted, dtype=np.float64)
    if a.shape != p.shape or a.ndim != 1 or len(a) == 0:
        raise ValueError(f"plot_parity: actual and predicted must be equal-length 1-D, "
                         f"got {a.shape} and {p.shape}")
    _require_finite("plot_parity", {"actual": a, "predicted": p})
    stats = _parity_stats(a, p)
    fig, ax = plt.subplots(figsize=(4.8, 4.8), dpi=120)
    ax.scatter(a, p, s=12, alpha=0.6,
               label=f"R² {stats['r2']:.3f}, MAPE {stats['mape']:.1f}% (n={len(a)})")
    lo, hi = float(min(a.min(), p.min())), float(max(a.max(), p.max()))
    ax.plot([lo, hi], [lo, hi], color="black", linewidth=1, label="y = x")
    ax.set_xlabel(f"actual {metric}".strip())
    ax.set_ylabel(f"predicted {metric}".strip())
    if title:
        ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend()
    _save(fig, path)
    return stats


def plot_proxy_parity(comparison: pd.DataFrame, metrics: Sequence[str], path: str | Path, *,
                      title: str = "") -> dict[str, dict[str, float]]:
    """One parity panel per metric (predicted versus simulated, with y = x) in one figure,
    from :meth:`archgym.Proxy.compare`'s frame (``<metric>`` and ``<metric>_predicted``
    columns). Returns ``{metric: {r2, mae, mape, n}}`` as drawn in each panel's legend."""
    predicted = {m: m + _core.PREDICTED_SUFFIX for m in metrics}  # Proxy.compare's column names
    missing = [m for m in metrics if m not in comparison or predicted[m] not in comparison]
    if missing or not metrics:
        raise ValueError(f"plot_proxy_parity: no actual/predicted columns for {missing or 'any metric'}; "
                         f"pass Proxy.compare(...)'s frame and some of its metrics")
    if len(comparison) == 0:
        raise ValueError("plot_proxy_parity: the comparison frame has no rows (no valid evaluations "
                         "in the runs compared)")
    cols = min(3, len(metrics))
    rows = (len(metrics) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 4.0 * rows), dpi=110, squeeze=False)
    stats = {}
    for ax, metric in zip(axes.flat, metrics):
        a = comparison[metric].to_numpy(dtype=np.float64)
        p = comparison[predicted[metric]].to_numpy(dtype=np.float64)
        _require_finite("plot_proxy_parity", {metric: a, predicted[metric]: p})
        stats[metric] = _parity_stats(a, p)
        s = stats[metric]
        ax.scatter(a, p, s=10, alpha=0.6, label=f"R² {s['r2']:.3f}, MAPE {s['mape']:.1f}% (n={len(a)})")
        lo, hi = float(min(a.min(), p.min())), float(max(a.max(), p.max()))
        ax.plot([lo, hi], [lo, hi], color="black", linewidth=1, label="y = x")
        ax.set_xlabel(f"simulated {metric}")
        ax.set_ylabel(f"predicted {metric}")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
    for ax in list(axes.flat)[len(metrics):]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title)
    _save(fig, path)
    return stats


def plot_feature_weights(weights: pd.Series, path: str | Path, *, top: int | None = None,
                         title: str = "") -> pd.Series:
    """Horizontal bars of a proxy model's weights, largest at the top, to ``path``: e.g.
    :attr:`archgym.Proxy.knob_weights` (which knobs move the metrics) or
    :attr:`~archgym.Proxy.feature_weights`. ``top`` keeps the largest ``top`` only.
    Returns the weights drawn, largest first."""
    if not isinstance(weights, pd.Series):
        raise TypeError(f"plot_feature_weights: expected a pandas Series (Proxy.knob_weights), "
                        f"got {type(weights).__name__}")
    if weights.empty:
        raise ValueError("plot_feature_weights: no weights to draw (the model reports none: "
                         "a random forest saved before importances were recorded?)")
    values = _numeric("plot_feature_weights", weights.to_frame("weight"), "weight")
    _require_finite("plot_feature_weights", {"weights": values})
    drawn = pd.Series(values, index=weights.index, name=weights.name).sort_values(ascending=False, kind="stable")
    if top is not None:
        drawn = drawn.iloc[:_checks.integer("top", top, 1)]
    fig, ax = plt.subplots(figsize=(6.4, 0.8 + 0.32 * len(drawn)), dpi=110)
    ax.barh([str(i) for i in drawn.index][::-1], drawn.to_numpy()[::-1], color="tab:blue")
    ax.set_xlabel(str(drawn.name or "weight"))
    ax.grid(True, axis="x", alpha=0.3)
    if title:
        ax.set_title(title)
    _save(fig, path)
    return drawn


def _group_column(runs: pd.DataFrame, group: str | None) -> str:
    """``group``, or by default the column that names each run's search: ``searcher``
    (:meth:`archgym.Store.searches`) when there is one, else ``agent``."""
    if group is not None:
        return group
    return "searcher" if isinstance(runs, pd.DataFrame) and "searcher" in runs.columns else "agent"


def _require_columns(caller: str, df: pd.DataFrame, columns: Sequence[str]) -> None:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{caller}: expected a pandas DataFrame, got {type(df).__name__}")
    for c in columns:
        if not isinstance(c, str):
            raise TypeError(f"{caller}: column names must be text, got {c!r}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{caller}: missing columns {missing}; have {list(df.columns)}")


def _numeric(caller: str, df: pd.DataFrame, column: str) -> np.ndarray:
    """A column as float64 (missing values as NaN), or a clear error."""
    try:
        return pd.to_numeric(df[column], errors="raise").to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{caller}: column {column!r} must be numeric ({e})") from None


def _booleans(caller: str, df: pd.DataFrame, column: str) -> np.ndarray:
    """A column of True/False (bool, or 0/1 integers) as a bool array, or a clear error."""
    values = df[column]
    if values.dtype == bool:
        return values.to_numpy()
    ok = values.map(lambda v: isinstance(v, (bool, np.bool_)) or (
        isinstance(v, (int, np.integer)) and v in (0, 1)))
    if not ok.all():
        bad = values[~ok].iloc[0]
        raise ValueError(f"{caller}: column {column!r} must hold True/False, got {bad!r}")
    return values.astype(bool).to_numpy()


def _minimize_pair(minimize: Sequence[bool]) -> tuple[bool, bool]:
    """``minimize`` for two metrics: two booleans."""
    try:
        pair = tuple(minimize) if not isinstance(minimize, (str, bytes)) else ()
    except TypeError:
        pair = ()
    if len(pair) != 2 or not all(isinstance(m, (bool, np.bool_)) for m in pair):
        raise ValueError(f"minimize must be two booleans (one per metric, x then y), got {minimize!r}")
    return bool(pair[0]), bool(pair[1])


def _require_finite(caller: str, arrays: dict[str, np.ndarray]) -> None:
    for name, values in arrays.items():
        bad = int((~np.isfinite(values)).sum())
        if bad:
            raise ValueError(f"{caller}: {name} has {bad} non-finite value(s) of {len(values)} "
                             "(NaN marks invalid designs: drop those rows first)")


def _parity_stats(a: np.ndarray, p: np.ndarray) -> dict[str, float]:
    err = p - a
    ss_tot = float(np.sum((a - a.mean()) ** 2))
    # R^2 of a constant truth is undefined. Test the values themselves, as the C++ side
    # does: the mean of equal values can round away from them, leaving ss_tot a tiny
    # positive rounding error that made R^2 a large negative number.
    constant = len(a) == 0 or bool(np.all(a == a[0]))
    nz = a != 0
    return {"r2": 1.0 - float(np.sum(err ** 2)) / ss_tot if ss_tot > 0 and not constant else float("nan"),
            "mae": float(np.mean(np.abs(err))),
            "mape": float(np.mean(np.abs(err[nz] / a[nz])) * 100) if nz.any() else float("nan"),
            "n": float(len(a))}


def _save(fig, path: str | Path) -> None:
    try:
        path = _figure_path(fig, path)
        fig.tight_layout()
        _write_figure(fig, path)
    finally:  # a failed save (unknown suffix, unwritable directory) must not leak the figure
        plt.close(fig)


def _figure_path(fig, path: str | Path) -> Path:
    """``path`` as the file to write. A directory, or a name without a suffix, is refused:
    matplotlib would write ``<path>.png`` instead, a file the caller did not name."""
    text = _checks.path("path", path)
    supported = fig.canvas.get_supported_filetypes()
    formats = ", ".join(f".{f}" for f in sorted(supported))
    if text.endswith(("/", os.sep)) or os.path.isdir(text):
        raise ValueError(f"path {text!r} names a directory; give a file name ending in one of {formats}")
    suffix = Path(text).suffix
    if not suffix:
        raise ValueError(f"path {text!r} has no suffix to say the image format; give one of {formats}")
    if suffix[1:].lower() not in supported:
        raise ValueError(f"path {text!r}: {suffix!r} is not an image format matplotlib writes; "
                         f"give one of {formats}")
    # As every output file: a typo in the directory is an error, not a new directory tree.
    parent = os.path.dirname(os.path.abspath(text))
    if not os.path.isdir(parent):
        raise FileNotFoundError(f"path {text!r}: directory {parent!r} does not exist "
                                "(a figure file is created, its directory is not)")
    return Path(text)


def _write_figure(fig, path: Path) -> None:
    """Saves ``fig`` as the core writes every output file (export_csv, Proxy.save): whole
    (a temporary file renamed over the target, so a failed save leaves the old file) and
    never over a store, its -wal/-shm files or a link to them."""
    image = io.BytesIO()
    fig.savefig(image, format=path.suffix[1:].lower())
    _core.write_file(str(path), image.getvalue(), "the figure")

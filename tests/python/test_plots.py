"""Plot helpers: files are written and the plotted numbers are right."""
import numpy as np
import pandas as pd
import pytest

from archgym.plots import (best_so_far, best_so_far_curves, pareto_front, plot_best_so_far,
                           plot_pareto, plot_parity)


def _is_png(path):
    return path.is_file() and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_best_so_far_is_the_running_maximum():
    r = [3.0, 1.0, 4.0, np.nan, 1.0, 5.0, 2.0]
    assert best_so_far(r).tolist() == [3, 3, 4, 4, 4, 5, 5]


def _runs(rng):
    frames = []
    for agent, scale in (("a", 1.0), ("b", 2.0)):
        for seed in (1, 2, 3):
            n = 30 if not (agent == "b" and seed == 3) else 12  # one run stopped early
            frames.append(pd.DataFrame({"agent": agent, "seed": seed, "index": np.arange(n),
                                        "reward": scale * rng.random(n)}))
    return pd.concat(frames, ignore_index=True)


def test_best_so_far_curves_and_figure(out_dir):
    runs = _runs(np.random.default_rng(0))
    path = out_dir / "best_so_far.png"
    curves = plot_best_so_far(runs, path, title="test")
    assert _is_png(path)
    assert set(curves["agent"]) == {"a", "b"} and (curves["seeds"] == 3).all()
    for agent, c in curves.groupby("agent"):
        assert len(c) == 30
        for col in ("median", "low", "high"):
            assert (np.diff(c[col]) >= 0).all()  # best-so-far never gets worse
        assert (c["low"] <= c["median"]).all() and (c["median"] <= c["high"]).all()
        per_seed = [runs[(runs.agent == agent) & (runs.seed == s)]["reward"].cummax().to_numpy()
                    for s in (1, 2, 3)]
        per_seed = [np.concatenate([p, np.full(30 - len(p), p[-1])]) for p in per_seed]
        np.testing.assert_allclose(c["median"], np.median(per_seed, axis=0))
        np.testing.assert_allclose(c["high"], np.max(per_seed, axis=0))
    with pytest.raises(ValueError, match="missing columns"):
        best_so_far_curves(runs.drop(columns="seed"))


def test_pareto_front_matches_brute_force(out_dir):
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"energy": rng.random(200), "latency": rng.random(200), "valid": True})
    df.loc[5, "valid"] = False
    df.loc[5, ["energy", "latency"]] = [0.0, 0.0]  # invalid: must not dominate anything
    front = pareto_front(df, "energy", "latency")
    valid = df[df.valid]
    expected = [i for i, r in valid.iterrows()
                if not ((valid.energy <= r.energy) & (valid.latency <= r.latency)
                        & ((valid.energy < r.energy) | (valid.latency < r.latency))).any()]
    assert sorted(front.index) == sorted(expected)
    assert (np.diff(front["energy"]) >= 0).all() and (np.diff(front["latency"]) <= 0).all()
    # Maximising both is minimising their negatives.
    up = pareto_front(df, "energy", "latency", minimize=(False, False))
    neg = pareto_front(df.assign(energy=-df.energy, latency=-df.latency), "energy", "latency")
    assert sorted(up.index) == sorted(neg.index)
    path = out_dir / "pareto.png"
    drawn = plot_pareto(df.assign(agent=np.where(df.index % 2, "x", "y")), "energy", "latency",
                        path, group="agent")
    assert _is_png(path) and set(drawn["agent"]) == {"x", "y"}


def test_parity_plot_statistics(out_dir):
    actual = np.array([1.0, 2.0, 3.0, 4.0])
    path = out_dir / "parity.png"
    perfect = plot_parity(actual, actual, path, metric="energy_uJ")
    assert _is_png(path)
    assert perfect == {"r2": 1.0, "mae": 0.0, "mape": 0.0, "n": 4.0}
    off = plot_parity(actual, actual * 1.1, out_dir / "parity_off.png")
    assert off["mape"] == pytest.approx(10.0) and off["mae"] == pytest.approx(0.25)
    assert off["r2"] == pytest.approx(1 - np.sum((0.1 * actual) ** 2) / 5.0)
    with pytest.raises(ValueError, match="equal-length"):
        plot_parity([1, 2], [1], out_dir / "bad.png")

"""Plot helpers: files are written and the plotted numbers are right."""
import math

import numpy as np
import pandas as pd
import pytest

import archgym
from archgym.plots import (best_so_far, best_so_far_curves, pareto_front, plot_best_so_far,
                           plot_feature_weights, plot_pareto, plot_parity, plot_proxy_parity)


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


def test_a_group_given_fewer_evaluations_is_not_stretched_to_the_longest(out_dir):
    # A 40-evaluation random walk was drawn flat out to 64 beside a 64-evaluation GA, as if
    # it had run that long. Store.searches() names each search in ``searcher``: the default.
    rng = np.random.default_rng(3)
    runs = pd.concat([pd.DataFrame({"searcher": name, "seed": seed, "index": np.arange(n), "reward": rng.random(n)})
                      for name, n in (("random_walk", 40), ("ga", 64)) for seed in (1, 2)], ignore_index=True)
    curves = plot_best_so_far(runs, out_dir / "unequal.png")
    assert curves.groupby("searcher").size().to_dict() == {"ga": 64, "random_walk": 40}
    # A budget asks for every group to be drawn to it, each run's best standing for the rest.
    stretched = best_so_far_curves(runs, budget=64).set_index(["searcher", "evaluations"])
    assert stretched.loc[("random_walk", 64), "high"] == runs[runs.searcher == "random_walk"]["reward"].max()


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
    # A constant truth has no R^2, even when its mean rounds away from it (0.1 x 3): it
    # was -1.7e19 here, where the error table says undefined.
    flat = plot_parity([0.1] * 3, [0.1, 0.1, 0.1000001], out_dir / "parity_flat.png")
    assert math.isnan(flat["r2"]) and flat["mae"] == pytest.approx(1e-7 / 3)


def _brute_force_front(df, x, y):
    pts = df[[x, y]].to_numpy(float)
    return sorted(df.index[i] for i, p in enumerate(pts)
                  if not (np.all(pts <= p, axis=1) & np.any(pts < p, axis=1)).any())


@pytest.mark.parametrize("seed", range(5))
def test_pareto_front_with_ties_and_duplicates_matches_brute_force(seed):
    # Few distinct values: many equal x, equal y and exact duplicates.
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"e": rng.integers(0, 6, 300).astype(float),
                       "l": rng.integers(0, 6, 300).astype(float)})
    assert sorted(pareto_front(df, "e", "l").index) == _brute_force_front(df, "e", "l")


def test_pareto_front_is_fast_on_large_frames():
    # 200k rows: the former all-pairs check took minutes; the sweep is O(n log n). Checked
    # by result against a sorted-scan reference, not by time.
    rng = np.random.default_rng(7)
    df = pd.DataFrame({"e": rng.random(200_000), "l": rng.random(200_000)})
    front = pareto_front(df, "e", "l")
    s = df.sort_values("e")
    expected = s[s["l"] < s["l"].cummin().shift(fill_value=np.inf)]
    assert sorted(front.index) == sorted(expected.index)


def test_pareto_arguments_are_checked(out_dir):
    df = pd.DataFrame({"energy": [1.0, 2.0], "latency": [2.0, 1.0]})
    with pytest.raises(ValueError, match=r"missing columns \['Energy'\]; have \['energy', 'latency'\]"):
        pareto_front(df, "Energy", "latency")
    with pytest.raises(ValueError, match="minimize must be two booleans"):
        pareto_front(df, "energy", "latency", minimize=(True,))
    with pytest.raises(ValueError, match="minimize must be two booleans"):
        pareto_front(df, "energy", "latency", minimize="yes")
    with pytest.raises(ValueError, match="missing columns \\['agent'\\]"):
        plot_pareto(df, "energy", "latency", out_dir / "p.png", group="agent")
    invalid = df.assign(energy=np.nan)
    with pytest.raises(ValueError, match="no valid design with finite 'energy' and 'latency'"):
        plot_pareto(invalid, "energy", "latency", out_dir / "none.png")
    assert not (out_dir / "none.png").exists()
    assert pareto_front(df.assign(latency=[np.inf, 1.0]), "energy", "latency").index.tolist() == [1]


def test_best_so_far_arguments_and_data_are_checked(out_dir):
    runs = _runs(np.random.default_rng(0))
    with pytest.raises(ValueError, match="budget must be at least 1, got -3"):
        best_so_far_curves(runs, budget=-3)
    with pytest.raises(TypeError, match="budget must be an integer, got 2.7"):
        best_so_far_curves(runs, budget=2.7)
    with pytest.raises(ValueError, match=r"no finite 'reward' for agent \['a', 'b'\]"):
        plot_best_so_far(runs.assign(reward=np.nan), out_dir / "nan.png")
    with pytest.raises(ValueError, match="log_y needs positive rewards.*down to -"):
        plot_best_so_far(runs.assign(reward=-runs.reward), out_dir / "neg.png", log_y=True)
    assert not (out_dir / "nan.png").exists() and not (out_dir / "neg.png").exists()
    plot_best_so_far(runs.assign(reward=runs.reward + 1), out_dir / "log.png", log_y=True)
    assert _is_png(out_dir / "log.png")


def test_parity_refuses_non_finite_values(out_dir):
    with pytest.raises(ValueError, match="actual has 2 non-finite value"):
        plot_parity([1.0, np.nan, np.nan], [1.0, 2.0, 3.0], out_dir / "p.png")
    with pytest.raises(ValueError, match="predicted has 1 non-finite value"):
        plot_parity([1.0, 2.0], [1.0, np.inf], out_dir / "p.png")


def test_best_so_far_refuses_a_group_without_valid_rewards(out_dir):
    df = pd.DataFrame({"agent": ["a"] * 3 + ["b"] * 2, "seed": 1, "index": [0, 1, 2, 0, 1],
                       "reward": [1.0, 3.0, 2.0, np.nan, np.nan]})
    with pytest.raises(ValueError, match=r"no finite 'reward' for agent \['b'\]"):
        plot_best_so_far(df, out_dir / "g.png")


def test_best_so_far_refuses_two_runs_under_one_group_and_seed():
    df = pd.DataFrame({"agent": "ga", "seed": 1, "index": [0, 1, 0, 1], "reward": [1.0, 2, 3, 4]})
    with pytest.raises(ValueError, match="'ga' seed 1 has index 0 more than once"):
        best_so_far_curves(df)


def test_log_y_draws_runs_that_start_invalid(out_dir):
    # The best so far is -inf until the first valid design: a gap, not a refusal.
    df = pd.DataFrame({"agent": "a", "seed": 1, "index": [0, 1, 2], "reward": [np.nan, 1.0, 2.0]})
    curves = plot_best_so_far(df, out_dir / "l.png", log_y=True)
    assert _is_png(out_dir / "l.png") and curves["median"].tolist() == [-np.inf, 1.0, 2.0]


def test_pareto_valid_column_and_types_are_checked():
    df = pd.DataFrame({"e": [1.0, 2.0, 0.5], "l": [2.0, 1.0, 0.5]})
    with pytest.raises(ValueError, match="column 'valid' must hold True/False, got 'True'"):
        pareto_front(df.assign(valid=["True", "False", "False"]), "e", "l")
    with pytest.raises(ValueError, match="column 'valid' must hold True/False, got nan"):
        pareto_front(df.assign(valid=[True, np.nan, False]), "e", "l")
    assert pareto_front(df.assign(valid=[1, 1, 0]), "e", "l").index.tolist() == [0, 1]
    with pytest.raises(ValueError, match="minimize must be two booleans"):
        pareto_front(df, "e", "l", minimize=True)
    with pytest.raises(ValueError, match="column 'e' must be numeric"):
        pareto_front(df.assign(e=["a", "b", "c"]), "e", "l")
    with pytest.raises(TypeError, match="expected a pandas DataFrame, got dict"):
        pareto_front({"e": [1.0], "l": [1.0]}, "e", "l")
    # pd.NA counts as missing, like NaN.
    assert pareto_front(df.assign(e=pd.array([1.0, pd.NA, 0.5], dtype="Float64")),
                        "e", "l").index.tolist() == [2]


def test_a_failed_save_closes_its_figure(out_dir):
    import matplotlib.pyplot as plt
    df = pd.DataFrame({"e": [1.0, 2.0], "l": [2.0, 1.0]})
    before = len(plt.get_fignums())
    with pytest.raises(ValueError):
        plot_pareto(df, "e", "l", out_dir / "x.unknown-format")
    assert len(plt.get_fignums()) == before


@pytest.mark.parametrize("name, message", [
    ("sub/st/", "names a directory; give a file name ending in one of .*\\.png"),
    ("existing", "names a directory"),
    ("sub/st", r"has no suffix to say the image format; give one of .*\.pdf.*\.png"),
])
def test_a_figure_is_written_to_the_file_named_or_refused(tmp_path, name, message):
    (tmp_path / "existing").mkdir()
    before = sorted(tmp_path.rglob("*"))
    with pytest.raises(ValueError, match=message):
        plot_parity([1.0, 2.0], [1.0, 2.0], f"{tmp_path}/{name}")
    assert sorted(tmp_path.rglob("*")) == before  # no st.png, no sub/ directory


def test_a_figure_in_a_missing_directory_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"path '.*/nope/fig.png': directory '.*/nope' does not exist "
                                                r"\(a figure file is created, its directory is not\)"):
        plot_parity([1.0, 2.0], [1.0, 2.0], tmp_path / "nope" / "fig.png")
    assert list(tmp_path.iterdir()) == []


def test_best_so_far_refuses_rows_without_group_seed_or_index():
    # groupby would drop them: the best reward (50) would vanish from the curves unseen.
    df = pd.DataFrame({"agent": ["ga", "ga", None], "seed": [1, 1, 2], "index": [0, 1, 0],
                       "reward": [1.0, 2.0, 50.0]})
    with pytest.raises(ValueError, match=r"column 'agent' is missing in 1 of 3 rows \(first at row 2\)"):
        best_so_far_curves(df)
    no_seed = pd.DataFrame({"agent": ["ga"], "seed": [np.nan], "index": [0], "reward": [1.0]})
    with pytest.raises(ValueError, match="column 'seed' is missing"):
        best_so_far_curves(no_seed)


# Every function that writes a figure, with the least data it draws.
WRITERS = {
    "plot_best_so_far": lambda path: plot_best_so_far(
        pd.DataFrame({"agent": ["ga"] * 2, "seed": [1, 1], "index": [0, 1], "reward": [1.0, 2.0]}), path),
    "plot_pareto": lambda path: plot_pareto(pd.DataFrame({"e": [1.0, 2.0], "l": [2.0, 1.0]}), "e", "l", path),
    "plot_parity": lambda path: plot_parity([1.0, 2.0], [1.0, 2.5], path),
    "plot_proxy_parity": lambda path: plot_proxy_parity(
        pd.DataFrame({"m": [1.0, 2.0], "m_predicted": [1.0, 2.5]}), ["m"], path),
    "plot_feature_weights": lambda path: plot_feature_weights(pd.Series({"a": 0.7, "b": 0.3}), path),
}


@pytest.fixture
def store_file(tmp_path):
    """A store holding one run, as bytes to compare with after a refused write."""
    path = tmp_path / "runs.db"
    archgym.run(env="dram", budget=3, env_options={"generator": "random", "requests": 200},
                store=path, stop_on_target=False)
    return path


@pytest.mark.parametrize("writer", list(WRITERS))
def test_no_figure_overwrites_a_store_through_a_link(store_file, writer):
    link = store_file.parent / "fig.png"
    link.symlink_to(store_file.name)
    before = store_file.read_bytes()
    with pytest.raises(ValueError, match=r"fig.png: is an SQLite database \(an archgym store\?\); "
                                         r"refusing to overwrite it"):
        WRITERS[writer](link)
    assert store_file.read_bytes() == before and link.is_symlink()


def test_a_figure_refuses_a_store_its_hard_link_and_its_companion_files(store_file):
    d = store_file.parent
    (d / "hard.png").hardlink_to(store_file)
    before = store_file.read_bytes()
    # The store and its companions are no image names either; a hard link is caught by content.
    for target, message in [(store_file, "'.db' is not an image format"),
                            (d / "hard.png", "hard.png: is an SQLite database"),
                            (d / "runs.db-wal", "'.db-wal' is not an image format"),
                            (d / "runs.db-shm", "'.db-shm' is not an image format")]:
        with pytest.raises(ValueError, match=message):
            plot_parity([1.0, 2.0], [1.0, 2.5], target)
    assert store_file.read_bytes() == before
    assert archgym.Store(store_file).runs()["evaluations"].tolist() == [3]


def test_a_figure_is_written_whole_or_not_at_all(tmp_path, monkeypatch):
    import matplotlib.figure
    path = tmp_path / "fig.png"
    plot_parity([1.0, 2.0], [1.0, 2.5], path)
    old = path.read_bytes()

    def half_then_fail(fig, out, **kwargs):  # a full disk, a killed renderer
        out.write(b"\x89PNG half")
        raise OSError("No space left on device")

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", half_then_fail)
    with pytest.raises(OSError, match="No space left"):
        plot_parity([1.0, 2.0], [2.0, 1.0], path)
    assert path.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fig.png"]  # no temporary left behind


def test_a_figure_through_a_symlink_replaces_the_file_linked_to(tmp_path):
    # As export_csv and Proxy.save do: the link stays, the file it names gets the figure.
    (tmp_path / "figs").mkdir()
    real = tmp_path / "figs" / "real.png"
    real.write_bytes(b"old")
    link = tmp_path / "fig.png"
    link.symlink_to(real)
    plot_parity([1.0, 2.0], [1.0, 2.5], link)
    assert link.is_symlink() and _is_png(real)
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["fig.png", "figs", "real.png"]

"""Proxy models from Python: training on a store, known answers, the model file round
trip, the proxy as a gymnasium env, the parity plot, and errors."""
import json
from pathlib import Path
import gymnasium
import numpy as np
import pandas as pd
import pytest
from gymnasium.utils.env_checker import check_env

import archgym
from conftest import SMALL
from archgym.plots import plot_proxy_parity


def test_registry_lists_the_models_with_their_hyperparameters():
    models = {m["name"]: m for m in archgym.list_proxy_models()}
    assert {"knn", "random_forest"} <= set(models)
    assert "k" in {o["name"] for o in models["knn"]["options"]}
    assert "trees" in {o["name"] for o in models["random_forest"]["options"]}


def test_knn_with_k1_answers_the_simulator_on_designs_it_learned(dram_runs_store):
    proxy = archgym.train_proxy(dram_runs_store, 1, model="knn", k=1, test_fraction=0)
    assert proxy.train_rows == 120 - 0 and proxy.test_rows == 0  # every design is valid
    evaluations = dram_runs_store.evaluations(1)
    knobs = proxy.space.names
    for _, row in evaluations.head(10).iterrows():
        predicted = proxy.predict({k: row[k] for k in knobs})
        # Repeated designs average their (identical, deterministic) metrics.
        assert predicted == pytest.approx({m: row[m] for m in proxy.metric_names}, rel=1e-12)


def test_forest_learns_the_dram_metrics_and_reports_held_out_error(dram_runs_store):
    proxy = archgym.train_proxy(dram_runs_store, [1], trees=30, seed=2)
    errors = proxy.test_errors().set_index("metric")
    assert list(errors.index) == proxy.metric_names
    assert proxy.test_rows > 0 and proxy.train_rows + proxy.test_rows == 120
    # Held out designs of run 1, and all of run 2, must be predicted far better than their mean.
    assert errors.loc["latency_ms", "r2"] > 0.5
    other = proxy.errors_on(dram_runs_store, 2).set_index("metric")
    assert other.loc["latency_ms", "r2"] > 0.5
    assert other.loc["latency_ms", "rows"] == 60


def test_model_file_round_trip_predicts_identically(dram_runs_store, tmp_path):
    proxy = archgym.train_proxy(dram_runs_store, [1], model="random_forest", trees=10, seed=5)
    path = proxy.save(tmp_path / "p.json")
    loaded = archgym.load_proxy(path)
    assert (loaded.model, loaded.hyperparameters["trees"], loaded.runs) == ("random_forest", 10, [1])
    # A boolean hyperparameter comes back as a bool, as list_proxy_models shows its default.
    assert loaded.hyperparameters["bootstrap"] is True
    # The input files it learned from, as the store recorded them for run 1: none, as the
    # small env generates its trace (the core tests check digests of a file).
    assert loaded.inputs == dram_runs_store.runs().set_index("run_id").loc[1, "inputs"]
    assert json.loads(loaded.inputs) == {}
    # Where the rows came from: the store, and run 1 as it stood (all 120 of its budget).
    assert loaded.trained_from == proxy.trained_from == {
        "store": str(Path(dram_runs_store.path).resolve()),
        "runs": [{"id": 1, "status": "finished", "evaluations": 120, "budget": 120,
                  "made_by": f"archgym {archgym.__version__} (commit {archgym.git_commit})"}]}
    designs = dram_runs_store.evaluations(2)
    assert loaded.predict(designs).equals(proxy.predict(designs))
    again = archgym.train_proxy(dram_runs_store, [1], model="random_forest", trees=10, seed=5)
    assert again.save(tmp_path / "q.json").read_bytes() == path.read_bytes()  # same inputs, same bytes


def test_predicting_no_designs_gives_float_metric_columns(dram_proxy_file):
    proxy = archgym.load_proxy(dram_proxy_file)
    empty = proxy.predict([])
    assert len(empty) == 0 and list(empty.columns) == proxy.metric_names
    assert set(empty.dtypes) == {np.dtype("float64")}


@pytest.mark.parametrize("designs", [None, "abc", 3])
def test_predict_names_the_designs_it_takes(dram_proxy_file, designs):
    with pytest.raises(TypeError, match=f"predict: designs must be a dict, a list of dicts or a "
                                        f"DataFrame, got {designs!r}"):
        archgym.load_proxy(dram_proxy_file).predict(designs)


def test_predict_names_an_item_that_is_not_a_design(dram_proxy_file):
    proxy = archgym.load_proxy(dram_proxy_file)
    with pytest.raises(TypeError, match=r"designs must be a dict, a list of dicts or a DataFrame; "
                                        r"item 1 is 2 \(int\)"):
        proxy.predict([{}, 2])


def test_proxy_env_is_a_gymnasium_env(dram_proxy_file):
    env = gymnasium.make("archgym/Proxy-v0", model=str(dram_proxy_file))
    check_env(env.unwrapped, skip_render_check=True)
    obs, info = env.reset(seed=1)
    proxy = archgym.load_proxy(dram_proxy_file)
    assert obs.tolist() == [proxy.predict(info["design"])[m] for m in proxy.metric_names]


def test_parity_plot_agrees_with_the_error_table(dram_runs_store, out_dir):
    proxy = archgym.train_proxy(dram_runs_store, [1], trees=20)
    comparison = proxy.compare(dram_runs_store, [2])
    assert len(comparison) == 60
    assert {"latency_ms", "latency_ms_predicted", "PagePolicy"} <= set(comparison.columns)
    path = out_dir / "proxy_parity.png"
    stats = plot_proxy_parity(comparison, ["latency_ms", "power_W", "energy_uJ"], path)
    assert path.stat().st_size > 10_000
    errors = proxy.errors_on(dram_runs_store, [2]).set_index("metric")
    for metric, s in stats.items():
        assert s["r2"] == pytest.approx(errors.loc[metric, "r2"], rel=1e-9)
        assert s["mape"] == pytest.approx(errors.loc[metric, "mape"], rel=1e-9)
    with pytest.raises(ValueError, match="no actual/predicted columns"):
        plot_proxy_parity(comparison, ["nope"], out_dir / "x.png")


def test_bad_input_raises_with_the_core_message(dram_runs_store, tmp_path):
    with pytest.raises(ValueError, match="proxy model 'knn'.*'k'"):
        archgym.train_proxy(dram_runs_store, model="knn", k=0)
    with pytest.raises(ValueError, match="unknown proxy model 'forest'"):
        archgym.train_proxy(dram_runs_store, model="forest")
    with pytest.raises(ValueError, match="no run with id 9"):
        archgym.train_proxy(dram_runs_store, [9])
    with pytest.raises(ValueError, match="no such store"):
        archgym.train_proxy(tmp_path / "missing.sqlite")
    assert not (tmp_path / "missing.sqlite").exists()
    with pytest.raises(ValueError, match="cannot open the proxy model file"):
        archgym.load_proxy(tmp_path / "missing.json")
    with pytest.raises(ValueError, match="option 'model' is required"):
        gymnasium.make("archgym/Proxy-v0")


def test_training_is_silent_unless_asked_and_the_same_with_any_workers(dram_runs_store, capfd):
    quiet = archgym.train_proxy(dram_runs_store, [1], model="knn", workers=1)
    assert capfd.readouterr() == ("", "")
    shown = archgym.train_proxy(dram_runs_store, [1], model="knn", workers=2, progress=True)
    err = capfd.readouterr().err  # the C++ side writes it: file descriptor 2, not sys.stderr
    assert err.startswith("learning feature scales [")
    assert " iterations  loss " in err
    assert shown._proxy.to_json() == quiet._proxy.to_json()
    with pytest.raises(ValueError, match="workers must be at least 0"):
        archgym.train_proxy(dram_runs_store, model="knn", workers=-1)
    with pytest.raises(TypeError, match="progress must be True or False"):
        archgym.train_proxy(dram_runs_store, model="knn", progress="yes")


def test_feature_weights_name_every_feature_largest_first(dram_runs_store):
    knn = archgym.train_proxy(dram_runs_store, [1], model="knn", seed=3)
    weights = knn.feature_weights
    expected = []
    for p in knn.space.parameters:
        expected += [f"{p.name}={v}" for v in p.values] if p.kind == "categorical" else [p.name]
    assert sorted(weights.index) == sorted(expected)
    assert weights.is_monotonic_decreasing and (weights >= 0).all() and weights.iloc[0] > 0
    assert list(weights.items()) == knn._proxy.feature_weights
    # Scaling off: every feature counts the same.
    plain = archgym.train_proxy(dram_runs_store, [1], model="knn", scaling="none")
    assert plain.feature_weights.eq(1.0).all() and len(plain.feature_weights) == len(expected)
    # The forest's are impurity importances: fractions of the variance its splits removed.
    forest = archgym.train_proxy(dram_runs_store, [1], model="random_forest", trees=5)
    assert sorted(forest.feature_weights.index) == sorted(expected)
    assert forest.feature_weights.sum() == pytest.approx(1.0, abs=1e-12)
    assert forest.feature_weights.index.name == "feature" and forest.feature_weights.is_monotonic_decreasing


def test_knob_weights_sum_a_knobs_columns_and_plot(dram_runs_store, tmp_path):
    from archgym.plots import plot_feature_weights

    forest = archgym.train_proxy(dram_runs_store, [1], model="random_forest", trees=5)
    features, knobs = forest.feature_weights, forest.knob_weights
    assert sorted(knobs.index) == sorted(forest.space.names) and knobs.index.name == "knob"
    assert knobs.is_monotonic_decreasing and knobs.sum() == pytest.approx(1.0, abs=1e-12)
    page = [f for f in features.index if f.startswith("PagePolicy=")]
    assert len(page) == 4 and knobs["PagePolicy"] == pytest.approx(features[page].sum(), abs=1e-15)
    assert knobs["RequestBufferSize"] == features["RequestBufferSize"]  # an ordered knob: one column
    drawn = plot_feature_weights(knobs, tmp_path / "w.png", top=3, title="forest")
    assert list(drawn.index) == list(knobs.index[:3]) and (tmp_path / "w.png").stat().st_size > 0
    with pytest.raises(ValueError, match="no weights to draw"):
        plot_feature_weights(knobs.iloc[:0], tmp_path / "e.png")
    with pytest.raises(TypeError, match="expected a pandas Series"):
        plot_feature_weights(dict(knobs), tmp_path / "d.png")
    assert not (tmp_path / "e.png").exists() and not (tmp_path / "d.png").exists()


def test_errors_on_warns_about_designs_the_proxy_was_fitted_on(dram_runs_store, tmp_path):
    import warnings

    proxy = archgym.train_proxy(dram_runs_store, [1], trees=10, seed=2)
    assert proxy.knows_training_designs
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        other = proxy.errors_on(dram_runs_store, [2])  # another seed: nothing it saw
    # Its own run: the training rows are flagged; the rest are its held-out rows.
    with pytest.warns(UserWarning, match=rf"^errors_on: {proxy.train_rows} of the evaluations are of designs the "
                      r"proxy was fitted on, where its error is optimistic \(unseen_only=True leaves them out\)$"):
        proxy.errors_on(dram_runs_store, [1])
    unseen = proxy.errors_on(dram_runs_store, [1], unseen_only=True).set_index("metric")
    held_out = proxy.test_errors().set_index("metric")
    pd.testing.assert_series_equal(unseen["mae"], held_out["mae"])
    assert (unseen["rows"] == proxy.test_rows).all()
    # A GA with the first run's seed starts from its first random designs, in another run.
    ga = archgym.Store(tmp_path / "ga.db")
    archgym.run(env="dram", agent="ga", budget=16, seed=1, store=ga, env_options=SMALL, stop_on_target=False,
                agent_options={"population": 16})
    with pytest.warns(UserWarning, match=r"^errors_on: \d+ of the evaluations are of designs the proxy was fitted on"):
        proxy.errors_on(ga, [1])
    pd.testing.assert_frame_equal(proxy.errors_on(dram_runs_store, [2], unseen_only=True), other)
    with pytest.raises(TypeError, match="unseen_only"):
        proxy.errors_on(dram_runs_store, [2], unseen_only="yes")

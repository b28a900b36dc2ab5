"""The interop examples, each on a tiny budget: SB3 PPO, Optuna, the ArchGym figure,
the proxy search."""
import importlib.util
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "python" / "examples"
sys.path.insert(0, str(EXAMPLES))  # their shared example_args, as when run from there


def _load(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sb3_ppo_trains_on_the_dram_env(tmp_path, monkeypatch):
    pytest.importorskip("stable_baselines3", reason="Stable-Baselines3 (and torch) not installed")
    # SB3's default logger would make tempdir/SB3-<date>; the example must not leave one.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.delenv("SB3_LOGDIR", raising=False)
    result = _load("sb3_ppo_dram").main(["--steps", "256", "--episode-length", "8"])
    assert not list(tmp_path.glob("SB3-*"))
    assert result["steps"] >= 256
    assert np.isfinite(result["best_reward"]) and result["best_reward"] > 0
    assert set(result["best_design"]) >= {"PagePolicy", "MaxActiveTransactions"}


def test_sb3_ppo_logs_every_evaluation_to_a_store(tmp_path, monkeypatch):
    pytest.importorskip("stable_baselines3", reason="Stable-Baselines3 (and torch) not installed")
    import archgym

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    store = tmp_path / "runs.db"
    result = _load("sb3_ppo_dram").main(["--steps", "64", "--episode-length", "8", "--store", str(store)])
    runs = archgym.Store(store).runs().set_index("run_id")
    record = runs.loc[result["run_id"]]
    assert (record.agent, record.agent_config, record.status) == ("external", '{"driver":"sb3-ppo"}', "finished")
    # Every step, plus each episode's reset (its default design): 64 steps of 8 are 8
    # episodes, and SB3 resets once more after the last one.
    assert record.evaluations == result["steps"] + result["steps"] // 8 + 1
    rows = archgym.Store(store).evaluations(result["run_id"])
    # The best reward PPO saw is a stored row's (SB3 hands rewards over as float32).
    assert np.isclose(rows["reward"], result["best_reward"], rtol=1e-6).any()


def test_optuna_study_logs_its_trials_to_a_store(tmp_path):
    pytest.importorskip("optuna", reason="Optuna not installed")
    import archgym

    store = tmp_path / "runs.db"
    result = _load("optuna_dram").main(["--trials", "12", "--seed", "3", "--store", str(store),
                                        "--workload", "random"])
    rows = archgym.Store(store).evaluations(result["run_id"])
    assert list(rows["index"]) == list(range(12))
    assert rows["reward"].max() == result["best_reward"]
    best = rows.loc[rows["reward"].idxmax()]
    assert {k: best[k] for k in result["best_design"]} == result["best_design"]


def test_optuna_store_that_is_a_directory_is_named(tmp_path):
    pytest.importorskip("optuna", reason="Optuna not installed")
    with pytest.raises(IsADirectoryError, match=f"store '{tmp_path}' is a directory"):
        _load("optuna_dram").main(["--trials", "2", "--store", str(tmp_path)])


def test_optuna_study_uses_archgym_as_objective():
    pytest.importorskip("optuna", reason="Optuna not installed")
    import archgym

    result = _load("optuna_dram").main(["--trials", "25", "--seed", "3"])
    assert result["trials"] == 25
    env = archgym.make_env("dram")
    # The reported best is reproducible by evaluating its design directly.
    direct = env.default_objective.score(env.evaluate(result["best_design"]))["reward"]
    assert direct == pytest.approx(result["best_reward"])
    assert result["best_reward"] >= env.default_objective.score(env.evaluate({}))["reward"] * 0.9


def test_optuna_study_runs_on_a_proxy_env(dram_proxy_file):
    pytest.importorskip("optuna", reason="Optuna not installed")
    result = _load("optuna_dram").main(["--env", "proxy", "--option", f"model={dram_proxy_file}",
                                        "--trials", "10"])
    assert result["trials"] == 10 and np.isfinite(result["best_reward"])


@pytest.mark.parametrize("example, flag", [("optuna_dram", "--trials"), ("archgym_figure", "--seeds"),
                                           ("archgym_figure", "--budget"), ("proxy_search", "--confirm"),
                                           ("sb3_ppo_dram", "--episode-length")])
def test_example_counts_must_be_positive(example, flag, capsys):
    with pytest.raises(SystemExit) as stop:
        _load(example).main([flag, "0"])
    assert stop.value.code == 2
    assert f"argument {flag}: must be at least 1, got 0" in capsys.readouterr().err


def test_optuna_options_must_not_conflict(capsys):
    with pytest.raises(SystemExit):
        _load("optuna_dram").main(["--workload", "stream", "--option", "workload=random"])
    assert "env option(s) ['workload'] given more than once" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        _load("optuna_dram").main(["--option", "workload"])
    assert "argument --option: expected KEY=VALUE, got 'workload'" in capsys.readouterr().err


@pytest.mark.parametrize("example", ["optuna_dram", "sb3_ppo_dram"])
def test_example_seeds_must_fit_numpy(example, capsys):
    with pytest.raises(SystemExit):
        _load(example).main(["--seed", "-1"])
    assert "argument --seed: must be in 0..4294967295, got -1" in capsys.readouterr().err


def test_archgym_figure_draws_every_agent(out_dir):
    import archgym

    out = out_dir / "dram_agents.png"
    curves = _load("archgym_figure").main(["--budget", "32", "--seeds", "2", "--out", str(out)])
    assert out.is_file() and out.read_bytes()[:4] == b"\x89PNG"
    assert set(curves["agent"]) == {a["name"] for a in archgym.list_agents()}
    for _, c in curves.groupby("agent"):
        assert len(c) == 32 and (c["seeds"] == 2).all() and (np.diff(c["median"]) >= 0).all()


def test_archgym_figure_reports_how_far_each_agent_went(out_dir, capsys):
    # GA's defaults (population 16, elitism 1, 32 generations) end after 16 + 31 x 15 = 481.
    _load("archgym_figure").main(["--budget", "500", "--seeds", "1", "--agents", "ga,random_walk",
                                  "--out", str(out_dir / "f.png")])
    out = capsys.readouterr().out
    assert "ga: median best reward" in out and "after 481 evaluations (stopped by its own rule)" in out
    assert "after 500 evaluations\n" in out
    # An agent listed twice runs once (its seeds would otherwise merge into one curve).
    _load("archgym_figure").main(["--budget", "5", "--seeds", "1", "--agents", "random_walk,random_walk",
                                  "--out", str(out_dir / "f2.png")])
    assert capsys.readouterr().out.count("random_walk: median best reward") == 1


def test_proxy_search_trains_searches_and_confirms(out_dir):
    import archgym

    out = out_dir / "proxy_parity.png"
    result = _load("proxy_search").main(["--samples", "300", "--proxy-budget", "800", "--confirm", "4",
                                         "--out", str(out)])
    assert out.is_file() and out.read_bytes()[:4] == b"\x89PNG"
    assert result["proxy_evaluations"] >= 700 and result["r2_latency"] > 0.9
    # The confirmed reward is the simulator's own answer for the reported design.
    env = archgym.make_env("dram")
    direct = env.default_objective.score(env.evaluate(result["best_design"]))["reward"]
    assert direct == pytest.approx(result["confirmed_best"])
    assert result["dataset_best"] > 0 and result["predicted_best"] > 0

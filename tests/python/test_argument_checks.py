"""Wrong argument types and ranges raise TypeError/ValueError naming the argument, never a
pybind11 signature dump, a silent truncation or a silently ignored value."""
import gymnasium
import numpy as np
import pandas as pd
import pytest

import archgym
from archgym.gym import FlattenAction
from archgym.plots import plot_proxy_parity

SMALL = {"generator": "random", "requests": 400}


def test_numpy_scalars_are_option_values():
    env = archgym.make_env("dram", generator="random", read_ratio=np.float64(0.5), requests=np.int64(300))
    same = archgym.make_env("dram", generator="random", read_ratio=0.5, requests=300)
    design = env.default_design
    assert env.evaluate(design)["metrics"] == same.evaluate(design)["metrics"]
    agent = archgym.make_agent("ga", env, seed=np.uint64(3), population=np.int32(8),
                               mutation_prob=np.float64(0.25))
    assert len(agent.ask(8)) == 8
    df = archgym.run(env="dram", agent="random_walk", budget=np.int64(3), seed=np.int64(2),
                     env_options={**SMALL, "read_ratio": np.float64(0.5)}, stop_on_target=False)
    assert len(df) == 3


@pytest.mark.parametrize("kwargs, error, message", [
    ({"budget": -1}, ValueError, "budget must be at least 1, got -1"),
    ({"budget": 10.7}, TypeError, "budget must be an integer, got 10.7"),
    ({"budget": "10"}, TypeError, "budget must be an integer"),
    ({"seed": -1}, ValueError, "seed must be at least 0"),
    ({"seed": 2**64}, ValueError, "seed must be at most 18446744073709551615"),
    ({"seed": 1.5}, TypeError, "seed must be an integer"),
    ({"batch": -2}, ValueError, "batch must be at least 0"),
    ({"batch": 10**9}, ValueError, "batch must be at most 65536, got 1000000000"),
    ({"batch": 2**64}, ValueError, "batch must be at most 65536, got 18446744073709551616"),
    ({"workers": 10**6}, ValueError, "workers must be at most 4096, got 1000000"),
    ({"workers": 2**32}, ValueError, "workers must be at most 4096, got 4294967296"),
    ({"workers": True}, TypeError, "workers must be an integer"),
    ({"budget": 2**64}, ValueError, "budget must be at most 18446744073709551615, got 18446744073709551616"),
    ({"env": None}, TypeError, "env must be a name \\(str\\), got None"),
    ({"agent": 3}, TypeError, "agent must be a name \\(str\\), got 3"),
    ({"stop_on_target": "no"}, TypeError, "stop_on_target must be True or False, got 'no'"),
    ({"progress": 1}, TypeError, "progress must be True or False, got 1"),
])
def test_run_arguments_are_checked(kwargs, error, message):
    args = {"env": "dram", "agent": "random_walk", "budget": 3, "env_options": SMALL, **kwargs}
    with pytest.raises(error, match=message):
        archgym.run(**args)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"targets": {"power_W": "a"}}, TypeError, r"targets\['power_W'\] must be a number, got 'a'"),
    ({"targets": [("power_W", 1.0)]}, TypeError, "targets must be a dict"),
    ({"env_options": ["generator=random"]}, TypeError, "env_options must be a dict"),
    ({"agent_options": "population=8"}, TypeError, "agent_options must be a dict"),
])
def test_run_mappings_are_checked(kwargs, error, message):
    args = {"env": "dram", "agent": "random_walk", "budget": 3, "env_options": SMALL, **kwargs}
    with pytest.raises(error, match=message):
        archgym.run(**args)


def test_gym_objective_arguments_are_checked():
    with pytest.raises(TypeError, match=r"targets\['power_W'\] must be a number"):
        archgym.gym.ArchGymEnv("dram", targets={"power_W": "a"}, **SMALL)
    with pytest.raises(TypeError, match="formulation must be a formulation name or None, got 3"):
        archgym.gym.ArchGymEnv("dram", formulation=3, **SMALL)


def test_dram_stride_must_be_whole_bursts():
    with pytest.raises(ValueError, match="option stride must be a multiple of 64 bytes .*got 96"):
        archgym.make_env("dram", generator="strided", stride=96)
    with pytest.raises(ValueError, match="stride"):
        archgym.make_env("dram", generator="strided", stride=32)  # below one burst
    assert archgym.make_env("dram", generator="strided", stride=128, requests=50).evaluate(
        archgym.make_env("dram").default_design)["valid"]


def test_agent_and_run_agent_arguments_are_checked(small_dram):
    agent = archgym.make_agent("random_walk", small_dram, seed=1)
    with pytest.raises(ValueError, match="ask: n must be at least 0, got -1"):
        agent.ask(-1)
    with pytest.raises(ValueError, match="seed must be at least 0"):
        archgym.make_agent("random_walk", small_dram, seed=-1)
    with pytest.raises(TypeError, match="space must be an archgym DesignSpace, Env or gymnasium"):
        archgym.make_agent("random_walk", "dram")
    with pytest.raises(ValueError, match="budget must be at least 1"):
        archgym.run_agent(small_dram, agent, 0)
    with pytest.raises(TypeError, match=r"env must be an archgym Env \(archgym.make_env\), got None"):
        archgym.run_agent(None, agent, 5)
    with pytest.raises(TypeError, match=r"agent must be an archgym Agent \(archgym.make_agent\), got 'ga'"):
        archgym.run_agent(small_dram, "ga", 5)
    with pytest.raises(TypeError, match="objective must be an archgym Objective or None, got 'power_W'"):
        archgym.run_agent(small_dram, agent, 5, objective="power_W")
    with pytest.raises(ValueError, match="budget must be at most 18446744073709551615"):
        archgym.run_agent(small_dram, agent, 2**64)
    with pytest.raises(ValueError, match="workers must be at most 4096, got 4294967296"):
        archgym.run_agent(small_dram, agent, 5, workers=2**32)
    with pytest.raises(TypeError, match="stop_on_target must be True or False, got 'no'"):
        archgym.run_agent(small_dram, agent, 5, stop_on_target="no")
    # A gymnasium archgym env is a valid space too.
    gym_env = gymnasium.make("archgym/DRAM-v0", **SMALL)
    assert len(archgym.make_agent("random_walk", gym_env, seed=1).ask(2)) == 2


def test_store_paths_are_checked(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(TypeError, match="path must be a path"):
        archgym.Store(None)
    with pytest.raises(TypeError, match="path must be a path"):
        archgym.Store(123)
    with pytest.raises(ValueError, match="path must not be empty"):
        archgym.Store("")
    with pytest.raises(ValueError, match="missing.db: no such store"):
        archgym.resume("missing.db", 1)
    assert list(tmp_path.iterdir()) == []  # nothing was created
    with pytest.raises(FileNotFoundError, match=f"directory '{tmp_path}/missing' does not exist"):
        archgym.Store(tmp_path / "missing" / "x.db")
    with pytest.raises(FileNotFoundError, match="directory .*/missing' does not exist"):
        archgym.run(budget=1, env_options=SMALL, store="missing/x.db")
    with pytest.raises(IsADirectoryError, match=f"store '{tmp_path}' is a directory"):
        archgym.Store(tmp_path)
    with pytest.raises(ValueError, match="store '/dev/null' is not a regular file"):
        archgym.Store("/dev/null")
    (tmp_path / "notes.txt").write_text("not a database, but keep me\n" * 100)
    with pytest.raises(ValueError, match="notes.txt: not an archgym store"):
        archgym.Store(tmp_path / "notes.txt")
    assert (tmp_path / "notes.txt").read_text() == "not a database, but keep me\n" * 100


def test_proxy_run_lists_and_frames_are_checked(tmp_path):
    store = archgym.Store(tmp_path / "p.sqlite")
    archgym.run(env="dram", agent="random_walk", budget=30, seed=1, env_options=SMALL,
                stop_on_target=False, store=store)
    proxy = archgym.train_proxy(store, np.int64(1), model="knn", k=1, test_fraction=0)
    assert proxy.runs == [1]
    with pytest.raises(TypeError, match="runs must be a run id or a list of run ids"):
        archgym.train_proxy(store, "1", model="knn")
    with pytest.raises(ValueError, match="runs lists run 1 more than once"):
        archgym.train_proxy(store, [1, 1], model="knn")
    with pytest.raises(TypeError, match="test_fraction must be a number, got 'x'"):
        archgym.train_proxy(store, 1, model="knn", test_fraction="x")
    with pytest.raises(ValueError, match=r"columns \['pagepolicy'\] are not knobs .* and knobs \['PagePolicy'"):
        proxy.predict(pd.DataFrame({"pagepolicy": ["Open"]}))
    designs = store.evaluations(1)[proxy.space.names].head(3)
    assert len(proxy.predict(designs)) == 3
    empty = proxy.compare(store, 1).head(0)
    with pytest.raises(ValueError, match="comparison frame has no rows"):
        plot_proxy_parity(empty, ["power_W"], tmp_path / "p.png")


def test_gym_actions_are_checked():
    env = gymnasium.make("archgym/DRAM-v0", **SMALL).unwrapped
    env.reset(seed=1)
    action = env.encode(env.env.default_design)
    with pytest.raises(TypeError, match="action for PagePolicy: expected an integer index, got 1.7"):
        env.step({**action, "PagePolicy": 1.7})
    with pytest.raises(IndexError, match=r"action for PagePolicy: index -1 outside 0..3"):
        env.step({**action, "PagePolicy": -1})
    with pytest.raises(IndexError, match=r"action for PagePolicy: index 1180591620717411303424 outside 0..3"):
        env.step({**action, "PagePolicy": 2**70})  # beyond numpy's integers: still an index
    with pytest.raises(ValueError, match="seed must be at least 0"):
        env.reset(seed=-5)
    with pytest.raises(ValueError, match="episode_length must be at least 1"):
        archgym.gym.ArchGymEnv("dram", episode_length=-3, **SMALL)
    flat = FlattenAction(gymnasium.make("archgym/DRAM-v0", **SMALL))
    flat.reset(seed=1)
    with pytest.raises(ValueError, match="expected 10 indices"):
        flat.step(np.zeros(20, dtype=np.int64))
    with pytest.raises(TypeError, match="expected an integer index"):
        flat.step(np.full(10, 0.9))
    flat.step(np.zeros(10, dtype=np.int64))


def test_objective_settings_are_checked(small_dram):
    objective = small_dram.default_objective
    with pytest.raises(ValueError, match="tolerance must be a finite number >= 0"):
        objective.tolerance = float("nan")
    with pytest.raises(ValueError, match="ratio_cap must be a finite number > 0"):
        objective.ratio_cap = -1
    objective.tolerance = 0.1
    assert objective.tolerance == 0.1
    # from_json applies the same bounds.
    head = '{"formulation":"target_ratio","targets":[{"metric":"power_W","value":1.0}]'
    with pytest.raises(ValueError, match="tolerance must be a finite number >= 0, got -5"):
        archgym.Objective.from_json(head + ',"tolerance":-5}')
    with pytest.raises(ValueError, match="ratio_cap must be a finite number > 0, got 0"):
        archgym.Objective.from_json(head + ',"ratio_cap":0}')
    assert archgym.Objective.from_json(objective.to_json()).tolerance == 0.1


def test_an_envs_space_is_a_copy_and_agents_must_match_the_env():
    env = archgym.make_env("dram", **SMALL)
    space = env.space
    space.constrain("no open page", lambda d: d["PagePolicy"] != "Open")
    assert env.evaluate(env.default_design)["valid"]  # the env's own space is unchanged
    assert space.check(env.default_design) is not None
    rl = archgym.make_env("dram", **SMALL, space="rl")
    with pytest.raises(ValueError, match="the agent was made for another design space"):
        archgym.run_agent(env, archgym.make_agent("random_walk", rl, seed=1), 5)
    same = archgym.make_env("dram", **SMALL)  # another env with the same knobs is fine
    assert len(archgym.run_agent(env, archgym.make_agent("random_walk", same, seed=1), 3,
                                 stop_on_target=False)) == 3


def test_store_export_never_overwrites_a_store(tmp_path):
    store = archgym.Store(tmp_path / "s.db")
    archgym.run(env="dram", agent="random_walk", budget=3, env_options=SMALL, store=store,
                stop_on_target=False)
    other = archgym.Store(tmp_path / "other.db")
    for target in (tmp_path / "s.db", tmp_path / "other.db", tmp_path / "s.db-shm"):
        with pytest.raises(ValueError, match="SQLite database"):
            store.export_csv(target)
    assert len(archgym.Store(tmp_path / "s.db").evaluations(1)) == 3  # intact
    assert store.export_csv(tmp_path / "s.csv").read_text().startswith("run_id,index")
    assert other.runs().empty


def test_store_run_ids_are_checked(tmp_path):
    store = archgym.Store(tmp_path / "s.db")
    with pytest.raises(ValueError, match=r"no run with id 1; runs in this store: \(none\)"):
        store.evaluations(1)
    archgym.run(env="dram", agent="random_walk", budget=3, env_options=SMALL, store=store,
                stop_on_target=False)
    with pytest.raises(TypeError, match="run_id must be an integer, got 1.7"):
        store.evaluations(1.7)
    with pytest.raises(TypeError, match="run_id must be an integer, got '1'"):
        store.evaluations("1")
    with pytest.raises(ValueError, match=r"s.db: no run with id 5; runs in this store: 1$"):
        store.evaluations(5)
    with pytest.raises(ValueError, match="no run with id 5"):
        store.export_csv(tmp_path / "x.csv", 5)
    assert not (tmp_path / "x.csv").exists()


def test_store_frames_have_the_same_columns_and_types_empty_or_full(tmp_path):
    store = archgym.Store(tmp_path / "s.db")
    empty_runs, empty_evaluations = store.runs(), store.evaluations()
    archgym.run(env="dram", agent="random_walk", budget=3, env_options=SMALL, store=store,
                stop_on_target=False)
    runs, evaluations = store.runs(), store.evaluations()
    pd.testing.assert_series_equal(empty_runs.dtypes, runs.dtypes)
    leading = list(empty_evaluations.columns)
    pd.testing.assert_series_equal(empty_evaluations.dtypes, evaluations[leading].dtypes)
    # The CSV export names its columns as the frame does.
    csv = pd.read_csv(store.export_csv(tmp_path / "s.csv"))
    assert list(csv.columns) == list(evaluations.columns)


def test_run_ids_and_lengths_beyond_their_range_are_named(tmp_path):
    store = archgym.Store(tmp_path / "s.db")
    with pytest.raises(ValueError, match="run_id must be at most 9223372036854775807"):
        store.evaluations(2**63)
    with pytest.raises(ValueError, match="run_id must be at most"):
        archgym.resume(tmp_path / "s.db", 2**63)
    with pytest.raises(ValueError, match="workers must be at most 4096, got 4294967296"):
        archgym.resume(store, 1, workers=2**32)
    with pytest.raises(TypeError, match="force must be True or False, got 'yes'"):
        archgym.resume(store, 1, force="yes")
    with pytest.raises(TypeError, match="store must be a Store or the path of a store, got None"):
        archgym.resume(None, 1)
    with pytest.raises(ValueError, match="runs entry must be at most"):
        archgym.train_proxy(store, [1, 2**63])
    with pytest.raises(ValueError, match="episode_length must be at most 18446744073709551615"):
        archgym.gym.ArchGymEnv("dram", episode_length=2**64, **SMALL)


def test_formulation_none_or_empty_means_the_envs_default():
    a = archgym.run(env="dram", budget=2, env_options=SMALL, formulation=None, stop_on_target=False)
    b = archgym.run(env="dram", budget=2, env_options=SMALL, formulation="", stop_on_target=False)
    assert a["reward"].tolist() == b["reward"].tolist()
    env = archgym.gym.ArchGymEnv("dram", formulation="", **SMALL)
    assert env.objective.formulation == archgym.make_env("dram", **SMALL).default_objective.formulation


def test_input_file_errors_keep_their_location_despite_non_utf8_bytes(tmp_path):
    # A stray byte (\xe9, Latin-1 e-acute) shows escaped instead of raising UnicodeDecodeError:
    # by the DRAM library itself (\xE9: trace lines, memspecs), or by the translation of the
    # core's message (\xe9).
    trace = tmp_path / "t.stl"
    trace.write_bytes(b"0:\tread\t0x0\n1:\tr\xe9ad\t0x40\n")
    with pytest.raises(ValueError, match=r"t\.stl:2: expected .*, got `1:\tr\\xE9ad\t0x40`"):
        archgym.make_env("dram", workload=str(trace))
    memspec = tmp_path / "m.json"
    memspec.write_bytes(b'{"memspec": {"memoryId": "x\xe9"}}')
    with pytest.raises(ValueError, match=r"m\.json: invalid JSON: .*ill-formed UTF-8 byte; last read: '\"x\\xE9\"'"):
        archgym.make_env("dram", memspec=str(memspec))
    model = tmp_path / "p.json"
    model.write_bytes(b'{"x\xe9": 1}')
    with pytest.raises(ValueError, match=r"p\.json: invalid JSON .*last read: '\"x\\xe9\"'"):
        archgym.load_proxy(model)
    # The exception types are pybind11's mapping of the standard exceptions, as before.
    with pytest.raises(IndexError, match=r"^x: index 5 is out of range; allowed: 0..1$"):
        archgym.Parameter.integer("x", 1, 2).value_at(5)
    with pytest.raises(ValueError, match=r"^unknown env 'nope'; known envs: "):
        archgym.make_env("nope")


class BytesPath:
    """An os.PathLike giving bytes, which the core cannot take."""

    def __fspath__(self):
        return b"x.json"


@pytest.mark.parametrize("path", [None, 123, b"x.json", BytesPath()])
def test_proxy_paths_are_checked_before_any_file_is_written(dram_proxy_file, tmp_path, monkeypatch, path):
    monkeypatch.chdir(tmp_path)
    proxy = archgym.load_proxy(dram_proxy_file)
    with pytest.raises(TypeError, match=r"path must be a path \(str or pathlib.Path\), got "):
        proxy.save(path)
    with pytest.raises(TypeError, match=r"path must be a path \(str or pathlib.Path\), got "):
        archgym.load_proxy(path)
    assert list(tmp_path.iterdir()) == []  # no file named "None", "123" or "b'x.json'"


def test_none_is_refused_as_an_option_value(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "None").write_text("0:\tread\t0x0\n")  # what the text "None" would have read
    with pytest.raises(TypeError, match="option workload: None is not a value"):
        archgym.make_env("dram", workload=None)
    with pytest.raises(TypeError, match="option model: None is not a value"):
        archgym.make_env("proxy", model=None)
    with pytest.raises(TypeError, match="option population: None is not a value"):
        archgym.make_agent("ga", archgym.make_env("dram", **SMALL), population=None)
    with pytest.raises(TypeError, match="option workload: None is not a value"):
        archgym.run(env="dram", budget=1, env_options={"workload": None})
    with pytest.raises(TypeError, match="option population: None is not a value"):
        archgym.run(env="dram", agent="ga", budget=1, env_options=SMALL, agent_options={"population": None})


@pytest.mark.parametrize("value, error, message", [
    (2**70, ValueError, r"^RequestBufferSize: 1180591620717411303424 is not allowed; allowed: integer 1\.\.8$"),
    (np.uint64(2**64 - 1), ValueError, r"^RequestBufferSize: 18446744073709551615 is not allowed; allowed: integer"),
    (-2**63 - 1, ValueError, r"^RequestBufferSize: -9223372036854775809 is not allowed; allowed: integer"),
    (np.array([8]), TypeError, r"^knob 'RequestBufferSize': expected int, float or str, got ndarray$"),
    (True, TypeError, r"^knob 'RequestBufferSize': expected int, float or str, got bool$"),
    (np.bool_(True), TypeError, r"^knob 'RequestBufferSize': expected int, float or str, got bool$"),
])
def test_knob_values_no_knob_can_hold_are_refused(small_dram, value, error, message):
    with pytest.raises(error, match=message):
        small_dram.evaluate({"RequestBufferSize": value})


def test_an_int_beyond_int64_is_a_problem_check_reports():
    space = archgym.DesignSpace([archgym.Parameter.integer("x", 1, 2)])
    assert space.check({"x": 2**70}) == "x: 1180591620717411303424 is not allowed; allowed: integer 1..2"
    assert space.check({"x": 9}) == "x: 9 is not allowed; allowed: integer 1..2"


def test_numpy_integers_that_fit_are_knob_values(small_dram):
    metrics = small_dram.evaluate({"RequestBufferSize": 8})["metrics"]
    for value in (np.uint64(8), np.int8(8), np.array(8), np.float32(8)):
        assert small_dram.evaluate({"RequestBufferSize": value})["metrics"] == metrics


@pytest.mark.parametrize("targets, message", [
    ({"power_W": "1"}, r"targets\['power_W'\] must be a number, got '1' \(str\)"),
    ({"power_W": True}, r"targets\['power_W'\] must be a number, got True \(bool\)"),
    ([("power_W", "1")], r"targets\['power_W'\] must be a number, got '1' \(str\)"),
    ([("power_W", 1.0, "w")], r"weight of target 'power_W' must be a number, got 'w'"),
    ([(1, 1.0)], r"targets metric must be text \(str\), got 1 \(int\)"),
    ([("power_W",)], r"targets entry must be \(metric, value\[, weight\]\), got \('power_W',\)"),
    (5, r"targets must be \{metric: value\} or \[\(metric, value\[, weight\]\)\], got 5"),
])
def test_objective_targets_are_checked(targets, message):
    with pytest.raises(TypeError, match=message):
        archgym.Objective("target_ratio", targets)


def test_evaluations_given_to_tell_and_score_are_checked(small_dram):
    agent = archgym.make_agent("random_walk", small_dram, seed=1)
    designs = agent.ask(2)
    with pytest.raises(TypeError, match=r"metric 'power_W' must be a number, got 'x' \(str\)"):
        agent.tell(designs, [1.0, 1.0], evaluations=[{"metrics": {"power_W": "x"}}] * 2)
    objective = small_dram.default_objective
    with pytest.raises(TypeError, match=r"an evaluation is a dict .*, got \[1\] \(list\)"):
        objective.score([1])
    with pytest.raises(TypeError, match=r"evaluation 'metrics' must be a dict \{metric: value\}, got 3"):
        objective.score({"metrics": 3})
    with pytest.raises(TypeError, match=r"evaluation 'valid' must be a bool, got 'no' \(str\)"):
        objective.score({"metrics": {"power_W": 1.0}, "valid": "no"})
    assert objective.score({"metrics": {"power_W": 1.0}, "valid": np.bool_(False)})["reward"] == \
        objective.invalid_reward()


def test_a_constraint_must_answer_with_a_bool():
    space = archgym.DesignSpace([archgym.Parameter.integer("x", 1, 4)])
    space.constrain("x is small", lambda d: "yes")
    with pytest.raises(TypeError, match=r"constraint 'x is small': holds must return a bool, got 'yes'"):
        space.sample(1)
    with pytest.raises(TypeError, match=r"constraint 'x is small': holds must return a bool"):
        space.check({"x": 1})
    numpy_answer = archgym.DesignSpace([archgym.Parameter.integer("x", 1, 4)])
    numpy_answer.constrain("x is small", lambda d: np.int64(d["x"]) < 3)  # a numpy bool is a bool
    assert numpy_answer.check({"x": 3}) == "constraint violated: x is small"


def test_text_with_a_lone_surrogate_is_refused_naming_where(small_dram, tmp_path):
    with pytest.raises(ValueError, match=r"option workload: 'a\\udcff.stl' is not valid text"):
        archgym.make_env("dram", workload="a\udcff.stl")
    with pytest.raises(ValueError, match=r"option workload: 'a\\udcff.stl' is not valid text"):
        archgym.run(env="dram", budget=1, env_options={"workload": "a\udcff.stl"})
    with pytest.raises(ValueError, match=r"path: 'a\\udcff.json' is not valid text"):
        archgym.load_proxy("a\udcff.json")
    with pytest.raises(ValueError, match=r"knob 'PagePolicy': 'Op\\udcffen' is not valid text"):
        small_dram.evaluate({"PagePolicy": "Op\udcffen"})
    # Option names too (they were a pybind11 "Unable to cast Python instance" dump).
    for call in (lambda: archgym.make_env("dram", **{"w\udcff": "a"}),
                 lambda: archgym.run(env="dram", budget=1, env_options={"w\udcff": "a"}),
                 lambda: archgym.run(env="dram", budget=1, agent_options={"w\udcff": 1}),
                 lambda: archgym.make_agent("ga", small_dram, **{"w\udcff": 1}),
                 lambda: gymnasium.make("archgym/DRAM-v0", **{"w\udcff": "a"})):
        with pytest.raises(ValueError, match=r"option name: 'w\\udcff' is not valid text"):
            call()


def test_a_path_with_a_nul_is_refused_not_cut_short(dram_proxy_file, tmp_path, monkeypatch):
    # The C library ends a path at its NUL: "runs.db\\0.bak" opened runs.db.
    monkeypatch.chdir(tmp_path)
    store = archgym.Store("runs.db")
    archgym.run(env="dram", budget=2, env_options=SMALL, store=store, stop_on_target=False)
    proxy = archgym.load_proxy(dram_proxy_file)
    before = sorted(p.name for p in tmp_path.iterdir())
    calls = {
        "path": [lambda: archgym.Store("runs.db\0.bak"), lambda: store.export_csv("x.csv\0y"),
                 lambda: proxy.save("out.json\0x"), lambda: archgym.load_proxy(f"{dram_proxy_file}\0x"),
                 lambda: plot_proxy_parity(pd.DataFrame({"m": [1.0], "m_predicted": [1.0]}), ["m"],
                                           "f.png\0x")],
        "store": [lambda: archgym.run(env="dram", budget=1, env_options=SMALL, store="r2.db\0x"),
                  lambda: archgym.resume("runs.db\0x", 1),
                  lambda: archgym.ExternalRun("runs.db\0x", "dram", **SMALL),
                  lambda: gymnasium.make("archgym/DRAM-v0", store="runs.db\0x", **SMALL),
                  lambda: archgym.train_proxy("runs.db\0x")],
    }
    for argument, refused in calls.items():
        for call in refused:
            with pytest.raises(ValueError, match=rf"^{argument}: '.*\\x00.*' contains a NUL character "
                                                 r"\('\\x00'\); a path cannot contain one$"):
                call()
    # File options are paths too, however the env is built.
    for call in (lambda: archgym.make_env("dram", workload=f"{tmp_path}/runs.db\0x"),
                 lambda: gymnasium.make("archgym/DRAM-v0", memspec="x.json\0"),
                 lambda: archgym.run(env="dram", budget=1, env_options={"workload": "a\0b"})):
        with pytest.raises(ValueError, match=r"option '(workload|memspec)' contains a NUL character"):
            call()
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no r2.db, x.csv or out.json
    assert archgym.Store("runs.db").runs()["run_id"].tolist() == [1]  # no run was added


def test_core_arguments_of_the_wrong_type_are_named_not_dumped_as_signatures(small_dram):
    agent = archgym.make_agent("random_walk", small_dram, seed=1)
    with pytest.raises(TypeError, match=r"^ask: n must be an integer, got 2.5 \(float\)$"):
        agent.ask(2.5)
    with pytest.raises(TypeError, match=r"^ask: n must be an integer, got None \(NoneType\)$"):
        agent.ask(None)
    designs = agent.ask(np.int64(2))
    with pytest.raises(TypeError, match=r"^tell: rewards\[0\] must be a number, got 'a' \(str\)$"):
        agent.tell(designs, ["a"] * 2)
    with pytest.raises(TypeError, match=r"^tell: designs must be a list, got 'ab' \(str\)$"):
        agent.tell("ab", [1.0, 1.0])
    with pytest.raises(TypeError, match=r"^tell: evaluations must be a list, got 3 \(int\)$"):
        agent.tell(designs, [1.0, 1.0], evaluations=3)
    agent.tell(tuple(designs), np.array([1.0, 2.0]))  # any sequence will do
    with pytest.raises(TypeError, match=r"^make_env: name must be text \(str\), got None \(NoneType\)$"):
        archgym.make_env(None)
    with pytest.raises(TypeError, match=r"^make_agent: name must be text \(str\), got None \(NoneType\)$"):
        archgym.make_agent(None, small_dram)


def test_space_and_gym_view_arguments_are_checked(small_dram):
    with pytest.raises(TypeError, match=r"^parameter 'x' label must be text \(str\), got 1 \(int\)$"):
        archgym.Parameter.categorical("x", [1, 2])
    assert archgym.Parameter.categorical("x", ("a", "b")).values == ["a", "b"]
    assert archgym.Parameter.ordered("y", (1, 2)).values == [1, 2]
    space = archgym.DesignSpace([archgym.Parameter.integer("x", 1, 2)])
    with pytest.raises(ValueError, match=r"^from_indices: indices\[0\] must be at least 0, got -1$"):
        space.from_indices([-1])
    assert space.from_indices((np.int64(1),)) == {"x": 2}
    with pytest.raises(ValueError, match=r"^sample: seed must be at least 0, got -1$"):
        space.sample(-1)
    with pytest.raises(ValueError, match=r"^episode_length must be at least 1, got -1$"):
        archgym.GymView(small_dram, None, -1)
    view = archgym.GymView(small_dram, None, 2)
    with pytest.raises(ValueError, match=r"^seed must be at least 0, got -1$"):
        view.reset(-1)
    view.reset(np.uint64(1))
    with pytest.raises(TypeError, match=r"^step_indices: indices\[0\] must be an integer, got 0.5 \(float\)$"):
        view.step_indices([0.5] * 10)


def test_ask_and_sample_sizes_are_bounded(small_dram):
    agent = archgym.make_agent("random_walk", small_dram, seed=1)
    with pytest.raises(ValueError, match=r"^ask: n must be at most 65536, got 1000000000000$"):
        agent.ask(10**12)
    space = archgym.DesignSpace([archgym.Parameter.integer("x", 1, 2)])
    with pytest.raises(ValueError, match=r"^sample: n must be at most 1000000, got 4611686018427387904$"):
        space.sample(1, 2**62)
    assert len(space.sample(1, 3)) == 3


P = archgym.Parameter
ONE_KNOB = [P.integer("x", 1, 2)]


@pytest.mark.parametrize("call, error, message", [
    (lambda env: P.integer("x", 1.5, 2), TypeError, r"^parameter 'x' lo must be an integer, got 1.5 \(float\)$"),
    (lambda env: P.integer(3, 1, 2), TypeError, r"^Parameter.integer: name must be text \(str\), got 3 \(int\)$"),
    (lambda env: P.integer("x", 1, 2, None), TypeError, r"^parameter 'x' step must be an integer, got None"),
    (lambda env: P.integer("x", 1, 2**63), ValueError, r"^parameter 'x' hi must be at most 9223372036854775807"),
    (lambda env: P.power_of_two("x", 1, "a"), TypeError, r"^parameter 'x' hi must be an integer, got 'a' \(str\)$"),
    (lambda env: P.real("x", "a", 1), TypeError, r"^parameter 'x' lo must be a number, got 'a' \(str\)$"),
    (lambda env: P.real("x", 0.1, 1, "yes"), TypeError, r"^parameter 'x' log_scale must be True or False, got 'yes'"),
    (lambda env: P.real("x", 0.1, 1, False, None), TypeError, r"^parameter 'x' description must be text \(str\), got None"),
    (lambda env: P.ordered(None, [1]), TypeError, r"^Parameter.ordered: name must be text \(str\), got None"),
    (lambda env: P.integer("x", 1, 2).value_at(-1), IndexError, r"^x: index -1 is out of range; allowed: 0..1$"),
    (lambda env: P.integer("x", 1, 2).value_at(2**70), IndexError, r"^x: index 1180591620717411303424 is out of range"),
    (lambda env: P.integer("x", 1, 2).value_at(1.5), TypeError, r"^value_at: index must be an integer, got 1.5 \(float\)$"),
    (lambda env: P.integer("x", 1, 2).value_at(None), TypeError, r"^value_at: index must be an integer, got None"),
    (lambda env: P.real("x", 0, 1).value_at(-1), ValueError, r"^x: a real parameter has no indexed values$"),
    (lambda env: P.integer("x", 1, 2).from_unit("a"), TypeError, r"^from_unit: u must be a number, got 'a' \(str\)$"),
    (lambda env: P.integer("x", 1, 2).from_unit(None), TypeError, r"^from_unit: u must be a number, got None"),
    (lambda env: P.integer("x", 1, 2).parse(None), TypeError, r"^parse: text must be text \(str\), got None"),
    (lambda env: archgym.DesignSpace(None), TypeError, r"^DesignSpace: parameters must be a list, got None"),
    (lambda env: archgym.DesignSpace([1]), TypeError, r"^DesignSpace: parameters\[0\] must be a Parameter .*, got 1 \(int\)$"),
    (lambda env: archgym.DesignSpace(ONE_KNOB).constrain("m", 3), TypeError,
     r"^constrain: holds must be a function design -> bool, got 3 \(int\)$"),
    (lambda env: archgym.DesignSpace(ONE_KNOB).constrain(None, bool), TypeError,
     r"^constrain: message must be text \(str\), got None"),
    (lambda env: archgym.DesignSpace(ONE_KNOB).parameter(None), TypeError, r"^parameter: name must be text \(str\)"),
    (lambda env: archgym.DesignSpace(ONE_KNOB).from_unit(["a"]), TypeError, r"^from_unit: u\[0\] must be a number, got 'a'"),
    (lambda env: archgym.DesignSpace(ONE_KNOB).from_json(None), TypeError, r"^from_json: json must be text \(str\)"),
    (lambda env: archgym.GymView(env, "power_W"), TypeError,
     r"^GymView: objective must be an archgym Objective or None, got 'power_W' \(str\)$"),
    (lambda env: archgym.GymView(None), TypeError, r"^GymView: env must be an archgym Env \(archgym.make_env\), got None"),
    (lambda env: env.default_objective.set_target(3, 1.0), TypeError, r"^set_target: metric must be text \(str\), got 3"),
    (lambda env: env.default_objective.set_target("power_W", "a"), TypeError,
     r"^set_target: value must be a number, got 'a' \(str\)$"),
    (lambda env: archgym.Objective(None), TypeError, r"^Objective: formulation must be text \(str\), got None"),
    (lambda env: archgym.Objective(3), TypeError, r"^Objective: formulation must be text \(str\), got 3 \(int\)$"),
    (lambda env: setattr(env.default_objective, "tolerance", "a"), TypeError, r"^tolerance must be a number, got 'a'"),
    (lambda env: env.default_objective.check_metrics(None), TypeError, r"^check_metrics: available must be a list"),
    (lambda env: archgym.Objective.from_json(None), TypeError, r"^from_json: json must be text \(str\), got None"),
])
def test_space_objective_and_view_arguments_are_named(small_dram, call, error, message):
    with pytest.raises(error, match=message):
        call(small_dram)


def test_a_knob_value_that_is_not_valid_text_is_a_problem_check_reports():
    space = archgym.DesignSpace([P.categorical("x", ["a", "b"])])
    assert space.check({"x": "a\udcff"}).startswith(r"knob 'x': 'a\udcff' is not valid text")


@pytest.mark.parametrize("call, error, message", [
    (lambda p, s: p.predict_many(None), TypeError, r"^predict_many: designs must be a list, got None"),
    (lambda p, s: p.compare(s, "1"), TypeError, r"^compare: runs must be a list, got '1' \(str\)$"),
    (lambda p, s: p.compare(s, [1.5]), TypeError, r"^compare: runs\[0\] must be an integer, got 1.5 \(float\)$"),
    (lambda p, s: p.errors_on(s, [0]), ValueError, r"^errors_on: runs\[0\] must be at least 1, got 0$"),
    (lambda p, s: p.errors_on(None), TypeError, r"^errors_on: store must be an archgym Store, got None"),
])
def test_core_proxy_arguments_are_named(dram_proxy_file, dram_runs_store, call, error, message):
    with pytest.raises(error, match=message):
        call(archgym.load_proxy(dram_proxy_file)._proxy, dram_runs_store._store)


def test_core_proxy_takes_any_sequence(dram_proxy_file, dram_runs_store):
    proxy, store = archgym.load_proxy(dram_proxy_file)._proxy, dram_runs_store._store
    design = proxy.space.sample(1)[0]
    assert proxy.predict_many((design, design)) == proxy.predict_many([design, design])
    one = proxy.compare(store, [1])
    assert proxy.compare(store, (np.int64(1),)) == one and proxy.compare(store, np.array([1])) == one
    assert proxy.errors_on(store, None) == proxy.errors_on(store)  # None: every run, as in archgym.Proxy


def test_stepping_after_the_episode_ended_needs_a_reset():
    env = archgym.gym.ArchGymEnv("dram", episode_length=2, **SMALL)
    env.reset(seed=1)
    action = env.encode(env.env.default_design)
    assert env.step(action)[3:4] == (False,) and env.step(action)[3]  # truncated at step 2
    with pytest.raises(gymnasium.error.ResetNeeded, match=r"^Cannot call env.step\(\) after the episode ended "
                                                          r"\(2 steps\); call env.reset\(\) to start another$"):
        env.step(action)
    env.reset(seed=2)
    assert env.step(action)[4]["valid"]


@pytest.mark.parametrize("call, error, message", [
    (lambda env, store, proxy: archgym._core.resume(None, 1), TypeError,  # was a segmentation fault
     r"^store must be an archgym Store, got None \(NoneType\)$"),
    (lambda env, store, proxy: archgym._core.resume(store, 1.5), TypeError, r"^run_id must be an integer, got 1.5"),
    (lambda env, store, proxy: archgym._core.run_agent(None, None, None, 1, 0, 0, False), TypeError,
     r"^env must be an archgym Env \(archgym.make_env\), got None"),
    (lambda env, store, proxy: archgym._core.run_agent(env, "ga", None, 1, 0, 0, False), TypeError,
     r"^agent must be an archgym Agent \(archgym.make_agent\), got 'ga'"),
    (lambda env, store, proxy: archgym._core.run_agent(env, archgym.make_agent("ga", env), None, 1, 0, 0, "no"),
     TypeError, r"^stop_on_target must be True or False, got 'no'"),
    (lambda env, store, proxy: archgym._core.run_objective(None, None, None), TypeError,
     r"^env must be an archgym Env \(archgym.make_env\), got None"),
    (lambda env, store, proxy: archgym._core.run_objective(env, 3, None), TypeError,
     r"^formulation must be text \(str\), got 3"),
    (lambda env, store, proxy: archgym._core.run_objective(env, None, {"power_W": "x"}), TypeError,
     r"^targets\['power_W'\] must be a number, got 'x'"),
    (lambda env, store, proxy: archgym._core.make_agent("ga", "dram"), TypeError,
     r"^make_agent: space must be an archgym DesignSpace or Env, got 'dram' \(str\)$"),
    (lambda env, store, proxy: archgym._core.make_agent("ga", env, None), TypeError,
     r"^make_agent: seed must be an integer, got None"),
    (lambda env, store, proxy: archgym._core.Store(None), TypeError, r"^Store: path must be text \(str\), got None"),
    (lambda env, store, proxy: store.evaluations("1"), TypeError, r"^run_id must be an integer, got '1' \(str\)$"),
    (lambda env, store, proxy: store.export_csv(None), TypeError, r"^run_id must be an integer, got None"),
    (lambda env, store, proxy: proxy.save(None), TypeError, r"^save: path must be text \(str\), got None"),
    (lambda env, store, proxy: archgym._core.load_proxy(3), TypeError, r"^load_proxy: path must be text \(str\), got 3"),
    (lambda env, store, proxy: archgym._core.train_proxy(None), TypeError,
     r"^train_proxy: store must be an archgym Store, got None"),
    (lambda env, store, proxy: archgym._core.train_proxy(store, [1], "knn", "x"), TypeError,
     r"^train_proxy: test_fraction must be a number, got 'x'"),
    (lambda env, store, proxy: archgym._core.run(None, {}, "ga", {}, {}, "", 1, 1, 0, 0, False, False, None),
     TypeError, r"^env must be text \(str\), got None"),
    (lambda env, store, proxy: archgym._core.run("dram", ["a"], "ga", {}, {}, "", 1, 1, 0, 0, False, False, None),
     TypeError, r"^env_options must be a dict, got \['a'\] \(list\)$"),
    (lambda env, store, proxy: archgym._core.run("dram", {}, "ga", {}, {"power_W": "a"}, "", 1, 1, 0, 0, False,
                                                 False, None), TypeError, r"^targets\['power_W'\] must be a number"),
    (lambda env, store, proxy: archgym._core.run("dram", {}, "ga", {}, {}, "", 1, 0, 0, 0, False, False, None),
     ValueError, r"^budget must be at least 1, got 0$"),
    (lambda env, store, proxy: archgym._core.run("dram", {}, "ga", {}, {}, "", 1, 1, 0, 0, False, False, "s.db"),
     TypeError, r"^store must be an archgym Store, got 's.db'"),
])
def test_core_runner_store_and_proxy_arguments_are_named(small_dram, dram_runs_store, dram_proxy_file, call,
                                                         error, message):
    with pytest.raises(error, match=message):
        call(small_dram, dram_runs_store._store, archgym.load_proxy(dram_proxy_file)._proxy)


def test_an_option_given_to_the_other_side_says_where_it_belongs(tmp_path):
    with pytest.raises(ValueError, match=r"env 'dram': unknown option 'population'; it is an option of agent 'ga', "
                                         r"so give it with the agent's options"):
        archgym.run(env="dram", agent="ga", budget=2, env_options={"population": 8})
    with pytest.raises(ValueError, match=r"agent 'ga': unknown option 'workload'; it is an option of env 'dram'"):
        archgym.run(env="dram", agent="ga", budget=2, agent_options={"workload": "random"})
    # Given to both sides, it says to remove it from the wrong one; with a store path too.
    with pytest.raises(ValueError, match=r"env 'dram': unknown option 'population'; it is an option of agent 'ga', "
                                         r"and the agent's options set it already, so remove it here"):
        archgym.run(env="dram", agent="ga", budget=2, env_options={"population": 8},
                    agent_options={"population": 8}, store=str(tmp_path / "s.db"))
    assert not (tmp_path / "s.db").exists()

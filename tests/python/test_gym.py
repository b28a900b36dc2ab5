"""Gymnasium: registration, spaces, the step contract, check_env, vector envs."""
import gymnasium
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import archgym
from archgym.gym import ArchGymEnv, FlattenAction

SMALL = {"generator": "random", "requests": 400}


@pytest.mark.parametrize("env_id", sorted(archgym.gym_ids.values()))
def test_check_env_passes_for_every_env(env_id, request):
    # Envs that cannot be built from defaults alone get their required options here.
    options = {"archgym/Proxy-v0": lambda: {"model": str(request.getfixturevalue("dram_proxy_file"))}}
    env = gymnasium.make(env_id, **options.get(env_id, dict)())
    check_env(env.unwrapped, skip_render_check=True)
    env.close()


def test_check_env_passes_with_flattened_actions():
    check_env(FlattenAction(gymnasium.make("archgym/DRAM-v0", **SMALL)).unwrapped,
              skip_render_check=True)
    env = FlattenAction(gymnasium.make("archgym/DRAM-v0", **SMALL))
    check_env(env, skip_render_check=True)


def test_module_prefixed_id_imports_archgym():
    env = gymnasium.make("archgym:archgym/DRAM-v0", **SMALL)
    assert isinstance(env.unwrapped, ArchGymEnv)


def test_spaces_follow_the_design_space():
    env = gymnasium.make("archgym/DRAM-v0", **SMALL)
    base = env.unwrapped
    assert isinstance(base, ArchGymEnv)
    assert list(env.action_space.keys()) == base.knobs == base.design_space.names
    assert [env.action_space[k].n for k in base.knobs] == base.design_space.cardinalities
    assert env.observation_space.shape == (len(base.metric_names),)
    assert env.observation_space.dtype == np.float64
    # Unbounded both ways: a proxy's prediction may fall below what a simulator reports.
    assert np.all(env.observation_space.low == -np.inf) and np.all(env.observation_space.high == np.inf)
    flat = FlattenAction(env)
    assert list(flat.action_space.nvec) == base.design_space.cardinalities


def test_step_decodes_the_action_and_reports_metrics():
    env = gymnasium.make("archgym/DRAM-v0", **SMALL)
    obs, info = env.reset(seed=3)
    assert obs.dtype == np.float64 and info["design"] == env.unwrapped.env.default_design
    design = {**info["design"], "PagePolicy": "Closed", "RequestBufferSize": 3}
    action = env.unwrapped.encode(design)
    assert env.unwrapped.decode(action) == design
    obs, reward, terminated, truncated, info = env.step(action)
    assert info["design"] == design and info["valid"] and info["reason"] == ""
    direct = env.unwrapped.env.evaluate(design)
    assert info["metrics"] == direct["metrics"]
    assert obs.tolist() == [direct["metrics"][m] for m in env.unwrapped.metric_names]
    assert reward == pytest.approx(env.unwrapped.objective.score(direct)["reward"])
    assert not terminated and not truncated


def _truncation_flags(env, steps):
    env.reset(seed=0)
    action = env.unwrapped.encode(env.unwrapped.env.default_design)
    return [env.step(action)[3] for _ in range(steps)]


@pytest.mark.parametrize("steps", [3, 20])
def test_max_episode_steps_is_the_episode_length(steps):
    # Shorter and longer than the registered default: gymnasium's TimeLimit alone truncates.
    env = gymnasium.make("archgym/DRAM-v0", max_episode_steps=steps, **SMALL)
    assert env.spec.max_episode_steps == steps
    assert _truncation_flags(env, steps) == [False] * (steps - 1) + [True]


def test_default_episode_length_is_registered():
    env = gymnasium.make("archgym/DRAM-v0", **SMALL)
    assert env.spec.max_episode_steps == archgym.gym.DEFAULT_MAX_EPISODE_STEPS == 16
    assert _truncation_flags(env, 16) == [False] * 15 + [True]


def test_episode_length_belongs_to_direct_construction():
    with pytest.raises(TypeError, match="pass max_episode_steps=N"):
        gymnasium.make("archgym/DRAM-v0", episode_length=3, **SMALL)
    assert _truncation_flags(ArchGymEnv("dram", episode_length=3, **SMALL), 3) == [False, False, True]
    assert _truncation_flags(ArchGymEnv("dram", **SMALL), 40) == [False] * 40  # no limit


def test_reset_info_matches_a_step_of_the_default_design():
    env = gymnasium.make("archgym/DRAM-v0", **SMALL)
    obs, reset_info = env.reset(seed=0)
    step_obs, _, _, _, step_info = env.step(env.unwrapped.encode(reset_info["design"]))
    assert reset_info == step_info and obs.tolist() == step_obs.tolist()
    assert list(reset_info["metrics"]) == env.unwrapped.metric_names  # same order both times


def test_actions_must_name_every_knob():
    env = gymnasium.make("archgym/DRAM-v0", **SMALL)
    env.reset(seed=0)
    action = env.unwrapped.encode(env.unwrapped.env.default_design)
    del action["PagePolicy"]
    action["Pagepolicy"] = 0
    with pytest.raises(ValueError, match=r"missing knob\(s\) \['PagePolicy'\]; "
                                         r"unknown knob\(s\) \['Pagepolicy'\]"):
        env.step(action)
    with pytest.raises(TypeError, match="action must be a dict"):
        env.unwrapped.step([0] * len(env.unwrapped.knobs))


def test_targets_and_formulation_are_forwarded():
    base = gymnasium.make("archgym/DRAM-v0", **SMALL)
    easy = gymnasium.make("archgym/DRAM-v0", targets={"power_W": 2.5, "latency_ms": 0.004}, **SMALL)
    assert easy.unwrapped.objective.targets == {"power_W": 2.5, "latency_ms": 0.004}
    action = base.unwrapped.encode(base.unwrapped.env.default_design)
    base.reset(seed=0)
    easy.reset(seed=0)
    assert base.step(action)[1] != easy.step(action)[1]
    cost = gymnasium.make("archgym/DRAM-v0", formulation="normalised_cost", **SMALL)
    assert "cost" in cost.unwrapped.objective.formulation.lower()
    cost.reset(seed=0)
    assert cost.step(action)[1] <= 0  # costs are negated: reward 0 is the best possible


@pytest.mark.parametrize("options, targets", [
    # A metric the default objective lacks is added to it, as archgym.run adds it.
    ({"targets": {"energy_uJ": 1.0}}, {"power_W": 1.0, "latency_ms": 0.1, "energy_uJ": 1.0}),
    ({"targets": {"power_W": 2.0}, "formulation": "weighted-sum"}, {"power_W": 2.0, "latency_ms": 0.1}),
    # Two added: in the run's order (by name), whatever the dict's order.
    ({"targets": {"refreshes": 10.0, "energy_uJ": 1.0}},
     {"power_W": 1.0, "latency_ms": 0.1, "energy_uJ": 1.0, "refreshes": 10.0}),
    # None turns a default target off: ArchGym's power-only reward.
    ({"targets": {"latency_ms": None}}, {"power_W": 1.0}),
    ({"targets": {"power_W": None, "energy_uJ": 2.0}}, {"latency_ms": 0.1, "energy_uJ": 2.0}),
])
def test_the_gym_objective_is_the_one_a_run_records(tmp_path, options, targets):
    env = gymnasium.make("archgym/DRAM-v0", **options, **SMALL)
    assert env.unwrapped.objective.targets == targets
    archgym.run("dram", budget=1, env_options=SMALL, store=tmp_path / "s.db", **options)
    assert env.unwrapped.objective.to_json() == archgym.Store(tmp_path / "s.db").runs()["objective"][0]


def test_gym_targets_are_checked_as_a_run_checks_them():
    with pytest.raises(ValueError, match=r"unknown metric 'energy_J' \(did you mean 'energy_uJ'\?\)"):
        gymnasium.make("archgym/DRAM-v0", targets={"energy_J": 1.0}, **SMALL)
    with pytest.raises(ValueError, match=r"targets\['energy_uJ'\] must be a number, or None to turn the "
                                         r"target off; got nan"):
        gymnasium.make("archgym/DRAM-v0", targets={"energy_uJ": float("nan")}, **SMALL)
    with pytest.raises(ValueError, match="^target: every target is turned off; keep at least one$"):
        gymnasium.make("archgym/DRAM-v0", targets={"power_W": None, "latency_ms": None}, **SMALL)
    with pytest.raises(ValueError, match="'energy_uJ' is turned off, but has no target to turn off"):
        archgym.run("dram", budget=1, env_options=SMALL, targets={"energy_uJ": None})
    with pytest.raises(TypeError, match=r"must be a number, got 'off' \(str\); None turns the target off$"):
        archgym.run("dram", budget=1, env_options=SMALL, targets={"latency_ms": "off"})


def test_encoding_a_partial_design_names_the_missing_knobs():
    env = ArchGymEnv("dram", **SMALL)
    with pytest.raises(ValueError, match=r"design: missing knob\(s\) \['Scheduler', 'SchedulerBuffer'"):
        env.encode({"PagePolicy": "Open"})
    with pytest.raises(ValueError, match=r"design: unknown knob\(s\) \['Colour'\]"):
        env.encode({**env.env.default_design, "Colour": "red"})


def test_stepping_before_reset_needs_a_reset():
    env = ArchGymEnv("dram", **SMALL)
    action = env.encode(env.env.default_design)
    with pytest.raises(gymnasium.error.ResetNeeded, match=r"Cannot call env.step\(\) before calling env.reset\(\)"):
        env.step(action)
    env.reset(seed=0)
    assert env.step(action)[4]["valid"]


def test_an_episode_that_met_its_target_needs_a_reset():
    env = gymnasium.make("archgym/DRAM-v0", formulation="normalised_cost",
                         targets={"power_W": 100.0, "latency_ms": 100.0}, **SMALL)  # any design meets them
    action = env.unwrapped.encode(env.unwrapped.env.default_design)
    env.reset(seed=0)
    assert env.step(action)[2:4] == (True, False)
    with pytest.raises(gymnasium.error.ResetNeeded, match=r"after the episode ended \(the target was met\); "
                                                          r"call env.reset\(\) to start another"):
        env.unwrapped.step(action)  # (the wrappers' checker would only warn)
    env.reset(seed=1)
    assert env.step(action)[2]


def test_bad_options_raise():
    with pytest.raises(ValueError, match="workload"):
        gymnasium.make("archgym/DRAM-v0", workload="nope")
    with pytest.warns(UserWarning, match="render_mode"), pytest.raises(ValueError, match="render"):
        gymnasium.make("archgym/DRAM-v0", render_mode="human")


def _make():
    return FlattenAction(gymnasium.make("archgym/DRAM-v0", max_episode_steps=4, **SMALL))


@pytest.mark.parametrize("vector_cls", [gymnasium.vector.SyncVectorEnv,
                                        gymnasium.vector.AsyncVectorEnv])
def test_vector_envs(vector_cls):
    envs = vector_cls([_make for _ in range(2)])
    try:
        obs, infos = envs.reset(seed=[1, 2])
        assert obs.shape == (2, len(archgym.make_env("dram").metric_names))
        envs.action_space.seed(4)
        for _ in range(5):
            obs, rewards, terminated, truncated, infos = envs.step(envs.action_space.sample())
            assert rewards.shape == (2,) and np.all(np.isfinite(rewards))
            assert np.all(obs >= 0)
        assert "metrics" in infos and "design" in infos
    finally:
        envs.close()


def test_sync_and_async_vector_envs_agree():
    results = []
    for cls in (gymnasium.vector.SyncVectorEnv, gymnasium.vector.AsyncVectorEnv):
        envs = cls([_make for _ in range(2)])
        envs.reset(seed=[1, 2])
        actions = np.array([[1, 0, 2, 3, 1, 1, 0, 0, 2, 63], [3, 2, 1, 0, 0, 0, 7, 7, 1, 5]])
        results.append(envs.step(actions)[:2])
        envs.close()
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])


def test_copying_an_env_says_how_to_build_another():
    import copy
    import pickle
    env = gymnasium.make("archgym/DRAM-v0", **SMALL)
    for attempt in (pickle.dumps, copy.deepcopy):
        with pytest.raises(TypeError, match=r"build another with gymnasium.make\(env.spec\)"):
            attempt(env.unwrapped)
    again = gymnasium.make(env.spec)
    assert again.spec.max_episode_steps == 16 and again.unwrapped.knobs == env.unwrapped.knobs


def test_gymnasium_ids_are_the_cores():
    # One rule, the core's: its registry refuses an env whose id another env has ('a_b_c'
    # after 'abc'), which the Python side found only at import (RuntimeError).
    from archgym.gym import gym_id, gym_name
    assert gym_id("systolic_array") == "archgym/SystolicArray-v0" == archgym._core.gym_id("systolic_array")
    assert gym_name("a_b_c") == gym_name("abc") == "ABC"
    assert archgym.gym_ids == {e["name"]: gym_id(e["name"]) for e in archgym.list_envs()}


def test_threads_stepping_one_view_share_one_episode():
    # Steps were counted without a lock: 4 threads got 18-19 steps of a 16-step episode and
    # 3-4 truncations (found by a tester). Each step now reserves its place before simulating.
    import threading

    env = archgym.make_env("dram", generator="random", requests=300)
    view = archgym.GymView(env, None, 16)
    view.reset(0)
    designs = env.space.sample(1, 64)
    truncated, refused = [], []

    def steps(k):
        for d in designs[k * 16:(k + 1) * 16]:
            try:
                truncated.append(view.step(d)[3])
            except RuntimeError:
                refused.append(k)

    threads = [threading.Thread(target=steps, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(truncated) == 16 and sum(truncated) == 1 and len(refused) == 48
    assert view.steps == 16


def test_a_float32_action_at_a_bound_of_a_real_knob_is_that_bound():
    # RL libraries act in float32: float32(1.2) is 1.2000000476837158, which the space
    # refused as above 1.2 (with the action space's own bounds).
    from archgym.gym import _real_value
    vdd = archgym.Parameter.real("vdd", 0.8, 1.2)
    assert _real_value(np.array([1.2], dtype=np.float32), vdd) == 1.2
    assert _real_value(np.array([0.8], dtype=np.float32), vdd) == 0.8
    inside = np.array([1.0], dtype=np.float32)
    assert _real_value(inside, vdd) == float(inside[0])  # elsewhere the value as given
    assert _real_value(np.array([1.2000001], dtype=np.float64), vdd) == 1.2000001  # float64: exact
    assert vdd.contains(_real_value(np.float32(1.2), vdd)) and not vdd.contains(float(np.float32(1.2)))

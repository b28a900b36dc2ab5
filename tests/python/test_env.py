"""Envs from Python: evaluation, objectives, errors, and the GIL released while simulating."""
import threading

import pytest

import archgym


def _target_ratio(metrics, targets, cap=1e6):
    reward = 1.0
    for metric, t in targets.items():
        m = metrics[metric]
        reward *= min(t / abs(m - t), cap) if m != t else cap
    return reward


def test_evaluate_is_deterministic_and_fills_defaults(dram):
    full = dram.evaluate(dram.default_design)
    assert full["valid"] and full["reason"] == "" and full["sim_seconds"] > 0
    assert set(full["metrics"]) == set(dram.metric_names)
    assert {"energy_uJ", "power_W", "latency_ms", "bandwidth_GBps"} <= set(full["metrics"])
    assert dram.evaluate({})["metrics"] == full["metrics"]  # missing knobs = default design
    closed = dram.evaluate({"PagePolicy": "Closed"})
    assert closed["metrics"] != full["metrics"]
    # A stream is row-buffer friendly: an open page serves far more hits than a closed one.
    assert full["metrics"]["row_hit_rate"] > closed["metrics"]["row_hit_rate"]


def test_options_reach_the_cpp_env():
    stream = archgym.make_env("dram").evaluate({})["metrics"]
    rand = archgym.make_env("dram", workload="random").evaluate({})["metrics"]
    assert rand["row_hit_rate"] < stream["row_hit_rate"]
    small = archgym.make_env("dram", generator="stream", requests=100).evaluate({})["metrics"]
    assert small["energy_uJ"] < stream["energy_uJ"] / 10


def test_default_objective_is_archgym_target_ratio(dram):
    objective = dram.default_objective
    assert objective.targets == {"power_W": 1.0, "latency_ms": 0.1}
    evaluation = dram.evaluate({})
    score = objective.score(evaluation)
    assert score["reward"] == pytest.approx(_target_ratio(evaluation["metrics"], objective.targets))
    assert not score["target_met"]
    invalid = objective.score({"metrics": {}, "valid": False, "reason": "x", "sim_seconds": 0})
    assert invalid["reward"] == objective.invalid_reward() < score["reward"]
    exact = objective.score({"power_W": 1.0, "latency_ms": 0.1})
    assert exact["target_met"] and exact["reward"] == pytest.approx(objective.ratio_cap ** 2)


def test_objective_targets_can_be_changed(dram):
    objective = dram.default_objective
    objective.set_target("power_W", 2.0)
    assert objective.targets["power_W"] == 2.0
    with pytest.raises(ValueError, match="power_W"):
        objective.set_target("no_such_metric", 1.0)
    with pytest.raises(ValueError):
        archgym.Objective("no_such_formulation", {"power_W": 1.0})


def test_errors_become_python_exceptions_with_the_cpp_message():
    with pytest.raises(ValueError, match=r"unknown env 'drm'.*did you mean 'dram'"):
        archgym.make_env("drm")
    with pytest.raises(ValueError, match=r"workload 'nope'.*stream, random, cloud-1, cloud-2"):
        archgym.make_env("dram", workload="nope")
    with pytest.raises(ValueError, match="requests"):
        archgym.make_env("dram", generator="random", requests=0)
    with pytest.raises(ValueError, match="colour"):
        archgym.make_env("dram", colour="red")
    # stream is the default workload, but given it is a workload the generator would ignore.
    with pytest.raises(ValueError, match=r"options workload \('stream'\) and generator \('random'\) exclude"):
        archgym.make_env("dram", generator="random", workload="stream")


def test_other_failures_keep_their_message(tmp_path, dram):
    with pytest.raises(FileNotFoundError, match="missing/dir' does not exist"):
        archgym.Store(tmp_path / "missing" / "dir" / "runs.db")
    with pytest.raises(IndexError, match=r"PagePolicy: index 9.*0\.\.3"):
        dram.space.parameter("PagePolicy").value_at(9)


def test_gil_is_released_while_simulating():
    env = archgym.make_env("dram", generator="random", requests=150_000)
    done = threading.Event()
    result = {}

    def simulate():
        result["e"] = env.evaluate({})
        done.set()

    worker = threading.Thread(target=simulate)
    ticks = 0
    worker.start()
    while not done.is_set():  # runs only if the simulating thread let go of the GIL
        ticks += 1
    worker.join()
    assert result["e"]["valid"]
    assert ticks > 1000, f"main thread starved during evaluate ({ticks} ticks)"


def test_threads_evaluate_concurrently_with_identical_results(small_dram):
    designs = small_dram.space.sample(seed=5, n=16)
    serial = [small_dram.evaluate(d)["metrics"] for d in designs]
    out = [None] * len(designs)

    def work(i):
        out[i] = small_dram.evaluate(designs[i])["metrics"]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(designs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert out == serial


def test_malformed_input_files_are_value_errors_naming_file_and_line(tmp_path):
    # Bad input, as the CLI treats it (exit 2): ValueError, like an unknown option.
    with pytest.raises(ValueError, match=r'env \'dram\': memspec: unknown memspec "nope": expected one of'):
        archgym.make_env("dram", memspec="nope")
    trace = tmp_path / "t.stl"  # (a malformed line: test_argument_checks.py)
    trace.write_text("5:\tread\t0x0\n4:\tread\t0x40\n")
    with pytest.raises(ValueError, match=r"t\.stl:2: cycle 4 is earlier than the previous request's cycle 5"):
        archgym.make_env("dram", workload=str(trace))
    memspec = tmp_path / "m.json"
    memspec.write_text('{"memspec": {}}')
    with pytest.raises(ValueError, match=r"m\.json:1: memspec\.memoryType: missing required key"):
        archgym.make_env("dram", memspec=str(memspec))
    mapping = tmp_path / "am.json"
    mapping.write_text("[1,")
    with pytest.raises(ValueError, match=r"am\.json: invalid JSON"):
        archgym.make_env("dram", addressmap=str(mapping))


@pytest.mark.parametrize("work", [
    "env = archgym.make_env('dram', generator='random', requests=4000)\n"
    "def work():\n    while True: env.evaluate({})",
    "def work():\n    archgym.run(env='dram', agent='random_walk', budget=10**6, seed=1,\n"
    "                env_options={'generator': 'random', 'requests': 4000})",
])
def test_a_program_may_end_while_daemon_threads_simulate(python_program, work):
    # CPython ends a daemon thread that takes the GIL back during shutdown with a forced
    # unwind; through pybind11's noexcept GIL guard that was std::terminate (exit code 134).
    for _ in range(3):
        done = python_program("import threading, time\nimport archgym\n" + work + "\n"
                              "for _ in range(2): threading.Thread(target=work, daemon=True).start()\n"
                              "time.sleep(0.3)\n")
        assert done.returncode == 0, done.stderr
        assert "terminate" not in done.stderr


def test_the_main_thread_may_simulate_while_the_interpreter_finalizes(python_program):
    # The shutdown guard parked every thread taking the GIL back during finalization, the main
    # one too, which runs __del__ methods then: the program hung (found in review).
    done = python_program("import archgym\n"
                          "env = archgym.make_env('dram', generator='random', requests=50)\n"
                          "class Closer:\n"
                          "    def __del__(self):\n"
                          "        print(env.evaluate({})['valid'], flush=True)\n"
                          "keep = Closer()\n", timeout=60)
    assert done.returncode == 0 and done.stdout == "True\n", done.stderr

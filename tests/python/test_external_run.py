"""Searches driven from Python outside archgym's agents (an Optuna-style loop, an RL library
on the gymnasium env) log every evaluation to the store as an external run: the rows are
what archgym.run would store, the run is closed with the right status, listed, exported,
trained on, and never resumed by archgym."""
import json

import gymnasium
import numpy as np
import pytest

import archgym
from conftest import SMALL


def sweep(run, seed, n):
    """A stand-in for an outside search: designs from the run's space, seeded."""
    return [run.evaluate(d) for d in run.space.sample(seed, n)]


def test_a_python_loop_is_stored_as_archgym_run_would_store_it(tmp_path):
    path = tmp_path / "runs.db"
    with archgym.ExternalRun(path, "dram", driver="optuna-tpe", seed=11, **SMALL) as run:
        results = sweep(run, 3, 6)
        assert run.evaluations == 6 and run.open
    assert not run.open
    assert [r["index"] for r in results] == list(range(6))

    store = archgym.Store(path)
    record = store.runs().iloc[0]
    assert (record.agent, record.agent_config, record.seed, record.status, record.budget) == (
        "external", '{"driver":"optuna-tpe"}', 11, "finished", 0)
    rows = store.evaluations(run.run_id)
    assert list(rows["reward"]) == [r["reward"] for r in results]
    assert list(rows["latency_ms"]) == [r["metrics"]["latency_ms"] for r in results]
    # The reward is the one archgym.run gives the same design under the same objective.
    env = archgym.make_env("dram", **SMALL)
    for r in results[:2]:
        assert run.objective.score(env.evaluate(r["design"]))["reward"] == r["reward"]


def test_the_store_shows_a_failed_or_interrupted_search(tmp_path):
    path = tmp_path / "runs.db"
    with pytest.raises(ZeroDivisionError):
        with archgym.ExternalRun(path, "dram", driver="mine", **SMALL) as run:
            sweep(run, 1, 2)
            1 / 0
    with pytest.raises(KeyboardInterrupt):
        with archgym.ExternalRun(path, "dram", driver="mine", **SMALL) as stopped:
            sweep(stopped, 1, 1)
            raise KeyboardInterrupt
    runs = archgym.Store(path).runs().set_index("run_id")
    assert runs.loc[run.run_id, "status"] == "failed"
    assert runs.loc[run.run_id, "evaluations"] == 2  # nothing already reported is lost
    assert runs.loc[stopped.run_id, "status"] == "interrupted"
    core = archgym._core.Store(str(path))
    assert core.run(run.run_id)["status"] == "failed"
    with pytest.raises(RuntimeError, match="has ended; start another external run"):
        run.evaluate({})
    run.close()  # closing again does nothing


def test_archgym_refuses_to_resume_an_external_run_and_says_why(tmp_path):
    path = tmp_path / "runs.db"
    with archgym.ExternalRun(path, "dram", driver="my-bo", **SMALL) as run:
        sweep(run, 2, 3)
    with pytest.raises(ValueError, match=r"run 1 is an external run \(its designs were picked by 'my-bo', "
                                         r"outside archgym\), so archgym cannot continue it; its 3 evaluations"):
        archgym.resume(path, run.run_id)


def test_a_design_the_run_evaluated_before_is_not_simulated_again(tmp_path):
    with archgym.ExternalRun(tmp_path / "runs.db", "dram", **SMALL) as run:
        first = run.evaluate({"PagePolicy": "Closed"})
        again = run.evaluate({"PagePolicy": "Closed"})
    assert first["sim_seconds"] > 0 and again["sim_seconds"] == 0
    assert (again["index"], again["metrics"], again["reward"]) == (1, first["metrics"], first["reward"])


def test_bad_input_is_refused_before_a_store_file_exists(tmp_path):
    path = tmp_path / "new.db"
    with pytest.raises(ValueError, match="env 'dram': unknown option 'workloads'"):
        archgym.ExternalRun(path, "dram", workloads="random")
    with pytest.raises(ValueError, match="has no metric 'power'"):
        archgym.ExternalRun(path, "dram", targets={"power": 1.0})
    with pytest.raises(ValueError, match="one line without control characters"):
        archgym.ExternalRun(path, "dram", driver="a\nb")
    with pytest.raises(TypeError, match="driver must be text"):
        archgym.ExternalRun(path, "dram", driver=3)
    with pytest.raises(TypeError, match="store must be a Store or the path of a store, got None"):
        archgym.ExternalRun(None, "dram")
    assert not path.exists()
    # A knob value outside the space stores nothing.
    with archgym.ExternalRun(path, "dram", **SMALL) as run:
        with pytest.raises(ValueError, match="PagePolicy"):
            run.evaluate({"PagePolicy": "Sometimes"})
        assert run.evaluations == 0


def test_an_rl_loop_on_the_gym_env_logs_every_reset_and_step(tmp_path):
    path = tmp_path / "runs.db"
    env = gymnasium.make("archgym/DRAM-v0", store=str(path), driver="sb3-ppo", max_episode_steps=3, **SMALL)
    assert env.unwrapped.run_id is None  # the run starts with the first reset
    env.action_space.seed(7)  # a failure replays the same actions
    rewards = []
    for episode in range(2):
        env.reset(seed=7 + episode)
        for _ in range(3):
            _, reward, _, _, _ = env.step(env.action_space.sample())
            rewards.append(reward)
    run_id = env.unwrapped.run_id
    env.close()
    store = archgym.Store(path)
    record = store.runs().set_index("run_id").loc[run_id]
    assert (record.agent, record.agent_config, record.seed, record.status) == (
        "external", '{"driver":"sb3-ppo"}', 7, "finished")
    rows = store.evaluations(run_id)
    assert len(rows) == 8  # per episode: the reset's default design, then three steps
    default = archgym.make_env("dram", **SMALL).default_design
    for i in (0, 4):
        assert {k: rows.loc[i, k] for k in default} == default
    assert list(rows["reward"].drop([0, 4])) == rewards
    with pytest.raises(RuntimeError, match=rf"this env was closed \(its evaluations are run {run_id} of the store\)"):
        env.unwrapped.reset()  # refused before anything is simulated


def test_a_gym_env_ends_its_run_with_the_status_it_is_given(tmp_path):
    path = tmp_path / "runs.db"
    env = gymnasium.make("archgym/DRAM-v0", store=path, driver="my-rl", **SMALL)
    env.reset(seed=1)
    env.unwrapped.close(status="failed", message="the learner diverged")
    record = archgym.Store(path).runs().iloc[0]
    assert (record.status, record.message) == ("failed", "the learner diverged")
    # Closed before any evaluation: no run is stored, and the env refuses to go on.
    unused = gymnasium.make("archgym/DRAM-v0", store=path, **SMALL)
    unused.close()
    with pytest.raises(RuntimeError, match="this env was closed; make another"):
        unused.reset()
    assert len(archgym.Store(path).runs()) == 1
    with pytest.raises(ValueError, match="names the searcher of a logged run: give store= too"):
        gymnasium.make("archgym/DRAM-v0", driver="sb3-ppo", **SMALL)


def test_a_gym_step_or_reset_the_store_cannot_take_changes_nothing(tmp_path):
    # A step whose store write failed still counted: the episode ran out of steps early (its
    # last steps refused with the view's own error, never truncated, so no ResetNeeded).
    import sqlite3

    path = tmp_path / "runs.db"

    def edit(sql):  # another connection; a trigger makes the store refuse writes as a full disk does
        db = sqlite3.connect(path)
        db.executescript(sql)
        db.close()

    full = ("CREATE TRIGGER full BEFORE INSERT ON evaluations "
            "BEGIN SELECT RAISE(ABORT, 'disk full (simulated)'); END")
    env = gymnasium.make("archgym/DRAM-v0", store=str(path), max_episode_steps=3, **SMALL)
    env.action_space.seed(0)
    actions = [env.action_space.sample() for _ in range(4)]
    env.reset(seed=5)
    env.step(actions[0])
    edit(full)
    for _ in range(3):
        with pytest.raises(RuntimeError, match=r"gym view: the step's evaluation could not be stored \(store .*"
                                               r"disk full \(simulated\)\), so the step did not count"):
            env.step(actions[1])
    assert env.unwrapped.view.steps == 1
    edit("DROP TRIGGER full")
    assert not env.step(actions[1])[3]
    assert env.step(actions[2])[3]  # the episode's third step truncates, as if none had failed

    # A reset: the episode stays as it was, and a retry draws the episode seed this one drew.
    state = env.unwrapped.np_random.bit_generator.state
    edit(full)
    with pytest.raises(RuntimeError, match="the reset's evaluation could not be stored"):
        env.reset()
    assert env.unwrapped.np_random.bit_generator.state == state
    assert env.unwrapped.view.steps == 3
    edit("DROP TRIGGER full")
    env.reset()
    env.step(actions[3])

    # Closing when the store cannot take the run's status: the env stays open; close again.
    edit("CREATE TRIGGER full BEFORE UPDATE ON runs BEGIN SELECT RAISE(ABORT, 'disk full (simulated)'); END")
    with pytest.raises(RuntimeError, match="its status 'finished' could not be stored .*close it again"):
        env.close()
    edit("DROP TRIGGER full")
    env.close()
    run_id = env.unwrapped.run_id
    store = archgym.Store(path)
    assert store.runs().set_index("run_id").loc[run_id, "status"] == "finished"
    # Nothing stored before a failure was lost, and no index was skipped: reset, 3 steps, reset, 1 step.
    assert list(store.evaluations(run_id)["index"]) == list(range(6))

    # A first reset without a seed that fails: the run holds the seed it drew (the run is
    # created with its first row), and the retry must draw the same one, from a generator
    # that only existed from that first reset on.
    env = gymnasium.make("archgym/DRAM-v0", store=str(path), max_episode_steps=3, **SMALL)
    drawn = []
    view_reset = env.unwrapped.view.reset
    env.unwrapped.view = type("Spy", (), {"__getattr__": lambda _, n: getattr(view_reset.__self__, n),
                                          "reset": lambda _, seed: drawn.append(seed) or view_reset(seed)})()
    edit(full)
    with pytest.raises(RuntimeError, match="the reset's evaluation could not be stored"):
        env.reset()
    edit("DROP TRIGGER full")
    env.reset()
    env.close()
    assert len(drawn) == 2 and drawn[0] == drawn[1]
    assert store.runs().set_index("run_id").loc[env.unwrapped.run_id, "seed"] == drawn[0]


SCRIPT = """
import sys, archgym, gymnasium
small = dict(generator="random", requests=200)
run = archgym.ExternalRun(sys.argv[1], "dram", driver="script", **small)
run.evaluate({{}})
env = gymnasium.make("archgym/DRAM-v0", store=sys.argv[1], **small)
env.reset(seed=0)
{ending}
"""


@pytest.mark.parametrize("ending, status, message", [
    ("pass", "finished", ""),
    ("raise ValueError('bad study')", "failed", "ValueError: bad study"),
    ("raise KeyboardInterrupt", "interrupted", ""),
    # A lone surrogate in the message (an undecodable file name): still failed, stored escaped.
    ("raise ValueError('bad file \\udcff')", "failed", "ValueError: bad file \\udcff"),
    ("sys.exit(0)", "finished", ""),
    # An error an embedded console showed and went on after is not how the program ended.
    ("import code; code.InteractiveInterpreter().runsource('1/0')", "finished", ""),
])
def test_runs_left_open_get_the_status_the_program_ended_with(tmp_path, ending, status, message):
    import os
    import subprocess
    import sys

    path = tmp_path / "runs.db"
    script = tmp_path / "search.py"
    script.write_text(SCRIPT.format(ending=ending))
    subprocess.run([sys.executable, str(script), str(path)], env=dict(os.environ), capture_output=True)
    runs = archgym.Store(path).runs()
    assert list(runs["status"]) == [status, status]
    assert list(runs["message"]) == [message, message]


def test_importing_archgym_leaves_the_excepthook_alone_until_a_run_is_tracked(tmp_path):
    import os
    import subprocess
    import sys

    script = (f"import sys; hook = sys.excepthook; import archgym; assert sys.excepthook is hook; "
              f"run = archgym.ExternalRun({str(tmp_path / 'runs.db')!r}, 'dram', generator='random', requests=50); "
              f"assert sys.excepthook is not hook; print('ok')")
    done = subprocess.run([sys.executable, "-c", script], env=dict(os.environ), capture_output=True, text=True)
    assert done.stdout == "ok\n", done.stderr


def test_a_with_block_ended_by_sys_exit_0_is_finished(tmp_path):
    with pytest.raises(SystemExit):
        with archgym.ExternalRun(tmp_path / "runs.db", "dram", **SMALL) as run:
            run.evaluate({})
            raise SystemExit(0)
    assert archgym.Store(tmp_path / "runs.db").runs().iloc[0].status == "finished"


def test_env_options_come_as_keywords_or_a_dict(tmp_path):
    path = tmp_path / "runs.db"
    with archgym.ExternalRun(path, "dram", env_options=SMALL) as run:
        run.evaluate({})
    assert '"requests":400' in archgym.Store(path).runs().iloc[0].env_config  # SMALL's
    with pytest.raises(ValueError, match=r"env option\(s\) \['requests'\] given both"):
        archgym.ExternalRun(path, "dram", env_options=SMALL, requests=10)
    for bad in (5, b"x.db"):
        with pytest.raises(TypeError, match="store must be a path"):
            archgym.ExternalRun(bad, "dram")


_FORKED_RUN = None  # the run a forked worker inherits


def _evaluate_in_worker() -> str:
    try:
        _FORKED_RUN.evaluate({"PagePolicy": "Closed"})
        return "stored"
    except RuntimeError as e:
        return str(e)


def test_a_forked_worker_cannot_write_its_parents_run(tmp_path):
    import multiprocessing

    global _FORKED_RUN
    with archgym.ExternalRun(tmp_path / "runs.db", "dram", **SMALL) as run:
        run.evaluate({})
        _FORKED_RUN = run
        with multiprocessing.get_context("fork").Pool(1) as pool:
            message = pool.apply(_evaluate_in_worker)
        _FORKED_RUN = None
        assert "is a forked child (e.g. a multiprocessing worker): start one external run per worker" in message
        run.evaluate({"PagePolicy": "Closed"})  # the parent's run goes on
    record = archgym.Store(tmp_path / "runs.db").runs().iloc[0]
    assert (record.evaluations, record.status) == (2, "finished")


def test_a_proxy_trains_on_external_runs_with_archgym_runs(tmp_path):
    path = tmp_path / "runs.db"
    archgym.run("dram", "random_walk", budget=30, seed=1, env_options=SMALL, store=path)
    with archgym.ExternalRun(path, "dram", driver="grid", **SMALL) as run:
        sweep(run, 5, 30)
    proxy = archgym.train_proxy(path, model="knn", test_fraction=0)
    assert proxy.runs == [1, 2]
    assert proxy.train_rows == 60


def test_threads_may_evaluate_side_by_side(tmp_path):
    from concurrent.futures import ThreadPoolExecutor
    with archgym.ExternalRun(tmp_path / "runs.db", "dram", **SMALL) as run:
        designs = run.space.sample(9, 8)
        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(run.evaluate, designs))
    assert sorted(r["index"] for r in results) == list(range(8))
    rows = archgym.Store(tmp_path / "runs.db").evaluations(run.run_id).set_index("index")
    for r in results:
        assert rows.loc[r["index"], "reward"] == r["reward"]
    assert np.isfinite(rows["reward"]).all()


def test_searches_compare_archgym_agents_with_external_ones(tmp_path, out_dir):
    from archgym.plots import plot_best_so_far

    path = tmp_path / "runs.db"
    for seed in (1, 2):
        archgym.run("dram", "random_walk", budget=8, seed=seed, env_options=SMALL, store=path)
        with archgym.ExternalRun(path, "dram", driver="my-sweep", seed=seed, **SMALL) as run:
            sweep(run, seed, 8)
    store = archgym.Store(path)
    frame = store.searches()
    assert list(frame.columns[:3]) == ["run_id", "searcher", "seed"]
    assert frame.groupby(["searcher", "seed"]).size().to_dict() == {
        ("my-sweep", 1): 8, ("my-sweep", 2): 8, ("random_walk", 1): 8, ("random_walk", 2): 8}
    assert list(store.searches(2)["reward"]) == list(store.evaluations(2)["reward"])
    curves = plot_best_so_far(frame, out_dir / "searches.png", group="searcher")
    assert set(curves["searcher"]) == {"my-sweep", "random_walk"}
    assert (out_dir / "searches.png").stat().st_size > 0
    empty = archgym.Store(tmp_path / "empty.db").searches()
    assert empty.empty and list(empty.columns[:3]) == ["run_id", "searcher", "seed"]
    assert store.searches([]).empty  # no runs asked for, none given


def test_closing_while_an_exception_unwinds_records_it(tmp_path):
    path = tmp_path / "runs.db"
    with pytest.raises(RuntimeError):
        with gymnasium.make("archgym/DRAM-v0", store=path, **SMALL) as env:  # wrappers close() bare
            env.reset(seed=1)
            raise RuntimeError("learner diverged")
    run = archgym.ExternalRun(path, "dram", **SMALL)
    with pytest.raises(KeyboardInterrupt):
        try:
            run.evaluate({})
            raise KeyboardInterrupt
        finally:
            run.close()
    runs = archgym.Store(path).runs()
    assert list(runs["status"]) == ["failed", "interrupted"]
    assert runs["message"].iloc[0] == "RuntimeError: learner diverged"


def test_an_error_about_an_undecodable_file_name_fails_the_run_and_propagates(tmp_path):
    # str(error) holds a lone surrogate (os.listdir's undecodable byte), which the core cannot
    # take: the run must still end "failed" and the user's exception reach the caller.
    path = tmp_path / "runs.db"
    error = ValueError("bad file \udcff")
    with pytest.raises(ValueError) as raised:
        with archgym.ExternalRun(path, "dram", **SMALL) as run:
            run.evaluate({})
            raise error
    assert raised.value is error
    with pytest.raises(OSError):
        with gymnasium.make("archgym/DRAM-v0", store=path, **SMALL) as env:  # wrappers close() bare
            env.reset(seed=1)
            raise OSError("cannot read \udcff.trace")
    runs = archgym.Store(path).runs()
    assert list(runs["status"]) == ["failed", "failed"]
    assert list(runs["message"]) == ["ValueError: bad file \\udcff", "OSError: cannot read \\udcff.trace"]


def test_close_stores_any_message_and_names_a_wrong_status(tmp_path):
    path = tmp_path / "runs.db"
    run = archgym.ExternalRun(path, "dram", **SMALL)
    run.evaluate({})
    allowed = "status must be one of finished, interrupted, failed, got "
    with pytest.raises(ValueError, match=allowed + r"'fail\\udcff'"):
        run.close("fail\udcff")
    with pytest.raises(ValueError, match=allowed + "'done'"):
        run.close("done")
    assert run.open  # a refused close ends nothing
    run.close("failed", "skipped \udcff.stl")
    env = gymnasium.make("archgym/DRAM-v0", store=path, **SMALL)
    env.reset(seed=1)
    env.unwrapped.close(status="failed", message="diverged on \udcff")
    runs = archgym.Store(path).runs()
    assert list(runs["status"]) == ["failed", "failed"]
    assert list(runs["message"]) == ["skipped \\udcff.stl", "diverged on \\udcff"]


def test_a_forked_child_leaving_a_with_block_leaves_its_parents_run_alone(tmp_path):
    import os

    path = tmp_path / "runs.db"
    with archgym.ExternalRun(path, "dram", **SMALL) as run:
        run.evaluate({})
        pid = os.fork()
        if pid == 0:  # the child: its copy of the block ends, quietly
            try:
                with run:
                    pass
                os._exit(0)
            except BaseException:  # noqa: BLE001
                os._exit(1)
        _, status = os.waitpid(pid, 0)
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
        record = archgym.Store(path).runs().iloc[0]
        assert (record.status, record.state) == ("running", "running")  # this process holds it
        run.evaluate({"PagePolicy": "Closed"})
    record = archgym.Store(path).runs().iloc[0]
    assert (record.status, record.evaluations) == ("finished", 2)


def test_a_child_forked_while_threads_write_neither_hangs_nor_uses_the_parents_store(tmp_path):
    # A thread held the run's or the store's mutex at the fork in about half the forks: the
    # child then waited forever on closing the run or reading the store (found by a tester).
    import os
    import signal
    import threading
    import warnings

    path = tmp_path / "runs.db"
    store = archgym.Store(path)
    run = archgym.ExternalRun(path, "dram", driver="threads", **SMALL)
    designs = run.space.sample(1, 50)
    stop = threading.Event()

    def evaluate():
        i = 0
        while not stop.is_set():
            run.evaluate(designs[i % 50])
            i += 1

    worker = threading.Thread(target=evaluate)
    worker.start()
    try:
        for _ in range(8):
            with warnings.catch_warnings():  # Python 3.12 warns of forking a threaded process
                warnings.simplefilter("ignore", DeprecationWarning)
                pid = os.fork()
            if pid == 0:
                signal.alarm(20)  # a hang ends the child with SIGALRM, which the test reports
                code = 0
                try:
                    store.runs()
                    code = 3  # the parent's connection must not be used here
                except RuntimeError as e:
                    code = 0 if "forked child" in str(e) and "open the store again" in str(e) else 4
                run.close()  # ends only the child's copy
                os._exit(code)
            _, status = os.waitpid(pid, 0)
            assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status
    finally:
        stop.set()
        worker.join()
    run.close()
    record = archgym.Store(path).runs().iloc[0]
    assert record.status == "finished" and record.evaluations > 0


def test_async_workers_keep_their_rows_after_the_parent_lets_go_of_its_store(tmp_path):
    # A tester's session: a closed SyncVectorEnv still held its store connections when an
    # AsyncVectorEnv forked its workers on the same store; dropping the sync env closed
    # them, SQLite (seeing no other user: the workers had inherited its state, not its
    # locks) deleted the WAL, and every row the workers wrote after that was lost.
    import gc

    path = str(tmp_path / "runs.db")
    vec = gymnasium.make_vec("archgym/DRAM-v0", num_envs=2, vectorization_mode="sync", store=path,
                             driver="sync", **SMALL)
    vec.reset(seed=0)
    vec.action_space.seed(0)
    vec.step(vec.action_space.sample())
    vec.close()  # ends its runs; the object (and its connections) stays
    workers = gymnasium.make_vec("archgym/DRAM-v0", num_envs=2, vectorization_mode="async",
                                 vector_kwargs={"context": "fork"}, store=path, driver="async", **SMALL)
    workers.reset(seed=0)
    workers.action_space.seed(1)
    del vec
    gc.collect()  # the parent's last connections close while the workers write
    for _ in range(3):
        workers.step(workers.action_space.sample())
    run_ids = workers.get_attr("run_id")
    workers.close()
    runs = archgym.Store(path).runs().set_index("run_id")
    assert sorted(run_ids) == [3, 4] and list(runs.index) == [1, 2, 3, 4]
    assert (runs.loc[[3, 4], "evaluations"] == 4).all()  # reset's default design + 3 steps
    assert (runs.loc[[3, 4], "status"] == "finished").all()


def test_a_store_object_goes_where_its_path_goes(tmp_path):
    # A tester gave gymnasium a Store: the env's spec was dropped (it could not be copied).
    import copy
    import pickle

    store = archgym.Store(tmp_path / "runs.db")
    assert copy.copy(store) is store and copy.deepcopy(store) is store
    env = gymnasium.make("archgym/DRAM-v0", store=store, driver="spec", **SMALL)
    assert env.spec is not None
    again = gymnasium.make(env.spec)
    for e in (env, again):
        e.reset(seed=0)  # stores the default design, in the same store
        e.close()
    reopened = pickle.loads(pickle.dumps(store))  # as a 'spawn' worker receives it
    assert reopened is not store and reopened.path == str(tmp_path / "runs.db")
    assert sorted(reopened.runs()["evaluations"]) == [1, 1]


def test_searches_refuse_runs_whose_rewards_do_not_compare(tmp_path):
    # A tester plotted random-walk runs on three workloads as one curve per searcher.
    path = tmp_path / "runs.db"
    archgym.run("dram", "random_walk", budget=2, seed=1, env_options=SMALL, store=path)
    archgym.run("dram", "random_walk", budget=2, seed=2, env_options=SMALL, store=path)
    archgym.run("dram", "random_walk", budget=2, seed=1, env_options={**SMALL, "requests": 300}, store=path)
    archgym.run("dram", "random_walk", budget=2, seed=1, env_options=SMALL, store=path,
                targets={"latency_ms": None})
    store = archgym.Store(path)
    with pytest.raises(ValueError, match=r"^searches: the runs differ in env configuration and reward, so their "
                       r"rewards do not compare: runs 1, 2 \(dram requests=400 target_ratio power_W=1.0,"
                       r"latency_ms=0.1\); run 3 \(dram requests=300 target_ratio power_W=1.0,latency_ms=0.1\); "
                       r"run 4 \(dram requests=400 target_ratio power_W=1.0\); give runs= of one$"):
        store.searches()
    with pytest.raises(ValueError, match=r"differ in env configuration, so .*: runs 1, 2 \(dram requests=400\); "
                       r"run 3 \(dram requests=300\)"):
        store.searches([1, 2, 3])
    assert len(store.searches([1, 2])) == 4


def test_searches_refuse_runs_that_read_different_contents_of_one_trace(tmp_path):
    # Same options, same path, but the trace was edited in place between the runs: their
    # digests tell the workloads apart where the options cannot.
    trace = tmp_path / "t.stl"
    path = tmp_path / "runs.db"
    for seed, stride in ((1, 64), (2, 64), (1, 4096)):
        trace.write_text("".join(f"{i}: read 0x{i * stride:x}\n" for i in range(50)))
        archgym.run("dram", "random_walk", budget=2, seed=seed, env_options={"workload": str(trace)}, store=path)
    store = archgym.Store(path, read_only=True)
    inputs = [json.loads(text)["workload"]["digest"] for text in store.runs()["inputs"]]
    assert inputs[0] == inputs[1] != inputs[2]
    with pytest.raises(ValueError, match=rf"^searches: the runs read different contents of their input files, so "
                       rf"their rewards do not compare: workload: runs 1, 2 \(digest {inputs[0]}\); run 3 \(digest "
                       rf"{inputs[2]}\); give runs= of one$"):
        store.searches()
    assert len(store.searches([1, 2])) == 4


def test_a_read_only_store_reads_without_checking_or_writing_and_takes_no_run(tmp_path):
    path = tmp_path / "runs.db"
    with pytest.raises(FileNotFoundError, match="no such store"):
        archgym.Store(path, read_only=True)
    assert not path.exists()  # nothing created
    archgym.run("dram", "random_walk", budget=3, seed=1, env_options=SMALL, store=path)
    before = path.read_bytes()
    store = archgym.Store(path, read_only=True)
    assert store.read_only and not archgym.Store(path).read_only
    assert len(store.evaluations(1)) == 3 and store.runs().iloc[0].status in ("finished", "target_met")
    with pytest.raises(ValueError, match=r"was opened with read_only=True; open it with archgym.Store\(path\)"):
        archgym.run("dram", "random_walk", budget=1, env_options=SMALL, store=store)
    with pytest.raises(ValueError, match="read_only=True"):
        archgym.ExternalRun(store, "dram", **SMALL)
    assert path.read_bytes() == before
    with pytest.raises(TypeError, match="read_only"):
        archgym.Store(path, read_only="yes")


def test_searches_tell_one_agents_hyperparameters_apart(tmp_path, out_dir):
    # A lottery study: GA with two population sizes, two seeds each, beside a random walk.
    from archgym.plots import plot_best_so_far

    path = tmp_path / "runs.db"
    for population in (2, 4):
        for seed in (1, 2):
            archgym.run("dram", "ga", budget=8, seed=seed, env_options=SMALL, store=path,
                        agent_options={"population": population, "generations": 2}, stop_on_target=False)
    archgym.run("dram", "random_walk", budget=8, seed=1, env_options=SMALL, store=path, stop_on_target=False)
    frame = archgym.Store(path).searches()
    assert frame.groupby("run_id")["searcher"].first().tolist() == [
        "ga population=2", "ga population=2", "ga population=4", "ga population=4", "random_walk"]
    # Only what differs among the runs asked for: one setting of an agent shows its name alone.
    assert set(archgym.Store(path).searches([3, 4, 5])["searcher"]) == {"ga", "random_walk"}
    curves = plot_best_so_far(frame, out_dir / "lottery.png")
    assert curves.groupby("searcher")["seeds"].first().to_dict() == {
        "ga population=2": 2, "ga population=4": 2, "random_walk": 1}


def test_best_so_far_extends_only_a_run_that_ended_by_its_own_rule(tmp_path):
    import sqlite3

    from archgym.plots import best_so_far_curves

    path = tmp_path / "runs.db"
    ga = {"population": 2, "generations": 2}  # the GA stops by its rule: 3 evaluations of a budget of 8
    for seed in (1, 2, 3):
        archgym.run("dram", "ga", budget=8, seed=seed, env_options=SMALL, store=path, agent_options=ga,
                    stop_on_target=False)
    store = archgym.Store(path)
    assert store.runs()["evaluations"].tolist() == [3, 3, 3]
    curves = best_so_far_curves(store.searches(), budget=8)  # extended: they stopped on their own
    assert curves["evaluations"].max() == 8 and (curves["seeds"] == 3).all()

    with sqlite3.connect(path) as db:  # run 2 as if its process had been killed
        db.execute("UPDATE runs SET status = 'running' WHERE id = 2")
    db.close()
    frame = archgym.Store(path).searches()
    with pytest.raises(ValueError, match=r"^best_so_far_curves: run 2 \(searcher 'ga' seed 2\) is killed after 3 "
                       r"evaluations, but the curve goes to 8: only a run that ended by its own rule .*"
                       r"Resume it, leave it out \(searches\(runs=\.\.\.\)\), or pass budget=3$"):
        best_so_far_curves(frame, budget=8)
    assert best_so_far_curves(frame, budget=3)["evaluations"].max() == 3
    assert best_so_far_curves(frame)["evaluations"].max() == 3  # the longest run: nothing extended
    assert best_so_far_curves(archgym.Store(path).searches([1, 3]), budget=8)["seeds"].max() == 2
    # Frames without the runs' facts (archgym.run results) are extended as before.
    frame.attrs.clear()
    assert best_so_far_curves(frame, budget=8)["evaluations"].max() == 8

    # A finished run that had a smaller budget did not stop by its own rule either.
    archgym.run("dram", "ga", budget=2, seed=5, env_options=SMALL, store=path, agent_options=ga,
                stop_on_target=False)
    with pytest.raises(ValueError, match=r"run 4 \(searcher 'ga' seed 5\) ran its whole budget of 2 after 2 "
                       r"evaluations, but the curve goes to 3"):
        best_so_far_curves(archgym.Store(path).searches([1, 3, 4]))


def test_curves_of_external_runs_of_different_lengths_say_how_to_draw_them(tmp_path):
    from archgym.plots import best_so_far_curves

    path = tmp_path / "runs.db"
    for seed, n in ((1, 4), (2, 6)):
        with archgym.ExternalRun(path, "dram", driver="rs", seed=seed, **SMALL) as run:
            for design in run.space.sample(seed, n):
                run.evaluate(design)
    frame = archgym.Store(path).searches()
    with pytest.raises(ValueError, match=r"^best_so_far_curves: run 1 \(searcher 'rs' seed 1\) is an external run of 4 "
                                         r"evaluations \(its driver chose when to stop\), but the curve goes to 6: "
                                         r"leave it out \(searches\(runs=\.\.\.\)\) or pass budget=4$"):
        best_so_far_curves(frame)
    assert best_so_far_curves(frame, budget=4)["seeds"].tolist() == [2] * 4


def test_searches_warn_when_runs_were_made_by_different_builds(tmp_path):
    import sqlite3
    import warnings

    path = tmp_path / "runs.db"
    for seed in (1, 2):
        archgym.run("dram", "random_walk", budget=2, seed=seed, env_options=SMALL, store=path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        archgym.Store(path).searches()  # one build: quiet
    with sqlite3.connect(path) as db:
        db.execute("UPDATE runs SET version = '0.0.9', git_commit = 'abc1234' WHERE id = 2")
    db.close()
    with pytest.warns(UserWarning, match=r"searches: the runs were made by different builds of archgym, whose "
                      r"simulators may differ: run 1 \(archgym .*\); run 2 \(archgym 0.0.9, commit abc1234\)"):
        frame = archgym.Store(path).searches()
    assert len(frame) == 4

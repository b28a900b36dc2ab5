"""Agents (ask/tell), the runner as DataFrames, and the store."""
import json
import math
import os
import signal
import sqlite3
import threading
import time

import numpy as np
import pandas as pd
import pytest

import archgym

SMALL = {"generator": "random", "requests": 400}


def test_agent_ask_tell_on_an_env(small_dram):
    agent = archgym.make_agent("ga", small_dram, seed=3, population=8)
    assert agent.preferred_batch == 8
    objective = small_dram.default_objective
    for _ in range(3):
        designs = agent.ask(agent.preferred_batch)
        assert designs and all(small_dram.space.check(d) is None for d in designs)
        evaluations = [small_dram.evaluate(d) for d in designs]
        agent.tell(designs, [objective.score(e)["reward"] for e in evaluations], evaluations)
    with pytest.raises(ValueError, match="rewards"):
        agent.tell(designs, [1.0])
    # Telling part of an ask, or asking twice before telling, would match rewards to the
    # wrong individuals: refused.
    designs = agent.ask(4)
    with pytest.raises(RuntimeError, match=r"tell\(\) got 2 results for the 4 designs of the last ask"):
        agent.tell(designs[:2], [1.0, 1.0])
    with pytest.raises(RuntimeError, match=r"ask\(\) called while 4 designs of the last ask await tell\(\)"):
        agent.ask(4)


def test_same_seed_same_designs(small_dram):
    a = archgym.make_agent("random_walk", small_dram, seed=9)
    b = archgym.make_agent("random_walk", small_dram, seed=9)
    assert a.ask(5) == b.ask(5)
    with pytest.raises(ValueError, match="population"):
        archgym.make_agent("ga", small_dram, population=0)
    with pytest.raises(ValueError, match="unknown agent"):
        archgym.make_agent("gaa", small_dram)


def test_agent_searches_a_python_space():
    space = archgym.DesignSpace([archgym.Parameter.integer("x", 0, 31),
                                 archgym.Parameter.integer("y", 0, 31)])
    agent = archgym.make_agent("ga", space, seed=1, population=16)
    best = -math.inf
    for _ in range(12):
        designs = agent.ask(16)
        rewards = [-((d["x"] - 20) ** 2 + (d["y"] - 7) ** 2) for d in designs]
        best = max(best, *rewards)
        agent.tell(designs, rewards)
    assert best >= -2  # GA gets (near) the optimum of a 1024-point bowl in 192 evaluations


def test_run_returns_one_row_per_evaluation(small_dram):
    df = archgym.run(env="dram", agent="ga", budget=40, seed=2, env_options=SMALL,
                     agent_options={"population": 8}, stop_on_target=False)
    assert len(df) == 40 and list(df["index"]) == list(range(40))
    knobs, metrics = df.attrs["knobs"], df.attrs["metrics"]
    assert knobs == small_dram.space.names and set(metrics) == set(small_dram.metric_names)
    assert {"reward", "valid", "reason", "sim_seconds", *knobs, *metrics} <= set(df.columns)
    assert df.attrs["status"] == "finished" and df.attrs["run_id"] == 0
    assert df["reward"].idxmax() == df.attrs["best_index"]
    # Rewards are the objective's score of the row's metrics.
    objective = small_dram.default_objective
    row = df.iloc[7]
    evaluation = {"metrics": {m: row[m] for m in metrics}, "valid": True}
    assert row["reward"] == pytest.approx(objective.score(evaluation)["reward"])
    # ... and the metrics are the env's for the row's design.
    direct = small_dram.evaluate({k: row[k] for k in knobs})["metrics"]
    assert all(direct[m] == pytest.approx(row[m]) for m in metrics)


def test_run_is_reproducible_for_any_worker_count():
    kw = dict(env="dram", agent="ga", budget=32, seed=5, env_options=SMALL,
              agent_options={"population": 8}, stop_on_target=False)
    one = archgym.run(workers=1, **kw).drop(columns="sim_seconds")
    two = archgym.run(workers=2, **kw).drop(columns="sim_seconds")
    pd.testing.assert_frame_equal(one, two)


def test_run_stops_when_target_met():
    df = archgym.run(env="dram", agent="random_walk", budget=64, seed=1, env_options=SMALL,
                     targets={"power_W": 1e6, "latency_ms": 1e6}, formulation="normalised_cost")
    assert df.attrs["target_met"] and len(df) < 64


def test_run_errors_are_value_errors():
    with pytest.raises(ValueError, match="population"):
        archgym.run(env="dram", agent="ga", budget=8, agent_options={"population": "many"})
    with pytest.raises(ValueError, match="no_such_metric"):
        archgym.run(env="dram", agent="ga", budget=8, targets={"no_such_metric": 1.0})


def test_a_refused_run_creates_no_store_and_keeps_an_existing_one(tmp_path):
    with pytest.raises(ValueError, match="population"):
        archgym.run("dram", "ga", budget=5, store=tmp_path / "new.db", agent_options={"population": 0})
    assert list(tmp_path.iterdir()) == []  # no store file, no -wal/-shm
    existing = tmp_path / "old.db"
    archgym.run("dram", budget=2, env_options=SMALL, store=existing, stop_on_target=False)
    before = archgym.Store(existing).evaluations()
    with pytest.raises(ValueError, match="population"):
        archgym.run("dram", "ga", budget=5, store=existing, agent_options={"population": 0})
    pd.testing.assert_frame_equal(archgym.Store(existing).evaluations(), before)


def test_a_refused_run_never_opens_the_store(tmp_path, monkeypatch):
    # It is checked before the store file exists. (It used to create the file and delete it
    # again, racing with runs that opened the same new path meanwhile: their finished runs
    # were deleted with it, 11 of 40 trials with two threads.)
    opened = []
    real_open = archgym.running.open_core_store
    monkeypatch.setattr(archgym.running, "open_core_store", lambda path: opened.append(path) or real_open(path))
    with pytest.raises(ValueError, match="population"):
        archgym.run("dram", "ga", budget=5, store=tmp_path / "new.db", agent_options={"population": 0})
    assert opened == [] and list(tmp_path.iterdir()) == []
    archgym.run("dram", budget=1, env_options=SMALL, store=tmp_path / "new.db")
    assert len(opened) == 1


def test_a_damaged_store_is_refused_for_writing_and_left_as_it_was(tmp_path):
    # archgym.run created a run in a store SQLite reports malformed, then failed at the
    # damaged page: the file changed, the new run stayed 'running'.
    import gymnasium
    import re

    path = tmp_path / "s.db"
    archgym.run("dram", budget=3, env_options=SMALL, store=path, stop_on_target=False)
    assert not (tmp_path / "s.db-wal").exists()  # everything is in the file
    db = sqlite3.connect(path)
    page_size = db.execute("PRAGMA page_size").fetchone()[0]
    root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'evaluations'").fetchone()[0]
    db.close()
    assert root > 1
    with open(path, "r+b") as f:  # garbage over the b-tree header of the evaluations' root page
        f.seek((root - 1) * page_size)
        f.write(b"\xa5" * 64)
    before = path.read_bytes()
    message = (rf"store {re.escape(str(path))} is damaged \(SQLite: Page {root}: [^\n]*\); nothing was "
               rf"written to it.*sqlite3 {re.escape(str(path))} \.dump \| sed")
    for write in (lambda: archgym.run("dram", budget=2, env_options=SMALL, store=path),
                  lambda: archgym.resume(path, 1),
                  lambda: archgym.Store(path),
                  lambda: archgym.ExternalRun(str(path), "dram", **SMALL),
                  lambda: gymnasium.make("archgym/DRAM-v0", store=str(path), **SMALL)):
        with pytest.raises(RuntimeError, match=message):
            write()
    assert path.read_bytes() == before


def test_refused_and_good_runs_on_one_new_store_keep_every_good_run(tmp_path):
    for trial in range(10):
        path = tmp_path / f"shared{trial}.db"
        results = []

        def good():
            results.append(archgym.run("dram", budget=3, env_options=SMALL, store=path, stop_on_target=False))

        def bad():
            with pytest.raises(ValueError):
                archgym.run("dram", "ga", budget=3, store=path, agent_options={"population": 1})

        threads = [threading.Thread(target=f) for f in (bad, good, bad)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(results) == 1 and path.is_file()
        assert len(archgym.Store(path).evaluations()) == 3


def test_store_round_trip(tmp_path):
    path = tmp_path / "runs.sqlite"
    store = archgym.Store(path)
    df = archgym.run(env="dram", agent="random_walk", budget=24, seed=4, env_options=SMALL,
                     stop_on_target=False, store=store)
    run_id = df.attrs["run_id"]
    assert run_id > 0
    runs = store.runs()
    assert len(runs) == 1
    run = runs.iloc[0]
    assert (run["env"], run["agent"], run["seed"], run["budget"]) == ("dram", "random_walk", 4, 24)
    assert run["status"] == "finished" and run["evaluations"] == 24
    assert run["version"] == archgym.__version__ and run["git_commit"] == archgym.git_commit
    ev = store.evaluations(run_id)
    assert list(ev["index"]) == list(range(24))
    np.testing.assert_allclose(ev["reward"], df["reward"])
    for column in df.attrs["knobs"]:
        assert list(ev[column]) == list(df[column])
    np.testing.assert_allclose(ev["energy_uJ"], df["energy_uJ"])
    csv = store.export_csv(tmp_path / "runs.csv")
    assert len(pd.read_csv(csv)) == 24
    # A second store object on the same file sees the same data (a path works too).
    archgym.run(env="dram", agent="random_walk", budget=8, seed=5, env_options=SMALL,
                store=str(path), stop_on_target=False)
    assert len(archgym.Store(path).evaluations()) == 32


def test_evaluations_of_rows_with_different_columns_match_a_frame_of_row_dicts(tmp_path):
    # Invalid rows have no metrics and (here, tampered) some no design: the frame is built
    # column by column and must be the frame pandas makes of one dict per row.
    path = tmp_path / "mixed.sqlite"
    store = archgym.Store(path)
    for seed in (1, 2):
        archgym.run(env="dram", agent="random_walk", budget=12, seed=seed, env_options=SMALL,
                    stop_on_target=False, store=store)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE evaluations SET valid = 0, metrics = '', invalid_reason = 'x' WHERE idx % 3 = 0")
        db.execute("UPDATE evaluations SET design = '' WHERE idx = 4 AND run_id = 2")
    rows = []
    for run_id in (1, 2):
        for e in store._store.evaluations(run_id):
            row = {k: e[k] for k in ("run_id", "index", "reward", "valid", "reason", "sim_seconds")}
            row.update(json.loads(e["design"]) if e["design"] else {})
            row.update(json.loads(e["metrics"]) if e["metrics"] else {})
            rows.append(row)
    frame = store.evaluations()
    pd.testing.assert_frame_equal(frame, pd.DataFrame(rows))
    assert frame["energy_uJ"].isna().sum() == 8 and frame["PagePolicy"].isna().sum() == 1


def test_evaluations_of_a_tampered_store_name_the_bad_row(tmp_path):
    path = tmp_path / "tampered.sqlite"
    store = archgym.Store(path)
    archgym.run(env="dram", agent="random_walk", budget=6, seed=1, env_options=SMALL,
                stop_on_target=False, store=store)
    deep = "[" * 100000 + "]" * 100000
    for column, text, says in (("design", "{\"x\": " + deep + "}", "invalid JSON"),
                               ("metrics", "[1, 2]", "expected a JSON object"),
                               ("design", "{oops", "invalid JSON")):
        with sqlite3.connect(path) as db:
            db.execute(f"UPDATE evaluations SET {column} = ? WHERE idx = 3", (text,))
        with pytest.raises(ValueError, match=f"run 1 evaluation 3 {column}: {says}"):
            store.evaluations(1)
        with sqlite3.connect(path) as db:  # undo, for the next column
            db.execute(f"UPDATE evaluations SET {column} = (SELECT {column} FROM evaluations "
                       "WHERE idx = 2) WHERE idx = 3")


def test_evaluations_refuse_a_key_given_twice_as_the_core_does(tmp_path):
    # json.loads keeps the last of two equal keys: the frame showed PagePolicy Closed where
    # export (the core) refused the row.
    path = tmp_path / "twice.sqlite"
    store = archgym.Store(path)
    archgym.run(env="dram", agent="random_walk", budget=6, seed=1, env_options=SMALL,
                stop_on_target=False, store=store)
    before = store.evaluations(1)
    for column, text, key in (
            ("design", '{"PagePolicy": "Open", "Scheduler": "Fifo", "PagePolicy": "Closed"}',
             "PagePolicy"),
            ("metrics", '{"energy_uJ": 1.0, "extra": [[{"a": 1, "a": 2}]]}', "extra.a"),
            ("metrics", '{"extra": {"inner": {"b": {"c": 1, "c": 2}}}}', "extra.inner.b.c")):
        with sqlite3.connect(path) as db:
            db.execute(f"UPDATE evaluations SET {column} = ? WHERE idx = 3", (text,))
        said = f"{key}: key given twice in one object (JSON keys must be unique; keep one)"
        with pytest.raises(ValueError) as python:
            store.evaluations(1)
        assert str(python.value) == f"store {path}: run 1 evaluation 3 {column}: {said}"
        with pytest.raises(ValueError) as core:
            store.export_csv(tmp_path / "twice.csv")
        assert str(core.value) == f"store {path}: run 1, evaluation 3 {column}: {said}"
        with sqlite3.connect(path) as db:  # undo, for the next one
            db.execute(f"UPDATE evaluations SET {column} = (SELECT {column} FROM evaluations "
                       "WHERE idx = 2) WHERE idx = 3")
    # Keys repeated in different objects are no repetition, and rows read as before.
    with sqlite3.connect(path) as db:
        db.execute("""UPDATE evaluations SET metrics = '{"a": {"x": 1}, "b": {"x": [{"x": 2}]}}'
                      WHERE idx = 3""")
    frame = store.evaluations(1)
    assert frame.loc[3, "a"] == {"x": 1} and frame.loc[3, "b"] == {"x": [{"x": 2}]}
    pd.testing.assert_frame_equal(frame.drop(index=3)[before.columns], before.drop(index=3))


def test_run_id_0_is_no_run_to_evaluations(tmp_path):
    # To the core, evaluations(0) is every run's rows (export's "all runs"); a frame of one
    # run never is. A row of run 0 (a hand edit) is named by export, which reads every row.
    path = tmp_path / "zero.sqlite"
    store = archgym.Store(path)
    for seed in (1, 2):
        archgym.run(env="dram", agent="random_walk", budget=3, seed=seed, env_options=SMALL,
                    stop_on_target=False, store=store)
    with pytest.raises(ValueError, match=r"^run_id must be at least 1, got 0 \(run ids start at 1; "
                                         r"evaluations\(\) reads every run\)$"):
        store.evaluations(0)
    with pytest.raises(ValueError, match=r"^run_id must be at least 1, got 0$"):
        store._store.evaluations(0)
    with pytest.raises(ValueError, match=r"^run_id must be at least 1, got -1$"):
        store.evaluations(-1)
    assert len(store.evaluations()) == 6 and len(pd.read_csv(store.export_csv(tmp_path / "all.csv", 0))) == 6
    assert store.export_csv(tmp_path / "none.csv", None).read_text() == (tmp_path / "all.csv").read_text()
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA foreign_keys = OFF")
        db.execute("UPDATE evaluations SET run_id = 0 WHERE run_id = 2 AND idx = 1")
    with pytest.raises(RuntimeError, match=r"zero.sqlite: an evaluation: column 'run_id' holds '0' "
                                         r"\(integer\); expected an integer of at least 1"):
        store.export_csv(tmp_path / "all.csv", 0)
    assert len(store.evaluations(2)) == 2  # its run's rows no longer hold it


def test_text_that_is_not_utf8_in_a_store_reads_as_replacement_characters(tmp_path):
    # A bare UnicodeDecodeError from runs(), evaluations() and resume (found by a tester).
    path = tmp_path / "bytes.sqlite"
    store = archgym.Store(path)
    archgym.run(env="dram", budget=4, seed=1, env_options=SMALL, stop_on_target=False, store=store)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE runs SET message = CAST(x'6261649f' AS TEXT)")
        db.execute("UPDATE evaluations SET invalid_reason = CAST(x'ff' AS TEXT) WHERE idx = 1")
    assert store.runs()["message"].tolist() == ["bad\ufffd"]
    assert store.evaluations(1)["reason"].tolist()[1] == "\ufffd"
    assert len(archgym.resume(store, 1)) == 4


def test_resume_a_finished_run_replays_without_simulating(tmp_path):
    store = archgym.Store(tmp_path / "r.sqlite")
    df = archgym.run(env="dram", agent="ga", budget=16, seed=3, env_options=SMALL,
                     agent_options={"population": 8}, stop_on_target=False, store=store)
    again = archgym.resume(store, df.attrs["run_id"])
    np.testing.assert_allclose(again["reward"], df["reward"])
    with pytest.raises(ValueError, match="no run 99"):
        archgym.resume(store, 99)


def test_a_relative_trace_path_is_recorded_absolute_so_the_run_resumes_anywhere(tmp_path, monkeypatch):
    # The run records the file a relative path named, in its options as in its inputs: resume
    # and export work from another directory, even one with another t.stl in it.
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "t.stl").write_text("".join(f"{i}: read 0x{i * 64:x}\n" for i in range(50)))
    (tmp_path / "b" / "t.stl").write_text("0: write 0x0\n")
    monkeypatch.chdir(tmp_path / "a")
    df = archgym.run(env="dram", agent="random_walk", budget=2, env_options={"workload": "t.stl"},
                     store=str(tmp_path / "s.db"), stop_on_target=False)
    monkeypatch.chdir(tmp_path / "b")
    store = archgym.Store(tmp_path / "s.db")
    assert json.loads(store.runs()["env_config"][0])["workload"] == str(tmp_path / "a" / "t.stl")
    again = archgym.resume(store, df.attrs["run_id"])
    np.testing.assert_array_equal(again["reward"], df["reward"])


def test_a_generated_run_rebuilds_from_its_stored_options(tmp_path):
    # The store keeps every option, defaults too (workload=stream, stride=64): read back
    # as options a user typed, they would be refused as having no effect.
    store = archgym.Store(tmp_path / "g.sqlite")
    archgym.run(env="dram", agent="random_walk", budget=2, env_options=SMALL, stop_on_target=False, store=store)
    config = store.runs()["env_config"][0]
    assert json.loads(config)["workload"] == "stream"
    env = archgym._core.make_env_from_config("dram", config)
    assert env.options["generator"] == "random" and env.options["requests"] == "400"
    # env.options holds what differs from the defaults, so it rebuilds the same env.
    assert "workload" not in env.options and "stride" not in env.options
    clone = archgym.make_env("dram", **env.options)
    design = env.default_design
    assert clone.evaluate(design)["metrics"] == env.evaluate(design)["metrics"]
    with pytest.raises(ValueError, match="stride = 64 applies only to generator strided"):
        archgym.make_env("dram", **json.loads(config))
    with pytest.raises(ValueError, match=r"env 'dram' config: unknown option 'colour'"):
        archgym._core.make_env_from_config("dram", '{"colour": "red"}')


def test_resume_refuses_a_run_another_process_holds_unless_forced(tmp_path):
    path = tmp_path / "held.sqlite"
    store = archgym.Store(path)
    df = archgym.run(env="dram", agent="random_walk", budget=6, seed=3, env_options=SMALL,
                     stop_on_target=False, store=store)
    run_id = df.attrs["run_id"]
    assert archgym.Store(path).runs()["inputs"].tolist() == ["{}"]  # a generated workload reads no file
    # As if a process on another machine sharing the file were running it.
    with sqlite3.connect(path) as db:
        db.execute("UPDATE runs SET status = 'running' WHERE id = ?", (run_id,))
        db.execute("INSERT INTO run_claims VALUES (?, 'node17.invalid', 4242, '99', "
                   "'2026-01-01T00:00:00.000Z')", (run_id,))
    db.close()
    with pytest.raises(RuntimeError, match=r"pid 4242 on host node17.invalid.*force=True"):
        archgym.resume(store, run_id)
    held = archgym.Store(path).runs().set_index("run_id").loc[run_id]
    assert (held.status, held.state) == ("running", "running on node17.invalid")
    again = archgym.resume(store, run_id, force=True)
    np.testing.assert_allclose(again["reward"], df["reward"])
    assert archgym.Store(path).runs().set_index("run_id").loc[run_id, "status"] == "finished"


def test_runs_tells_a_killed_run_from_a_running_one_as_the_cli_does(tmp_path):
    import socket
    import subprocess

    path = tmp_path / "killed.sqlite"
    store = archgym.Store(path)
    for seed in (1, 2, 3):
        archgym.run(env="dram", agent="random_walk", budget=2, seed=seed, env_options=SMALL,
                    stop_on_target=False, store=store)
    gone = subprocess.Popen(["true"])
    gone.wait()  # its pid names no process now
    with sqlite3.connect(path) as db:
        db.execute("UPDATE runs SET status = 'running' WHERE id IN (2, 3)")
        # Run 2: no claim (a build that kept none, or a claim lost): killed. Run 3: claimed
        # by a process of this host that is gone.
        db.execute("INSERT INTO run_claims VALUES (3, ?, ?, '1', '2026-01-01T00:00:00.000Z')",
                   (socket.gethostname(), gone.pid))
    db.close()
    runs = archgym.Store(path).runs().set_index("run_id")
    assert runs["status"].tolist() == ["finished", "running", "running"]  # as stored
    assert runs["state"].tolist() == ["finished", "killed", "killed"]
    # archgym.runs(path), like `archgym runs`, reads without opening the store for writing.
    pd.testing.assert_frame_equal(archgym.runs(path), archgym.Store(path).runs())
    pd.testing.assert_frame_equal(archgym.runs(store), archgym.Store(path).runs())
    with pytest.raises(FileNotFoundError, match="no such store"):
        archgym.runs(tmp_path / "missing.db")
    assert not (tmp_path / "missing.db").exists()


def test_an_empty_result_has_the_columns_and_dtypes_of_a_full_one(small_dram):
    agent = archgym.make_agent("ga", small_dram, population=2, generations=1)
    full = archgym.run_agent(small_dram, agent, 50, stop_on_target=False)
    empty = archgym.run_agent(small_dram, agent, 20)  # the GA has finished: no rows
    assert len(empty) == 0 and len(full) > 0
    pd.testing.assert_series_equal(empty.dtypes, full.dtypes)
    assert empty.attrs["metrics"] == full.attrs["metrics"]


def test_a_stored_run_without_valid_rows_exports_every_column(tmp_path):
    # A run killed before its first evaluation, or whose designs were all invalid, has no
    # row showing its metrics: its export still has every knob and metric column.
    path = tmp_path / "s.db"
    store = archgym.Store(path)
    full = store.evaluations(archgym.run(env="dram", agent="random_walk", budget=3, env_options=SMALL,
                                         store=store, stop_on_target=False).attrs["run_id"])
    for run, change in ((2, "DELETE FROM evaluations WHERE run_id = 2"),
                        (3, "UPDATE evaluations SET valid = 0, metrics = '{}', invalid_reason = 'x' WHERE run_id = 3")):
        archgym.run(env="dram", agent="random_walk", budget=3, env_options=SMALL, store=store,
                    stop_on_target=False)
        with sqlite3.connect(path) as db:
            db.execute(change)
        frame = archgym.Store(path).evaluations(run)
        assert list(frame.columns) == list(full.columns)
        assert len(frame) == (0 if run == 2 else 3)
        header = archgym.Store(path).export_csv(tmp_path / f"{run}.csv").read_text().splitlines()[0]
        assert header == ",".join(full.columns)
    assert frame["power_W"].isna().all()
    pd.testing.assert_series_equal(archgym.Store(path).evaluations(2).dtypes, full.dtypes)


def test_run_agent_on_existing_objects(small_dram):
    agent = archgym.make_agent("random_walk", small_dram, seed=2)
    df = archgym.run_agent(small_dram, agent, 12, stop_on_target=False)
    assert len(df) == 12 and df.attrs["agent"] == "random_walk"


@pytest.mark.parametrize("sig", ["SIGINT", "SIGTERM"])
def test_ctrl_c_interrupts_a_run_which_resumes_to_the_same_trajectory(tmp_path, sig):
    # SIGTERM stops a run cleanly once the program routes it to KeyboardInterrupt, as the
    # README says (Python's default for SIGTERM ends the process at once).
    sig = getattr(signal, sig)
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler) if sig == signal.SIGTERM else None
    try:
        _interrupt_and_resume(tmp_path, sig)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _interrupt_and_resume(tmp_path, sig):
    path = tmp_path / "i.sqlite"
    kw = dict(env="dram", agent="ga", budget=64, seed=6, agent_options={"population": 8},
              stop_on_target=False, workers=1)  # the shipped stream trace: ~10 ms per evaluation

    def interrupt_midway():
        # A real signal to this process (SIGINT as Ctrl-C sends it), once evaluations are committed.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
                    if db.execute("SELECT COUNT(*) FROM evaluations").fetchone()[0] >= 8:
                        break
            except sqlite3.Error:
                pass  # not created yet
            time.sleep(0.005)
        os.kill(os.getpid(), sig)

    store = archgym.Store(path)
    thread = threading.Thread(target=interrupt_midway)
    thread.start()
    try:
        with pytest.raises(KeyboardInterrupt) as interrupted:
            archgym.run(store=store, **kw)
    finally:
        thread.join()
    run = store.runs().iloc[0]
    # The exception says what was kept and how to continue (Python's own has no message).
    assert interrupted.value.__notes__ == [
        f"archgym: run {run['run_id']} interrupted after {run['evaluations']} evaluations, all stored; "
        f"archgym.resume(store, {run['run_id']}) continues it"]
    assert run["status"] == "interrupted"
    # Whole generations only: 8, then 7 new designs each (the GA keeps one elite).
    assert 8 <= run["evaluations"] < 64 and (run["evaluations"] - 8) % 7 == 0

    resumed = archgym.resume(store, int(run["run_id"]))
    assert resumed.attrs["status"] == "finished" and len(resumed) == 64
    reference = archgym.run(**kw)
    pd.testing.assert_frame_equal(resumed.drop(columns="sim_seconds"),
                                  reference.drop(columns="sim_seconds"))
    stored = store.evaluations(int(run["run_id"]))
    np.testing.assert_array_equal(stored["reward"], reference["reward"])


def test_a_run_batch_and_an_agent_batch_that_disagree_are_refused(tmp_path):
    path = tmp_path / "b.db"
    with pytest.raises(ValueError, match=r"^run: batch 8 \(designs per ask\) and agent 'random_walk' option batch=4 "
                       r"disagree; the run's batch overrides the agent's, so give one of them$"):
        archgym.run("dram", "random_walk", budget=4, batch=8, agent_options={"batch": 4}, env_options=SMALL,
                    store=path)
    assert not path.exists()
    df = archgym.run("dram", "random_walk", budget=4, batch=4, agent_options={"batch": 4}, env_options=SMALL,
                     store=path, stop_on_target=False)
    assert len(df) == 4

"""Shared fixtures for the archgym Python suite.

Runs against the package on PYTHONPATH: the CMake build tree (CTest sets it) or an
installed wheel (`pip install .` then `pytest tests/python`).
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

import archgym


def pytest_configure(config):
    # The observation space is Box(-inf, inf): metrics have no natural bounds (a proxy
    # may predict below zero), which gymnasium's checker merely comments on. Checking a
    # wrapped env is deliberate too.
    config.addinivalue_line("filterwarnings", "ignore:.*maximum value is infinity")
    config.addinivalue_line("filterwarnings", "ignore:.*minimum value is -infinity")
    config.addinivalue_line("filterwarnings", "ignore:.*different from the unwrapped version")

# Small synthetic workloads keep the suite fast; the shipped traces (10,000 requests)
# take ~10 ms per evaluation and are used where the ArchGym setup matters.
SMALL = {"generator": "random", "requests": 400}


@pytest.fixture(scope="session")
def dram():
    """The DRAM env on ArchGym's stream trace."""
    return archgym.make_env("dram")


@pytest.fixture(scope="session")
def small_dram():
    """The DRAM env on a 400-request random workload."""
    return archgym.make_env("dram", **SMALL)


@pytest.fixture
def out_dir(tmp_path, request) -> Path:
    """Where a test writes figures: kept under the build tree when CTest runs them, in a
    folder of the test's own, emptied first (a check that a figure exists must not pass on
    the file an earlier run left)."""
    base = os.environ.get("ARCHGYM_TEST_OUTPUT_DIR")
    if not base:
        return tmp_path
    path = Path(base) / "output" / re.sub(r"[^A-Za-z0-9_.-]", "_", request.node.name)[:80]
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


@pytest.fixture(scope="session")
def dram_runs_store(tmp_path_factory):
    """A store with two random-walk runs (120 + 60 designs) of the small DRAM env."""
    store = archgym.Store(tmp_path_factory.mktemp("proxy") / "runs.sqlite")
    for seed, budget in ((1, 120), (2, 60)):
        archgym.run(env="dram", agent="random_walk", budget=budget, seed=seed, store=store,
                    env_options=SMALL, stop_on_target=False, progress=False)
    return store


@pytest.fixture(scope="session")
def dram_proxy_file(dram_runs_store, tmp_path_factory):
    """A random-forest proxy of the small DRAM env, saved as a model file."""
    proxy = archgym.train_proxy(dram_runs_store, [1], model="random_forest", trees=20, seed=1)
    return proxy.save(tmp_path_factory.mktemp("proxy") / "dram.proxy.json")


@pytest.fixture
def python_program(tmp_path):
    """Runs Python source as a program of its own (what happens at interpreter exit, or a
    crash, then ends that program, not the test run); returns the CompletedProcess."""
    import subprocess
    import sys

    def run(source: str, timeout: float = 120) -> "subprocess.CompletedProcess[str]":
        script = tmp_path / "program.py"
        script.write_text(source)
        return subprocess.run([sys.executable, str(script)], env=dict(os.environ),
                              capture_output=True, text=True, timeout=timeout)
    return run

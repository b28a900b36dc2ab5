"""Shared fixtures for the archgym Python suite.

Runs against the package on PYTHONPATH: the CMake build tree (CTest sets it) or an
installed wheel (`pip install .` then `pytest tests/python`).
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

import archgym


def pytest_configure(config):
    # The observation space is Box(0, inf): metrics have no natural upper bound, which
    # gymnasium's checker merely comments on. Checking a wrapped env is deliberate too.
    config.addinivalue_line("filterwarnings", "ignore:.*maximum value is infinity")
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
def out_dir(tmp_path) -> Path:
    """Where tests write figures (kept under the build tree when CTest runs them)."""
    base = os.environ.get("ARCHGYM_TEST_OUTPUT_DIR")
    if not base:
        return tmp_path
    path = Path(base) / "output"
    path.mkdir(parents=True, exist_ok=True)
    return path

"""What the registry refuses of a component a user adds, seen from Python.

The test-only components of tests/components/components.cpp are built into a module of
their own (CMake target archgym_test_python); each test imports it as ``archgym._core``
beside this build's package files, in a child process (a failed import, or registration
mistakes made while a module loads, cannot be undone in this one).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import archgym


def _components_module() -> Path | None:
    """The module CTest names, else the one a build tree holds beside the package
    (<build>/python/archgym and <build>/tests/components/python/archgym)."""
    given = os.environ.get("ARCHGYM_TEST_COMPONENTS_MODULE")
    if given:
        return Path(given)
    build = Path(archgym.__file__).resolve().parents[2]
    found = sorted((build / "tests" / "components" / "python" / "archgym").glob("_core*"))
    return found[0] if found else None


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    """A directory holding the archgym package with the test components' module."""
    module = _components_module()
    if module is None or not module.is_file():
        pytest.skip("the test components' module is built with the C++ tests (tests/components)")
    root = tmp_path_factory.mktemp("components")
    (root / "archgym").mkdir()
    for f in Path(archgym.__file__).parent.iterdir():
        if f.suffix in (".py", ".pyi") or f.name == "py.typed":
            shutil.copy(f, root / "archgym" / f.name)
    shutil.copy(module, root / "archgym" / module.name)
    return root


def _python(package: Path, code: str, *, misregistered: bool = False) -> subprocess.CompletedProcess:
    """Runs ``code`` in a child Python that imports archgym from ``package``; with
    ``misregistered``, components.cpp also registers its mistakes."""
    env = dict(os.environ, PYTHONPATH=str(package))
    env.pop("ARCHGYM_TEST_MISREGISTER", None)
    if misregistered:
        env["ARCHGYM_TEST_MISREGISTER"] = "1"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)


def _either_order(a: str, b: str, and_: str = " and ") -> str:
    """A regex for "<a><and_><b>" in either order: static initialisers run in no set order,
    so either registration of a pair may be the one refused."""
    return f"({a}{and_}{b}|{b}{and_}{a})"


def test_registration_mistakes_make_the_import_raise_importerror(package):
    # A registrar threw from a static initialiser while the module loaded: "terminate
    # called ...", exit 134, and a Jupyter kernel died without a traceback.
    r = _python(package, "import archgym", misregistered=True)
    assert r.returncode == 1, r.stderr
    assert "terminate called" not in r.stderr
    assert "ImportError: 3 registrations were refused:\n" in r.stderr
    assert re.search(r"\n  agent 'ga' is registered twice \(registered at "
                     + _either_order(r"agents/ga\.cpp:\d+", r"components/components\.cpp:\d+", " and at ") + r"\)\n", r.stderr)
    assert ("\n  env 'bad_default': schema default: option 'size' must be integer in [1, 8], got '0' "
            "(registered at components/components.cpp:") in r.stderr
    # The ids Python would register: 'd_r_a_m' is DRAM too ('import archgym' raised RuntimeError).
    assert re.search("\n  " + _either_order("env 'dram'", "env 'd_r_a_m'")
                     + r" would both be gymnasium id 'archgym/DRAM-v0'; rename one of them \(registered at "
                     + _either_order(r"envs/dram\.cpp:\d+", r"components/components\.cpp:\d+", " and at ") + r"\)\n", r.stderr)
    caught = _python(package, "try:\n    import archgym\nexcept ImportError as e:\n    print(type(e).__name__, e)",
                     misregistered=True)
    assert caught.returncode == 0 and caught.stdout.startswith("ImportError 3 registrations were refused:"), caught


def test_the_components_module_imports_without_mistakes(package):
    r = _python(package, "import archgym; print(archgym.make_env('named_columns').space.names)")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "['x', 'y']"


_RESERVED = "(reserved: run_id, index, reward, valid, reason, sim_seconds, searcher, seed)"


def test_an_env_with_a_reserved_knob_or_metric_name_is_refused_by_every_way_in(package, tmp_path):
    # Store.evaluations(1) showed the metrics 'index' and 'reward' instead of the evaluation's
    # index and reward, and Store.searches() failed in pandas ("cannot insert seed, already exists").
    code = f"""
import gymnasium, pytest, archgym
bad = dict(knobs="seed,reason", metrics="reward,index,seed")
message = ("env 'named_columns': knob 'seed' has a reserved name: exports and frames show a column of that "
           "name beside the knobs and metrics {_RESERVED}; rename the knob")
for attempt in (lambda: archgym.make_env("named_columns", **bad),
                lambda: gymnasium.make("archgym/NamedColumns-v0", **bad),
                lambda: archgym.run(env="named_columns", env_options=bad, budget=2),
                lambda: archgym.run(env="named_columns", env_options=bad, budget=2, store={str(tmp_path / "s.db")!r}),
                lambda: archgym.ExternalRun({str(tmp_path / "e.db")!r}, "named_columns", env_options=bad)):
    with pytest.raises(ValueError) as caught:
        attempt()
    assert str(caught.value) == message, caught.value
with pytest.raises(ValueError, match="'y' is both a knob and a metric"):
    archgym.make_env("named_columns", knobs="x,y", metrics="y")
print("refused")
"""
    r = _python(package, code)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "refused\n"
    assert not (tmp_path / "s.db").exists() and not (tmp_path / "e.db").exists()


def test_the_columns_frames_add_beside_knobs_and_metrics_are_the_ones_the_core_reserves(tmp_path):
    store = archgym.Store(tmp_path / "runs.db")
    frame = archgym.run(env="dram", agent="random_walk", budget=2,
                        env_options={"generator": "random", "requests": 400}, store=store)
    env = archgym.make_env("dram", generator="random", requests=400)
    own = set(env.space.names) | set(env.metric_names)
    assert set(frame.columns) - own == set(archgym._core.EVALUATION_COLUMNS) - {"run_id"}  # in df.attrs
    evaluations = store.evaluations(1)
    assert list(evaluations.columns[:len(archgym._core.EVALUATION_COLUMNS)]) == list(archgym._core.EVALUATION_COLUMNS)
    assert set(evaluations.columns) - own == set(archgym._core.EVALUATION_COLUMNS)
    assert set(store.searches().columns) - own == {*archgym._core.EVALUATION_COLUMNS, *archgym._core.SEARCH_COLUMNS}
    header = store.export_csv(tmp_path / "runs.csv").read_text().splitlines()[0].split(",")
    assert header[:len(archgym._core.EVALUATION_COLUMNS)] == list(archgym._core.EVALUATION_COLUMNS)
    assert set(header) - own == set(archgym._core.EVALUATION_COLUMNS)

"""The package itself: version, registry listings, gymnasium ids, data, docstrings."""
import ast
import inspect
import os
import re
import types
from pathlib import Path

import gymnasium
import pytest

import archgym
import archgym.gym
import archgym.plots
import archgym.running
import archgym.store


def test_version_and_commit_come_from_the_build():
    assert re.fullmatch(r"\d+\.\d+\.\d+", archgym.__version__)
    assert archgym.git_commit == archgym._core.git_commit
    assert archgym.git_commit == "unknown" or re.match(r"[0-9a-f]{40}", archgym.git_commit)
    # The compiler and its flags, which a commit alone does not pin (the CLI's --version).
    assert re.fullmatch(r"\w+ [\d.]+, \w* build, flags: .*", archgym.build_config)


def test_registry_listings_carry_descriptions_and_schemas():
    envs = {e["name"]: e for e in archgym.list_envs()}
    assert "dram" in envs and envs["dram"]["description"]
    options = {o["name"]: o for o in envs["dram"]["options"]}
    assert options["workload"]["default"] == "stream"
    assert options["requests"]["kind"] == "integer" and options["requests"]["min"] == 1
    assert "random" in options["generator"]["choices"]
    agents = {a["name"]: a for a in archgym.list_agents()}
    assert {"random_walk", "ga"} <= set(agents)
    assert all(a["description"] for a in agents.values())
    assert "population" in {o["name"] for o in agents["ga"]["options"]}


def test_every_registry_env_is_a_gymnasium_id():
    assert archgym.gym_ids["dram"] == "archgym/DRAM-v0"
    for name, env_id in archgym.gym_ids.items():
        assert env_id in gymnasium.registry
        assert gymnasium.registry[env_id].kwargs == {"archgym_env": name}
    assert archgym.gym.gym_name("systolic_array") == "SystolicArray"
    assert archgym.gym.gym_name("accel") == "Accel"
    assert archgym.gym.gym_name("soc") == "SOC"


def test_shipped_traces_are_found():
    data = Path(os.environ["ARCHGYM_DATA_DIR"])
    assert (data / "dram" / "traces" / "stream.stl").is_file()
    # Building the env reads the trace: a missing data dir would fail here.
    assert archgym.make_env("dram", workload="cloud-1").evaluate({})["valid"]


def _public(module):
    for name, obj in vars(module).items():
        if name.startswith("_") or getattr(obj, "__module__", module.__name__) != module.__name__:
            continue
        if inspect.isfunction(obj) or inspect.isclass(obj):
            yield f"{module.__name__}.{name}", obj
            if inspect.isclass(obj):
                for m_name, member in vars(obj).items():
                    if not m_name.startswith("_") and inspect.isfunction(member):
                        yield f"{module.__name__}.{name}.{m_name}", member


@pytest.mark.parametrize("module", [archgym, archgym.gym, archgym.plots, archgym.proxy,
                                    archgym.running, archgym.store])
def test_public_functions_have_docstrings(module):
    missing = [name for name, obj in _public(module) if not inspect.getdoc(obj)]
    assert not missing


def test_binding_members_have_docstrings():
    core = archgym._core
    missing = []
    for name in ("list_envs", "list_agents", "make_env", "make_agent", "run", "run_agent", "resume",
                 "list_proxy_models", "train_proxy", "load_proxy"):
        if not getattr(core, name).__doc__:
            missing.append(name)
    for cls in (core.Parameter, core.DesignSpace, core.Objective, core.Env, core.GymView,
                core.Agent, core.Store, core.Proxy):
        for m_name, member in vars(cls).items():
            if m_name.startswith("_"):
                continue
            if not (getattr(member, "__doc__", None) or "").strip():
                missing.append(f"{cls.__name__}.{m_name}")
    assert not missing


def test_stubs_cover_the_module():
    stub = (Path(archgym.__file__).parent / "_core.pyi").read_text()
    for name in dir(archgym._core):
        if not name.startswith("_"):
            assert re.search(rf"\b(def|class) {name}\b|^{name}:", stub, re.M), name


def _stub_parameters(function: ast.FunctionDef) -> list[str]:
    a = function.args
    names = [x.arg for x in a.posonlyargs + a.args + a.kwonlyargs if x.arg != "self"]
    return names + (["*"] if a.vararg else []) + (["**"] if a.kwarg else [])


def _bound_parameters(function) -> list[str] | None:
    """The parameter names of a pybind11 function, from the signature heading its docstring
    (``name(self: T, a: object, b: object = 0, **kwargs) -> R``); None for an overload set."""
    match = re.match(r"^\w+\((.*)\)(?: -> .*)?$", (function.__doc__ or "").strip().split("\n")[0])
    if match is None:
        return None
    names = re.findall(r"(?:^|, )(\*{0,2}\w+)(?=: |, |$| = )", match.group(1))
    return [n if not n.startswith("*") else n[: n.count("*")] for n in names if n != "self"]


def test_stubs_name_every_method_and_parameter():
    """An IDE sees the bindings only through _core.pyi (pybind11 shows every argument as
    `object`): each function and method is in it with the parameters it takes."""
    tree = ast.parse((Path(archgym.__file__).parent / "_core.pyi").read_text())
    stubs = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            stubs[node.name] = node
        elif isinstance(node, ast.ClassDef):
            stubs.update({f"{node.name}.{f.name}": f for f in node.body if isinstance(f, ast.FunctionDef)})
    bound = {}
    for name in dir(archgym._core):
        obj = getattr(archgym._core, name)
        if name.startswith("_"):
            continue
        if inspect.isclass(obj):
            for member, value in vars(obj).items():
                if isinstance(value, types.WrapperDescriptorType):  # no constructor bound: Python's own
                    continue
                value = value.__func__ if isinstance(value, staticmethod) else value
                if callable(value) and (not member.startswith("_") or member == "__init__"):
                    bound[f"{name}.{member}"] = value
        elif callable(obj):
            bound[name] = obj
    assert bound.keys() <= stubs.keys(), sorted(bound.keys() - stubs.keys())
    for key, function in bound.items():
        parameters = _bound_parameters(function)
        if parameters is not None:
            assert parameters == _stub_parameters(stubs[key]), key

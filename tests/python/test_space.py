"""Design spaces and knobs seen from Python: introspection, encodings, errors."""
import math

import pytest

import archgym
from archgym import DesignSpace, Parameter


def test_dram_space_has_archgym_knobs(dram):
    space = dram.space
    assert space.names[:3] == ["PagePolicy", "Scheduler", "SchedulerBuffer"]
    p = space.parameter("PagePolicy")
    assert p.kind == "categorical"
    assert p.values == ["Open", "OpenAdaptive", "Closed", "ClosedAdaptive"]
    rbs = space.parameter("RequestBufferSize")
    assert (rbs.kind, rbs.values) == ("integer", list(range(1, 9)))
    assert space.cardinalities[space.names.index("MaxActiveTransactions")] == 128
    assert space.size == math.prod(space.cardinalities)
    assert space.all_discrete and len(space) == space.dimension


def test_rl_variant_uses_powers_of_two():
    space = archgym.make_env("dram", space="rl").space
    p = space.parameter("MaxActiveTransactions")
    assert p.kind == "power_of_two" and p.values == [1, 2, 4, 8, 16, 32, 64, 128]


def test_index_and_unit_round_trips(dram):
    space = dram.space
    for design in space.sample(seed=7, n=20):
        assert space.from_indices(space.to_indices(design)) == design
        assert space.from_unit(space.to_unit(design)) == design
        assert space.from_json(space.to_json(design)) == design
        assert space.check(design) is None
    assert list(space.sample(seed=7, n=3)) == list(space.sample(seed=7, n=3))


def test_bad_values_raise_value_error_listing_allowed(dram):
    space = dram.space
    design = dict(dram.default_design)
    design["PagePolicy"] = "Opn"
    with pytest.raises(ValueError, match=r"PagePolicy.*Open, OpenAdaptive"):
        space.validate(design)
    assert "PagePolicy" in space.check(design)
    with pytest.raises(ValueError, match="RequestBufferSize"):
        space.validate({**dram.default_design, "RequestBufferSize": 9})
    with pytest.raises(ValueError, match="PagePolicy"):  # unknown knob lists the known ones
        space.validate({**dram.default_design, "PagePolice": "Open"})
    with pytest.raises(TypeError, match="expected int, float or str"):
        space.validate({**dram.default_design, "RequestBufferSize": [1]})


def test_numpy_and_float_values_are_accepted(dram):
    np = pytest.importorskip("numpy")
    d = {**dram.default_design, "RequestBufferSize": np.int64(4), "MaxActiveTransactions": 16.0}
    dram.space.validate(d)
    assert dram.space.to_indices(d)[dram.space.names.index("RequestBufferSize")] == 3


def test_a_whole_float_means_the_integer_and_an_int_the_real(dram):
    # Python does not make users care about 8 vs 8.0: the design is the same one (the same
    # stored JSON, so the same duplicate) and evaluates the same.
    as_float = {**dram.default_design, "RequestBufferSize": 8.0}
    assert dram.space.to_json(as_float) == dram.space.to_json(dram.default_design)
    assert dram.evaluate(as_float)["metrics"] == dram.evaluate(dram.default_design)["metrics"]
    space = DesignSpace([Parameter.integer("a", 1, 8), Parameter.real("x", -1.0, 1.0)])
    assert space.to_json({"a": 2.0, "x": 1}) == '{"a":2,"x":1.0}'
    with pytest.raises(ValueError, match="a"):
        space.validate({"a": 2.5, "x": 0.0})  # not a whole number: not an integer


def test_a_linear_real_knob_is_sampled_and_searched_within_its_range():
    space = DesignSpace([Parameter.real("x", -1.0, 3.0), Parameter.integer("n", 1, 4)])
    assert space.parameter("x").to_unit(1.0) == pytest.approx(0.5)
    assert space.from_unit([0.25, 0.0])["x"] == pytest.approx(0.0)
    xs = [d["x"] for d in space.sample(seed=5, n=400)]
    assert min(xs) >= -1.0 and max(xs) <= 3.0
    assert min(xs) < 0.0 < 2.0 < max(xs)  # uniform over the range, not squeezed to one end
    for name in ("random_walk", "ga"):
        asked = [archgym.make_agent(name, space, seed=9).ask(16) for _ in range(2)]
        assert asked[0] == asked[1]  # same seed, same designs
        assert all(-1.0 <= d["x"] <= 3.0 and 1 <= d["n"] <= 4 for d in asked[0])
    # The random walk's later steps move from the best design so far: still in range.
    walker = archgym.make_agent("random_walk", space, seed=9)
    for step in range(30):
        designs = walker.ask(4)
        assert all(-1.0 <= d["x"] <= 3.0 and 1 <= d["n"] <= 4 for d in designs)
        walker.tell(designs, [-abs(d["x"] - 2.5) for d in designs])


def test_python_built_space_with_constraint():
    space = DesignSpace([Parameter.integer("a", 1, 8), Parameter.categorical("b", ["x", "y"]),
                         Parameter.real("c", 0.1, 10.0, log_scale=True)])
    space.constrain("a even when b is y", lambda d: d["b"] == "x" or d["a"] % 2 == 0)
    assert space.names == ["a", "b", "c"] and not space.all_discrete
    assert space.check({"a": 3, "b": "y", "c": 1.0}).endswith("a even when b is y")
    assert space.check({"a": 4, "b": "y", "c": 1.0}) is None
    for d in space.sample(seed=3, n=50):
        assert d["b"] == "x" or d["a"] % 2 == 0
    assert space.parameter("c").to_unit(1.0) == pytest.approx(0.5)


def test_a_constraint_may_add_constraints_to_its_own_space_while_checked():
    # The list of constraints grew (reallocated) under the loop checking it: a use after
    # free that valgrind showed and that happened not to crash (found by a tester).
    space = DesignSpace([Parameter.integer("a", 0, 3)])
    added = []

    def adds_many(d):
        for i in range(64):  # enough to reallocate the list several times
            space.constrain(f"added {len(added)}-{i}", lambda e: e["a"] != 3)
        added.append(1)
        return True

    space.constrain("adds many", adds_many)
    space.constrain("a below 2", lambda d: d["a"] < 2)
    assert space.check({"a": 1}) is None
    assert space.check({"a": 2}).endswith("a below 2")
    assert space.check({"a": 3}).endswith("a below 2")  # the added ones come after it


def test_checking_python_constraints_without_the_gil_leaves_their_reference_counts_alone(python_program):
    # Checks copied each constraint, and with it the Python predicate, while an agent sampled
    # without the GIL: the reference count raced with the main thread's and the predicate
    # was freed while in use (a segfault on every run; found in review).
    done = python_program(
        "import sys, threading\n"
        "import archgym\n"
        "from archgym import DesignSpace, Parameter\n"
        "space = DesignSpace([Parameter.integer('a', 0, 1000), Parameter.integer('b', 0, 1000)])\n"
        "def holds(d):\n    return True\n"
        "space.constrain('c', holds)\n"
        "agent = archgym.make_agent('random_walk', space)\n"
        "before = sys.getrefcount(holds)\n"
        "t = threading.Thread(target=lambda: [agent.ask(512) for _ in range(3)])\n"
        "t.start()\n"
        "while t.is_alive():\n    x = holds; del x\n"
        "t.join()\n"
        "assert sys.getrefcount(holds) == before, (before, sys.getrefcount(holds))\n")
    assert done.returncode == 0, done.stderr


def test_parameter_errors():
    with pytest.raises(ValueError):
        Parameter.power_of_two("p", 3, 16)
    p = Parameter.ordered("o", [1, 2, 4])
    assert p.index_of(4) == 2 and p.value_at(1) == 2
    with pytest.raises((ValueError, IndexError)):
        p.value_at(3)

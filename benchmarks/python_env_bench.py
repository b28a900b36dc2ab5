"""DRAM env evaluations per second from Python, against the C++ benchmark in the same job.

Evaluates the same design mix as `dram_bench` (the default design plus the 15 that seed 1
samples) on ArchGym's four traces through the Python module, then runs `dram_bench` and
prints both rates and their ratio: what the bindings cost per evaluation.

    PYTHONPATH=build/python .venv/bin/python benchmarks/python_env_bench.py [SECONDS] [DRAM_BENCH]

SECONDS (default 2) per trace on each side; DRAM_BENCH defaults to build/benchmarks/dram_bench.
"""
import os
import subprocess
import sys
import time

import archgym

TRACES = ("stream", "random", "cloud-1", "cloud-2")


def python_rate(trace: str, seconds: float) -> float:
    env = archgym.make_env("dram", workload=trace)
    designs = [env.default_design] + env.space.sample(1, 15)  # dram_bench's mix
    n = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        evaluation = env.evaluate(designs[n % len(designs)])
        if not evaluation["valid"]:
            sys.exit(f"invalid design: {evaluation}")
        n += 1
    return n / (time.perf_counter() - start)


def cpp_rates(binary: str, seconds: float) -> dict[str, float]:
    out = subprocess.run([binary, str(seconds)], check=True, capture_output=True, text=True).stdout
    rates = {}
    for line in out.split("\n\n")[0].splitlines():  # the env table, before the 100k-request one
        fields = line.split()
        if fields[0] in TRACES:
            rates[fields[0]] = float(fields[1])
    return rates


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
    binary = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
        os.environ.get("BUILD_DIR", "build"), "benchmarks", "dram_bench")
    if not os.access(binary, os.X_OK):
        sys.exit(f"python_env_bench.py: no executable {binary} (build first, or pass its path)")
    python = {trace: python_rate(trace, seconds) for trace in TRACES}
    cpp = cpp_rates(binary, seconds)
    print(f"{'trace':<10} {'Python evals/s':>15} {'C++ evals/s':>12} {'Python / C++':>13}")
    for trace in TRACES:
        print(f"{trace:<10} {python[trace]:>15.1f} {cpp[trace]:>12.1f} {python[trace] / cpp[trace]:>13.2f}")


if __name__ == "__main__":
    main()

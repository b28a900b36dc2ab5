"""Peak memory of long CLI runs: does a run's memory grow with its evaluations?

    python benchmarks/run_memory.py [BUILD_DIR] [SMALL] [LARGE]

Trains a kNN proxy on 300 DRAM evaluations (so that evaluations cost microseconds and a
run can be long), then measures the peak resident memory (each process's own, from wait4)
of `archgym run` on the proxy env with SMALL and LARGE evaluations (default 20,000 and
100,000), of replaying the large run (`run --resume` of an ended run) and of exporting it.
Prints each peak and the growth per evaluation between the two runs: the store holds every
row, memory only the best design and one hash per distinct design.
"""
import os
import subprocess
import sys
import tempfile
from pathlib import Path


def peak_kb(command, cwd):
    """Runs `command`; returns its own peak resident memory in KiB (Linux ru_maxrss)."""
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}): {process.stderr.read().decode()}")
    return usage.ru_maxrss


def main():
    build = Path(sys.argv[1] if len(sys.argv) > 1 else "build").resolve()
    small = int(sys.argv[2]) if len(sys.argv) > 2 else 20_000
    large = int(sys.argv[3]) if len(sys.argv) > 3 else 100_000
    archgym = str(build / "archgym")
    os.environ.setdefault("ARCHGYM_DATA_DIR", str(Path(__file__).resolve().parent.parent / "data"))
    with tempfile.TemporaryDirectory() as directory:
        quiet = ["--no-progress"]
        subprocess.run([archgym, "run", "--env", "dram", "--agent", "random_walk", "--budget", "300",
                        "--store", "dram.db", *quiet], cwd=directory, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([archgym, "proxy", "train", "--store", "dram.db", "--model", "knn", "--out", "knn.json",
                        *quiet], cwd=directory, check=True, stdout=subprocess.DEVNULL)
        peaks = {}
        for budget in (small, large):
            peaks[budget] = peak_kb([archgym, "run", "--env", "proxy", "--set", "model=knn.json", "--agent",
                                     "random_walk", "--budget", str(budget), "--no-stop-on-target",
                                     "--store", f"proxy{budget}.db", *quiet], directory)
        replay = peak_kb([archgym, "run", "--resume", "1", "--store", f"proxy{large}.db", *quiet], directory)
        export = peak_kb([archgym, "export", "--store", f"proxy{large}.db", "--out", "rows.csv"], directory)
        print(f"archgym run, proxy env, random_walk, {small:>7} evaluations: {peaks[small] / 1024:7.1f} MiB peak")
        print(f"archgym run, proxy env, random_walk, {large:>7} evaluations: {peaks[large] / 1024:7.1f} MiB peak")
        growth = (peaks[large] - peaks[small]) * 1024 / (large - small)
        print(f"growth per evaluation:                                {growth:7.1f} bytes")
        print(f"replaying the {large}-evaluation run (run --resume):  {replay / 1024:7.1f} MiB peak")
        print(f"exporting it (export --out):                          {export / 1024:7.1f} MiB peak")


if __name__ == "__main__":
    main()

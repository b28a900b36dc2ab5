"""Cost of opening a large store: for writing (which first checks the whole file with
SQLite's quick_check) against read-only (no check), in the same process.

    PYTHONPATH=build/python python benchmarks/store_open_bench.py [ROWS] [DIR]

Builds a store in DIR (default: a temporary directory) with one real run of the dram env
and ROWS copies of its evaluation (default 600,000: about 361 MB), then times each kind of
open (best of 5, the file in the page cache) and prints the ratio.
"""
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import archgym


def best_of(n, open_store):
    times = []
    for _ in range(n):
        start = time.perf_counter()
        open_store()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 600_000
    with tempfile.TemporaryDirectory(dir=sys.argv[2] if len(sys.argv) > 2 else None) as directory:
        path = Path(directory) / "big.db"
        archgym.run("dram", "random_walk", budget=1, env_options={"generator": "random", "requests": 200},
                    store=path)
        with sqlite3.connect(path) as db:  # copies of the real row, as a long study would hold
            row = db.execute("SELECT design, metrics, reward, valid, invalid_reason, sim_seconds, recorded_at "
                             "FROM evaluations WHERE run_id = 1").fetchone()
            db.executemany("INSERT INTO evaluations VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)",
                           ((i, *row) for i in range(1, rows + 1)))
        megabytes = path.stat().st_size / 1e6
        write = best_of(5, lambda: archgym.Store(path))
        read = best_of(5, lambda: archgym.Store(path, read_only=True))
        print(f"store of {rows + 1} evaluations, {megabytes:.0f} MB (in the page cache)")
        print(f"open for writing (quick_check): {write:.3f} s")
        print(f"open read-only:                 {read:.4f} s")
        print(f"ratio:                          {write / read:.0f}x")


if __name__ == "__main__":
    main()

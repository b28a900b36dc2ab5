#!/usr/bin/env bash
# Builds and runs the speed benchmarks; prints rates and ratios to the reference.
#   dram_bench [seconds]: DRAM env evaluations/s and simulator requests/s
#   proxy_bench [designs] [workload]: proxy models vs the simulator they learned, the
#     random forest's fit time on all cores and on one, and the kNN fit time by
#     scaling_rows (--knn-scaling-rows; 5000 rows need 6250 designs)
# and, from Python, the cost of opening a large store for writing (store_open_bench.py)
# and the peak memory of long CLI runs, a replay and an export (run_memory.py).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --build "${BUILD_DIR:-build}" --target dram_bench proxy_bench archgym_python archgym -j2 >/dev/null
"${BUILD_DIR:-build}/benchmarks/dram_bench" "${1:-2.0}"
echo
"${BUILD_DIR:-build}/benchmarks/proxy_bench" "${2:-1000}" "${3:-stream}"
echo
PYTHONPATH="${BUILD_DIR:-build}/python" "${PYTHON:-.venv/bin/python}" benchmarks/store_open_bench.py
echo
"${PYTHON:-.venv/bin/python}" benchmarks/run_memory.py "${BUILD_DIR:-build}"

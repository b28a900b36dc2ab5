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
build=${BUILD_DIR:-build}
# The Python module is a target only where the build was configured for it (scripts/build.sh,
# -DARCHGYM_BUILD_PYTHON=ON); a C++-only build skips the Python benchmark, saying so.
python_target=$(cmake --build "$build" --target help 2>/dev/null | grep -cE '^(\.\.\. )?archgym_python(:| |$)' || true)
cmake --build "$build" --target dram_bench proxy_bench archgym $([ "$python_target" -gt 0 ] && echo archgym_python) -j2 >/dev/null
"$build/benchmarks/dram_bench" "${1:-2.0}"
echo
"$build/benchmarks/proxy_bench" "${2:-1000}" "${3:-stream}"
echo
if [ "$python_target" -gt 0 ]; then
  PYTHONPATH="$build/python" "${PYTHON:-.venv/bin/python}" benchmarks/store_open_bench.py
else
  echo "store_open_bench.py skipped: $build has no Python module (configure it with bash scripts/build.sh)"
fi
echo
"${PYTHON:-.venv/bin/python}" benchmarks/run_memory.py "$build"

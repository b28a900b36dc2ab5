#!/usr/bin/env bash
# Builds and runs the speed benchmarks; prints rates and ratios to the reference.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --build "${BUILD_DIR:-build}" --target dram_bench -j2 >/dev/null
"${BUILD_DIR:-build}/benchmarks/dram_bench" "${1:-2.0}"

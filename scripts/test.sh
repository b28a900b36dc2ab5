#!/usr/bin/env bash
# Sets up a fresh machine, builds everything and runs every test (C++ Catch2 and pytest, via CTest).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -j"${JOBS:-2}"

#!/usr/bin/env bash
# Configures and builds archgym (C++ library, CLI, tests and the Python module) into build/.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
PY="$PWD/.venv/bin/python"
# CMAKE_POLICY_VERSION_MINIMUM lets CMake 4 (pip's) read Debian's older package config files.
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DARCHGYM_BUILD_PYTHON=ON -DPython3_EXECUTABLE="$PY" \
  -Dpybind11_DIR="$("$PY" -m pybind11 --cmakedir)" \
  -DCMAKE_POLICY_VERSION_MINIMUM=3.5 "$@"
cmake --build "$BUILD_DIR" -j"${JOBS:-2}"

#!/usr/bin/env bash
# Sets up a fresh machine, builds archgym and runs the main job: a genetic-algorithm
# exploration of ArchGym's DRAM memory-controller space on the default workload,
# logged to archgym.db, printing progress and the best design found.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
exec "${BUILD_DIR:-build}/archgym" run --env dram --agent ga --budget 300 --seed 1 \
  --set workload=stream --store archgym.db "$@"

#!/usr/bin/env bash
# Instructions per request of the DRAM simulator on ArchGym's four traces (default design,
# DDR3-1600), counted by valgrind's callgrind: deterministic, so a change's effect is
# measurable where wall time on a shared machine is not. Counts simulate() without reading
# the .stl file, i.e. what an env evaluation (which holds its trace in memory) pays.
#   bash benchmarks/dram_instructions.sh [ARCHGYM_DRAM_BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-${BUILD_DIR:-build}/archgym-dram}
command -v valgrind >/dev/null || { echo "dram_instructions.sh: needs valgrind (apt-get install valgrind)" >&2; exit 1; }
[ -x "$binary" ] || { echo "dram_instructions.sh: no executable $binary (build first, or pass its path)" >&2; exit 1; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
printf "%-10s %14s %12s\n" trace instructions per-request
for workload in stream random cloud-1 cloud-2; do
  stats=$(valgrind --tool=callgrind --callgrind-out-file="$out" "$binary" --workload "$workload" --json 2>/dev/null)
  inclusive() { callgrind_annotate --inclusive=yes "$out" 2>/dev/null | grep -m1 "$1" | awk '{gsub(",", "", $1); print $1}'; }
  total=$(inclusive 'archgym::dram::simulate(')
  reading=$(inclusive 'archgym::dram::StlTraceReader::next(')
  requests=$(printf '%s\n' "$stats" | awk -F'[:,]' '/^  "requests"/ { print $2 + 0 }')
  awk -v w="$workload" -v t="$total" -v r="$reading" -v n="$requests" \
    'BEGIN { printf "%-10s %14d %12.0f\n", w, t - r, (t - r) / n }'
done

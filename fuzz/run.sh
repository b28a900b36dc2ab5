#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (+ AddressSanitizer, UBSan) in a separate
# build directory and runs each for a fixed time, one after another.
#   fuzz/run.sh [SECONDS] [TARGET...]    (default: 600 s each, all three targets)
# Environment: FUZZ_BUILD_DIR (default <repo>/build-fuzz), CC/CXX (default clang/clang++).
# The seed corpora in fuzz/corpus/<target> are copied to a scratch corpus in the build
# directory, so the repo keeps only the small seeds. Crash/hang inputs are written to
# $FUZZ_BUILD_DIR/artifacts/<target>/ and the script exits non-zero.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-600}"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(fuzz_stl_trace fuzz_memspec fuzz_address_mapping)
build="${FUZZ_BUILD_DIR:-$repo/build-fuzz}"
mkdir -p "$build"
cxx="${CXX:-$(command -v clang++ || command -v clang++-14)}"
cc="${CC:-$(command -v clang || command -v clang-14)}"

# Instrument everything for coverage and sanitizers; the fuzz targets add the driver.
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g"
cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_FLAGS="$flags" \
  -DARCHGYM_BUILD_FUZZERS=ON -DARCHGYM_BUILD_TESTS=OFF -DARCHGYM_BUILD_CLI=OFF \
  -DARCHGYM_BUILD_BENCHMARKS=OFF -DARCHGYM_BUILD_PYTHON=OFF >"$build/configure.log" 2>&1 ||
  { cat "$build/configure.log"; exit 1; }
cmake --build "$build" -j2 --target "${targets[@]}"

max_len_for() {
  case "$1" in
    fuzz_stl_trace) echo 4096 ;;        # a few dozen trace lines
    fuzz_memspec) echo 8192 ;;          # shipped memspecs are ~1.7 KB
    fuzz_address_mapping) echo 4096 ;;  # shipped maps are ~0.7 KB
  esac
}
dict_for() {
  case "$1" in
    fuzz_stl_trace) echo "$repo/fuzz/stl_trace.dict" ;;
    fuzz_memspec) echo "$repo/fuzz/memspec.dict" ;;
    fuzz_address_mapping) echo "$repo/fuzz/address_mapping.dict" ;;
  esac
}

status=0
for t in "${targets[@]}"; do
  corpus="$build/corpus/$t"
  artifacts="$build/artifacts/$t/"
  mkdir -p "$corpus" "$artifacts"
  cp -n "$repo/fuzz/corpus/$t/"* "$corpus/" 2>/dev/null || true
  log="$build/$t.log"
  echo "== $t: ${seconds}s, log $log"
  set +e
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  nice -n 10 "$build/fuzz/$t" "$corpus" -dict="$(dict_for "$t")" -max_len="$(max_len_for "$t")" \
    -timeout=5 -rss_limit_mb=2048 -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="$artifacts" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  cov=$(echo "$last" | grep -o 'cov: [0-9]*' || true)
  ft=$(echo "$last" | grep -o 'ft: [0-9]*' || true)
  units=$(echo "$last" | grep -o 'corp: [0-9]*/[0-9a-zA-Z]*' || true)
  if [ $rc -eq 0 ]; then
    echo "   OK: $execs executions, $cov, $ft, $units, no crash/hang/leak"
  else
    echo "   FAILED (exit $rc): see $log and $artifacts"
    grep -E 'ERROR|PROPERTY|runtime error|SUMMARY' "$log" | head -5 || true
    status=1
  fi
done
exit $status

#!/usr/bin/env bash
# Set up, build and run every test: unit and lab (namespace) tests on the
# normal build, then the unit and nslab tests again under ASan/UBSan, then
# every fuzz target over its corpus and a short time budget (clang,
# libFuzzer; LGR_FUZZ_SECONDS each, 10 by default).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

bash scripts/setup.sh
bash scripts/build.sh
(cd build && ctest --output-on-failure --timeout 900)

bash scripts/build.sh --asan
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build-asan && ctest --output-on-failure --timeout 900 -L unit &&
    ctest --output-on-failure --timeout 900 -R '^nslab_')

bash scripts/build.sh --fuzz
(cd build-fuzz && ctest --output-on-failure --timeout 900 -L fuzz)

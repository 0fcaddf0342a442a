#!/usr/bin/env bash
# Configure and build.  usage: build.sh [--asan]
#   default: build/       warnings are errors
#   --asan:  build-asan/  AddressSanitizer + UndefinedBehaviorSanitizer
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir=build
flags=(-DLGR_WERROR=ON)
if [ "${1:-}" = "--asan" ]; then
	dir=build-asan
	flags+=(-DLGR_SANITIZE=ON)
fi
cmake -S "$top" -B "$top/$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${flags[@]}" >/dev/null
cmake --build "$top/$dir" -j "$(nproc)"

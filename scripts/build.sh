#!/usr/bin/env bash
# Configure and build.  usage: build.sh [--asan | --fuzz]
#   default: build/       warnings are errors
#   --asan:  build-asan/  AddressSanitizer + UndefinedBehaviorSanitizer
#   --fuzz:  build-fuzz/  clang, the libFuzzer targets only (ASan + UBSan)
# The sanitizer and fuzz builds borrow build/'s prepared FRR source tree
# (routing/frr-tree.sh) when there is one instead of preparing their own.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir=build
flags=(-DLGR_WERROR=ON)
target=()
case "${1:-}" in
--asan)
	dir=build-asan
	flags+=(-DLGR_SANITIZE=ON)
	;;
--fuzz)
	dir=build-fuzz
	flags=(-DLGR_FUZZ=ON -DCMAKE_C_COMPILER=clang)
	target=(--target fuzz_all)
	;;
esac
if [ "$dir" != build ] && [ -e "$top/build/routing/frr-tree/frr.stamp" ]; then
	flags+=(-DLGR_FRR_TREE="$top/build/routing/frr-tree/frr")
fi
cmake -S "$top" -B "$top/$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${flags[@]}" >/dev/null
cmake --build "$top/$dir" -j "$(nproc)" "${target[@]}"

#!/usr/bin/env bash
# Configure and build.  usage: build.sh [--asan | --fuzz]
#   default: build/       warnings are errors
#   --asan:  build-asan/  AddressSanitizer + UndefinedBehaviorSanitizer
#   --fuzz:  build-fuzz/  clang, the libFuzzer targets only (ASan + UBSan);
#                         it borrows build/'s FRR tree when there is one
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
	if [ -e "$top/build/routing/frr-tree/frr.stamp" ]; then
		flags+=(-DLGR_FRR_TREE="$top/build/routing/frr-tree/frr")
	fi
	target=(--target fuzz_all)
	;;
esac
cmake -S "$top" -B "$top/$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${flags[@]}" >/dev/null
cmake --build "$top/$dir" -j "$(nproc)" "${target[@]}"

#!/usr/bin/env bash
# fuzz.sh [RUNS | SECONDSs] [OUT]: run every libFuzzer target of the tree
# (the ctest label "fuzz" of build-fuzz/, built here with
# scripts/build.sh --fuzz) for RUNS executions each (default 1000000) or
# for SECONDS each ("300s"), over its seed corpus.  Prints a table
# (target, executions, exec/s, coverage, features, corpus, crashes) and
# writes JSON to OUT (bench/results/fuzz.json).  A crash's input is kept
# under bench/results/fuzz/TARGET/; fix it and add the input to the
# target's corpus as a regression case.  LGR_FUZZ_ONLY=REGEX runs only
# the targets whose name matches (ctest -R), e.g. the slow ones with a
# time budget.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
budget=${1:-1000000}
out=${2:-$top/bench/results/fuzz.json}
work=$top/bench/results/fuzz

case "$budget" in
*s) limit=(-max_total_time="${budget%s}" -runs=-1) ;;
*) limit=(-runs="$budget") ;;
esac

bash "$top/scripts/build.sh" --fuzz >/dev/null
mkdir -p "$work" "$(dirname "$out")"

# Each target's command as ctest has it: the binary and its corpus dirs.
mapfile -t cmds < <(cd "$top/build-fuzz" &&
	ctest -L fuzz ${LGR_FUZZ_ONLY:+-R "$LGR_FUZZ_ONLY"} -N -V |
	sed -n 's/^[0-9]*: Test command: //p' | tr -d '"')

printf '%-22s %12s %10s %8s %8s %8s %8s\n' target executions exec/s \
	cov ft corpus crashes
rows=()
for cmd in "${cmds[@]}"; do
	read -r -a words <<<"$cmd"
	bin=${words[0]}
	name=$(basename "$bin")
	dirs=()
	for w in "${words[@]:1}"; do
		[ -d "$w" ] && dirs+=("$w")
	done
	mkdir -p "$work/$name"
	log=$work/$name.log
	rc=0
	(cd "$work/$name" && "$bin" "${limit[@]}" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 "${dirs[@]}") \
		>"$log" 2>&1 || rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
	ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
	corp=$(grep -o 'corp: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
	crashes=$(find "$work/$name" -maxdepth 1 \( -name 'crash-*' -o \
		-name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
	[ "$rc" -eq 0 ] || [ "$crashes" -gt 0 ] || crashes=1
	printf '%-22s %12s %10s %8s %8s %8s %8s\n' "$name" "${execs:-?}" \
		"${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$crashes"
	rows+=("{\"target\":\"$name\",\"executions\":${execs:-0},\"exec_per_s\":${rate:-0},\"coverage\":${cov:-0},\"features\":${ft:-0},\"corpus\":${corp:-0},\"crashes\":$crashes}")
done
{
	printf '{"budget":"%s","date":"%s","targets":[' "$budget" "$(date -u +%FT%TZ)"
	(IFS=,; printf '%s' "${rows[*]}")
	printf ']}\n'
} >"$out"
echo "JSON: $out"

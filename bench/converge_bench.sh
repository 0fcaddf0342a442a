#!/bin/bash
# converge_bench.sh [RUNS] [OUT] [TOPOLOGY]: HSI up -> every peer's kernel
# on the preferred (HiperSockets) path, for every HSI guest of the
# reference evacuation (lgrctl evacuate LIT --to VM2, then back to VM9).
# The up is the kernel's link event in the mover's namespace, the end the
# last kernel route change, in the mover and in every guest on that LAN,
# that puts a VIPA pair on the HSI interface (ip -ts monitor in each
# guest; the plugins' events are kept beside them for a timeline).
# PAR=N evacuates with --parallel N (1 by default; 4 moves the three HSI
# guests as one wave onto an empty LAN).
# Prints a table (median, p95, max per run and overall), writes JSON to
# OUT (bench/results/converge_bench.json).  Root; run after the build.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
B=${BUILD:-$top/build}
RUNS=${1:-3}
OUT=${2:-$top/bench/results/converge_bench.json}
TOPO=${3:-$top/netns-lab/topologies/reference.yaml}
SETTLE_S=${SETTLE_S:-3}
PAR=${PAR:-1}
L=cb$$
TMP=$(mktemp -d /tmp/convbench.XXXXXX)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	"$B/netns-lab/nslab" down "$L" >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
[ "$(id -u)" -eq 0 ] || { echo "converge_bench: needs root" >&2; exit 1; }
mkdir -p "$(dirname "$OUT")"
: >"$TMP/all.json"
for ((run = 1; run <= RUNS; run++)); do
	echo "== run $run: up" >&2
	"$B/netns-lab/nslab" up -q --timeout 600 --name "$L" "$TOPO" >/dev/null || exit 1
	PIDS=()
	for g in LITDCON1 LITSWAS1 LITDAT01; do
		ip netns exec "$L.$g" ip -ts -o monitor link route >"$TMP/ip.$g.txt" 2>&1 &
		PIDS+=($!)
		"$B/routing/drainctl" --lab "$L" --router "$g" -j events -f \
		    >"$TMP/ev.$g.jsonl" 2>/dev/null &
		PIDS+=($!)
	done
	sleep 1
	for to in VM2 VM9; do
		echo "== run $run: evacuate LIT --to $to" >&2
		"$B/orchestrator/lgrctl" -l "$L" -q evacuate LIT --to "$to" \
		    --parallel "$PAR" >/dev/null 2>&1 ||
		    echo "converge_bench: evacuation to $to failed" >&2
		sleep "$SETTLE_S"
	done
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	PIDS=()
	python3 "$top/bench/converge_kernel.py" "$TMP" |
	    jq -c --argjson run "$run" '.[] | . + { run: $run }' >>"$TMP/all.json"
	"$B/netns-lab/nslab" down "$L" >/dev/null 2>&1
done
jq -s --arg topo "$(basename "$TOPO")" --argjson par "$PAR" '
    def pct(p): sort | if length == 0 then null else .[((length - 1) * p) | ceil] end;
    map(select(.pairs > 0)) as $j |
    { benchmark: "converge", topology: $topo, parallel: $par,
      runs: (map(.run) | max),
      target_p95_ms: 300,
      joins: ($j | length), median_ms: ($j | map(.ms) | pct(0.5)),
      p95_ms: ($j | map(.ms) | pct(0.95)), max_ms: ($j | map(.ms) | max),
      samples: . }' "$TMP/all.json" >"$OUT"
printf '\n%-4s %-9s %-5s %6s %10s\n' RUN GUEST IF PAIRS UP-TO-PATH-MS
jq -r '.samples[] | [.run, .guest, .if, .pairs, .ms] | @tsv' "$OUT" |
    while IFS=$'\t' read -r r g i p m; do printf '%-4s %-9s %-5s %6s %10.1f\n' "$r" "$g" "$i" "$p" "$m"; done
jq -r '"\njoins \(.joins): median \(.median_ms) ms, p95 \(.p95_ms) ms, max \(.max_ms) ms (target p95 <= \(.target_p95_ms) ms)"' "$OUT"
echo "JSON: $OUT"

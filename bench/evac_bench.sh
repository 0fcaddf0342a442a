#!/bin/bash
# evac_bench.sh [RUNS] [OUT]: workload evacuation through lgrd.
#
#  1. Evacuation wall time (lgrctl evacuate, start to report) for the
#     reference lab (LIT, 4 guests) and generated labs of 20 and 50
#     guests (half with HiperSockets, guests of 64 MiB so that a whole
#     lab fits one member), at --parallel 1 and 4; RUNS evacuations per
#     point, alternately to the other member and back.  Per guest: the
#     orchestration overhead, the move's total time minus the
#     hypervisor's relocation (from lgrd's request to the end it sees),
#     the agent's prepare and complete, the wait for routing convergence
#     and routecheck (reported apart).
#  2. Probe loss in the reference lab, probes between every pair of
#     VIPAs every 10 ms from before the first move until the last one is
#     done (plus SETTLE_S seconds), and TCP streams from ECMSS00 to the
#     four LIT VIPAs (resets, longest stall): our pipeline (lgrctl evacuate LIT),
#     the agents in --mode naive (down, move, up after a fixed wait; no
#     drain) under the same lgrctl, and a hypervisor-only move
#     (nslab up --no-agents, hvctl relocate of each LIT guest).
#
# Medians over the runs, and the 95th percentile of the downtime per
# move and of the TCP streams' longest stall per run.  Prints a table, writes JSON to OUT
# (bench/results/evac_bench.json).  Root; run after scripts/build.sh.
# SIZES= (default "20 50"), PARALLEL= (default "1 4") choose the grid;
# REFERENCE=0 leaves the reference lab's wall time out, LOSS=0 the probe
# loss part (e.g. SIZES=50 PARALLEL=4 REFERENCE=0 LOSS=0: gen-50 at
# --parallel 4 only), LOSS=lgrd keeps only our pipeline's row (not the
# naive agents' nor the hypervisor-only one); NAIVE_WAIT_MS= the naive agents' fixed wait
# (default 2000); BUILD= the build tree (default build/); WAVE= passes
# --wave (guests per wave; lgrd's default: 16, or 1 at --parallel 1).
# Every lab it brings up is its own: run it under the lab lock.
set -u
case ${1:-} in
-h|--help)
	sed -n '2,/^set -u/p' "$0" | sed -e '/^set -u/d' -e 's/^# \{0,1\}//'
	exit 0 ;;
esac
top=$(cd "$(dirname "$0")/.." && pwd)
B=${BUILD:-$top/build}
RUNS=${1:-3}
OUT=${2:-$top/bench/results/evac_bench.json}
SIZES=${SIZES-20 50}
PARALLEL=${PARALLEL:-1 4}
SETTLE_S=${SETTLE_S:-3}
REFERENCE=${REFERENCE:-1}
LOSS=${LOSS:-1}
NAIVE_WAIT_MS=${NAIVE_WAIT_MS:-2000}
nslab=$B/netns-lab/nslab
lgrctl=$B/orchestrator/lgrctl
lgrprobe=$B/orchestrator/lgrprobe
hvctl=$B/hypervisor/hvctl
TMP=$(mktemp -d /tmp/evacbench.XXXXXX)
LABS=()
PROBE=

cleanup() {
	local l
	[ -n "$PROBE" ] && kill "$PROBE" 2>/dev/null
	for l in "${LABS[@]}"; do "$nslab" down "$l" >/dev/null 2>&1; done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" -eq 0 ] || { echo "evac_bench: needs root" >&2; exit 1; }
for p in "$nslab" "$lgrctl" "$lgrprobe" "$hvctl" "$B/guestagent/guestagentd"; do
	[ -x "$p" ] || { echo "evac_bench: $p not built" >&2; exit 1; }
done
mkdir -p "$(dirname "$OUT")"
: >"$TMP/samples.json"

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "null" }'; }

lab_up() {	# NAME FILE [nslab options]
	local name=$1 file=$2
	shift 2
	LABS+=("$name")
	"$nslab" up -q --timeout 600 --name "$name" "$@" "$file" >/dev/null
}

lab_down() {
	"$nslab" down "$1" >/dev/null 2>&1
}

where_count() {	# LAB MEMBER: guests on it
	"$hvctl" -l "$1" -j guests | jq --arg m "$2" '[.[] | select(.member == $m)] | length'
}

# One evacuation; appends a sample to samples.json.
evac_once() {	# LAB KIND GROUP TO PARALLEL RUN
	local lab=$1 kind=$2 grp=$3 to=$4 par=$5 run=$6 t0 t1 rc
	t0=$(date +%s.%N)
	"$lgrctl" -l "$lab" -q -j evacuate "$grp" --to "$to" --parallel "$par" \
	    ${WAVE:+--wave "$WAVE"} >"$TMP/rep.json" 2>"$TMP/rep.err"
	rc=$?
	t1=$(date +%s.%N)
	jq -c --arg kind "$kind" --argjson par "$par" --argjson run "$run" \
	    --argjson rc "$rc" --argjson wall "$(echo "$t1 - $t0" | bc)" '
	    .[0] as $r | ($r.moves | map(select(.result == "moved"))) as $m |
	    { lab: $kind, parallel: $par, run: $run, exit: $rc, wall_s: $wall,
	      effective_parallel: $r.job.parallel,
	      waves: ($r.moves | map(.wave // 0) | max),
	      guests: ($r.moves | length), moved: ($m | length),
	      overhead_ms: ($m | map(.total_ms - (.reloc_wall_ms // .reloc_ms) - (.prepare_ms // 0) -
	        (.complete_ms // 0) - (.converge_ms // 0) - (.verify_ms // 0))),
	      verify_ms: ($m | map(.verify_ms // 0)),
	      reloc_ms: ($m | map(.reloc_ms)), converge_ms: ($m | map(.converge_ms // 0)),
	      downtime_ms: ($m | map(.downtime_ms // 0)) }' "$TMP/rep.json" \
	    >>"$TMP/samples.json" 2>/dev/null ||
	    echo "evac_bench: $kind parallel $par run $run: no report ($(head -c 200 "$TMP/rep.err"))" >&2
}

# A lab, evacuated RUNS times per parallel setting, back and forth.
bench_lab() {	# KIND FILE GROUP A B
	local kind=$1 file=$2 grp=$3 a=$4 b=$5 lab=eb$$ par run to
	echo "== $kind: up" >&2
	lab_up "$lab" "$file" || { echo "evac_bench: $kind did not come up" >&2; return; }
	# Start with every guest of the group on A.
	"$lgrctl" -l "$lab" -q evacuate "$grp" --to "$a" --parallel 4 >/dev/null 2>&1
	to=$b
	for par in $PARALLEL; do
		for ((run = 1; run <= RUNS; run++)); do
			echo "== $kind: parallel $par run $run -> $to" >&2
			evac_once "$lab" "$kind" "$grp" "$to" "$par" "$run"
			[ "$to" = "$b" ] && to=$a || to=$b
		done
	done
	lab_down "$lab"
}

gen_topo() {	# N FILE
	"$nslab" gen --members 2 --guests "$1" --hsi-fraction 0.5 --name gen$1 -o "$2.raw"
	sed -e 's/^\(    memory:\) 256M/\1 64M/' "$2.raw" >"$2"
}

# --- probe loss ----------------------------------------------------------
probe_start() {	# LAB
	rm -f "$TMP/stop" "$TMP/ready" "$TMP/probe.json"
	"$lgrprobe" --lab "$1" --all-vipas -q --stop-file "$TMP/stop" \
	    --tcp LITSHA22,LITDCON1,LITSWAS1,LITDAT01 --tcp-from ECMSS00 \
	    --ready-file "$TMP/ready" -o "$TMP/probe.json" &
	PROBE=$!
	for _ in $(seq 100); do [ -e "$TMP/ready" ] && break; sleep 0.1; done
}

probe_stop() {	# MODE RUN: appends a loss sample
	sleep "$SETTLE_S"
	touch "$TMP/stop"
	wait "$PROBE"
	PROBE=
	jq -c --arg mode "$1" --argjson run "$2" '{ mode: $mode, run: $run,
	    sent: .total.sent, lost: .total.lost,
	    longest_gap_ms: .total.longest_gap_ms,
	    pairs_with_loss: ([.pairs[] | select(.lost > 0)] | length),
	    tcp_resets: (.tcp_total.resets // null),
	    tcp_longest_stall_ms: (.tcp_total.longest_stall_ms // null) }' \
	    "$TMP/probe.json" >>"$TMP/loss.json"
}

loss_lgrctl() {	# MODE [nslab options]: our pipeline or naive agents
	local mode=$1 lab=el$$ run
	shift
	for ((run = 1; run <= RUNS; run++)); do
		echo "== loss $mode run $run" >&2
		lab_up "$lab" "$top/netns-lab/topologies/reference.yaml" "$@" || continue
		probe_start "$lab"
		"$lgrctl" -l "$lab" -q evacuate LIT --to VM2 >/dev/null 2>&1
		probe_stop "$mode" "$run"
		lab_down "$lab"
	done
}

loss_hv_only() {
	local lab=eh$$ run g
	for ((run = 1; run <= RUNS; run++)); do
		echo "== loss hypervisor-only run $run" >&2
		lab_up "$lab" "$top/netns-lab/topologies/reference.yaml" --no-agents || continue
		probe_start "$lab"
		for g in LITSHA22 LITDCON1 LITSWAS1 LITDAT01; do
			"$hvctl" -l "$lab" -t 60000 relocate "$g" VM2 >/dev/null 2>&1
		done
		probe_stop hypervisor-only "$run"
		lab_down "$lab"
	done
}

# --- run ------------------------------------------------------------------
: >"$TMP/loss.json"
[ "$REFERENCE" = 0 ] ||
    bench_lab reference "$top/netns-lab/topologies/reference.yaml" LIT VM9 VM2
for n in $SIZES; do
	gen_topo "$n" "$TMP/gen$n.yaml"
	bench_lab "gen-$n" "$TMP/gen$n.yaml" GRP1 VM1 VM2
done
if [ "$LOSS" != 0 ]; then
	loss_lgrctl lgrd
fi
if [ "$LOSS" = 1 ]; then
	printf '#!/bin/sh\nexec %s -m naive -w %s "$@"\n' \
	    "$B/guestagent/guestagentd" "$NAIVE_WAIT_MS" >"$TMP/naive-agent"
	chmod +x "$TMP/naive-agent"
	NSLAB_AGENT=$TMP/naive-agent loss_lgrctl agent-naive
	loss_hv_only
fi

# --- summary ----------------------------------------------------------------
jq -s '
    def med: sort | if length == 0 then null else .[(length - 1) / 2 | floor] end;
    def p95: sort | if length == 0 then null else .[(length * 0.95 | ceil) - 1] end;
    group_by([.lab, .parallel]) | map({ lab: .[0].lab, parallel: .[0].parallel,
      effective_parallel: .[0].effective_parallel, runs: length,
      waves: (map(.waves) | med),
      guests: (map(.guests) | med), moved: (map(.moved) | med),
      wall_s: (map(.wall_s) | med),
      wall_per_guest_ms: (map(.wall_s * 1000 / (if .guests > 0 then .guests else 1 end)) | med),
      overhead_ms: (map(.overhead_ms[]) | med),
      verify_ms: (map(.verify_ms[]) | med),
      reloc_ms: (map(.reloc_ms[]) | med),
      converge_ms: (map(.converge_ms[]) | med),
      downtime_ms: (map(.downtime_ms[]) | med),
      downtime_p95_ms: (map(.downtime_ms[]) | p95),
      downtime_max_ms: (map(.downtime_ms[]) | max) })' "$TMP/samples.json" >"$TMP/evac.json"
jq -s 'group_by(.mode) | map({ mode: .[0].mode, runs: length,
      sent: (map(.sent) | sort | .[(length - 1) / 2 | floor]),
      lost: (map(.lost) | sort | .[(length - 1) / 2 | floor]),
      longest_gap_ms: (map(.longest_gap_ms) | sort | .[(length - 1) / 2 | floor]),
      pairs_with_loss: (map(.pairs_with_loss) | sort | .[(length - 1) / 2 | floor]),
      tcp_resets: (map(.tcp_resets) | sort | .[(length - 1) / 2 | floor]),
      tcp_longest_stall_ms: (map(.tcp_longest_stall_ms) | sort | .[(length - 1) / 2 | floor]),
      tcp_stall_p95_ms: (map(.tcp_longest_stall_ms) | sort | .[(length * 0.95 | ceil) - 1]) })' \
    "$TMP/loss.json" >"$TMP/loss-sum.json"
jq -n --slurpfile e "$TMP/evac.json" --slurpfile l "$TMP/loss-sum.json" \
    --slurpfile s "$TMP/samples.json" --slurpfile ls "$TMP/loss.json" \
    --argjson runs "$RUNS" '{ benchmark: "evac", runs: $runs,
      targets: { overhead_ms_per_guest: 100, lost_probes_ours: 0 },
      evacuation: $e[0], probe_loss: $l[0], samples: $s, loss_samples: $ls }' >"$OUT"

printf '\n%-10s %4s %4s %6s %5s %8s %10s %11s %9s %9s %10s %11s %8s\n' LAB PAR EFF GUESTS WAVES WALL-S MS/GUEST OVERHEAD-MS VERIFY-MS RELOC-MS CONVERGE-MS DOWNTIME-MS DT-P95
jq -r '.evacuation[] | [.lab, .parallel, .effective_parallel, .guests, .waves, .wall_s, .wall_per_guest_ms, .overhead_ms, .verify_ms, .reloc_ms, .converge_ms, .downtime_ms, .downtime_p95_ms] | @tsv' "$OUT" |
    while IFS=$'\t' read -r l p e g n w pg o v r c d d95; do
	printf '%-10s %4s %4s %6s %5s %8.1f %10.0f %11.1f %9.1f %9.1f %10.1f %11.1f %8.1f\n' "$l" "$p" "$e" "$g" "$n" "$w" "$pg" "$o" "$v" "$r" "$c" "$d" "$d95"
    done
printf '\n%-16s %4s %8s %6s %14s %15s %10s %13s %10s\n' MODE RUNS SENT LOST LONGEST-GAP-MS PAIRS-WITH-LOSS TCP-RESETS TCP-STALL-MS STALL-P95
jq -r '.probe_loss[] | [.mode, .runs, .sent, .lost, .longest_gap_ms, .pairs_with_loss, .tcp_resets, .tcp_longest_stall_ms, .tcp_stall_p95_ms] | @tsv' "$OUT" |
    while IFS=$'\t' read -r m n s l g p r t t95; do
	printf '%-16s %4s %8s %6s %14.1f %15s %10s %13s %10s\n' "$m" "$n" "$s" "$l" "$g" "$p" "$r" "$t" "$t95"
    done
echo "JSON: $OUT"

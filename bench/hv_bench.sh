#!/bin/bash
# hv_bench.sh [RUNS] [OUT]: live relocation between two real hvd members:
# quiesce and total time for 64 MiB, 256 MiB and 1 GiB guests (memory all
# non-zero) at 0, 8 and 64 MiB/s dirty rates, medians over RUNS moves
# (default 5), and pre-copy throughput against a plain memcpy of the same
# size; and, at dirty rate 0, the stun of a rolled-back relocation
# (ROLLBACK-MS: --max-quiesce 0 fails each quiesce after its last pages;
# hvd's quiesce_ms is then the time from freeze to thaw, rollback
# included; median and 95th percentile).  Prints a table, writes JSON
# to OUT (bench/results/hv_bench.json).
# Needs root (the guest's freezer cgroup); run after scripts/build.sh
# (optimised: an unoptimised build moves pages at less than half speed).
# SIZES= and RATES= choose the grid, BUILD= the build directory.  The
# machine may be shared: each row records the load average (LOAD).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
B=${BUILD:-$top/build}
RUNS=${1:-5}
OUT=${2:-$top/bench/results/hv_bench.json}
SIZES=${SIZES:-64 256 1024}
RATES=${RATES:-0 8 64}
LAB=hvb$$
TMP=$(mktemp -d /tmp/hvbench.XXXXXX)
export NSLAB_RUNDIR=$TMP
LABDIR=$TMP/$LAB
CG=/sys/fs/cgroup/freezer/nslab/$LAB/ECMSS00
PIDS=""

cleanup() {
	local p
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	sleep 0.3
	if [ -d "$CG" ]; then
		rmdir "$CG" "$(dirname "$CG")" 2>/dev/null
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT

hv() { "$B/hypervisor/hvctl" -D "$LABDIR" -m VM9 -t 10000 "$@"; }

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
p95() { sort -g | awk '{ v[NR] = $1 } END { i = int(NR * 0.95); if (i < NR * 0.95) i++; print v[i] }'; }

# One guest of $1 MiB on two members with room for it.
topology() {
	awk -v lab="$LAB" -v mem="$1" '
	    /^lab:/ { print "lab: " lab; next }
	    /^    memory: 160M/ { print "    memory: 4G"; next }
	    /^  - name: LITSHA22/ { exit }
	    /^    memory: 32M/ { print "    memory: " mem "M"; next }
	    { print }' "$top/hypervisor/testdata/hvt.yaml" > "$TMP/topo.yaml"
}

start_members() {
	local m i
	rm -f "$LABDIR/cluster.db"*
	for m in VM9 VM2; do
		"$B/hypervisor/hvd" -d -f "$TMP/topo.yaml" -m $m -D "$LABDIR" \
		    -F 100 >> "$TMP/hvd-$m.log" 2>&1 &
		PIDS="$PIDS $!"
	done
	for i in $(seq 100); do
		[ "$(hv -j members 2>/dev/null | jq '[.[] |
		    select(.state == "JOINED")] | length')" = 2 ] && return 0
		sleep 0.1
	done
	echo "hvd did not start"; cat "$TMP"/hvd-*.log
	exit 1
}

stop_members() {
	local p
	for p in $PIDS; do
		[ "$p" = "$GUESTPID" ] || { kill "$p"; wait "$p"; } 2>/dev/null
	done
	PIDS="$GUESTPID"
}

# With nothing dirtied the pre-copy leaves no page and fits any
# --max-quiesce; --max-quiesce 0 then fails the quiesce after the stun.
# Prints the median time stunned of RUNS such rollbacks.
rollbacks() {
	local before to i
	before=$(hv -j history ECMSS00 | jq length)
	to=$([ "$(hv -j where ECMSS00 | jq -r '.[0].member')" = VM9 ] &&
	    echo VM2 || echo VM9)
	for i in $(seq "$RUNS"); do
		hv relocate ECMSS00 "$to" --max-quiesce 0 >/dev/null 2>&1
	done
	hv -j history ECMSS00 | jq ".[$before:] | map(select(.end_code ==
	    \"MAXQUIESCE\" and .quiesce_ms > 0)) | .[].quiesce_ms" >"$TMP/rb"
	echo "$(median <"$TMP/rb") $(p95 <"$TMP/rb")"
}

mkdir -p "$LABDIR" "$(dirname "$OUT")"
"$B/hypervisor/hvd" -K "$LABDIR" || exit 1
mkdir -p "$CG" || exit 1
sleep 100000 &
GUESTPID=$!
PIDS=$GUESTPID
echo "$GUESTPID" > "$CG/cgroup.procs"

rows=""
printf "%-8s %-10s %-12s %-12s %-14s %-14s %-6s %-12s %s\n" SIZE-MIB \
    DIRTY-MIB/S QUIESCE-MS TOTAL-MS PRECOPY-MIB/S MEMCPY-MIB/S RATIO \
    ROLLBACK-MS/P95 LOAD
for size in $SIZES; do
	topology "$size"
	start_members
	memcpy=$("$B/bench/hv_memcpy" "$size" "$RUNS")
	for rate in $RATES; do
		wss=$((size < 64 ? size : 64))
		hv workload ECMSS00 --rate "$rate" --wss "$wss" >/dev/null
		sleep 0.5
		before=$(hv -j history ECMSS00 | jq length)
		for i in $(seq "$RUNS"); do
			to=$([ "$(hv -j where ECMSS00 | jq -r '.[0].member')" \
			    = VM9 ] && echo VM2 || echo VM9)
			hv relocate ECMSS00 $to > /dev/null ||
			    echo "relocation $size/$rate failed" >&2
		done
		h=$(hv -j history ECMSS00 | jq ".[$before:] |
		    map(select(.end_code == \"OK\"))")
		rb= rb95=
		[ "$rate" = 0 ] && read -r rb rb95 <<<"$(rollbacks)"
		[ -n "$rb" ] && rb=$(printf %.2f "$rb")
		[ -n "$rb95" ] && rb95=$(printf %.2f "$rb95")
		q=$(echo "$h" | jq '.[].quiesce_ms' | median)
		t=$(echo "$h" | jq '.[].total_ms' | median)
		tp=$(echo "$h" | jq '.[] | .mib / (.total_ms / 1000)' | median)
		load=$(cut -d' ' -f1 /proc/loadavg)
		printf "%-8s %-10s %-12.2f %-12.1f %-14.0f %-14s %-6.2f %-12s %s\n" \
		    "$size" "$rate" "$q" "$t" "$tp" "$memcpy" \
		    "$(echo "$tp $memcpy" | awk '{ print $1 / $2 }')" "${rb:--}/${rb95:--}" \
		    "$load"
		rows="$rows{\"size_mib\":$size,\"dirty_mib_s\":$rate,"
		rows="$rows\"runs\":$(echo "$h" | jq length),"
		rows="$rows\"quiesce_ms_median\":$q,\"total_ms_median\":$t,"
		rows="$rows\"precopy_mib_s_median\":$tp,"
		rows="$rows\"memcpy_mib_s_median\":$memcpy,"
		rows="$rows\"rollback_stun_ms_median\":${rb:-null},"
		rows="$rows\"rollback_stun_ms_p95\":${rb95:-null},\"load1\":$load},"
	done
	stop_members
done
echo "[${rows%,}]" | jq . > "$OUT"
echo "JSON: $OUT"

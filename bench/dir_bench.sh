#!/bin/bash
# dir_bench.sh [RUNS] [OUT]: latency of the cluster directory's operations
# (hypervisor/hvd/directory.h) on SQLite and on etcd in the same run:
# residency compare-and-swap (read + claim), event append, history read
# (20 relocations), each the median of N calls (N=, default 200); RUNS
# runs (default 3) of each backend, the median of their medians.  SQLite
# is a file in a temporary directory; etcd is one etcd-server node this
# script starts on free ports, stopped by its pid and its data removed
# on exit.  Prints a table, writes JSON to OUT
# (bench/results/dir_bench.json).  BUILD= the build directory.  The
# machine may be shared: the load average is recorded.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
B=${BUILD:-$top/build}
RUNS=${1:-3}
OUT=${2:-$top/bench/results/dir_bench.json}
N=${N:-200}
BIN=$B/hypervisor/hv_dir_bench
TMP=$(mktemp -d /tmp/dirbench.XXXXXX)
ETCD_PID=""

cleanup() {
	if [ -n "$ETCD_PID" ]; then
		kill "$ETCD_PID" 2>/dev/null
		wait "$ETCD_PID" 2>/dev/null
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT

[ -x "$BIN" ] || { echo "dir_bench: $BIN missing (build first)" >&2; exit 1; }
command -v etcd >/dev/null || { echo "dir_bench: etcd not installed" >&2; exit 1; }

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

CP=$(free_port)
PP=$(free_port)
etcd --name b --data-dir "$TMP/etcd" \
    --listen-client-urls "http://127.0.0.1:$CP" \
    --advertise-client-urls "http://127.0.0.1:$CP" \
    --listen-peer-urls "http://127.0.0.1:$PP" \
    --initial-advertise-peer-urls "http://127.0.0.1:$PP" \
    --initial-cluster "b=http://127.0.0.1:$PP" >"$TMP/etcd.log" 2>&1 &
ETCD_PID=$!
for _ in $(seq 100); do
	curl -s -m 1 "http://127.0.0.1:$CP/health" | grep -q true && break
	sleep 0.1
done

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

run() {	# backend where: one JSON line per run into $TMP/$1.runs
	local i
	for i in $(seq "$RUNS"); do
		[ "$1" = sqlite ] && rm -f "$2"*
		"$BIN" "$1" "$2" "$N" >>"$TMP/$1.runs" ||
		    { echo "dir_bench: $1 run $i failed" >&2; exit 1; }
	done
}

run sqlite "$TMP/cluster.db"
run etcd "127.0.0.1:$CP"

LOAD=$(cut -d' ' -f1 /proc/loadavg)
printf '%-8s %10s %10s %12s   (median of %d runs x %d calls, us; load %s)\n' \
    BACKEND CAS EVENT HISTORY "$RUNS" "$N" "$LOAD"
mkdir -p "$(dirname "$OUT")"
{
	echo "{\"runs\": $RUNS, \"n\": $N, \"load\": $LOAD, \"backends\": ["
	sep=""
	for b in sqlite etcd; do
		cas=$(jq -r .cas_us "$TMP/$b.runs" | median)
		ev=$(jq -r .event_us "$TMP/$b.runs" | median)
		hi=$(jq -r .history_us "$TMP/$b.runs" | median)
		printf '%-8s %10s %10s %12s\n' "$b" "$cas" "$ev" "$hi" >&2
		printf '%s{"backend": "%s", "cas_us": %s, "event_us": %s, "history_us": %s}\n' \
		    "$sep" "$b" "$cas" "$ev" "$hi"
		sep=","
	done
	echo "]}"
} >"$OUT"
echo "JSON: $OUT"

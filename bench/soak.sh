#!/usr/bin/env bash
# soak.sh [MOVES] [OUT]: relocate the reference lab's guests back and
# forth MOVES times (default 1000) under dirtying workloads (64 MiB/s,
# RATE=), with 10 ms UDP probes between every pair of VIPAs the whole
# time.  HiperSockets guests move through lgrd (drain, relocate,
# complete), the others through hvd alone.  After every move the
# relocation's memory digests (source before, target after) are compared;
# every SAMPLE moves (default 50) the RSS and open descriptors of every
# process the lab started are sampled.  Prints moves, failed moves,
# digest mismatches, probes lost, and RSS/fd growth per daemon kind (last
# sample against the first after warm-up), writes JSON to OUT
# (bench/results/soak.json).  Targets: 0 mismatches, 0 probes lost, flat
# RSS and descriptors.  Run after scripts/build.sh, as root.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
moves=${1:-1000}
out=${2:-$top/bench/results/soak.json}
rate=${RATE:-64}
sample=${SAMPLE:-50}
build=${BUILD:-$top/build}
nslab=$build/netns-lab/nslab
hvctl=$(find "$build/hypervisor" -type f -name hvctl -perm -u+x | head -1)
lgrctl=$(find "$build/orchestrator" -type f -name lgrctl -perm -u+x | head -1)
lgrprobe=$(find "$build/orchestrator" -type f -name lgrprobe -perm -u+x | head -1)
lab=soak
work=$(mktemp -d)
probe_pid=

cleanup() {
	[ -n "$probe_pid" ] && kill "$probe_pid" 2>/dev/null
	"$nslab" down "$lab" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

sed -e "s/^lab: .*/lab: $lab/" "$top/netns-lab/topologies/reference.yaml" \
	>"$work/soak.yaml"
"$nslab" up -q "$work/soak.yaml"
labdir=${NSLAB_RUNDIR:-/run/nslab}/$lab
hsi=" LITDCON1 LITSWAS1 LITDAT01 "
guests=(ECMSS00 LITSHA22 LITDCON1 LITSWAS1 LITDAT01)
for g in "${guests[@]}"; do
	"$hvctl" -l "$lab" workload "$g" --rate "$rate" --wss 32 >/dev/null
done

"$lgrprobe" --lab "$lab" --all-vipas -q --stop-file "$work/probe.stop" \
	--ready-file "$work/probe.ready" -o "$work/probe.json" &
probe_pid=$!
for _ in $(seq 100); do [ -e "$work/probe.ready" ] && break; sleep 0.1; done

# One sample line: move kind pid rss_kib fds, for every live process.
sample_procs() {
	local n=$1 node what pid rest rss fds
	while read -r _ node what pid rest; do
		[ -d "/proc/$pid" ] || continue
		rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
		fds=$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
		echo "$n $what $node $pid ${rss:-0} $fds"
	done < <(grep '^proc ' "$labdir/manifest")
}

failed=0
mismatch=0
: >"$work/samples"
: >"$work/moves"
for ((i = 1; i <= moves; i++)); do
	g=${guests[$(((i - 1) % ${#guests[@]}))]}
	where=$("$hvctl" -l "$lab" -j where "$g" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print((d[0] if isinstance(d, list) else d).get("member", "?"))')
	to=VM2
	[ "$where" = VM2 ] && to=VM9
	rc=0
	if [[ $hsi == *" $g "* ]]; then
		"$lgrctl" -l "$lab" -q relocate "$g" "$to" >/dev/null 2>&1 || rc=$?
	else
		"$hvctl" -l "$lab" relocate "$g" "$to" >/dev/null 2>&1 || rc=$?
	fi
	[ "$rc" -eq 0 ] || failed=$((failed + 1))
	# the last relocation of g: digests of the source and the target
	"$hvctl" -l "$lab" -j history "$g" | python3 -c '
import json, sys
rows = json.load(sys.stdin)
r = rows[-1] if rows else {}
ok = r.get("digest_src") and r.get("digest_src") == r.get("digest_dst") \
    and r.get("verified", 1) != 0
print("%s %s %s" % (r.get("end_code", "?"), "ok" if ok else "MISMATCH",
    r.get("dst", "?")))' >>"$work/moves" || echo "? MISMATCH ?" >>"$work/moves"
	tail -1 "$work/moves" | grep -q MISMATCH && [ "$rc" -eq 0 ] &&
		mismatch=$((mismatch + 1))
	if [ $((i % sample)) -eq 0 ] || [ "$i" -eq 1 ]; then
		sample_procs "$i" >>"$work/samples"
		printf '\rmove %d/%d, failed %d, digest mismatches %d' "$i" \
			"$moves" "$failed" "$mismatch" >&2
	fi
done
echo >&2
touch "$work/probe.stop"
wait "$probe_pid" || true
probe_pid=

mkdir -p "$(dirname "$out")"
python3 - "$work/probe.json" "$work/samples" "$moves" "$failed" \
	"$mismatch" "$rate" "$out" <<'PY'
import json, sys
from collections import defaultdict
probe = json.load(open(sys.argv[1]))["total"]
moves, failed, mismatch, rate = map(int, sys.argv[3:7])
by = defaultdict(lambda: defaultdict(lambda: [0, 0]))   # what -> move -> [rss, fds]
for line in open(sys.argv[2]):
    n, what, node, pid, rss, fds = line.split()
    by[what][int(n)][0] += int(rss)
    by[what][int(n)][1] += int(fds)
rows = []
print("moves %d (failed %d), digest mismatches %d, probes sent %d lost %d, "
      "longest gap %.1f ms" % (moves, failed, mismatch, probe["sent"],
      probe["lost"], probe["longest_gap_ms"]))
print("%-12s %12s %12s %10s %8s %8s" % ("daemon kind", "RSS first KiB",
      "RSS last KiB", "RSS growth", "fd first", "fd last"))
for what in sorted(by):
    pts = sorted(by[what])
    first = pts[1] if len(pts) > 2 else pts[0]   # after warm-up
    last = pts[-1]
    f, l = by[what][first], by[what][last]
    growth = (l[0] - f[0]) / f[0] * 100 if f[0] else 0
    print("%-12s %12d %12d %9.1f%% %8d %8d" % (what, f[0], l[0], growth,
          f[1], l[1]))
    rows.append({"kind": what, "rss_first_kib": f[0], "rss_last_kib": l[0],
                 "rss_growth_pct": round(growth, 1), "fd_first": f[1],
                 "fd_last": l[1]})
json.dump({"moves": moves, "failed": failed, "digest_mismatches": mismatch,
           "dirty_mib_s": rate, "probes_sent": probe["sent"],
           "probes_lost": probe["lost"],
           "longest_gap_ms": probe["longest_gap_ms"], "daemons": rows},
          open(sys.argv[7], "w"), indent=1)
print("JSON: %s" % sys.argv[7])
PY

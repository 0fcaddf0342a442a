#!/usr/bin/env bash
# soak.sh [MOVES] [OUT]: relocate the reference lab's guests back and
# forth MOVES times (default 1000) under dirtying workloads (64 MiB/s,
# RATE=), with 10 ms UDP probes between every pair of VIPAs and TCP
# streams from ECMSS00 to the four LIT VIPAs the whole time.  HiperSockets
# guests move through lgrd (drain, relocate, complete), the others
# through hvd alone.  After every move the relocation's memory digests
# (source before, target after) are compared: its own history row (a new
# one, ended OK on the target, digests equal and verified); every SAMPLE
# moves (default 50) the RSS and open descriptors of every process the
# lab started are sampled.  Prints moves, failed moves, digest
# mismatches, probes lost (UDP, TCP, TCP resets), RSS/fd growth per
# daemon kind (last sample against the first after warm-up) and the time
# a move takes (median, p90; the move itself and the check apart), writes
# JSON to OUT (bench/results/soak.json).  Targets: 0 mismatches, 0 probes
# lost, flat RSS and descriptors.  MAX_S=SECONDS stops after the move
# that passes that much time in the move loop (the moves done are
# reported); KEEP=DIR keeps the per-move lines, times, RSS/fd samples
# and the probes' report.  Run after scripts/build.sh, as root.
#
# Between moves nothing waits: where a guest is comes from the previous
# move's history row (the directory is asked once, at the start), hvd's
# moves print their own row (hvctl -j relocate), and rows are read with
# jq (a python3 start costs about 1 s on the loaded machine; two a move
# were two thirds of the 3.3 s a move took).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
moves=${1:-1000}
out=${2:-$top/bench/results/soak.json}
rate=${RATE:-64}
sample=${SAMPLE:-50}
max_s=${MAX_S:-0}
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
	--tcp LITSHA22,LITDCON1,LITSWAS1,LITDAT01 --tcp-from ECMSS00 \
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

# FRR's own accounting of ospfd's memory, every router together: lines
# "move type objects bytes" (show memory ospfd, through each router's
# vty socket).  Says whether what grows is ospfd's or the plugin's (whose
# allocations FRR does not count).
frr_mem() {
	local n=$1 d
	for d in "$labdir"/*/; do
		[ -S "$d/ospfd.vty" ] || continue
		vtysh --vty_socket "$d" -c "show memory ospfd" 2>/dev/null
	done | awk -v n="$n" -F: '
	    NF == 2 && $2 ~ /^ +[0-9]+ +[0-9a-z]+ +[0-9]+ / {
		t = $1; sub(/ +$/, "", t); split($2, f, " ")
		obj[t] += f[1]; bytes[t] += f[3]
	    }
	    END { for (t in obj) printf "%s\t%s\t%d\t%d\n", n, t, obj[t], bytes[t] }'
}

# check_row TO [LAST]: one history row on stdin, "ID END ok|MISMATCH DST":
# ok when it is newer than LAST, ended OK on TO with equal, verified
# digests.
check_row() {
	jq -r --arg to "$1" --argjson last "${2:-0}" '
	    (if type == "array" then (max_by(.id) // {}) else . end) as $r |
	    ($r.id // 0) as $id |
	    [$id, ($r.end_code // "?"),
	     (if $id > $last and $r.end_code == "OK" and $r.dst == $to and
	      ($r.digest_src // "") != "" and $r.digest_src == $r.digest_dst and
	      ($r.verified // 1) != 0 then "ok" else "MISMATCH" end),
	     ($r.dst // "?")] | map(tostring) | join(" ")'
}

# Where each guest runs, and the id of its latest relocation so far.
declare -A loc last
while read -r g m; do
	loc[$g]=$m
done < <("$hvctl" -l "$lab" -j guests | jq -r '.[] | "\(.name) \(.member)"')
while read -r g id; do
	last[$g]=$id
done < <("$hvctl" -l "$lab" -j history | jq -r \
	'group_by(.guest)[] | "\(.[0].guest) \(map(.id) | max)"')

failed=0
mismatch=0
: >"$work/samples"
: >"$work/moves"
: >"$work/times"
loop_start=$SECONDS
for ((i = 1; i <= moves; i++)); do
	t0=$EPOCHREALTIME
	g=${guests[$(((i - 1) % ${#guests[@]}))]}
	to=VM2
	[ "${loc[$g]}" = VM2 ] && to=VM9
	rc=0
	if [[ $hsi == *" $g "* ]]; then
		"$lgrctl" -l "$lab" -q relocate "$g" "$to" >/dev/null 2>&1 || rc=$?
		t1=$EPOCHREALTIME
		row=$("$hvctl" -l "$lab" -j history "$g" 2>/dev/null |
			check_row "$to" "${last[$g]:-0}") || row=
	else
		"$hvctl" -l "$lab" -j relocate "$g" "$to" >"$work/row" 2>/dev/null ||
			rc=$?
		t1=$EPOCHREALTIME
		row=$(check_row "$to" "${last[$g]:-0}" <"$work/row") || row=
	fi
	[ -n "$row" ] || row="0 ? MISMATCH ?"
	read -r id end ok dst <<<"$row"
	echo "$i $g $to rc=$rc $row" >>"$work/moves"
	[ "$rc" -eq 0 ] || failed=$((failed + 1))
	[ "$rc" -eq 0 ] && [ "$ok" != ok ] && mismatch=$((mismatch + 1))
	[ "$id" -gt "${last[$g]:-0}" ] && last[$g]=$id
	if [ "$end" = OK ] && [ "$dst" = "$to" ]; then
		loc[$g]=$to
	else
		loc[$g]=$("$hvctl" -l "$lab" -j where "$g" |
			jq -r '(if type == "array" then .[0] else . end).member')
	fi
	t2=$EPOCHREALTIME
	if [ $((i % sample)) -eq 0 ] || [ "$i" -eq 1 ]; then
		sample_procs "$i" >>"$work/samples"
		[ "$i" -ne "$sample" ] || frr_mem "$i" >"$work/frrmem.first"
		printf '\rmove %d/%d, failed %d, digest mismatches %d' "$i" \
			"$moves" "$failed" "$mismatch" >&2
	fi
	echo "$i $g $t0 $t1 $t2" >>"$work/times"
	if [ "$max_s" -gt 0 ] && [ $((SECONDS - loop_start)) -ge "$max_s" ]; then
		[ $((i % sample)) -eq 0 ] || sample_procs "$i" >>"$work/samples"
		moves=$i
		break
	fi
done
echo >&2
frr_mem "$moves" >"$work/frrmem.last"
touch "$work/probe.stop"
wait "$probe_pid" || true
probe_pid=

mkdir -p "$(dirname "$out")"
[ -z "${KEEP:-}" ] || cp "$work/moves" "$work/times" "$work/samples" \
	"$work/probe.json" "$KEEP/"
touch "$work/frrmem.first"
python3 - "$work/probe.json" "$work/samples" "$moves" "$failed" \
	"$mismatch" "$rate" "$out" "$work/times" "$work/frrmem.first" \
	"$work/frrmem.last" <<'PY'
import json, sys
from collections import defaultdict
report = json.load(open(sys.argv[1]))
probe = report["total"]
tcp = report.get("tcp_total", {})
moves, failed, mismatch, rate = map(int, sys.argv[3:7])
times = [list(map(float, l.split()[2:])) for l in open(sys.argv[8])]
def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else 0.0
move_s = [t[2] - t[0] for t in times]
reloc_s = [t[1] - t[0] for t in times]
check_s = [t[2] - t[1] for t in times]
wall = times[-1][2] - times[0][0] if times else 0.0
by = defaultdict(lambda: defaultdict(lambda: [0, 0]))   # what -> move -> [rss, fds]
for line in open(sys.argv[2]):
    n, what, node, pid, rss, fds = line.split()
    by[what][int(n)][0] += int(rss)
    by[what][int(n)][1] += int(fds)
rows = []
print("moves %d (failed %d), digest mismatches %d, UDP probes sent %d lost "
      "%d, longest gap %.1f ms; TCP probes sent %d lost %d, resets %d, "
      "longest stall %.1f ms" % (moves, failed, mismatch, probe["sent"],
      probe["lost"], probe["longest_gap_ms"], tcp.get("sent", 0),
      tcp.get("lost", 0), tcp.get("resets", 0),
      tcp.get("longest_stall_ms", 0.0)))
print("a move: median %.2f s, p90 %.2f s (the move %.2f s, the check %.2f s, "
      "medians); %d moves in %.0f s" % (pct(move_s, .5), pct(move_s, .9),
      pct(reloc_s, .5), pct(check_s, .5), len(times), wall))
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
def frrmem(path):
    m = {}
    for line in open(path):
        n, t, obj, b = line.rstrip("\n").split("\t")
        m[t] = (int(obj), int(b))
    return m
m0, m1 = frrmem(sys.argv[9]), frrmem(sys.argv[10])
grown = sorted(((t, m1[t][0] - m0.get(t, (0, 0))[0], m1[t][1] - m0.get(t, (0, 0))[1])
                for t in m1 if m0 and m1[t][1] > m0.get(t, (0, 0))[1]),
               key=lambda x: -x[2])[:5]
if m0:
    print("ospfd memory types that grew (FRR's accounting, every router, "
          "sample 1 to the end): " + (", ".join("%s +%d objects (+%d B)" % g
          for g in grown) or "none"))
json.dump({"moves": moves, "failed": failed, "digest_mismatches": mismatch,
           "ospfd_mtypes_grown": [{"type": t, "objects": o, "bytes": b}
                                  for t, o, b in grown],
           "dirty_mib_s": rate, "probes_sent": probe["sent"],
           "probes_lost": probe["lost"],
           "longest_gap_ms": probe["longest_gap_ms"],
           "tcp_probes_sent": tcp.get("sent", 0),
           "tcp_probes_lost": tcp.get("lost", 0),
           "tcp_resets": tcp.get("resets", 0),
           "tcp_longest_stall_ms": tcp.get("longest_stall_ms", 0.0),
           "move_s_median": round(pct(move_s, .5), 3),
           "move_s_p90": round(pct(move_s, .9), 3),
           "relocate_s_median": round(pct(reloc_s, .5), 3),
           "check_s_median": round(pct(check_s, .5), 3),
           "moves_wall_s": round(wall, 1), "daemons": rows},
          open(sys.argv[7], "w"), indent=1)
print("JSON: %s" % sys.argv[7])
PY

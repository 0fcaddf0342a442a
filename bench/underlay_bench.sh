#!/usr/bin/env bash
# underlay_bench.sh [RUNS] [OUT]: relocation throughput over the underlay
# against a plain TCP stream over the same path, in the same run
# (issue 12).  The hosts lab (reference-hosts.yaml, lab "bul"): VM9's
# hvd in host CPC9 and VM2's in CPC2 listen on their underlay addresses,
# so a relocation between them is a CURVE-encrypted ZeroMQ stream over
# veth, the underlay bridge and veth.  ECMSS00 (256 MiB, its image
# filled) moves VM9 -> VM2 and back RUNS times (default 5) with hvctl:
# MiB moved / total time of the move (its history row, as hv_bench.sh),
# and the rate of its pre-copy stream (history copy_mib_s: MiB the
# passes sent over the time spent sending them, without the move's fixed
# costs: the target's image, the quiesce, the commit); after each move
# tcp_stream sends as many MiB over the same path (from the source
# host's namespace to the target's underlay address), timed by the
# receiver, then a sealed TCP stream (tcp_stream with hvd's bulk cipher,
# AES-256-GCM: each MiB encrypted, sent, opened, nothing else), the
# least any relocation sealed as hvd's is can cost over that path on
# this machine.  Medians and their ratios to TCP (target >= 0.8; the
# sealed stream's ratio is the ceiling of that figure here) and the
# stream's to the sealed one (what hvd costs beyond its cipher); the
# load average is recorded (the machine may be shared).  Prints a table and
# writes JSON to OUT (bench/results/underlay.json).  As root, after
# scripts/build.sh, under flock -o /tmp/lgr-lab.lock.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
B=${BUILD:-$top/build}
RUNS=${1:-5}
OUT=${2:-$top/bench/results/underlay.json}
LAB=bul
PORT=7391
tmp=$(mktemp -d /tmp/underlay.XXXXXX)
nslab=$B/netns-lab/nslab
up=0

cleanup() {
	[ "$up" = 1 ] && "$nslab" down "$LAB" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT

hv() { "$B/hypervisor/hvctl" -l "$LAB" -t 60000 "$@"; }
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# The underlay address a member's channel listens on.
chan_addr() {
	hv -j members | jq -r --arg m "$1" '.[] | select(.name == $m) |
	    .chan_ep' | sed -n 's|^tcp://\([0-9.]*\):[0-9]*$|\1|p'
}

sed "s/^lab: .*/lab: $LAB/" "$top/netns-lab/topologies/reference-hosts.yaml" \
    >"$tmp/topo.yaml"
up=1
"$nslab" up "$tmp/topo.yaml" -q >/dev/null
declare -A addr host
addr[VM9]=$(chan_addr VM9)
addr[VM2]=$(chan_addr VM2)
host[VM9]=CPC9
host[VM2]=CPC2
for m in VM9 VM2; do
	[ -n "${addr[$m]}" ] || { echo "$m does not listen on tcp://" >&2; exit 1; }
done

: >"$tmp/reloc"
: >"$tmp/tcp"
: >"$tmp/sealed"
for i in $(seq "$RUNS"); do
	for pair in "VM9 VM2" "VM2 VM9"; do
		read -r from to <<<"$pair"
		hv relocate ECMSS00 "$to" >/dev/null
		hv -j history ECMSS00 | jq -r '.[-1] | select(.end_code == "OK") |
		    "\(.mib) \(.mib / (.total_ms / 1000)) \(.copy_mib_s // 0)"' \
		    >>"$tmp/reloc"
		mib=$(tail -1 "$tmp/reloc" | awk '{ printf "%d", $1 + 0.5 }')
		for cipher in "" aes-256-gcm; do
			f=tcp
			[ -z "$cipher" ] || f=sealed
			ip netns exec "$LAB:${host[$to]}" "$B/bench/tcp_stream" \
			    recv "${addr[$to]}" "$PORT" $cipher >>"$tmp/$f" &
			rpid=$!
			ip netns exec "$LAB:${host[$from]}" \
			    "$B/bench/tcp_stream" send "${addr[$to]}" "$PORT" \
			    "$mib" $cipher
			wait "$rpid"
		done
	done
done
n=$(wc -l <"$tmp/reloc")
mib=$(awk '{ print $1 }' "$tmp/reloc" | median)
reloc=$(awk '{ print $2 }' "$tmp/reloc" | median)
stream=$(awk '{ print $3 }' "$tmp/reloc" | median)
tcp=$(awk '{ print $2 }' "$tmp/tcp" | median)
sealed=$(awk '{ print $2 }' "$tmp/sealed" | median)
div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
ratio=$(div "$reloc" "$tcp")
sratio=$(div "$stream" "$tcp")
ceiling=$(div "$sealed" "$tcp")
cratio=$(div "$stream" "$sealed")
load=$(cut -d' ' -f1 /proc/loadavg)
printf '%-6s %-6s %-11s %-13s %-10s %-12s %-9s %-11s %-11s %-14s %s\n' \
    MOVES MIB MOVE-MIB/S STREAM-MIB/S TCP-MIB/S SEALED-MIB/S MOVE/TCP \
    STREAM/TCP SEALED/TCP STREAM/SEALED LOAD
printf '%-6s %-6.1f %-11.0f %-13.0f %-10.0f %-12.0f %-9s %-11s %-11s %-14s %s\n' \
    "$n" "$mib" "$reloc" "$stream" "$tcp" "$sealed" "$ratio" "$sratio" \
    "$ceiling" "$cratio" "$load"
echo "target: relocation >= 0.8 of the plain TCP stream" \
    "(a sealed stream alone reaches $ceiling of it here)"
mkdir -p "$(dirname "$OUT")"
jq -n --argjson n "$n" --argjson mib "$mib" --argjson r "$reloc" \
    --argjson s "$stream" --argjson t "$tcp" --argjson q "$ratio" \
    --argjson sq "$sratio" --argjson l "$load" --argjson se "$sealed" \
    --argjson c "$ceiling" --argjson cr "$cratio" \
    '{benchmark: "underlay", target_ratio: 0.8, moves: $n, mib: $mib,
    relocation_mib_s_median: $r, stream_mib_s_median: $s,
    tcp_mib_s_median: $t, sealed_tcp_mib_s_median: $se, ratio: $q,
    stream_ratio: $sq, sealed_ratio: $c, stream_to_sealed: $cr,
    load1: $l}' >"$OUT"
echo "JSON: $OUT"

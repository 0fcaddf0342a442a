#!/usr/bin/env bash
# Lab benchmark: time from `nslab up` to converged, `nslab down`
# duration, and memory per guest, for the reference topology, the same
# on three hosts (reference-hosts.yaml: host namespaces, underlay, VXLAN,
# an etcd cluster) and generated topologies of 20, 50 and 100 guests.  Medians over repeated
# runs; prints a table and writes JSON.
# usage: lab_bench.sh [RUNS] [OUT.json]     (default 5 runs, 3 for >= 50)
# SIZES="20 50 100" (environment) chooses the generated sizes.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
nslab=$top/build/netns-lab/nslab
runs=${1:-5}
out=${2:-$top/bench/results/lab.json}
tmp=$(mktemp -d)
current=""
trap '[ -n "$current" ] && "$nslab" down "$current" >/dev/null 2>&1; rm -rf "$tmp"' EXIT
mkdir -p "$(dirname "$out")"

now() { date +%s.%N; }

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# PSS (KiB) of every process of each guest (zebra, ospfd, its agent),
# and the peak RSS (VmHWM).  The members' hvd and lgrd are not a guest's.
guest_mem() {
	local lab=$1 node pid pss hwm
	awk '$1 == "proc" && ($3 == "zebra" || $3 == "ospfd" ||
	    $3 == "guestagentd") { print $2, $4 }' "/run/nslab/$lab/manifest" |
	while read -r node pid; do
		[ "$node" = ABR ] && continue
		pss=$(awk '/^Pss:/ { print $2 }' "/proc/$pid/smaps_rollup")
		hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status")
		echo "$node $pss $hwm"
	done | awk '{ p[$1] += $2; h[$1] += $3 } END { for (g in p) print p[g], h[g] }'
}

bench_one() {
	local label=$1 file=$2 n=$3 lab up_s down_s i
	lab=$(sed -n 's/^lab: *//p' "$file")
	: >"$tmp/up" ; : >"$tmp/down" ; : >"$tmp/pss" ; : >"$tmp/hwm"
	for i in $(seq "$n"); do
		current=$lab
		t0=$(now)
		if ! "$nslab" up -q "$file" --timeout 240 >/dev/null 2>&1; then
			"$nslab" down "$lab" >/dev/null 2>&1 || true
			current=""
			echo "$label: run $i did not converge within 240 s" >&2
			echo "$label" >>"$tmp/failed"
			continue
		fi
		t1=$(now)
		guest_mem "$lab" >"$tmp/mem"
		awk '{ print $1 / 1024 }' "$tmp/mem" >>"$tmp/pss"
		awk '{ print $2 / 1024 }' "$tmp/mem" >>"$tmp/hwm"
		t2=$(now)
		"$nslab" down "$lab"
		t3=$(now)
		current=""
		echo "$t1 - $t0" | bc >>"$tmp/up"
		echo "$t3 - $t2" | bc >>"$tmp/down"
	done
	if [ ! -s "$tmp/up" ]; then
		printf '%-10s %6s %5d %12s\n' "$label" - "$n" "not converged"
		printf '{"topology":"%s","runs":%d,"converged":false}\n' "$label" "$n" >>"$tmp/json"
		return 0
	fi
	up_s=$(median <"$tmp/up")
	down_s=$(median <"$tmp/down")
	pss=$(median <"$tmp/pss")
	hwm=$(sort -g "$tmp/hwm" | tail -n1)
	printf '%-10s %6s %5d %12.2f %10.2f %14.1f %14.1f\n' "$label" \
	    "$("$nslab" check "$file" | sed -n 's/.*, \([0-9]*\) guests)$/\1/p')" "$n" "$up_s" "$down_s" "$pss" "$hwm"
	printf '{"topology":"%s","runs":%d,"converged":true,"up_converged_s":%s,"down_s":%s,"pss_mib_per_guest":%s,"peak_rss_mib_per_guest":%s}\n' \
	    "$label" "$n" "$up_s" "$down_s" "$pss" "$hwm" >>"$tmp/json"
}

: >"$tmp/json"
printf '%-10s %6s %5s %12s %10s %14s %14s\n' TOPOLOGY GUESTS RUNS "UP->CONV s" "DOWN s" "PSS MiB/guest" "PEAK RSS MiB"
sed 's/^lab: .*/lab: bref/' "$top/netns-lab/topologies/reference.yaml" >"$tmp/ref.yaml"
bench_one reference "$tmp/ref.yaml" "$runs"
sed 's/^lab: .*/lab: brefh/' "$top/netns-lab/topologies/reference-hosts.yaml" >"$tmp/refh.yaml"
bench_one ref-hosts "$tmp/refh.yaml" "$runs"
for n in ${SIZES:-20 50 100}; do
	"$nslab" gen --members 2 --guests "$n" --hsi-fraction 0.5 --name "bg$n" -o "$tmp/g$n.yaml"
	r=$runs
	[ "$n" -ge 50 ] && r=$(( runs < 3 ? runs : 3 ))
	bench_one "gen-$n" "$tmp/g$n.yaml" "$r"
done
jq -s '{benchmark: "lab", targets: {reference_up_s: 5, reference_hosts_up_s: 8, gen100_up_s: 60, mib_per_guest: 15}, results: .}' "$tmp/json" >"$out"
echo "JSON: $out"

#!/usr/bin/env bash
# Lab benchmark: time from `nslab up` to ready (OSPF converged, every
# member JOINED, every guest RUNNING, every agent answering: what `nslab
# up` waits for), `nslab down` duration, and memory per guest, for the
# reference topology, the same on three hosts (reference-hosts.yaml: host
# namespaces, underlay, VXLAN, an etcd cluster), the same again brought
# up one host at a time (three `nslab up --host`, timed from the first to
# the last one's ready), and generated topologies of 20, 50 and 100
# guests.  Then the LIT evacuation (`lgrctl evacuate LIT --to VM2` and
# back) on the hosts lab against the one-host lab, in the same run.
# Medians over repeated runs; prints tables and writes JSON.
# usage: lab_bench.sh [RUNS] [OUT.json]     (default 5 runs, 3 for >= 50)
# SIZES="20 50 100" (environment) chooses the generated sizes; EVAC=0
# skips the evacuation comparison.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
nslab=$top/build/netns-lab/nslab
lgrctl=$top/build/orchestrator/lgrctl
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

# nslab up FILE, whole or (SPLIT=1) one host at a time.
lab_up() {
	local file=$1 h
	if [ "${SPLIT:-0}" = 0 ]; then
		"$nslab" up -q "$file" --timeout 240 >/dev/null 2>&1
		return
	fi
	for h in $(awk '/^hosts:/ { f = 1; next } f && /^  - name:/ { print $3 } f && /^[a-z]/ { f = 0 }' "$file"); do
		"$nslab" up -q --host "$h" "$file" --timeout 240 >/dev/null 2>&1 || return 1
	done
}

bench_one() {
	local label=$1 file=$2 n=$3 lab up_s down_s i
	lab=$(sed -n 's/^lab: *//p' "$file")
	: >"$tmp/up" ; : >"$tmp/down" ; : >"$tmp/pss" ; : >"$tmp/hwm"
	for i in $(seq "$n"); do
		current=$lab
		t0=$(now)
		if ! lab_up "$file"; then
			"$nslab" down "$lab" >/dev/null 2>&1 || true
			current=""
			echo "$label: run $i was not ready within 240 s" >&2
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
		printf '%-12s %6s %5d %12s\n' "$label" - "$n" "not ready"
		printf '{"topology":"%s","runs":%d,"ready":false}\n' "$label" "$n" >>"$tmp/json"
		return 0
	fi
	up_s=$(median <"$tmp/up")
	down_s=$(median <"$tmp/down")
	pss=$(median <"$tmp/pss")
	hwm=$(sort -g "$tmp/hwm" | tail -n1)
	printf '%-12s %6s %5d %12.2f %10.2f %14.1f %14.1f\n' "$label" \
	    "$("$nslab" check "$file" | sed -n 's/.*, \([0-9]*\) guests)$/\1/p')" "$n" "$up_s" "$down_s" "$pss" "$hwm"
	printf '{"topology":"%s","runs":%d,"ready":true,"up_ready_s":%s,"down_s":%s,"pss_mib_per_guest":%s,"peak_rss_mib_per_guest":%s}\n' \
	    "$label" "$n" "$up_s" "$down_s" "$pss" "$hwm" >>"$tmp/json"
}

# LIT evacuated to VM2 and back on one lab: wall time of each move.
evac_runs() {
	local label=$1 file=$2 n=$3 lab i t0 t1
	lab=$(sed -n 's/^lab: *//p' "$file")
	current=$lab
	if ! lab_up "$file"; then
		"$nslab" down "$lab" >/dev/null 2>&1 || true
		current=""
		echo "$label: not ready, no evacuation measured" >&2
		return 0
	fi
	for i in $(seq "$n"); do
		for to in VM2 VM9; do
			t0=$(now)
			"$lgrctl" -l "$lab" evacuate LIT --to "$to" >/dev/null 2>&1 ||
			    { echo "$label: evacuate LIT --to $to failed (run $i)" >&2; continue; }
			t1=$(now)
			echo "$t1 - $t0" | bc >>"$tmp/evac-$label"
		done
	done
	"$nslab" down "$lab"
	current=""
}

: >"$tmp/json"
printf '%-12s %6s %5s %12s %10s %14s %14s\n' TOPOLOGY GUESTS RUNS "UP->READY s" "DOWN s" "PSS MiB/guest" "PEAK RSS MiB"
sed 's/^lab: .*/lab: bref/' "$top/netns-lab/topologies/reference.yaml" >"$tmp/ref.yaml"
bench_one reference "$tmp/ref.yaml" "$runs"
sed 's/^lab: .*/lab: brefh/' "$top/netns-lab/topologies/reference-hosts.yaml" >"$tmp/refh.yaml"
bench_one ref-hosts "$tmp/refh.yaml" "$runs"
SPLIT=1 bench_one ref-hosts-split "$tmp/refh.yaml" "$runs"
for n in ${SIZES:-20 50 100}; do
	"$nslab" gen --members 2 --guests "$n" --hsi-fraction 0.5 --name "bg$n" -o "$tmp/g$n.yaml"
	r=$runs
	[ "$n" -ge 50 ] && r=$(( runs < 3 ? runs : 3 ))
	bench_one "gen-$n" "$tmp/g$n.yaml" "$r"
done
if [ "${EVAC:-1}" != 0 ]; then
	: >"$tmp/evac-reference"; : >"$tmp/evac-ref-hosts"
	evac_runs reference "$tmp/ref.yaml" "$runs"
	evac_runs ref-hosts "$tmp/refh.yaml" "$runs"
	printf '\n%-12s %6s %16s\n' TOPOLOGY MOVES "LIT EVAC s (med)"
	for l in reference ref-hosts; do
		if [ -s "$tmp/evac-$l" ]; then
			printf '%-12s %6d %16.2f\n' "$l" "$(wc -l <"$tmp/evac-$l")" "$(median <"$tmp/evac-$l")"
		else
			printf '%-12s %6d %16s\n' "$l" 0 -
		fi
	done
	if [ -s "$tmp/evac-reference" ] && [ -s "$tmp/evac-ref-hosts" ]; then
		ratio=$(echo "$(median <"$tmp/evac-ref-hosts") / $(median <"$tmp/evac-reference")" | bc -l)
		printf 'hosts / one host: %.2f (target <= 1.3)\n' "$ratio"
		printf '{"evacuation":"LIT","moves":%d,"reference_s":%s,"ref_hosts_s":%s,"ratio":%.3f}\n' \
		    "$(wc -l <"$tmp/evac-ref-hosts")" "$(median <"$tmp/evac-reference")" \
		    "$(median <"$tmp/evac-ref-hosts")" "$ratio" >>"$tmp/json"
	fi
fi
jq -s '{benchmark: "lab", targets: {reference_up_s: 5, reference_hosts_up_s: 8, gen100_up_s: 60, mib_per_guest: 15, evac_hosts_ratio: 1.3}, results: .}' "$tmp/json" >"$out"
echo "JSON: $out"

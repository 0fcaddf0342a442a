#!/usr/bin/env bash
# routecheck benchmark: wall time of `routecheck LAB` over a generated lab
# of 2 members and 100 guests (101 routers), median over repeated runs,
# for each way of reading the OSPF table (ospfd_lgr.so, ospfd's vty) and
# without zebra; for comparison, the same kernel tables read the usual
# way, one `ip -j route` and `ip -j link` process pair per router.
# Prints a table and writes JSON.
# usage: routecheck_bench.sh [RUNS] [OUT.json]      (default 11 runs)
# GUESTS= (environment) chooses the size; BUILD= the build directory.
#
# The lab runs without the hypervisor and the guest agents (residency
# then comes from the HiperSockets bridges).  A lab that does not
# converge in time is measured anyway: routecheck reads every router
# whatever the routes say; its verdict is reported, not judged.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
nslab=$build/netns-lab/nslab
routecheck=$build/routing/routecheck
runs=${1:-11}
out=${2:-$top/bench/results/routecheck.json}
guests=${GUESTS:-100}
lab="rcb$$"
tmp=$(mktemp -d)
up=0
trap '[ $up -eq 1 ] && "$nslab" down "$lab" >/dev/null 2>&1; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$(dirname "$out")"

if [ "$(id -u)" -ne 0 ]; then
	echo "routecheck_bench: needs root" >&2
	exit 77
fi

now() { date +%s.%N; }
ms_since() { echo "$(now) $1" | awk '{ printf "%.3f\n", ($1 - $2) * 1000 }'; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

"$nslab" gen --members 2 --guests "$guests" --name "$lab" -o "$tmp/lab.yaml"
echo "routecheck_bench: $guests guests, bringing the lab up" >&2
up=1
t0=$(now)
rc=0
"$nslab" up -q "$tmp/lab.yaml" --no-hv --no-agents --timeout 300 \
    >"$tmp/up.txt" 2>&1 || rc=$?
up_ms=$(ms_since "$t0")
case $rc in
0) converged=true ;;
4) converged=false
   echo "routecheck_bench: the lab did not converge; measuring anyway" >&2 ;;
*) cat "$tmp/up.txt" >&2; exit 1 ;;
esac
routers=$(( $(awk '$1 == "proc" && $3 == "ospfd"' \
    "${NSLAB_RUNDIR:-/run/nslab}/$lab/manifest" | wc -l) ))

# measure NAME ARGS...: RUNS timed runs of routecheck ARGS (after one
# warm-up); the wall times, routecheck's own collection times, verdict.
measure() {
	local name=$1 i t s
	shift
	: >"$tmp/$name.wall"
	: >"$tmp/$name.collect"
	"$routecheck" -j "$@" "$lab" >/dev/null 2>&1 || true
	for i in $(seq "$runs"); do
		t=$(now)
		s=0
		"$routecheck" -j "$@" "$lab" >"$tmp/$name.json" 2>"$tmp/$name.err" ||
		    s=$?
		ms_since "$t" >>"$tmp/$name.wall"
		jq -r '.timing_ms.collect' "$tmp/$name.json" >>"$tmp/$name.collect"
	done
	echo "$name $s $(jq -r '.violations | length' "$tmp/$name.json") $(jq -r \
	    '.not_collected' "$tmp/$name.json") $(median <"$tmp/$name.wall") \
	    $(median <"$tmp/$name.collect") $(sort -g "$tmp/$name.wall" |
	    head -1) $(sort -g "$tmp/$name.wall" | tail -1)" >>"$tmp/rows"
}

# The same kernel tables with one process pair per router.
measure_ip() {
	local i t n
	: >"$tmp/ip.wall"
	for i in $(seq 3); do
		t=$(now)
		for n in $(awk '$1 == "proc" && $3 == "ospfd" { print $2 }' \
		    "${NSLAB_RUNDIR:-/run/nslab}/$lab/manifest"); do
			ip -n "$lab.$n" -j route >/dev/null
			ip -n "$lab.$n" -j link >/dev/null
		done
		ms_since "$t" >>"$tmp/ip.wall"
	done
	echo "ip-per-router - - - $(median <"$tmp/ip.wall") - $(sort -g \
	    "$tmp/ip.wall" | head -1) $(sort -g "$tmp/ip.wall" | tail -1)" \
	    >>"$tmp/rows"
}

# The machine is shared: say how busy it was.
load0=$(cut -d' ' -f1 /proc/loadavg)
: >"$tmp/rows"
measure plugin --source plugin
measure vty --source vty
measure plugin-no-zebra --source plugin --no-zebra
measure_ip
load1=$(cut -d' ' -f1 /proc/loadavg)

python3 - "$tmp/rows" "$out" "$guests" "$routers" "$runs" "$converged" \
    "$up_ms" "$load0" "$load1" <<'PY'
import json, sys
rows_in, out, guests, routers, runs, converged, up_ms, l0, l1 = sys.argv[1:]
rows = []
print("routecheck over %s guests (%s routers), %s runs, lab converged: %s, "
      "load average %s -> %s" % (guests, routers, runs, converged, l0, l1))
print("%-16s %6s %10s %10s %10s %10s %5s" % ("case", "exit", "median",
      "collect", "min", "max", "viol"))
num = lambda x: None if x == "-" else float(x)
for line in open(rows_in):
    f = line.split()
    r = {"case": f[0], "exit": None if f[1] == "-" else int(f[1]),
         "violations": None if f[2] == "-" else int(f[2]),
         "not_collected": None if f[3] == "-" else int(f[3]),
         "median_ms": num(f[4]), "collect_median_ms": num(f[5]),
         "min_ms": num(f[6]), "max_ms": num(f[7])}
    rows.append(r)
    print("%-16s %6s %8.1fms %10s %8.1fms %8.1fms %5s" % (r["case"], f[1],
          r["median_ms"], "-" if r["collect_median_ms"] is None else
          "%.1fms" % r["collect_median_ms"], r["min_ms"], r["max_ms"], f[2]))
json.dump({"benchmark": "routecheck wall time over a generated lab",
           "guests": int(guests), "routers": int(routers),
           "runs": int(runs), "converged": converged == "true",
           "lab_up_ms": float(up_ms), "target_ms": 2000,
           "load_average": [float(l0), float(l1)],
           "results": rows}, open(out, "w"), indent=1)
print("JSON: %s" % out)
PY

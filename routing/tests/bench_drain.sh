#!/usr/bin/env bash
# bench_drain.sh MODULE DRAINCTL [RUNS] [OUT.json]: drain request -> the
# neighbour's kernel route moved, median over RUNS drain/undrain cycles.
#
#   a - b on lan1 (broadcast, cost 10) and lan2 (broadcast, cost 50)
#   b reaches a's VIPA 10.99.0.1 over lan1; draining lan1 on a moves it to
#   lan2, undraining moves it back.
#
# Cases: a is DROther on lan1 or its DR (hands the role over), each
# with zebra's default work-queue batching and with "zebra work-queue 0".
# The clock stops at the kernel's route notification in b (ip -ts monitor
# route) and starts either when drainctl is started ("client") or when the
# module received the request (its "drain" event, "module").  Prints a
# table; writes JSON to OUT.json when given.
set -euo pipefail

module=$(realpath "$1")
drainctl=$(realpath "$2")
runs=${3:-15}
out=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lab.sh"

lab_skip_unless_ready
lab_init

ospfd_conf() {
	local node=$1 rid=$2 prio=$3
	cat >"$(lab_dir "$node")/ospfd.conf" <<CONF
hostname $node
interface lo
 ip ospf cost 1
interface lan1
 ip ospf hello-interval 1
 ip ospf dead-interval 10
 ip ospf cost 10
 ip ospf priority $prio
interface lan2
 ip ospf hello-interval 1
 ip ospf dead-interval 10
 ip ospf cost 50
router ospf
 ospf router-id $rid
 network 10.99.0.0/16 area 0
CONF
}

# ms between the start time and the first monitor line for the VIPA on dev
# after it.
latency() {
	python3 - "$1" "$2" "$3" <<'PY'
import datetime, re, sys
start, dev, path = float(sys.argv[1]), sys.argv[2], sys.argv[3]
for line in open(path):
    m = re.match(r"\[(\S+)\]\s*(.*)", line)
    if not m or not m.group(2).startswith("10.99.0.1 ") or dev not in m.group(2):
        continue
    t = datetime.datetime.fromisoformat(m.group(1)).timestamp()
    if t >= start:
        print("%.3f" % ((t - start) * 1000))
        break
PY
}

results=()

# ts of the module's last drain event on a.
module_ts() {
	"$drainctl" -s "$(lab_dir a)" -j events |
	    jq -r '[.[] | select(.event == "drain")] | last | .ts'
}

# bench_case NAME PRIO_A WORKQUEUE: one lab, RUNS cycles.
bench_case() {
	local name=$1 prio_a=$2 wq=$3 i t0 ms_d ms_u
	local mon="$LAB_DIR/$name.monitor"
	lab_node a
	lab_node b
	lab_veth a lan1 b lan1
	lab_veth a lan2 b lan2
	lab_addr a lo 10.99.0.1/32
	lab_addr b lo 10.99.0.2/32
	lab_addr a lan1 10.99.1.1/24
	lab_addr b lan1 10.99.1.2/24
	lab_addr a lan2 10.99.2.1/24
	lab_addr b lan2 10.99.2.2/24
	ospfd_conf a 10.99.0.1 "$prio_a"
	ospfd_conf b 10.99.0.2 50
	if [ "$wq" != default ]; then
		printf 'hostname b\nzebra work-queue %s\n' "$wq" \
		    >"$(lab_dir b)/zebra.conf"
	fi
	lab_frr a "$module"
	lab_frr b "$module"
	lab_wait 60 "b -> a via lan1" lab_route_has b 10.99.0.1 "dev lan1"
	# Past the wait timer, adjacency Full: the first run measures a drain,
	# not the end of the initial DR election.
	lab_wait 60 "a: lan1 elected and Full" sh -c "'$drainctl' -s \
	    '$(lab_dir a)' -j state | jq -e '.[] | select(.ifname == \"lan1\")
	    | select(.state != \"Waiting\") | .neighbors[0].state == \"Full\"'"
	lab_exec b ip -ts -4 monitor route >"$mon" 2>&1 &
	echo $! >"$LAB_DIR/$name.bgpid"
	sleep 0.5
	local drains=() undrains=() mdrains=() mundrains=()
	for i in $(seq "$runs"); do
		t0=$(date +%s.%N)
		"$drainctl" -s "$(lab_dir a)" drain lan1 >/dev/null
		lab_wait 30 "b -> a via lan2" lab_route_has b 10.99.0.1 "dev lan2"
		sleep 0.3
		drains+=("$(latency "$t0" "dev lan2" "$mon")")
		mdrains+=("$(latency "$(module_ts)" "dev lan2" "$mon")")
		sleep 1.2	# MinLSArrival: otherwise we measure the spacing
		t0=$(date +%s.%N)
		"$drainctl" -s "$(lab_dir a)" undrain lan1 >/dev/null
		lab_wait 30 "b -> a via lan1" lab_route_has b 10.99.0.1 "dev lan1"
		sleep 0.3
		undrains+=("$(latency "$t0" "dev lan1" "$mon")")
		mundrains+=("$(latency "$(module_ts)" "dev lan1" "$mon")")
		sleep 1.2
	done
	results+=("$name drain client ${drains[*]}")
	results+=("$name drain module ${mdrains[*]}")
	results+=("$name undrain client ${undrains[*]}")
	results+=("$name undrain module ${mundrains[*]}")
	kill "$(cat "$LAB_DIR/$name.bgpid")" 2>/dev/null || true
	lab_kill_pidfile "$(lab_dir a)/ospfd.pid"
	lab_kill_pidfile "$(lab_dir a)/zebra.pid"
	lab_kill_pidfile "$(lab_dir b)/ospfd.pid"
	lab_kill_pidfile "$(lab_dir b)/zebra.pid"
	sleep 1
	ip netns del "$(lab_ns a)"
	ip netns del "$(lab_ns b)"
	LAB_NODES=()
	rm -rf "$(lab_dir a)" "$(lab_dir b)"
}

bench_case droth-wq-default 1 default
bench_case droth-wq-0 1 0
bench_case dr-wq-default 100 default
bench_case dr-wq-0 100 0

printf '%s\n' "${results[@]}" | python3 -c '
import json, statistics, sys
rows = []
print("%-18s %-8s %-7s %4s %9s %9s %9s" % ("case", "request", "from",
      "runs", "median", "min", "max"))
for line in sys.stdin:
    f = line.split()
    v = [float(x) for x in f[3:]]
    if not v:
        continue
    rows.append({"case": f[0], "request": f[1], "from": f[2],
                 "runs": len(v), "median_ms": statistics.median(v),
                 "min_ms": min(v), "max_ms": max(v), "samples_ms": v})
    print("%-18s %-8s %-7s %4d %7.2fms %7.2fms %7.2fms" % (f[0], f[1],
          f[2], len(v), statistics.median(v), min(v), max(v)))
if len(sys.argv) > 1 and sys.argv[1]:
    json.dump({"benchmark": "drain request -> neighbour kernel route",
               "results": rows}, open(sys.argv[1], "w"), indent=1)
' "$out"

#!/usr/bin/env bash
# bench_drain.sh SRCDIR NSLAB DRAINCTL [RUNS] [OUT.json]: drain request ->
# every peer's kernel route moved, median over RUNS drain/undrain cycles,
# in the reference lab built by nslab (no hypervisor, no agents).
#
# A HiperSockets guest X drains hsi0; its two HSI peers move their route
# to X's VIPA from hsi0 to trk1 + trk2; undrain moves it back.  The clock
# stops at the later of the two peers' kernel notifications (ip -ts
# monitor route) and starts when drainctl is started ("client") or when
# the module received the request (its "drain" event, "module").
#
# Cases: X is a DROther on the HSI LAN, or its DR (which hands the role
# over), each with zebra's default work-queue batching, with "zebra
# work-queue 0" on every router, and then also with the SPF delay at 0
# instead of the reference lab's 20 ms (all set at run time through
# vtysh).  The 20 ms delay is what keeps a DR hand-over from moving the
# other HSI guests' routes for an instant; it is also a floor under the
# time any route takes to move.  Prints a table; writes JSON to OUT.json
# when given.
set -uo pipefail

. "$(dirname "$0")/rlab.sh"
rlab_init "$1" "$2"
DRAINCTL=$3 runs=${4:-15} out=${5:-}

rlab_up "bd$$" --no-agents --no-hv
HSI="LITDCON1 LITSWAS1 LITDAT01"

# hsi_in STATE: the HSI guest whose hsi0 is in that ISM state.
hsi_in() {
	local g
	for g in $HSI; do
		rlab_ctl "$g" -r viewer -j state |
		    jq -e --arg s "$1" '.[] | select(.ifname == "hsi0") |
		    .state == $s' >/dev/null && { echo "$g"; return 0; }
	done
	return 1
}

# ms from START (UNIX time) to the first entry for VIPA with DEV in the
# monitor output of each file; prints the largest (every peer moved).
latency() {
	python3 - "$@" <<'PY'
import datetime, sys
start, vipa, dev = float(sys.argv[1]), sys.argv[2] + " ", "dev " + sys.argv[3]
worst = None
for path in sys.argv[4:]:
    entries, cur = [], None
    for line in open(path):
        if line.startswith("["):
            cur = [line]
            entries.append(cur)
        elif cur is not None:
            cur.append(line)
    found = None
    for e in entries:
        ts, _, rest = e[0][1:].partition("]")
        text = rest.strip() + " " + " ".join(x.strip() for x in e[1:])
        if not text.startswith(vipa) or dev not in text:
            continue
        t = datetime.datetime.fromisoformat(ts).timestamp()
        if t >= start:
            found = (t - start) * 1000
            break
    if found is None:
        print("nan")
        sys.exit(0)
    worst = found if worst is None else max(worst, found)
print("%.3f" % worst)
PY
}

# ts of the module's last drain event on guest X.
module_ts() {
	rlab_ctl "$1" -r viewer -j events |
	    jq -r '[.[] | select(.event == "drain")] | last | .ts'
}

results=()

# one_move X VERB NEXTHOPS DEV: drain or undrain hsi0 on X, wait for both
# peers; the latencies go to LAT_C (from the client) and LAT_M (from the
# module).
one_move() {
	local x=$1 verb=$2 want=$3 dev=$4 t0 p peers=() files=() mons=()
	for p in $HSI; do
		[ "$p" = "$x" ] || peers+=("$p")
	done
	for p in "${peers[@]}"; do
		: >"$tmp/mon-$p.txt"
		rlab_bg "$p" "$tmp/mon-$p.txt" ip -ts -4 monitor route
		files+=("$tmp/mon-$p.txt")
		mons+=("$RLAB_PID")
	done
	sleep 0.3
	t0=$(date +%s.%N)
	rlab_ctl "$x" "$verb" hsi0 >/dev/null ||
	    rlab_die "$verb $x refused"
	for p in "${peers[@]}"; do
		rlab_wait 30 "$p -> $x $want" rlab_nh_is "$p" \
		    "$(rlab_vipa "$x")/32" "$want"
	done
	sleep 0.3
	for p in "${mons[@]}"; do
		rlab_stop "$p"
	done
	LAT_C="$(latency "$t0" "$(rlab_vipa "$x")" "$dev" "${files[@]}")"
	LAT_M="$(latency "$(module_ts "$x")" "$(rlab_vipa "$x")" "$dev" \
	    "${files[@]}")"
}

# bench_case NAME STATE: RUNS cycles draining the HSI guest in STATE.
bench_case() {
	local name=$1 state=$2 i x
	local client=() module=() uclient=() umodule=()
	for i in $(seq "$runs"); do
		rlab_wait 30 "an HSI guest in state $state" hsi_in "$state"
		x=$(hsi_in "$state")
		one_move "$x" drain "$(rlab_trk_nh "$x")" trk1
		client+=("$LAT_C")
		module+=("$LAT_M")
		sleep 0.5	# MinLSArrival (lab: 100 ms), and a margin
		one_move "$x" undrain "$(rlab_hsi_nh "$x")" hsi0
		uclient+=("$LAT_C")
		umodule+=("$LAT_M")
		sleep 0.5
	done
	results+=("$name drain client ${client[*]}")
	results+=("$name drain module ${module[*]}")
	results+=("$name undrain client ${uclient[*]}")
	results+=("$name undrain module ${umodule[*]}")
}

rlab_wait 60 "the HSI LAN elected" hsi_in DROther
bench_case droth-wq-default DROther
bench_case dr-wq-default DR
for n in ABR ECMSS00 LITSHA22 $HSI; do
	"$NSLAB" vtysh "$RLAB" "$n" -c "configure terminal" \
	    -c "zebra work-queue 0" >/dev/null || rlab_die "$n: work-queue"
done
bench_case droth-wq-0 DROther
bench_case dr-wq-0 DR
for n in ABR ECMSS00 LITSHA22 $HSI; do
	"$NSLAB" vtysh "$RLAB" "$n" -c "configure terminal" -c "router ospf" \
	    -c "timers throttle spf 0 20 200" >/dev/null ||
	    rlab_die "$n: spf delay"
done
bench_case droth-wq-0-spf0 DROther
bench_case dr-wq-0-spf0 DR

printf '%s\n' "${results[@]}" | python3 -c '
import json, math, statistics, sys
rows = []
print("%-18s %-8s %-7s %4s %9s %9s %9s" % ("case", "request", "from",
      "runs", "median", "min", "max"))
for line in sys.stdin:
    f = line.split()
    v = [float(x) for x in f[3:] if not math.isnan(float(x))]
    if not v:
        continue
    rows.append({"case": f[0], "request": f[1], "from": f[2],
                 "runs": len(v), "median_ms": statistics.median(v),
                 "min_ms": min(v), "max_ms": max(v), "samples_ms": v})
    print("%-18s %-8s %-7s %4d %7.2fms %7.2fms %7.2fms" % (f[0], f[1],
          f[2], len(v), statistics.median(v), min(v), max(v)))
if len(sys.argv) > 1 and sys.argv[1]:
    json.dump({"benchmark": "drain request -> every peer kernel route "
               "moved (reference lab, nslab)",
               "zebra_work_queue": "default, then 0 (wq-0 cases)",
               "spf_delay_ms": "20 (reference lab), then 0 (spf0 cases)",
               "results": rows}, open(sys.argv[1], "w"), indent=1)
' "$out"
labtest_summary >/dev/null

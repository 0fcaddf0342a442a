# dist.sh: helpers of the distributed rows of the fault matrix (issue 11,
# issue 15 item 3): the multi-host lab refh (netns-lab/topologies/
# reference-hosts.yaml: VM9 on host CPC9, VM2 on CPC2, the ABR on DC,
# one etcd node per host, hvd on etcd, lease TTL 5 s).  Source it after
# tests/faults/lib.sh:
#	. "$2/tests/faults/lib.sh" "$@"
#	. "$2/tests/faults/dist.sh"
# Which member runs a guest is read from outside: each hvd names a
# guest's vCPU thread g:GUEST while it runs, p:GUEST while paused (a
# quiesce, a fence: hvd(8)), so a sampler reading /proc/PID/task/*/comm
# of every hvd sees both sides of a partition, and a relocation's source
# paused while its target already runs does not count twice.

REFH=$SRC/netns-lab/topologies/reference-hosts.yaml
DIST_TTL=5

# dist_topology HA: reference-hosts with ha: HA on every group; its path.
dist_topology() {
	local out=$LABTEST_TMP/refh-$1.yaml
	sed -e "s/ha: manual }/ha: $1 }/" \
	    -e "s/\(name: ECM, .*\) }$/\1, ha: $1 }/" "$REFH" >"$out"
	echo "$out"
}

# dist_lab_up LAB TOPOLOGY: the lab, settled as fault_lab_up's.
dist_lab_up() {
	orch_lab_up "$1" "$2" &&
	    inv_wait 60 inv_residency "$1" && inv_wait 30 inv_hsi "$1" &&
	    inv_wait 30 inv_routecheck "$1"
}

dist_require() {
	fault_require
	command -v curl >/dev/null || { echo "skip: needs curl"; exit 77; }
}

dist_now() {
	date +%s.%N
}

# dist_fault LAB FAULT TARGET...: nslab fault, saying what it did; sets
# DIST_AT, the wall-clock time the fault took effect (its -j "at"): the
# command's own start-up is not counted in the times measured from it.
dist_fault() {
	local out
	out=$("$NSLAB" fault "$@" -j) || return 1
	DIST_AT=$(jq -r .at <<<"$out")
	jq -r .done <<<"$out"
}

# dist_elapsed T0: seconds since T0 (dist_now), 3 decimals.
dist_elapsed() {
	python3 -c 'import sys, time; print("%.3f" % (time.time() - float(sys.argv[1])))' "$1"
}

# dist_runs LAB: "MEMBER GUEST" for every guest a member's hvd runs now.
dist_runs() {
	local kind node pid t
	while read -r kind node pid; do
		[ "$kind" = hvd ] || continue
		for t in /proc/"$pid"/task/*/comm; do
			read -r c <"$t" 2>/dev/null || continue
			case $c in g:*) echo "$node ${c#g:}";; esac
		done
	done < <(inv_procs "$1")
}

# dist_runs_none LAB MEMBER: MEMBER's hvd runs no guest.
dist_runs_none() {
	! dist_runs "$1" | grep -q "^$2 "
}

# dist_member_is LAB ASKED MEMBER STATE
dist_member_is() {
	[ "$(dist_member_state "$1" "$2" "$3")" = "$4" ]
}

# dist_where LAB ASKED GUEST: where ASKED's hvd says the guest runs.
dist_where() {
	"$HVCTL" -l "$1" -m "$2" -t 3000 -j where "$3" 2>/dev/null |
	    jq -r '.[0].member // ""'
}

# dist_member_state LAB ASKED MEMBER: MEMBER's state as ASKED's hvd
# reads it from the directory ("" when it does not answer).
dist_member_state() {
	"$HVCTL" -l "$1" -m "$2" -t 3000 -j members 2>/dev/null |
	    jq -r --arg m "$3" '.[] | select(.name == $m) | .state'
}

# dist_event_after LAB ASKED MSGID REGEX T0: seconds from T0 (dist_now)
# to the first event MSGID whose text matches REGEX, by the event's own
# time (written by the member that acted, CLOCK_REALTIME ms).
dist_event_after() {
	"$HVCTL" -l "$1" -m "$2" -t 3000 -j events 2>/dev/null |
	    jq -r --arg m "$3" --arg r "$4" --argjson t0 "$5" \
	    '[.[] | select(.msgid == $m and (.text | test($r))) | .ts_ms] |
	    if length > 0 then (min / 1000 - $t0) * 1000 | round / 1000
	    else empty end' | grep .
}

# dist_wait_down LAB ASKED MEMBER SECS: until ASKED sees MEMBER DOWN,
# polled every 50 ms.
dist_wait_down() {
	local end=$((SECONDS + $4))
	while [ "$SECONDS" -lt "$end" ]; do
		[ "$(dist_member_state "$1" "$2" "$3")" = DOWN ] && return 0
		sleep 0.05
	done
	return 1
}

# dist_check_down LAB ASKED MEMBER WHAT [EXTRA]: after a fault
# (dist_fault), ASKED sees MEMBER DOWN, and its HV-MEMBER-DOWN came within
# TTL + 1 s (+ EXTRA s) of the fault (WHAT: "kill", "stop", said in the
# line of the figure).
dist_check_down() {
	local lab=$1 by=$2 m=$3 extra=${5:-0} down
	check "$by sees $m DOWN" dist_wait_down "$lab" "$by" "$m" 30
	down=$(dist_event_after "$lab" "$by" HV-MEMBER-DOWN "member $m " \
	    "$DIST_AT")
	echo "  $m declared DOWN by $by $down s after the $4" \
	    "(HV-MEMBER-DOWN; lease TTL $DIST_TTL s)"
	check "$by declared $m DOWN within TTL + $((1 + extra)) s" python3 -c \
	    "import sys; sys.exit(not 0 < float('${down:-99}') <= $DIST_TTL + 1 + $extra)"
}

# dist_all_on LAB MEMBER GUEST...: every guest RUNNING on MEMBER.
dist_all_on() {
	local lab=$1 m=$2 g
	shift 2
	for g in "$@"; do
		[ "$(where "$lab" "$g")" = "$m" ] || return 1
	done
}

# dist_sampler_start LAB OUT: every 10 ms, which hvd runs which guest,
# and which of those guests' freezer cgroups are FROZEN, into OUT as
# JSON lines {"t": seconds, "runs": {GUEST: [MEMBER...]}, "frozen":
# [GUEST...]} (only samples that differ from the previous one, and the
# last).
# dist_sampler_stop stops it.
dist_sampler_start() {
	local pids
	pids=$(inv_procs "$1" | awk '$1 == "hvd" { printf "%s=%s ", $2, $3 }')
	rm -f "$LABTEST_TMP/sampler-stop"
	python3 - "$2" "$LABTEST_TMP/sampler-stop" "$1" $pids <<'PY' &
import glob, json, os, sys, time
out, stop, lab = sys.argv[1], sys.argv[2], sys.argv[3]
hvds = dict(a.split("=") for a in sys.argv[4:])
cg = "/sys/fs/cgroup/freezer/nslab/%s/%%s/freezer.state" % lab
def frozen(g):
	try:
		return open(cg % g).read().strip() == "FROZEN"
	except OSError:
		return False
prev, n = None, 0
with open(out, "w") as f:
	while not os.path.exists(stop):
		runs = {}
		for m, pid in hvds.items():
			for c in glob.glob("/proc/%s/task/*/comm" % pid):
				try:
					name = open(c).read().strip()
				except OSError:
					continue
				if name.startswith("g:"):
					runs.setdefault(name[2:], []).append(m)
		now = (runs, sorted(g for g in runs if frozen(g)))
		n += 1
		if now != prev:
			f.write(json.dumps({"t": time.time(), "runs": now[0],
			    "frozen": now[1]}) + "\n")
			f.flush()
			prev = now
		time.sleep(0.01)
	f.write(json.dumps({"t": time.time(), "runs": prev[0] if prev else {},
	    "frozen": prev[1] if prev else [], "samples": n}) + "\n")
PY
	DIST_SAMPLER=$!
	FAULT_PIDS+=("$DIST_SAMPLER")
}

dist_sampler_stop() {
	touch "$LABTEST_TMP/sampler-stop"
	wait "$DIST_SAMPLER" 2>/dev/null
}

# dist_never_two OUT: no sample shows a guest on two members; prints the
# number of samples, or the first violation.
dist_never_two() {
	python3 - "$1" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
for r in rows:
	for g, ms in r["runs"].items():
		if len(set(ms)) > 1:
			print("  %s on %s at %.3f" % (g, ", ".join(ms), r["t"]))
			sys.exit(1)
print("  %d samples every 10 ms, %d changes: never two" %
    (rows[-1].get("samples", 0), len(rows) - 1))
PY
}

# dist_first OUT WHAT MEMBER [GUEST...]: the first sample time at which
# MEMBER runs none of the guests (WHAT=none), all of them (WHAT=all), or
# none unfrozen (WHAT=stopped: each gone or its freezer cgroup FROZEN,
# what a fencing member does at its deadline before it stops them).
dist_first() {
	python3 - "$@" <<'PY'
import json, sys
out, what, m, gs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
for l in open(out):
	r = json.loads(l)
	on = [g for g in gs if m in r["runs"].get(g, [])]
	if what == "stopped":
		on = [g for g in on if g not in r.get("frozen", [])]
		what_ok = not on
	else:
		what_ok = (what == "none" and not on) or \
		    (what == "all" and len(on) == len(gs))
	if what_ok:
		print("%.3f" % r["t"])
		sys.exit(0)
sys.exit(1)
PY
}

# dist_etcd_leader LAB: the host whose etcd node leads, asked from the
# hosts' namespaces (/v3/maintenance/status of each node).
dist_etcd_leader() {
	local lab=$1 eps i=0 ep host st
	eps=$(awk '{ print $2 }' "$(labdir "$lab")/directory" | tr , ' ')
	local -a hosts
	mapfile -t hosts < <(python3 -c 'import sys, yaml
t = yaml.safe_load(open(sys.argv[1]))
print("\n".join(t["directory"]["nodes"]))' "$(labdir "$lab")/topology.yaml")
	for ep in $eps; do
		host=${hosts[$i]}
		i=$((i + 1))
		st=$(ip netns exec "$lab:$host" curl -s -m 1 -X POST \
		    "http://$ep/v3/maintenance/status" -d '{}' 2>/dev/null) ||
		    continue
		jq -e '.leader != null and .leader == .header.member_id' \
		    >/dev/null 2>&1 <<<"$st" && { echo "$host"; return 0; }
	done
	return 1
}

# dist_restart_counts LAB GUEST...: fetch the events; fail while a guest
# has no HV-GUEST-RESTARTED / HV-GUEST-RECOVERED event yet (the member
# records it after the guest is booted and replugged, so a guest can
# already run there a moment before its event is written).
dist_restart_counts() {
	local lab=$1 g
	shift
	"$HVCTL" -l "$lab" -m VM2 -j events >"$LABTEST_TMP/events.json" ||
	    return 1
	for g in "$@"; do
		jq -e --arg g "$g" 'any(.[]; .guest == $g and
		    (.msgid == "HV-GUEST-RESTARTED" or
		    .msgid == "HV-GUEST-RECOVERED"))' \
		    "$LABTEST_TMP/events.json" >/dev/null || return 1
	done
}

# dist_restarted_once LAB GUEST...: each guest restarted or recovered by
# exactly one member (HV-GUEST-RESTARTED / HV-GUEST-RECOVERED events),
# counted once every guest has its event (waited for up to 10 s).
dist_restarted_once() {
	local lab=$1 g n rc=0
	shift
	inv_wait 10 dist_restart_counts "$lab" "$@" >/dev/null
	[ -s "$LABTEST_TMP/events.json" ] || return 1
	for g in "$@"; do
		n=$(jq --arg g "$g" '[.[] | select(.guest == $g and
		    (.msgid == "HV-GUEST-RESTARTED" or
		    .msgid == "HV-GUEST-RECOVERED"))] | length' \
		    "$LABTEST_TMP/events.json")
		[ "$n" = 1 ] || { echo "  $g restarted $n times"; rc=1; }
	done
	return $rc
}

# dist_never_fenced LAB MEMBER: the member's hvd never fenced itself (its
# log, which has every [HV-FENCED] even when etcd took no event).
dist_never_fenced() {
	! grep -F '[HV-FENCED]' "$(labdir "$1")/hvd-$2.log"
}

# After a failure, the end of the daemons' logs (both members, lgrd).
dist_logs_on_failure() {
	local d f
	[ "$LABTEST_FAILS" -eq 0 ] && return 0
	d=$(labdir "$1")
	for f in lgrd.log hvd-VM9.log hvd-VM2.log; do
		echo "--- $f"
		tail -25 "$d/$f" 2>/dev/null | sed 's/^/  /'
	done
}

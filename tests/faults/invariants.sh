# invariants.sh: the check every fault test ends with (issue 15, item 3),
# written once.  Source it after tests/faults/lib.sh; then
#
#	inv_check LAB [BUDGET [GUEST=BUDGET...]]
#
# once the fault is over and the probes are stopped (probe_stop).  It
# holds, each as one counted check:
#   every guest on exactly one member: listed once by the directory,
#	RUNNING and thawed, on a JOINED member, and every member's hvd
#	says the same;
#   on each HSI guest the interface of its member up and undrained and
#	every other HSI interface down and undrained, its agent's journal
#	IDLE on that member;
#   routecheck LAB clean;
#   probes lost within the budget: at most BUDGET (default 0) on every
#	flow between two VIPAs, or the GUEST's own budget on the flows
#	to and from that guest;
#   nothing leaked: no relocation running, no job running, no memory
#	reserved beyond the guests a member runs, and exactly one of each
#	daemon (hvd per member, lgrd, an agent per HSI guest, zebra and
#	ospfd per router), no probe left.
# The states are polled for up to INV_SETTLE seconds (default 30): the
# check is of where the lab settles, not of an instant.

INV_SETTLE=${INV_SETTLE:-30}

# inv_wait SECS CMD...: CMD quietly until it succeeds; at the end once
# more with its output, so that a failure says why.
inv_wait() {
	local end=$((SECONDS + $1))
	shift
	while [ "$SECONDS" -lt "$end" ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	"$@" 2>&1 | sed 's/^/  /'
	return "${PIPESTATUS[0]}"
}

# The lab's topology as lines: "member NAME", "guest NAME MEMORY_MIB",
# "router NAME", "hsi GUEST IFNAME MEMBER".
inv_topology() {
	python3 - "$(labdir "$1")/topology.yaml" <<'PY'
import re, sys, yaml
t = yaml.safe_load(open(sys.argv[1]))
def mib(s):
	m = re.fullmatch(r"(\d+)([MG]?)", str(s))
	return int(m.group(1)) * (1024 if m.group(2) == "G" else 1)
for m in t["members"]:
	print("member", m["name"])
print("router", t["abr"]["name"])
for g in t["guests"]:
	print("guest", g["name"], mib(g["memory"]))
	print("router", g["name"])
	for n in g.get("nics", []):
		if n["kind"] == "hipersockets":
			print("hsi", g["name"], n["name"], n["member"])
PY
}

# inv_procs LAB: every process of the lab's daemons, "KIND NODE PID",
# found by their command lines (restarted daemons are in no manifest).
inv_procs() {
	python3 - "$(labdir "$1")" "$1" <<'PY'
import os, sys
d, lab = sys.argv[1], sys.argv[2]
def opt(a, o):
	return a[a.index(o) + 1] if o in a[:-1] else None
for p in filter(str.isdigit, os.listdir("/proc")):
	try:
		a = open("/proc/%s/cmdline" % p, "rb").read().split(b"\0")[:-1]
		st = open("/proc/%s/stat" % p).read().rsplit(")", 1)[1].split()
	except OSError:
		continue
	a = [x.decode(errors="replace") for x in a]
	if not a or st[0] == "Z":
		continue
	prog = os.path.basename(a[0])
	if prog in ("hvd", "lgrd", "guestagentd") and opt(a, "-D") == d:
		node = {"hvd": opt(a, "-m"), "lgrd": "-",
		    "guestagentd": opt(a, "-g")}[prog]
		print(prog, node, p)
	elif prog in ("zebra", "ospfd") and \
	    (opt(a, "--vty_socket") or "").startswith(d + "/"):
		print(prog, os.path.basename(opt(a, "--vty_socket")), p)
	elif prog == "lgrprobe" and opt(a, "--lab") == lab:
		print(prog, "-", p)
PY
}

# Every guest on exactly one member.
inv_residency() {
	local lab=$1 m g out rc=0
	"$HVCTL" -l "$lab" -j guests >"$LABTEST_TMP/inv-guests" &&
	    "$HVCTL" -l "$lab" -j members >"$LABTEST_TMP/inv-members" ||
	    { echo "hvctl guests/members: no answer"; return 1; }
	python3 - "$LABTEST_TMP/inv-guests" "$LABTEST_TMP/inv-members" \
	    <(inv_topology "$lab") "$lab" <<'PY' || rc=1
import json, sys
gs = json.load(open(sys.argv[1]))
ms = {m["name"]: m for m in json.load(open(sys.argv[2]))}
topo = [l.split() for l in open(sys.argv[3])]
bad = []
for _, name, mem in (l for l in topo if l[0] == "guest"):
	rows = [g for g in gs if g["name"] == name]
	if len(rows) != 1:
		bad.append("%s: %d rows in the directory" % (name, len(rows)))
		continue
	g = rows[0]
	if g["state"] != "RUNNING" or ms.get(g["member"], {}).get("state") != "JOINED":
		bad.append("%s: %s on %s (%s)" % (name, g["state"], g["member"],
		    ms.get(g["member"], {}).get("state")))
	try:
		fz = open("/sys/fs/cgroup/freezer/nslab/%s/%s/freezer.state" %
		    (sys.argv[4], name)).read().strip()
	except OSError:
		fz = "THAWED"
	if fz != "THAWED":
		bad.append("%s: cgroup %s" % (name, fz))
for m in ms.values():
	if m["state"] != "JOINED":
		bad.append("member %s %s (%s)" % (m["name"], m["state"], m["reason"]))
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
	# Each member's hvd says the same.
	for m in $(inv_topology "$lab" | awk '$1 == "member" { print $2 }'); do
		for g in $(inv_topology "$lab" | awk '$1 == "guest" { print $2 }'); do
			out=$("$HVCTL" -l "$lab" -m "$m" -j where "$g" 2>/dev/null |
			    jq -r '.[0].member')
			[ "$out" = "$(where "$lab" "$g")" ] ||
			    { echo "$m says $g is on '$out'"; rc=1; }
		done
	done
	return $rc
}

# The HSI interfaces of every HSI guest: its member's up and undrained,
# the others down and undrained; the agent IDLE on that member.
inv_hsi() {
	local lab=$1 g ifn mem on up drained rc=0
	while read -r _ g ifn mem; do
		on=$(where "$lab" "$g")
		up=$(ip -n "$lab.$g" -j link show "$ifn" 2>/dev/null |
		    jq -r '.[0].flags | index("UP") != null')
		drained=$("$DRAINCTL" --lab "$lab" --router "$g" -j state 2>/dev/null |
		    jq -r --arg i "$ifn" '.[] | select(.ifname == $i) | .drained')
		if [ "$mem" = "$on" ] && [ "$up" != true ]; then
			echo "$g on $on: $ifn is down"; rc=1
		elif [ "$mem" != "$on" ] && [ "$up" != false ]; then
			echo "$g on $on: $ifn ($mem's) is up"; rc=1
		fi
		# A down interface ospfd may no longer list: not drained.
		[ "$drained" = false ] || { [ "$mem" != "$on" ] &&
		    [ -z "$drained" ]; } ||
		    { echo "$g: $ifn drained: '$drained'"; rc=1; }
	done < <(inv_topology "$lab" | awk '$1 == "hsi"')
	for g in $(inv_topology "$lab" | awk '$1 == "hsi" { print $2 }' | uniq); do
		"$AGENTCTL" --lab "$lab" --guest "$g" -j status 2>/dev/null |
		    jq -e --arg m "$(where "$lab" "$g")" \
		    '.journal == "IDLE" and .member == $m' >/dev/null ||
		    { echo "$g: agent not IDLE on $(where "$lab" "$g")"; rc=1; }
	done
	return $rc
}

# Nothing leaked.
inv_leaks() {
	local lab=$1 rc=0
	[ "$("$HVCTL" -l "$lab" -j status | jq length)" = 0 ] ||
	    { echo "relocations running: $("$HVCTL" -l "$lab" status)"; rc=1; }
	"$LGRCTL" -l "$lab" -j status | jq -e \
	    'all(.[]; .job.state != "RUNNING")' >/dev/null ||
	    { echo "a job still runs"; rc=1; }
	"$HVCTL" -l "$lab" -j members >"$LABTEST_TMP/inv-members" &&
	    "$HVCTL" -l "$lab" -j guests >"$LABTEST_TMP/inv-guests" || return 1
	jq -r --slurpfile g "$LABTEST_TMP/inv-guests" '.[] | . as $m |
	    ([$g[0][] | select(.member == $m.name) | .memory_mib] | add // 0) as $s |
	    select(.used_mib != $s) |
	    "\(.name): \(.used_mib) MiB used, its guests have \($s) MiB"' \
	    "$LABTEST_TMP/inv-members" | grep . && rc=1
	python3 - <(inv_topology "$lab") <(inv_procs "$lab") <<'PY' || rc=1
import sys
topo = [l.split() for l in open(sys.argv[1])]
procs = [l.split() for l in open(sys.argv[2])]
want = {("lgrd", "-"): 1}
for l in topo:
	if l[0] == "member":
		want[("hvd", l[1])] = 1
	if l[0] == "router":
		want[("zebra", l[1])] = want[("ospfd", l[1])] = 1
	if l[0] == "hsi":
		want[("guestagentd", l[1])] = 1
have = {}
for k, n, _ in procs:
	have[(k, n)] = have.get((k, n), 0) + 1
bad = ["%s %s: %d running, %d expected" % (k[0], k[1], have.get(k, 0),
    want.get(k, 0)) for k in sorted(set(want) | set(have))
    if have.get(k, 0) != want.get(k, 0)]
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
	return $rc
}

# inv_probes LAB [BUDGET [GUEST=BUDGET...]]: the flows' losses against
# the budget; prints the budget and every flow that lost.
inv_probes() {
	python3 - "$LABTEST_TMP/probe-$1.json" "${@:2}" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
default, own = 0, {}
for a in sys.argv[2:]:
	if "=" in a:
		g, n = a.split("=")
		own[g] = int(n)
	else:
		default = int(a)
t = r["total"]
print("  probes: %d sent, %d lost, longest gap %.1f ms; budget %d a flow%s" %
    (t["sent"], t["lost"], t["longest_gap_ms"], default,
    "".join(", %d to or from %s" % (n, g) for g, n in sorted(own.items()))))
bad = 0
for p in r["pairs"]:
	b = max([default] + [own[g] for g in (p["from"], p["to"]) if g in own])
	if p["lost"]:
		print("  %s -> %s: %d lost (budget %d), longest gap %.1f ms" %
		    (p["from"], p["to"], p["lost"], b, p["longest_gap_ms"]))
	bad += p["lost"] > b
sys.exit(1 if bad or t["sent"] == 0 else 0)
PY
}

inv_routecheck() {
	"$ROUTECHECK" -q "$1"
}

inv_check() {
	local lab=$1
	shift
	check "invariant: probes lost within the budget" inv_probes "$lab" "$@"
	check "invariant: every guest on exactly one member" \
	    inv_wait "$INV_SETTLE" inv_residency "$lab"
	check "invariant: the right HSI interface up and undrained, the others down" \
	    inv_wait "$INV_SETTLE" inv_hsi "$lab"
	check "invariant: routecheck clean" \
	    inv_wait "$INV_SETTLE" inv_routecheck "$lab"
	check "invariant: nothing leaked (relocations, jobs, memory, processes)" \
	    inv_wait "$INV_SETTLE" inv_leaks "$lab"
}

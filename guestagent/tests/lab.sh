# lab.sh: helpers for the guest agent's lab tests.  Source it with the
# test's arguments (NSLAB SRCDIR AGENTCTL GUESTAGENTD HVCTL DRAINCTL
# KEYGEN ROUTECHECK|none): it names them, sources tests/lib/labtest.sh
# and skips (77) without root or jq.
#
# Agents restarted by a test are this script's own processes: their
# pids are kept and they are killed (by pid) before the labs go down.

NSLAB=$1 SRC=$2 AGENTCTL=$3 AGENTD=$4 HVCTL=$5 DRAINCTL=$6 KEYGEN=$7
ROUTECHECK=$8
. "$SRC/tests/lib/labtest.sh"

[ "$(id -u)" -eq 0 ] || { echo "skip: needs root"; exit 77; }
command -v jq >/dev/null || { echo "skip: needs jq"; exit 77; }

AGENT_PIDS=()

agent_cleanup() {
	labtest_stop "${AGENT_PIDS[@]}"
	labtest_cleanup
}
trap agent_cleanup EXIT

labdir() { echo "${NSLAB_RUNDIR:-/run/nslab}/$1"; }

# The pid of GUEST's agent: the last we started, else nslab's.
agent_pid() {
	local lab=$1 guest=$2 f
	f="$LABTEST_TMP/agent.$lab.$guest.pid"
	if [ -s "$f" ]; then
		cat "$f"
	else
		awk -v g="$guest" '$1 == "proc" && $2 == g && $3 == "guestagentd" { print $4 }' \
		    "$(labdir "$lab")/manifest"
	fi
}

# The connections that the process PID holds to the unix socket PATH
# (ipc://PATH): "accepted-inode:own-inode" each, sorted.  A socket kept
# open keeps its inodes.  The accepted end of a unix connection belongs
# to the connecting process's network namespace: ss looks there.
unix_conns() {
	local path=$1 pid=$2 ids
	ids=" $(find "/proc/$pid/fd" -lname 'socket:*' -printf '%l\n' 2>/dev/null |
	    tr -dc '0-9\n' | tr '\n' ' ')"
	nsenter --net="/proc/$pid/ns/net" ss -xH 2>/dev/null |
	    awk -v p="$path" -v ids="$ids" '$5 == p && index(ids, " " $8 " ") {
	    print $6 ":" $8 }' | sort
}

# Stop GUEST's agent with a signal (default KILL) and wait for it.
agent_kill() {
	local lab=$1 guest=$2 sig=${3:-KILL} pid
	pid=$(agent_pid "$lab" "$guest")
	[ -n "$pid" ] || return 1
	kill -"$sig" "$pid" 2>/dev/null
	for _ in $(seq 1 50); do
		if ! kill -0 "$pid" 2>/dev/null ||
		    grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# Start an agent for GUEST as nslab does (its namespace and cgroup),
# with extra options; its log goes on in the guest's guestagentd.log.
agent_start() {
	local lab=$1 guest=$2 dir cg
	shift 2
	dir=$(labdir "$lab")
	cg="/sys/fs/cgroup/freezer/nslab/$lab/$guest"
	# The cgroup first: "ip netns exec" would hide /sys/fs/cgroup.
	sh -c 'echo $$ > "$1/cgroup.procs"; shift; exec nsenter --net="$@"' \
	    sh "$cg" "/run/netns/$lab.$guest" "$AGENTD" -d -f "$dir/topology.yaml" \
	    -g "$guest" -D "$dir" "$@" >>"$dir/$guest/guestagentd.log" 2>&1 &
	echo $! >"$LABTEST_TMP/agent.$lab.$guest.pid"
	AGENT_PIDS+=("$!")
	# Ready when its socket answers.
	for _ in $(seq 1 100); do
		"$AGENTCTL" --lab "$lab" --guest "$guest" -T 1000 status >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

agent() {
	local lab=$1 guest=$2
	shift 2
	"$AGENTCTL" --lab "$lab" --guest "$guest" "$@"
}

# The admin state of GUEST's HSI interfaces that are up: "hsi0", "".
hsi_up() {
	"$NSLAB" exec "$1" "$2" -- ip -j link show | \
	    jq -r '[.[] | select(.ifname | startswith("hsi")) | select(.flags | index("UP")) | .ifname] | join(",")'
}

# jq -e, quietly: a check of a JSON answer.
jqe() { jq -e "$@" >/dev/null; }

# Poll a command until it succeeds or SECONDS pass.
wait_for() {
	local secs=$1 end
	shift
	end=$((SECONDS + secs))
	while [ "$SECONDS" -le "$end" ]; do
		"$@" && return 0
		sleep 0.2
	done
	return 1
}

# The interfaces of GUEST's kernel route to a VIPA: "trk1,trk2", "hsi0".
route_devs() {
	"$NSLAB" exec "$1" "$2" -- ip -j route show "$3/32" | \
	    jq -r '[.[0] | if .nexthops then .nexthops[].dev else .dev end] | sort | join(",")'
}

# After a failure, the agents' logs tell what happened.
agent_logs_on_failure() {
	local g
	[ "$LABTEST_FAILS" -eq 0 ] && return 0
	for g in LITDCON1 LITSWAS1 LITDAT01; do
		echo "--- $g/guestagentd.log"
		tail -40 "$(labdir "$1")/$g/guestagentd.log" | sed 's/^/  /'
	done
}

# For "check DESCRIPTION bash -c '...'": the helpers and programs.
export NSLAB AGENTCTL AGENTD HVCTL DRAINCTL
export -f labdir agent_pid agent hsi_up wait_for route_devs jqe

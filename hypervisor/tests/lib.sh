# lib.sh: a stand-in lab for hvd's integration tests: two members, the
# switch namespace with both HiperSockets bridges, one guest namespace
# whose HSI NICs are veth pairs plugged into them, and the guest's
# freezer cgroup holding a process.  Everything made here is removed by
# lab_cleanup, which only kills processes this script started.
#
# Usage: . lib.sh; lab_init HVD HVCTL TOPOLOGY; ...; (trap runs cleanup)

set -u

LAB=hv$$
PIDS=""
FAILS=0

fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
pass() { echo "ok: $*"; }

lab_cleanup() {
	local p
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for m in VM9 VM2; do
		[ -f "$LABDIR/hvd-$m.pid" ] && kill "$(cat "$LABDIR/hvd-$m.pid")" 2>/dev/null
	done
	sleep 0.3
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	ip netns del "$LAB.LITDCON1" 2>/dev/null
	ip netns del "$LAB:sw" 2>/dev/null
	if [ -d "$CG" ]; then
		echo THAWED > "$CG/freezer.state" 2>/dev/null
		rmdir "$CG" 2>/dev/null
		rmdir "$(dirname "$CG")" 2>/dev/null
	fi
	rm -rf "$TMP"
}

lab_skip_unless_able() {
	if [ "$(id -u)" != 0 ] || [ ! -d /sys/fs/cgroup/freezer ] ||
	    ! command -v jq >/dev/null; then
		echo "skipped: needs root, the cgroup v1 freezer and jq"
		exit 77
	fi
}

# Guest LITDCON1 is guest 2; its NICs 2 (hsi0, VM9's LAN) and 3 (hsi1).
lab_net() {
	local sw="$LAB:sw" g="$LAB.LITDCON1"
	ip netns add "$sw" && ip netns add "$g" || return 1
	ip -n "$sw" link set lo up
	ip -n "$sw" link add hs0 type bridge && ip -n "$sw" link set hs0 up
	ip -n "$sw" link add hs1 type bridge && ip -n "$sw" link set hs1 up
	ip -n "$g" link add hsi0 type veth peer name g2n2 netns "$sw"
	ip -n "$g" link add hsi1 type veth peer name g2n3 netns "$sw"
	ip -n "$sw" link set g2n2 master hs0 up
	ip -n "$sw" link set g2n3 master hs1 up
	ip -n "$g" link set hsi0 up
	ip -n "$g" link set hsi1 up
}

lab_cgroup() {
	CG=/sys/fs/cgroup/freezer/nslab/$LAB/LITDCON1
	mkdir -p "$CG" || return 1
	sleep 1000 &
	GUESTPID=$!
	PIDS="$PIDS $GUESTPID"
	echo "$GUESTPID" > "$CG/cgroup.procs"
}

lab_init() {
	HVD=$1 HVCTL=$2
	TMP=$(mktemp -d /tmp/hvlab.XXXXXX)
	CG=""
	export NSLAB_RUNDIR=$TMP
	LABDIR=$TMP/$LAB
	mkdir -p "$LABDIR"
	sed "s/^lab: .*/lab: $LAB/" "$3" > "$TMP/topo.yaml"
	trap lab_cleanup EXIT
	"$HVD" -K "$LABDIR" || return 1
	lab_net || return 1
	lab_cgroup || return 1
	hvd_start VM9 && hvd_start VM2
}

hvd_start() {
	"$HVD" -d -f "$TMP/topo.yaml" -m "$1" -D "$LABDIR" -H 100 -T 1000 \
	    -F 100 ${HVD_OPTS:-} >> "$TMP/hvd-$1.log" 2>&1 &
	PIDS="$PIDS $!"
	eval "HVD_$1=$!"
	local i
	for i in $(seq 50); do
		[ "$(hv -j members 2>/dev/null | jq -r ".[] |
		    select(.name == \"$1\") | .state")" = JOINED ] && return 0
		sleep 0.1
	done
	echo "hvd $1 did not join"; cat "$TMP/hvd-$1.log"
	return 1
}

hv() { "$HVCTL" -D "$LABDIR" -m VM9 -t 2000 "$@"; }

# where GUEST -> member
where() { hv -j where "$1" | jq -r '.[0].member'; }
gstate() { hv -j where "$1" | jq -r '.[0].state'; }
master_of() {
	ip -n "$LAB:sw" -j link show "$1" | jq -r '.[0].master // "none"'
}
freezer() { cat "$CG/freezer.state"; }
last_end() { hv -j history "$1" | jq -r '.[-1].end_code'; }
active() { hv -j status | jq 'length'; }

# Wait until the guest's latest relocation ended; prints its end code.
wait_end() {
	local i e
	for i in $(seq 200); do
		e=$(hv -j status "$1" | jq -r '.[0].end_code // ""')
		[ -n "$e" ] && { echo "$e"; return 0; }
		sleep 0.1
	done
	echo TIMEOUT
}

# The guest is back on VM9 and whole: running, NICs home, thawed.
expect_rolled_back() {
	[ "$(where LITDCON1)" = VM9 ] || fail "$1: guest not on VM9"
	[ "$(gstate LITDCON1)" = RUNNING ] || fail "$1: guest not RUNNING"
	[ "$(master_of g2n2)" = "$HOME2" ] || fail "$1: hsi0 host end moved"
	[ "$(master_of g2n3)" = "$HOME3" ] || fail "$1: hsi1 host end moved"
	[ "$(freezer)" = THAWED ] || fail "$1: cgroup $(freezer)"
	[ "$(active)" = 0 ] || fail "$1: a relocation is still journalled"
	[ "$(hv -j members | jq '.[] | select(.name == "VM2") | .used_mib')" \
	    = 0 ] || fail "$1: memory still reserved on VM2"
}

# Where the HSI host ends are before a test: a rollback puts them back.
lab_homes() {
	HOME2=$(master_of g2n2)
	HOME3=$(master_of g2n3)
}

# lab_run TEST...: each test function, counted as passed or failed.
lab_run() {
	local t before passed=0 failed=0
	for t in "$@"; do
		before=$FAILS
		lab_homes
		$t
		if [ "$FAILS" = "$before" ]; then
			pass "$t"
			passed=$((passed + 1))
		else
			echo "FAILED: $t"
			failed=$((failed + 1))
		fi
	done
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ]
}

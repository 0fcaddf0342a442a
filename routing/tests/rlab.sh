# rlab.sh: helpers for the routing lab tests (sourced), on top of
# tests/lib/labtest.sh: the reference lab built by nslab under a name of
# the test's own, processes in the lab's namespaces, kernel routes.
#
#   rlab_init SRCDIR NSLAB     skip (77) unless root and FRR; labtest.sh;
#                              tmp: the test's scratch directory
#   rlab_up NAME [OPTIONS]     the reference lab as NAME (RLAB), converged
#   rlab_exec NODE CMD...      run in NODE's namespace
#   rlab_bg NODE OUT CMD...    CMD in NODE's namespace in the background,
#                              output to OUT, pid in RLAB_PID; stopped at
#                              exit
#   rlab_stop PID              stop one of them now (SIGTERM), wait for it
#   rlab_nh NODE PREFIX        kernel next hops "gw@dev ..." sorted
#   rlab_nh_is NODE PREFIX NHS those next hops are NHS
#   rlab_hsi_nh GUEST          GUEST as a next hop on the HSI LAN
#   rlab_trk_nh GUEST          GUEST as next hops over the two trunks
#   rlab_wait SECS DESC CMD... poll CMD until it succeeds, else fail
#   rlab_vipa GUEST            a reference guest's VIPA
#   rlab_hsi_dr                the guest that is DR on the HSI LAN
#   rlab_ctl NODE ARGS...      $DRAINCTL on NODE's module
#   rlab_jq ARGS...            jq -e ARGS, quiet: a condition on JSON
#   rlab_vty NODE DAEMON CMD   CMD on the daemon's own vty socket (what
#                              vtysh cannot reach: commands of a module)

RLAB=""
RLAB_BG=()

rlab_log() { echo "# $*"; }
rlab_die() { echo "FAIL - $*"; exit 1; }

rlab_cleanup() {
	labtest_stop "${RLAB_BG[@]}"
	labtest_cleanup
}

rlab_init() {
	RLAB_SRC=$1
	NSLAB=$2
	if [ "$(id -u)" -ne 0 ]; then
		echo "SKIP: needs root (namespaces)"
		exit 77
	fi
	for b in /usr/lib/frr/zebra /usr/lib/frr/ospfd /usr/bin/vtysh jq; do
		if ! command -v "$b" >/dev/null; then
			echo "SKIP: $b missing (scripts/setup.sh)"
			exit 77
		fi
	done
	. "$RLAB_SRC/tests/lib/labtest.sh"
	tmp=$LABTEST_TMP
	trap rlab_cleanup EXIT
}

# rlab_up NAME [nslab up options]: fails the test when the lab does not
# come up converged.
rlab_up() {
	local name=$1 file rc=0
	shift
	file=$(topo_renamed "$RLAB_SRC/netns-lab/topologies/reference.yaml" \
	    "$name")
	RLAB=$name
	lab_up "$file" "$@" || rc=$?
	[ $rc -eq 0 ] || rlab_die "nslab up $name: exit $rc"
}

rlab_exec() {
	local node=$1
	shift
	"$NSLAB" exec "$RLAB" "$node" -- "$@"
}

# nslab exec enters the namespace and execs CMD: $! is CMD itself.
rlab_bg() {
	local node=$1 out=$2
	shift 2
	"$NSLAB" exec "$RLAB" "$node" -- "$@" >"$out" 2>&1 &
	RLAB_PID=$!
	RLAB_BG+=("$RLAB_PID")
}

rlab_stop() {
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

rlab_nh() {
	rlab_exec "$1" ip -j -4 route show "$2" 2>/dev/null | jq -r '
	    .[0] // {} | if .nexthops then .nexthops[] else . end |
	    select(.dev) | "\(.gateway // "attached")@\(.dev)"' |
	    sort | tr '\n' ' '
}

# rlab_nh_is NODE PREFIX "gw@dev gw@dev "
rlab_nh_is() {
	[ "$(rlab_nh "$1" "$2")" = "$3" ]
}

rlab_hsi_nh() { echo "172.0.9.$(rlab_host "$1")@hsi0 "; }

rlab_trk_nh() {
	local h
	h=$(rlab_host "$1")
	echo "10.20.8.$h@trk1 10.20.9.$h@trk2 "
}

rlab_wait() {
	local secs=$1 desc=$2 end
	shift 2
	end=$((SECONDS + secs))
	while [ $SECONDS -lt $end ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	rlab_die "timed out after ${secs}s waiting for: $desc"
}

rlab_vipa() {
	case $1 in
	ECMSS00) echo 10.20.7.69 ;;
	LITSHA22) echo 10.20.7.199 ;;
	LITDCON1) echo 10.20.7.100 ;;
	LITSWAS1) echo 10.20.7.101 ;;
	LITDAT01) echo 10.20.7.104 ;;
	esac
}

# Host number of a guest (the same on every network as in its VIPA).
rlab_host() {
	local v
	v=$(rlab_vipa "$1")
	echo "${v##*.}"
}

rlab_hsi_dr() {
	local g dr
	for g in LITDCON1 LITSWAS1 LITDAT01; do
		dr=$(rlab_ctl "$g" -r viewer -j state 2>/dev/null | jq -r '.[] | select(.ifname == "hsi0") | .dr')
		case $dr in
		172.0.9.100) echo LITDCON1; return ;;
		172.0.9.101) echo LITSWAS1; return ;;
		172.0.9.104) echo LITDAT01; return ;;
		esac
	done
}

rlab_ctl() { "$DRAINCTL" --lab "$RLAB" --router "$@"; }

rlab_jq() { jq -e "$@" >/dev/null; }

rlab_vty() {
	python3 - "${NSLAB_RUNDIR:-/run/nslab}/$RLAB/$1/$2.vty" "$3" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\0")
out = b""
while not (len(out) >= 4 and out[-4:-1] == b"\0\0\0"):
    b = s.recv(65536)
    if not b:
        break
    out += b
sys.stdout.write(out[:-4].decode(errors="replace"))
sys.exit(out[-1] if out else 1)
PY
}

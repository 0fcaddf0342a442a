# lab.sh: a small namespace lab for the routing tests (sourced).
#
# Builds its own namespaces (names carry this shell's pid), starts zebra and
# ospfd in them with ospfd_lgr.so, and tears everything down from an EXIT
# trap, failure or not: it kills only the daemons it started (their pid
# files, checked against their command line) and deletes only its own
# namespaces.  To be replaced by nslab (netns-lab/) once that lands.
#
#   lab_init                      state directory, trap
#   lab_node NAME                 namespace NAME with lo up
#   lab_switch                    namespace holding the LAN bridges
#   lab_veth A IFA B IFB          point-to-point veth between two nodes
#   lab_lan BRIDGE NODE IF        NODE's IF plugged into BRIDGE
#   lab_addr NODE IF ADDR/LEN
#   lab_frr NODE MODULE           zebra + ospfd (DIR/ospfd.conf) with MODULE
#   lab_exec NODE CMD...          run in NODE's namespace
#   lab_vtysh NODE CMD            vtysh -c CMD against NODE's daemons
#   lab_wait SECS DESC CMD...     poll CMD until it succeeds
#   lab_dir NODE                  NODE's state directory

LAB_ID="lgrt$$"
LAB_DIR=""
LAB_NODES=()

lab_log() { echo "lab: $*" >&2; }
lab_fail() { echo "FAIL: $*" >&2; exit 1; }

lab_ns() { echo "${LAB_ID}-$1"; }
lab_dir() { echo "$LAB_DIR/$1"; }

lab_skip_unless_ready() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "SKIP: needs root (namespaces)" >&2
		exit 77
	fi
	for b in /usr/lib/frr/zebra /usr/lib/frr/ospfd /usr/bin/vtysh; do
		if [ ! -x "$b" ]; then
			echo "SKIP: $b missing (scripts/setup.sh)" >&2
			exit 77
		fi
	done
}

# Kill a daemon we started: pid from its pid file, and its command line
# must name our lab directory.
lab_kill_pidfile() {
	local pidfile=$1 pid
	[ -r "$pidfile" ] || return 0
	pid=$(cat "$pidfile" 2>/dev/null) || return 0
	[ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 0
	if tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$LAB_DIR"; then
		kill "$pid" 2>/dev/null || true
	fi
}

lab_cleanup() {
	local n f i
	set +e
	for f in "$LAB_DIR"/*/*.pid; do
		[ -e "$f" ] && lab_kill_pidfile "$f"
	done
	for f in "$LAB_DIR"/*.bgpid; do
		[ -e "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	for i in $(seq 30); do
		local alive=0
		for f in "$LAB_DIR"/*/*.pid; do
			[ -e "$f" ] || continue
			[ -d "/proc/$(cat "$f" 2>/dev/null)" ] && alive=1
		done
		[ $alive -eq 0 ] && break
		sleep 0.1
	done
	for f in "$LAB_DIR"/*/*.pid; do
		[ -e "$f" ] || continue
		pid=$(cat "$f" 2>/dev/null)
		[ -n "$pid" ] && [ -d "/proc/$pid" ] && \
		    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$LAB_DIR" && \
		    kill -9 "$pid" 2>/dev/null
	done
	for n in "${LAB_NODES[@]}"; do
		ip netns del "$(lab_ns "$n")" 2>/dev/null
	done
	if [ -n "${LAB_KEEP:-}" ]; then
		lab_log "kept $LAB_DIR"
	else
		rm -rf "$LAB_DIR"
	fi
}

lab_init() {
	LAB_DIR=$(mktemp -d /tmp/lgrlab.XXXXXX)
	chmod 755 "$LAB_DIR"
	trap lab_cleanup EXIT
	trap 'exit 130' INT TERM
}

lab_node() {
	local ns
	ns=$(lab_ns "$1")
	ip netns add "$ns" || lab_fail "ip netns add $ns"
	LAB_NODES+=("$1")
	ip -n "$ns" link set lo up
	mkdir -p "$LAB_DIR/$1"
	chown frr:frr "$LAB_DIR/$1"
}

lab_exec() {
	local ns
	ns=$(lab_ns "$1")
	shift
	ip netns exec "$ns" "$@"
}

lab_switch() {
	lab_node sw
}

# lab_bridge NAME: a bridge in the switch namespace.
lab_bridge() {
	ip -n "$(lab_ns sw)" link add "$1" type bridge
	ip -n "$(lab_ns sw)" link set "$1" up
}

lab_veth() {
	ip -n "$(lab_ns "$1")" link add "$2" type veth peer name "$4" \
	    netns "$(lab_ns "$3")" || lab_fail "veth $1:$2 - $3:$4"
	ip -n "$(lab_ns "$1")" link set "$2" up
	ip -n "$(lab_ns "$3")" link set "$4" up
}

lab_lan() {
	local port="$2-$3"
	ip -n "$(lab_ns "$2")" link add "$3" type veth peer name "$port" \
	    netns "$(lab_ns sw)" || lab_fail "lan $1: $2:$3"
	ip -n "$(lab_ns sw)" link set "$port" master "$1" up
	ip -n "$(lab_ns "$2")" link set "$3" up
}

lab_addr() {
	ip -n "$(lab_ns "$1")" addr add "$3" dev "$2"
}

lab_frr() {
	local node=$1 module=$2 d
	d=$(lab_dir "$node")
	[ -e "$d/zebra.conf" ] || echo "hostname $node" >"$d/zebra.conf"
	chown frr:frr "$d"/*.conf
	lab_exec "$node" /usr/lib/frr/zebra -d --vty_socket "$d" \
	    -z "$d/zserv.api" -f "$d/zebra.conf" -i "$d/zebra.pid" \
	    --log "file:$d/zebra.log" -A 127.0.0.1 ||
	    lab_fail "$node: zebra did not start"
	lab_wait 10 "$node: zebra socket" test -S "$d/zserv.api"
	lab_exec "$node" /usr/lib/frr/ospfd -d --vty_socket "$d" \
	    -z "$d/zserv.api" -f "$d/ospfd.conf" -i "$d/ospfd.pid" \
	    --log "file:$d/ospfd.log" -A 127.0.0.1 -M "$module:$d" ||
	    lab_fail "$node: ospfd did not start"
	lab_wait 10 "$node: ospfd vty" test -S "$d/ospfd.vty"
}

lab_vtysh() {
	vtysh --vty_socket "$(lab_dir "$1")" -c "$2"
}

# lab_vty NODE PORT CMD: run CMD on a daemon's own vty (TCP, "no login"),
# for commands vtysh does not know (those a module adds).
lab_vty() {
	lab_exec "$1" python3 - "$2" "$3" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"terminal length 0\n" + sys.argv[2].encode() + b"\nexit\n")
out = b""
end = time.time() + 5
while time.time() < end:
    b = s.recv(65536)
    if not b:
        break
    out += b
sys.stdout.write(bytes(c for c in out if c < 128 and c != 255).decode(errors="replace"))
PY
}

lab_wait() {
	local secs=$1 desc=$2 i
	shift 2
	for i in $(seq $((secs * 10))); do
		if "$@" >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
	done
	lab_fail "timed out after ${secs}s waiting for: $desc"
}

# lab_route NODE PREFIX: the kernel route, one line.
lab_route() {
	lab_exec "$1" ip -4 route show "$2" | tr -s ' ' | head -5 | tr '\n' ' '
}

# lab_route_has NODE PREFIX TEXT
lab_route_has() {
	lab_route "$1" "$2" | grep -qF -- "$3"
}

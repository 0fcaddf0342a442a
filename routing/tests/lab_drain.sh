#!/usr/bin/env bash
# lab_drain.sh MODULE DRAINCTL KEYGEN: drain and undrain with real zebra +
# ospfd, control sockets authenticated with the lab's CURVE keys.
#
#   a, b, c on LAN lan1 (10.99.1.0/24, bridge; a is DR, cost 10)
#   a - b   on lan2 (10.99.2.0/24, broadcast veth, cost 50)
#   a - c   on p2p  (10.99.3.0/30, point-to-point, cost 50)
#   VIPAs on lo: a 10.99.0.1, b 10.99.0.2, c 10.99.0.3
#
# Draining lan1 on a (the DR) must move b's route to a's VIPA onto lan2 and
# c's onto p2p while lan1 stays up with its adjacencies Full, leave b <-> c
# routing over lan1 untouched, and undrain must move them back.
set -euo pipefail

module=$(realpath "$1")
drainctl=$(realpath "$2")
keygen=$(realpath "$3")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lab.sh"

lab_skip_unless_ready
lab_init

ospfd_conf() {
	local node=$1 rid=$2
	shift 2
	{
		echo "hostname $node"
		echo "interface lo"
		echo " ip ospf cost 1"
		while [ $# -gt 0 ]; do
			echo "interface $1"
			echo " ip ospf hello-interval 1"
			echo " ip ospf dead-interval 10"
			echo " ip ospf cost $2"
			echo " ip ospf priority $3"
			[ "$4" = p2p ] && echo " ip ospf network point-to-point"
			shift 4
		done
		echo "line vty"
		echo " no login"
		echo "router ospf"
		echo " ospf router-id $rid"
		echo " network 10.99.0.0/16 area 0"
	} >"$(lab_dir "$node")/ospfd.conf"
}

"$keygen" "$LAB_DIR" || lab_fail "no lab keys"
mkdir "$LAB_DIR/foreign" && "$keygen" "$LAB_DIR/foreign" || lab_fail "no foreign keys"

lab_switch
lab_bridge lan1
for n in a b c; do
	lab_node $n
	lab_lan lan1 $n lan1
done
lab_veth a lan2 b lan2
lab_veth a p2p c p2p
lab_addr a lo 10.99.0.1/32
lab_addr b lo 10.99.0.2/32
lab_addr c lo 10.99.0.3/32
lab_addr a lan1 10.99.1.1/24
lab_addr b lan1 10.99.1.2/24
lab_addr c lan1 10.99.1.3/24
lab_addr a lan2 10.99.2.1/24
lab_addr b lan2 10.99.2.2/24
lab_addr a p2p 10.99.3.1/30
lab_addr c p2p 10.99.3.2/30

ospfd_conf a 10.99.0.1 lan1 10 100 lan lan2 50 1 lan p2p 50 1 p2p
ospfd_conf b 10.99.0.2 lan1 10 50 lan lan2 50 1 lan
ospfd_conf c 10.99.0.3 lan1 10 1 lan p2p 50 1 p2p
for n in a b c; do
	lab_frr $n "$module"
done

da=$(lab_dir a)
db=$(lab_dir b)
ctl() { "$drainctl" -s "$da" "$@"; }

# The module is loaded and answering.
lab_vtysh a "show modules" | grep -q ospfd_lgr ||
    lab_fail "show modules does not list ospfd_lgr"
lab_wait 10 "control socket" ctl state

# Converged: a is DR on lan1, routes go over lan1.
lab_wait 60 "a DR on lan1" sh -c "'$drainctl' -s '$da' -j state | grep -q '\"state\": \"DR\"'"
lab_wait 60 "b -> a via lan1" lab_route_has b 10.99.0.1 "via 10.99.1.1 dev lan1"
lab_wait 60 "c -> a via lan1" lab_route_has c 10.99.0.1 "via 10.99.1.1 dev lan1"
lab_wait 60 "c -> b via lan1" lab_route_has c 10.99.0.2 "via 10.99.1.2 dev lan1"
ctl state

# Watch c's route to b's VIPA while a hands over DR and leaves lan1.
lab_exec c ip -ts -4 monitor route >"$LAB_DIR/c-monitor.txt" 2>&1 &
echo $! >"$LAB_DIR/monitor.bgpid"
sleep 0.2

lab_log "drain lan1 on a"
ctl drain lan1
lab_wait 30 "b -> a via lan2" lab_route_has b 10.99.0.1 "via 10.99.2.1 dev lan2"
lab_wait 30 "c -> a via p2p" lab_route_has c 10.99.0.1 "via 10.99.3.1 dev p2p"
ctl state
ctl -j state | grep -q '"drain": "drained"' || lab_fail "a: lan1 not drained"

# ospfd's own vty shows the same state.
lab_vty a 2604 "show lgr" >"$LAB_DIR/vty.txt"
grep -E "^lan1 .* drained" "$LAB_DIR/vty.txt" >/dev/null || {
	cat "$LAB_DIR/vty.txt" >&2
	lab_fail "show lgr on ospfd's vty does not show lan1 drained"
}

# The link stays up, adjacencies stay Full, b <-> c keeps lan1.
lab_exec a ip link show lan1 | grep -q "state UP" || lab_fail "lan1 went down"
lab_vtysh b "show ip ospf neighbor" | grep "10.99.0.1" | grep "lan1" |
    grep -q Full || lab_fail "b: adjacency with a on lan1 not Full"
# A DR change makes every router on the LAN re-originate: c may take
# another path to b for an SPF round, but never loses the route, and ends
# on lan1 again.
lab_wait 15 "c -> b on lan1" lab_route_has c 10.99.0.2 "via 10.99.1.2 dev lan1"
if grep -q "Deleted 10.99.0.2" "$LAB_DIR/c-monitor.txt"; then
	cat "$LAB_DIR/c-monitor.txt" >&2
	lab_fail "c lost its route to b's VIPA during a's drain"
fi
lab_log "c's route changes to b's VIPA during the DR handover:"
grep -A2 "10.99.0.2" "$LAB_DIR/c-monitor.txt" >&2 || true

# b's module reported the move in an spf event.
"$drainctl" -s "$db" -j events >"$LAB_DIR/b-events.json"
jq -e '[.[] | select(.event == "spf") | .changes[] |
    select(.prefix == "10.99.0.1/32" and .new.nexthops[0].ifname == "lan2")] |
    length > 0' "$LAB_DIR/b-events.json" >/dev/null ||
    lab_fail "b: no spf event moving 10.99.0.1/32 to lan2"
"$drainctl" -s "$db" events | tail -5

# Drained stays drained when ospfd recalculates the cost.
lab_vtysh a "configure terminal
interface lan1
ip ospf cost 11" >/dev/null
sleep 2
lab_route_has b 10.99.0.1 "via 10.99.2.1 dev lan2" ||
    lab_fail "drain lost after a cost change: $(lab_route b 10.99.0.1)"

lab_log "undrain lan1 on a"
ctl undrain lan1
lab_wait 30 "b -> a back via lan1" lab_route_has b 10.99.0.1 "via 10.99.1.1 dev lan1"
lab_wait 30 "c -> a back via lan1" lab_route_has c 10.99.0.1 "via 10.99.1.1 dev lan1"
ctl -j state | grep -q '"drain": "drained"' && lab_fail "a: still drained"

# The running configuration never changed.
lab_vtysh a "show running-config" | grep -q "priority 0" &&
    lab_fail "drain leaked into the running configuration"

# Roles: a viewer reads but may not drain; a key from another lab gets no
# answer at all.
ctl -r viewer state >/dev/null || lab_fail "viewer may not read"
out=$(ctl -r viewer drain lan1 2>&1) && lab_fail "viewer drained lan1"
echo "$out" | grep -q "operator role" || lab_fail "viewer refusal: $out"
rc=0
ctl -t 1500 -k "$LAB_DIR/foreign/keys/operator.key" state >/dev/null 2>&1 ||
    rc=$?
[ "$rc" -eq 3 ] || lab_fail "foreign key: exit $rc, want 3 (no reply)"
grep -q "LGR-AUTH.*refused" "$da/ospfd.log" ||
    lab_fail "refused client not logged"
grep -q "LGR-AUDIT.*drain lan1 by operator" "$da/ospfd.log" ||
    lab_fail "drain not audited"

# Errors name the object and the choices.
out=$(ctl drain nosuch 2>&1) && lab_fail "drain nosuch succeeded"
echo "$out" | grep -q "nosuch" || lab_fail "error does not name the interface: $out"

echo "PASS: lab_drain"

#!/usr/bin/env bash
# Integration test of nslab on the reference topology (DESIGN §5), with
# real FRR: convergence, reachability, the common OSPF entries, the HSI
# and ECMP paths, a second lab beside the first, and a clean teardown.
# usage: nslab_reference.sh NSLAB SRCDIR
set -u
. "$2/tests/lib/labtest.sh" "$@"

REF=$(topo_renamed "$SRC/netns-lab/topologies/reference.yaml" t2ref)
GUESTS="ECMSS00 LITSHA22 LITDCON1 LITSWAS1 LITDAT01"
VIPAS="10.20.7.69 10.20.7.199 10.20.7.100 10.20.7.101 10.20.7.104"

# --- an invalid file creates nothing --------------------------------
BAD="$LABTEST_TMP/bad.yaml"
sed -e 's/^lab: .*/lab: t2bad/' -e 's|172.1.2.100/24|172.1.9.100/24|' \
    "$SRC/netns-lab/topologies/reference.yaml" >"$BAD"
out=$("$NSLAB" up "$BAD" 2>&1)
rc=$?
check "invalid file: exit code 3" [ "$rc" -eq 3 ]
check "invalid file: positioned message naming the guest and the LAN" \
    grep -q "bad.yaml:[0-9]*:[0-9]*: guest LITDCON1: hsi1 address 172.1.9.100 is outside VM2's HiperSockets LAN 172.1.2.0/24" <<<"$out"
check "invalid file: nothing created" lab_gone t2bad ""

# --- the reference lab converges ------------------------------------
check "nslab up reference converges" lab_up "$REF"
check "a second up of the same lab is refused (exit 6)" \
    bash -c "\"$NSLAB\" up -q \"$REF\" >/dev/null 2>&1; [ \$? -eq 6 ]"

# --- every guest pings every VIPA -----------------------------------
for g in $GUESTS; do
	for v in $VIPAS; do
		"$NSLAB" exec t2ref "$g" -- ping -c1 -W2 -q "$v" >/dev/null 2>&1 ||
		    fail "$g pings $v"
	done
done
ok "every guest pinged every VIPA (unless listed above)"

# --- the common OSPF entries of DESIGN §5 on every guest ------------
route_json() {
	"$NSLAB" vtysh t2ref "$1" -c 'show ip ospf route json' 2>/dev/null
}
for g in $GUESTS; do
	j=$(route_json "$g")
	check "$g: default route inter-area, cost 20, via 10.20.8.1 trk1 and 10.20.9.1 trk2" \
	    jq -e '.["0.0.0.0/0"] | .routeType == "N IA" and .cost == 20 and
	    ([.nexthops[] | "\(.ip) \(.via)"] | sort == ["10.20.8.1 trk1", "10.20.9.1 trk2"])' <<<"$j" >/dev/null
	check "$g: DC LANs directly attached at cost 10" \
	    jq -e '(.["10.20.8.0/24"] | .cost == 10 and .nexthops[0].directlyAttachedTo == "trk1") and
	    (.["10.20.9.0/24"] | .cost == 10 and .nexthops[0].directlyAttachedTo == "trk2")' <<<"$j" >/dev/null
	check "$g: ABR router route at cost 10 over both paths" \
	    jq -e '.["10.20.0.1"] | .cost == 10 and .routerType == "abr" and
	    ([.nexthops[] | .via] | sort == ["trk1", "trk2"])' <<<"$j" >/dev/null
done

# --- HiperSockets and ECMP paths ------------------------------------
check "LITDCON1 reaches LITSWAS1's VIPA over hsi0" \
    bash -c "\"$NSLAB\" exec t2ref LITDCON1 -- ip -j route get 10.20.7.101 | jq -e '.[0].dev == \"hsi0\" and .[0].gateway == \"172.0.9.101\"' >/dev/null"
check "ECMSS00 reaches LITDCON1's VIPA over trk1 and trk2, two equal paths" \
    bash -c "\"$NSLAB\" exec t2ref ECMSS00 -- ip -j route show 10.20.7.100/32 | jq -e '[.[0].nexthops[] | \"\(.gateway) \(.dev)\"] | sort == [\"10.20.8.100 trk1\", \"10.20.9.100 trk2\"]' >/dev/null"
check "an HSI guest starts with only its member's HSI interface up" \
    bash -c "\"$NSLAB\" exec t2ref LITDAT01 -- ip -j link show | jq -e '[.[] | select(.ifname | startswith(\"hsi\")) | select(.flags | index(\"UP\")) | .ifname] == [\"hsi0\"]' >/dev/null"
check "arp_announce is 1 on guests" \
    bash -c "[ \"\$(\"$NSLAB\" exec t2ref LITSWAS1 -- sysctl -n net.ipv4.conf.all.arp_announce)\" = 1 ]"

# --- status, graph ---------------------------------------------------
check "status -j lists six running routers" \
    bash -c "\"$NSLAB\" status t2ref -j | jq -e '[.nodes[] | select(.zebra.running and .ospfd.running)] | length == 6' >/dev/null"
check "graph: members as clusters, guests inside VM9" \
    bash -c "\"$NSLAB\" graph t2ref | grep -q 'subgraph cluster_0' && \"$NSLAB\" graph t2ref | grep -q 'label=\"VM9 (CPC9) JOINED\"'"
check "graph: hsi1 drawn dashed (down), hsi0 solid (up)" \
    bash -c "\"$NSLAB\" graph t2ref | grep -q '\"LITDCON1\" -- hs0 \[label=\"hsi1 172.1.2.100/24\", style=dashed' &&
             \"$NSLAB\" graph t2ref | grep -q '\"LITDCON1\" -- hs0 \[label=\"hsi0 172.0.9.100/24\", style=solid'"
check "graph --format svg" \
    bash -c "\"$NSLAB\" graph t2ref --format svg -o \"$LABTEST_TMP/g.svg\" && grep -q '<svg' \"$LABTEST_TMP/g.svg\""

# --- a second lab with another name runs beside the first -----------
"$NSLAB" gen --members 2 --guests 4 --hsi-fraction 0.5 --name t2gen -o "$LABTEST_TMP/t2gen.yaml"
check "a generated lab comes up beside the reference" lab_up "$LABTEST_TMP/t2gen.yaml"
check "status lists both labs" \
    bash -c "\"$NSLAB\" status -j | jq -e 'index(\"t2ref\") != null and index(\"t2gen\") != null' >/dev/null"
check "the reference lab is still converged" \
    bash -c "\"$NSLAB\" exec t2ref ECMSS00 -- ping -c1 -W2 -q 10.20.7.104 >/dev/null"

# --- down leaves nothing ---------------------------------------------
pids=$(lab_pids t2ref)
check "the lab recorded its processes (zebra and ospfd of 6 routers)" \
    [ "$(awk '$1 == "proc" && ($3 == "zebra" || $3 == "ospfd")' \
    "${NSLAB_RUNDIR:-/run/nslab}/t2ref/manifest" | wc -l)" -eq 12 ]
check "the lab recorded hvd of both members" \
    [ "$(awk '$1 == "proc" && $3 == "hvd"' \
    "${NSLAB_RUNDIR:-/run/nslab}/t2ref/manifest" | wc -l)" -eq 2 ]
check "nslab down t2ref" "$NSLAB" down t2ref
check "after down: no namespace, bridge, veth, process, cgroup or state of t2ref" lab_gone t2ref "$pids"
check "after down: t2gen untouched" bash -c "\"$NSLAB\" status t2gen -j >/dev/null"
pids=$(lab_pids t2gen)
check "nslab down t2gen" "$NSLAB" down t2gen
check "after down: nothing of t2gen" lab_gone t2gen "$pids"
check "down of an unknown lab: exit 5" bash -c "\"$NSLAB\" down t2none 2>/dev/null; [ \$? -eq 5 ]"

labtest_summary

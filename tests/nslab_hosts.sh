#!/usr/bin/env bash
# Integration test of a lab on several hosts (DESIGN §8, topology key
# hosts:): reference-hosts.yaml comes up with each host a namespace of
# its own (bridges, hvd, etcd node, cgroup), the VSWITCH LANs spanning
# the hosts over VXLAN on the underlay, each HiperSockets LAN on its
# member's host only; every guest pings every VIPA; and after
# `nslab down` nothing remains (namespaces with their VXLAN devices,
# cgroups, processes, etcd data).
# usage: nslab_hosts.sh NSLAB SRCDIR
set -u
. "$2/tests/lib/labtest.sh" "$@"

LAB=t2refh
REFH=$(topo_renamed "$SRC/netns-lab/topologies/reference-hosts.yaml" $LAB)
RUN=${NSLAB_RUNDIR:-/run/nslab}
declare -A UL=([CPC9]=10.255.0.1 [CPC2]=10.255.0.2 [DC]=10.255.0.3)

check "nslab up reference-hosts converges" lab_up "$REFH"

# --- hosts: namespaces, underlay, bridges ---------------------------
for h in CPC9 CPC2 DC; do
	check "host $h is namespace $LAB:$h" ip netns pids "$LAB:$h"
	check "host $h has underlay address ${UL[$h]} on ul0" \
	    bash -c "ip -n $LAB:$h -j addr show ul0 | jq -e '.[0].addr_info[] | select(.local == \"${UL[$h]}\")' >/dev/null"
	for l in 0 1; do
		check "host $h: LAN bridge vs$l holds VXLAN vx$l, VNI $((4200 + l))" \
		    bash -c "ip -n $LAB:$h -d -j link show vx$l | jq -e '.[0].master == \"vs$l\" and .[0].linkinfo.info_data.id == $((4200 + l))' >/dev/null"
	done
done
check "VM9's HiperSockets bridge hs0 only on CPC9" bash -c "
    ip -n $LAB:CPC9 link show hs0 >/dev/null 2>&1 &&
    ! ip -n $LAB:CPC2 link show hs0 >/dev/null 2>&1 &&
    ! ip -n $LAB:DC link show hs0 >/dev/null 2>&1"
check "VM2's HiperSockets bridge hs1 only on CPC2" bash -c "
    ip -n $LAB:CPC2 link show hs1 >/dev/null 2>&1 &&
    ! ip -n $LAB:CPC9 link show hs1 >/dev/null 2>&1"
check "the guests' NIC host ends are on CPC9 (VM9's host)" \
    ip -n $LAB:CPC9 link show g2n2
check "the ABR's host ends are on DC" ip -n $LAB:DC link show a0
check "the underlay namespace joins the three hosts" \
    bash -c "[ \$(ip -n $LAB:ul -j link show master ul | jq length) -eq 3 ]"

# --- the VSWITCH LANs span the hosts --------------------------------
check "ECMSS00 (host CPC9) reaches the ABR (host DC) on DC8 and DC9" \
    bash -c "\"$NSLAB\" exec $LAB ECMSS00 -- ping -c1 -W2 -q 10.20.8.1 >/dev/null &&
    \"$NSLAB\" exec $LAB ECMSS00 -- ping -c1 -W2 -q 10.20.9.1 >/dev/null"
check "CPC9's vx0 learnt a MAC behind DC's underlay address" \
    bash -c "bridge -n $LAB:CPC9 fdb show dev vx0 | grep -v '^00:00:00:00:00:00' | grep -q 'dst ${UL[DC]}'"

check "graph: each host an outer box around its members, the ABR in DC's" bash -c "
    \"$NSLAB\" graph $LAB > $LABTEST_TMP/g.dot &&
    grep -q 'label=\"host CPC9 (10.255.0.1)\"' $LABTEST_TMP/g.dot &&
    awk '/cluster_host2/ { h = 1 } h && /\"ABR\";/ { f = 1 } END { exit !f }' $LABTEST_TMP/g.dot"

# --- every guest pings every VIPA -----------------------------------
check "every guest pings every VIPA (25 of 25)" ping_mesh $LAB

# --- hvd and etcd in their hosts ------------------------------------
proc_of() {	# NODE WHAT: its pid from the manifest
	awk -v n="$1" -v w="$2" '$1 == "proc" && $2 == n && $3 == w { print $4 }' "$RUN/$LAB/manifest" | tail -1
}
hvd9=$(proc_of VM9 hvd)
hvd2=$(proc_of VM2 hvd)
check "hvd of VM9 runs in host namespace $LAB:CPC9" \
    bash -c "ip netns identify $hvd9 | grep -qx $LAB:CPC9"
check "hvd of VM2 runs in host namespace $LAB:CPC2" \
    bash -c "ip netns identify $hvd2 | grep -qx $LAB:CPC2"
check "hvd of VM9 and VM2 in different namespaces" \
    [ "$(readlink /proc/$hvd9/ns/net)" != "$(readlink /proc/$hvd2/ns/net)" ]
check "hvd of VM9 in host CPC9's cgroup" \
    grep -q ":freezer:/nslab/$LAB/host.CPC9\$" /proc/$hvd9/cgroup
for h in CPC9 CPC2 DC; do
	pid=$(proc_of $h etcd)
	check "etcd node of $h runs in $LAB:$h, in its cgroup" bash -c "
	    ip netns identify $pid | grep -qx $LAB:$h &&
	    grep -q ':freezer:/nslab/$LAB/host.$h\$' /proc/$pid/cgroup"
done
check "the etcd cluster has three healthy members" bash -c "
    ip netns exec $LAB:DC etcdctl --endpoints=${UL[CPC9]}:2379,${UL[CPC2]}:2379,${UL[DC]}:2379 endpoint health 2>&1 | grep -c 'is healthy' | grep -qx 3"
check "etcd data under the lab's state directory" [ -d "$RUN/$LAB/etcd/CPC9/member" ]

# --- faults on demand, and their undoing ----------------------------
pstate() { sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' /proc/$1/status 2>/dev/null; }
# gone PID: no such process, or a zombie (nobody reaps the lab's orphans)
gone() { local s; s=$(pstate "$1"); [ -z "$s" ] || [ "$s" = Z ]; }
check "fault partition CPC2: CPC9 no longer reaches CPC2's underlay address" \
    bash -c "\"$NSLAB\" fault $LAB partition CPC2 >/dev/null &&
    ! ip netns exec $LAB:CPC9 ping -c1 -W1 -q ${UL[CPC2]} >/dev/null 2>&1"
check "status shows CPC2 cut from the underlay" \
    bash -c "\"$NSLAB\" status $LAB | grep -q '^down: .*host CPC2 cut from the underlay'"
check "fault heal CPC2: reached again" \
    bash -c "\"$NSLAB\" fault $LAB heal CPC2 >/dev/null &&
    ip netns exec $LAB:CPC9 ping -c1 -W2 -q ${UL[CPC2]} >/dev/null 2>&1"
check "fault stop-member VM2 -j: JSON naming the fault" bash -c "
    \"$NSLAB\" fault $LAB stop-member VM2 -j | jq -e '.fault == \"stop-member\" and .target == \"VM2\"' >/dev/null"
check "hvd of VM2 stopped (state T)" [ "$(pstate $hvd2)" = T ]
check "status -j shows hvd of VM2 stopped" bash -c "
    \"$NSLAB\" status -j $LAB | jq -e '.down | index(\"hvd of VM2 stopped\")' >/dev/null"
check "fault cont-member VM2: it runs again" \
    bash -c "\"$NSLAB\" fault $LAB cont-member VM2 >/dev/null && sleep 0.2 && [ \"\$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' /proc/$hvd2/status)\" != T ]"
check "fault link LITDCON1 trk1 down, then up" bash -c "
    \"$NSLAB\" fault $LAB link LITDCON1 trk1 down >/dev/null &&
    ! ip -n $LAB.LITDCON1 -o link show trk1 | grep -q '<[^>]*\bUP\b' &&
    \"$NSLAB\" fault $LAB link LITDCON1 trk1 up >/dev/null &&
    ip -n $LAB.LITDCON1 -o link show trk1 | grep -q '<[^>]*\bUP\b'"
agent=$(proc_of LITDCON1 guestagentd)
check "fault kill-agent LITDCON1" "$NSLAB" fault $LAB kill-agent LITDCON1
sleep 0.2
check "the agent of LITDCON1 is gone" gone "$agent"
etcddc=$(proc_of DC etcd)
check "fault etcd-kill DC" "$NSLAB" fault $LAB etcd-kill DC
sleep 0.2
check "DC's etcd node is gone" gone "$etcddc"
check "fault kill-member VM2" "$NSLAB" fault $LAB kill-member VM2
sleep 0.2
check "VM2's hvd is gone" gone "$hvd2"
# VM2 is DOWN once VM9's hvd misses its heartbeats: greyed in the drawing.
greyed() {
	"$NSLAB" graph $LAB | grep -q 'label="VM2 (CPC2) DOWN"; style="rounded,filled"; color=gray60; fillcolor=gray90'
}
for i in $(seq 40); do greyed && break; sleep 0.5; done
check "graph: member VM2 DOWN, greyed" greyed
check "graph: member VM9 JOINED, not greyed" bash -c "
    \"$NSLAB\" graph $LAB | grep -q 'label=\"VM9 (CPC9) JOINED\"; style=rounded;'"
check "a fault on a dead member fails (exit 1)" \
    bash -c "\"$NSLAB\" fault $LAB kill-member VM2 >/dev/null 2>&1; [ \$? -eq 1 ]"
check "an unknown fault is a usage error (exit 2)" \
    bash -c "\"$NSLAB\" fault $LAB melt CPC9 >/dev/null 2>&1; [ \$? -eq 2 ]"
check "restart hvd VM2: it runs again in CPC2's namespace" bash -c "
    \"$NSLAB\" restart $LAB hvd VM2 >/dev/null &&
    ip netns identify \$(awk '\$1 == \"proc\" && \$2 == \"VM2\" && \$3 == \"hvd\" { p = \$4 } END { print p }' $RUN/$LAB/manifest) | grep -qx $LAB:CPC2"
check "restart etcd DC -j: DC's node answers again" bash -c "
    \"$NSLAB\" restart -j $LAB etcd DC | jq -e '.restart == \"etcd\" and .name == \"DC\"' >/dev/null"
"$NSLAB" fault $LAB etcd-kill leader -j >"$LABTEST_TMP/leader.json"
check "fault etcd-kill leader -j: JSON naming the leader's node" \
    jq -e '.fault == "etcd-kill" and .target == "leader" and (.node | IN("CPC9", "CPC2", "DC")) and (.done | endswith("the leader"))' "$LABTEST_TMP/leader.json"
leader=$(jq -r .node "$LABTEST_TMP/leader.json")
echo "  the leader was on $leader"
sleep 0.2
check "the leader's etcd node is gone" gone "$(proc_of "$leader" etcd)"
check "status shows the leader's etcd dead" bash -c "
    \"$NSLAB\" status -j $LAB | jq -e '.down | index(\"etcd of $leader dead\")' >/dev/null"
check "the two others elect a new leader: a node answers leader again" bash -c "
    for i in \$(seq 30); do
	ip netns exec $LAB:DC etcdctl --endpoints=${UL[CPC9]}:2379,${UL[CPC2]}:2379,${UL[DC]}:2379 endpoint status 2>/dev/null | grep -q ', true, ' && exit 0
	sleep 0.5
    done; exit 1"
check "restart etcd $leader: its node is back" "$NSLAB" restart $LAB etcd "$leader"
check "restart guestagentd LITDCON1: its socket is back" bash -c "
    \"$NSLAB\" restart $LAB guestagentd LITDCON1 >/dev/null && [ -S $RUN/$LAB/LITDCON1/agent.ctl ]"
check "restart of a daemon that runs: exit 1" \
    bash -c "\"$NSLAB\" restart $LAB hvd VM9 >/dev/null 2>&1; [ \$? -eq 1 ]"
check "status: nothing down after the restarts and heal" bash -c "
    \"$NSLAB\" status -j $LAB | jq -e '.down == []' >/dev/null"
check "fault kill-host DC: its etcd is dead already, the ABR's routers go" \
    bash -c "\"$NSLAB\" fault $LAB kill-host DC | grep -q 'host DC cut from the underlay'"
sleep 0.2
check "the ABR's ospfd is gone" gone "$(proc_of ABR ospfd)"
check "status names what is down" bash -c "
    \"$NSLAB\" status -j $LAB | jq -e '.down | (index(\"etcd of DC dead\") and index(\"host DC cut from the underlay\") and (index(\"hvd of VM2 dead\") | not))' >/dev/null"
check "every fault is a line in the lab's event log" \
    [ "$(grep -c ' fault ' "$RUN/$LAB/events.log")" -eq 11 ]
check "etcd-kill leader logged with the node it killed" \
    grep -q " fault etcd-kill leader: killed etcd of $leader (pid [0-9]*), the leader" "$RUN/$LAB/events.log"
check "every restart is a line in the lab's event log" \
    [ "$(grep -c ' restart ' "$RUN/$LAB/events.log")" -eq 4 ]

# --- down leaves nothing --------------------------------------------
pids=$(lab_pids $LAB)
out=$("$NSLAB" down -v $LAB 2>&1)
check "nslab down exits 0" [ $? -eq 0 ]
check "down named the etcd nodes it stopped (DC's was killed)" \
    [ "$(grep -c '^stopped etcd of ' <<<"$out")" -eq 2 ]
check "after down: nothing of $LAB (namespaces and their VXLAN devices, state and etcd data, cgroups, processes)" \
    lab_gone $LAB "$pids"
check "after down: no etcd of $LAB runs" \
    bash -c "! pgrep -f 'initial-cluster-token lgr-$LAB\$' >/dev/null"

labtest_summary

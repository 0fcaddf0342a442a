#!/usr/bin/env bash
# Lab test of a relocation across hosts (DESIGN §8): on reference-hosts
# (VM9 on host CPC9, VM2 on host CPC2), `lgrctl evacuate LIT --to VM2`
# while probes run between every pair of VIPAs: none lost, every LIT
# guest on VM2 with hsi1 up and hsi0 down, routecheck clean; the HSI
# host ends stayed in CPC9's namespace and only changed bridge (from
# VM9's hs0 to the uplink hp1 wired to VM2's hs1 on CPC2), and no guest
# VSWITCH interface nor dummy0 saw any link event while it moved (ip
# monitor in each guest; the HSI interfaces change only by the agent);
# `hvctl events -f` from the root namespace, where the hosts' etcd nodes
# cannot be reached, follows the moves through hvd instead.  Then hvctl
# and lgrd on host DC without VM2's IPC socket (a machine of their own)
# reach VM2's hvd at the endpoint it published, and LIT moves back.
# usage: nslab_hosts_evacuate.sh BUILDDIR SRCDIR
set -u
BIN=$1
SRC=$2
. "$SRC/orchestrator/tests/lib.sh"
orch_require "$AGENT"

LAB=t2hev$$
LIT_HSI="LITDCON1 LITSWAS1 LITDAT01"
REFH=$SRC/netns-lab/topologies/reference-hosts.yaml

check "reference-hosts lab up with lgrd" orch_lab_up "$LAB" "$REFH"

# Every link event of every LIT guest while it moves.
MON=()
for g in LITSHA22 $LIT_HSI; do
	ip -n "$LAB.$g" monitor link >"$LABTEST_TMP/mon-$g" 2>&1 &
	MON+=($!)
	orch_note_pid $!
done
"$HVCTL" -l "$LAB" -m VM2 events -f >"$LABTEST_TMP/follow" \
    2>"$LABTEST_TMP/follow.err" &
FOLLOW=$!
orch_note_pid $FOLLOW
check "probes between every pair of VIPAs start" probe_start "$LAB"
"$LGRCTL" -l "$LAB" evacuate LIT --to VM2 >"$LABTEST_TMP/evac" 2>&1
rc=$?
sed 's/^/  /' "$LABTEST_TMP/evac"
check "evacuate LIT --to VM2 across hosts: exit 0" [ "$rc" -eq 0 ]
read -r sent lost gap < <(probe_stop "$LAB")
echo "  probes: $sent sent, $lost lost, longest gap $gap ms"
probe_losses "$LAB"
check "probes between every pair of VIPAs: none lost" [ "$sent" -gt 0 ] && [ "$lost" -eq 0 ]
kill "${MON[@]}" 2>/dev/null
sleep 1
kill -INT $FOLLOW 2>/dev/null
wait $FOLLOW
rc=$?
check "hvctl events -f from the root namespace: still following, ended by SIGINT (exit $rc)" [ $rc -eq 0 ]
sed 's/^/  events -f: /' "$LABTEST_TMP/follow.err"
for g in LITSHA22 $LIT_HSI; do
	check "hvctl events -f saw $g's HV-RELOC-DONE" \
	    grep -q "HV-RELOC-DONE.*$g" "$LABTEST_TMP/follow"
done
for g in LITSHA22 $LIT_HSI; do
	check "$g runs on VM2" [ "$(where "$LAB" $g)" = VM2 ]
	check "$g: no link event on trk1, trk2, dummy0 during the move" \
	    bash -c "! grep -HE '^[0-9]+: (trk1|trk2|dummy0)[@:]' '$LABTEST_TMP/mon-$g'"
done
for g in $LIT_HSI; do
	check "$g: hsi1 up, hsi0 down" hsi_right "$LAB" $g hsi1 hsi0
done
check "LITDCON1's HSI host ends stayed on CPC9, now on the uplink to VM2's LAN" \
    bash -c "ip -n $LAB:CPC9 -j link show g2n3 | jq -e '.[0].master == \"hp1\"' >/dev/null"
check "LITDCON1's hsi1 reaches LITSWAS1's over VM2's HiperSockets LAN" \
    bash -c "\"$NSLAB\" exec $LAB LITDCON1 -- ip -j route get 10.20.7.101 | jq -e '.[0].dev == \"hsi1\"' >/dev/null"
check "ECMSS00 stays on VM9" [ "$(where "$LAB" ECMSS00)" = VM9 ]

# --- one view of residency: status and graph say what hvd says ------
check "status -j: residency from the hypervisor, all four LIT guests on VM2" bash -c "
    \"$NSLAB\" status -j $LAB | jq -e '.residency_from == \"hypervisor\" and
    ([.nodes[] | select(.node | startswith(\"LIT\")) | .member] == [\"VM2\", \"VM2\", \"VM2\", \"VM2\"])' >/dev/null"
"$NSLAB" graph $LAB >"$LABTEST_TMP/g.dot"
# Each guest node and the member cluster it is drawn in.
awk '/subgraph cluster_[0-9]+ \{/ { m = 1; next }
    m && /label=/ { match($0, /label="[^ "]+/); cur = substr($0, RSTART + 7, RLENGTH - 7); m = 0 }
    /shape=component/ { match($0, /"[^"]+"/); print substr($0, RSTART + 1, RLENGTH - 2), cur }' \
    "$LABTEST_TMP/g.dot" >"$LABTEST_TMP/drawn"
sed 's/^/  drawn: /' "$LABTEST_TMP/drawn"
for g in ECMSS00 LITSHA22 $LIT_HSI; do
	check "graph draws $g on $(where "$LAB" $g), the member the directory names" \
	    grep -qx "$g $(where "$LAB" $g)" "$LABTEST_TMP/drawn"
done
check "graph: the residency comes from the hypervisor's directory" \
    grep -q "residency from the hypervisor's directory" "$LABTEST_TMP/g.dot"
check "routecheck clean after the evacuation" routecheck_clean "$LAB"

# --- clients on a machine without the members' IPC sockets ----------
# hvctl and lgrd on host DC, VM2's control socket gone from the lab
# directory (as on a machine of its own): both reach VM2's hvd by the
# tcp:// endpoint it published in the directory (etcd, on the underlay).
DIR=$(labdir "$LAB")
mv "$DIR/hvd-VM2.ctl" "$DIR/hvd-VM2.ctl.aside"
check "hvctl on host DC, VM2's IPC socket away: VM2 answers by its published endpoint" \
    bash -c "ip netns exec $LAB:DC \"$HVCTL\" -l $LAB -m VM2 -j guests |
    jq -e 'map(.name) | index(\"LITDCON1\") != null' >/dev/null"
old=$(lgrd_pid "$LAB")
kill "$old"
for _ in $(seq 50); do kill -0 "$old" 2>/dev/null || break; sleep 0.1; done
ip netns exec "$LAB:DC" "$LGRD" -d -D "$DIR" >"$LABTEST_TMP/lgrd-dc.log" 2>&1 &
LGRD_DC=$!
orch_note_pid $LGRD_DC
for _ in $(seq 50); do "$LGRCTL" -l "$LAB" status >/dev/null 2>&1 && break; sleep 0.1; done
"$LGRCTL" -l "$LAB" evacuate LIT --to VM9 >"$LABTEST_TMP/evac-dc" 2>&1
rc=$?
sed 's/^/  /' "$LABTEST_TMP/evac-dc"
check "lgrd on host DC evacuates LIT from VM2, whose socket it cannot see: exit 0" [ "$rc" -eq 0 ]
kill "$LGRD_DC"
wait "$LGRD_DC" 2>/dev/null
mv "$DIR/hvd-VM2.ctl.aside" "$DIR/hvd-VM2.ctl"
for g in LITSHA22 $LIT_HSI; do
	check "$g back on VM9" [ "$(where "$LAB" $g)" = VM9 ]
done
check "nslab restarts the lab's lgrd" "$NSLAB" restart "$LAB" lgrd
check "routecheck clean after the evacuation back" routecheck_clean "$LAB"

# --- the bulk of a relocation goes sealed to its own endpoint -------
# Over the underlay READY hands the source a one-time key and VM2's
# bulk endpoint (seal.c): a third port of VM2's hvd, beside its control
# and channel ones, which VM9's hvd is connected to while ECMSS00's
# capped pre-copy runs.  A frame sent there by anyone without the key
# (chanpoke, from VM9's host) is dropped with an event, and the move
# ends OK with its digests equal.
hv() { "$HVCTL" -l "$LAB" -t 60000 "$@"; }
port_of() { sed -n 's|^tcp://[0-9.]*:\([0-9]*\)$|\1|p'; }
chan2=$(hv -j members | jq -r '.[] | select(.name == "VM2") | .chan_ep' | port_of)
ctl2=$(hv -j members | jq -r '.[] | select(.name == "VM2") | .ctl_ep' | port_of)
hvd2=$(awk '$1 == "proc" && $2 == "VM2" && $3 == "hvd" { p = $4 } END { print p }' "$DIR/manifest")
hvd9=$(awk '$1 == "proc" && $2 == "VM9" && $3 == "hvd" { p = $4 } END { print p }' "$DIR/manifest")
ip netns exec "$LAB:CPC2" ss -Htlnp | grep "pid=$hvd2," |
    awk '{ sub(/.*:/, "", $4); print $4 }' | grep -vx -e "$chan2" -e "$ctl2" \
    >"$LABTEST_TMP/bulk-ports"
check "VM2's hvd listens on one port besides control ($ctl2) and channel ($chan2)" \
    [ "$(wc -l <"$LABTEST_TMP/bulk-ports")" -eq 1 ]
bulk=$(head -1 "$LABTEST_TMP/bulk-ports")
hv relocate ECMSS00 VM2 --async --max-rate 16 >/dev/null
rid=""
for _ in $(seq 50); do
	rid=$(hv -j status ECMSS00 2>/dev/null | jq -r '.[0].id // empty')
	[ -n "$rid" ] && break
	sleep 0.1
done
sleep 1
check "ECMSS00's pre-copy: VM9's hvd connected to VM2's bulk port $bulk" \
    bash -c "ip netns exec $LAB:CPC9 ss -Htnp state established |
    grep 'pid=$hvd9,' | grep -q ' 10.255.0.2:$bulk '"
forged() { hv -j events ECMSS00 | jq '[.[] | select(.msgid == "HV-CHAN-FORGED")] | length'; }
n=$(forged)
check "chanpoke: a frame without the key sent to the bulk endpoint" \
    ip netns exec "$LAB:CPC9" "$BIN/tests/chanpoke" "tcp://10.255.0.2:$bulk" "$rid"
for _ in $(seq 30); do
	[ "$(forged)" -gt "$n" ] && break
	sleep 0.1
done
check "VM2's hvd dropped it: event HV-CHAN-FORGED naming the relocation and the sender" \
    bash -c "\"$HVCTL\" -l $LAB -j events ECMSS00 | jq -e '[.[] | select(.msgid == \"HV-CHAN-FORGED\")][-1].text |
    test(\"^relocation $rid: a frame from 10.255.0.1 on the bulk endpoint\")' >/dev/null"
hv set-limits ECMSS00 --max-rate 1048576 >/dev/null
for _ in $(seq 100); do
	[ "$(where "$LAB" ECMSS00)" = VM2 ] && break
	sleep 0.2
done
check "the sealed move ends OK on VM2, digests equal and checked" bash -c "
    \"$HVCTL\" -l $LAB -j history ECMSS00 | jq -e '.[-1] | .reloc == $rid and
    .end_code == \"OK\" and .dst == \"VM2\" and .digest_src == .digest_dst and
    .verified == 1' >/dev/null"
check "ECMSS00 back to VM9 over the bulk" hv relocate ECMSS00 VM9

labtest_summary

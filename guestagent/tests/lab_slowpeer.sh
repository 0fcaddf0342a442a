#!/usr/bin/env bash
# Prepare waits for its peers' evidence, in the reference lab: one peer,
# LITSWAS1, computes its routes late (SPF throttle 400/400/400 ms, set at
# run time), so that it still sends LITDCON1's VIPA over hsi0 for some
# 400 ms after LITDCON1's own drain took effect.  Prepare on LITDCON1 must
# not take its HSI interfaces down before LITSWAS1 has moved the VIPA to
# trk1/trk2: 10 ms probes from LITSWAS1 to LITDCON1's VIPA lose nothing,
# and the report says the peers moved without a timeout.  (Taking hsi0
# down on the guest's own evidence alone loses about 40 of them.)
# usage: lab_slowpeer.sh NSLAB SRCDIR AGENTCTL GUESTAGENTD HVCTL DRAINCTL
#        KEYGEN ROUTECHECK|none
set -u
NSLAB=$1 SRC=$2 AGENTCTL=$3 AGENTD=$4 HVCTL=$5 DRAINCTL=$6
. "$SRC/tests/lib/labtest.sh"
. "$SRC/guestagent/tests/lab.sh"

[ "$(id -u)" -eq 0 ] || { echo "skip: needs root"; exit 77; }
command -v jq >/dev/null || { echo "skip: needs jq"; exit 77; }

LAB=gas$$
REF=$(topo_renamed "$SRC/netns-lab/topologies/reference.yaml" "$LAB")
OUT=$LABTEST_TMP/out.json
VIPA=10.20.7.100	# LITDCON1

check "reference lab with guest agents converges" lab_up "$REF"
for g in LITDCON1 LITSWAS1 LITDAT01; do
	check "$g: agent IDLE, hsi0 up and hsi1 down" wait_for 60 bash -c \
	    "agent $LAB $g -j status 2>/dev/null | jqe '.journal == \"IDLE\" and
	    ([.interfaces[] | select(.admin_up) | .name] == [\"hsi0\"])'"
done

check "LITSWAS1: SPF throttle 400/400/400 ms" "$NSLAB" vtysh "$LAB" LITSWAS1 \
    -c "configure terminal" -c "router ospf" \
    -c "timers throttle spf 400 400 400"
check "LITSWAS1 reports the slow SPF" bash -c "\"$NSLAB\" vtysh $LAB LITSWAS1 \
    -c 'show ip ospf json' | jqe '.spfScheduleDelayMsecs == 400'"
check "before: LITSWAS1 reaches LITDCON1's VIPA over hsi0" wait_for 20 \
    bash -c "[ \"\$(route_devs $LAB LITSWAS1 $VIPA)\" = hsi0 ]"

"$NSLAB" exec "$LAB" LITSWAS1 -- ping -D -O -i 0.01 -c 300 -W 1 "$VIPA" \
    >"$LABTEST_TMP/ping" 2>&1 &
PING=$!
sleep 1
agent "$LAB" LITDCON1 -j prepare --peers LITSWAS1,LITDAT01 --timeout 10000 \
    >"$OUT"
rc=$?
check "prepare LITDCON1 succeeds" [ "$rc" -eq 0 ]
check "prepare report: hsi0 drained, peers moved, no timeout, both down" \
    jqe '.drained == ["hsi0"] and .peers_moved and (.timed_out | not) and
    (.down | sort) == ["hsi0", "hsi1"]' "$OUT"
echo "  prepare: drain evidence after $(jq .drain_ms "$OUT") ms," \
    "answered after $(jq .ms "$OUT") ms"
check "LITSWAS1 reaches LITDCON1's VIPA over trk1 and trk2" \
    bash -c "[ \"\$(route_devs $LAB LITSWAS1 $VIPA)\" = trk1,trk2 ]"
wait "$PING"
grep -E 'packet loss' "$LABTEST_TMP/ping" | sed 's/^/  /'
check "10 ms probes from the slow peer to LITDCON1's VIPA lost nothing" \
    grep -q ' 0% packet loss' "$LABTEST_TMP/ping"

agent "$LAB" LITDCON1 -j complete >"$OUT"
check "complete without a move: hsi0 back" jqe '.up == "hsi0"' "$OUT"

agent_logs_on_failure "$LAB"
labtest_summary

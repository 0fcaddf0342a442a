#!/usr/bin/env bash
# The reference evacuation with FRR's default timers (issue 13):
# reference-prod.yaml (hello 10 s, dead 40 s, SPF 0/50/5000 ms,
# MinLSArrival 1 s, retransmission 5 s); lgrctl evacuate LIT --to VM2 and
# back to VM9 with UDP probes between every pair of VIPAs: nothing lost,
# routecheck clean, and no timer waited for: every complete reached a
# Full adjacency or found its guest alone on the LAN (none ran into its
# time-out), and each evacuation ended within one dead interval (40 s:
# an HSI interface left in the Waiting state, the bug this test was
# written for, costs at least that).  Before them, a guest moved alone
# while its zebra is stopped (ospfd learns of its new link late) must
# still elect itself DR at once.  The time an evacuation takes is
# measured by bench/evac_bench.sh, not asserted here.
# usage: lab_prod.sh NSLAB SRCDIR AGENTCTL GUESTAGENTD HVCTL DRAINCTL
#        KEYGEN ROUTECHECK|none
set -u
. "$2/guestagent/tests/lab.sh" "$@"
LGRCTL=${LGRCTL:-$(dirname "$NSLAB")/../orchestrator/lgrctl}
LGRPROBE=${LGRPROBE:-$(dirname "$NSLAB")/../orchestrator/lgrprobe}
[ -x "$LGRCTL" ] && [ -x "$LGRPROBE" ] || { echo "skip: lgrctl/lgrprobe not built"; exit 77; }
DEAD_S=40

LAB=gap$$
REF=$(topo_renamed "$SRC/netns-lab/topologies/reference-prod.yaml" "$LAB")
check "reference-prod lab (FRR default timers) converges" lab_up "$REF"
for g in LITDCON1 LITSWAS1 LITDAT01; do
	check "$g: agent IDLE on VM9" wait_for 120 bash -c \
	    "agent $LAB $g -j status | jqe '.journal == \"IDLE\" and .member == \"VM9\"'"
done

# ospfd learns of a link from zebra, after the agent brought it up.  A
# guest alone on its new HiperSockets LAN must get its priority back only
# once ospfd has the interface up: given back before, the interface
# comes up undrained and Waits a dead interval (40 s) before it elects
# itself DR, and a guest arriving after it cannot become Full meanwhile
# (found in CI: "no Full adjacency in time").  Made certain here: the
# moving guest's zebra is stopped across its complete, continued 3 s in;
# its hsi1 never was up (ospfd shows it Down, not forgotten as after a
# move away), as in the first evacuation.  Then it goes back with lgrd.
agent "$LAB" LITDAT01 -j prepare >"$LABTEST_TMP/prep.json"
check "prepare LITDAT01 alone: peers moved" jqe '.peers_moved' \
    "$LABTEST_TMP/prep.json"
check "hvctl moves LITDAT01 to VM2" "$HVCTL" -l "$LAB" relocate LITDAT01 VM2
ZEBRA=$(cat "$(labdir "$LAB")/LITDAT01/zebra.pid")
zebra_cont() { kill -CONT "$ZEBRA" 2>/dev/null; agent_cleanup; }
trap zebra_cont EXIT
kill -STOP "$ZEBRA"
(sleep 3; kill -CONT "$ZEBRA") &
agent "$LAB" LITDAT01 -j complete >"$LABTEST_TMP/complete.json"
rc=$?
wait
check "complete LITDAT01 (zebra stopped 3 s) succeeds" [ "$rc" -eq 0 ]
check "complete LITDAT01: alone on VM2's LAN" \
    jqe '.member == "VM2" and .up == "hsi1" and .alone' \
    "$LABTEST_TMP/complete.json"
check "LITDAT01 elects itself DR on VM2's LAN within 10 s, undrained" \
    wait_for 10 bash -c "\"$DRAINCTL\" --lab $LAB --router LITDAT01 -j state |
    jqe '.[] | select(.ifname == \"hsi1\") | .state == \"DR\" and (.drained | not)'"
check "lgrctl relocate LITDAT01 back to VM9" \
    "$LGRCTL" -l "$LAB" -q relocate LITDAT01 VM9

"$LGRPROBE" --lab "$LAB" --all-vipas -q --stop-file "$LABTEST_TMP/stop" \
    --ready-file "$LABTEST_TMP/ready" -o "$LABTEST_TMP/probe.json" &
PROBE=$!
check "probes ready" wait_for 20 test -e "$LABTEST_TMP/ready"
for to in VM2 VM9; do
	t0=$(date +%s.%N)
	"$LGRCTL" -l "$LAB" -q -j evacuate LIT --to "$to" >"$LABTEST_TMP/ev.$to.json"
	rc=$?
	t1=$(date +%s.%N)
	s=$(echo "$t1 - $t0" | bc)
	check "evacuate LIT --to $to succeeds" [ "$rc" -eq 0 ]
	echo "  evacuation to $to: ${s} s"
	check "evacuation to $to within a dead interval (${DEAD_S} s)" \
	    [ "$(echo "$s < $DEAD_S" | bc)" -eq 1 ]
	if [ "$ROUTECHECK" != none ]; then
		check "routecheck clean after the evacuation to $to" \
		    wait_for 30 "$ROUTECHECK" -q "$LAB"
	fi
done
for g in LITDCON1 LITSWAS1 LITDAT01; do
	check "$g: every complete Full or alone, none timed out" \
	    bash -c "! grep -q 'no Full adjacency in time' \
	    '$(labdir "$LAB")/$g/guestagentd.log'"
done
sleep 2
touch "$LABTEST_TMP/stop"
wait "$PROBE"
jq -c '.total' "$LABTEST_TMP/probe.json" | sed 's/^/  probes: /'
check "no probe lost between any pair of VIPAs" \
    jqe '.total.sent > 0 and .total.lost == 0' "$LABTEST_TMP/probe.json"

agent_logs_on_failure "$LAB"
labtest_summary

#!/usr/bin/env bash
# The reference evacuation with FRR's default timers (issue 13):
# reference-prod.yaml (hello 10 s, dead 40 s, SPF 0/50/5000 ms,
# MinLSArrival 1 s, retransmission 5 s); lgrctl evacuate LIT --to VM2 and
# back to VM9 with UDP probes between every pair of VIPAs: nothing lost,
# routecheck clean, and no timer waited for: every complete reached a
# Full adjacency or found its guest alone on the LAN (none ran into its
# time-out), and each evacuation ended within one dead interval (40 s:
# an HSI interface left in the Waiting state, the bug this test was
# written for, costs at least that).  The time an evacuation takes is
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

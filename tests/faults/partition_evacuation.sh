#!/usr/bin/env bash
# Fault (multi-host lab, directory on etcd, ha: manual): VM9's host CPC9
# cut from the underlay in the middle of `lgrctl evacuate LIT --to VM2`,
# LITSWAS1 in pre-copy (capped, to last), then healed.
# Promise: the job ends soon after VM2 declares VM9 DOWN, saying per
# guest what happened: LITSWAS1's relocation ended by the cluster
# (LOSTLINK), the guest LOST and neither completed nor waited for (its
# agent is frozen with it), the guests after it not moved because they
# are LOST; lgrd reads the directory through VM2 meanwhile (VM9's hvd,
# cut off with a minority of etcd, cannot) and answers lgrctl all along;
# never a guest on two members; once healed VM9 joins again, and the
# guests recovered on VM2 by the operator leave a clean lab.
# usage: partition_evacuation.sh BUILDDIR SRCDIR
set -u
. "$2/tests/faults/lib.sh" "$@"
. "$2/tests/faults/dist.sh"
dist_require

LAB=fd7$$
G=LITSWAS1
GUESTS="ECMSS00 LITSHA22 LITDCON1 LITSWAS1 LITDAT01"
RUNS=$LABTEST_TMP/runs

# LITSWAS1 with 2 GiB, so that its capped pre-copy lasts (lib.sh).
topo=$LABTEST_TMP/refh-big.yaml
awk -v g="$G" '$0 ~ "- name: " g "$" { on = 1 }
    on && /^    memory:/ { sub(/256M/, "2G"); on = 0 } { print }' \
    "$(dist_topology manual)" >"$topo"
check "$G has 2 GiB in the test's copy of refh" grep -q "^    memory: 2G" \
    "$topo"
check "refh lab (etcd, ha: manual) up and settled" dist_lab_up "$LAB" "$topo"
check "probes between every pair of VIPAs start" probe_start "$LAB"
dist_sampler_start "$LAB" "$RUNS"
JOB=$(fault_job "$LAB" evacuate LIT --to VM2)
check "evacuation of LIT to VM2 started (job $JOB)" [ -n "$JOB" ]
check "$G's pre-copy capped at 8 MiB/s (to last)" fault_cap "$LAB" $G 8 VM9
check "$G in pre-copy" [ "$(fault_phase "$LAB" $G VM9)" = PRECOPY ]
check "CPC9 cut from the underlay" dist_fault "$LAB" partition CPC9
t0=$DIST_AT

# lgrd answers while its job waits on the cut-off member.
answered() {
	local i
	for i in 1 2 3 4 5; do
		timeout 5 "$LGRCTL" -l "$LAB" -t 4000 status "$JOB" \
		    >/dev/null 2>&1 || return 1
		sleep 1
	done
}
check "lgrctl answered (5 status requests, 4 s each) during the fault" \
    answered
check "VM2 sees VM9 DOWN" dist_wait_down "$LAB" VM2 VM9 30
down=$(dist_event_after "$LAB" VM2 HV-MEMBER-DOWN "member VM9 " "$t0")
check "the job ends within 30 s of the cut" fault_job_end "$LAB" "$JOB" 30
tend=$(dist_now)
python3 -c "print('  after the cut: VM9 DOWN by %.1f s, the job ended by \
%.1f s' % (${down:-0}, $tend - $t0))"
reason=$(fault_move_of "$LAB" "$JOB" $G reason)
check "$G not moved" [ "$(fault_move_of "$LAB" "$JOB" $G result)" = \
    not-moved ]
check "$G: its relocation ended by the cluster, the guest LOST ($reason)" \
    grep -q "LOSTLINK.*LOST on VM9" <<<"$reason"
check "$G: no complete asked of its frozen agent" \
    python3 -c "import sys; sys.exit('complete:' in sys.argv[1])" "$reason"
for f in converge_ms verify_ms; do
	check "$G: no ${f%_ms} waited for (its routers stopped with it)" \
	    [ "$(fault_move_of "$LAB" "$JOB" $G $f)" = null ]
done
for g in LITDAT01 LITSHA22; do
	r=$(fault_move_of "$LAB" "$JOB" $g reason)
	check "$g not moved: LOST on VM9 ($r)" grep -q "LOST on VM9" <<<"$r"
done
check "LITDCON1 moved before the cut" \
    [ "$(fault_move_of "$LAB" "$JOB" LITDCON1 result)" = moved ]
check "CPC9 healed" "$NSLAB" fault "$LAB" heal CPC9
check "VM9 joins again" inv_wait 40 dist_member_is "$LAB" VM2 VM9 JOINED
check "VM9 runs none of them" dist_runs_none "$LAB" VM9
for g in ECMSS00 LITSHA22 LITSWAS1 LITDAT01; do
	check "the operator recovers $g on VM2" \
	    "$HVCTL" -l "$LAB" -m VM2 recover $g VM2
done
check "every guest on VM2" inv_wait 30 dist_all_on "$LAB" VM2 $GUESTS
sleep 1
dist_sampler_stop
check "never a guest on two members (sampled every 10 ms)" \
    dist_never_two "$RUNS"
probe_stop "$LAB" >/dev/null
# VM9's guests were LOST until recovered: no loss budget on their flows.
inv_check "$LAB" 0 ECMSS00=100000 LITSHA22=100000 LITSWAS1=100000 \
    LITDAT01=100000
dist_logs_on_failure "$LAB"
labtest_summary

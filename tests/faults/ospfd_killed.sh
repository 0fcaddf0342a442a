#!/usr/bin/env bash
# Fault: a peer router's ospfd killed (SIGKILL) during an evacuation:
# the ospfd of an HSI guest still on VM9 while another HSI guest moves;
# started again 2 s later.
# Promise: the evacuation completes (every LIT guest on VM2), routecheck
# clean once the ospfd runs again; probes lost only on the flows to and
# from the peer whose routing was killed (its zebra withdraws its
# routes): at most 1000 a flow (10 s at 10 ms), none elsewhere.
# usage: ospfd_killed.sh BUILDDIR SRCDIR
set -u
. "$2/tests/faults/lib.sh" "$@"
fault_require

LAB=fo7$$

fault_begin_evacuation "$LAB" 'LIT(DCON1|SWAS1|DAT01):(prepare|relocate)'
id=$FAULT_JOB
steps=$FAULT_STEPS
# The peer: an HSI guest not started yet (still on VM9).
peer=$(tr ' ' '\n' <<<"$steps" | grep -E '^LIT(DCON1|SWAS1|DAT01):planned' |
    tail -1 | cut -d: -f1)
check "a peer still on VM9 ($peer)" [ -n "$peer" ]
pid=$(fault_pid "$LAB" ospfd "$peer")
fault_snapshot "$pid" ospfd
check "$peer's ospfd ($pid) killed" fault_kill "$pid" KILL
sleep 2
fault_respawn ospfd "$(labdir "$LAB")/$peer/ospfd.out" >/dev/null
check "the job ends" fault_job_end "$LAB" "$id" 180
for g in LITSHA22 LITDCON1 LITSWAS1 LITDAT01; do
	check "$g moved to VM2" [ "$(where "$LAB" $g)" = VM2 ]
done
fault_finish "$LAB" "$peer=1000"

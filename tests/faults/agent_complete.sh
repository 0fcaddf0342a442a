#!/usr/bin/env bash
# Fault: a guest agent killed (SIGKILL) during complete: LITDCON1 moved
# to VM2 where LITSWAS1 already runs, so that its complete waits for the
# Full adjacency on hsi1; the agent started again a second later.
# Promise (guestagentd(8): a journal COMPLETING finishes the complete):
# the guest stays moved, hsi1 up and undrained, hsi0 down; no probe
# lost.
# usage: agent_complete.sh BUILDDIR SRCDIR
set -u
. "$2/tests/faults/lib.sh" "$@"
fault_require

LAB=fm6$$
G=LITDCON1

check "reference lab up and settled" fault_lab_up "$LAB"
check "LITSWAS1 moved to VM2 first" "$LGRCTL" -l "$LAB" -q relocate LITSWAS1 VM2
LOG=$(labdir "$LAB")/$G/guestagentd.log
pid=$(fault_pid "$LAB" guestagentd $G)
fault_snapshot "$pid" agent
check "probes between every pair of VIPAs start" probe_start "$LAB"
id=$(fault_job "$LAB" relocate $G VM2)
check "move of $G to VM2 started (job $id)" [ -n "$id" ]
steps=$(fault_wait_step "$LAB" "$id" "$G:complete" 60)
check "$G in complete ($steps)" [ $? -eq 0 ]
check "$G's agent ($pid) killed (SIGKILL)" fault_kill "$pid" KILL
sleep 1
fault_respawn agent "$LOG" >/dev/null
check "the job ends" fault_job_end "$LAB" "$id" 120
check "$G moved" [ "$(fault_move_of "$LAB" "$id" $G result)" = moved ]
check "$G on VM2" [ "$(where "$LAB" $G)" = VM2 ]
sleep 2
probe_stop "$LAB" >/dev/null
inv_check "$LAB" 0
fault_logs_on_failure "$LAB"
labtest_summary

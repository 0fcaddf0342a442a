#!/usr/bin/env bash
# Fault: a guest agent killed (SIGKILL) during complete: LITDCON1 moved
# to VM2 where LITSWAS1 already runs, so that its complete waits for the
# Full adjacency on hsi1; the agent started again a second later.  A
# complete lasts a few milliseconds, too short for a poll of lgrctl to
# catch: killon.py, woken by inotify at real-time priority, kills the
# agent the moment its journal says COMPLETING.
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
chrt -f 10 python3 "$SRC/tests/faults/killon.py" \
    "$(labdir "$LAB")/$G/agent.journal" COMPLETING "$pid" 60 \
    >"$LABTEST_TMP/killon" 2>&1 &
killer=$!
FAULT_PIDS+=("$killer")
sleep 0.5
id=$(fault_job "$LAB" relocate $G VM2)
check "move of $G to VM2 started (job $id)" [ -n "$id" ]
wait "$killer"
check "$G's agent ($pid) killed (SIGKILL) in COMPLETING" [ $? -eq 0 ]
cat "$LABTEST_TMP/killon"
check "its journal still says COMPLETING" jq -e '.state == "COMPLETING"' \
    "$(labdir "$LAB")/$G/agent.journal"
sleep 1
fault_respawn agent "$LOG" >/dev/null
check "the job ends" fault_job_end "$LAB" "$id" 120
check "$G moved" [ "$(fault_move_of "$LAB" "$id" $G result)" = moved ]
check "$G on VM2" [ "$(where "$LAB" $G)" = VM2 ]
fault_finish "$LAB"

#!/usr/bin/env bash
# Fault: a guest agent killed (SIGKILL) during prepare: its HSI
# interface drained, not yet down (the agent runs with a 2 s settle to
# hold it there); the agent started again a second later.
# Promise (guestagentd(8): a journal still IDLE reconciles): the move
# ends consistently, moved or not; after the restart the HSI interface
# of the guest's member is up and undrained, the other down; no probe
# lost.
# usage: agent_prepare.sh BUILDDIR SRCDIR
set -u
. "$2/tests/faults/lib.sh" "$@"
fault_require

LAB=fp5$$
G=LITDCON1
LOG=

drained() {
	"$DRAINCTL" --lab "$LAB" --router $G -j state |
	    jq -e '.[] | select(.ifname == "hsi0") | .drained' >/dev/null
}

check "reference lab up and settled" fault_lab_up "$LAB"
LOG=$(labdir "$LAB")/$G/guestagentd.log
pid=$(fault_pid "$LAB" guestagentd $G)
fault_snapshot "$pid" agent
check "$G's agent stopped (SIGTERM)" fault_kill "$pid" TERM
fault_respawn agent "$LOG" -s 2000 >/dev/null
check "$G's agent started with a 2 s settle" inv_wait 10 \
    "$AGENTCTL" --lab "$LAB" --guest $G status
check "probes between every pair of VIPAs start" probe_start "$LAB"
id=$(fault_job "$LAB" relocate $G VM2)
check "move of $G to VM2 started (job $id)" [ -n "$id" ]
check "hsi0 drained: the agent is in prepare" inv_wait 20 drained
pid=$(fault_pid "$LAB" guestagentd $G)
check "$G's agent ($pid) killed (SIGKILL)" fault_kill "$pid" KILL
sleep 1
fault_respawn agent "$LOG" >/dev/null
check "the job ends" fault_job_end "$LAB" "$id" 120
r=$(fault_move_of "$LAB" "$id" $G result)
echo "  $G: $r, on $(where "$LAB" $G)"
check "$G moved and on VM2, or not moved and on VM9" bash -c \
    "[ '$r:$(where "$LAB" $G)' = moved:VM2 ] || [ '$r:$(where "$LAB" $G)' = not-moved:VM9 ]"
fault_finish "$LAB"

#!/usr/bin/env bash
# Fault: the target member's hvd killed (SIGKILL) during pre-copy.
# Promise: the relocation rolls back (LOSTLINK), the guest keeps running
# on the source with its HSI interface back up, no probe is lost (the
# guest's traffic is on the trunks while it is drained); the restarted
# hvd rejoins.
# usage: target_killed.sh BUILDDIR SRCDIR
set -u
. "$2/tests/faults/lib.sh" "$@"
fault_require

LAB=fk1$$
G=LITDCON1

fault_begin_precopy "$LAB" $G VM2
pid=$FAULT_TARGET_PID
fault_snapshot "$pid" hvd-VM2
check "VM2's hvd ($pid) killed" fault_kill "$pid" KILL
check "the relocation ends LOSTLINK" \
    [ "$(fault_wait_end "$LAB" $G 30)" = LOSTLINK ]
fault_end_moved "$LAB" $G not
check "$G still on VM9" [ "$(where "$LAB" $G)" = VM9 ]
fault_respawn hvd-VM2 "$(labdir "$LAB")/hvd-VM2.log" >/dev/null
check "VM2's hvd restarted rejoins" inv_wait 30 bash -c \
    "\"$HVCTL\" -l $LAB -j members | jq -e 'all(.[]; .state == \"JOINED\")'"
fault_finish "$LAB"

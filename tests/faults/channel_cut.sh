#!/usr/bin/env bash
# Fault: the relocation channel cut: the target member's hvd stopped
# (SIGSTOP) during pre-copy past the link time-out (3 s), then let go.
# Promise: the relocation rolls back (LOSTLINK), the guest keeps running
# on the source with its HSI interface back up, no probe lost; the
# target, running again, keeps nothing of it.
# usage: channel_cut.sh BUILDDIR SRCDIR
set -u
. "$2/tests/faults/lib.sh" "$@"
fault_require

LAB=fc2$$
G=LITDCON1

fault_begin_precopy "$LAB" $G VM2
pid=$FAULT_TARGET_PID
check "VM2's hvd ($pid) stopped (SIGSTOP)" kill -STOP "$pid"
# Within VM2's DOWN time-out (10 s in nslab): the link is lost, not the
# member.
e=$(fault_wait_end "$LAB" $G 9 VM9)
check "the relocation ends LOSTLINK (the target still stopped)" [ "$e" = LOSTLINK ]
check "VM2's hvd continued (SIGCONT)" kill -CONT "$pid"
fault_end_moved "$LAB" $G not
check "$G still on VM9" [ "$(where "$LAB" $G)" = VM9 ]
fault_finish "$LAB"

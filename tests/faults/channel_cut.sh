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

check "reference lab up and settled" fault_lab_up "$LAB"
check "probes between every pair of VIPAs start" probe_start "$LAB"
id=$(fault_job "$LAB" relocate $G VM2)
check "move of $G to VM2 started (job $id)" [ -n "$id" ]
check "its pre-copy capped at 8 MiB/s (to last)" fault_cap "$LAB" $G 8
check "$G in pre-copy" [ "$(fault_phase "$LAB" $G)" = PRECOPY ]
pid=$(fault_pid "$LAB" hvd VM2)
check "VM2's hvd ($pid) stopped (SIGSTOP)" kill -STOP "$pid"
# Within VM2's DOWN time-out (10 s in nslab): the link is lost, not the
# member.
e=$(fault_wait_end "$LAB" $G 9 VM9)
check "the relocation ends LOSTLINK (the target still stopped)" [ "$e" = LOSTLINK ]
check "VM2's hvd continued (SIGCONT)" kill -CONT "$pid"
check "the job ends" fault_job_end "$LAB" "$id" 120
check "$G not moved" [ "$(fault_move_of "$LAB" "$id" $G result)" != moved ]
check "$G still on VM9" [ "$(where "$LAB" $G)" = VM9 ]
sleep 2
probe_stop "$LAB" >/dev/null
inv_check "$LAB" 0
fault_logs_on_failure "$LAB"
labtest_summary

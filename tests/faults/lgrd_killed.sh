#!/usr/bin/env bash
# Fault: lgrd killed (SIGKILL) mid-evacuation, while an HSI guest is
# between prepare and convergence, and started again.
# Promise: the restarted lgrd takes the job over (LGR-JOB-RESUME) and
# finishes it, each guest moved or rolled back: every guest on exactly
# one member with the right HSI interface, no probe lost.
# usage: lgrd_killed.sh BUILDDIR SRCDIR
set -u
. "$2/tests/faults/lib.sh" "$@"
fault_require

LAB=fl4$$

# lgrd's pid and how to start it again, taken before the job: taken
# after, on a busy machine the job was over before the kill.
snapshot_lgrd() {
	pid=$(fault_pid "$1" lgrd)
	fault_snapshot "$pid" lgrd
}
FAULT_BEFORE_JOB=snapshot_lgrd fault_begin_evacuation "$LAB" \
    'LIT(DCON1|SWAS1|DAT01):(prepare|relocate|complete|converge)'
id=$FAULT_JOB
check "lgrd ($pid) killed" fault_kill "$pid" KILL
sleep 1
fault_respawn lgrd "$(labdir "$LAB")/lgrd.log" >/dev/null
check "lgrd restarted answers" inv_wait 10 "$LGRCTL" -l "$LAB" status
check "the job ends" fault_job_end "$LAB" "$id" 180
check "the job was taken over (LGR-JOB-RESUME)" bash -c \
    "\"$LGRCTL\" -l $LAB events $id | grep -q LGR-JOB-RESUME"
fault_finish "$LAB"

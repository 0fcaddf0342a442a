#!/usr/bin/env bash
# Fault: a trunk link down during a move: trk1 set down inside LITDCON1
# (nslab fault LAB link) while its relocation runs.
# Promise: the move completes over trk2; probes lost only on the flows
# to and from LITDCON1, while the peers' routing learns that trk1 is
# gone (at most 50 a flow, 0.5 s at 10 ms), none elsewhere; with trk1
# up again the lab is whole.
# usage: trunk_down.sh BUILDDIR SRCDIR
set -u
. "$2/tests/faults/lib.sh" "$@"
fault_require

LAB=ft8$$
G=LITDCON1

check "reference lab up and settled" fault_lab_up "$LAB"
check "probes between every pair of VIPAs start" probe_start "$LAB"
id=$(fault_job "$LAB" relocate $G VM2)
check "move of $G to VM2 started (job $id)" [ -n "$id" ]
# Capped so that the relocation still runs when the link goes down (an
# idle guest moves in well under a second).
check "its pre-copy capped at 8 MiB/s (to last)" fault_cap "$LAB" $G 8
check "$G in pre-copy" [ "$(fault_phase "$LAB" $G)" = PRECOPY ]
check "trk1 of $G down" "$NSLAB" fault "$LAB" link $G trk1 down
check "the job ends" fault_job_end "$LAB" "$id" 120
check "$G moved" [ "$(fault_move_of "$LAB" "$id" $G result)" = moved ]
check "$G on VM2" [ "$(where "$LAB" $G)" = VM2 ]
sleep 2
probe_stop "$LAB" >/dev/null
check "trk1 of $G up again" "$NSLAB" fault "$LAB" link $G trk1 up
inv_check "$LAB" 0 "$G=50"
fault_logs_on_failure "$LAB"
labtest_summary

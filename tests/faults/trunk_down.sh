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

# Held in pre-copy so that the relocation still runs when the link goes
# down (an idle guest moves in well under a second).
fault_begin_precopy "$LAB" $G VM2
check "trk1 of $G down" "$NSLAB" fault "$LAB" link $G trk1 down
sleep 1
check "its cap lifted: the move goes on over trk2" fault_cap "$LAB" $G 1024
fault_end_moved "$LAB" $G moved
check "$G on VM2" [ "$(where "$LAB" $G)" = VM2 ]
sleep 2
probe_stop "$LAB" >/dev/null
check "trk1 of $G up again" "$NSLAB" fault "$LAB" link $G trk1 up
inv_check "$LAB" 0 "$G=50"
fault_logs_on_failure "$LAB"
labtest_summary

#!/usr/bin/env bash
# Fault: a guest agent that does not answer for 4 s when lgrd asks it to
# complete (SIGSTOP during the relocation's pre-copy, SIGCONT 4 s after
# the relocation ended):
# what a machine so busy that a CURVE handshake takes seconds looks like
# to lgrd.
# Promise: lgrd waits for the agent within the complete's own budget
# (lgrd(8)), not a fixed handshake time: the move ends moved with its
# complete done (no reason given), hsi1 up and undrained, no probe lost.
# usage: agent_stalled.sh BUILDDIR SRCDIR
set -u
. "$2/tests/faults/lib.sh" "$@"
fault_require

LAB=fs9$$
G=LITDCON1

fault_begin_precopy "$LAB" $G VM2
id=$FAULT_JOB
pid=$(fault_pid "$LAB" guestagentd $G)
check "$G's agent ($pid) stopped (SIGSTOP)" kill -STOP "$pid"
check "the pre-copy uncapped" fault_cap "$LAB" $G 0
check "the relocation ends OK" [ "$(fault_wait_end "$LAB" $G 60)" = OK ]
sleep 4
check "$G's agent continued (SIGCONT) 4 s later" kill -CONT "$pid"
check "the job ends" fault_job_end "$LAB" "$id" 120
check "$G moved" [ "$(fault_move_of "$LAB" "$id" $G result)" = moved ]
reason=$(fault_move_of "$LAB" "$id" $G reason)
check "its complete done, no reason given (${reason:-none})" [ -z "$reason" ]
check "$G on VM2" [ "$(where "$LAB" $G)" = VM2 ]
fault_finish "$LAB"

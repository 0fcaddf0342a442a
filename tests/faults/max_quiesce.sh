#!/usr/bin/env bash
# Fault: MAXQUIESCE exceeded: a guest dirtying 64 MiB/s moved with a
# network downtime budget of 1 ms (lgrctl --max-blackhole, the
# hypervisor's --max-quiesce).
# Promise: the relocation rolls back (MAXQUIESCE), the guest keeps
# running on the source with its NICs there and its HSI interface back
# up, no probe lost.
# usage: max_quiesce.sh BUILDDIR SRCDIR
set -u
. "$2/tests/faults/lib.sh" "$@"
fault_require

LAB=fq3$$
G=LITDCON1

check "reference lab up and settled" fault_lab_up "$LAB"
check "$G dirties 64 MiB/s" "$HVCTL" -l "$LAB" workload $G --rate 64 --wss 16
check "probes between every pair of VIPAs start" probe_start "$LAB"
"$LGRCTL" -l "$LAB" relocate $G VM2 --max-blackhole 1 >"$LABTEST_TMP/out" 2>&1
sed 's/^/  /' "$LABTEST_TMP/out"
check "the relocation ends MAXQUIESCE" [ "$(fault_end "$LAB" $G)" = MAXQUIESCE ]
check "$G not moved, the reason says so" grep -q 'not-moved.*MAXQUIESCE' "$LABTEST_TMP/out"
check "$G still on VM9" [ "$(where "$LAB" $G)" = VM9 ]
check "$G idle again" "$HVCTL" -l "$LAB" workload $G --rate 0 --wss 0
fault_finish "$LAB"

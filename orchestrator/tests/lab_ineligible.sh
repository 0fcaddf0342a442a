#!/usr/bin/env bash
# Lab test: VM2 has memory for two of the four LIT guests.  The plan
# moves the HiperSockets guests first (LITDCON1, LITSWAS1, LITDAT01, then
# LITSHA22): the first two move; LITDAT01 and LITSHA22 stay on VM9 with
# their reason in the report, LITDAT01 with hsi0 up; lgrctl exits with
# "some failed" (2).
# usage: lab_ineligible.sh BUILDDIR SRCDIR
set -u
BIN=$1
SRC=$2
. "$SRC/orchestrator/tests/lib.sh"
orch_require "$AGENT"

LAB=orin$$
TOPO=$LABTEST_TMP/short.yaml
# VM2 is the second member: 600 MiB hold two 256 MiB guests.
awk '/name: VM2/ { vm2 = 1 } vm2 && /memory:/ { sub(/8G/, "600M"); vm2 = 0 } { print }' \
    "$REFERENCE" >"$TOPO"
check "VM2 is short of memory in the test topology" grep -q "memory: 600M" "$TOPO"
check "lab up" orch_lab_up "$LAB" "$TOPO"

"$LGRCTL" -l "$LAB" evacuate LIT --to VM2 >"$LABTEST_TMP/evac" 2>&1
rc=$?
sed 's/^/  /' "$LABTEST_TMP/evac"
check "exit 2: some failed" [ "$rc" -eq 2 ]
for g in LITDAT01 LITSHA22; do
	check "the report gives $g's reason (STORAGE)" \
	    grep -Eq "^$g .*not-moved.*STORAGE" "$LABTEST_TMP/evac"
	check "$g stays on VM9" [ "$(where "$LAB" $g)" = VM9 ]
done
check "the counts: 2 moved, 2 not moved" grep -q "moved 2, not moved 2" "$LABTEST_TMP/evac"
for g in LITDCON1 LITSWAS1; do
	check "$g runs on VM2" [ "$(where "$LAB" $g)" = VM2 ]
	check "$g: hsi1 up, hsi0 down" hsi_right "$LAB" $g hsi1 hsi0
done
check "LITDAT01: hsi0 up, hsi1 down" hsi_right "$LAB" LITDAT01 hsi0 hsi1
check "routecheck clean" routecheck_clean "$LAB"

labtest_summary

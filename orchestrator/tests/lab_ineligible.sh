#!/usr/bin/env bash
# Lab test: one LIT guest cannot move (VM2 has memory for three of the
# four): it stays on VM9 with hsi0 up and its reason in the report, the
# others move, and lgrctl exits with "some failed" (2).
# usage: lab_ineligible.sh BUILDDIR SRCDIR
set -u
BIN=$1
SRC=$2
. "$SRC/orchestrator/tests/lib.sh"
orch_require "$AGENT"

LAB=orin$$
TOPO=$LABTEST_TMP/short.yaml
# VM2 is the second member: 800 MiB hold three 256 MiB guests.
awk '/name: VM2/ { vm2 = 1 } vm2 && /memory:/ { sub(/8G/, "800M"); vm2 = 0 } { print }' \
    "$REFERENCE" >"$TOPO"
check "VM2 is short of memory in the test topology" grep -q "memory: 800M" "$TOPO"
check "lab up" orch_lab_up "$LAB" "$TOPO"

"$LGRCTL" -l "$LAB" evacuate LIT --to VM2 >"$LABTEST_TMP/evac" 2>&1
rc=$?
sed 's/^/  /' "$LABTEST_TMP/evac"
check "exit 2: some failed" [ "$rc" -eq 2 ]
check "the report gives LITDAT01's reason (STORAGE)" \
    grep -Eq "^LITDAT01 .*not-moved.*STORAGE" "$LABTEST_TMP/evac"
check "the counts: 3 moved, 1 not moved" grep -q "moved 3, not moved 1" "$LABTEST_TMP/evac"
for g in LITSHA22 LITDCON1 LITSWAS1; do
	check "$g runs on VM2" [ "$(where "$LAB" $g)" = VM2 ]
done
check "LITDAT01 stays on VM9" [ "$(where "$LAB" LITDAT01)" = VM9 ]
check "LITDAT01: hsi0 up, hsi1 down" hsi_right "$LAB" LITDAT01 hsi0 hsi1
for g in LITDCON1 LITSWAS1; do
	check "$g: hsi1 up, hsi0 down" hsi_right "$LAB" $g hsi1 hsi0
done
check "routecheck clean" routecheck_clean "$LAB"

labtest_summary

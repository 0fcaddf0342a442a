#!/usr/bin/env bash
# Lab test of lgrd/lgrctl on the reference topology: refusals and their
# exit codes; LIT evacuated VM9 -> VM2 while probes between every pair
# of VIPAs run (none lost) and TCP streams from ECMSS00 to the four LIT
# VIPAs stay up (no reset; the longest stall printed), every LIT guest on VM2 with hsi1 up and
# hsi0 down, ECMSS00 still on VM9, routecheck clean; then back to VM9
# with lgrd killed in the middle and restarted: the job finishes and
# the invariants hold again; LIT to VM2 two at a time, every verify
# clean.
# usage: lab_evacuate.sh BUILDDIR SRCDIR
set -u
BIN=$1
SRC=$2
. "$SRC/orchestrator/tests/lib.sh"
orch_require "$AGENT"

LAB=orev$$
LIT_HSI="LITDCON1 LITSWAS1 LITDAT01"

# lit_on LAB MEMBER UP DOWN: every LIT guest runs on MEMBER, each HSI
# one with its interface UP up and DOWN down.
lit_on() {
	local g
	for g in LITSHA22 $LIT_HSI; do
		check "$g runs on $2" [ "$(where "$1" $g)" = "$2" ]
	done
	for g in $LIT_HSI; do
		check "$g: $3 up, $4 down" hsi_right "$1" $g "$3" "$4"
	done
}

check "reference lab up with lgrd" orch_lab_up "$LAB" "$REFERENCE"

# --- refusals ------------------------------------------------------------
"$LGRCTL" -l "$LAB" evacuate NOSUCH --to VM2 >"$LABTEST_TMP/out" 2>&1
rc=$?
check "unknown workload: exit 4" [ "$rc" -eq 4 ]
check "unknown workload: message lists the groups" \
    grep -q "unknown workload NOSUCH (known: ALL, ECM, LIT, TIV)" "$LABTEST_TMP/out"
"$LGRCTL" -l "$LAB" evacuate LIT --from VM2 >"$LABTEST_TMP/out" 2>&1
rc=$?
check "empty match: exit 3" [ "$rc" -eq 3 ]
check "empty match: message names the source" \
    grep -q "no guest of workload LIT runs on VM2" "$LABTEST_TMP/out"
"$LGRCTL" -l "$LAB" -k viewer evacuate LIT --to VM2 >"$LABTEST_TMP/out" 2>&1
rc=$?
check "viewer key: evacuate refused, exit 5" [ "$rc" -eq 5 ]
check "viewer key: message names the role" \
    grep -q "role viewer may not evacuate" "$LABTEST_TMP/out"
check "viewer key: nothing moved" [ "$(where "$LAB" LITDCON1)" = VM9 ]
check "viewer key may read (status)" "$LGRCTL" -l "$LAB" -k viewer status
check "lgrctl audit shows the refused evacuate" \
    bash -c "\"$LGRCTL\" -l $LAB audit | grep -q 'viewer .*evacuate .*may not evacuate'"
# An error comes alone: no table header before it.
for args in "check LITDCON1 NOSUCH" "evacuate FOO --dry-run" \
    "evacuate TIV --dry-run"; do
	"$LGRCTL" -l "$LAB" $args >"$LABTEST_TMP/out" 2>"$LABTEST_TMP/err"
	rc=$?
	sed 's/^/  /' "$LABTEST_TMP/err"
	check "lgrctl $args: exit $rc, an error and no table" \
	    bash -c "[ $rc -ne 0 ] && [ ! -s $LABTEST_TMP/out ] && [ -s $LABTEST_TMP/err ]"
done
check "global options after the command (status -k viewer -j)" \
    bash -c "\"$LGRCTL\" status -k viewer -l $LAB -j | grep -q '^\['"

# --- evacuate LIT to VM2 under probes --------------------------------------
check "dry run lists the four LIT guests" \
    bash -c "[ \$(\"$LGRCTL\" -l $LAB evacuate LIT --to VM2 --dry-run | grep -c ' VM9 *VM2 ') -eq 4 ]"
check "probes between every pair of VIPAs and TCP streams start" \
    probe_start "$LAB" --tcp LITSHA22,LITDCON1,LITSWAS1,LITDAT01 --tcp-from ECMSS00
"$LGRCTL" -l "$LAB" evacuate LIT --to VM2 >"$LABTEST_TMP/evac1" 2>&1
rc=$?
sed 's/^/  /' "$LABTEST_TMP/evac1"
check "evacuate LIT --to VM2: exit 0" [ "$rc" -eq 0 ]
check "the report file's header says DONE" \
    bash -c "head -1 \$(ls -t $(labdir "$LAB")/reports/LIT-*.log | head -1) | grep -q ', DONE$'"
read -r sent lost gap < <(probe_stop "$LAB")
echo "  probes: $sent sent, $lost lost, longest gap $gap ms"
probe_losses "$LAB"
check "probes between every pair of VIPAs: none lost" [ "$sent" -gt 0 ] && [ "$lost" -eq 0 ]
read -r streams resets stall < <(probe_tcp "$LAB")
echo "  TCP: $streams streams, $resets resets, longest stall $stall ms"
check "TCP streams to the four LIT VIPAs: no reset" \
    bash -c "[ '$streams' -eq 4 ] && [ '$resets' -eq 0 ]"
lit_on "$LAB" VM2 hsi1 hsi0
check "ECMSS00 stays on VM9" [ "$(where "$LAB" ECMSS00)" = VM9 ]
check "routecheck clean after the evacuation" routecheck_clean "$LAB"
check "report file written" bash -c "ls $(labdir "$LAB")/reports/LIT-*.log"
check "history records the downtime" \
    bash -c "\"$LGRCTL\" -l $LAB -j history LITDCON1 | grep -q '\"downtime_ms\":[ ]*[0-9]'"

# --- back to VM9, lgrd killed in the middle --------------------------------
out=$("$LGRCTL" -l "$LAB" -j evacuate LIT --to VM9 --no-wait)
id=$(sed -n 's/.*"id": *\([0-9]*\).*/\1/p' <<<"$out")
check "evacuation back started (job $id)" [ -n "$id" ]
# Kill it while an HSI guest is between prepare and convergence.
for ((i = 0; i < 1200; i++)); do
	steps=$("$LGRCTL" -l "$LAB" -j status "$id" 2>/dev/null | python3 -c '
import json, sys
r = json.load(sys.stdin)[0]
print(" ".join("%s:%s" % (m["guest"], m["step"]) for m in r["moves"]))' 2>/dev/null)
	grep -Eq 'LIT(DCON1|SWAS1|DAT01):(prepare|relocate|complete|converge)' <<<"$steps" && break
	sleep 0.05
done
echo "  killing lgrd at: $steps"
kill -9 "$(lgrd_pid "$LAB")"
sleep 1
t0=$(date +%s%N)
"$LGRCTL" -l "$LAB" status >"$LABTEST_TMP/out" 2>&1
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
sed 's/^/  /' "$LABTEST_TMP/out"
check "no lgrd: lgrctl status fails with exit 6 in $ms ms (< 3000)" \
    bash -c "[ $rc -eq 6 ] && [ $ms -lt 3000 ]"
check "no lgrd: the message names the socket" grep -q "lgrd.ctl" "$LABTEST_TMP/out"
"$LGRD" -d -D "$(labdir "$LAB")" >"$LABTEST_TMP/lgrd2.log" 2>&1 &
orch_note_pid $!
for ((i = 0; i < 100; i++)); do
	"$LGRCTL" -l "$LAB" status >/dev/null 2>&1 && break
	sleep 0.1
done
check "restarted lgrd finishes the job" job_wait "$LAB" "$id" 600
check "the job took over its guests (LGR-JOB-RESUME)" \
    bash -c "\"$LGRCTL\" -l $LAB events $id | grep -q LGR-JOB-RESUME"
"$LGRCTL" -l "$LAB" report "$id" | sed 's/^/  /'
check "every LIT guest moved back" [ "$(job_field "$LAB" "$id" moved)" -eq 4 ]
lit_on "$LAB" VM9 hsi0 hsi1
check "routecheck clean after the restart" routecheck_clean "$LAB"
check "status JOB shows the job's moves" \
    bash -c "\"$LGRCTL\" -l $LAB status $id | grep -q '^LITDCON1 .* done '"

# --- --parallel above the members' limits (hvd -o 2): said why -------------
"$LGRCTL" -l "$LAB" evacuate ECM --to VM2 --parallel 4 >"$LABTEST_TMP/out" 2>&1
rc=$?
sed 's/^/  /' "$LABTEST_TMP/out"
check "evacuate ECM --parallel 4: exit 0" [ "$rc" -eq 0 ]
check "the clamp names the member's limit" \
    grep -q "parallel 2 (4 asked; VM9 allows 2 relocations out)" "$LABTEST_TMP/out"
check "status lists the newest job first" bash -c "\"$LGRCTL\" -l $LAB -j status |
    python3 -c 'import json,sys; i=[r[\"job\"][\"id\"] for r in json.load(sys.stdin)]; sys.exit(not (len(i) >= 3 and i == sorted(i, reverse=True)))'"

# --- two LIT guests at once: each verify clean, the job exit 0 --------------
"$LGRCTL" -l "$LAB" evacuate LIT --to VM2 --parallel 2 >"$LABTEST_TMP/par" 2>&1
rc=$?
sed 's/^/  /' "$LABTEST_TMP/par"
check "evacuate LIT --parallel 2: exit 0 (no move blamed for another)" [ "$rc" -eq 0 ]
check "evacuate LIT --parallel 2: routecheck ok for the four guests" \
    bash -c "[ \$(\"$LGRCTL\" -l $LAB -j report | python3 -c 'import json,sys; print(sum(m[\"routecheck\"] == \"ok\" for m in json.load(sys.stdin)[0][\"moves\"]))') -eq 4 ]"
check "routecheck clean after the parallel evacuation" routecheck_clean "$LAB"

labtest_summary

#!/usr/bin/env bash
# Lab test of the console of the real lgrd in the reference lab: `nslab
# up` prints the console's URL; `lgrctl console-url` mints one-time URLs
# (an operator's only for the operator role, audited); then
# lab_console.py: HTTP-level refusals and bad requests, the real browser
# (headless chromium over the DevTools protocol) evacuating LIT to VM2
# from the Evacuate page, /metrics before and after with promtool, an
# HSI link on a foreign LAN (a hypervisor-only move the agent does not
# see) marked in the cluster data and drawn red.
# Screenshots go to BUILDDIR/orchestrator/console-lab-screenshots.
# Exit 77 (skipped) without root, chromium or promtool.
# usage: lab_console.sh BUILDDIR SRCDIR
set -u
BIN=$1
SRC=$2
. "$SRC/orchestrator/tests/lib.sh"
orch_require "$AGENT"
for p in chromium promtool python3; do
	command -v "$p" >/dev/null || { echo "skip: $p not installed (scripts/packages/console.list)"; exit 77; }
done

LAB=orcon$$
SHOTS=$BIN/orchestrator/console-lab-screenshots
rm -rf "$SHOTS"

LABTEST_LABS+=("$LAB")
"$NSLAB" up -q --timeout 300 --name "$LAB" "$REFERENCE" >"$LABTEST_TMP/up" 2>&1
rc=$?
sed 's/^/  /' "$LABTEST_TMP/up" | tail -5
check "reference lab up with lgrd" [ "$rc" -eq 0 ]
check "nslab up prints the console's URL" \
    grep -Eq '^nslab: console http://127\.0\.0\.1:[0-9]+/login\?token=[0-9a-f]{32}$' "$LABTEST_TMP/up"
check "lgrd writes LABDIR/console.url 0600" \
    bash -c "[ \"\$(stat -c %a $(labdir "$LAB")/console.url)\" = 600 ]"

url=$("$LGRCTL" -l "$LAB" console-url 2>&1)
check "lgrctl console-url: a viewer URL by default ($url)" \
    bash -c "[[ '$url' =~ ^http://127\.0\.0\.1:[0-9]+/login\?token=[0-9a-f]{32}$ ]]"
"$LGRCTL" -l "$LAB" -k viewer console-url --role operator >"$LABTEST_TMP/out" 2>&1
rc=$?
check "viewer key: operator URL refused, exit 5" [ "$rc" -eq 5 ]
check "viewer key: the message names the operator role" \
    grep -q "operator URL needs the operator role" "$LABTEST_TMP/out"
check "viewer key may have a viewer URL" \
    "$LGRCTL" -l "$LAB" -k viewer console-url --role viewer
check "lgrctl audit shows the console URLs given and refused" \
    bash -c "\"$LGRCTL\" -l $LAB audit | grep 'console-url' | grep -q 'operator URL needs'"

# In the background, noted: stopped (chromium with it) whatever happens.
python3 "$SRC/orchestrator/tests/lab_console.py" "$LAB" "$SHOTS" "$LGRCTL" "$HVCTL" \
    "$NSLAB" "$AGENT" &
orch_note_pid $!
wait $!
rc=$?
[ "$rc" -eq 77 ] && exit 77
check "console in the lab: HTTP, browser and metrics checks" [ "$rc" -eq 0 ]
check "lgrd still runs" kill -0 "$(lgrd_pid "$LAB")"
check "a screenshot of each page" bash -c "ls $SHOTS/cluster.png $SHOTS/evacuate-plan.png \
    $SHOTS/evacuate-progress.png $SHOTS/evacuate-done.png $SHOTS/cluster-after.png \
    $SHOTS/history.png $SHOTS/routing.png $SHOTS/events.png $SHOTS/audit.png \
    $SHOTS/cluster-foreign.png $SHOTS/viewer-evacuate.png"
labtest_summary

#!/usr/bin/env bash
# Lab test of lgrd taking over a move whose relocation runs: LITDCON1 (a
# HiperSockets guest) is relocated to VM2 by lgrd, its pre-copy capped
# at 16 MiB/s (hvctl set-limits) from its first frames on; lgrd is killed
# (SIGKILL) while the hypervisor says the guest is RELOCATING, whatever
# lgrd's journal says, and started again.  The restarted lgrd must take
# over at the relocate step, follow the hypervisor's relocation to its
# end and report the guest moved, with hsi1 up and hsi0 down on VM2 and
# the routes clean; `lgrctl events -f` started before the kill follows
# the job's events on through the restart.
# usage: lab_restart.sh BUILDDIR SRCDIR
set -u
BIN=$1
SRC=$2
. "$SRC/orchestrator/tests/lib.sh"
orch_require "$AGENT"
command -v jq >/dev/null || { echo "skip: needs jq"; exit 77; }

LAB=orrs$$
TOPO=$(topo_renamed "$REFERENCE" "$LAB")

# The source member's hvd.
hv() { "$HVCTL" -l "$LAB" -m VM9 -t 3000 "$@"; }
# The phase of LITDCON1's latest relocation, "" when none runs.
hv_phase() {
	hv -j status LITDCON1 2>/dev/null |
	    jq -r '.[0] | select(.end_code == "") | .phase'
}

# relocate_capped: lgrd relocates LITDCON1 to VM2 (job id in $id); the
# cap is set as soon as the hypervisor has the relocation.  Fails when
# the relocation ended before the cap took hold (a fast machine).
relocate_capped() {
	local out i
	out=$("$LGRCTL" -l "$LAB" -j relocate LITDCON1 VM2 --no-wait)
	id=$(sed -n 's/.*"id": *\([0-9]*\).*/\1/p' <<<"$out" | head -1)
	[ -n "$id" ] || { echo "  lgrctl relocate: $out"; return 1; }
	for ((i = 0; i < 1000; i++)); do
		hv set-limits LITDCON1 --max-rate 16 >/dev/null 2>&1 && break
	done
	sleep 0.5
	[ "$(hv_phase)" = PRECOPY ]
}

check "reference lab up with lgrd" orch_lab_up "$LAB" "$TOPO"
check "LITDCON1 on VM9 with hsi0 up" hsi_right "$LAB" LITDCON1 hsi0 hsi1

capped=false
for attempt in 1 2 3; do
	if relocate_capped; then
		capped=true
		break
	fi
	echo "  attempt $attempt: the relocation ended before the cap; back to VM9"
	job_wait "$LAB" "$id" 120
	"$LGRCTL" -l "$LAB" relocate LITDCON1 VM9 >/dev/null 2>&1
done
check "lgrd's relocation of LITDCON1 runs, capped at 16 MiB/s (job $id)" $capped
echo "  lgrd's journal says: $("$LGRCTL" -l "$LAB" -j status "$id" |
    jq -r '.[0].moves[] | "\(.guest):\(.step)"')"
# An operator following the job's events: lgrctl must follow them on
# across lgrd's death and restart, not give up.  lgrd is stopped first,
# so that the follower's next request is unanswered when lgrd dies.
"$LGRCTL" -l "$LAB" events -f "$id" >"$LABTEST_TMP/follow.out" \
    2>"$LABTEST_TMP/follow.err" &
FOLLOW=$!
orch_note_pid $FOLLOW
sleep 0.5
kill -STOP "$(lgrd_pid "$LAB")"
sleep 0.6
kill -9 "$(lgrd_pid "$LAB")"
check "lgrd killed (SIGKILL) while the hypervisor says RELOCATING" \
    [ "$(hv -j where LITDCON1 | jq -r '.[0].state')" = RELOCATING ]
# Started with a soft descriptor limit under its hard one, as a login
# shell may give it: lgrd raises it (its ZeroMQ sockets, two each).
prlimit --nofile=4096:8192 "$LGRD" -d -D "$(labdir "$LAB")" \
    >"$LABTEST_TMP/lgrd2.log" 2>&1 &
LGRD2=$!
orch_note_pid $LGRD2
resumed() {
	"$LGRCTL" -l "$LAB" events "$id" 2>/dev/null | grep -q LGR-RESUME
}
for ((i = 0; i < 300; i++)); do
	resumed && break
	sleep 0.1
done
check "restarted lgrd takes the move over (LGR-RESUME)" resumed
check "restarted lgrd raised its descriptor limit to the hard one (8192)" \
    bash -c "grep '^Max open files' /proc/$LGRD2/limits | awk '{ exit !(\$4 == 8192 && \$5 == 8192) }'"
"$LGRCTL" -l "$LAB" events "$id" 2>/dev/null | grep LGR-RESUME | sed 's/^/  /'
check "it takes over at the relocate step, where the hypervisor is" \
    bash -c "\"$LGRCTL\" -l $LAB events $id | grep LGR-RESUME |
    grep -q 'at step relocate'"
check "the relocation still ran when lgrd took over" \
    [ "$(hv_phase)" = PRECOPY ]
echo "  hypervisor: $(hv -j status LITDCON1 | jq -c '.[0] | {phase, sent_mib, left_mib}')"
hv set-limits LITDCON1 --max-rate 1048576 >/dev/null
check "the restarted lgrd finishes the job" job_wait "$LAB" "$id" 300
check "lgrctl events -f still follows the job" kill -0 "$FOLLOW"
sed 's/^/  | /' "$LABTEST_TMP/follow.err"
check "... it said lgrd went away and followed on" \
    grep -q 'following the events again once lgrd is back' \
    "$LABTEST_TMP/follow.err"
check "... and has the restarted lgrd's events (LGR-RESUME, the end)" \
    bash -c "for i in \$(seq 50); do
    grep -q LGR-RESUME '$LABTEST_TMP/follow.out' &&
    grep -q LGR-JOB-DONE '$LABTEST_TMP/follow.out' && exit 0; sleep 0.1
    done; exit 1"
"$LGRCTL" -l "$LAB" report "$id" | sed 's/^/  /'
check "the job reports LITDCON1 moved" \
    [ "$(job_field "$LAB" "$id" moved)" = 1 ]
check "LITDCON1 runs on VM2" [ "$(where "$LAB" LITDCON1)" = VM2 ]
check "LITDCON1: hsi1 up, hsi0 down" hsi_right "$LAB" LITDCON1 hsi1 hsi0
check "the hypervisor's relocation ended OK" \
    [ "$(hv -j history LITDCON1 | jq -r '.[-1].end_code')" = OK ]
check "routecheck clean after the take-over" routecheck_clean "$LAB"

labtest_summary

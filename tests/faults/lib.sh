# lib.sh: helpers of the fault-matrix lab tests (issue 15, item 3), on
# top of the orchestrator's lab helpers (orchestrator/tests/lib.sh:
# labs, where, jobs, probes) and tests/lib/labtest.sh.  Source it with
# the test's arguments, BUILDDIR SRCDIR:
#	. "$2/tests/faults/lib.sh" "$@"
# Every test builds its own reference lab (fault_lab_up), provokes one
# fault while probes run between every pair of VIPAs, and ends with
# inv_check (invariants.sh).  Daemons a test restarts are its own
# processes: they are stopped, by pid, before the lab goes down.

BIN=$1
SRC=$2
. "$SRC/orchestrator/tests/lib.sh"
. "$SRC/tests/faults/invariants.sh"
AGENTCTL=$BIN/guestagent/agentctl
DRAINCTL=$BIN/routing/drainctl

FAULT_PIDS=()

fault_cleanup() {
	local lab
	# FAULT_SAVE=DIR keeps a copy of every lab's directory (logs).
	if [ -n "${FAULT_SAVE:-}" ]; then
		for lab in "${LABTEST_LABS[@]}"; do
			cp -r "$(labdir "$lab")" "$FAULT_SAVE/" 2>/dev/null
		done
	fi
	labtest_stop "${FAULT_PIDS[@]}" "${ORCH_PIDS[@]}"
	labtest_cleanup
}
trap fault_cleanup EXIT

# Skip (77) unless root with every program, jq and python3's yaml.
fault_require() {
	orch_require "$AGENT" "$AGENTCTL" "$DRAINCTL" "$ROUTECHECK"
	command -v jq >/dev/null || { echo "skip: needs jq"; exit 77; }
	command -v nsenter >/dev/null || { echo "skip: needs nsenter"; exit 77; }
	python3 -c 'import yaml' 2>/dev/null ||
	    { echo "skip: needs python3-yaml"; exit 77; }
}

# The reference lab as LAB, settled: every member JOINED, every guest
# RUNNING, every agent IDLE, routecheck clean.
fault_lab_up() {
	orch_lab_up "$1" "$REFERENCE" &&
	    inv_wait 60 inv_residency "$1" && inv_wait 30 inv_hsi "$1" &&
	    inv_wait 30 inv_routecheck "$1"
}

# fault_begin LAB WHAT LGRCTL-ARGS...: the reference lab as LAB,
# settled, probes between every pair of VIPAs, and the job of "lgrctl
# LGRCTL-ARGS" started ("WHAT started"); its id in FAULT_JOB.  With
# FAULT_BEFORE_JOB=FUNCTION, FUNCTION LAB runs just before the job
# starts (what a fault needs ready, so that it strikes at once when the
# job reaches its step: the job may end within a second or two).
fault_begin() {
	local lab=$1 what=$2
	shift 2
	check "reference lab up and settled" fault_lab_up "$lab"
	check "probes between every pair of VIPAs start" probe_start "$lab"
	[ -n "${FAULT_BEFORE_JOB:-}" ] && "$FAULT_BEFORE_JOB" "$lab"
	FAULT_JOB=$(fault_job "$lab" "$@")
	check "$what started (job $FAULT_JOB)" [ -n "$FAULT_JOB" ]
}

# fault_begin_precopy LAB GUEST MEMBER: fault_begin with a move of GUEST
# to MEMBER, held in pre-copy (capped at 8 MiB/s so that it lasts);
# FAULT_TARGET_PID is MEMBER's hvd.  The
# cap can only be set on a running relocation, and a 256 MiB guest moves
# in about 250 ms, which a loop of hvctl calls may miss on a busy
# machine: GUEST gets 2 GiB in the test's copy of the reference lab, so
# that its first pass alone lasts seconds.
fault_begin_precopy() {
	local big=$LABTEST_TMP/reference-big.yaml
	awk -v g="$2" '$0 ~ "- name: " g "$" { on = 1 }
	    on && /^    memory:/ { sub(/256M/, "2G"); on = 0 } { print }' \
	    "$REFERENCE" >"$big"
	check "$2 has 2 GiB in the test's reference lab" \
	    grep -q "^    memory: 2G" "$big"
	REFERENCE=$big fault_begin "$1" "move of $2 to $3" relocate "$2" "$3"
	check "its pre-copy capped at 8 MiB/s (to last)" fault_cap "$1" "$2" 8
	check "$2 in pre-copy" [ "$(fault_phase "$1" "$2")" = PRECOPY ]
	FAULT_TARGET_PID=$(fault_pid "$1" hvd "$3")
}

# fault_end_moved LAB GUEST moved|not: the job (FAULT_JOB) ends, GUEST
# moved or not.
fault_end_moved() {
	local r
	check "the job ends" fault_job_end "$1" "$FAULT_JOB" 120
	r=$(fault_move_of "$1" "$FAULT_JOB" "$2" result)
	if [ "$3" = moved ]; then
		check "$2 moved" [ "$r" = moved ]
	else
		check "$2 not moved ($r)" [ "$r" != moved ]
	fi
}

# fault_begin_evacuation LAB STEPS: fault_begin with the evacuation of
# LIT to VM2, until an HSI guest is moving: one of its moves at a step
# the regular expression STEPS matches (fault_wait_step; the job's steps
# in FAULT_STEPS).
fault_begin_evacuation() {
	fault_begin "$1" "evacuation of LIT to VM2" evacuate LIT --to VM2
	FAULT_STEPS=$(fault_wait_step "$1" "$FAULT_JOB" "$2" 120)
	check "an HSI guest is moving ($FAULT_STEPS)" [ $? -eq 0 ]
}

# fault_pid LAB KIND [NODE]: the pid of a daemon of the lab.
fault_pid() {
	inv_procs "$1" | awk -v k="$2" -v n="${3:--}" \
	    '$1 == k && $2 == n && !p { print $3; p = 1 }'
}

# fault_snapshot PID KEY: what it takes to start that process again as
# nslab did: its command line, network namespace, freezer cgroup, nice
# value and directory.
fault_snapshot() {
	local pid=$1 f=$LABTEST_TMP/proc-$2 ns="" n cg
	cp "/proc/$pid/cmdline" "$f.argv" || return 1
	n=$(ip netns identify "$pid" 2>/dev/null)
	[ -n "$n" ] && ns=/run/netns/$n
	cg=$(awk -F: '$2 == "freezer" { print $3 }' "/proc/$pid/cgroup")
	[ "$cg" = / ] && cg="" || cg=/sys/fs/cgroup/freezer$cg
	printf '%s\n%s\n%s\n%s\n' "$ns" "$cg" "$(ps -o ni= -p "$pid")" \
	    "$(readlink "/proc/$pid/cwd")" >"$f.env"
}

# fault_respawn KEY LOG [ARG...]: start a snapshot again (with more
# arguments), output appended to LOG; prints its pid.
fault_respawn() {
	local f=$LABTEST_TMP/proc-$1 log=$2 ns cg nice dir
	shift 2
	local -a argv
	mapfile -d '' argv <"$f.argv"
	{ read -r ns; read -r cg; read -r nice; read -r dir; } <"$f.env"
	nice=$((nice - $(ps -o ni= -p $$)))
	(cd "$dir" && exec sh -c 'cg=$1; ns=$2; shift 2
		[ -n "$cg" ] && echo $$ >"$cg/cgroup.procs"
		if [ -n "$ns" ]; then exec nsenter --net="$ns" "$@"; fi
		exec "$@"' sh "$cg" "$ns" nice -n "$nice" "${argv[@]}" "$@" \
	    >>"$log" 2>&1 </dev/null) &
	FAULT_PIDS+=("$!")
	echo "$!"
}

# fault_kill PID [SIGNAL]: signal (default KILL) and wait until it is gone.
fault_kill() {
	kill -"${2:-KILL}" "$1" || return 1
	for _ in $(seq 100); do
		kill -0 "$1" 2>/dev/null || return 0
		grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# fault_job LAB ARGS...: an lgrctl job started with --no-wait; its id.
fault_job() {
	local lab=$1
	shift
	"$LGRCTL" -l "$lab" -j "$@" --no-wait | jq -r '.id'
}

# fault_steps LAB JOB: "GUEST:STEP ..." of the job's moves.
fault_steps() {
	"$LGRCTL" -l "$1" -j status "$2" 2>/dev/null |
	    jq -r '[.[0].moves[] | "\(.guest):\(.step)"] | join(" ")'
}

# fault_wait_step LAB JOB REGEX [SECS]: until the steps match (every
# 20 ms); prints them.
fault_wait_step() {
	local end=$((SECONDS + ${4:-60})) s
	while [ "$SECONDS" -lt "$end" ]; do
		s=$(fault_steps "$1" "$2")
		grep -Eq "$3" <<<"$s" && { echo "$s"; return 0; }
		sleep 0.02
	done
	echo "$s"
	return 1
}

# fault_cap LAB GUEST MIB_S [MEMBER]: cap the guest's relocation to MIB_S
# as soon as it exists (within 60 s), so that its pre-copy lasts; asking
# MEMBER's hvd (the source: no redirect) when given.
fault_cap() {
	local end=$((SECONDS + 60))
	while [ "$SECONDS" -lt "$end" ]; do
		"$HVCTL" -l "$1" ${4:+-m "$4"} set-limits "$2" --max-rate "$3" \
		    >/dev/null 2>&1 && return 0
		sleep 0.005
	done
	return 1
}

# fault_phase LAB GUEST [MEMBER], fault_end LAB GUEST [MEMBER]: the phase
# and the end code of the guest's latest relocation, asking MEMBER's hvd
# (default: the first running one; name the source while the target is
# stopped).
fault_hv_status() {
	"$HVCTL" -l "$1" ${3:+-m "$3"} -j status "$2" 2>/dev/null
}
fault_phase() {
	fault_hv_status "$@" | jq -r '.[0].phase // ""'
}
fault_end() {
	fault_hv_status "$@" | jq -r '.[0].end_code // ""'
}

# fault_wait_end LAB GUEST [SECS [MEMBER]]: until the latest relocation
# ended; prints its end code.
fault_wait_end() {
	local end=$((SECONDS + ${3:-60})) e
	while [ "$SECONDS" -lt "$end" ]; do
		e=$(fault_end "$1" "$2" "${4:-}")
		[ -n "$e" ] && { echo "$e"; return 0; }
		sleep 0.1
	done
	return 1
}

# fault_job_end LAB JOB [SECS]: until the job ended; prints its report.
fault_job_end() {
	job_wait "$1" "$2" "${3:-180}" || return 1
	"$LGRCTL" -l "$1" status "$2" | sed 's/^/  /'
}

# fault_move_of LAB JOB GUEST FIELD: a field of one move of the job.
fault_move_of() {
	"$LGRCTL" -l "$1" -j status "$2" 2>/dev/null |
	    jq -r --arg g "$3" --arg f "$4" '.[0].moves[] | select(.guest == $g) | .[$f]'
}

# fault_finish LAB [GUEST=N ...]: the end of a one-host fault test: the
# probes stopped 2 s after the last move, the invariants checked (0
# probes lost a flow, or each GUEST's flows N), the logs after a
# failure, the summary (its status is the test's).
fault_finish() {
	local lab=$1
	shift
	sleep 2
	probe_stop "$lab" >/dev/null
	inv_check "$lab" 0 "$@"
	fault_logs_on_failure "$lab"
	labtest_summary
}

# After a failure, the end of the daemons' logs.
fault_logs_on_failure() {
	local d f
	[ "$LABTEST_FAILS" -eq 0 ] && return 0
	d=$(labdir "$1")
	for f in lgrd.log hvd-VM9.log hvd-VM2.log LITDCON1/guestagentd.log; do
		echo "--- $f"
		tail -25 "$d/$f" 2>/dev/null | sed 's/^/  /'
	done
}

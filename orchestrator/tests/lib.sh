# lib.sh: helpers of the orchestrator's lab tests.  Source it after
# setting BIN (the build tree) and SRC (the source tree).  Labs made
# through orch_lab_up and processes noted with orch_note_pid are gone
# on exit, whatever happens.
NSLAB=$BIN/netns-lab/nslab
LGRCTL=$BIN/orchestrator/lgrctl
LGRD=$BIN/orchestrator/lgrd
LGRPROBE=$BIN/orchestrator/lgrprobe
HVCTL=$BIN/hypervisor/hvctl
ROUTECHECK=$BIN/routing/routecheck
AGENT=$BIN/guestagent/guestagentd
REFERENCE=$SRC/netns-lab/topologies/reference.yaml
. "$SRC/tests/lib/labtest.sh"

ORCH_PIDS=()
orch_cleanup() {
	local pid
	for pid in "${ORCH_PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	labtest_cleanup
}
trap orch_cleanup EXIT

orch_note_pid() {
	ORCH_PIDS+=("$1")
}

# Skip (77) unless root and every program the test needs is built.
orch_require() {
	local p
	[ "$(id -u)" -eq 0 ] || { echo "skip: needs root"; exit 77; }
	for p in "$NSLAB" "$LGRCTL" "$LGRD" "$LGRPROBE" "$HVCTL" "$@"; do
		[ -x "$p" ] || { echo "skip: $p not built"; exit 77; }
	done
}

# orch_lab_up NAME TOPOLOGY: a lab with every daemon, lgrd included.
orch_lab_up() {
	LABTEST_LABS+=("$1")
	"$NSLAB" up -q --timeout 300 --name "$1" "$2"
}

labdir() {
	echo "${NSLAB_RUNDIR:-/run/nslab}/$1"
}

# The member a guest runs on, from the hypervisor.
where() {
	"$HVCTL" -l "$1" -j where "$2" 2>/dev/null |
	    sed -n 's/.*"member": *"\([^"]*\)".*/\1/p' | head -1
}

# Is interface IF of GUEST administratively up?
if_up() {
	ip -n "$1.$2" -o link show "$3" 2>/dev/null | grep -q '<[^>]*\bUP\b'
}

# hsi_right LAB GUEST UP DOWN: UP is up, DOWN is down.
hsi_right() {
	if_up "$1" "$2" "$3" && ! if_up "$1" "$2" "$4"
}

# The lgrd pid nslab noted in the manifest.
lgrd_pid() {
	awk '$1 == "proc" && $3 == "lgrd" { print $4 }' "$(labdir "$1")/manifest"
}

# A field of a job's report: job_field LAB ID FIELD.
job_field() {
	"$LGRCTL" -l "$1" -j status "$2" 2>/dev/null |
	    python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["job"][sys.argv[1]])' "$3"
}

# Wait (up to S seconds) until job ID of LAB is no longer RUNNING.
job_wait() {
	local lab=$1 id=$2 s=${3:-600} i
	for ((i = 0; i < s * 2; i++)); do
		[ "$(job_field "$lab" "$id" state)" != RUNNING ] && return 0
		sleep 0.5
	done
	return 1
}

# Probes between every pair of VIPAs: probe_start LAB [lgrprobe options,
# e.g. --tcp A,B --tcp-from C]; probe_stop LAB.
probe_start() {
	local lab=$1 out=$LABTEST_TMP/probe-$1.json
	shift
	rm -f "$LABTEST_TMP/stop-$lab" "$out" "$LABTEST_TMP/ready-$lab"
	"$LGRPROBE" --lab "$lab" --all-vipas -q --stop-file "$LABTEST_TMP/stop-$lab" \
	    --ready-file "$LABTEST_TMP/ready-$lab" -o "$out" "$@" &
	PROBE_PID=$!
	orch_note_pid "$PROBE_PID"
	for ((i = 0; i < 100; i++)); do
		[ -e "$LABTEST_TMP/ready-$lab" ] && return 0
		sleep 0.1
	done
	return 1
}

# Stops the probes; prints "sent lost gap" of the total.
probe_stop() {
	touch "$LABTEST_TMP/stop-$1"
	wait "$PROBE_PID"
	python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["total"]; print(t["sent"], t["lost"], round(t["longest_gap_ms"],1))' \
	    "$LABTEST_TMP/probe-$1.json"
}

# The TCP streams' total: prints "streams resets stall" (after probe_stop).
probe_tcp() {
	python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); t=r.get("tcp_total", {}); print(len(r.get("tcp", [])), t.get("resets", 0), round(t.get("longest_stall_ms", 0),1))' \
	    "$LABTEST_TMP/probe-$1.json"
}

# Pairs that lost probes, for the log.
probe_losses() {
	python3 -c 'import json,sys
for p in json.load(open(sys.argv[1]))["pairs"]:
    if p["lost"]: print("  %s -> %s: %d lost, longest gap %.1f ms" % (p["from"], p["to"], p["lost"], p["longest_gap_ms"]))' \
	    "$LABTEST_TMP/probe-$1.json"
}

# routecheck, when it is built: routecheck_clean LAB.
routecheck_clean() {
	if [ ! -x "$ROUTECHECK" ]; then
		echo "  (routecheck not built: not checked)"
		return 0
	fi
	"$ROUTECHECK" "$1" >"$LABTEST_TMP/routecheck-$1.txt" 2>&1 ||
	    { sed 's/^/  /' "$LABTEST_TMP/routecheck-$1.txt" | head -20; return 1; }
}

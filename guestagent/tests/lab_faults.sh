#!/usr/bin/env bash
# Guest agents when things go wrong, in the reference lab (issue 6):
#   a request signed with an unknown key, or by a role that may not;
#   the wrong HSI interface brought up by hand;
#   the agent killed in the middle of a prepare, and restarted;
#   the agent killed after a prepare (a relocation in flight);
#   no complete ever coming: self-complete after the timeout;
#   a hypervisor-only move; the naive mode; a second agent.
# usage: lab_faults.sh NSLAB SRCDIR AGENTCTL GUESTAGENTD HVCTL DRAINCTL
#        KEYGEN ROUTECHECK|none
set -u
. "$2/guestagent/tests/lab.sh" "$@"
command -v nsenter >/dev/null || { echo "skip: needs nsenter"; exit 77; }

LAB=gaf$$
REF=$(topo_renamed "$SRC/netns-lab/topologies/reference.yaml" "$LAB")
DIR=$(labdir "$LAB")
OUT=$LABTEST_TMP/out.json

log_has() { grep -qF -- "$2" "$DIR/$1/guestagentd.log"; }
status_is() {	# GUEST JQ-EXPRESSION
	agent "$LAB" "$1" -j status 2>/dev/null | jq -e "$2" >/dev/null
}
drained() {	# GUEST IFNAME: the plugin says so
	"$DRAINCTL" --lab "$LAB" --router "$1" -j state |
	    jq -e --arg i "$2" '[.[] | select(.ifname == $i) | .drained] == [true]' >/dev/null
}
export -f status_is drained
export LAB

check "reference lab with guest agents converges" lab_up "$REF"
for g in LITDCON1 LITSWAS1 LITDAT01; do
	check "$g: agent ready, residency known" wait_for 60 status_is "$g" \
	    '.journal == "IDLE" and .member == "VM9"'
done

# --- keys and roles -------------------------------------------------
mkdir -p "$LABTEST_TMP/other" && "$KEYGEN" "$LABTEST_TMP/other" ||
    fail "keys of another lab"
agent "$LAB" LITDCON1 --key "$LABTEST_TMP/other/keys/orchestrator.key" \
    status >/dev/null 2>"$LABTEST_TMP/err"
check "unknown key: refused (exit 4)" [ $? -eq 4 ]
check "unknown key: the CLI says authentication failed" \
    grep -q "refused our key" "$LABTEST_TMP/err"
check "unknown key: logged with a stable id" \
    wait_for 5 log_has LITDCON1 "[GA-AUTH-DENIED]"
sleep 1.1	# refusals share the core's rate limit of one line a second
agent "$LAB" LITDCON1 --role viewer prepare >/dev/null 2>"$LABTEST_TMP/err"
check "viewer's prepare: refused (exit 4, 8003)" [ $? -eq 4 ]
check "viewer's prepare: the error names the role" \
    grep -q "role viewer may not prepare.*8003" "$LABTEST_TMP/err"
check "refused role: logged with a stable id" \
    log_has LITDCON1 "[GA-AUTH-REFUSED] viewer may not prepare"
sleep 1.1	# the refusal log is rate-limited to one a second
agent "$LAB" LITDCON1 --role operator complete >/dev/null 2>&1
check "operator's complete: refused (exit 4)" [ $? -eq 4 ]
check "nothing changed: hsi0 still up, journal IDLE" bash -c \
    "[ \"\$(hsi_up $LAB LITDCON1)\" = hsi0 ] && status_is LITDCON1 '.journal == \"IDLE\"'"
for r in viewer operator orchestrator; do
	check "status readable by $r" bash -c \
	    "agent $LAB LITDCON1 --role $r status >/dev/null"
done

# --- the wrong interface brought up by hand -----------------------------
"$NSLAB" exec "$LAB" LITDAT01 -- ip link set hsi1 up
check "hsi1 brought up by hand on VM9 is taken down" wait_for 10 \
    bash -c "[ \"\$(hsi_up $LAB LITDAT01)\" = hsi0 ]"
check "status counts the correction, with a warning" status_is LITDAT01 \
    '.corrections == 1 and (.last_warning | startswith("[GA-WRONG-HSI] hsi1"))'
check "warning logged with a stable id" log_has LITDAT01 "[GA-WRONG-HSI] hsi1 came up"

# --- agent killed in the middle of a prepare, restarted -----------------
# A long settle holds the prepare between drain and down.
agent_kill "$LAB" LITDCON1 TERM
check "agent restarted with a long settle" agent_start "$LAB" LITDCON1 -s 30000
agent "$LAB" LITDCON1 -T 90000 prepare >/dev/null 2>&1 &
PREP=$!
check "mid-prepare: hsi0 drained by the plugin, still up" wait_for 20 \
    bash -c "drained LITDCON1 hsi0 && [ \"\$(hsi_up $LAB LITDCON1)\" = hsi0 ]"
check "agent killed (SIGKILL) mid-prepare" agent_kill "$LAB" LITDCON1 KILL
wait "$PREP" 2>/dev/null
check "agent restarted" agent_start "$LAB" LITDCON1
check "reconciled: hsi0 up and undrained, journal IDLE" wait_for 20 bash -c \
    "[ \"\$(hsi_up $LAB LITDCON1)\" = hsi0 ] && ! drained LITDCON1 hsi0 &&
    status_is LITDCON1 '.journal == \"IDLE\"'"
check "reconcile logged" log_has LITDCON1 "[GA-RECONCILE] LITDCON1 on VM9"

# --- agent killed after a prepare: the relocation stays in flight -------
agent "$LAB" LITDCON1 prepare >/dev/null
check "prepared: both down" bash -c "[ -z \"\$(hsi_up $LAB LITDCON1)\" ]"
check "agent killed (SIGKILL) after prepare" agent_kill "$LAB" LITDCON1 KILL
check "agent restarted" agent_start "$LAB" LITDCON1
check "journal PREPARED kept: no reconcile, both still down" bash -c \
    "status_is LITDCON1 '.journal == \"PREPARED\"' && [ -z \"\$(hsi_up $LAB LITDCON1)\" ]"
agent "$LAB" LITDCON1 -j complete >"$OUT"
check "then complete: hsi0 back" jqe '.up == "hsi0" and .member == "VM9"' "$OUT"

# --- no complete ever comes: self-complete ------------------------------
agent_kill "$LAB" LITSWAS1 TERM
check "LITSWAS1's agent restarted with a 3 s prepare timeout" \
    agent_start "$LAB" LITSWAS1 -t 3000
agent "$LAB" LITSWAS1 prepare >/dev/null
check "prepared: both down, self-complete time in status" bash -c \
    "[ -z \"\$(hsi_up $LAB LITSWAS1)\" ] && status_is LITSWAS1 '.self_complete_ms > 0'"
check "completes by itself: hsi0 up, journal IDLE" wait_for 30 bash -c \
    "[ \"\$(hsi_up $LAB LITSWAS1)\" = hsi0 ] && status_is LITSWAS1 '.journal == \"IDLE\"'"
check "self-complete warned with a stable id" bash -c \
    "status_is LITSWAS1 '.last_warning | startswith(\"[GA-SELF-COMPLETE]\")' &&
    grep -qF '[GA-SELF-COMPLETE]' \"$DIR/LITSWAS1/guestagentd.log\""
check "hsi0 undrained after the self-complete" wait_for 10 \
    bash -c "! drained LITSWAS1 hsi0"

# --- a hypervisor-only move: the agent follows ---------------------------
check "hvctl moves LITDAT01 to VM2 (no prepare)" "$HVCTL" -l "$LAB" relocate LITDAT01 VM2
check "the agent notices: hsi1 up, hsi0 down" wait_for 20 \
    bash -c "[ \"\$(hsi_up $LAB LITDAT01)\" = hsi1 ]"
check "unprepared move warned with a stable id" \
    log_has LITDAT01 "[GA-MOVED-UNPREPARED] LITDAT01 moved from VM9 to VM2"
check "it joins VM2's LAN as a complete does (drained while down, undrained once heard)" \
    wait_for 20 log_has LITDAT01 "[GA-SELF-COMPLETE] LITDAT01 on VM2: hsi1 up"
check "hsi1 undrained after it" wait_for 10 bash -c "! drained LITDAT01 hsi1"

# --- naive mode (the evaluation's script) ---------------------------------
agent_kill "$LAB" LITDAT01 TERM
check "LITDAT01's agent restarted in naive mode" \
    agent_start "$LAB" LITDAT01 -m naive -w 300
agent "$LAB" LITDAT01 -j prepare >"$OUT"
check "naive prepare: no drain, both down" jqe '.mode == "naive" and
    .drained == [] and (.down | sort) == ["hsi0", "hsi1"]' "$OUT"
check "naive prepare: nothing drained in the plugin" bash -c "! drained LITDAT01 hsi1"
agent "$LAB" LITDAT01 -j complete >"$OUT"
check "naive complete: hsi1 up on VM2" jqe '.mode == "naive" and
    .up == "hsi1" and .member == "VM2"' "$OUT"

# --- one agent per guest -----------------------------------------------------
"$AGENTD" -d -f "$DIR/topology.yaml" -g LITDAT01 -D "$DIR" \
    >"$LABTEST_TMP/second" 2>&1 &
SECOND=$!
AGENT_PIDS+=("$SECOND")
wait_for 10 bash -c "! kill -0 $SECOND 2>/dev/null"
check "a second agent for LITDAT01 refuses to start" \
    grep -q "already serves LITDAT01" "$LABTEST_TMP/second"
check "the first still answers" status_is LITDAT01 '.mode == "naive"'

if [ "$ROUTECHECK" != none ]; then
	check "routecheck clean at the end" wait_for 30 "$ROUTECHECK" -q "$LAB"
fi
agent_logs_on_failure "$LAB"
labtest_summary

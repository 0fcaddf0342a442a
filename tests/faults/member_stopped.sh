#!/usr/bin/env bash
# Fault (multi-host lab, directory on etcd): the target member's hvd
# stopped (SIGSTOP) during a relocation, past its lease TTL, then
# continued (SIGCONT).
# Promise: VM9 declares VM2 DOWN, the relocation rolls back and the
# guest keeps running on VM9; continued, VM2 cannot commit (its commit
# would carry a stale token and is refused), it fences itself
# (HV-FENCED) and joins again as a new incarnation; never a guest on two
# members.
# usage: member_stopped.sh BUILDDIR SRCDIR
set -u
. "$2/tests/faults/lib.sh" "$@"
. "$2/tests/faults/dist.sh"
dist_require

LAB=fd3$$
G=LITDCON1
RUNS=$LABTEST_TMP/runs
# The cap can only be set on a running relocation, and a 256 MiB guest
# moves in well under a second, which a loop of hvctl calls missed once
# on the loaded CI machine: G gets 2 GiB in the test's copy of refh, as
# in fault_begin_precopy, so that its first pass alone lasts seconds.
BIG=$LABTEST_TMP/refh-big.yaml
awk -v g="$G" '$0 ~ "- name: " g "$" { on = 1 }
    on && /^    memory:/ { sub(/256M/, "2G"); on = 0 } { print }' \
    "$REFH" >"$BIG"
check "$G has 2 GiB in the test's refh" grep -q "^    memory: 2G" "$BIG"

check "refh lab (etcd) up and settled" dist_lab_up "$LAB" "$BIG"
check "probes between every pair of VIPAs start" probe_start "$LAB"
dist_sampler_start "$LAB" "$RUNS"
id=$(fault_job "$LAB" relocate $G VM2)
check "move of $G to VM2 started (job $id)" [ -n "$id" ]
check "its pre-copy capped at 8 MiB/s (to last)" fault_cap "$LAB" $G 8 VM9
check "$G in pre-copy" [ "$(fault_phase "$LAB" $G VM9)" = PRECOPY ]
check "VM2's hvd stopped (SIGSTOP)" dist_fault "$LAB" stop-member VM2
dist_check_down "$LAB" VM9 VM2 stop
end=$(fault_wait_end "$LAB" $G 30 VM9)
check "the relocation ends, not moved ($end)" \
    bash -c "[ -n '$end' ] && [ '$end' != OK ]"
check "$G still on VM9 (VM9 says)" [ "$(dist_where "$LAB" VM9 $G)" = VM9 ]
sleep 1
check "VM2's hvd continued (SIGCONT)" "$NSLAB" fault "$LAB" cont-member VM2
check "VM2 fences itself (HV-FENCED)" inv_wait 15 \
    grep -q "HV-FENCED" "$(labdir "$LAB")/hvd-VM2.log"
check "VM2 commits nothing: $G never runs there" dist_runs_none "$LAB" VM2
check "VM2 joins again" inv_wait 30 dist_member_is "$LAB" VM9 VM2 JOINED
check "the job ends" fault_job_end "$LAB" "$id" 120
check "$G on VM9" [ "$(where "$LAB" $G)" = VM9 ]
sleep 2
dist_sampler_stop
check "never a guest on two members (sampled every 10 ms)" \
    dist_never_two "$RUNS"
grep -h "HV-RELOC-STALE\|HV-FENCED\|HV-MEMBER-REJOINED" \
    "$(labdir "$LAB")/hvd-VM2.log" | sed 's/^/  VM2: /'
probe_stop "$LAB" >/dev/null
inv_check "$LAB" 0
dist_logs_on_failure "$LAB"
labtest_summary

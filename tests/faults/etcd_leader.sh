#!/usr/bin/env bash
# Fault (multi-host lab, directory on etcd): the etcd leader killed in
# the middle of an evacuation.
# Promise: the surviving nodes elect a leader (1-2 s); the evacuation
# completes, every guest moved, no probe lost; members stay JOINED (the
# leases outlive the election).
# usage: etcd_leader.sh BUILDDIR SRCDIR
set -u
. "$2/tests/faults/lib.sh" "$@"
. "$2/tests/faults/dist.sh"
dist_require

LAB=fd4$$

check "refh lab (etcd) up and settled" dist_lab_up "$LAB" "$REFH"
check "probes between every pair of VIPAs start" probe_start "$LAB"
id=$(fault_job "$LAB" evacuate LIT --to VM2)
check "evacuation of LIT to VM2 started (job $id)" [ -n "$id" ]
steps=$(fault_wait_step "$LAB" "$id" 'LIT[A-Z0-9]*:(relocate|prepare)' 60)
check "a guest is moving ($steps)" [ $? -eq 0 ]
leader=$(dist_etcd_leader "$LAB")
check "the etcd leader found (${leader:-none})" [ -n "$leader" ]
check "the etcd leader on $leader killed" \
    "$NSLAB" fault "$LAB" etcd-kill "${leader:-none}"
check "the job ends" fault_job_end "$LAB" "$id" 180
check "every LIT guest moved" [ "$(job_field "$LAB" "$id" moved)" = 4 ]
check "a new etcd leader" inv_wait 10 dist_etcd_leader "$LAB"
check "both members JOINED" dist_member_is "$LAB" VM2 VM9 JOINED
sleep 2
probe_stop "$LAB" >/dev/null
inv_check "$LAB" 0
dist_logs_on_failure "$LAB"
labtest_summary

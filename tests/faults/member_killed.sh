#!/usr/bin/env bash
# Fault (multi-host lab, directory on etcd): a member's hvd killed
# (SIGKILL).  Promise: the survivor declares it DOWN within the lease TTL
# + 1 s; with ha: restart it restarts each of the dead member's guests
# exactly once (HSI NICs re-plugged to its LAN, the agent completes);
# never a guest on two members; the restarted hvd rejoins without them.
# usage: member_killed.sh BUILDDIR SRCDIR
set -u
. "$2/tests/faults/lib.sh" "$@"
. "$2/tests/faults/dist.sh"
dist_require

LAB=fd1$$
GUESTS="ECMSS00 LITSHA22 LITDCON1 LITSWAS1 LITDAT01"

check "refh lab (etcd, ha: restart) up and settled" \
    dist_lab_up "$LAB" "$(dist_topology restart)"
check "probes between every pair of VIPAs start" probe_start "$LAB"
dist_sampler_start "$LAB" "$LABTEST_TMP/runs"
check "VM9's hvd killed" dist_fault "$LAB" kill-member VM9
t0=$DIST_AT
dist_check_down "$LAB" VM2 VM9 kill
check "every guest of VM9 restarted on VM2" \
    inv_wait 30 dist_all_on "$LAB" VM2 $GUESTS
check "each restarted exactly once" dist_restarted_once "$LAB" $GUESTS
echo "  the first guest restarted on VM2 $(dist_event_after "$LAB" VM2 \
    HV-GUEST-RESTARTED restarted "$t0") s after the kill"
check "VM9's hvd restarted" "$NSLAB" restart "$LAB" hvd VM9
check "VM9 rejoins" inv_wait 30 dist_member_is "$LAB" VM2 VM9 JOINED
check "VM9 runs none of them" dist_runs_none "$LAB" VM9
sleep 2
dist_sampler_stop
check "never a guest on two members (sampled every 10 ms)" \
    dist_never_two "$LABTEST_TMP/runs"
probe_stop "$LAB" >/dev/null
# The guests' routers keep running (only hvd died); their NIC host ends
# move into CPC2 (carrier lost a moment on every link) and the agents
# move the HSI traffic to VM2's LAN: probes go meanwhile (measured: 35-81
# a flow, gaps up to 1.5 s).
inv_check "$LAB" 200
dist_logs_on_failure "$LAB"
labtest_summary

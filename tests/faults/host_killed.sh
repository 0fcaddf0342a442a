#!/usr/bin/env bash
# Fault (multi-host lab, directory on etcd): a whole host dies.  CPC9 is
# cut from the underlay and every process of it is killed: VM9's hvd, the
# etcd node of CPC9 and the five guests that run on VM9 (their routers
# and agents; their memory is VM9's), not a thread of another process
# placed in a guest's cgroup (a prober's responder).  Promise: VM2
# declares VM9 DOWN within the lease TTL + 1 s and restarts each guest
# exactly once (ha: restart), never on two members; once each guest's
# own processes start again (nslab restart LAB guest GUEST, the guest's
# boot), its agent brings up the HSI interface of VM2's LAN and the routes
# converge; probes then lose nothing; CPC9 healed and its etcd node and
# hvd started again, VM9 joins without them.
# usage: host_killed.sh BUILDDIR SRCDIR
set -u
. "$2/tests/faults/lib.sh" "$@"
. "$2/tests/faults/dist.sh"
dist_require

LAB=fh1$$
GUESTS="ECMSS00 LITSHA22 LITDCON1 LITSWAS1 LITDAT01"

# host_guests_dead LAB GUEST...: no zebra, ospfd or agent of the guests.
host_guests_dead() {
	local lab=$1 g
	shift
	for g in "$@"; do
		! inv_procs "$lab" | awk '{ print $2 }' | grep -qx "$g" ||
		    { echo "  $g: processes left"; return 1; }
	done
}

check "refh lab (etcd, ha: restart) up and settled" \
    dist_lab_up "$LAB" "$(dist_topology restart)"
# When CPC9's etcd node leads, the kill costs an election, and the new
# leader extends every lease by its TTL plus the election time-out (1 s;
# etcd's lessor does so that no lease ends for want of a leader): VM9's
# lease then ends up to an election + 1 s later than the TTL.  An
# election with pre-vote takes up to two rounds of 1-2 s (measured once:
# DOWN 9.2 s after the kill, 4.2 s past the TTL).
leader=$(dist_etcd_leader "$LAB")
extra=0
[ "$leader" = CPC9 ] && extra=4
echo "  the etcd leader is on ${leader:-?}"
dist_sampler_start "$LAB" "$LABTEST_TMP/runs"
# lgrprobe's responders sit in the guests' cgroups (they stall with the
# guests), as lgrd's do in a move: threads of a process that does not
# run on the host, which the kill must leave alone.
check "probes between every pair of VIPAs start (before the kill)" \
    probe_start "$LAB"
check "host CPC9 killed" dist_fault "$LAB" kill-host CPC9
t0=$DIST_AT
check "the prober, whose responders were in the guests' cgroups, lives" \
    kill -0 "$PROBE_PID"
probe_stop "$LAB" >/dev/null
check "the guests' routers and agents died with it" \
    host_guests_dead "$LAB" $GUESTS
dist_check_down "$LAB" VM2 VM9 kill "$extra"
check "every guest of VM9 restarted on VM2" \
    inv_wait 30 dist_all_on "$LAB" VM2 $GUESTS
check "each restarted exactly once" dist_restarted_once "$LAB" $GUESTS
echo "  the first guest restarted on VM2 $(dist_event_after "$LAB" VM2 \
    HV-GUEST-RESTARTED restarted "$t0") s after the kill"
for g in $GUESTS; do
	check "$g's routers and agent started again" \
	    "$NSLAB" restart "$LAB" guest "$g"
done
check_exit 1 "$LABTEST_TMP/again" "a guest whose routers run is left alone" \
    "$NSLAB" restart "$LAB" guest LITDAT01
check "the HSI interfaces of VM2's LAN up, undrained" \
    inv_wait 60 inv_hsi "$LAB"
check "routecheck clean on VM2" inv_wait 60 inv_routecheck "$LAB"
check "CPC9 healed" dist_fault "$LAB" heal CPC9
check "CPC9's etcd node started again" "$NSLAB" restart "$LAB" etcd CPC9
check "VM9's hvd started again" "$NSLAB" restart "$LAB" hvd VM9
check "VM9 rejoins" inv_wait 30 dist_member_is "$LAB" VM2 VM9 JOINED
check "VM9 runs none of them" dist_runs_none "$LAB" VM9
dist_sampler_stop
check "never a guest on two members (sampled every 10 ms)" \
    dist_never_two "$LABTEST_TMP/runs"
# The guests were dead until their restart: the probes measure the lab
# they came back to, over VM2's LAN, for 5 s.
check "probes between every pair of VIPAs start" probe_start "$LAB"
sleep 5
probe_stop "$LAB" >/dev/null
inv_check "$LAB" 0
dist_logs_on_failure "$LAB"
labtest_summary

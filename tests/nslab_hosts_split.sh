#!/usr/bin/env bash
# Integration test of `nslab up FILE --host NAME` (issue 12, item 3): the
# three hosts of reference-hosts.yaml brought up by three calls, each
# building only its host's part and joining the others by their underlay
# addresses, form the same lab as one `nslab up`: the same namespaces,
# the same daemons, every guest pings every VIPA; the call that
# completes the lab waits until it is ready; `nslab down` leaves nothing
# and kills nothing (every daemon, etcd too, ends on SIGTERM).
# usage: nslab_hosts_split.sh NSLAB SRCDIR
set -u
. "$2/tests/lib/labtest.sh" "$@"

LAB=t2split
REFH=$(topo_renamed "$SRC/netns-lab/topologies/reference-hosts.yaml" $LAB)
RUN=${NSLAB_RUNDIR:-/run/nslab}
LABTEST_LABS+=($LAB)

check "--host of a host the file does not name: exit 3, nothing made" bash -c "
    \"$NSLAB\" up --host CPC7 $REFH 2>$LABTEST_TMP/bad.err; [ \$? -eq 3 ] &&
    grep -q 'no such host in .*; hosts: CPC9 CPC2 DC' $LABTEST_TMP/bad.err &&
    [ ! -e $RUN/$LAB ]"

check_exit 0 "$LABTEST_TMP/1.err" "up --host CPC9" "$NSLAB" up --host CPC9 "$REFH"
check "it says the lab is complete with hosts CPC2, DC" \
    grep -q "host CPC9 of lab $LAB up .*complete with hosts CPC2, DC" "$LABTEST_TMP/1.err"
check "only CPC9's part: its namespace, the guests of VM9, not DC's nor the ABR" bash -c "
    ns=\$(ip netns list | awk '{ print \$1 }')
    grep -qx '$LAB:CPC9' <<<\"\$ns\" && grep -qx '$LAB.LITDCON1' <<<\"\$ns\" &&
    ! grep -qx '$LAB:DC' <<<\"\$ns\" && ! grep -qx '$LAB.ABR' <<<\"\$ns\""
check "up --host CPC9 again: exit 6 (host up already)" bash -c "
    \"$NSLAB\" up -q --host CPC9 $REFH 2>/dev/null; [ \$? -eq 6 ]"

"$NSLAB" up -q --host CPC2 "$REFH"
check "up --host CPC2: exit 0" [ $? -eq 0 ]
check_exit 0 "$LABTEST_TMP/3.err" "up --host DC completes the lab, ready" \
    "$NSLAB" up --host DC "$REFH"
check "and it waited until the lab was ready" \
    grep -q "lab $LAB ready (2 members JOINED, 5 guests RUNNING, agents answering)" "$LABTEST_TMP/3.err"

# --- the same lab as one `nslab up` ---------------------------------
want_ns=$(printf '%s\n' "$LAB:CPC9" "$LAB:CPC2" "$LAB:DC" "$LAB:ul" "$LAB.ABR" \
    $(for g in $REF_GUESTS; do echo "$LAB.$g"; done) | sort)
have_ns=$(ip netns list | awk '{ print $1 }' | grep "^$LAB[.:]" | sort)
check "the namespaces of one nslab up: 3 hosts, the underlay, 6 routers" \
    [ "$want_ns" = "$have_ns" ]
procs=$(awk '$1 == "proc" { print $3 }' "$RUN/$LAB/manifest" | sort | uniq -c | awk '{ printf "%s:%s ", $2, $1 }')
echo "  processes: $procs"
check "the daemons of one nslab up: etcd 3, guestagentd 3, hvd 2, lgrd 1, ospfd 6, zebra 6" \
    [ "$procs" = "etcd:3 guestagentd:3 hvd:2 lgrd:1 ospfd:6 zebra:6 " ]
check "the underlay joins the three hosts" \
    bash -c "[ \$(ip -n $LAB:ul -j link show master ul | jq length) -eq 3 ]"
check "the etcd cluster has three healthy members" bash -c "
    for i in \$(seq 20); do
	[ \$(ip netns exec $LAB:DC etcdctl --endpoints=10.255.0.1:2379,10.255.0.2:2379,10.255.0.3:2379 endpoint health 2>&1 | grep -c 'is healthy') -eq 3 ] && exit 0
	sleep 0.5
    done; exit 1"
check "every guest pings every VIPA (25 of 25)" ping_mesh $LAB
check "VM2's HiperSockets LAN reaches CPC9 over VXLAN: vh1 in hp1, VNI 4301" \
    bash -c "ip -n $LAB:CPC9 -d -j link show vh1 | jq -e '.[0].master == \"hp1\" and .[0].linkinfo.info_data.id == 4301' >/dev/null"

# --- down leaves nothing --------------------------------------------
pids=$(lab_pids $LAB)
check "nslab down -v exits 0" bash -c "\"$NSLAB\" down -v $LAB >/dev/null 2>'$LABTEST_TMP/down.err'"
sed 's/^/  | /' "$LABTEST_TMP/down.err"
# Every daemon ends on SIGTERM: the etcd nodes are stopped last, one at
# a time (a leader stopping with the others hands its role to one that
# is stopping too, and waited seconds for it).
check "no process had to be killed" \
    bash -c "! grep -q 'ignored SIGTERM' '$LABTEST_TMP/down.err'"
check "after down: nothing of $LAB (namespaces, state, cgroups, processes)" \
    lab_gone $LAB "$pids"

labtest_summary

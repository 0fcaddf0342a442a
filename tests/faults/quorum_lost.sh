#!/usr/bin/env bash
# Fault (multi-host lab, directory on etcd): 2 of the 3 etcd nodes killed
# (quorum lost), then started again.
# Promise: no relocation starts, and the operator is told why (hvctl and
# lgrctl name the lost quorum); hvd keeps answering its control socket;
# the members fence (nobody can vouch for their leases) and, the quorum
# back, join again and start their guests again (never declared LOST,
# so never claimed elsewhere); the lab settles.
# usage: quorum_lost.sh BUILDDIR SRCDIR
set -u
. "$2/tests/faults/lib.sh" "$@"
. "$2/tests/faults/dist.sh"
dist_require

LAB=fd5$$
G=LITSHA22
RUNS=$LABTEST_TMP/runs

check "refh lab (etcd) up and settled" dist_lab_up "$LAB" "$REFH"
dist_sampler_start "$LAB" "$RUNS"
check "etcd of CPC2 killed" "$NSLAB" fault "$LAB" etcd-kill CPC2
check "etcd of DC killed" "$NSLAB" fault "$LAB" etcd-kill DC
sleep 1.5	# the last node's election timeout: it knows its quorum is lost
t0=$(dist_now)
"$HVCTL" -l "$LAB" -m VM9 relocate $G VM2 >"$LABTEST_TMP/hv" 2>&1
rc=$?
sed 's/^/  hvctl: /' "$LABTEST_TMP/hv"
echo "  answered in $(dist_elapsed "$t0") s"
check "hvctl relocate refused (exit $rc)" [ "$rc" -ne 0 ] && [ "$rc" -ne 2 ]
check "hvctl says the quorum is lost" grep -q "no quorum" "$LABTEST_TMP/hv"
"$LGRCTL" -l "$LAB" relocate $G VM2 >"$LABTEST_TMP/lgr" 2>&1
rc=$?
sed 's/^/  lgrctl: /' "$LABTEST_TMP/lgr"
check "lgrctl relocate does not move it (exit $rc)" [ "$rc" -ne 0 ]
check "lgrctl says the quorum is lost" grep -q "no quorum" "$LABTEST_TMP/lgr"
t0=$(dist_now)
check "hvd answers its control socket meanwhile (members: an answer, not a timeout)" \
    bash -c "\"$HVCTL\" -l $LAB -m VM2 -t 3000 members >/dev/null 2>&1; [ \$? -ne 2 ]"
echo "  answered in $(dist_elapsed "$t0") s"
check "$G never ran on VM2" bash -c "! grep -q '\"$G\": \[[^]]*VM2' '$RUNS'"
check "etcd of CPC2 started again" "$NSLAB" restart "$LAB" etcd CPC2
check "etcd of DC started again" "$NSLAB" restart "$LAB" etcd DC
check "both members JOINED again" inv_wait 40 bash -c \
    "\"$HVCTL\" -l $LAB -j members | jq -e 'all(.[]; .state == \"JOINED\")'"
check "every guest runs on VM9 again" inv_wait 30 dist_all_on "$LAB" VM9 \
    ECMSS00 LITSHA22 LITDCON1 LITSWAS1 LITDAT01
dist_sampler_stop
check "never a guest on two members (sampled every 10 ms)" \
    dist_never_two "$RUNS"
# The guests were stopped while fenced and started again fresh: probes
# once their routers are back (adjacencies formed again).
check "the guests' routers settle" inv_wait 60 inv_routecheck "$LAB"
inv_wait 30 inv_hsi "$LAB" >/dev/null
probe_start "$LAB" && sleep 3 && probe_stop "$LAB" >/dev/null
inv_check "$LAB" 0
dist_logs_on_failure "$LAB"
labtest_summary

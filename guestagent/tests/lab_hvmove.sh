#!/usr/bin/env bash
# An lgrd move, then a hypervisor-only move (issue 13): lgrctl relocate
# LITDCON1 VM2 drains hsi0 in the prepare and leaves it drained while it
# is down; hvctl relocate LITDCON1 VM9 moves it home without the agent,
# which reconciles (hsi1 down, hsi0 up) and must undrain hsi0: routecheck
# clean, no "hsi0 drained on LITDCON1".
# usage: lab_hvmove.sh NSLAB SRCDIR AGENTCTL GUESTAGENTD HVCTL DRAINCTL
#        KEYGEN ROUTECHECK|none
set -u
. "$2/guestagent/tests/lab.sh" "$@"
LGRCTL=${LGRCTL:-$(dirname "$NSLAB")/../orchestrator/lgrctl}
[ -x "$LGRCTL" ] || { echo "skip: lgrctl not built"; exit 77; }

LAB=gah$$
REF=$(topo_renamed "$SRC/netns-lab/topologies/reference.yaml" "$LAB")

check "reference lab with guest agents converges" lab_up "$REF"
check "LITDCON1: IDLE on VM9 with hsi0 up" wait_for 60 bash -c \
    "agent $LAB LITDCON1 -j status | jqe '.journal == \"IDLE\" and
    .member == \"VM9\" and ([.interfaces[] | select(.admin_up) | .name] == [\"hsi0\"])'"
check "lgrctl relocate LITDCON1 VM2" "$LGRCTL" -l "$LAB" -q relocate LITDCON1 VM2
check "hvctl relocate LITDCON1 VM9 (no agent involved)" \
    "$HVCTL" -l "$LAB" relocate LITDCON1 VM9
check "the agent reconciles: hsi0 up on VM9, nothing drained" wait_for 30 bash -c \
    "agent $LAB LITDCON1 -j status | jqe '.member == \"VM9\" and
    ([.interfaces[] | select(.admin_up) | .name] == [\"hsi0\"]) and
    ([.interfaces[] | select(.drained)] | length == 0)'"
check "ospfd_lgr of LITDCON1: hsi0 not drained" wait_for 30 bash -c \
    "\"$DRAINCTL\" --lab $LAB --router LITDCON1 -j state |
    jqe '[.[] | select(.ifname == \"hsi0\")] | length > 0 and all(.drained | not)'"
if [ "$ROUTECHECK" != none ]; then
	check "routecheck clean (no hsi0 drained on LITDCON1)" wait_for 30 \
	    "$ROUTECHECK" -q "$LAB"
	"$ROUTECHECK" "$LAB" | grep -i drained | sed 's/^/  /'
fi
check "LITSWAS1 reaches LITDCON1's VIPA over hsi0 again" wait_for 20 \
    bash -c "[ \"\$(route_devs $LAB LITSWAS1 10.20.7.100)\" = hsi0 ]"

agent_logs_on_failure "$LAB"
labtest_summary

#!/usr/bin/env bash
# lab_routecheck.sh SRCDIR NSLAB ROUTECHECK HVCTL DRAINCTL: routecheck on
# the reference lab built by nslab (hypervisor, no guest agents).
#
#   - the converged lab passes, whatever the source of the OSPF table,
#     with and without zebra, for a subset of routers and for one guest;
#     a snapshot of it equals itself; JSON and JUnit say the same;
#   - usage errors exit 2, an unreadable router exits 3 and is named;
#   - LITDCON1 moved to VM2 by the hypervisor alone, with hsi0 brought up
#     by hand: invariant 3 fails, naming LITDCON1 and 172.0.9.0/24;
#   - hsi0 down and hsi1 up instead (what the guest agent does): passes,
#     with VM9's guests reaching VM2's HiperSockets LAN over the trunks.
set -uo pipefail

. "$(dirname "$0")/rlab.sh"
rlab_init "$1" "$2"
rc_bin=$3 hvctl=$4 DRAINCTL=$5

rlab_up "rc$$" --no-agents

rc() { "$rc_bin" "$@"; }
status() { local s=0; "$@" >"$tmp/out" 2>&1 || s=$?; echo $s; }

# The converged lab.  nslab's convergence is the OSPF tables'; zebra may
# still be installing the last routes into the kernels: a few seconds.
rlab_wait 10 "the kernels to follow OSPF" rc -q "$RLAB"
out=$(rc "$RLAB") && ok "converged lab passes" ||
    fail "converged lab: $out"
echo "$out" | grep -q "every invariant holds" ||
    fail "no 'every invariant holds' in: $out"
rc -j "$RLAB" >"$tmp/ok.json"
check "JSON: ok, residency from the hypervisor, 20 VIPA pairs" rlab_jq '
    .ok == true and .violations == [] and .routers == 6 and
    .residency_from == "hypervisor" and .residency.LITDCON1 == "VM9" and
    .checks.paths == 20 and .checks.agree > 0' "$tmp/ok.json"
check "OSPF tables from ospfd's vty" rc -q --source vty "$RLAB"
check "without zebra" rc -q --no-zebra "$RLAB"
out=$(rc "$RLAB" LITSWAS1 LITDAT01) && echo "$out" | grep -q "2 routers" &&
    ok "a subset of routers" || fail "subset: $out"
check "one guest" rc -q --guest LITDCON1 "$RLAB"
check "snapshot" rc -q --snapshot "$tmp/snap.json" "$RLAB"
check "the lab equals its snapshot" rc -q --expect "$tmp/snap.json" "$RLAB"
check "snapshot from the module" rlab_jq '.routers.LITDCON1.source ==
    "plugin" and (.routers.LITDCON1.ospf | length) == 9' "$tmp/snap.json"
check "a saved snapshot passes offline" rc -q --from "$tmp/snap.json"
check "JUnit" rc -q --junit "$tmp/junit.xml" "$RLAB"
grep -q 'failures="0"' "$tmp/junit.xml" && ! grep -q "<failure" \
    "$tmp/junit.xml" && ok "JUnit: no failure" || fail "JUnit: failures"

# Usage and collection errors.
s=$(status rc "$RLAB" NOSUCH)
[ "$s" = 2 ] && grep -q "router NOSUCH is not in lab" "$tmp/out" &&
    ok "unknown router: exit 2" || fail "unknown router: exit $s: $(cat "$tmp/out")"
s=$(status rc --guest NOSUCH "$RLAB")
[ "$s" = 2 ] && ok "unknown guest: exit 2" || fail "unknown guest: exit $s"
s=$(status rc)
[ "$s" = 2 ] && ok "no lab: exit 2" || fail "no lab: exit $s"
s=$(status rc "nolab$$")
[ "$s" = 3 ] && grep -q "no lab nolab$$" "$tmp/out" &&
    ok "unknown lab: exit 3" || fail "unknown lab: exit $s: $(cat "$tmp/out")"
vty="${NSLAB_RUNDIR:-/run/nslab}/$RLAB/LITSHA22/ospfd.vty"
mv "$vty" "$vty.away"
s=$(status rc --source vty "$RLAB")
mv "$vty.away" "$vty"
[ "$s" = 3 ] && grep -q "cannot collect from LITSHA22" "$tmp/out" &&
    ok "unreadable router: exit 3, named" ||
    fail "unreadable router: exit $s: $(cat "$tmp/out")"

# The IBM evaluation's failure: moved by the hypervisor alone, the old
# HSI interface up on the new member's LAN.
rlab_exec LITDCON1 ip link set hsi0 down
"$hvctl" -D "${NSLAB_RUNDIR:-/run/nslab}/$RLAB" -m VM9 relocate LITDCON1 VM2 ||
    rlab_die "hvctl relocate LITDCON1 VM2 failed"
rlab_wait 10 "LITDCON1 on VM2" sh -c "'$hvctl' -D \
    '${NSLAB_RUNDIR:-/run/nslab}/$RLAB' -j where LITDCON1 |
    jq -e '.[0].member == \"VM2\"'"
rlab_exec LITDCON1 ip link set hsi0 up
# Routing reacts within a dead interval (1 s); give it a few.
sleep 4
s=$(status rc "$RLAB")
[ "$s" = 1 ] && ok "moved with hsi0 up: exit 1" ||
    fail "moved with hsi0 up: exit $s: $(cat "$tmp/out")"
grep -A2 "^LITDCON1 172.0.9.0/24 \[3 hsi-subnet" "$tmp/out" |
    grep -q "LITDCON1 lives on VM2, 172.0.9.0/24 is VM9's HiperSockets LAN" &&
    ok "invariant 3 names LITDCON1 and 172.0.9.0/24" ||
    fail "invariant 3 not reported: $(cat "$tmp/out")"
rc -j "$RLAB" >"$tmp/moved.json"
check "JSON: invariant 3 on LITDCON1 for 172.0.9.0/24" rlab_jq '
    .ok == false and .residency.LITDCON1 == "VM2" and
    ([.violations[] | select(.invariant == 3 and .router == "LITDCON1"
    and .prefix == "172.0.9.0/24")] | length) == 1' "$tmp/moved.json"
s=$(status rc --guest LITDCON1 "$RLAB")
[ "$s" = 1 ] && grep -q "3 hsi-subnet" "$tmp/out" &&
    ok "--guest LITDCON1 fails too" || fail "--guest LITDCON1: exit $s"
check "--guest ECMSS00 is not concerned" rc -q --guest ECMSS00 "$RLAB"
s=$(status rc --junit "$tmp/moved.xml" "$RLAB")
grep -q 'type="invariant 3"' "$tmp/moved.xml" &&
    ok "JUnit failure for invariant 3" || fail "JUnit: no invariant 3"

# What the guest agent does instead: the member's interface, alone.
rlab_exec LITDCON1 ip link set hsi0 down
rlab_exec LITDCON1 ip link set hsi1 up
rlab_wait 30 "VM9's guests reach 172.1.2.0/24 over the trunks" \
    rlab_nh_is LITSWAS1 172.1.2.0/24 "10.20.8.100@trk1 10.20.9.100@trk2 "
rlab_wait 30 "routecheck passes with LITDCON1 on VM2" rc -q "$RLAB"
ok "LITDCON1 on VM2 with hsi1 up passes"
check "LITSWAS1 reaches LITDCON1 over the trunks" rlab_nh_is LITSWAS1 \
    10.20.7.100/32 "10.20.8.100@trk1 10.20.9.100@trk2 "

labtest_summary

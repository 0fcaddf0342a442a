#!/usr/bin/env bash
# lab_badver.sh SRCDIR NSLAB MODULE ROUTECHECK: the reference lab with a
# module built for another FRR version in every ospfd.  Each module logs
# [LGR-INERT] and opens no socket, ospfd keeps running, the lab
# converges, and routecheck (which then reads ospfd's vty) passes.
set -uo pipefail

. "$(dirname "$0")/rlab.sh"
rlab_init "$1" "$2"
module=$(realpath "$3") rc_bin=$4

rlab_up "rb$$" --no-agents --no-hv --plugin "$module"
labdir="${NSLAB_RUNDIR:-/run/nslab}/$RLAB"
routers="ABR ECMSS00 LITSHA22 LITDCON1 LITSWAS1 LITDAT01"

inert=0 socks=0 alive=0
for n in $routers; do
	grep -q "LGR-INERT" "$labdir/$n/ospfd.log" && inert=$((inert + 1))
	[ -e "$labdir/$n/lgr.ctl" ] && socks=$((socks + 1))
	kill -0 "$(cat "$labdir/$n/ospfd.pid")" 2>/dev/null &&
	    alive=$((alive + 1))
done
grep -h "LGR-INERT" "$labdir/LITDCON1/ospfd.log"
[ $inert -eq 6 ] && ok "every ospfd logged [LGR-INERT]" ||
    fail "[LGR-INERT] in $inert of 6 ospfd logs"
[ $socks -eq 0 ] && ok "no inert module opened its control socket" ||
    fail "$socks control sockets opened"
! grep -q "LGR-START" "$labdir"/*/ospfd.log &&
    ok "no module started" || fail "an inert module started"
"$NSLAB" vtysh "$RLAB" LITDCON1 -c "show modules" | grep -q ospfd_lgr &&
    ok "show modules lists the module" || fail "module not listed"
sleep 2
[ $alive -eq 6 ] && ok "every ospfd keeps running" ||
    fail "only $alive of 6 ospfd run"
"$rc_bin" -q --snapshot "$tmp/snap.json" "$RLAB" &&
    ok "routecheck passes from ospfd's vty" || fail "routecheck fails"
jq -e '[.routers[] | .source] | all(. == "vty")' "$tmp/snap.json" \
    >/dev/null && ok "every OSPF table came from the vty" ||
    fail "a table did not come from the vty"

labtest_summary

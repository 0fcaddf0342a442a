#!/usr/bin/env bash
# lab_drain.sh SRCDIR NSLAB DRAINCTL ROUTECHECK UDPROBE KEYGEN: drain and
# undrain in the reference lab built by nslab (real zebra and ospfd with
# ospfd_lgr.so, the lab's CURVE keys; no guest agents).
#
#   - drain hsi0 on LITDCON1 moves LITSWAS1's and LITDAT01's routes to
#     10.20.7.100 onto trk1 + trk2 (and LITDCON1's to them) while every
#     link stays up and hsi0's adjacencies stay Full; undrain moves them
#     back; routecheck sees exactly that;
#   - 10 ms UDP probes LITSWAS1 -> LITDCON1's VIPA -> back lose nothing
#     through the drain, hsi0 going down and up, and the undrain;
#   - draining the HSI LAN's DR never removes a route between the two
#     other HSI guests and loses no probe between them; with an SPF delay
#     of 20 ms it does not change their routing at all (repeated until
#     LITDCON1 was the DR, so that LITSWAS1 <-> LITDAT01 was watched);
#   - a drain survives a cost recalculation, stays out of the running
#     configuration, shows on ospfd's vty; roles, audit, errors.
set -uo pipefail

. "$(dirname "$0")/rlab.sh"
rlab_init "$1" "$2"
DRAINCTL=$3 rc_bin=$4 udprobe=$5 keygen=$6

rlab_up "rd$$" --no-agents
labdir="${NSLAB_RUNDIR:-/run/nslab}/$RLAB"
TRK100="10.20.8.100@trk1 10.20.9.100@trk2 "

# links_up: every link of every router administratively up and running.
links_up() {
	local n
	for n in ABR ECMSS00 LITSHA22 LITDCON1 LITSWAS1 LITDAT01; do
		rlab_exec "$n" ip -j link show | rlab_jq '[.[] | select(.ifname
		    != "hsi1") | select((.flags | index("UP")) == null or
		    (.flags | index("LOWER_UP")) == null)] | length == 0' ||
		    return 1
	done
}

# hsi0_full GUEST: every neighbour on GUEST's hsi0 is Full.
hsi0_full() {
	rlab_ctl "$1" -r viewer -j state | rlab_jq '.[] | select(.ifname == "hsi0") |
	    (.neighbors | length) == 2 and all(.neighbors[]; .state == "Full")'
}

# nslab's convergence is the OSPF tables'; zebra may still be installing
# the last of them into the kernels, so allow it a few seconds.
rc_clean() { "$rc_bin" -q "$RLAB"; }
rlab_wait 10 "the kernels to follow OSPF" rc_clean
check "routecheck passes on the converged lab" "$rc_bin" -q "$RLAB"
check "hsi0 of LITDCON1 has its two neighbours Full" hsi0_full LITDCON1
no_waiting() { ! rlab_ctl LITDCON1 -r viewer -j state | grep -q Waiting; }
rlab_wait 30 "every HSI guest elected" no_waiting

# Probes from LITSWAS1's VIPA to LITDCON1's and back, every 10 ms.
rlab_bg LITDCON1 "$tmp/echo.txt" "$udprobe" echo 10.20.7.100 7447
sleep 0.3
rlab_bg LITSWAS1 "$tmp/probe.txt" "$udprobe" send 10.20.7.101 10.20.7.100 \
    7447 10
probe=$RLAB_PID
sleep 1

# Drain: the peers move to the trunks, both directions.
rlab_ctl LITDCON1 drain hsi0 || rlab_die "drain hsi0 on LITDCON1 refused"
rlab_wait 30 "LITSWAS1 -> 10.20.7.100 on the trunks" \
    rlab_nh_is LITSWAS1 10.20.7.100/32 "$TRK100"
rlab_wait 30 "LITDAT01 -> 10.20.7.100 on the trunks" \
    rlab_nh_is LITDAT01 10.20.7.100/32 "$TRK100"
ok "drain moved LITSWAS1's and LITDAT01's routes to 10.20.7.100 onto trk1 and trk2"
rlab_wait 30 "LITDCON1 -> LITSWAS1 on the trunks" \
    rlab_nh_is LITDCON1 10.20.7.101/32 "$(rlab_trk_nh LITSWAS1)"
check "LITDCON1 -> LITDAT01 on the trunks" rlab_nh_is LITDCON1 \
    10.20.7.104/32 "$(rlab_trk_nh LITDAT01)"
check "every link stays up" links_up
check "hsi0 keeps its adjacencies Full" hsi0_full LITDCON1
drained() {
	rlab_ctl LITDCON1 -j state | rlab_jq '.[] | select(.ifname == "hsi0") |
	    .drained and .link_up'
}
check "drained in the state" drained
"$rc_bin" -j "$RLAB" >"$tmp/drained.json"
check "routecheck: the four HSI pairs with LITDCON1, nothing else" rlab_jq '
    (.violations | length) == 4 and
    all(.violations[]; .invariant == 2 and
    (.found | test("hsi0 drained on LITDCON1")))' "$tmp/drained.json"
rlab_vty LITDCON1 ospfd "show lgr" >"$tmp/vty.txt"
grep -Eq "^hsi0 .* drained" "$tmp/vty.txt" &&
    ok "show lgr on ospfd's vty shows hsi0 drained" ||
    fail "show lgr: $(cat "$tmp/vty.txt")"
rlab_ctl LITSWAS1 -r viewer -j events >"$tmp/events.json"
check "LITSWAS1 published the move in an spf event" rlab_jq '[.[] |
    select(.event == "spf") | .changes[] | select(.prefix ==
    "10.20.7.100/32" and .new.nexthops[0].ifname == "trk1")] | length > 0' \
    "$tmp/events.json"

# Drained stays drained when ospfd recalculates the cost.
"$NSLAB" vtysh "$RLAB" LITDCON1 -c "configure terminal" -c "interface hsi0" \
    -c "ip ospf cost 2" >/dev/null
sleep 1.5
check "drain kept over a cost change" rlab_nh_is LITSWAS1 10.20.7.100/32 \
    "$TRK100"
"$NSLAB" vtysh "$RLAB" LITDCON1 -c "configure terminal" -c "interface hsi0" \
    -c "ip ospf cost 1" >/dev/null

# The interface goes down and comes back while drained: nothing moves.
rlab_exec LITDCON1 ip link set hsi0 down
sleep 1.5
check "hsi0 down: LITSWAS1 still on the trunks" rlab_nh_is LITSWAS1 \
    10.20.7.100/32 "$TRK100"
rlab_exec LITDCON1 ip link set hsi0 up
rlab_wait 30 "hsi0 Full again" hsi0_full LITDCON1
sleep 1
check "hsi0 up, still drained: LITSWAS1 on the trunks" rlab_nh_is LITSWAS1 \
    10.20.7.100/32 "$TRK100"

# Undrain: back to the HiperSockets LAN.
rlab_ctl LITDCON1 undrain hsi0 || rlab_die "undrain refused"
rlab_wait 30 "LITSWAS1 -> 10.20.7.100 back on hsi0" \
    rlab_nh_is LITSWAS1 10.20.7.100/32 "$(rlab_hsi_nh LITDCON1)"
rlab_wait 30 "LITDAT01 -> 10.20.7.100 back on hsi0" \
    rlab_nh_is LITDAT01 10.20.7.100/32 "$(rlab_hsi_nh LITDCON1)"
rlab_wait 30 "LITDCON1 -> LITSWAS1 back on hsi0" \
    rlab_nh_is LITDCON1 10.20.7.101/32 "$(rlab_hsi_nh LITSWAS1)"
ok "undrain moved the routes back onto hsi0"
rlab_wait 30 "routecheck passes after the undrain" "$rc_bin" -q "$RLAB"
ok "routecheck passes after the undrain"
sleep 1
rlab_stop "$probe"
cat "$tmp/probe.txt"
grep -q "lost 0 " "$tmp/probe.txt" && ! grep -q "sent 0 " "$tmp/probe.txt" &&
    ok "10 ms probes lost nothing through drain, down, up, undrain" ||
    fail "probes lost: $(cat "$tmp/probe.txt")"
"$NSLAB" vtysh "$RLAB" LITDCON1 -c "show running-config" >"$tmp/run.txt"
grep -q "priority 0" "$tmp/run.txt" && sed -n '/^interface hsi0/,/^!/p' \
    "$tmp/run.txt" | grep -q "priority 0" &&
    fail "the drain leaked into the running configuration" ||
    ok "running configuration unchanged"

# Draining the DR of the HSI LAN leaves the other two HSI guests alone.
has_dr() { [ -n "$(rlab_hsi_dr)" ]; }
dr_is_not() { local d; d=$(rlab_hsi_dr); [ -n "$d" ] && [ "$d" != "$1" ]; }

# dr_round STRICT: drain the DR, watch the two other HSI guests' routes
# to each other (and probe between them when STRICT is 0), undrain.
# Sets dr to the guest drained.
dr_round() {
	local strict=$1 y z my mz pr g pair=() changes
	rlab_wait 30 "a DR on the HSI LAN" has_dr
	dr=$(rlab_hsi_dr)
	for g in LITDCON1 LITSWAS1 LITDAT01; do
		[ "$g" = "$dr" ] || pair+=("$g")
	done
	y=${pair[0]} z=${pair[1]}
	rlab_log "drain $dr (the DR), watch $y <-> $z"
	rlab_bg "$y" "$tmp/mon-$y.txt" ip -4 monitor route
	my=$RLAB_PID
	rlab_bg "$z" "$tmp/mon-$z.txt" ip -4 monitor route
	mz=$RLAB_PID
	if [ "$strict" = 0 ]; then
		rlab_bg "$z" "$tmp/echo-$z.txt" "$udprobe" echo \
		    "$(rlab_vipa "$z")" 7448
		sleep 0.2
		rlab_bg "$y" "$tmp/probe-$y.txt" "$udprobe" send \
		    "$(rlab_vipa "$y")" "$(rlab_vipa "$z")" 7448 10
		pr=$RLAB_PID
	fi
	sleep 0.5
	rlab_ctl "$dr" drain hsi0 >/dev/null || rlab_die "drain $dr refused"
	rlab_wait 30 "$y -> $dr on the trunks" rlab_nh_is "$y" \
	    "$(rlab_vipa "$dr")/32" "$(rlab_trk_nh "$dr")"
	rlab_wait 30 "a new DR" dr_is_not "$dr"
	sleep 1.5
	rlab_stop "$my"
	rlab_stop "$mz"
	check "$y -> $z on hsi0 after $dr handed over" rlab_nh_is "$y" \
	    "$(rlab_vipa "$z")/32" "$(rlab_hsi_nh "$z")"
	check "$z -> $y on hsi0 after $dr handed over" rlab_nh_is "$z" \
	    "$(rlab_vipa "$y")/32" "$(rlab_hsi_nh "$y")"
	changes=$(grep -c -e "$(rlab_vipa "$z") " "$tmp/mon-$y.txt")
	changes=$((changes + $(grep -c -e "$(rlab_vipa "$y") " \
	    "$tmp/mon-$z.txt")))
	if [ "$strict" = 1 ]; then
		[ "$changes" -eq 0 ] &&
		    ok "draining the DR $dr did not change $y <-> $z routing" ||
		    { fail "draining the DR $dr changed $y <-> $z routing"
		    cat "$tmp/mon-$y.txt" "$tmp/mon-$z.txt"; }
	else
		rlab_log "$changes transient route changes $y <-> $z"
		! grep -q "Deleted $(rlab_vipa "$z")" "$tmp/mon-$y.txt" &&
		    ! grep -q "Deleted $(rlab_vipa "$y")" "$tmp/mon-$z.txt" &&
		    ok "draining the DR $dr never removed $y <-> $z routes" ||
		    fail "draining the DR $dr removed a $y <-> $z route"
		rlab_stop "$pr"
		cat "$tmp/probe-$y.txt"
		grep -q "lost 0 " "$tmp/probe-$y.txt" &&
		    ok "10 ms probes $y -> $z lost nothing" ||
		    fail "probes $y -> $z: $(cat "$tmp/probe-$y.txt")"
	fi
	rlab_ctl "$dr" undrain hsi0 >/dev/null || rlab_die "undrain $dr refused"
	rlab_wait 30 "$y -> $dr back on hsi0" rlab_nh_is "$y" \
	    "$(rlab_vipa "$dr")/32" "$(rlab_hsi_nh "$dr")"
	rlab_wait 30 "routecheck passes after undraining $dr" \
	    "$rc_bin" -q "$RLAB"
}

# spf_timers DELAY HOLD MAX: on every router, at run time.
spf_timers() {
	local n
	for n in ABR ECMSS00 LITSHA22 LITDCON1 LITSWAS1 LITDAT01; do
		"$NSLAB" vtysh "$RLAB" "$n" -c "configure terminal" \
		    -c "router ospf" -c "timers throttle spf $1 $2 $3" \
		    >/dev/null || rlab_die "$n: SPF timers"
	done
}

# With no SPF delay, the first SPF run after the DR change may see the
# new DR's LSAs before the other guest's router-LSA points at it: one SPF
# hold (20 ms) over the trunks, nothing lost.
spf_timers 0 20 200
dr_round 0
# With an SPF delay that lets the LAN's LSAs arrive together, nothing
# moves at all.  The reference's 20 ms is enough on a quiet machine; the
# test takes 50 ms so that a busy one does not split the hand-over's LSAs
# (the two guests re-originate their router-LSAs independently).  Repeat
# with the next DR until LITDCON1 was the DR, so that LITSWAS1 <->
# LITDAT01 is among the pairs watched.
spf_timers 50 50 200
for round in 1 2 3; do
	dr_round 1
	[ "$dr" = LITDCON1 ] && break
done
[ "$dr" = LITDCON1 ] &&
    ok "LITSWAS1 <-> LITDAT01 watched with LITDCON1 as the DR" ||
    fail "LITDCON1 never became the DR in three rounds"

# Roles: a viewer reads but may not drain; another lab's key gets no
# answer at all; every drain is audited.
check "a viewer may read" rlab_ctl LITDCON1 -r viewer state
out=$(rlab_ctl LITDCON1 -r viewer drain hsi0 2>&1) &&
    fail "a viewer drained hsi0" || {
	echo "$out" | grep -q "operator role" &&
	    ok "a viewer may not drain" || fail "viewer refusal: $out"
}
mkdir "$tmp/foreign" && "$keygen" "$tmp/foreign" ||
    rlab_die "no foreign keys"
s=0
rlab_ctl LITDCON1 -t 1500 -k "$tmp/foreign/keys/operator.key" state \
    >/dev/null 2>&1 || s=$?
[ "$s" -eq 3 ] && ok "another lab's key: no answer (exit 3)" ||
    fail "foreign key: exit $s, want 3"
check "the refused client is logged" grep -q "LGR-AUTH.*refused" \
    "$labdir/LITDCON1/ospfd.log"
check "the drain is audited" grep -q "LGR-AUDIT.*drain hsi0 by operator" \
    "$labdir/LITDCON1/ospfd.log"
out=$(rlab_ctl LITDCON1 drain nosuch 2>&1) && fail "drain nosuch succeeded" || {
	echo "$out" | grep -q nosuch && ok "an error names the interface" ||
	    fail "error does not name the interface: $out"
}

labtest_summary

#!/bin/bash
# relocate_test.sh HVD HVCTL TOPOLOGY: live relocation between two real
# hvd members in a stand-in lab (see lib.sh): success under a dirtying
# workload, every rollback (one of them after the NICs were re-plugged),
# limits, authentication, recovery.
. "$(dirname "$0")/lib.sh"
lab_skip_unless_able
HVD_OPTS=-vv	# debug lines: t_priority reads the quiesce's
lab_init "$1" "$2" "$3" || { echo "FAIL: lab setup"; exit 1; }

t_move_dirty() {
	ip netns exec "$LAB.LITDCON1" ip monitor link > "$TMP/mon" 2>&1 &
	local mon=$!
	PIDS="$PIDS $mon"
	sleep 0.2
	hv workload LITDCON1 --rate 8 --wss 16 >/dev/null
	hv relocate LITDCON1 VM2 --verify full > "$TMP/out" ||
	    fail "relocate: exit $? $(cat "$TMP/out")"
	local h
	h=$(hv -j history LITDCON1 | jq '.[-1]')
	[ "$(echo "$h" | jq -r .end_code)" = OK ] || fail "end code: $h"
	[ "$(echo "$h" | jq -r .digest_src)" = \
	    "$(echo "$h" | jq -r .digest_dst)" ] || fail "digests differ: $h"
	[ "$(echo "$h" | jq -r .verified)" = 1 ] || fail "not verified: $h"
	# pre-copy recorded its progress in the journal
	hv -j status LITDCON1 | jq -e '.[0] | .pass >= 1 and .sent_mib > 0' \
	    >/dev/null || fail "no progress recorded: $(hv -j status LITDCON1)"
	[ "$(where LITDCON1)" = VM2 ] || fail "guest not on VM2"
	[ "$(gstate LITDCON1)" = RUNNING ] || fail "guest not RUNNING on VM2"
	[ "$(master_of g2n2)" = hs1 ] || fail "hsi0 host end not on hs1"
	[ "$(master_of g2n3)" = hs1 ] || fail "hsi1 host end not on hs1"
	[ "$(freezer)" = THAWED ] || fail "cgroup $(freezer) after resume"
	kill -0 "$GUESTPID" || fail "guest process gone"
	sleep 0.2
	kill "$mon"
	if grep -q hsi "$TMP/mon"; then
		fail "link event inside the guest: $(cat "$TMP/mon")"
	fi
	# And back, with the per-page digests and the post-resume check.
	hv relocate LITDCON1 VM9 >/dev/null || fail "relocate back: exit $?"
	h=$(hv -j history LITDCON1 | jq '.[-1]')
	[ "$(echo "$h" | jq -r .verified)" = 1 ] || fail "back: $h"
	[ "$(where LITDCON1)" = VM9 ] || fail "guest not back on VM9"
	[ "$(master_of g2n2)" = hs0 ] || fail "hsi0 host end not back on hs0"
	[ "$(hv -j guests | jq -r '.[] | select(.name == "LITDCON1") |
	    .relocations')" = 2 ] || fail "relocation count"
}

t_auth() {
	hv -k viewer members >/dev/null || fail "viewer cannot read"
	hv -k viewer relocate LITDCON1 VM2 2>/dev/null
	[ $? = 3 ] || fail "viewer relocate not refused with 3"
	hv -j audit | jq -e '.[] | select(.who == "viewer" and
	    .what == "relocate" and (.result | test("may not")))' \
	    >/dev/null || fail "viewer refusal not audited"
	mkdir -p "$TMP/other"
	"$HVD" -K "$TMP/other"
	hv -t 2000 -K "$TMP/other/keys/operator.key" members 2>/dev/null
	[ $? = 3 ] || fail "unknown key not refused with 3"
	hv -j audit | jq -e '.[] | select((.who | startswith("unknown:")) and
	    (.result | startswith("denied")))' >/dev/null ||
	    fail "unknown key not audited"
	local mode
	for mode in 0644 0640 0604; do
		chmod $mode "$LABDIR/keys/viewer.key"
		hv -k viewer members > "$TMP/out" 2>&1
		[ $? = 3 ] || fail "key file of mode $mode accepted"
		grep -q "mode must be 0600" "$TMP/out" ||
		    fail "key file of mode $mode: no message: $(cat "$TMP/out")"
	done
	chmod 0600 "$LABDIR/keys/viewer.key"
}

t_maxquiesce() {
	hv relocate LITDCON1 VM2 --max-quiesce 0 >/dev/null 2>&1
	[ $? = 5 ] || fail "max-quiesce 0: not exit 5"
	[ "$(last_end LITDCON1)" = MAXQUIESCE ] ||
	    fail "end $(last_end LITDCON1), want MAXQUIESCE"
	expect_rolled_back maxquiesce
}

# MAXQUIESCE inside the quiesce, after the last pages went out and the
# NICs were re-plugged to VM2's bridge: a dirtying workload, --immediate
# (no pre-copy pass after the first, so no estimate can refuse early)
# and a quiesce budget no quiesce can keep.  The rollback must plug the
# host ends back into VM9's bridge.
t_late_rollback() {
	hv workload LITDCON1 --rate 64 --wss 16 >/dev/null
	hv relocate LITDCON1 VM2 --immediate --max-quiesce 0 >/dev/null 2>&1
	[ $? = 5 ] || fail "late rollback: not exit 5"
	[ "$(last_end LITDCON1)" = MAXQUIESCE ] ||
	    fail "late rollback: end $(last_end LITDCON1), want MAXQUIESCE"
	hv -j history LITDCON1 | jq -e '.[-1].text | test("^quiesce took")' \
	    >/dev/null || fail "late rollback: not ended inside the quiesce:" \
	    "$(hv -j history LITDCON1 | jq -c '.[-1]')"
	expect_rolled_back "late rollback"
	hv workload LITDCON1 --rate 8 --wss 16 >/dev/null
	# The NICs on VM9's bridge work: a move after it re-plugs them.
	hv relocate LITDCON1 VM2 >/dev/null || fail "move after late rollback"
	[ "$(master_of g2n2)" = hs1 ] && [ "$(master_of g2n3)" = hs1 ] ||
	    fail "after the late rollback, a move did not re-plug to hs1"
	hv relocate LITDCON1 VM9 >/dev/null || fail "back after late rollback"
}

t_cancel() {
	hv relocate LITDCON1 VM2 --async --max-rate 4 >/dev/null ||
	    fail "async relocate"
	sleep 0.5
	hv cancel LITDCON1 >/dev/null || fail "cancel refused"
	[ "$(wait_end LITDCON1)" = CANCELLED ] || fail "end not CANCELLED"
	sleep 0.2
	expect_rolled_back cancel
	hv cancel LITDCON1 2>/dev/null
	[ $? = 7 ] || fail "cancel with nothing running not refused"
}

# nice of PID's thread named NAME (prio.c), or "none".
thread_nice() {
	local t
	for t in /proc/"$1"/task/*; do
		[ "$(cat "$t/comm" 2>/dev/null)" = "$2" ] || continue
		sed 's/^.*) //' "$t/stat" | awk '{ print $17 }'
		return
	done
	echo none
}

# The pre-copy runs 10 nice levels below hvd on both ends, the quiesce
# at hvd's own priority (its debug line says which it ran at).
t_priority() {
	local base bg n
	base=$(sed 's/^.*) //' "/proc/$HVD_VM9/stat" | awk '{ print $17 }')
	bg=$((base + 10 > 19 ? 19 : base + 10))
	n=$(wc -l < "$TMP/hvd-VM9.log")
	[ "$(thread_nice "$HVD_VM2" inbound)" = "$bg" ] ||
	    fail "idle inbound thread at nice $(thread_nice "$HVD_VM2" inbound), not $bg"
	hv relocate LITDCON1 VM2 --async --max-rate 8 >/dev/null ||
	    fail "priority: async relocate"
	sleep 0.5
	[ "$(thread_nice "$HVD_VM9" r:LITDCON1)" = "$bg" ] ||
	    fail "pre-copy thread at nice $(thread_nice "$HVD_VM9" r:LITDCON1), not $bg"
	[ "$(thread_nice "$HVD_VM2" inbound)" = "$bg" ] ||
	    fail "inbound thread in the pre-copy at nice $(thread_nice "$HVD_VM2" inbound), not $bg"
	hv set-limits LITDCON1 --max-rate 0 >/dev/null ||
	    fail "priority: set-limits (cap taken off)"
	[ "$(wait_end LITDCON1)" = OK ] || fail "priority: move did not end OK"
	tail -n +"$((n + 1))" "$TMP/hvd-VM9.log" | grep "quiesce from" > "$TMP/q"
	grep -Eq " nice $base\$" "$TMP/q" ||
	    fail "quiesce not at nice $base: $(cat "$TMP/q")"
	[ "$(thread_nice "$HVD_VM2" inbound)" = "$bg" ] ||
	    fail "inbound thread not back in the background after the move"
	hv relocate LITDCON1 VM9 >/dev/null || fail "priority: back"
}

t_target_killed() {
	hv relocate LITDCON1 VM2 --async --max-rate 4 >/dev/null
	sleep 0.5
	kill -9 "$HVD_VM2"
	[ "$(wait_end LITDCON1)" = LOSTLINK ] || fail "end not LOSTLINK"
	sleep 0.2
	hvd_start VM2 || fail "VM2 restart"
	expect_rolled_back "target killed"
}

t_channel_cut() {
	hv relocate LITDCON1 VM2 --async --max-rate 4 ||
	    fail "cut: relocation did not start"
	sleep 0.5
	kill -STOP "$HVD_VM2"
	[ "$(wait_end LITDCON1)" = LOSTLINK ] || fail "cut: end not LOSTLINK"
	kill -CONT "$HVD_VM2"
	sleep 0.5
	expect_rolled_back "channel cut"
}

t_no_convergence() {
	hv workload LITDCON1 --rate 64 --wss 16 >/dev/null
	hv relocate LITDCON1 VM2 --max-rate 16 --max-quiesce 50 >/dev/null 2>&1
	[ $? = 5 ] || fail "non-converging: not exit 5"
	[ "$(last_end LITDCON1)" = MAXQUIESCE ] ||
	    fail "non-converging: end $(last_end LITDCON1)"
	expect_rolled_back "no convergence"
	hv relocate LITDCON1 VM2 --max-total 1 --max-rate 4 >/dev/null 2>&1
	[ "$(last_end LITDCON1)" = MAXTOTAL ] ||
	    fail "max-total: end $(last_end LITDCON1)"
	expect_rolled_back "max-total"
	hv relocate LITDCON1 VM2 --max-rate 16 --immediate >/dev/null ||
	    fail "immediate did not complete"
	[ "$(where LITDCON1)" = VM2 ] || fail "immediate: not on VM2"
	hv workload LITDCON1 --rate 8 --wss 16 >/dev/null
	hv relocate LITDCON1 VM9 >/dev/null || fail "back after immediate"
}

t_limits() {
	hv member set-limits VM9 --out 1 >/dev/null || fail "set-limits"
	hv relocate LITDCON1 VM2 --async --max-rate 4 >/dev/null
	sleep 0.3
	hv -j check LITSWAS1 VM2 > "$TMP/chk"
	[ $? = 4 ] || fail "check during a relocation: not exit 4"
	jq -e '.[] | select(.name == "OUTLIMIT")' "$TMP/chk" >/dev/null ||
	    fail "no OUTLIMIT conflict: $(cat "$TMP/chk")"
	hv relocate LITSWAS1 VM2 >/dev/null 2>&1
	[ $? = 4 ] || fail "second relocation not refused"
	hv relocate LITDCON1 VM2 >/dev/null 2>&1
	[ $? = 4 ] || fail "same guest twice not refused"
	hv cancel LITDCON1 >/dev/null
	wait_end LITDCON1 >/dev/null
	hv member set-limits VM2 --in 0 --out 2 >/dev/null
	hv member set-limits VM9 --out 2 >/dev/null
	hv -j check LITSWAS1 VM2 | jq -e '.[] | select(.name == "INLIMIT")' \
	    >/dev/null || fail "no INLIMIT conflict"
	hv member set-limits VM2 --in 2 >/dev/null
	hv check LITSWAS1 VM2 >/dev/null || fail "limits not restored"
}

t_recover() {
	hv relocate LITSHA22 VM2 >/dev/null || fail "LITSHA22 to VM2"
	hv member set-down VM2 2>/dev/null
	[ $? = 7 ] || fail "set-down of a live member not refused"
	hv recover LITSHA22 VM9 2>/dev/null
	[ $? = 7 ] || fail "recover while VM2 alive not refused"
	kill -9 "$HVD_VM2"
	local i s=""
	for i in $(seq 40); do
		s=$(hv -j members | jq -r '.[] | select(.name == "VM2") | .state')
		[ "$s" = DOWN ] && break
		sleep 0.1
	done
	[ "$s" = DOWN ] || fail "VM2 not declared DOWN ($s)"
	[ "$(gstate LITSHA22)" = LOST ] || fail "LITSHA22 not LOST"
	[ "$(hv -j members | jq -r '.[0].cluster_mode')" = SAFE ] ||
	    fail "cluster not SAFE"
	hv -j events | jq -e '.[] | select(.msgid == "HV-MEMBER-DOWN")' \
	    >/dev/null || fail "no HV-MEMBER-DOWN event"
	hv recover LITSHA22 VM9 >/dev/null || fail "recover refused"
	[ "$(where LITSHA22)" = VM9 ] || fail "LITSHA22 not on VM9"
	[ "$(gstate LITSHA22)" = RUNNING ] || fail "LITSHA22 not RUNNING"
}

# What an operator reads: status with nothing running says so; the
# audit log has a time column and no redirects (t_move_dirty asked VM9
# to move LITDCON1 back from VM2: hvctl was sent on, nothing changed).
t_operator() {
	[ "$(hv status)" = "no relocation running" ] ||
	    fail "status with nothing running: $(hv status)"
	[ "$(hv -j status | jq length)" = 0 ] ||
	    fail "JSON status with nothing running: $(hv -j status)"
	hv audit | head -1 | grep -q '^ID  *TIME  *MEMBER' ||
	    fail "audit header: $(hv audit | head -1)"
	hv audit | sed -n 2p | grep -Eq '^[0-9]+ +[0-9]{4}-[0-9]{2}-[0-9]{2} ' ||
	    fail "audit time: $(hv audit | sed -n 2p)"
	hv -j audit | jq -e '.[] | select(.what == "relocate" and
	    (.result | test("started")))' >/dev/null ||
	    fail "relocation not audited"
	if hv -j audit | jq -e '.[] | select(.result |
	    test("ask that member|is on"))' >/dev/null; then
		fail "redirect audited: $(hv audit | grep -E 'ask|is on')"
	fi
}

lab_run t_move_dirty t_operator t_auth t_maxquiesce t_late_rollback t_cancel \
    t_priority t_target_killed \
    t_channel_cut t_no_convergence t_limits t_recover

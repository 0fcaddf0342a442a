#!/bin/bash
# listen_test.sh HVD HVCTL TOPOLOGY CTLPOKE: two real hvd members started
# with --listen 127.0.0.1 in the stand-in lab of lib.sh (the SQLite
# directory): both publish tcp:// endpoints, hvctl still has the IPC
# control socket, a relocation and back go over TCP (CURVE) with the
# memory verified, and the channel drops frames from a lab key that is
# not a daemon's ([HV-CHAN-AUTH]) and refuses an unknown key at the
# handshake, and still relocates afterwards.
. "$(dirname "$0")/lib.sh"
lab_skip_unless_able
CTLPOKE=$4
HVD_OPTS="--listen 127.0.0.1"
lab_init "$1" "$2" "$3" || { echo "FAIL: lab setup"; exit 1; }

ep_of() { hv -j members | jq -r --arg m "$1" ".[] | select(.name == \$m) | .$2"; }

t_endpoints() {
	local m k ep
	for m in VM9 VM2; do
		for k in ctl_ep chan_ep; do
			ep=$(ep_of "$m" "$k")
			[[ $ep == tcp://127.0.0.1:[0-9]* ]] ||
			    fail "$m $k: '$ep', not tcp://127.0.0.1:PORT"
		done
	done
	[ -S "$LABDIR/hvd-VM9.ctl" ] || fail "no IPC control socket beside"
	[ -e "$LABDIR/chan/VM2" ] && fail "an IPC channel socket too"
	"$HVCTL" -D "$LABDIR" -m VM2 -t 2000 members >/dev/null ||
	    fail "hvctl over IPC to VM2"
}

t_move_tcp() {
	local h
	hv workload LITDCON1 --rate 8 --wss 16 >/dev/null
	hv relocate LITDCON1 VM2 --verify full > "$TMP/out" ||
	    fail "relocate over TCP: exit $? $(cat "$TMP/out")"
	h=$(hv -j history LITDCON1 | jq '.[-1]')
	[ "$(echo "$h" | jq -r .end_code)" = OK ] || fail "end code: $h"
	[ "$(echo "$h" | jq -r .digest_src)" = \
	    "$(echo "$h" | jq -r .digest_dst)" ] || fail "digests differ: $h"
	[ "$(echo "$h" | jq -r .verified)" = 1 ] || fail "not verified: $h"
	[ "$(master_of g2n2)" = hs1 ] || fail "hsi0 host end not on hs1"
	hv relocate LITDCON1 VM9 >/dev/null || fail "relocate back: exit $?"
	[ "$(where LITDCON1)" = VM9 ] || fail "guest not back on VM9"
	hv workload LITDCON1 --rate 0 >/dev/null
}

t_chan_keys() {
	local chan before
	chan=$(ep_of VM2 chan_ep)
	"$CTLPOKE" "$LABDIR" viewer "$chan" '{"x":1}' >"$TMP/poke" 2>&1
	[ $? = 3 ] || fail "viewer's frame answered: $(cat "$TMP/poke")"
	sleep 0.3
	grep -q "HV-CHAN-AUTH.*viewer key" "$TMP/hvd-VM2.log" ||
	    fail "viewer's frame not refused: $(tail -3 "$TMP/hvd-VM2.log")"
	before=$(grep -c "HV-CHAN-AUTH" "$TMP/hvd-VM2.log")
	"$CTLPOKE" "$LABDIR" stranger "$chan" '{"x":1}' >"$TMP/poke" 2>&1
	[ $? = 3 ] || fail "stranger's frame answered: $(cat "$TMP/poke")"
	sleep 0.3
	[ "$(grep -c "HV-CHAN-AUTH" "$TMP/hvd-VM2.log")" = "$before" ] ||
	    fail "stranger got past the handshake"
	hv relocate LITDCON1 VM2 >/dev/null || fail "relocate after: exit $?"
	hv relocate LITDCON1 VM9 >/dev/null || fail "and back: exit $?"
}

lab_run t_endpoints t_move_tcp t_chan_keys

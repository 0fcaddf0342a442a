#!/usr/bin/env bash
# Bad input at every daemon's control socket, in the reference lab: hvd,
# lgrd and a guest agent get oversized, empty, truncated, wrongly typed
# and unknown requests, writes from a role that may not, and a client
# key the lab does not know.  Each is refused with its reply code, the
# refused writes are in the audit log, and each daemon still serves.
# usage: ctl_bad_input.sh NSLAB SRCDIR CTLPOKE HVCTL LGRCTL
set -u
. "$2/tests/lib/labtest.sh" "$@"
POKE=$3 HVCTL=$4 LGRCTL=$5

REF=$(topo_renamed "$SRC/netns-lab/topologies/reference.yaml" t15bad)
LABDIR=${NSLAB_RUNDIR:-/run/nslab}/t15bad

check "nslab up reference" lab_up "$REF" || exit 1

# poke_is NAME ENDPOINT ROLE FRAME WANT: the answer's first line is WANT
# ("end", or "error CODE" and its text, matched as a prefix).
poke_is() {
	local what=$1 ep=$2 role=$3 frame=$4 want=$5 got
	got=$("$POKE" "$LABDIR" "$role" "ipc://$ep" "$frame" 2>&1 | head -n 1)
	if [[ "$got" == "$want"* ]]; then
		ok "$what: $want"
	else
		fail "$what: want \"$want\", got \"$got\""
	fi
}

# door NAME SOCKET WRITE: the common cases against one daemon; WRITE is
# a request that changes state.
door() {
	local d=$1 ep=$2 write=$3
	poke_is "$d oversized" "$ep" operator @big "error 9000"
	poke_is "$d empty frame" "$ep" operator @empty "error 9000"
	poke_is "$d truncated" "$ep" operator '{"req":"status"' "error 9000"
	poke_is "$d not an object" "$ep" operator '[1,2]' "error 9000"
	poke_is "$d request name mistyped" "$ep" operator '{"req":7}' \
	    "error 9002"
	poke_is "$d unknown request" "$ep" operator '{"req":"nosuch"}' \
	    "error 9001"
	poke_is "$d unknown argument" "$ep" operator \
	    '{"req":"status","bogus":1}' "error 9002"
	poke_is "$d write by a viewer" "$ep" viewer "$write" "error 8003"
	if "$POKE" "$LABDIR" stranger "ipc://$ep" '{"req":"status"}' \
	    >/dev/null 2>&1; then
		fail "$d: a key the lab does not know is served"
	else
		ok "$d: a key the lab does not know is refused"
	fi
	poke_is "$d second frame dropped" "$ep" operator @two "end"
	poke_is "$d still serving" "$ep" operator '{"req":"status"}' "end"
}

door hvd "$LABDIR/hvd-VM9.ctl" '{"req":"cancel","guest":"LITDCON1"}'
door lgrd "$LABDIR/lgrd.ctl" '{"req":"cancel","id":999}'
door agent "$LABDIR/LITDCON1/agent.ctl" '{"req":"prepare","peers":[]}'

check "hvd audit shows the viewer's refused cancel" bash -c \
    "\"$HVCTL\" -D \"$LABDIR\" -m VM9 audit | grep -q 'cancel.*may not'"
check "lgrd audit shows the viewer's refused cancel" bash -c \
    "\"$LGRCTL\" -D \"$LABDIR\" audit | grep -q 'cancel.*may not'"

echo "$LABTEST_PASSES passed, $LABTEST_FAILS failed"
[ "$LABTEST_FAILS" -eq 0 ]
